"""What the diagnose steps share: the metric's name and format, and the window's complete days."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from ..errors import WorkflowError
from ..format import fmt, pct
from ..types import TimeRange
from .analysis_base import StepInput, day_text, label_of

METRICS = ("conversion", "count", "revenue")


def metric_of(inp: StepInput) -> str:
    metric = inp.params.get("metric") or inp.slots.get("metric")
    if metric not in METRICS:
        raise WorkflowError(f"the metric must be one of {METRICS}, not {metric!r}")
    return str(metric)


def metric_label(metric: str, slots: Mapping[str, Any]) -> str:
    """How the metric reads in a sentence: "Conversion from checkout_started to purchase", "Daily purchase count"."""
    if metric == "conversion":
        steps = slots.get("steps") or ()
        return f"Conversion from {label_of(steps[0])} to {label_of(steps[-1])}" if steps else "Conversion"
    event = label_of(slots.get("event")) if slots.get("event") else "events"
    return f"Daily {event} count" if metric == "count" else f"Daily revenue from {event}"


def format_value(metric: str, value: float) -> str:
    if metric == "conversion":
        return pct(value)
    return f"${fmt(value)}/day" if metric == "revenue" else f"{fmt(value)}/day"


def window_of(inp: StepInput) -> TimeRange:
    window = inp.params.get("time_range") or inp.slots.get("time_range")
    if not isinstance(window, TimeRange):
        raise WorkflowError("the step needs a time_range")
    return window


def complete_days(window: TimeRange) -> list[date]:
    """The window's whole days: a partial first or last day would look like a dip in any count."""
    first = window.start.date() + timedelta(days=0 if window.start.time() == time() else 1)
    last = window.end.date() - timedelta(days=1)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def ranges_around(window: TimeRange, days: list[date], split: int) -> tuple[TimeRange, TimeRange]:
    """The before and after periods of a change starting on ``days[split]`` (complete days only)."""
    boundary = datetime.combine(days[split], time(), UTC)
    start = datetime.combine(days[0], time(), UTC)
    end = datetime.combine(days[-1] + timedelta(days=1), time(), UTC)
    return (
        TimeRange(start, boundary, f"{day_text(days[0])} to {day_text(days[split - 1])}"),
        TimeRange(boundary, end, f"{day_text(days[split])} to {day_text(days[-1])}"),
    )
