"""An answer as a PostHog insight: the native query PostHog's own UI builds, or the HogQL and the reason why not.

A PostHog user who saves an answer expects an insight they can open, edit and break down in PostHog's UI, so
the answer's typed meaning (``askhog.meaning.Meaning``: series with PostHog's math names, filters, breakdown,
comparison, range, interval, funnel steps and window, retention periods) is written as the query kind PostHog
would have built for the same question: an ``InsightVizNode`` around a ``TrendsQuery``, ``FunnelsQuery``,
``RetentionQuery``, ``StickinessQuery``, ``LifecycleQuery`` or ``PathsQuery``
(``shared/spec/posthog-insight-schema.json`` is the contract).

It is built from the meaning, never from the HogQL text, and only where the native kind computes the same thing.
Whatever the native kind cannot express (a condition on people's history such as "never did X", a window
counted from each person's own first event, the bottom N of a ranking, an average per period, the persons table,
the sessions table ...) makes the answer a ``DataVisualizationNode`` around the very HogQL askhog ran, with the
reason in ``Insight.reason``, so the saved insight never shows something other than what askhog showed.

Two readings worth knowing: ranges that roll ("last 30 days") are saved as PostHog's relative dates
(``-30d`` with ``explicitDate``, so the insight keeps rolling and is not rounded to whole days), every other
range as its exact UTC bounds; and PostHog's paths cut a journey after 30 minutes of inactivity, where askhog
reads each person's whole journey in the range.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from .errors import AskhogError
from .meaning import PROPERTY_MATHS, Breakdown, Meaning, Series
from .timerange import default_interval
from .types import EventRef, PropertyFilter, TimeRange


class Saveable(Protocol):
    """What saving needs of an ``Answer`` (which depends on this module, not back)."""

    @property
    def question(self) -> str: ...
    @property
    def hogql(self) -> str | None: ...
    @property
    def values(self) -> dict[str, Any]: ...
    @property
    def clarification(self) -> object | None: ...
    @property
    def workflow(self) -> str | None: ...
    @property
    def message(self) -> str | None: ...
    @property
    def meaning(self) -> Meaning | None: ...


Json = dict[str, Any]

INTERVALS = ("hour", "day", "week", "month")

# What askhog's filter operators are in PostHog's PropertyOperator; "=" with several values is PostHog's exact.
OPERATORS: dict[str, str] = {
    "=": "exact",
    "!=": "is_not",
    "in": "exact",
    "not_in": "is_not",
    ">": "gt",
    ">=": "gte",
    "<": "lt",
    "<=": "lte",
    "contains": "icontains",
    "not_contains": "not_icontains",
    "is_set": "is_set",
    "is_not_set": "is_not_set",
    "starts_with": "regex",
}
LIST_OPERATORS = frozenset({"exact", "is_not"})

# A time grain breakdown ("busiest weekday") as the same HogQL expression the templates group by.
GRAIN_SQL: dict[str, str] = {
    "hour": "toStartOfHour(timestamp)",
    "day": "toStartOfDay(timestamp)",
    "week": "toStartOfWeek(timestamp, 1)",
    "month": "toStartOfMonth(timestamp)",
    "hour_of_day": "toHour(timestamp)",
    "day_of_week": "toDayOfWeek(timestamp)",
}

RELATIVE_UNITS: dict[str, tuple[str, int]] = {
    "hour": ("h", 1),
    "day": ("d", 1),
    "week": ("w", 1),
    "month": ("m", 1),
    "quarter": ("m", 3),
    "year": ("y", 1),
}

NOT_NATIVE: dict[str, str] = {
    "activation": "activation reads each new user's own window after their first event, which PostHog's insights "
    "cannot express",
    "anomaly": "anomaly detection compares each interval with its own baseline, which no PostHog insight computes",
    "churn_risk": "a list of people who went quiet is a people query, not a PostHog insight kind",
    "cohort_comparison": "behavioural cohorts compared side by side need saved PostHog cohorts, which askhog "
    "does not create",
    "correlation": "the share of converters and non-converters per event or property is not a PostHog insight kind",
    "experiment": "an experiment's variants and significance belong to PostHog's experiment page, not an insight",
    "feature_usage": "feature usage sets each feature's users against all active users, two populations one "
    "PostHog series cannot hold",
    "sessions": "session metrics are read per session from the sessions table, which PostHog's trends reach "
    "only through events",
    "time_to_event": "the time each person took between two events, in askhog's buckets, is not a PostHog insight kind",
    "user_list": "a list of people is a persons query, not a PostHog insight kind",
}


@dataclass(frozen=True)
class Insight:
    """An insight's ``query`` as PostHog stores it; ``reason`` says why it is HogQL (None: native)."""

    query: Json
    reason: str | None = None

    @property
    def native(self) -> bool:
        return self.reason is None

    @property
    def kind(self) -> str:
        """The inner query's kind: ``TrendsQuery`` … or ``HogQLQuery``."""
        return str(self.query["source"]["kind"])

    def description(self, computes: str = "") -> str:
        """The saved insight's description: what it computes, and why it is SQL when it is."""
        text = f"Saved by askhog: {computes}." if computes else "Saved by askhog."
        return text if self.reason is None else f"{text} Saved as SQL: {self.reason}."


