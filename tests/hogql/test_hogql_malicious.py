"""The guard against a file of malicious queries (all refused) and of benign look-alikes (all accepted).

``data/malicious.jsonl``: writes and commands, second statements, table functions (``values()`` among
them) in every source position, tables and functions outside the project's data, settings, comment
tricks that end differently for different readers, template strings and template leftovers.
``data/benign.jsonl``: queries that look like those (the same words inside strings, identifiers and
comments; CRLF line ends; ``//`` comments; aliases named ``values``) and must run. Each benign query is
also read by PostHog's own parser, which must find only allowed functions and tables in it, so that
"accepted" means "accepted and harmless", not just "accepted by sqlglot".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from askhog.errors import HogQLSyntaxError, UnsafeQueryError
from askhog.hogql import DEFAULT_TABLES, lint, validate
from askhog.hogql.functions import is_allowed
from askhog.hogql.posthog_parser import parse_select

DATA = Path(__file__).parent / "data"


def _load(name: str) -> list[dict[str, str]]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


MALICIOUS = _load("malicious.jsonl")
BENIGN = _load("benign.jsonl")


def test_the_sets_are_as_large_as_promised() -> None:
    assert len(MALICIOUS) >= 300 and len({m["query"] for m in MALICIOUS}) == len(MALICIOUS)
    assert len(BENIGN) >= 30


def test_every_malicious_query_is_refused() -> None:
    let_through = []
    for case in MALICIOUS:
        try:
            validate(case["query"])
        except (UnsafeQueryError, HogQLSyntaxError):
            continue
        let_through.append(case)
    assert let_through == []


def test_lint_reports_an_error_for_every_malicious_query_and_never_raises() -> None:
    quiet = [case for case in MALICIOUS if not any(p.severity == "error" for p in lint(case["query"]))]
    assert quiet == []


@pytest.mark.parametrize("case", BENIGN, ids=[c["kind"] for c in BENIGN])
def test_benign_look_alikes_are_accepted_and_harmless_to_posthog(case: dict[str, str]) -> None:
    validate(case["query"])
    calls, tables, ctes = _posthog_reads(parse_select(case["query"]))
    assert [c for c in calls if not is_allowed(c)] == []
    assert tables <= DEFAULT_TABLES | ctes


def _posthog_reads(tree: Any) -> tuple[set[str], set[str], set[str]]:
    """Function names, table names and CTE names in PostHog's AST (its JSON form)."""
    calls: set[str] = set()
    tables: set[str] = set()
    ctes: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            continue
        if node.get("node") == "Call":
            calls.add(str(node.get("name")))
        if (
            node.get("node") == "JoinExpr"
            and isinstance(node.get("table"), dict)
            and node["table"].get("node") == "Field"
        ):
            tables.add(".".join(map(str, node["table"]["chain"])))
        if node.get("node") == "CTE":
            ctes.add(str(node.get("name")))
        stack.extend(node.values())
    return calls, tables, ctes


@pytest.mark.parametrize(
    "query",
    [
        "SELECT count() FROM events WHERE properties.x = '{{x}}' AND timestamp > now() - INTERVAL 1 DAY",
        "SELECT properties.`x}}` FROM events WHERE timestamp > now() - INTERVAL 1 DAY LIMIT 1",
    ],
)
def test_braces_are_read_as_tokens_not_text(query: str) -> None:
    validate(query)  # the raw-text check refused both


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("SELECT * FROM values('x UInt8', (1))", "table_function"),
        ("SELECT 1 --x\r, hostName() FROM events", "function_not_allowed"),  # \r ends the comment, as for PostHog
        ("SELECT 1 -- \x0b, hostName()\nFROM events", "comment_trick"),
        ("SELECT 1 /* /* */ , hostName() /* */ FROM events", "comment_trick"),
        ("SELECT 1 # , hostName()\nFROM events", "comment_trick"),
        ("SELECT f'{hostName()}' FROM events", "template_string"),
        ("SELECT {{ event }} FROM events", "template_braces"),
    ],
)
def test_each_refusal_says_what_it_is(query: str, code: str) -> None:
    with pytest.raises(UnsafeQueryError) as info:
        validate(query)
    assert code in {p.code for p in info.value.problems}
    assert all(p.line is not None and p.fix for p in info.value.problems)
