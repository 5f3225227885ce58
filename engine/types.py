"""Typed slot values: what slot filling produces and templates consume.

Every value is immutable and comparable, so that a conversation can keep them,
an evaluation can compare them, and two threads can share them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

PropertyScope = Literal["event", "person", "session"]
PropertyType = Literal["String", "Numeric", "Boolean", "DateTime"]
FilterOp = Literal[
    "=", "!=", ">", ">=", "<", "<=", "contains", "not_contains", "starts_with", "is_set", "is_not_set", "in", "not_in"
]
Unit = Literal["hour", "day", "week", "month", "quarter", "year"]


@dataclass(frozen=True)
class PropertyRef:
    """A property of the project's taxonomy (never an invented name)."""

    name: str
    scope: PropertyScope = "event"
    type: PropertyType = "String"

    def label(self) -> str:
        return self.name if self.scope == "event" else f"{self.scope}.{self.name}"


@dataclass(frozen=True)
class PropertyFilter:
    """``prop op value``; ``value`` is None for is_set / is_not_set, a tuple for ``in``."""

    prop: PropertyRef
    op: FilterOp
    value: str | float | tuple[str, ...] | None = None

    def label(self) -> str:
        if self.value is None:
            return f"{self.prop.label()} {self.op}"
        return f"{self.prop.label()} {self.op} {self.value!r}"


@dataclass(frozen=True)
class EventRef:
    """An event of the taxonomy, optionally narrowed by filters.

    "pricing page" links to ``$pageview`` with ``$pathname = '/pricing'``: the
    phrase the user typed is kept in ``phrase`` for the explanation.
    """

    name: str
    filters: tuple[PropertyFilter, ...] = ()
    phrase: str | None = None

    def label(self) -> str:
        if not self.filters:
            return self.name
        return f"{self.name} where " + " and ".join(f.label() for f in self.filters)


@dataclass(frozen=True)
class TimeRange:
    """A resolved time window ``[start, end)`` (aware UTC datetimes) plus how it was asked for.

    ``spec`` is the labelled-set form (``{"last": 7, "unit": "day"}``,
    ``{"this": "week"}``, ``{"from": "2026-01-01", "to": "2026-01-31"}``);
    evaluation compares ranges by their resolved bounds, not their text.
    ``default`` is True when the question gave no range and the engine chose one.
    """

    start: datetime
    end: datetime
    label: str
    spec: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    calendar: bool = False
    default: bool = False
    weekdays: tuple[int, ...] = ()
    """Only these days of the week (ISO: Monday is 1) count ("weekdays only", "weekend tickets"); empty: all."""
    hours: tuple[int, int] | None = None
    """Only ``[from, to)`` hours of the day (UTC) count ("between 9 and 10am"); None: all."""

    @property
    def days(self) -> float:
        return (self.end - self.start).total_seconds() / 86400.0


SlotValue = (
    str
    | int
    | float
    | bool
    | EventRef
    | PropertyRef
    | PropertyFilter
    | TimeRange
    | tuple[EventRef, ...]
    | tuple[PropertyFilter, ...]
)


@dataclass(frozen=True)
class Example:
    """An example question of one family, in the project's own names ("what can I ask?")."""

    family: str
    question: str
    description: str = ""

    def to_json(self) -> dict[str, str]:
        return {"family": self.family, "question": self.question, "what": self.description}
