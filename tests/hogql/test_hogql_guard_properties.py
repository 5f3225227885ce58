"""Property-based: the guard is total (any text gets a verdict, never a crash), and nothing it accepts hides
from PostHog's own parser a function or a table that the guard would have refused."""

from __future__ import annotations

import contextlib
from typing import Any

from askhog.errors import AskhogError, HogQLSyntaxError, UnsafeQueryError
from askhog.hogql import DEFAULT_TABLES, lint, validate
from askhog.hogql.functions import is_allowed
from askhog.hogql.posthog_parser import parse_select
from hypothesis import given, settings
from hypothesis import strategies as st

PIECES = [
    "SELECT",
    " ",
    "\n",
    "\r",
    "\t",
    "count()",
    "hostName()",
    "file('x')",
    "FROM",
    "events",
    "system.tables",
    "values('x UInt8', 1)",
    "WHERE",
    "event = 'a'",
    ",",
    ";",
    "--",
    "//",
    "#",
    "/*",
    "*/",
    "'",
    "`",
    '"',
    "{",
    "}",
    "{{",
    "f'",
    "(",
    ")",
    "UNION ALL",
    "SELECT 1",
    "\u2028",
    "\x0b",
    "\x00",
    "\\",
    "x",
    "1",
]
COMMENT = st.lists(
    st.sampled_from(
        [
            "a",
            " ",
            "\n",
            "\r",
            "\x0b",
            "\x0c",
            "\u2028",
            "\u2029",
            "\x85",
            "/*",
            "*/",
            "--",
            "//",
            "#",
            ";",
            "'",
            "`",
            ", hostName()",
            " DROP TABLE events",
            "FROM system.users",
        ]
    ),
    max_size=8,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(text=st.one_of(st.text(max_size=60), st.lists(st.sampled_from(PIECES), max_size=25).map("".join)))
def test_any_text_gets_a_verdict_never_a_crash(text: str) -> None:
    with contextlib.suppress(HogQLSyntaxError, UnsafeQueryError):
        validate(text)
    assert isinstance(lint(text), list)


def _reads(tree: Any) -> tuple[set[str], set[str]]:
    calls, tables, ctes = set(), set(), set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            kind = node.get("node")
            if kind == "Call":
                calls.add(str(node["name"]))
            elif kind == "CTE":
                ctes.add(str(node["name"]))
            elif kind == "JoinExpr" and isinstance(node.get("table"), dict) and node["table"].get("node") == "Field":
                tables.add(".".join(map(str, node["table"]["chain"])))
            stack.extend(node.values())
    return calls, tables - ctes


@settings(max_examples=100, deadline=None)
@given(comment=COMMENT, block=st.booleans(), where=st.integers(0, 2))
def test_a_comment_never_hides_code_from_the_guard(comment: str, block: bool, where: int) -> None:
    """Whatever a comment holds and wherever it sits: if the guard accepts the query, PostHog's parser finds
    in it only allowed functions and tables (a comment the two readers end differently would show here)."""
    wrapped = f"/*{comment}*/" if block else f"--{comment}\n"
    parts = ["SELECT count() ", "FROM events ", "WHERE timestamp > now() - INTERVAL 1 DAY"]
    query = "".join(parts[: where + 1]) + wrapped + "".join(parts[where + 1 :])
    try:
        validate(query)
    except AskhogError:
        return
    try:
        tree = parse_select(query)
    except HogQLSyntaxError:
        return  # PostHog would refuse it too
    calls, tables = _reads(tree)
    assert all(is_allowed(c) for c in calls) and tables <= DEFAULT_TABLES, (query, calls, tables)
