"""``inline``: PostHog's quoting for every value (braces, quotes, backslashes, NUL), placeholders replaced only
where they are code, and the result read back by PostHog's own parser as the bound query with its constants."""

from __future__ import annotations

from typing import Any

from askhog.hogql import validate
from askhog.hogql.posthog_parser import parse_select
from askhog.render import RenderedQuery, hogql_literal
from hypothesis import given, settings
from hypothesis import strategies as st
from posthog_tree import bare, filled

QUERY = (
    "SELECT properties.`p{a}` AS x, {b} AS y, count() AS n\n"
    "FROM events\n"
    "WHERE event = {a} AND properties.$os IN ({a}, {b}) AND properties.note = '{a}' -- {a} stays here\n"
    "/* and {b} here */ AND timestamp > now() - INTERVAL 1 DAY\n"
    "GROUP BY x, y\n"
    "LIMIT 10"
)
TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30) | st.sampled_from(
    ["{{x}}", "}}", "{a}", "\0", "a\0b\0", "'", "\\", "\\'", "`", "' OR 1 = 1 --", "\r\n", "\u2028", "/*", "{%"]
)


def _evaluated(node: Any) -> Any:
    """PostHog's AST with ``concat(...)`` of constants and ``unhex('00')`` folded into the constant they make
    (how ``inline`` writes a string holding NUL)."""
    if isinstance(node, list):
        return [_evaluated(v) for v in node]
    if not isinstance(node, dict):
        return node
    node = {k: _evaluated(v) for k, v in node.items()}
    if (
        node.get("node") == "Call"
        and node.get("name") == "unhex"
        and node["args"] == [{"node": "Constant", "value": "00"}]
    ):
        return {"node": "Constant", "value": "\0"}
    if (
        node.get("node") == "Call"
        and node.get("name") == "concat"
        and all(a.get("node") == "Constant" for a in node["args"])
    ):
        return {"node": "Constant", "value": "".join(a["value"] for a in node["args"])}
    return node


BOUND = bare(parse_select(QUERY))


@settings(max_examples=25, deadline=None)
@given(a=TEXT, b=TEXT)
def test_inline_reads_back_in_posthogs_parser_as_the_bound_query(a: str, b: str) -> None:
    query = RenderedQuery(QUERY, {"a": a, "b": b}, "t")
    inline = query.inline()
    assert _evaluated(bare(parse_select(inline))) == filled(BOUND, query.values)
    validate(inline)  # braces inside the values are data: the guard reads tokens, not text


def test_nothing_is_substituted_inside_identifiers_strings_or_comments() -> None:
    inline = RenderedQuery(QUERY, {"a": "A", "b": "B"}, "t").inline()
    assert "`p{a}`" in inline and "'{a}'" in inline and "-- {a} stays here" in inline and "/* and {b} here */" in inline
    assert "event = 'A'" in inline and "IN ('A', 'B')" in inline


def test_a_crafted_property_name_cannot_rewrite_the_inline_text() -> None:
    """A property key ``p{event}`` and an event named to close the identifier: the text stays one identifier."""
    hostile = "` OR 1 = 1 OR `"
    query = RenderedQuery(
        "SELECT count() FROM events WHERE event = {event} AND properties.`p{event}` = 'x'", {"event": hostile}, "t"
    )
    where = bare(parse_select(query.inline()))["where"]
    assert where["exprs"][1]["left"]["chain"] == ["properties", "p{event}"]
    assert where["exprs"][0]["right"] == {"node": "Constant", "value": hostile}


def test_nul_is_kept_as_an_expression_posthog_reads_whole() -> None:
    assert hogql_literal("a\0b") == "concat('a', unhex('00'), 'b')"
    assert hogql_literal("\0") == "unhex('00')"
    assert hogql_literal("\0\0x") == "concat(unhex('00'), unhex('00'), 'x')"
    assert hogql_literal("{{x}}") == "'{{x}}'"