class NotNative(AskhogError):
    """The meaning holds something the native kind cannot express; the message says what."""


def to_insight(answer: Saveable) -> Insight:
    """The answer's insight: native where its family maps and nothing in its meaning is lost, else HogQL."""
    if answer.hogql is None or answer.clarification is not None:
        if answer.workflow is not None and answer.clarification is None:
            raise AskhogError(f"{answer.workflow} is a report of several queries: there is no one insight to save")
        raise AskhogError(answer.message or "this answer has no query to save: answer its clarification first")
    meaning = answer.meaning
    if meaning is None:
        return hogql_insight(answer.hogql, answer.values, "askhog kept no typed meaning for this answer")
    build = BUILDERS.get(meaning.family)
    if build is None:
        reason = NOT_NATIVE.get(meaning.family, f"PostHog has no native insight for askhog's {meaning.family}")
        return hogql_insight(answer.hogql, answer.values, reason)
    try:
        source = build(meaning)
    except NotNative as why:
        return hogql_insight(answer.hogql, answer.values, str(why))
    return Insight({"kind": "InsightVizNode", "source": source})


@dataclass(frozen=True)
class SavedInsight:
    """Where an answer was saved, and as what."""

    url: str
    insight: Insight


def save_answer(backend: object, answer: Saveable, name: str, dashboard: int | None = None) -> SavedInsight:
    """Save the answer's insight to the backend's PostHog project (the CLI's ``--save`` and the MCP ``save``)."""
    save = getattr(backend, "save_query", None)
    if save is None:
        raise AskhogError(
            "saving an insight needs a PostHog project: set POSTHOG_PERSONAL_API_KEY and POSTHOG_PROJECT_ID"
        )
    insight = to_insight(answer)
    computes = answer.meaning.describe() if answer.meaning is not None else answer.question
    return SavedInsight(str(save(name, insight.query, dashboard, insight.description(computes))), insight)


def hogql_insight(hogql: str, values: dict[str, Any] | None, reason: str) -> Insight:
    """The SQL insight PostHog's SQL editor saves: a ``DataVisualizationNode`` around the ``HogQLQuery``."""
    from .backends.posthog.cache import jsonable  # the same JSON the query API sends the values as

    source: Json = {"kind": "HogQLQuery", "query": hogql}
    if values:
        source["values"] = jsonable(values)
    return Insight({"kind": "DataVisualizationNode", "source": source}, reason)


# --- the families ------------------------------------------------------------------------------------


def _count(q: Meaning) -> Json:
    """One figure over the range (PostHog's big number), or one bar per named segment."""
    _no_conditions(q)
    display = "ActionsBarValue" if q.breakdown is not None else "BoldNumber"
    return _trends(q, [_series_node(s) for s in q.series], display, interval=None)


def _trend(q: Meaning) -> Json:
    _no_conditions(q)
    return _trends(q, [_series_node(s) for s in q.series], "ActionsLineGraph", interval=_interval(q))


def _breakdown(q: Meaning) -> Json:
    """A ranked table: PostHog's bar chart of each breakdown value's total over the range."""
    _no_conditions(q)
    return _trends(q, [_series_node(s) for s in q.series], "ActionsBarValue", interval=None)


