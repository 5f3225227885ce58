"""The taxonomy of user-loaded data, read from the data itself.

A loaded PostHog export comes with no definitions file, so the events,
property keys, their types and their most common values are discovered with
``JSONExtractKeysAndValuesRaw`` over (a bounded sample of) the rows. A load
reads it once, into the database it builds (``taxonomy_json``), so that the
taxonomy and the data it describes are swapped in together and a later run
reads it back instead of scanning again.
"""

from __future__ import annotations

import json
from typing import Any

from ..taxonomy import EventDef, PropertyDef, Taxonomy
from .products import demo_taxonomy
from .store import Store

SAMPLE_ROWS = 20_000
"""Rows read per event (and persons in all): enough to see every key of every event, however rare the event,
and bounded so that a 10M-row store is described in a second or two."""
TOP_VALUES = 10
COMMON_SHARE = 0.8  # a key on this share of event types is a common property


def _keys_sql(column: str, table: str) -> str:  # table: a qualified name, db.events or db.persons
    """Per key: type counts and top raw values, over the first SAMPLE_ROWS rows."""
    extra = "event" if table.endswith(".events") else "''"
    return f"""
    SELECT key, countIf(kind = 'String') AS strings, countIf(kind = 'Numeric') AS numbers,
           countIf(kind = 'Boolean') AS bools, count() AS total,
           topK({TOP_VALUES})(if(kind = 'String', raw, '')) AS top, groupUniqArray(200)(owner) AS owners
    FROM (
        SELECT kv.1 AS key, kv.2 AS raw, {extra} AS owner,
               multiIf(startsWith(raw, '"'), 'String', raw IN ('true', 'false'), 'Boolean',
                       isNotNull(toFloat64OrNull(raw)), 'Numeric', 'Other') AS kind
        FROM (SELECT * FROM {table} {f"LIMIT {SAMPLE_ROWS} BY event" if extra == "event" else f"LIMIT {SAMPLE_ROWS * 10}"})
        ARRAY JOIN JSONExtractKeysAndValuesRaw({column}) AS kv)
    GROUP BY key ORDER BY total DESC"""


def _property(name: str, scope: str, row: list[Any]) -> PropertyDef:
    _, strings, numbers, bools, _, top, _ = row
    kind = max((("String", strings), ("Numeric", numbers), ("Boolean", bools)), key=lambda kv: kv[1])[0]
    values = tuple(json.loads(v) for v in top if v) if kind == "String" else ()
    return PropertyDef(name, scope, kind, values)  # type: ignore[arg-type]


def taxonomy_json(tax: Taxonomy) -> str:
    return json.dumps(tax.to_dict(), ensure_ascii=False, separators=(",", ":"))


def taxonomy_from_json(text: str) -> Taxonomy:
    return Taxonomy.from_dict(json.loads(text), source="the store's taxonomy")


def taxonomy_from_data(store: Store, db: str | None = None) -> Taxonomy:
    """The taxonomy of the events in ``db`` (default: the live database)."""
    db = db or store.database
    tax = Taxonomy()
    event_names = [
        r[0] for r in store.json(f"SELECT event, count() AS n FROM {db}.events GROUP BY event ORDER BY n DESC")["data"]
    ]
    owners: dict[str, list[str]] = {}
    for row in store.json(_keys_sql("properties", f"{db}.events"))["data"]:
        tax.event_properties[row[0]] = _property(row[0], "event", row)
        owners[row[0]] = row[6]
    for row in store.json(_keys_sql("properties", f"{db}.persons"))["data"]:
        tax.person_properties[row[0]] = _property(row[0], "person", row)
    common = tuple(k for k, evs in owners.items() if event_names and len(evs) >= COMMON_SHARE * len(event_names))
    tax.common_event_properties = common
    for name in event_names:
        own = tuple(k for k, evs in owners.items() if name in evs and k not in common)
        tax.events[name] = EventDef(name, own)
    tax.session_properties = dict(demo_taxonomy().session_properties)  # the sessions table is built the same way
    flags = store.json(f"""
        SELECT JSONExtractString(properties, '$feature_flag') AS flag,
               groupUniqArray(20)(JSONExtractString(properties, '$feature_flag_response'))
        FROM {db}.events WHERE event = '$feature_flag_called' AND flag != '' GROUP BY flag""")["data"]
    tax.flags = {flag: tuple(sorted(v for v in variants if v)) for flag, variants in flags}
    return tax
