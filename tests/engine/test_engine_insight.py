"""Answers as PostHog insights: every query valid under PostHog's insight schema, and the same meaning both ways.

``read_back`` reads a native insight the way PostHog would (relative dates from now, an inclusive end, operators
by their PostHog names) and ``meant`` states what the answer's meaning computes; the two must be equal for every
family that maps natively, so a saved insight shows in PostHog what askhog showed in the terminal.
"""

from __future__ import annotations

import json
import re
from calendar import monthrange
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from askhog.answer import Answer, Clarification, ClarifyingQuestion
from askhog.engine import Engine
from askhog.errors import AskhogError
from askhog.insight import date_range, shift_between, to_insight, utc
from askhog.meaning import Breakdown, Comparison, Condition, Meaning, Retention, Series
from askhog.render import _interval_for
from askhog.types import EventRef, PropertyFilter, PropertyRef, TimeRange

NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)  # the session engine's clock (conftest.py)
SCHEMA = Path(__file__).parents[1] / "posthog" / "data" / "posthog-insight-schema.json"


@pytest.fixture(scope="module")
def schema() -> jsonschema.protocols.Validator:
    return jsonschema.Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def valid(schema: jsonschema.protocols.Validator, query: dict[str, Any]) -> dict[str, Any]:
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in schema.iter_errors(query)]
    assert errors == [], errors
    return query


# --- meanings built by hand: every native family, filter, breakdown and range shape --------------------

SIGNUP, PURCHASE, PAGEVIEW = EventRef("signed_up"), EventRef("purchase"), EventRef("$pageview")
PRICING = EventRef("$pageview", (PropertyFilter(PropertyRef("$pathname"), "=", "/pricing"),))
BROWSER, COUNTRY = PropertyRef("$browser"), PropertyRef("$geoip_country_code", "person")
PLAN, AMOUNT = PropertyRef("plan", "person"), PropertyRef("amount", type="Numeric")
LAST_30 = TimeRange(NOW - timedelta(days=30), NOW, "last 30 days", {"last": 30, "unit": "day"})
LAST_3M = TimeRange(datetime(2026, 8, 26, 12, tzinfo=UTC), NOW, "last 3 months", {"last": 3, "unit": "month"})
LAST_12H = TimeRange(NOW - timedelta(hours=12), NOW, "last 12 hours", {"last": 12, "unit": "hour"})
LAST_WEEK = TimeRange(
    datetime(2026, 11, 16, tzinfo=UTC),
    datetime(2026, 11, 23, tzinfo=UTC),
    "last week",
    {"previous": "week"},
    calendar=True,
)
OCTOBER = TimeRange(
    datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC), "October 2026", {"month": 10}, calendar=True
)
THIS_MONTH = TimeRange(datetime(2026, 11, 1, tzinfo=UTC), NOW, "this month", {"this": "month"}, calendar=True)
ALL_TIME = TimeRange(datetime(2000, 1, 1, tzinfo=UTC), NOW, "all time", {"all": True}, calendar=True)
WEEKDAYS = TimeRange(
    OCTOBER.start, OCTOBER.end, "October, weekdays", {"month": 10}, calendar=True, weekdays=(1, 2, 3, 4, 5)
)
MORNINGS = TimeRange(
    LAST_WEEK.start, LAST_WEEK.end, "last week 9-10", {"previous": "week"}, calendar=True, hours=(9, 10)
)
PREVIOUS_MONTH = Comparison(
    "previous_period",
    TimeRange(
        datetime(2026, 10, 1, tzinfo=UTC),
        datetime(2026, 10, 26, 12, tzinfo=UTC),
        "the same span 1 month earlier",
        calendar=True,
    ),
    True,
)
PREVIOUS_WEEK = Comparison(
    "previous_period",
    TimeRange(datetime(2026, 11, 9, tzinfo=UTC), datetime(2026, 11, 16, tzinfo=UTC), "the week before"),
)
FILTERS = (
    PropertyFilter(BROWSER, "=", "Safari"),
    PropertyFilter(PLAN, "!=", "free"),
    PropertyFilter(AMOUNT, ">=", "20"),
    PropertyFilter(PropertyRef("$pathname"), "contains", "docs"),
    PropertyFilter(PropertyRef("$referrer"), "is_not_set"),
    PropertyFilter(COUNTRY, "in", ("US", "DE")),
    PropertyFilter(PropertyRef("$session_duration", "session", "Numeric"), "<", 60.0),
)