def _engagement(q: Meaning) -> Json:
    """Active users: distinct people per day, week or month (PostHog's ``dau`` math per interval), over the range,
    DAU over the rolling 30-day MAU, or events per active user (``avg_count_per_actor``)."""
    _no_conditions(q)
    metric = q.param("metric")
    event = _events_node(q.primary.event)
    if metric == "active":
        display = "ActionsBarValue" if q.breakdown is not None else "BoldNumber"
        return _trends(q, [{**event, "math": "dau"}], display, interval=None)
    if metric in ("dau", "wau", "mau"):
        window = {"dau": "day", "wau": "week", "mau": "month"}[metric]
        if q.interval is not None and _coarser(_interval(q), window) != window:
            raise NotNative(
                f"it averages {metric.upper()} per {_interval(q)}, which PostHog's active-user math does not do"
            )
        return _trends(q, [{**event, "math": "dau"}], "ActionsLineGraph", interval=window)
    if metric == "dau_mau":
        if q.interval is not None and _interval(q) != "day":
            raise NotNative(f"it averages DAU/MAU per {_interval(q)}, which a PostHog formula does not do")
        source = _trends(
            q, [{**event, "math": "dau"}, {**event, "math": "monthly_active"}], "ActionsLineGraph", interval="day"
        )
        source["trendsFilter"]["formula"] = "A/B"
        return source
    if metric == "events_per_user":
        if q.interval is None:
            return _trends(q, [{**event, "math": "avg_count_per_actor"}], "BoldNumber", interval=None)
        return _trends(q, [{**event, "math": "avg_count_per_actor"}], "ActionsLineGraph", interval=_interval(q))
    raise NotNative(f"askhog's {metric!r} engagement metric has no PostHog math")


def _revenue(q: Meaning) -> Json:
    """Revenue, paying users, revenue per paying user and purchases: the template's four columns as four
    formulas over three series, in PostHog's table of totals (per segment with a breakdown)."""
    _no_conditions(q)
    s = q.primary
    if s.math_property is None:
        raise NotNative("revenue without an amount property has nothing to sum")
    event = _events_node(s.event)
    series = [
        {**event, **_property_math("sum", s), "custom_name": "revenue"},
        {**event, "math": "dau", "custom_name": "paying users"},
        {**event, "math": "total", "custom_name": "purchases"},
    ]
    source = _trends(q, series, "ActionsTable", interval=None)
    source["trendsFilter"]["formulaNodes"] = [
        {"formula": "A", "custom_name": "revenue"},
        {"formula": "B", "custom_name": "paying users"},
        {"formula": "A/B", "custom_name": "revenue per paying user"},
        {"formula": "C", "custom_name": "purchases"},
    ]
    return source


def _funnel(q: Meaning) -> Json:
    """Ordered steps within the conversion window; a breakdown reads each person's value at their first step."""
    _no_conditions(q)
    if q.compare is not None and q.compare.kind == "previous_period":
        raise NotNative("it sets two ranges' funnels side by side, and a PostHog funnel has one range")
    source: Json = {
        "kind": "FunnelsQuery",
        "series": [_events_node(step) for step in q.steps],
        "funnelsFilter": {
            "funnelOrderType": "ordered",
            "funnelVizType": "steps",
            "funnelWindowInterval": int(q.window_days or 14),
            "funnelWindowIntervalUnit": "day",
        },
    }
    _common(source, q, _filters(q, breakdown_filter=False))
    if q.breakdown is not None:
        b = q.breakdown
        if b.grain is not None:
            raise NotNative(f"a funnel split by {b.label()} is not a breakdown PostHog funnels offer")
        if b.values:
            raise NotNative(
                f"it keeps only {', '.join(b.values)} of {b.label()}, and a PostHog funnel's filters "
                "would apply to every step instead of each person's first"
            )
        source["breakdownFilter"] = _breakdown_filter(b)
        source["funnelsFilter"].update(breakdownAttributionType="step", breakdownAttributionValue=0)
    return source


