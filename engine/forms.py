"""The form a question comes in, read before its analysis: a request for the query, pasted SQL, a request for help.

* "could you write the HogQL for daily purchases this month": a *request for a query*. askhog's answer is a
  query, so the request form is stripped and the rest is answered as the analysis it names, query first
  (``Answer.wants_query``). A requested query that would change data ("a query that deletes ...") is refused.
* "explain this: SELECT ... FROM events": *pasted SQL*. It is linted with ``askhog lint``'s checks and explained,
  never run unchecked; a write statement is refused.
* "what can I ask?": a request for *help*, answered with example questions built from the project's own events
  (``askhog.samples``).

The phrasings are data, in ``intents/out_of_scope.yaml`` (``query_requests``, ``query_writes``, ``pasted_sql``,
``help_requests``): this module only applies them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from sqlglot import exp

from .catalog import Intent
from .errors import Problem
from .hogql.lint import lint_query
from .prefilter import needed
from .text import fold

MAX_UNWRAPS = 3
"""A request can wrap a request ("just give me the SQL for X, I'll run it myself"): at most this many layers."""
_CODE = re.compile(r"[()*=,'`;\n<>]|\b\w+\.\w+|\bcount\(")
"""Characters English rarely has and SQL nearly always does: a statement that does not parse is still pasted SQL
when it has them ("select users from germany" is a sentence)."""
_FENCE = re.compile(r"```[a-zA-Z]*")
_WRITE_CODES = frozenset({"write_statement"})
_WRITE_START = re.compile(
    r"^\s*(insert|delete|update|drop|truncate|alter|create|grant|revoke|attach|detach|optimize|rename|replace|"
    r"system|kill|set)\b",
    re.IGNORECASE,
)
"""A statement that starts as a write is one, whatever else the guard found first (two statements, a comment)."""


@lru_cache(maxsize=64)
def _needs(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """The literals a form pattern cannot match without (its text is lower-case; it matches ignoring case)."""
    try:
        return needed(re.compile(pattern.pattern))
    except re.error:
        return None


def _search(pattern: re.Pattern[str], text: str, lowered: str) -> re.Match[str] | None:
    """``pattern.search(text)``, skipped when ``lowered`` lacks every literal the pattern needs."""
    needs = _needs(pattern)
    if needs is not None and not any(word in lowered for word in needs):
        return None
    return pattern.search(text)


# --- requests for a query -------------------------------------------------------------------------


@dataclass(frozen=True)
class QueryRequest:
    """``rest`` is the analysis asked for ("" when none is named: "write me a query"); ``write`` says the
    requested query would change data."""

    rest: str
    write: bool = False


def query_request(rules: Intent, text: str) -> QueryRequest | None:
    """The request for a query that wraps ``text``, if any, with the analysis it asks for."""
    rest, found = fold(text), False
    for _ in range(MAX_UNWRAPS):
        lowered = rest.lower()
        match = next((m for p in rules.query_requests if (m := _search(p, rest, lowered)) is not None), None)
        if match is None:
            break
        found, rest = True, match.group("rest").strip(" ,;:.-")
        if not rest:
            break
    if not found:
        return None
    write = rules.query_writes is not None and rules.query_writes.search(rest) is not None
    return QueryRequest(rest, write)


# --- pasted SQL -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PastedQuery:
    """SQL typed into the question, as ``askhog lint`` judged it. Never run unless ``runnable`` and asked to."""

    sql: str
    problems: tuple[Problem, ...]
    summary: str = ""
    """What the query reads and computes, in words ("" when it does not parse)."""

    @property
    def write(self) -> bool:
        return _WRITE_START.match(self.sql) is not None or any(p.code in _WRITE_CODES for p in self.problems)

    @property
    def parses(self) -> bool:
        return not any(p.code == "syntax_error" for p in self.problems)

    @property
    def runnable(self) -> bool:
        """Read-only and free of errors: the guard would let it run."""
        return not self.write and not any(p.severity == "error" for p in self.problems)

    def to_json(self) -> dict[str, object]:
        return {
            "sql": self.sql,
            "summary": self.summary,
            "problems": [str(p) for p in self.problems],
            "write": self.write,
            "runnable": self.runnable,
        }

    def explain(self) -> str:
        """The answer's words: what the statement is, the lint findings, and what can be done with it."""
        findings = [str(p) for p in self.problems]
        if self.write:
            first = next((p.message for p in self.problems if p.code in _WRITE_CODES), None)
            return (
                f"That is a SQL statement that changes data{f' ({first})' if first else ''}. askhog only reads "
                "your data: it does not run or write queries that change it."
            )
        if not self.parses:
            lines = ["This looks like HogQL, but it does not parse:"]
        else:
            lines = ["This is HogQL" + (f": {self.summary}." if self.summary else ".")]
            if not self.runnable:
                lines.append("askhog's checks (as `askhog lint`) found errors:")
            else:
                lines.append("askhog's checks (as `askhog lint`) found " + ("these:" if findings else "no problems."))
        lines.extend(f"  {f}" for f in findings)
        if self.runnable:
            lines.append(
                "It has not been run. Run it? Reply 'run it' and askhog runs it read-only, as checked; or ask "
                "the question in words for askhog's own query."
            )
        else:
            lines.append("It has not been run. Fix it and paste it again, or ask the question in words.")
        return "\n".join(lines)


def pasted_query(rules: Intent, text: str) -> PastedQuery | None:
    """The SQL statement pasted into ``text``, linted; None when the question holds none (a sentence that starts
    with "select" and does not parse as SQL is a sentence)."""
    if rules.pasted_sql is None:
        return None
    match = _search(rules.pasted_sql, text, text.lower())
    if match is None:
        return None
    sql = text[match.start("sql") :]
    fence = _FENCE.search(sql)
    if fence is not None:
        sql = sql[: fence.start()]
    sql = sql.strip()
    found, tree = lint_query(sql)
    problems = tuple(found)
    if any(p.code == "syntax_error" for p in problems) and not _CODE.search(sql):
        return None
    pasted = PastedQuery(sql, problems)
    return pasted if pasted.write or tree is None else PastedQuery(sql, problems, _summary(tree))


def _summary(tree: exp.Expr) -> str:
    """What a read-only SELECT reads and computes, from its tree: tables, grouping, ordering, limit."""
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    tables = sorted({t.name for t in tree.find_all(exp.Table) if t.name and t.name not in ctes})
    parts = ["a read-only query of " + (", ".join(tables) if tables else "no table")]
    select = tree if isinstance(tree, exp.Select) else tree.find(exp.Select)
    if select is not None:
        if select.args.get("where") is not None:
            parts.append("filtered")
        group = select.args.get("group")
        if group is not None and group.expressions:
            parts.append(f"grouped by {', '.join(e.sql() for e in group.expressions)}")
        order = select.args.get("order")
        if order is not None and order.expressions:
            parts.append(f"ordered by {', '.join(e.sql() for e in order.expressions)}")
        limit = select.args.get("limit")
        if limit is not None and limit.expression is not None:
            parts.append(f"at most {limit.expression.sql()} rows")
    return ", ".join(parts)


# --- help -----------------------------------------------------------------------------------------


def help_request(rules: Intent, text: str) -> bool:
    """Does the question ask what askhog can do ("what can I ask?", "help", "examples")?"""
    question = fold(text)
    lowered = question.lower()
    return any(_search(p, question, lowered) for p in rules.help_requests)