def meaning(family: str, **fields: Any) -> Meaning:
    fields.setdefault("date_range", LAST_30)
    return Meaning(family=family, now=NOW, **fields)


def answer_of(m: Meaning) -> Answer:
    return Answer("(built by hand)", m.family, 1.0, hogql="SELECT 1 AS value", meaning=m, now=NOW)


NATIVE: dict[str, tuple[Meaning, str]] = {
    "count users, filters": (
        meaning("count", series=(Series(SIGNUP, "dau"),), filters=FILTERS, date_range=LAST_WEEK),
        "TrendsQuery",
    ),
    "count sum, compared": (
        meaning("count", series=(Series(PURCHASE, "sum", AMOUNT),), date_range=THIS_MONTH, compare=PREVIOUS_MONTH),
        "TrendsQuery",
    ),
    "count segments": (
        meaning(
            "count",
            series=(Series(SIGNUP, "total"),),
            date_range=OCTOBER,
            breakdown=Breakdown(BROWSER, values=("Chrome", "Firefox")),
            compare=Comparison("segments"),
        ),
        "TrendsQuery",
    ),
    "count first time, weekdays": (
        meaning("count", series=(Series(PURCHASE, "first_time_for_user"),), date_range=WEEKDAYS),
        "TrendsQuery",
    ),
    "count sessions, hours": (
        meaning("count", series=(Series(PRICING, "unique_session"),), date_range=MORNINGS),
        "TrendsQuery",
    ),
    "trend p90 by person property": (
        meaning("trend", series=(Series(PURCHASE, "p90", AMOUNT),), date_range=LAST_3M, breakdown=Breakdown(PLAN)),
        "TrendsQuery",
    ),
    "trend hourly, week compared": (
        meaning("trend", series=(Series(PAGEVIEW),), date_range=LAST_WEEK, interval="hour", compare=PREVIOUS_WEEK),
        "TrendsQuery",
    ),
    "trend median per user": (
        meaning("trend", series=(Series(None, "median", per_actor="total"),), date_range=ALL_TIME, interval="month"),
        "TrendsQuery",
    ),
    "breakdown top 5": (
        meaning("breakdown", series=(Series(PURCHASE, "avg", AMOUNT),), breakdown=Breakdown(COUNTRY, limit=5), limit=5),
        "TrendsQuery",
    ),
    "breakdown by weekday": (
        meaning(
            "breakdown",
            series=(Series(SIGNUP, "dau"),),
            breakdown=Breakdown(grain="day_of_week", limit=10),
            limit=10,
            date_range=LAST_12H,
        ),
        "TrendsQuery",
    ),
    "engagement wau": (meaning("engagement", params={"metric": "wau"}, date_range=LAST_3M), "TrendsQuery"),
    "engagement dau/mau": (meaning("engagement", params={"metric": "dau_mau"}, filters=FILTERS[:1]), "TrendsQuery"),
    "engagement events per user": (
        meaning("engagement", series=(Series(PAGEVIEW),), params={"metric": "events_per_user"}, interval="week"),
        "TrendsQuery",
    ),
    "engagement active": (
        meaning("engagement", params={"metric": "active"}, date_range=LAST_WEEK, compare=PREVIOUS_WEEK),
        "TrendsQuery",
    ),
    "revenue by channel": (
        meaning(
            "revenue",
            series=(Series(PURCHASE, "sum", AMOUNT),),
            date_range=OCTOBER,
            breakdown=Breakdown(PropertyRef("$initial_utm_source", "person")),
        ),
        "TrendsQuery",
    ),
    "funnel, filters": (
        meaning("funnel", steps=(SIGNUP, PRICING, PURCHASE), window_days=7, filters=FILTERS[:2]),
        "FunnelsQuery",
    ),
    "funnel by browser": (
        meaning("funnel", steps=(SIGNUP, PURCHASE), window_days=14, date_range=OCTOBER, breakdown=Breakdown(BROWSER)),
        "FunnelsQuery",
    ),
    "retention weekly, any return": (
        meaning("retention", retention=Retention(SIGNUP, None, "week", 8), params={"offset": None}),
        "RetentionQuery",
    ),
    "retention monthly, month 2": (
        meaning(
            "retention",
            retention=Retention(PRICING, PURCHASE, "month", 6),
            params={"offset": 2},
            filters=FILTERS[:1],
            date_range=LAST_3M,
        ),
        "RetentionQuery",
    ),
    "stickiness": (meaning("stickiness", series=(Series(SIGNUP),), filters=FILTERS[2:4]), "StickinessQuery"),
    "lifecycle": (meaning("lifecycle", interval="week", date_range=LAST_3M), "LifecycleQuery"),
    "lifecycle of an event, by range": (
        meaning("lifecycle", series=(Series(PURCHASE),), date_range=OCTOBER),
        "LifecycleQuery",
    ),
    "paths after": (
        meaning(
            "paths",
            series=(Series(SIGNUP),),
            limit=20,
            params={"direction": "after", "path_length": 3, "pages": "keep", "count": "people"},
        ),
        "PathsQuery",
    ),
    "paths before, skipping pages": (
        meaning(
            "paths",
            series=(Series(PURCHASE),),
            filters=FILTERS[:1],
            params={"direction": "before", "path_length": 2, "pages": "skip", "count": "people"},
        ),
        "PathsQuery",
    ),
}