def _retention(q: Meaning) -> Json:
    """Cohorts by the period of each person's first start event in the range, coming back in later periods."""
    _no_conditions(q)
    r = q.retention
    if r is None:
        raise NotNative("the retention has no start event or period")
    retention: Json = {
        "period": r.period.capitalize(),
        "totalIntervals": int(r.periods),
        "retentionType": "retention_first_time",
        "targetEntity": _retention_entity(r.start),
        "returningEntity": _retention_entity(r.returning),
    }
    offset = q.param("offset")
    if isinstance(offset, int) and not isinstance(offset, bool):
        retention["selectedInterval"] = offset
    source: Json = {"kind": "RetentionQuery", "retentionFilter": retention}
    _common(source, q, _filters(q))
    return source


def _stickiness(q: Meaning) -> Json:
    """People by the number of days of the range they did the event on."""
    _no_conditions(q)
    source: Json = {"kind": "StickinessQuery", "series": [_events_node(q.primary.event)], "interval": "day"}
    _common(source, q, _filters(q))
    return source


def _lifecycle(q: Meaning) -> Json:
    """New, returning, resurrecting and dormant people per interval (new: the person was created then)."""
    _no_conditions(q)
    source: Json = {"kind": "LifecycleQuery", "series": [_events_node(q.primary.event)], "interval": _interval(q)}
    _common(source, q, _filters(q))
    return source


def _paths(q: Meaning) -> Json:
    """Journeys of event names after (or before) the event's first occurrence, as long as askhog cut them."""
    _no_conditions(q)
    anchor = q.primary.event
    if anchor is None:
        raise NotNative("paths need an event to start (or end) at")
    if anchor.filters:
        raise NotNative(f"the paths start at {anchor.label()}, and a PostHog path starts at an event name only")
    if q.param("count") == "occurrences":
        raise NotNative("it counts every occurrence of the event, and PostHog's paths count each person once")
    if q.param("pages") == "only":
        raise NotNative("its steps are the pages viewed ($pathname), and a PostHog path here is of event names")
    length = int(q.param("path_length") or 3)
    paths: Json = {"includeEventTypes": ["hogql"], "pathsHogQLExpression": "event", "stepLimit": length + 1}
    paths["endPoint" if q.param("direction") == "before" else "startPoint"] = anchor.name
    if q.param("pages") == "skip":  # page events leave the journeys, except the event the paths start or end at
        paths["excludeEvents"] = [e for e in ("$pageview", "$pageleave") if e != anchor.name]
    source: Json = {"kind": "PathsQuery", "pathsFilter": paths}
    _common(source, q, _filters(q))
    return source


BUILDERS: dict[str, Callable[[Meaning], Json]] = {
    "count": _count,
    "trend": _trend,
    "breakdown": _breakdown,
    "engagement": _engagement,
    "revenue": _revenue,
    "funnel": _funnel,
    "retention": _retention,
    "stickiness": _stickiness,
    "lifecycle": _lifecycle,
    "paths": _paths,
}
"""The families with a native PostHog kind; every other family is saved as HogQL (``NOT_NATIVE`` says why)."""


# --- shared pieces -----------------------------------------------------------------------------------


def _trends(q: Meaning, series: list[Json], display: str, interval: str | None) -> Json:
    source: Json = {"kind": "TrendsQuery", "series": series}
    if interval is not None:
        source["interval"] = interval
    source["trendsFilter"] = {"display": display}
    _common(source, q, _filters(q))
    if q.breakdown is not None:
        source["breakdownFilter"] = _breakdown_filter(q.breakdown)
    compare = _compare_filter(q)
    if compare is not None:
        source["compareFilter"] = compare
    return source


def _common(source: Json, q: Meaning, filters: list[Json]) -> None:
    """The range and the filters every kind takes the same way."""
    if q.date_range is not None:
        source["dateRange"] = date_range(q.date_range, q.now)
    if filters:
        source["properties"] = filters


def _no_conditions(q: Meaning) -> None:
    for c in q.conditions:
        if c.kind == "within":
            raise NotNative(
                f"it counts only events {c.label()}, each person's own window, which PostHog's insights cannot express"
            )
        raise NotNative(
            f"it keeps only people who {c.label()}, a condition on their history that PostHog's "
            "insight filters cannot express without a saved cohort"
        )


def _interval(q: Meaning) -> str:
    """The interval the template charts by: the asked one, or the one that suits the range's length."""
    if q.interval in INTERVALS:
        return str(q.interval)
    if q.date_range is None:
        return "day"
    return str(default_interval(q.date_range))


