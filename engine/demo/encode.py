"""From numeric codes to PostHog rows: the binary layout of a chunk and the SQL that expands it.

numpy writes each chunk as fixed-width RowBinary rows; one ``INSERT … SELECT``
per chunk turns codes into names, builds the JSON ``properties`` and
``person_properties`` and derives stable UUIDs from the seed, all inside
ClickHouse, so ten million events never pass through Python strings.
"""

from __future__ import annotations

import json

import numpy as np

from . import model, truths
from .model import NONE, Vocabulary
from .store import quote

SITE = "https://paperplane.app"

Columns = tuple[tuple[str, str, str], ...]  # (name, numpy code, ClickHouse type)

PERSON_COLUMNS: Columns = (
    ("person", "u4", "UInt32"),
    ("visitor", "u1", "UInt8"),
    ("plan", "u1", "UInt8"),
    ("source", "u1", "UInt8"),
    ("campaign", "u1", "UInt8"),
    ("referrer0", "u1", "UInt8"),
    ("country", "u1", "UInt8"),
    ("company_size", "u1", "UInt8"),
    ("first_name", "u1", "UInt8"),
    ("last_name", "u1", "UInt8"),
    ("email_domain", "u1", "UInt8"),
)
PERSON_ROW: Columns = (*PERSON_COLUMNS, ("created", "i8", "Int64"))
EVENT_ROW: Columns = (
    *PERSON_COLUMNS,
    ("id", "u8", "UInt64"),
    ("ts", "i8", "Int64"),
    ("event", "u1", "UInt8"),
    ("session", "u8", "UInt64"),
    ("anon", "u1", "UInt8"),
    ("page", "u1", "UInt8"),
    ("value", "u1", "UInt8"),
    ("number", "f8", "Float64"),
    ("referrer", "u1", "UInt8"),
    ("browser", "u1", "UInt8"),
    ("os", "u1", "UInt8"),
    ("device", "u1", "UInt8"),
)

# What each event carries besides the common properties: (property, where its value comes from).
# "value"/"page" are the row's code columns, "number"/"integer" its numeric column, "=x" a constant.
EVENT_PROPERTIES: dict[str, tuple[tuple[str, str], ...]] = {
    "$pageview": (("$pathname", "page"),),
    "$pageleave": (("$pathname", "page"),),
    "signed_up": (("signup_method", "value"),),
    "file_uploaded": (("file_type", "value"), ("size_mb", "number")),
    "file_shared": (("share_type", "value"),),
    "feature_used": (("feature_name", "value"),),
    "search_performed": (("query_length", "integer"),),
    "checkout_started": (("plan", "value"),),
    "purchase": (("plan", "value"), ("amount", "number"), ("currency", "=USD")),
    "subscription_cancelled": (("reason", "value"),),
    "support_ticket_created": (("category", "value"),),
    "$feature_flag_called": (("$feature_flag", "=" + truths.FLAG), ("$feature_flag_response", "value")),
}
WEB = "session != 0"  # server-side events (cancellations) have no session, browser or page
SIGNED_UP = "visitor = 0"


def dtype(columns: Columns) -> np.dtype:
    return np.dtype([(name, "<" + code) for name, code, _ in columns])


def structure(columns: Columns) -> str:
    return ", ".join(f"{name} {ch}" for name, _, ch in columns)