@pytest.mark.parametrize("case", list(NATIVE))
def test_native_families_are_valid_and_mean_the_same(case: str, schema: jsonschema.protocols.Validator) -> None:
    m, kind = NATIVE[case]
    insight = to_insight(answer_of(m))
    assert insight.native, insight.reason
    query = valid(schema, insight.query)
    assert query["kind"] == "InsightVizNode" and query["source"]["kind"] == kind
    assert read_back(query["source"]) == meant(m)


SQL_ONLY: dict[str, tuple[Meaning, str]] = {
    "never did": (
        meaning("count", series=(Series(SIGNUP, "dau"),), conditions=(Condition("did_not", EventRef("invite_sent")),)),
        "never did invite_sent",
    ),
    "within days of": (
        meaning(
            "trend",
            series=(Series(EventRef("file_uploaded")),),
            conditions=(Condition("within", anchor=SIGNUP, days=7),),
        ),
        "within 7 day(s) of signed_up",
    ),
    "bottom N": (
        meaning("breakdown", series=(Series(SIGNUP),), breakdown=Breakdown(BROWSER, limit=3, order="asc")),
        "bottom 3",
    ),
    "average per day": (meaning("count", series=(Series(SIGNUP, per_period="day"),)), "per day"),
    "persons table": (meaning("count", series=(Series(None, "persons"),)), "persons table"),
    "sum per person": (meaning("trend", series=(Series(PURCHASE, "avg", AMOUNT, per_actor="sum"),)), "per person"),
    "funnel compared": (
        meaning("funnel", steps=(SIGNUP, PURCHASE), window_days=14, compare=PREVIOUS_MONTH, date_range=THIS_MONTH),
        "two ranges",
    ),
    "paths every time": (
        meaning(
            "paths",
            series=(Series(SIGNUP),),
            params={"direction": "after", "path_length": 1, "pages": "keep", "count": "occurrences"},
        ),
        "every occurrence",
    ),
    "dau averaged weekly": (meaning("engagement", params={"metric": "dau"}, interval="week"), "per week"),
    "compared with a range that is not a shift": (
        meaning(
            "count", series=(Series(SIGNUP),), date_range=LAST_WEEK, compare=Comparison("previous_period", OCTOBER)
        ),
        "not the asked range moved back",
    ),
    "sessions": (
        meaning("sessions", series=(Series(None, "median"),), params={"metric": "duration"}),
        "sessions table",
    ),
    "user list": (meaning("user_list", series=(Series(SIGNUP),)), "persons query"),
}


@pytest.mark.parametrize("case", list(SQL_ONLY))
def test_what_the_native_kind_cannot_express_is_saved_as_hogql_with_the_reason(
    case: str, schema: jsonschema.protocols.Validator
) -> None:
    m, why = SQL_ONLY[case]
    answer = answer_of(m)
    answer.values = {"event": "signed_up", "date_from": datetime(2026, 10, 27, 12, tzinfo=UTC)}
    insight = to_insight(answer)
    assert not insight.native and why in str(insight.reason)
    query = valid(schema, insight.query)
    assert query["kind"] == "DataVisualizationNode" and query["source"]["query"] == answer.hogql
    assert query["source"]["values"] == {"event": "signed_up", "date_from": "2026-10-27T12:00:00+00:00"}
    assert insight.description("signups").endswith(f"Saved as SQL: {insight.reason}.")


# --- real questions, one per native family ----------------------------------------------------------

