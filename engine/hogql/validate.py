"""The guard: a query runs only if it is one read-only HogQL SELECT on the tables we allow.

It checks the token stream (``token_rules``: template leftovers, comments that
readers could end differently, template strings) and then the parsed tree, not
the statement's first word: a write can hide in a CTE, a table function
(``url()``, ``file()``, ``values()``) parses as an ordinary SELECT source, and
PostHog refuses several ClickHouse spellings (``count(*)``, ``toInt64``, ``LAG``)
that ClickHouse itself accepts. Every FROM and JOIN source must be an allowed
table, a CTE or a subquery. Each refusal is a ``Problem`` that says what is
wrong, where, and how to fix it.

sqlglot only reads the text: the query that runs is the text that was checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlglot import exp
from sqlglot.tokenizer_core import TokenType

from ..errors import Problem, UnsafeQueryError
from .checklist import lint_warnings
from .functions import function_name, is_allowed
from .parsing import ParsedText, find_all, find_word, locate, multiple_statements_problem, parse_text, tokenize
from .token_rules import token_problems

DEFAULT_TABLES: frozenset[str] = frozenset(
    {"events", "persons", "sessions", "person_distinct_ids", "groups", "cohort_people", "raw_sessions"}
)

_WRITES: tuple[type[exp.Expr], ...] = (
    exp.Insert, exp.Alter, exp.Drop, exp.Delete, exp.Update, exp.Create, exp.TruncateTable, exp.Merge,
    exp.Detach, exp.Attach, exp.Kill, exp.Copy, exp.LoadData, exp.Grant, exp.Revoke, exp.Set, exp.Use,
    exp.Pragma, exp.Refresh,
)  # fmt: skip
_WIDTH_CAST = re.compile(r"^to(?:(U?Int)\d+|(Float)\d+|(DateTime)64)$")
_RELATIONAL = (exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NEQ)


@dataclass(frozen=True)
class Validated:
    """A query that passed the guard: its text (what is sent), its tree, and lint warnings."""

    text: str
    tree: exp.Expr
    warnings: list[Problem] = field(default_factory=list)


def validate(
    hogql: str,
    *,
    tables: Iterable[str] = DEFAULT_TABLES,
    values: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> Validated:
    """Check ``hogql``; raise ``HogQLSyntaxError`` or ``UnsafeQueryError``, else return it with warnings.

    ``values`` (the placeholders' values, optional) let the checklist measure
    a time range written with placeholders; the guard never needs them. ``now``: where an open range ends.
    """
    errors, query = guard_problems(hogql, frozenset(tables))
    if errors or query is None:
        raise UnsafeQueryError(errors)
    return Validated(hogql, query, lint_warnings(query, hogql, values, now))


def guard_problems(hogql: str, tables: frozenset[str]) -> tuple[list[Problem], exp.Expr | None]:
    """Every guard error in ``hogql``, and its query when the text is one SELECT; raises ``HogQLSyntaxError``."""
    tokens = tokenize(hogql)
    refused = token_problems(hogql, tokens)
    if refused:
        return refused, None
    parsed = parse_text(hogql, tokens)
    statements = [s for s in parsed.statements if s is not None]
    if len(statements) != 1:
        return [multiple_statements_problem(parsed)], None
    problems = _trailing_semicolon(parsed)
    root = _unwrap(statements[0])
    if not isinstance(root, (exp.Select, exp.SetOperation)):
        return [*problems, _not_a_query(root, hogql)], None
    for rule in _TREE_RULES:
        problems.extend(rule(root, hogql, tables))
    return problems, statements[0]


def _unwrap(node: exp.Expr) -> exp.Expr:
    while isinstance(node, (exp.Subquery, exp.Paren)) and node.this is not None:
        node = node.this
    return node


def _problem(code: str, message: str, where: tuple[int | None, int | None], fix: str) -> Problem:
    return Problem(code, message, where[0], where[1], fix)


# --- statement-level rules -----------------------------------------------------------------


def _trailing_semicolon(parsed: ParsedText) -> list[Problem]:
    semicolon = next((t for t in parsed.tokens if t.token_type == TokenType.SEMICOLON), None)
    if semicolon is None:
        return []
    return [
        _problem(
            "trailing_semicolon",
            "the query ends with ';': askhog sends exactly one statement, without a terminator",
            (semicolon.line, semicolon.col),
            "remove the semicolon",
        )
    ]


def _not_a_query(root: exp.Expr, text: str) -> Problem:
    where = locate(root, text)
    if where[0] is None:
        where = (1, 1)
    if isinstance(root, exp.Command):
        word = str(root.this).upper()
        return _problem(
            "command", f"{word} is a ClickHouse command, not a query", find_word(text, word), "ask with a SELECT"
        )
    if isinstance(root, _WRITES):
        kind = type(root).__name__.upper()
        return _problem("write_statement", f"{kind} changes data; only SELECT is allowed", where, "ask with a SELECT")
    kind = type(root).__name__.upper()
    return _problem(
        "not_select",
        f"the statement is {kind}; only SELECT (or UNION of SELECTs) is allowed",
        where,
        "ask with a SELECT",
    )


# --- tree rules ----------------------------------------------------------------------------


def _nested_writes(root: exp.Expr, text: str, tables: frozenset[str]) -> Iterator[Problem]:
    for node in find_all(root, *_WRITES, exp.Command):
        kind = type(node).__name__.upper()
        yield _problem(
            "write_statement",
            f"the query contains a {kind} statement",
            locate(node, text),
            "remove it: queries only read",
        )


def _sources(root: exp.Expr, text: str, tables: frozenset[str]) -> Iterator[Problem]:
    """What a FROM or JOIN reads must be a table name (checked by ``_tables``) or a subquery: ``VALUES``,
    ``unnest`` and any other source are refused, wherever they appear."""
    for node in find_all(root, exp.From, exp.Join):
        if isinstance(node, exp.Join) and node.args.get("kind") == "ARRAY":
            continue  # ARRAY JOIN takes an expression; its functions are checked like any other
        source = node.this
        while isinstance(source, (exp.Final, exp.Paren)) and isinstance(source.this, exp.Expr):
            source = source.this
        if isinstance(source, (exp.Table, exp.Subquery, exp.Select, exp.SetOperation)):
            continue
        yield _source_problem(source, text, tables)
    for values in find_all(root, exp.Values):
        if not isinstance(values.parent, (exp.From, exp.Join)):
            yield _source_problem(values, text, tables)


def _source_problem(source: exp.Expr, text: str, tables: frozenset[str]) -> Problem:
    name = "values" if isinstance(source, exp.Values) else type(source).__name__.lower()
    return _problem(
        "table_function",
        f"{name}() as a source reads rows that are not the project's data",
        locate(source, text),
        f"select from one of: {', '.join(sorted(tables))}",
    )


def _tables(root: exp.Expr, text: str, tables: frozenset[str]) -> Iterator[Problem]:
    ctes = {cte.alias for cte in find_all(root, exp.CTE)}
    for table in find_all(root, exp.Table):
        source = table.this
        if isinstance(source, exp.Func):
            name = function_name(source) or type(source).__name__
            yield _problem(
                "table_function",
                f"table function {name}() reads outside the project's data",
                locate(table, text),
                f"select from one of: {', '.join(sorted(tables))}",
            )
            continue
        if not isinstance(source, exp.Identifier):
            yield _problem(
                "table_not_allowed",
                f"the table {source.sql()} is not a plain name",
                locate(table, text),
                "name the table literally",
            )
            continue
        qualified = ".".join(p.name for p in table.parts)
        if table.args.get("db") is None and table.name in ctes:
            continue
        if table.args.get("db") is not None or table.name not in tables:
            yield _problem(
                "table_not_allowed",
                f"table {qualified!r} is not one HogQL queries may read",
                locate(table, text),
                f"use one of: {', '.join(sorted(tables))}",
            )


def _functions(root: exp.Expr, text: str, tables: frozenset[str]) -> Iterator[Problem]:
    for node in find_all(root, exp.Func):
        if isinstance(node.parent, exp.Table):
            continue  # reported as a table function
        name = function_name(node)
        if name is None:
            continue
        found = _function_problem(node, name)
        if found is not None:  # located only when wrong: locating walks the call's subtree
            code, message, fix = found
            yield _problem(code, message, locate(node, text), fix)


def _function_problem(node: exp.Func, name: str) -> tuple[str, str, str] | None:
    if isinstance(node, exp.Count) and isinstance(node.this, exp.Star):
        return "count_star", "HogQL counts rows with count(), not count(*)", "write count()"
    if width := _WIDTH_CAST.match(name):
        better = "to" + next(g for g in width.groups() if g).lstrip("U")
        return "width_cast", f"{name}() is ClickHouse's spelling; HogQL's is {better}()", f"write {better}(...)"
    if name.lower() in ("lag", "lead"):
        frame = "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING"
        return (
            "lag_lead",
            f"{name}() is not a ClickHouse window function",
            f"use {name.lower()}InFrame(x) OVER (PARTITION BY ... ORDER BY ... {frame})",
        )
    if not is_allowed(name):
        return "function_not_allowed", f"{name}() is not a HogQL function", "use a function from HogQL's list"
    return None


def _clauses(root: exp.Expr, text: str, tables: frozenset[str]) -> Iterator[Problem]:
    for select in find_all(root, exp.Select):
        if select.args.get("settings"):
            yield _problem(
                "settings",
                "SETTINGS is not allowed in HogQL",
                find_word(text, "SETTINGS"),
                "remove the SETTINGS clause",
            )
        if select.args.get("format"):
            yield _problem(
                "format", "FORMAT is not allowed in HogQL", find_word(text, "FORMAT"), "remove the FORMAT clause"
            )


def _join_conditions(root: exp.Expr, text: str, tables: frozenset[str]) -> Iterator[Problem]:
    for join in find_all(root, exp.Join):
        on = join.args.get("on")
        if on is None:
            continue
        for comparison in on.find_all(*_RELATIONAL):
            yield _problem(
                "join_condition",
                f"JOIN ... ON accepts only equalities; found {comparison.sql(dialect='clickhouse')}",
                locate(comparison, text),
                "keep equalities in ON and move the other condition to WHERE",
            )


_TREE_RULES: tuple[Callable[[exp.Expr, str, frozenset[str]], Iterable[Problem]], ...] = (
    _nested_writes,
    _sources,
    _tables,
    _functions,
    _clauses,
    _join_conditions,
)
