"""From numeric codes to PostHog rows: the binary layout of a chunk and the SQL that expands it.

numpy writes each chunk as fixed-width RowBinary rows; one ``INSERT … SELECT``
per chunk turns codes into names, builds the JSON ``properties`` and
``person_properties`` and derives stable UUIDs from the seed, all inside
ClickHouse, so ten million events never pass through Python strings. A
product's ``Layout`` says which codes its rows carry and which property each
one becomes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .literals import quote
from .model import FIRST_NAMES, LAST_NAMES, NONE, Vocabulary

Columns = tuple[tuple[str, str, str], ...]  # (name, numpy code, ClickHouse type)
When = Literal["always", "known", "signed_up"]
"""When a person property is set: always, when its code is not ``NONE``, or for persons who signed up."""

SIGNED_UP = "visitor = 0"
WEB = "session != 0"  # server-side events (payments, cancellations) have no session, browser or page
_PEOPLE: Columns = (
    ("person", "u4", "UInt32"),
    ("visitor", "u1", "UInt8"),
    ("first_name", "u1", "UInt8"),
    ("last_name", "u1", "UInt8"),
    ("email_domain", "u1", "UInt8"),
)
_EVENTS: Columns = (
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
CODED = ("value", "page")
"""Event-row columns holding a code of the event property they fill (besides the product's person columns)."""


@dataclass(frozen=True)
class Layout:
    """A product's rows: its own per-person code columns and the properties every column becomes.

    ``person_properties``: (property, column, when) in the order they appear in ``person_properties``.
    ``event_properties``: per event, (property, source) besides the common ones; a source is a code column
    (``value``, ``page`` or one of ``person_columns``, read with the property's event-scope values),
    ``number``/``integer`` (the row's numeric column), or ``=x`` (the constant ``x``).
    """

    site: str
    email_domains: tuple[str, ...]
    person_columns: tuple[str, ...]
    person_properties: tuple[tuple[str, str, When], ...]
    event_properties: dict[str, tuple[tuple[str, str], ...]]

    @property
    def person_row_columns(self) -> Columns:
        """What a person row and the person part of an event row hold."""
        return (*_PEOPLE, *((name, "u1", "UInt8") for name in self.person_columns))

    @property
    def person_row(self) -> Columns:
        return (*self.person_row_columns, ("created", "i8", "Int64"))

    @property
    def event_row(self) -> Columns:
        return (*self.person_row_columns, *_EVENTS)


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


_CONDITIONS: dict[When, str] = {"always": "1", "known": "{column} != " + str(NONE), "signed_up": SIGNED_UP}


def email_sql(layout: Layout) -> str:
    first = f"lower({_name(FIRST_NAMES, 'first_name')})"
    last = f"lower({_name(LAST_NAMES, 'last_name')})"
    return f"concat({first}, '.', {last}, toString(person), '@', {_name(layout.email_domains, 'email_domain')})"


def person_properties_sql(layout: Layout, vocab: Vocabulary) -> str:
    pv = vocab.person_values
    full_name = f"concat({_name(FIRST_NAMES, 'first_name')}, ' ', {_name(LAST_NAMES, 'last_name')})"
    return _object(
        [
            _pair("email", f"toJSONString({email_sql(layout)})", SIGNED_UP),
            _pair("name", f"toJSONString({full_name})", SIGNED_UP),
            *(
                _pair(prop, f"toJSONString({_name(pv[prop], column)})", _CONDITIONS[when].format(column=column))
                for prop, column, when in layout.person_properties
            ),
        ]
    )


def _own_properties(layout: Layout, vocab: Vocabulary) -> str:
    ev = vocab.event_values
    coded = (*CODED, *layout.person_columns)
    branches = []
    for event, props in layout.event_properties.items():
        pairs = []
        for prop, source in props:
            if source in coded:  # an absent value (NONE) leaves the property out
                pairs.append(_pair(prop, f"toJSONString({_name(ev[prop], source)})", f"{source} != {NONE}"))
                continue
            if source == "number":
                value = "toJSONString(number)"
            elif source == "integer":
                value = "toJSONString(toInt64(number))"
            else:
                value = quote(json.dumps(source[1:]))
            pairs.append(_pair(prop, value))
        branches.append(
            f"event = {vocab.event(event)}, arrayStringConcat(arrayFilter(x -> x != '', [{', '.join(pairs)}]), ',')"
        )
    return "multiIf(" + ", ".join(branches) + ", '')"


def session_id_sql(seed: int) -> str:
    return f"if({WEB}, toString({_uuid(seed, 'session', 'session')}), '')"


def event_properties_sql(layout: Layout, vocab: Vocabulary, seed: int) -> str:
    ev = vocab.event_values

    def common(prop: str, column: str) -> str:
        return _pair(prop, f"toJSONString({_name(ev[prop], column)})", WEB)

    url = f"concat({quote(layout.site)}, {_name(ev['$pathname'], 'page')})"
    return _object(
        [
            _own_properties(layout, vocab),
            common("$browser", "browser"),
            common("$os", "os"),
            common("$device_type", "device"),
            common("$referring_domain", "referrer"),
            _pair("$session_id", f"toJSONString({session_id_sql(seed)})", WEB),
            _pair("$current_url", f"toJSONString({url})", WEB),
            _pair("$lib", f"if({WEB}, '\"web\"', '\"posthog-python\"')"),
        ]
    )


def distinct_id_sql(layout: Layout, seed: int) -> str:
    return f"if(anon = 1, toString({_uuid(seed, 'anonymous', 'person')}), {email_sql(layout)})"


def insert_events_sql(layout: Layout, db: str, path: str, vocab: Vocabulary, seed: int) -> str:
    return f"""
    INSERT INTO {db}.events
    SELECT {_uuid(seed, "event", "id")}, {_name(vocab.events, "event")}, {distinct_id_sql(layout, seed)},
           {_uuid(seed, "person", "person")}, fromUnixTimestamp64Micro(ts, 'UTC'),
           {event_properties_sql(layout, vocab, seed)}, {person_properties_sql(layout, vocab)}, '',
           {session_id_sql(seed)}
    FROM file({quote(path)}, RowBinary, {quote(structure(layout.event_row))})"""


def insert_persons_sql(layout: Layout, db: str, path: str, vocab: Vocabulary, seed: int) -> list[str]:
    source = f"file({quote(path)}, RowBinary, {quote(structure(layout.person_row))})"
    person_id = _uuid(seed, "person", "person")
    return [
        f"""INSERT INTO {db}.persons SELECT {person_id}, fromUnixTimestamp64Micro(created, 'UTC'),
               {person_properties_sql(layout, vocab)} FROM {source}""",
        f"""INSERT INTO {db}.person_distinct_ids
            SELECT toString({_uuid(seed, "anonymous", "person")}), {person_id} FROM {source}
            UNION ALL SELECT {email_sql(layout)}, {person_id} FROM {source} WHERE {SIGNED_UP}""",
    ]
