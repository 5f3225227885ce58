"""PostHog's own grammar agrees with our dialect on what HogQL is."""

from __future__ import annotations

import sys

import pytest
from askhog.errors import HogQLSyntaxError
from askhog.hogql.posthog_parser import assert_posthog_parses, parse_select
from test_hogql_guard import ACCEPTED


@pytest.mark.parametrize("text", ACCEPTED)
def test_queries_our_guard_accepts_are_real_hogql(text: str) -> None:
    tree = assert_posthog_parses(text)
    assert tree["node"] in ("SelectQuery", "SelectSetQuery")


def test_parse_keeps_hogql_structure() -> None:
    tree = parse_select("SELECT properties.$browser, count() FROM events WHERE event = {event} LIMIT 10")
    browser, count = tree["select"]
    assert browser == {**browser, "node": "Field", "chain": ["properties", "$browser"]}
    assert (count["node"], count["name"]) == ("Call", "count")
    assert tree["where"]["right"]["node"] == "Placeholder"
    assert tree["where"]["right"]["expr"]["chain"] == ["event"]


def test_parametric_call_keeps_params() -> None:
    call = parse_select("SELECT windowFunnel(86400)(timestamp, event = 'a') FROM events")["select"][0]
    assert (call["name"], [p["value"] for p in call["params"]]) == ("windowFunnel", [86400])


def test_syntax_error_is_raised_with_a_position() -> None:
    with pytest.raises(HogQLSyntaxError) as caught:
        parse_select("SELECT 1\nSELECT 2")
    assert caught.value.line == 2 and "PostHog's parser" in str(caught.value)


def test_assert_posthog_parses_fails_with_the_query() -> None:
    with pytest.raises(AssertionError, match="SELECT FROM WHERE"):
        assert_posthog_parses("SELECT FROM WHERE (")


def test_stand_in_posthog_modules_are_removed_after_loading() -> None:
    parse_select("SELECT 1")
    assert "posthog.hogql.errors" not in sys.modules