def _coarser(a: str, b: str) -> str:
    return a if INTERVALS.index(a) >= INTERVALS.index(b) else b


def _events_node(event: EventRef | None) -> Json:
    """PostHog's ``EventsNode``: the event (None: all events) with its own narrowing filters."""
    node: Json = {
        "kind": "EventsNode",
        "event": event.name if event else None,
        "name": event.name if event else "All events",
    }
    if event is not None and event.filters:
        node["properties"] = [property_filter(f) for f in event.filters]
    return node


def _series_node(s: Series) -> Json:
    return {**_events_node(s.event), **_math(s)}


def _math(s: Series) -> Json:
    """PostHog's math for a series: its own names, per-person counts as ``*_count_per_actor``."""
    if s.per_period:
        raise NotNative(f"it averages the range's total per {s.per_period}, which PostHog's math does not do")
    if s.per_actor is not None:
        if s.per_actor != "total":
            what = {"sum": "a property's total", "unique_session": "sessions", "active_days": "active days"}
            raise NotNative(
                f"it aggregates {what.get(s.per_actor, s.per_actor)} per person, and PostHog's "
                "per-person math counts events only"
            )
        math = "avg" if s.math in ("total", "dau") else s.math
        if math not in ("avg", "min", "max", "median", "p75", "p90", "p95", "p99"):
            raise NotNative(f"the {math} of events per person has no PostHog math")
        return {"math": f"{math}_count_per_actor"}
    if s.math == "persons":
        raise NotNative("it counts people by their current properties (the persons table), not events")
    if s.math in PROPERTY_MATHS:
        return _property_math(s.math, s)
    return {"math": s.math}


def _property_math(math: str, s: Series) -> Json:
    if s.math_property is None:
        raise NotNative(f"the {math} of which property?")
    scope = s.math_property.scope
    return {"math": math, "math_property": s.math_property.name, "math_property_type": f"{scope}_properties"}


def _retention_entity(event: EventRef | None) -> Json:
    """A retention entity: the event, or all events when none is named (PostHog reads a missing id so)."""
    if event is None:
        return {"type": "events", "kind": "EventsNode", "name": "All events"}
    entity: Json = {"id": event.name, "name": event.name, "type": "events", "kind": "EventsNode"}
    if event.filters:
        entity["properties"] = [property_filter(f) for f in event.filters]
    return entity


def _filters(q: Meaning, breakdown_filter: bool = True) -> list[Json]:
    """The question's filters, the range's days of the week and hours of the day (as HogQL filters, the same
    expressions the templates use), and what a breakdown keeps: rows that have the property, or only the named
    values ("Chrome vs Firefox")."""
    out = [property_filter(f) for f in q.filters]
    tr = q.date_range
    if tr is not None and tr.weekdays:
        out.append({"type": "hogql", "key": f"toDayOfWeek(timestamp) IN ({', '.join(str(d) for d in tr.weekdays)})"})
    if tr is not None and tr.hours:
        out.append(
            {"type": "hogql", "key": f"toHour(timestamp) >= {tr.hours[0]} AND toHour(timestamp) < {tr.hours[1]}"}
        )
    b = q.breakdown
    if breakdown_filter and b is not None and b.property is not None:
        kept = {"key": b.property.name, "type": b.property.scope}
        out.append(
            {**kept, "operator": "exact", "value": list(b.values)}
            if b.values
            else {**kept, "operator": "is_set", "value": "is_set"}
        )
    return out


def property_filter(f: PropertyFilter) -> Json:
    """One filter as PostHog's Event/Person/SessionPropertyFilter."""
    operator = OPERATORS.get(f.op)
    if operator is None:
        raise NotNative(f"the filter {f.label()} has no PostHog operator")
    out: Json = {"key": f.prop.name, "type": f.prop.scope, "operator": operator}
    if operator in ("is_set", "is_not_set"):
        out["value"] = operator
    elif operator in LIST_OPERATORS:
        values = f.value if isinstance(f.value, tuple) else (f.value,)
        out["value"] = [_filter_value(f, v) for v in values]
    elif f.op == "starts_with":  # PostHog has no prefix operator: its regex operator, anchored, the text escaped
        out["value"] = "^" + re.escape(str(f.value))
    else:
        out["value"] = _filter_value(f, f.value)
    return out


