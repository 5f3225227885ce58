"""Slot combinations for every template stem, built from the demo taxonomy.

Each family has a case builder ``i -> slots`` (i = 0..4): the five cases vary the
time window (and so the interval), the filters, the events, the measure's
property and the limits, so that every branch of a template is rendered.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from askhog.demo.products import demo_taxonomy
from askhog.meaning import Breakdown, Comparison, Condition
from askhog.types import EventRef, PropertyFilter, PropertyRef, TimeRange
from askhog.yamlfiles import load as read_yaml

TAXONOMY = demo_taxonomy()
INTENTS = Path(__file__).resolve().parents[2] / "intents"
README = Path(__file__).resolve().parents[2] / "templates" / "README.md"
END = datetime(2026, 11, 26, tzinfo=UTC)


def prop(name: str, scope: str = "event") -> PropertyRef:
    found = TAXONOMY.property(name, scope)  # type: ignore[arg-type]
    assert found is not None, name
    return found.ref()


def flt(name: str, op: str, value: Any = None, scope: str = "event") -> PropertyFilter:
    return PropertyFilter(prop(name, scope), op, value)  # type: ignore[arg-type]


def ev(name: str, *filters: PropertyFilter) -> EventRef:
    return EventRef(name, tuple(filters))


PRICING = ev("$pageview", flt("$pathname", "=", "/pricing"))
RANGES = (
    TimeRange(END - timedelta(days=30), END, "last 30 days"),
    TimeRange(END - timedelta(days=7), END, "last 7 days"),
    TimeRange(END - timedelta(days=2), END, "last 48 hours"),
    TimeRange(END - timedelta(days=120), END, "last 120 days"),
    TimeRange(datetime(2025, 11, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC), "last 12 months"),
)
FILTERS: tuple[tuple[PropertyFilter, ...] | None, ...] = (
    None,
    (flt("$browser", "=", "Safari"),),
    (flt("plan", "in", ("pro", "team"), "person"), flt("$device_type", "!=", "Mobile")),
    (flt("$os", "contains", "mac"), flt("$initial_utm_source", "is_set", None, "person")),
    (flt("$session_duration", ">", 30, "session"), flt("$geoip_country_code", "not_contains", "U", "person")),
)
EVENTS = (
    ev("purchase"),
    PRICING,
    ev("file_shared"),
    ev("signed_up"),
    ev("feature_used", flt("feature_name", "=", "editor")),
)
BREAKDOWNS = (
    prop("$browser"),
    prop("$initial_utm_source", "person"),
    prop("plan", "person"),
    prop("$os"),
    prop("$pathname"),
)
INTERVALS = ("by_range", "day", "hour", "week", "month")
PREVIOUS = TimeRange(END - timedelta(days=60), END - timedelta(days=30), "the 30 days before")
COMPARE = Comparison("previous_period", PREVIOUS)
SEGMENTS = Breakdown(prop("$browser"), values=("Chrome", "Firefox"))
WITHIN = Condition("within", anchor=ev("signed_up"), days=7)
NEVER = Condition("did_not", ev("invite_sent"))
OFTEN = Condition("did", ev("file_uploaded"), min_count=2)
GRAINS = (Breakdown(grain="day_of_week"), Breakdown(grain="hour_of_day"), Breakdown(grain="day"))


def _common(i: int) -> dict[str, Any]:
    return {"time_range": RANGES[i], "filters": FILTERS[i]}


Builder = Callable[[int], dict[str, Any]]

FAMILIES: dict[str, Builder] = {
    # Each case exercises another meaning: a comparison with the previous range, a segment comparison, a property's
    # percentile within the first week, a per-person average of people who never invited, first-time users
    # averaged per day.
    "count": lambda i: (
        {"event": EVENTS[0], "measure": "events", "compare": COMPARE},
        {"event": EVENTS[1], "measure": "users", "segments": SEGMENTS, "compare": Comparison("segments")},
        {"event": ev("file_uploaded"), "measure": "p90", "property": prop("size_mb"), "conditions": (WITHIN,)},
        {"event": EVENTS[3], "measure": "avg", "per": "total", "conditions": (NEVER,)},
        {"event": EVENTS[4], "measure": "first_time", "per_period": "day"},
    )[i],
    "trend": lambda i: {
        "event": EVENTS[i],
        "measure": ("events", "users", "sum", "median", "events")[i],
        "property": (None, None, prop("amount"), prop("size_mb"), None)[i],
        "interval": INTERVALS[i],
        "breakdown": (None, BREAKDOWNS[1], None, None, BREAKDOWNS[4])[i],
        "compare": (None, None, COMPARE, None, None)[i],
        "per": (None, None, None, None, "total")[i],
    },
    "breakdown": lambda i: {
        "event": EVENTS[i],
        "measure": ("events", "users", "sum", "avg", "events")[i],
        "property": (None, None, prop("amount"), prop("size_mb"), None)[i],
        "breakdown": (BREAKDOWNS[0], GRAINS[0], BREAKDOWNS[2], GRAINS[1], GRAINS[2])[i],
        "limit": 5 + i,
        "order": ("desc", "asc", "desc", "desc", "asc")[i],
        "compare": (None, None, COMPARE, None, None)[i],
        "conditions": (None, (OFTEN,), None, None, (NEVER,))[i],
    },
    "feature_usage": lambda i: {
        "event": (
            ev("feature_used"),
            ev("file_uploaded"),
            ev("feature_used"),
            ev("file_shared"),
            ev("support_ticket_created"),
        )[i],
        "feature_property": (
            prop("feature_name"),
            prop("file_type"),
            prop("feature_name"),
            prop("share_type"),
            prop("category"),
        )[i],
        "limit": 20 - i,
    },
    "user_list": lambda i: {
        "event": EVENTS[i],
        "exclude_event": (None, ev("purchase"), None, ev("invite_sent"), None)[i],
        "min_count": 1 + i,
        "limit": 100 - i,
        "rank": ("events", "amount", "session_time", "events", "events")[i],
        "amount_property": prop("amount"),
        "order": ("desc", "desc", "desc", "asc", "desc")[i],
    },
    "funnel": lambda i: {
        "steps": (
            (ev("signed_up"), ev("purchase")),
            (PRICING, ev("checkout_started"), ev("purchase")),
            (ev("signed_up"), ev("onboarding_completed"), ev("project_created"), ev("file_uploaded")),
            (ev("checkout_started"), ev("purchase", flt("plan", "=", "team"))),
            (ev("$pageview"), ev("signed_up"), ev("$pageview")),
        )[i],
        "window_days": (14, 1, 7, 30, 3)[i],
        "breakdown": None,
    },
    "retention": lambda i: {
        "start_event": (ev("signed_up"), ev("file_uploaded"), PRICING, ev("signed_up"), ev("purchase"))[i],
        "return_event": (None, ev("file_uploaded"), ev("logged_in"), EVENTS[4], None)[i],
        "period": "week",
        "periods": (8, 4, 1, 12, 6)[i],
    },
    "paths": lambda i: {
        "event": EVENTS[i],
        "direction": "after",
        "path_length": (3, 1, 5, 2, 4)[i],
        "limit": 20 + i,
        "pages": ("keep", "skip", "keep", "skip", "keep")[i],
        "count": ("people", "occurrences", "people", "people", "occurrences")[i],
    },
    "cohort_comparison": lambda i: {
        "cohort_event": EVENTS[(i + 2) % 5],
        "metric_event": EVENTS[i],
        "conditions": (None, (WITHIN,), None, (WITHIN,), None)[i],
    },
    "correlation": lambda i: {"target_event": EVENTS[i], "candidate": "events", "limit": 20 + i},
    "activation": lambda i: {
        "signup_event": (ev("signed_up"), ev("signed_up"), ev("project_created"), ev("logged_in"), ev("signed_up"))[i],
        "activation_event": (ev("onboarding_completed"), EVENTS[4], ev("file_shared"), PRICING, ev("purchase"))[i],
        "window_days": (7, 1, None, 30, None)[i],
        "breakdown": (None, None, None, SEGMENTS, prop("signup_method"))[i],
    },
    "churn_risk": lambda i: {
        "event": (None, ev("file_uploaded"), None, ev("logged_in"), EVENTS[4])[i],
        "silent_days": (14, 3, 1, 30, 60)[i],
        "limit": 100 - i,
    },
    "revenue": lambda i: {
        "revenue_event": (
            ev("purchase"),
            ev("purchase", flt("plan", "=", "pro")),
            ev("purchase"),
            ev("checkout_started"),
            ev("purchase"),
        )[i],
        "amount_property": (prop("amount"), prop("amount"), prop("amount"), prop("amount"), prop("size_mb"))[i],
        "breakdown": (None, BREAKDOWNS[1], None, SEGMENTS, None)[i],
        "compare": (None, None, COMPARE, None, None)[i],
        "rank": ("revenue", "arpu", "revenue", "paying_users", "revenue")[i],
    },
    "time_to_event": lambda i: {
        "from_event": EVENTS[(i + 3) % 5],
        "to_event": EVENTS[i],
        "window_days": (30, 1, 7, 90, 14)[i],
    },
    "experiment": lambda i: {
        "flag": ("new-checkout", "new-checkout", "other-flag", "new-checkout", "x' OR 1=1")[i],
        "goal_event": EVENTS[i],
    },
    "stickiness": lambda i: {"event": (None, *EVENTS[1:])[i], "min_days": (None, 2, 3, None, 5)[i]},
    "lifecycle": lambda i: {"event": (None, *EVENTS[1:])[i], "interval": ("week", "day", "day", "month", "week")[i]},
    "engagement": lambda i: {"metric": "dau", "event": (None, *EVENTS[1:])[i], "interval": (*INTERVALS[:4], None)[i]},
    "sessions": lambda i: {
        "metric": ("duration", "bounce_rate", "sessions_per_user", "pageviews_per_session", "count")[i],
        "stat": ("avg", "median", "avg", "p90", "avg")[i],
        "interval": (None, "day", None, "week", "month")[i],
    },
    "anomaly": lambda i: {
        "event": (None, *EVENTS[1:])[i],
        "measure": ("events", "users", "events", "users", "events")[i],
        "interval": ("day", "hour", "hour", "day", "day")[i],
        "baseline_days": (28, 7, 14, 56, 90)[i],
        "threshold": (3, 2.5, 2, 4, 1.5)[i],
    },
}

# What a stem pins down besides the family's cases (the slot its template choice is keyed on).
STEM_SLOTS: dict[str, Callable[[int], dict[str, Any]]] = {
    "funnel_breakdown": lambda i: {"breakdown": BREAKDOWNS[i]},
    "retention_monthly": lambda i: {"period": "month"},
    "paths_before": lambda i: {"direction": "before"},
    "correlation_properties": lambda i: {"candidate": "properties"},
    # the second case is WAU over its 7 days with no interval: one window, one figure
    "engagement_active_users": lambda i: {
        "metric": ("dau", "wau", "mau", "active", "wau")[i],
        **({"interval": None} if i == 1 else {}),
    },
    "engagement_dau_mau": lambda i: {"metric": "dau_mau"},
    "engagement_events_per_user": lambda i: {"metric": "events_per_user"},
}


@lru_cache(maxsize=1)
def load_intents() -> dict[str, dict[str, Any]]:
    """The intent files that name a template, by family id (read once; callers must not mutate it)."""
    out = {}
    for path in sorted(INTENTS.glob("*.yaml")):
        data = read_yaml(path.read_text(encoding="utf-8"))
        if data.get("template"):
            out[data["id"]] = data
    return out


def template_stems(spec: Any) -> list[str]:
    return [spec] if isinstance(spec, str) else sorted(set(spec["cases"].values()))


def stem_families() -> dict[str, str]:
    """Every stem the catalog names → its family."""
    return {stem: family for family, data in load_intents().items() for stem in template_stems(data["template"])}


def cases(stem: str, family: str) -> list[dict[str, Any]]:
    """Five slot combinations for ``stem``: every slot of the family present, unset ones None."""
    slot_names = [s["name"] for s in load_intents()[family]["slots"]]
    out = []
    for i in range(5):
        slots = {name: None for name in slot_names}
        slots.update(_common(i))
        slots.update(FAMILIES[family](i))
        slots.update(STEM_SLOTS.get(stem, lambda i: {})(i))
        unknown = set(slots) - set(slot_names)
        assert not unknown, f"{stem}: cases set slots the family does not have: {unknown}"
        out.append(slots)
    return out


def family_slots(family: str, **values: Any) -> dict[str, Any]:
    """Every slot of ``family``, unset ones None, with ``values`` set (a name the family does not have fails)."""
    names = [s["name"] for s in load_intents()[family]["slots"]]
    unknown = set(values) - set(names)
    assert not unknown, f"{family} has no slots {unknown}"
    return {name: values.get(name) for name in names}


def readme_columns() -> dict[str, list[str]]:
    """The column contract as templates/README.md documents it (``name?`` = only with its slot)."""
    rows = re.findall(r"^\| ([a-z_]+) \| [^|]+ \| (`.+`) \|$", README.read_text(encoding="utf-8"), re.M)
    rows += re.findall(r"^\| (sessions) \| [^|]+ \| (.+) \|$", README.read_text(encoding="utf-8"), re.M)
    return {stem: re.findall(r"`([a-z0-9_?]+)`", cols) for stem, cols in rows}


SESSION_COLUMNS = {
    "duration": ["duration_seconds", "median_duration_seconds"],
    "bounce_rate": ["bounce_rate_pct"],
    "bounces": ["bounced_sessions"],
    "non_bounces": ["engaged_sessions"],
    "sessions_per_user": ["sessions_per_user", "users"],
    "pageviews_per_session": ["pageviews_per_session"],
    "count": [],
}
"""The session metrics' own columns, as templates/README.md lists them (before ``sessions``)."""