def _array(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(quote(v) for v in values) + "]"


def _name(values: tuple[str, ...], column: str) -> str:
    """The value name of a code column ('' for NONE: ClickHouse arrays answer '' out of range)."""
    return f"{_array(values)}[{column} + 1]"


def _pair(key: str, json_value: str, when: str = "1") -> str:
    return f"if({when}, concat({quote(json.dumps(key) + ':')}, {json_value}), '')"


def _object(pairs: list[str]) -> str:
    return "concat('{', arrayStringConcat(arrayFilter(x -> x != '', [" + ", ".join(pairs) + "]), ','), '}')"


def _uuid(seed: int, kind: str, column: str) -> str:
    return f"reinterpretAsUUID(sipHash128({seed}, {quote(kind)}, {column}))"


def email_sql() -> str:
    first = f"lower({_name(model.FIRST_NAMES, 'first_name')})"
    last = f"lower({_name(model.LAST_NAMES, 'last_name')})"
    return f"concat({first}, '.', {last}, toString(person), '@', {_name(model.EMAIL_DOMAINS, 'email_domain')})"


def person_properties_sql(vocab: Vocabulary) -> str:
    pv = vocab.person_values

    def coded(prop: str, column: str, when: str = "1") -> str:
        return _pair(prop, f"toJSONString({_name(pv[prop], column)})", when)

    full_name = f"concat({_name(model.FIRST_NAMES, 'first_name')}, ' ', {_name(model.LAST_NAMES, 'last_name')})"
    return _object(
        [
            _pair("email", f"toJSONString({email_sql()})", SIGNED_UP),
            _pair("name", f"toJSONString({full_name})", SIGNED_UP),
            coded("plan", "plan", f"plan != {NONE}"),
            coded("$initial_utm_source", "source", f"source != {NONE}"),
            coded("$initial_utm_campaign", "campaign", f"campaign != {NONE}"),
            coded("$initial_referring_domain", "referrer0"),
            coded("$geoip_country_code", "country"),
            coded("company_size", "company_size", SIGNED_UP),
        ]
    )


def _own_properties(vocab: Vocabulary) -> str:
    ev = vocab.event_values
    branches = []
    for event, props in EVENT_PROPERTIES.items():
        pairs = []
        for prop, source in props:
            if source in ("value", "page"):
                value = f"toJSONString({_name(ev[prop], source)})"
            elif source == "number":
                value = "toJSONString(number)"
            elif source == "integer":
                value = "toJSONString(toInt64(number))"
            else:
                value = quote(json.dumps(source[1:]))
            pairs.append(_pair(prop, value))
        branches.append(f"event = {vocab.event(event)}, arrayStringConcat([{', '.join(pairs)}], ',')")
    return "multiIf(" + ", ".join(branches) + ", '')"


def session_id_sql(seed: int) -> str:
    return f"if({WEB}, toString({_uuid(seed, 'session', 'session')}), '')"


def event_properties_sql(vocab: Vocabulary, seed: int) -> str:
    ev = vocab.event_values

    def common(prop: str, column: str) -> str:
        return _pair(prop, f"toJSONString({_name(ev[prop], column)})", WEB)

    url = f"concat({quote(SITE)}, {_name(ev['$pathname'], 'page')})"
    return _object(
        [
            _own_properties(vocab),
            common("$browser", "browser"),
            common("$os", "os"),
            common("$device_type", "device"),
            common("$referring_domain", "referrer"),
            _pair("$session_id", f"toJSONString({session_id_sql(seed)})", WEB),
            _pair("$current_url", f"toJSONString({url})", WEB),
            _pair("$lib", f"if({WEB}, '\"web\"', '\"posthog-python\"')"),
        ]
    )


def distinct_id_sql(seed: int) -> str:
    return f"if(anon = 1, toString({_uuid(seed, 'anonymous', 'person')}), {email_sql()})"


def insert_events_sql(db: str, path: str, vocab: Vocabulary, seed: int) -> str:
    return f"""
    INSERT INTO {db}.events
    SELECT {_uuid(seed, "event", "id")}, {_name(vocab.events, "event")}, {distinct_id_sql(seed)},
           {_uuid(seed, "person", "person")}, fromUnixTimestamp64Micro(ts, 'UTC'),
           {event_properties_sql(vocab, seed)}, {person_properties_sql(vocab)}, '', {session_id_sql(seed)}
    FROM file({quote(path)}, RowBinary, {quote(structure(EVENT_ROW))})"""


def insert_persons_sql(db: str, path: str, vocab: Vocabulary, seed: int) -> list[str]:
    source = f"file({quote(path)}, RowBinary, {quote(structure(PERSON_ROW))})"
    person_id = _uuid(seed, "person", "person")
    return [
        f"""INSERT INTO {db}.persons SELECT {person_id}, fromUnixTimestamp64Micro(created, 'UTC'),
               {person_properties_sql(vocab)} FROM {source}""",
        f"""INSERT INTO {db}.person_distinct_ids
            SELECT toString({_uuid(seed, "anonymous", "person")}), {person_id} FROM {source}
            UNION ALL SELECT {email_sql()}, {person_id} FROM {source} WHERE {SIGNED_UP}""",
    ]
