"""The meaning of a question: one typed object that templates render from.

It is modelled on PostHog's own insight query schema (``shared/spec/posthog-insight-schema.json``):
a list of ``series`` (an event with its ``math``, like ``EventsNode``), property ``filters``
(negations and scopes included), a ``breakdown`` (``breakdownFilter``, with its limit), a
``compare`` (``compareFilter``), the ``date_range`` and ``interval``, funnel ``steps`` and
window (``funnelsFilter``), retention's start and returning events (``retentionFilter``). It
goes further where askhog's families do: conditions on a person's history ("in their first
week", "never invited anyone"), per-person aggregates ("median uploads per user"), time
grains as breakdowns ("which weekday is busiest") and the family's own parameters.

An intent file says which meaning each of its slots fills (its ``role``); ``Meaning.build``
is the one place that turns slot values into a meaning, for the engine and the workflows alike.
``describe`` says in words what the meaning computes, so a person can catch a mismatch.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from .types import EventRef, PropertyFilter, PropertyRef, TimeRange

if TYPE_CHECKING:
    from .catalog import Intent

# PostHog's math names (BaseMathType, PropertyMathType) and what askhog's `measure` choices mean in them.
PROPERTY_MATHS: tuple[str, ...] = ("sum", "avg", "min", "max", "median", "p75", "p90", "p95", "p99")
MATHS: tuple[str, ...] = ("total", "dau", "unique_session", "first_time_for_user", "persons", *PROPERTY_MATHS)
MEASURE_MATH: dict[str, str] = {
    "events": "total",
    "users": "dau",
    "sessions": "unique_session",
    "first_time": "first_time_for_user",
    "persons": "persons",
    **{m: m for m in PROPERTY_MATHS},
}
PerActor = Literal["total", "sum", "unique_session", "active_days"]
Grain = Literal["hour", "day", "week", "month", "hour_of_day", "day_of_week"]
GRAINS: tuple[str, ...] = ("hour", "day", "week", "month", "hour_of_day", "day_of_week")
ConditionKind = Literal["did", "did_not", "within"]


@dataclass(frozen=True)
class Series:
    """What is measured: PostHog's ``EventsNode`` (``event`` None means all events).

    ``math`` aggregates the events directly (``total`` events, ``dau`` unique users, ``unique_session``,
    ``first_time_for_user``, or a property math over ``math_property``). With ``per_actor`` the events are
    first totalled per person (events, the property's sum, sessions or active days per person) and ``math``
    aggregates those per-person figures: "median uploads per user" is ``math='median', per_actor='total'``.
    """

    event: EventRef | None = None
    math: str = "total"
    math_property: PropertyRef | None = None
    per_actor: PerActor | None = None
    per_period: str | None = None

    @property
    def unit(self) -> str:
        """What one unit of the figure is, in words ("events", "users", "sessions", "USD" is not known)."""
        if self.per_actor:
            return "per user"
        return {"total": "events", "dau": "users", "unique_session": "sessions", "first_time_for_user": "users"}.get(
            self.math, self.math_property.name if self.math_property else ""
        )


@dataclass(frozen=True)
class Breakdown:
    """Group by a property or by a time grain ("busiest weekday" is ``grain='day_of_week'``).

    ``values`` restricts the groups to those named ("Chrome versus Firefox"); ``limit`` and ``order`` are
    the top (or bottom) N asked for. Rows without a value are left out, unless ``empty`` names the group they
    make ("direct" for no source: the lexicon's ``empty_groups``).
    """

    property: PropertyRef | None = None
    grain: str | None = None
    values: tuple[str, ...] = ()
    limit: int | None = None
    order: Literal["desc", "asc"] = "desc"
    empty: str | None = None

    def sides(self) -> tuple[PropertyFilter, ...]:
        """Each named value as the filter that picks its side ("Chrome versus Firefox"); none without values."""
        return tuple(PropertyFilter(self.property, "=", v) for v in self.values) if self.property else ()

    def label(self) -> str:
        if self.grain:
            return {
                "hour_of_day": "hour of the day",
                "day_of_week": "day of the week",
                "day_type": "weekday or weekend",
            }.get(self.grain, self.grain)
        if self.property and self.empty:
            return f"{self.property.name} (no value: {self.empty})"
        return self.property.name if self.property else ""


@dataclass(frozen=True)
class Comparison:
    """``previous``: the figure for another range beside the asked one (PostHog's ``compareFilter``), like for
    like when the asked range is still running; ``segments``: the breakdown's named values side by side."""

    kind: Literal["previous_period", "segments"]
    previous: TimeRange | None = None
    like_for_like: bool = False


@dataclass(frozen=True)
class Condition:
    """Something about a person's history that selects who (or which events) count.

    ``did``: the person did ``event`` (at least ``min_count`` times) before now, or, ``in_range``, within the asked
    range ("users who filed 2 or more tickets last month"); ``did_not``: never did it before now ("never bought"),
    or, ``in_range``, not within the asked range ("signed up last week without uploading");
    ``within``: only events within ``days`` after the person's first ``anchor`` count ("in their first week"), or,
    ``days`` None, every event since it ("among people who signed up in October"). A ``window`` is the condition's
    own range, where the asked range belongs to it and not to the people counted ("how many paying customers haven't
    logged in in the last 30 days": customers ever, not logged in in those 30 days).
    """

    kind: ConditionKind
    event: EventRef | None = None
    anchor: EventRef | None = None
    days: int | None = None
    min_count: int | None = None
    in_range: bool = False
    window: TimeRange | None = None

    def label(self) -> str:
        if self.kind == "within":
            anchor = self.anchor.label() if self.anchor else "their first event"
            if self.days is None:
                return f"people whose first {anchor} is in the range, followed since"
            return f"within {self.days} day(s) of {anchor}"
        times = f" at least {self.min_count} times" if self.min_count and self.min_count > 1 else ""
        event = self.event.label() if self.event else "anything"
        when = f" {_during(self.window.label)}" if self.window is not None else " in the range" if self.in_range else ""
        if self.kind == "did_not":
            return f"did not do {event}{when}" if when else f"never did {event}"
        return f"did {event}{times}{when}"


def _during(label: str) -> str:
    """A period's label after a verb: "did X yesterday", "did X in October 2026", "did X in the last 30 days"."""
    if re.match(r"(?:last|past) \d", label):
        return f"in the {label}"
    return label if re.match(r"(?:this|last|past|yesterday|today|since|before|after|the)\b", label) else f"in {label}"


@dataclass(frozen=True)
class Retention:
    """PostHog's ``retentionFilter``: cohorts by ``start`` (target entity), coming back with ``returning``
    (None: any event), in calendar ``period``s, ``periods`` of them."""

    start: EventRef | None = None
    returning: EventRef | None = None
    period: str = "week"
    periods: int = 8


@dataclass(frozen=True)
class Meaning:
    """The reading of one question, typed; templates render from it (as ``q``)."""

    family: str
    series: tuple[Series, ...] = (Series(),)
    filters: tuple[PropertyFilter, ...] = ()
    breakdown: Breakdown | None = None
    compare: Comparison | None = None
    date_range: TimeRange | None = None
    interval: str | None = None
    conditions: tuple[Condition, ...] = ()
    steps: tuple[EventRef, ...] = ()
    window_days: int | None = None
    retention: Retention | None = None
    limit: int | None = None
    order: Literal["desc", "asc"] = "desc"
    """Most first or, asked ("least used", "bottom 3"), fewest first: of the breakdown's groups or a family's rows."""
    params: Mapping[str, Any] = field(default_factory=dict)
    now: datetime | None = None
    sentence: str = ""
    """The family's own words for what it computes (an intent file's ``describe``), before its slots are put in."""
    values: Mapping[str, Any] = field(default_factory=dict)
    """Every slot's value by the slot's name, as the family names them (for ``sentence``)."""
    """When the question was asked: "never did X" and "so far" read up to it."""

    @property
    def primary(self) -> Series:
        return self.series[0] if self.series else Series()

    def param(self, name: str, default: Any = None) -> Any:
        return self.params.get(name, default)

    # -- building -------------------------------------------------------------------------------------

    @classmethod
    def build(cls, intent: Intent, values: Mapping[str, Any], now: datetime | None = None) -> Meaning:
        """The meaning of ``values`` (slot name → typed value) in ``intent``, through the slots' roles."""
        series = Series()
        fields: dict[str, Any] = {}
        params: dict[str, Any] = {}
        breakdown: dict[str, Any] = {}
        retention: dict[str, Any] = {}
        conditions: list[Condition] = []
        for spec in intent.slots:
            value = values.get(spec.name)
            role = spec.role
            if role == "param":
                params[spec.name] = value
                continue
            if value is None or value == ():
                continue
            if role == "series.event":
                series = replace(series, event=value)
            elif role == "series.math":
                series = replace(series, math=MEASURE_MATH.get(str(value), str(value)))
            elif role == "series.property":
                series = replace(series, math_property=value)
            elif role == "series.per":
                series = replace(series, per_actor=value)
            elif role == "series.per_period":
                series = replace(series, per_period=value)
            elif role == "breakdown":
                if isinstance(value, Breakdown):
                    breakdown.update(property=value.property, grain=value.grain, values=value.values, empty=value.empty)
                else:
                    breakdown["property"] = value
            elif role in ("limit", "order"):
                breakdown[role] = value
                fields[role] = value  # a limit is checked as a whole number where it is rendered (``as_int``)
            elif role == "conditions":
                conditions.extend(value)
            elif role == "exclude":
                conditions.append(Condition("did_not", value))
            elif role.startswith("retention."):
                retention[{"retention.start": "start", "retention.return": "returning"}.get(role, role[10:])] = value
            else:
                fields[role] = value
        if series.math_property is not None and series.math in ("total", "dau") and series.per_actor is None:
            series = replace(series, math="sum")
        if breakdown.get("property") is not None or breakdown.get("grain"):
            fields["breakdown"] = Breakdown(**breakdown)
        if retention:
            fields["retention"] = Retention(**retention)
        return cls(
            family=intent.id,
            series=(series,),
            conditions=tuple(conditions),
            params=params,
            now=now,
            sentence=select_case(intent.describe, values) or "",
            values=dict(values),
            **fields,
        )

    # -- words ------------------------------------------------------------------------------------------

    def describe(self) -> str:
        """What is computed, in words: unit, event, filters, conditions, breakdown, range."""
        parts = [self.what()]
        if self.filters:
            parts.append("where " + " and ".join(describe_filter(f) for f in self.filters))
        for c in self.conditions:
            parts.append(c.label() if c.kind == "within" else f"only people who {c.label()}")
        if self.breakdown is not None:
            b = self.breakdown
            top = f"top {b.limit} " if b.limit and b.order == "desc" else f"bottom {b.limit} " if b.limit else ""
            only = f" ({', '.join(b.values)})" if b.values else ""
            parts.append(f"by {top}{b.label()}{only}".replace("by top ", "by the top "))
        if self.date_range is not None:
            parts.append(describe_range(self.date_range))
        if self.compare is not None and self.compare.previous is not None:
            like = ", the same part of it" if self.compare.like_for_like else ""
            parts.append(f"against {describe_range(self.compare.previous)}{like}")
        return ", ".join(p for p in parts if p)

    def what(self) -> str:
        if self.sentence:
            return self.sentence.format_map(_Words(self))
        s = self.primary
        name = s.event.label() if s.event is not None else "any event"
        if self.family == "funnel" and self.steps:
            return "conversion " + " → ".join(e.label() for e in self.steps)
        if s.per_actor:
            inner = {
                "total": f"{name} events",
                "sum": f"{s.math_property.name if s.math_property else 'value'} of {name}",
                "unique_session": "sessions",
                "active_days": "active days",
            }[s.per_actor]
            return f"{_math_word(s.math)} {inner} per user"
        if s.math == "dau":
            return f"unique users who did {name}"
        if s.math == "unique_session":
            return f"sessions with {name}"
        if s.math == "first_time_for_user":
            return f"users doing {name} for the first time"
        if s.math == "persons":
            return "people, by their current properties"
        if s.math in PROPERTY_MATHS:
            prop = s.math_property.name if s.math_property else "value"
            return f"{_math_word(s.math)} {prop} of {name}"
        return f"{name} events"


def previous_range(
    current: TimeRange, now: datetime, years: bool = False, weeks: bool = False
) -> tuple[TimeRange, bool]:
    """The range a comparison sets beside ``current``, and whether it is cut to be like for like.

    A calendar unit moves by its unit ("last week" → the week before; "this month so far" → the same days
    of last month, since comparing a running period with a whole one reads as a false drop); a rolling window
    moves by its length; explicit dates by their span; ``years`` moves everything one year back, ``weeks`` one
    week ("yesterday vs the same day last week").
    """
    spec = current.spec or {}
    if years:
        unit, n = "year", 1
    elif weeks:
        unit, n = "week", 1
    elif "this" in spec or "previous" in spec:
        unit, n = str(spec.get("this") or spec.get("previous")), 1
    elif "last" in spec:
        unit, n = str(spec.get("unit", "day")), int(spec["last"])
    elif "month" in spec or "quarter" in spec or "year" in spec:
        unit, n = next(k for k in ("month", "quarter", "year") if k in spec), 1
    else:
        length = current.end - current.start
        start = current.start - length
        return TimeRange(start, current.start, f"the {_span_words(length)} before", {}, calendar=False), False
    start = _shift(current.start, unit, -n)
    running = current.end >= now - timedelta(seconds=1) and current.calendar
    end = (
        _shift(current.end, unit, -n)
        if running or unit in ("hour", "day", "week") or "last" in spec
        else _shift(current.start, unit, -n + 1)
        if n == 1
        else current.start
    )
    end = min(end, current.start)
    label = (
        f"the same span {n} {unit}{'s' if n > 1 else ''} earlier"
        if running
        else "the same day a week earlier"
        if weeks and current.end - current.start <= timedelta(days=1)
        else f"the previous {unit}"
        if n == 1
        else f"the {n} {unit}s before"
    )
    return TimeRange(start, end, label, {}, calendar=current.calendar), running


def _shift(t: datetime, unit: str, n: int) -> datetime:
    if unit in ("hour", "day", "week"):
        return t + n * {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(days=7)}[unit]
    months = n * {"month": 1, "quarter": 3, "year": 12}[unit]
    year, month0 = divmod(t.month - 1 + months, 12)
    return t.replace(year=t.year + year, month=month0 + 1, day=min(t.day, monthrange(t.year + year, month0 + 1)[1]))


def _span_words(length: timedelta) -> str:
    days = length.total_seconds() / 86400
    return f"{days:g} days" if days >= 1 else f"{length.total_seconds() / 3600:g} hours"


def select_case(spec: str | Mapping[str, Any], slots: Mapping[str, Any]) -> str | None:
    """A text an intent file chooses by a slot (``template``, ``describe``): ``{by: slot, cases: {...}}`` looks the
    slot's value up in ``cases``, the keys ``_set`` / ``_unset`` matching a slot that has / has no value; a plain
    text is itself. None: no case matches."""
    if isinstance(spec, str):
        return spec
    by, cases = spec["by"], spec["cases"]
    value = slots.get(by)
    if isinstance(value, str) and value in cases:
        return str(cases[value])
    key = "_set" if value is not None and value != "" and value != () else "_unset"
    return str(cases[key]) if key in cases else None


class _Words(dict):  # type: ignore[type-arg]
    """A meaning's slot values as words, for an intent file's ``describe`` sentence."""

    def __init__(self, meaning: Meaning):
        super().__init__()
        self.meaning = meaning

    def __missing__(self, key: str) -> str:
        if "?" in key:  # "{min_pageviews? with at least # page views}": words only when the slot has a value
            name, words = key.split("?", 1)
            value = self.meaning.values.get(name)
            if value is None:
                return ""
            return words.replace("#", ", ".join(map(_label, value)) if isinstance(value, tuple) else _label(value))
        if key.endswith("_times"):  # "{min_count_times}": " at least 3 times", or nothing for once
            count = self.meaning.values.get(key[:-6])
            return f" at least {count} times" if isinstance(count, int) and count > 1 else ""
        value = self.meaning.values.get(key)
        if value is None:
            return "any event" if key.endswith("event") else "–"
        if isinstance(value, tuple):
            return " → ".join(_label(v) for v in value)
        return _label(value)


def _label(value: Any) -> str:
    """A slot value in words: its label (a method of events and properties, the text of a range)."""
    label = getattr(value, "label", None)
    return str(label()) if callable(label) else label if isinstance(label, str) else str(value)


def _math_word(math: str) -> str:
    return {"sum": "total", "avg": "average", "min": "minimum", "max": "maximum", "median": "median"}.get(
        math, f"{math[1:]}th percentile" if math.startswith("p") else math
    )


def describe_filter(f: PropertyFilter) -> str:
    name = f.prop.name if f.prop.scope == "event" else f"{f.prop.scope} {f.prop.name}"
    if f.op == "is_set":
        return f"{name} is set"
    if f.op == "is_not_set":
        return f"{name} is not set"
    value = ", ".join(map(str, f.value)) if isinstance(f.value, tuple) else str(f.value)
    words = {
        "=": "is",
        "!=": "is not",
        "in": "is one of",
        "not_in": "is none of",
        ">": ">",
        ">=": "≥",
        "<": "<",
        "<=": "≤",
        "contains": "contains",
        "not_contains": "does not contain",
        "starts_with": "starts with",
    }
    return f"{name} {words.get(f.op, f.op)} {value}"


def describe_range(tr: TimeRange) -> str:
    """ "last week (Nov 16 – Nov 22, 2026)": the label and the days it covers (the end is exclusive)."""
    last = tr.end - timedelta(microseconds=1)
    if tr.end.time() == tr.end.min.time():
        days = f"{tr.start:%b %-d} – {last:%b %-d, %Y}" if last.date() != tr.start.date() else f"{tr.start:%b %-d, %Y}"
    else:
        days = f"{tr.start:%b %-d %H:%M} – {tr.end:%b %-d %H:%M, %Y} UTC"
    label = tr.label.split(" (")[0]
    return f"{label} ({days})"