def one_window(slots: dict[str, Any]) -> bool:
    """DAU/WAU/MAU over a range no longer than the metric's window, with no interval or time grain: one figure."""
    window = {"dau": 1, "wau": 7, "mau": 31}.get(slots.get("metric") or "", 0)
    span = slots["time_range"].end - slots["time_range"].start
    grain = getattr(slots.get("segments") or slots.get("breakdown"), "grain", None)
    return not slots.get("interval") and not grain and span.total_seconds() <= window * 86400


def expected_columns(stem: str, slots: dict[str, Any]) -> list[str]:
    """The result columns ``stem`` promises for these slots (``name?`` = only when the question has it)."""
    compare = slots.get("compare")
    present = {
        "period": bool(slots.get("interval")) or stem == "trend",
        "side": isinstance(compare, Comparison) and compare.previous is not None,
        "breakdown": bool(slots.get("breakdown") or slots.get("segments")),
        "people": bool(slots.get("per")),
        "share_pct": bool(slots.get("share")),
        "users": slots.get("share") == "of_active"
        or (stem.startswith("paths_") and slots.get("count") != "occurrences"),
        "times": stem.startswith("paths_") and slots.get("count") == "occurrences",
        "active_users": slots.get("share") == "of_active",
    }
    if stem == "engagement_active_users":
        # "distinct active users over the range (`active`, or a range no longer than the metric's window), or
        # DAU/WAU/MAU per period": the metric sets the period
        present["period"] = slots.get("metric") != "active" and not one_window(slots)
    if stem == "sessions":
        cols = [c for c in ("period", "side") if present[c]]
        return cols + SESSION_COLUMNS[slots["metric"]] + ["sessions"]
    cols = [c.rstrip("?") for c in readme_columns()[stem] if not c.endswith("?") or present[c.rstrip("?")]]
    if stem == "activation" and present["breakdown"]:
        # What the activated did first is ranked over everyone, not per value: the template (and the interpretation,
        # which reads it only without a breakdown) leave it out of a split (templates/README lists it unconditionally).
        cols.remove("first_events")
    return cols
