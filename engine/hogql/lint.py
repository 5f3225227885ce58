"""Checking hand-written HogQL (``askhog lint``): guard errors and checklist warnings, never an exception."""

from __future__ import annotations

from collections.abc import Iterable

from sqlglot import exp

from ..errors import HogQLSyntaxError, Problem
from .checklist import lint_warnings
from .validate import DEFAULT_TABLES, guard_problems


def lint(hogql: str) -> list[Problem]:
    """Every guard error and checklist warning in hand-written HogQL; never raises on bad input."""
    return lint_query(hogql)[0]


def lint_query(hogql: str) -> tuple[list[Problem], exp.Expr | None]:
    """``lint``'s problems and the parsed query (None unless the text is one SELECT), parsed once."""
    try:
        errors, query = guard_problems(hogql, DEFAULT_TABLES)
    except HogQLSyntaxError as e:
        message = str(e).partition(": ")[2]  # drop the "HogQL syntax error at l:c" prefix: the Problem has the place
        return [Problem("syntax_error", message, e.line, e.column, "correct the syntax at that position")], None
    warnings = lint_warnings(query, hogql) if query is not None else []
    return [*_by_position(errors), *_by_position(warnings)], query


def _by_position(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))


def format_problems(problems: Iterable[Problem]) -> str:
    """One line per problem (``line:col: severity code: message. Fix: ...``) and a count."""
    problems = list(problems)
    if not problems:
        return "no problems found"
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    lines = [str(p) for p in problems]
    lines.append(f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}")
    return "\n".join(lines)
