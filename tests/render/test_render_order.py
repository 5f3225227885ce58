"""Every template orders its rows fully: the same question prints its rows in the same order every time.

Issue 14 found 5 of 800 concurrent runs returning rows in another order than the serial run: ties in
``ORDER BY``. A query's order is total when its outermost SELECT returns at most one row (an aggregate with
no GROUP BY, or LIMIT 1), or when its ORDER BY holds every GROUP BY key of that SELECT (one row per key), or,
with no GROUP BY, a key that is one per row (``person_id``; a funnel's ``step`` with the breakdown and side it
is split by). Checked on the parsed query of every case of every stem.
"""

from __future__ import annotations

import pytest
from askhog.hogql import parse
from askhog.render import Renderer
from render_cases import cases, stem_families
from sqlglot import exp

STEMS = stem_families()
ROW_KEYS = frozenset({"person_id", "distinct_id", "step"})
"""Columns that are one per row of a query that does not group (a person list; a funnel's steps, which are one
per step within each breakdown value and side, so those are ordered by too)."""
SPLITS = ("side", "breakdown")
DEPENDENT = {"cohort_size": "cohort"}
"""Grouping keys that are one per value of another key (a retention cohort's size): ordering by that key
orders them."""


def _name(e: exp.Expression) -> str:
    e = e.this if isinstance(e, exp.Ordered) else e
    if isinstance(e, exp.Alias):
        return e.alias
    return e.sql(dialect="clickhouse")


def _order_gaps(query: exp.Expression) -> list[str]:
    """What the outermost SELECT's ORDER BY leaves unordered (empty: its order is total)."""
    select = query if isinstance(query, exp.Select) else query.find(exp.Select)
    assert select is not None
    limit = select.args.get("limit")
    if limit is not None and limit.expression is not None and limit.expression.sql() == "1":
        return []
    group = select.args.get("group")
    if group is None and any(
        not isinstance(agg.parent, exp.Window) for p in select.expressions for agg in p.find_all(exp.AggFunc)
    ):
        return []  # an aggregate over everything: one row
    order = select.args.get("order")
    ordered = {_name(o) for o in order.expressions} if order is not None else set()
    aliases = {p.this.sql(dialect="clickhouse"): p.alias for p in select.expressions if isinstance(p, exp.Alias)}
    if group is not None:
        keys = [_name(g) for g in group.expressions]
        return [k for k in keys if not {k, aliases.get(k), DEPENDENT.get(k)} & ordered]
    if not ordered & ROW_KEYS:
        return [f"a key that is one per row ({', '.join(sorted(ROW_KEYS))})"]
    columns = {p.alias_or_name for p in select.expressions}
    return [s for s in SPLITS if s in columns and s not in ordered] if "step" in ordered else []


@pytest.mark.parametrize("stem", sorted(STEMS))
def test_every_rendered_query_orders_its_rows_fully(renderer: Renderer, stem: str) -> None:
    gaps = {
        i: found
        for i, slots in enumerate(cases(stem, STEMS[stem]))
        if (found := _order_gaps(parse(renderer.render(stem, slots).hogql)))
    }
    assert not gaps, f"{stem}: ORDER BY leaves these unordered, by case: {gaps}"


@pytest.mark.parametrize(
    "sql, gaps",
    [
        (
            "SELECT plan AS breakdown, count() AS value FROM events GROUP BY breakdown ORDER BY value DESC LIMIT 10",
            ["breakdown"],
        ),
        (
            "SELECT plan AS breakdown, count() AS value FROM events GROUP BY breakdown ORDER BY value DESC, breakdown",
            [],
        ),
        ("SELECT count() AS value FROM events", []),
        ("SELECT person_id, count() AS times FROM events GROUP BY person_id ORDER BY times DESC", ["person_id"]),
        (
            "SELECT person_id, timestamp FROM events ORDER BY timestamp",
            ["a key that is one per row (distinct_id, person_id, step)"],
        ),
    ],
)
def test_the_check_finds_ties(sql: str, gaps: list[str]) -> None:
    """The check itself: a ranking without its key as the last tiebreaker is found."""
    assert _order_gaps(parse(sql)) == gaps
