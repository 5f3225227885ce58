"""Property-based: PostHog's answers are read by shape; any JSON at all gives a result or a MalformedResponse
naming the field, never a TypeError, AttributeError or RecursionError."""

from __future__ import annotations

import json
from typing import Any

from askhog.backends.base import Table
from askhog.backends.posthog.responses import (
    MAX_DEPTH,
    decode,
    metadata_notices,
    page_items,
    query_status,
    table_from_response,
)
from askhog.errors import MalformedResponse
from hypothesis import given, settings
from hypothesis import strategies as st

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=6)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=12,
)
FIELDS = ["columns", "types", "results", "hasMore", "query_status", "errors", "warnings", "notices", "next"]
# Bodies near PostHog's shapes: its field names, each holding any JSON (or a plausible value).
BODY = st.one_of(
    JSON, st.dictionaries(st.sampled_from(FIELDS), JSON | st.just([[1, "a"]]) | st.just(["n"]), max_size=5)
)

READERS = [
    lambda body: table_from_response(body),
    lambda body: query_status(body, "q"),
    lambda body: metadata_notices(body, "q"),
    lambda body: page_items(body, "q"),
]


@settings(max_examples=150, deadline=None)
@given(body=BODY)
def test_any_json_is_read_or_refused_by_name(body: Any) -> None:
    for read in READERS:
        try:
            read(body)
        except MalformedResponse as error:
            assert "PostHog's answer to" in str(error) and "malformed" in str(error)


@settings(max_examples=50, deadline=None)
@given(columns=st.lists(st.text(max_size=5), min_size=1, max_size=4), data=st.data())
def test_well_formed_answers_become_the_table_they_describe(columns: list[str], data: st.DataObject) -> None:
    rows = data.draw(st.lists(st.lists(SCALARS, min_size=len(columns), max_size=len(columns)), max_size=5))
    body = {"columns": columns, "types": [[c, "String"] for c in columns], "results": rows, "hasMore": False}
    table = table_from_response(json.loads(json.dumps(body)))
    assert table == Table(tuple(columns), ("String",) * len(columns), tuple(tuple(r) for r in rows))


@given(depth=st.integers(MAX_DEPTH + 1, 20_000))
@settings(max_examples=10, deadline=None)
def test_depth_is_bounded_however_deep(depth: int) -> None:
    raw = b'{"results": [[' + b"[" * depth + b"]" * depth + b"]]}"
    try:
        table_from_response(decode(raw, status=200, where="q"))
    except MalformedResponse as error:
        assert "nested" in str(error)
    else:
        raise AssertionError("a cell nested past MAX_DEPTH was accepted")
