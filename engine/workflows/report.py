"""A workflow's answer: one finding, the evidence per step, what to look at next.

The same report goes three ways: ``to_json`` for chat apps and tests,
``to_markdown`` for pasting into a document, ``render_text`` for the terminal.
Every step carries its queries, so a reader can rerun or doubt each piece.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..backends.base import Table
from ..format import cell
from ..types import EventRef, PropertyFilter, PropertyRef, TimeRange

_TABLE_ROWS = 12


@dataclass(frozen=True)
class QueryRun:
    """One query a step ran: its label among the step's runs, its HogQL, its bound values."""

    label: str
    hogql: str
    values: Mapping[str, Any]
    table: Table | None = None


@dataclass(frozen=True)
class StepResult:
    """What one step did: its queries, its (combined) table, its one-sentence conclusion or its error."""

    id: str
    title: str
    purpose: str
    queries: tuple[QueryRun, ...] = ()
    table: Table | None = None
    summary: str = ""
    error: str | None = None
    skipped: bool = False
    blocked: bool = False
    facts: Mapping[str, Any] = field(default_factory=dict)
    elapsed_ms: float = 0.0

    @property
    def hogql(self) -> str | None:
        return self.queries[0].hogql if self.queries else None

    @property
    def values(self) -> Mapping[str, Any]:
        return self.queries[0].values if self.queries else {}

    @property
    def ok(self) -> bool:
        return self.error is None and not self.skipped

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "purpose": self.purpose,
            "hogql": self.hogql,
            "values": json_safe(self.values),
            "queries": [{"label": q.label, "hogql": q.hogql, "values": json_safe(q.values)} for q in self.queries],
            "table": json_safe(self.table.to_json()) if self.table is not None else None,
            "summary": self.summary,
            "error": self.error,
            "skipped": self.skipped,
            "blocked": self.blocked,
            "facts": json_safe(self.facts),
            "elapsed_ms": round(self.elapsed_ms, 1),
        }


@dataclass(frozen=True)
class Report:
    """The workflow's answer to ``question``."""

    workflow: str
    question: str
    finding: str
    steps: tuple[StepResult, ...]
    follow_ups: tuple[str, ...]
    slots: Mapping[str, Any] = field(default_factory=dict)
    elapsed_ms: float = 0.0

    @property
    def evidence(self) -> tuple[StepResult, ...]:
        """The steps that ran and concluded something."""
        return tuple(s for s in self.steps if s.ok)

    @property
    def failed(self) -> tuple[StepResult, ...]:
        return tuple(s for s in self.steps if s.error is not None)

    def step(self, step_id: str) -> StepResult:
        return next(s for s in self.steps if s.id == step_id)

    def to_json(self) -> dict[str, Any]:
        return {
            "workflow": self.workflow,
            "question": self.question,
            "finding": self.finding,
            "slots": json_safe(self.slots),
            "steps": [s.to_json() for s in self.steps],
            "evidence": [s.id for s in self.evidence],
            "follow_ups": list(self.follow_ups),
            "elapsed_ms": round(self.elapsed_ms, 1),
        }

    def to_markdown(self) -> str:
        lines = [f"## {self.question or self.workflow}", "", f"**Finding:** {self.finding}", ""]
        for n, step in enumerate(self.steps, 1):
            lines += [f"### {n}. {step.title}", "", f"_{step.purpose}_", ""]
            lines.append(_status_line(step))
            lines.append("")
            for q in step.queries:
                if len(step.queries) > 1:
                    lines.append(f"Query ({q.label}):")
                lines += ["```sql", q.hogql.strip(), "```"]
                if q.values:
                    lines.append("Values: " + ", ".join(f"`{k}` = `{cell(v)}`" for k, v in q.values.items()))
                lines.append("")
            if step.table is not None and step.table.rows:
                lines += [*_markdown_table(step.table), ""]
        if self.follow_ups:
            lines += ["### What to look at next", ""] + [f"- {f}" for f in self.follow_ups] + [""]
        return "\n".join(lines)

    def render_text(self) -> str:
        """Plain text for a terminal: the finding, then each step's conclusion and a short table."""
        lines = [self.finding, ""]
        for n, step in enumerate(self.steps, 1):
            lines.append(f"{n}. {step.title}: {_status_line(step)}")
            if step.table is not None and step.table.rows:
                lines += ["   " + row for row in _text_table(step.table)]
            lines.append("")
        if self.follow_ups:
            lines.append("Next:")
            lines += [f"  - {f}" for f in self.follow_ups]
        return "\n".join(lines).rstrip() + "\n"


def _status_line(step: StepResult) -> str:
    if step.error is not None:
        return f"failed: {step.error}"
    if step.skipped:
        return f"skipped: {step.summary}"
    return step.summary


def _shown_rows(table: Table) -> list[list[str]]:
    return [[cell(v) for v in row] for row in table.rows[:_TABLE_ROWS]]


def _markdown_table(table: Table) -> list[str]:
    rows = _shown_rows(table)
    out = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
    if len(table.rows) > _TABLE_ROWS:
        out.append(f"\n_{len(table.rows) - _TABLE_ROWS} more rows_")
    return out


def _text_table(table: Table) -> list[str]:
    rows = _shown_rows(table)
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(table.columns)]
    out = ["  ".join(h.ljust(w) for h, w in zip(table.columns, widths))]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    if len(table.rows) > _TABLE_ROWS:
        out.append(f"... {len(table.rows) - _TABLE_ROWS} more rows")
    return out


def json_safe(value: Any) -> Any:
    """``value`` made of JSON types only: slot objects become their labels, dates ISO strings."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return None if not math.isfinite(value) else value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, TimeRange):
        return {"start": value.start.isoformat(), "end": value.end.isoformat(), "label": value.label}
    if isinstance(value, (EventRef, PropertyRef, PropertyFilter)):
        return value.label()
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(v) for v in value]
    if hasattr(value, "item"):  # numpy scalars
        return json_safe(value.item())
    return str(value)