def _filter_value(f: PropertyFilter, value: Any) -> Any:
    """Numbers as numbers for a numeric property (PostHog compares them so), text as text."""
    if f.prop.type == "Numeric" and isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _breakdown_filter(b: Breakdown) -> Json:
    if b.order == "asc" and b.limit:
        raise NotNative(f"it ranks the bottom {b.limit} of {b.label()}, and PostHog keeps the top breakdown values")
    if b.grain is not None:
        out: Json = {"breakdown": GRAIN_SQL[b.grain], "breakdown_type": "hogql"}
    elif b.property is not None:
        out = {"breakdown": b.property.name, "breakdown_type": b.property.scope}
    else:
        raise NotNative("the breakdown names no property")
    if b.limit:  # the top N and nothing else, as askhog ranked them (PostHog would add an "Other" group)
        out.update(breakdown_limit=int(b.limit), breakdown_hide_other_aggregation=True)
    return out


def _compare_filter(q: Meaning) -> Json | None:
    """PostHog compares with the range moved back (``compare_to``); askhog's earlier range must be exactly that."""
    c = q.compare
    if c is None or c.kind != "previous_period" or c.previous is None or q.date_range is None:
        return None
    shift = shift_between(q.date_range, c.previous)
    if shift is None:
        raise NotNative(
            f"it compares with {c.previous.label}, which is not the asked range moved back by whole "
            "hours, days, weeks or months"
        )
    return {"compare": True, "compare_to": shift}


# --- time --------------------------------------------------------------------------------------------


def date_range(tr: TimeRange, now: datetime | None) -> Json:
    """PostHog's ``DateRange``: a rolling window ending now as a relative date that keeps rolling, all time as
    ``all``, anything else as its exact UTC bounds (PostHog's end is inclusive, askhog's exclusive)."""
    if now is not None and tr.end == now:
        if tr.spec.get("all"):
            return {"date_from": "all", "explicitDate": True}
        relative = _relative(tr, now)
        if relative is not None:
            return {"date_from": relative, "explicitDate": True}
    return {"date_from": utc(tr.start), "date_to": utc(tr.end - timedelta(microseconds=1)), "explicitDate": True}


def _relative(tr: TimeRange, now: datetime) -> str | None:
    spec = tr.spec
    if tr.calendar or "last" not in spec or spec.get("unit", "day") not in RELATIVE_UNITS:
        return None
    code, per = RELATIVE_UNITS[str(spec.get("unit", "day"))]
    n = int(spec["last"]) * per
    start = (
        add_months(now, -n if code == "m" else -12 * n)
        if code in ("m", "y")
        else now - n * {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}[code]
    )
    return f"-{n}{code}" if start == tr.start else None


def shift_between(current: TimeRange, previous: TimeRange) -> str | None:
    """``-1m``, ``-7d``, ``-1y`` …: how far back ``previous`` is ``current`` moved, when both bounds moved alike."""
    for months in range(1, 61):
        if add_months(current.start, -months) == previous.start and add_months(current.end, -months) == previous.end:
            return f"-{months // 12}y" if months % 12 == 0 else f"-{months}m"
        if add_months(current.start, -months) < previous.start:
            break
    delta = current.start - previous.start
    if delta <= timedelta(0) or current.end - previous.end != delta:
        return None
    hours, rest = divmod(delta.total_seconds(), 3600)
    if rest:
        return None
    days, hours_left = divmod(int(hours), 24)
    if hours_left:
        return f"-{int(hours)}h"
    return f"-{days // 7}w" if days % 7 == 0 else f"-{days}d"


def add_months(t: datetime, months: int) -> datetime:
    """``t`` moved by whole months, the day clamped to the month's length (Mar 31 − 1 month = Feb 28)."""
    year, month0 = divmod(t.month - 1 + months, 12)
    year += t.year
    return t.replace(year=year, month=month0 + 1, day=min(t.day, monthrange(year, month0 + 1)[1]))


def utc(t: datetime) -> str:
    """An explicit UTC instant: PostHog reads a date without a zone in the project's own time zone."""
    return t.strftime("%Y-%m-%dT%H:%M:%S") + (f".{t.microsecond:06d}" if t.microsecond else "") + "Z"