QUESTIONS = {
    "conversion from signup to purchase last 30 days": ("funnel", "FunnelsQuery"),
    "how many Safari users purchased last week?": ("count", "TrendsQuery"),
    "daily pageviews last 2 weeks by browser": ("trend", "TrendsQuery"),
    "top 5 countries by purchases": ("breakdown", "TrendsQuery"),
    "DAU for the last 30 days": ("engagement", "TrendsQuery"),
    "revenue by channel last month": ("revenue", "TrendsQuery"),
    "weekly retention of signups": ("retention", "RetentionQuery"),
    "how sticky is file upload": ("stickiness", "StickinessQuery"),
    "lifecycle of users last 8 weeks": ("lifecycle", "LifecycleQuery"),
    "what do users do after signing up": ("paths", "PathsQuery"),
}


@pytest.mark.parametrize("question", list(QUESTIONS))
def test_questions_are_saved_natively_with_their_meaning(
    question: str, engine: Engine, schema: jsonschema.protocols.Validator
) -> None:
    family, kind = QUESTIONS[question]
    assert engine.clock() == NOW
    answer = engine.ask(question)
    assert answer.intent == family and answer.meaning is not None, answer.explain()
    query = valid(schema, answer.to_insight())
    assert query["source"]["kind"] == kind
    assert read_back(query["source"]) == meant(answer.meaning)


def test_answers_without_one_query_have_no_insight(engine: Engine) -> None:
    waiting = Answer(
        "show me user engagement",
        "engagement",
        0.9,
        now=NOW,
        clarification=Clarification("slots", (ClarifyingQuestion("metric", "Which?", ("dau",)),)),
    )
    with pytest.raises(AskhogError, match="clarification"):
        waiting.to_insight()
    with pytest.raises(AskhogError, match="several queries"):
        Answer("why did checkout conversion drop?", "diagnose", 0.9, workflow="diagnose").to_insight()


def test_time_ranges() -> None:
    assert date_range(LAST_30, NOW) == {"date_from": "-30d", "explicitDate": True}
    assert date_range(LAST_3M, NOW) == {"date_from": "-3m", "explicitDate": True}
    assert date_range(LAST_30, NOW + timedelta(hours=1))["date_from"] == "2026-10-27T12:00:00Z"  # no longer rolling
    assert date_range(LAST_WEEK, NOW) == {
        "date_from": "2026-11-16T00:00:00Z",
        "date_to": "2026-11-22T23:59:59.999999Z",
        "explicitDate": True,
    }
    assert shift_between(THIS_MONTH, PREVIOUS_MONTH.previous) == "-1m"  # type: ignore[arg-type]
    assert shift_between(LAST_WEEK, PREVIOUS_WEEK.previous) == "-1w"  # type: ignore[arg-type]
    year_before = TimeRange(datetime(2025, 10, 1, tzinfo=UTC), datetime(2025, 11, 1, tzinfo=UTC), "October 2025")
    assert shift_between(OCTOBER, year_before) == "-1y"
    assert shift_between(LAST_12H, TimeRange(NOW - timedelta(hours=24), NOW - timedelta(hours=12), "")) == "-12h"
    assert shift_between(LAST_WEEK, OCTOBER) is None
    assert utc(datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=UTC)) == "2026-01-02T03:04:05.000006Z"


# --- reading a native insight back, and what a meaning computes ----------------------------------------

CANONICAL_OPS = {
    "exact": "in",
    "is_not": "not_in",
    "gt": ">",
    "gte": ">=",
    "lt": "<",
    "lte": "<=",
    "icontains": "contains",
    "not_icontains": "not_contains",
    "is_set": "is_set",
    "is_not_set": "is_not_set",
}
ASKHOG_OPS = {"=": "in", "in": "in", "!=": "not_in", "not_in": "not_in"}
GRAINS = {
    "toHour(timestamp)": "hour_of_day",
    "toDayOfWeek(timestamp)": "day_of_week",
    "toStartOfDay(timestamp)": "day",
    "toStartOfWeek(timestamp, 1)": "week",
    "toStartOfMonth(timestamp)": "month",
    "toStartOfHour(timestamp)": "hour",
}


def months_back(t: datetime, n: int) -> datetime:
    year, month0 = divmod(t.month - 1 - n, 12)
    return t.replace(year=t.year + year, month=month0 + 1, day=min(t.day, monthrange(t.year + year, month0 + 1)[1]))


