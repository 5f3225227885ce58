"""What an analysis receives and returns, and the number formats its sentences share.

An analysis is a named, reusable conclusion (a change point, a segment
ranking, an experiment readout) that a workflow file attaches to a step. It
reads the step's table(s) and earlier steps' facts and returns a summary
sentence plus facts for later steps and for the finding.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..backends.base import Backend, Table
from ..errors import WorkflowError
from ..taxonomy import Taxonomy
from ..types import EventRef, PropertyRef


@dataclass(frozen=True)
class StepInput:
    """A step's results and context: ``table`` is the combined result, ``runs`` each run's own."""

    table: Table | None
    runs: Mapping[str, Table]
    slots: Mapping[str, Any]
    params: Mapping[str, Any]
    facts: Mapping[str, Mapping[str, Any]]
    backend: Backend
    taxonomy: Taxonomy
    now: datetime

    def require_table(self, *columns: str) -> Table:
        """The step's table, refusing clearly when the query did not return the expected columns."""
        return require_columns(self.table, columns)

    def run(self, label: str, *columns: str) -> Table:
        if label not in self.runs:
            raise WorkflowError(f"the step has no run {label!r}; it ran {sorted(self.runs)}")
        return require_columns(self.runs[label], columns)


@dataclass(frozen=True)
class Outcome:
    """A summary sentence, facts for later steps, and optionally a table to show instead of the raw result."""

    summary: str
    facts: dict[str, Any] = field(default_factory=dict)
    table: Table | None = None


Analysis = Callable[[StepInput], Outcome]


def require_columns(table: Table | None, columns: tuple[str, ...]) -> Table:
    if table is None:
        raise WorkflowError("the step returned no table to analyse")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise WorkflowError(f"the query returned columns {list(table.columns)}, not {missing}")
    return table


def p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def day_text(value: date | datetime) -> str:
    return value.strftime("%Y-%m-%d")


def label_of(value: Any) -> str:
    """How a slot value reads in a sentence: an event by its name, a property by its name, steps joined by arrows."""
    if isinstance(value, (EventRef, PropertyRef)):
        return value.label() if isinstance(value, EventRef) else value.name
    if isinstance(value, (list, tuple)):
        return " → ".join(label_of(v) for v in value)
    return str(value)


def as_date(value: Any) -> date:
    """A day from what a backend returns for ``toDate(...)``: a date, a datetime, or an ISO string."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    raise WorkflowError(f"expected a day, got {value!r}")


def to_float(value: Any) -> float:
    return 0.0 if value is None else float(value)
