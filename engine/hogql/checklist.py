"""The performance checklist as warnings: queries that run, but slowly or on too much data.

From the seed's "query takes 30+ seconds" checklist: a time filter on events,
a range under 90 days, a LIMIT, no SELECT *, and an event filter alongside any
property filter (``event`` and ``timestamp`` are in the events table's sort key;
properties are not). One more comes from running the templates: windowFunnel
refuses events' DateTime64 timestamp. Each warning carries the fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlglot import exp

from ..clock import aware_utc, utc_now
from ..errors import Problem
from .dialect import NAME_META_KEY
from .parsing import find_all, locate
from .placeholders import bind_placeholders

MAX_RANGE_DAYS = 90
_TIME_COLUMNS = frozenset({"timestamp", "$start_timestamp", "min_timestamp"})
_UNIT_DAYS = {
    "SECOND": 1 / 86400, "MINUTE": 1 / 1440, "HOUR": 1 / 24, "DAY": 1.0, "WEEK": 7.0,
    "MONTH": 30.0, "QUARTER": 91.0, "YEAR": 365.0,
}  # fmt: skip
_TO_INTERVAL = re.compile(r"^toInterval(Second|Minute|Hour|Day|Week|Month|Quarter|Year)$")
_DATE_FUNCTIONS = frozenset({"toDateTime", "toDate", "parseDateTimeBestEffort", "toDateTime64"})
_BOUND_COMPARISONS = (exp.GT, exp.GTE, exp.LT, exp.LTE)


def lint_warnings(
    tree: exp.Expr, text: str, values: Mapping[str, Any] | None = None, now: datetime | None = None
) -> list[Problem]:
    """The checklist's warnings for a query that passed the guard.

    With ``values``, placeholders are judged by their values (a range written
    as ``timestamp >= toDateTime({date_from})`` is measured); ``tree`` is not changed.
    ``now`` is the moment a range without an upper bound runs to (the caller's clock; the wall clock without one).
    """
    if values:
        tree = bind_placeholders(tree.copy(), values, strict=False)
    moment = aware_utc(now) if now is not None else utc_now()
    return [w for rule in _WARNING_RULES for w in rule(tree, text, moment)]


def _warning(code: str, message: str, where: tuple[int | None, int | None], fix: str) -> Problem:
    return Problem(code, message, where[0], where[1], fix, severity="warning")


def _events_tables(tree: exp.Expr) -> list[exp.Table]:
    return [t for t in find_all(tree, exp.Table) if t.name == "events" and t.args.get("db") is None]


def _filters(tree: exp.Expr) -> list[exp.Expr]:
    return [w.this for w in find_all(tree, exp.Where, exp.PreWhere)]


def _column_named(node: exp.Expr, names: frozenset[str]) -> bool:
    return isinstance(node, exp.Column) and node.name in names


# --- time filter and range -----------------------------------------------------------------


def _time_bounds(tree: exp.Expr) -> Iterator[tuple[str, exp.Expr]]:
    """Each ("lower"|"upper", bound expression) that a WHERE puts on a time column."""
    for condition in _filters(tree):
        for node in condition.find_all(*_BOUND_COMPARISONS, exp.Between):
            if isinstance(node, exp.Between):
                if _column_named(node.this, _TIME_COLUMNS):
                    yield "lower", node.args["low"]
                    yield "upper", node.args["high"]
                continue
            left, right = node.this, node.expression
            lower_if_left = isinstance(node, (exp.GT, exp.GTE))
            if _column_named(left, _TIME_COLUMNS):
                yield ("lower" if lower_if_left else "upper"), right
            elif _column_named(right, _TIME_COLUMNS):
                yield ("upper" if lower_if_left else "lower"), left


def _days_before_now(bound: exp.Expr, now: datetime) -> float | None:
    """How many days before now a bound lies, when it is now()/today() minus an interval or a date literal."""
    bound = bound.unnest() if isinstance(bound, exp.Paren) else bound
    if isinstance(bound, exp.Sub) and _is_now(bound.this):
        return _interval_days(bound.expression)
    if _is_now(bound):
        return 0.0
    moment = _literal_moment(bound)
    return None if moment is None else (now - moment).total_seconds() / 86400


def _is_now(node: exp.Expr) -> bool:
    return isinstance(node, (exp.CurrentTimestamp, exp.CurrentDate)) or (
        isinstance(node, exp.Anonymous) and node.name.lower() in ("now", "today", "now64")
    )


def _interval_days(node: exp.Expr) -> float | None:
    if isinstance(node, exp.Interval):
        unit = (node.unit.name if node.unit else "").upper().rstrip("S")
        amount = node.this
    elif isinstance(node, exp.Anonymous) and (found := _TO_INTERVAL.match(node.name)) and node.expressions:
        unit, amount = found.group(1).upper(), node.expressions[0]
    else:
        return None
    if not isinstance(amount, exp.Literal) or unit not in _UNIT_DAYS:
        return None
    try:
        return float(amount.this) * _UNIT_DAYS[unit]
    except ValueError:
        return None


def _literal_moment(node: exp.Expr) -> datetime | None:
    """A date literal, bare (``'2024-01-01'``) or wrapped in toDate/toDateTime (as often as written)."""
    while isinstance(node, exp.Func) and not isinstance(node, exp.Literal):
        if isinstance(node, exp.Anonymous) and node.name in _DATE_FUNCTIONS and node.expressions:
            node = node.expressions[0]
        elif node.meta.get(NAME_META_KEY) in _DATE_FUNCTIONS and node.this is not None:
            node = node.this
        else:
            return None
    if not (isinstance(node, exp.Literal) and node.is_string):
        return None
    try:
        moment = datetime.fromisoformat(node.this.replace(" ", "T"))
    except ValueError:
        return None
    return aware_utc(moment)  # no zone: read as UTC, near enough to measure a range in days


def _time_filter(tree: exp.Expr, text: str, now: datetime) -> Iterator[Problem]:
    events = _events_tables(tree)
    if events and not any(True for _ in _time_bounds(tree)):
        yield _warning(
            "no_time_filter",
            "the query reads events without a time filter, so it scans all of history",
            locate(events[0], text),
            "add WHERE timestamp >= now() - INTERVAL 30 DAY (or the range you need)",
        )


def _time_range(tree: exp.Expr, text: str, now: datetime) -> Iterator[Problem]:
    """Span from the earliest lower bound to the latest upper bound (now, when there is none)."""
    lowers: list[tuple[float, exp.Expr]] = []
    uppers: list[float] = []
    for side, bound in _time_bounds(tree):
        days = _days_before_now(bound, now)
        if days is None:
            continue
        if side == "lower":
            lowers.append((days, bound))
        else:
            uppers.append(days)
    if not lowers:
        return
    start, where = max(lowers, key=lambda lower: lower[0])
    span = start - max(min(uppers, default=0.0), 0.0)
    if span > MAX_RANGE_DAYS:
        yield _warning(
            "range_over_90_days",
            f"the time range covers about {span:.0f} days (over {MAX_RANGE_DAYS})",
            locate(where, text),
            f"narrow the range to {MAX_RANGE_DAYS} days or less, or aggregate a shorter window first",
        )


# --- shape of the result ---------------------------------------------------------------------


def _outer_selects(tree: exp.Expr) -> list[exp.Select]:
    node = tree.unnest() if isinstance(tree, exp.Paren) else tree
    if isinstance(node, exp.SetOperation):
        return [s for side in (node.left, node.right) for s in _outer_selects(side)]
    if isinstance(node, exp.Subquery):
        return _outer_selects(node.this)
    return [node] if isinstance(node, exp.Select) else []


def _no_limit(tree: exp.Expr, text: str, now: datetime) -> Iterator[Problem]:
    if tree.args.get("limit"):
        return
    for select in _outer_selects(tree):
        if select.args.get("limit"):
            return
        if not select.args.get("group") and any(e.find(exp.AggFunc) for e in select.expressions):
            return  # an aggregate without GROUP BY returns one row
    yield _warning(
        "no_limit",
        "the query has no LIMIT, so it can return every matching row",
        locate(tree, text),
        "add LIMIT 100 (or the number of rows you need)",
    )


def _select_star(tree: exp.Expr, text: str, now: datetime) -> Iterator[Problem]:
    for select in find_all(tree, exp.Select):
        for projection in select.expressions:
            if isinstance(projection, exp.Star) or (
                isinstance(projection, exp.Column) and isinstance(projection.this, exp.Star)
            ):
                yield _warning(
                    "select_star",
                    "SELECT * reads every column, including the large properties JSON",
                    locate(projection, text),
                    "name the columns you need, e.g. SELECT event, timestamp, properties.$browser",
                )


def _property_without_event(tree: exp.Expr, text: str, now: datetime) -> Iterator[Problem]:
    if not _events_tables(tree):
        return
    conditions = _filters(tree)
    properties = [
        c for cond in conditions for c in cond.find_all(exp.Column) if "properties" in (p.name for p in c.parts[:-1])
    ]
    if not properties:
        return
    event_filter = any(
        isinstance(n, (exp.EQ, exp.In))
        and (_column_named(n.this, frozenset({"event"})) or _column_named(n.expression, frozenset({"event"})))
        for cond in conditions
        for n in cond.find_all(exp.EQ, exp.In)
    )
    if not event_filter:
        yield _warning(
            "property_filter_without_event",
            f"the query filters on {properties[0].sql(dialect='clickhouse')} but not on event, so every event's properties are read",
            locate(properties[0], text),
            "add event = '...' or event IN (...) before the property filter",
        )


def _window_funnel_timestamp(tree: exp.Expr, text: str, now: datetime) -> Iterator[Problem]:
    for call in find_all(tree, exp.ParameterizedAgg):
        arguments = (
            call.args.get("params") or []
        )  # sqlglot keeps windowFunnel(86400) in expressions, (timestamp, ...) in params
        first = arguments[0] if arguments else None
        if call.name == "windowFunnel" and first is not None and _column_named(first, _TIME_COLUMNS):
            yield _warning(
                "window_funnel_timestamp",
                "windowFunnel needs a DateTime or number, and events.timestamp is DateTime64: ClickHouse refuses it",
                locate(first, text),
                "pass toDateTime(timestamp) as windowFunnel's first argument",
            )


_WARNING_RULES: tuple[Callable[[exp.Expr, str, datetime], Iterable[Problem]], ...] = (
    _time_filter,
    _time_range,
    _no_limit,
    _select_star,
    _property_without_event,
    _window_funnel_timestamp,
)