def back(t: datetime, code: str) -> datetime:
    """A PostHog relative date (``-30d``, ``-3m`` …) from ``t``."""
    n, unit = int(code[1:-1]), code[-1]
    if unit in "my":
        return months_back(t, n * (12 if unit == "y" else 1))
    return t - n * {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}[unit]


def read_range(dr: dict[str, Any]) -> tuple[datetime, datetime]:
    """[start, end) as PostHog reads the DateRange (explicit: no rounding; the end is inclusive)."""
    assert dr["explicitDate"] is True
    if dr["date_from"] == "all":
        return datetime(2000, 1, 1, tzinfo=UTC), NOW
    if re.fullmatch(r"-\d+[hdwmy]", dr["date_from"]):
        assert "date_to" not in dr
        return back(NOW, dr["date_from"]), NOW
    parse = lambda s: datetime.fromisoformat(s)  # "Z": aware UTC
    assert dr["date_from"].endswith("Z") and dr["date_to"].endswith("Z")
    return parse(dr["date_from"]), parse(dr["date_to"]) + timedelta(microseconds=1)


def read_filter(f: dict[str, Any]) -> tuple[Any, ...]:
    if f["type"] == "hogql":
        days = re.fullmatch(r"toDayOfWeek\(timestamp\) IN \(([\d, ]+)\)", f["key"])
        if days:
            return ("weekdays", tuple(int(d) for d in days[1].split(", ")))
        hours = re.fullmatch(r"toHour\(timestamp\) >= (\d+) AND toHour\(timestamp\) < (\d+)", f["key"])
        assert hours, f
        return ("hours", (int(hours[1]), int(hours[2])))
    op = CANONICAL_OPS[f["operator"]]
    value = (
        None if op in ("is_set", "is_not_set") else tuple(f["value"]) if isinstance(f["value"], list) else f["value"]
    )
    return (f["type"], f["key"], op, value)


def read_node(node: dict[str, Any]) -> tuple[Any, ...]:
    filters = frozenset(read_filter(f) for f in node.get("properties", []))
    name = node["id"] if "id" in node else node.get("event")  # a retention entity names its event by id
    return (name, filters, node.get("math"), node.get("math_property"))


def read_back(source: dict[str, Any]) -> dict[str, Any]:
    """What a native query computes, in neutral terms."""
    out: dict[str, Any] = {"kind": source["kind"], "range": read_range(source["dateRange"])}
    out["filters"] = frozenset(read_filter(f) for f in source.get("properties", []))
    if "series" in source:
        out["series"] = [read_node(n) for n in source["series"]]
    if source["kind"] in ("TrendsQuery", "LifecycleQuery", "StickinessQuery"):
        out["interval"] = source.get("interval")
    if "breakdownFilter" in source:
        b = source["breakdownFilter"]
        key = GRAINS[b["breakdown"]] if b["breakdown_type"] == "hogql" else (b["breakdown_type"], b["breakdown"])
        out["breakdown"] = (key, b.get("breakdown_limit"))
    if "compareFilter" in source:
        assert source["compareFilter"]["compare"] is True
        start, end = out["range"]
        code = source["compareFilter"]["compare_to"]
        out["previous"] = (back(start, code), back(end, code))
    if source["kind"] == "TrendsQuery":
        trends = source["trendsFilter"]
        out["formula"] = trends.get("formula") or [f["formula"] for f in trends.get("formulaNodes", [])] or None
    if source["kind"] == "FunnelsQuery":
        f = source["funnelsFilter"]
        assert (f["funnelOrderType"], f["funnelWindowIntervalUnit"]) == ("ordered", "day")
        out["window_days"] = f["funnelWindowInterval"]
        if "breakdownFilter" in source:
            assert (f["breakdownAttributionType"], f["breakdownAttributionValue"]) == ("step", 0)
    if source["kind"] == "RetentionQuery":
        r = source["retentionFilter"]
        assert r["retentionType"] == "retention_first_time"
        out["retention"] = (
            read_node(r["targetEntity"])[:2],
            read_node(r["returningEntity"])[:2],
            r["period"],
            r["totalIntervals"],
            r.get("selectedInterval"),
        )
    if source["kind"] == "PathsQuery":
        p = source["pathsFilter"]
        assert (p["includeEventTypes"], p["pathsHogQLExpression"]) == (["hogql"], "event")  # event names, all events
        out["paths"] = (p.get("startPoint"), p.get("endPoint"), p["stepLimit"], tuple(p.get("excludeEvents", ())))
    return out


def meant_filter(f: PropertyFilter) -> tuple[Any, ...]:
    op = ASKHOG_OPS.get(f.op, f.op)
    if op in ("is_set", "is_not_set"):
        return (f.prop.scope, f.prop.name, op, None)
    value: Any = f.value if isinstance(f.value, tuple) else (f.value,) if op in ("in", "not_in") else f.value
    if f.prop.type == "Numeric":
        value = float(value) if not isinstance(value, tuple) else tuple(float(v) for v in value)
    return (f.prop.scope, f.prop.name, op, value)


def meant_node(event: EventRef | None, math: str | None = None, prop: str | None = None) -> tuple[Any, ...]:
    filters = frozenset(meant_filter(f) for f in event.filters) if event else frozenset()
    return (event.name if event else None, filters, math, prop)


def meant(m: Meaning) -> dict[str, Any]:
    """What the meaning computes (the templates' reading of it), in the same neutral terms."""
    assert m.date_range is not None
    tr = m.date_range
    filters = {meant_filter(f) for f in m.filters}
    if tr.weekdays:
        filters.add(("weekdays", tr.weekdays))
    if tr.hours:
        filters.add(("hours", tr.hours))
    b = m.breakdown
    if b is not None and b.property is not None and m.family != "funnel":  # templates leave out rows without a value
        filters.add(
            (b.property.scope, b.property.name, "in", b.values)
            if b.values
            else (b.property.scope, b.property.name, "is_set", None)
        )
    kinds = {
        "funnel": "FunnelsQuery",
        "retention": "RetentionQuery",
        "stickiness": "StickinessQuery",
        "lifecycle": "LifecycleQuery",
        "paths": "PathsQuery",
    }
    out: dict[str, Any] = {
        "kind": kinds.get(m.family, "TrendsQuery"),
        "range": (tr.start, tr.end),
        "filters": frozenset(filters),
    }
    if b is not None:
        out["breakdown"] = (b.grain or (b.property.scope, b.property.name) if b.property or b.grain else None, b.limit)
    if m.compare is not None and m.compare.previous is not None:
        out["previous"] = (m.compare.previous.start, m.compare.previous.end)
    s = m.primary
    math = s.math if s.per_actor is None else f"{'avg' if s.math in ('total', 'dau') else s.math}_count_per_actor"
    prop = s.math_property.name if s.math_property else None
    metric = m.param("metric")
    if m.family in ("count", "trend", "breakdown"):
        out["series"] = [meant_node(s.event, math, prop)]
        out["interval"] = _interval_for(m.interval, tr) if m.family == "trend" else None
        out["formula"] = None
    elif m.family == "engagement":
        window = {"dau": "day", "wau": "week", "mau": "month", "dau_mau": "day"}.get(metric)
        maths = {"dau_mau": ["dau", "monthly_active"], "events_per_user": ["avg_count_per_actor"]}.get(metric, ["dau"])
        out["series"] = [meant_node(s.event, x) for x in maths]
        out["interval"] = window or (_interval_for(m.interval, tr) if m.interval else None)
        out["formula"] = "A/B" if metric == "dau_mau" else None
    elif m.family == "revenue":  # revenue, paying users, revenue per paying user, purchases
        out["series"] = [meant_node(s.event, "sum", prop), meant_node(s.event, "dau"), meant_node(s.event, "total")]
        out["interval"], out["formula"] = None, ["A", "B", "A/B", "C"]
    elif m.family == "funnel":
        out["series"] = [meant_node(step) for step in m.steps]
        out["window_days"] = m.window_days
    elif m.family == "retention":
        r = m.retention
        assert r is not None
        out["retention"] = (
            meant_node(r.start)[:2],
            meant_node(r.returning)[:2],
            r.period.capitalize(),
            r.periods,
            m.param("offset"),
        )
    elif m.family in ("stickiness", "lifecycle"):
        out["series"] = [meant_node(s.event)]
        out["interval"] = "day" if m.family == "stickiness" else _interval_for(m.interval, tr)
    elif m.family == "paths":
        before = m.param("direction") == "before"
        assert s.event is not None
        out["paths"] = (
            None if before else s.event.name,
            s.event.name if before else None,
            m.param("path_length") + 1,
            tuple(e for e in ("$pageview", "$pageleave") if e != s.event.name and m.param("pages") == "skip"),
        )
    return out
