"""What ``Engine.ask`` returns: an answer, or a clarifying question, as plain typed data.

A clarification is a normal result, not an error: a chat app shows its
questions and options, the user picks one, and the ``Conversation`` carries on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from .asking import AskReason
from .backends.base import Table
from .errors import Problem
from .types import EventRef, Example, PropertyFilter, PropertyRef, TimeRange

if TYPE_CHECKING:
    from .forms import PastedQuery
    from .interpret import Interpretation
    from .meaning import Meaning
    from .workflows import Report

ClarificationKind = Literal["intent", "slots", "rephrase"]

READING_WARNINGS = frozenset({"unused_words", "partial_period", "assumption"})
"""Warning codes that say the answer may not be exactly the question asked."""


@dataclass(frozen=True)
class ClarifyingQuestion:
    """One thing askhog must ask about (a slot, the family, a rephrasing), with concrete options where they exist."""

    slot: str
    prompt: str
    options: tuple[str, ...] = ()
    reason: AskReason = "missing"
    """Why askhog asks (``askhog.asking.ASK_REASONS``)."""

    def to_json(self) -> dict[str, Any]:
        return {"slot": self.slot, "prompt": self.prompt, "options": list(self.options), "reason": self.reason}


@dataclass(frozen=True)
class Clarification:
    """One or more questions the engine needs answered before it can write a query."""

    kind: ClarificationKind
    questions: tuple[ClarifyingQuestion, ...]

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "questions": [q.to_json() for q in self.questions]}

    def text(self) -> str:
        lines = []
        for q in self.questions:
            lines.append(q.prompt)
            lines.extend(f"  {i}. {o}" for i, o in enumerate(q.options, 1))
        return "\n".join(lines)


@dataclass
class Answer:
    """The engine's reading of one question and, once complete, its HogQL.

    ``hogql`` holds ``{placeholders}``; ``values`` binds them (as PostHog's query
    API does); ``inline`` is the paste-ready form for PostHog's SQL editor.
    """

    question: str
    intent: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...] = ()
    slots: dict[str, Any] = field(default_factory=dict)
    defaulted: tuple[str, ...] = ()
    clarification: Clarification | None = None
    hogql: str | None = None
    values: dict[str, Any] = field(default_factory=dict)
    inline: str | None = None
    template: str | None = None
    warnings: tuple[Problem, ...] = ()
    interpretation_guide: str = ""
    follow_ups: tuple[str, ...] = ()
    message: str | None = None
    workflow: str | None = None
    rules: tuple[str, ...] = ()
    words: tuple[tuple[str, float], ...] = ()
    notes: tuple[str, ...] = ()
    now: datetime | None = None
    meaning: Meaning | None = None
    reading: tuple[tuple[str, str, bool], ...] = ()
    """Each span of the question the engine read: its text, what it was read as, and whether the answer used it."""
    wants_query: bool = False
    """The question asked for the query ("write the HogQL for ..."): the query is the answer, shown first."""
    pasted: PastedQuery | None = None
    """SQL typed as the question, as the guard and the checklist judged it (``message`` explains it; it is run
    only when the user confirms, as an answer of its own with ``hogql``)."""
    examples: tuple[Example, ...] = ()
    """The answer to "what can I ask?": example questions made from the project's own events."""
    _runner: Callable[[Answer], Table | Report] | None = field(default=None, repr=False, compare=False)
    _interpreter: Callable[[Answer, Table], Interpretation] | None = field(default=None, repr=False, compare=False)

    @property
    def answered(self) -> bool:
        return self.clarification is None

    @property
    def caveats(self) -> tuple[Problem, ...]:
        """The warnings about the *reading* of the question (words not used, a partial period, an assumption),
        as opposed to the query checklist's performance warnings."""
        return tuple(w for w in self.warnings if w.code in READING_WARNINGS)

    def run(self) -> Table | Report:
        """Execute on the engine's backend (embedded chDB by default): the HogQL's ``Table``,
        or for a workflow family (diagnose) the ``Report`` of its several queries."""
        from .errors import AskhogError

        if (self.hogql is None and self.workflow is None) or self.clarification is not None or self._runner is None:
            raise AskhogError(self.message or "this answer has no query to run: answer its clarification first")
        return self._runner(self)

    def interpret(self, table: Table) -> Interpretation:
        if self._interpreter is None:
            from .errors import AskhogError

            raise AskhogError("this answer was not made by an Engine: ask the engine to read results")
        return self._interpreter(self, table)

    def to_insight(self) -> dict[str, Any]:
        """PostHog's insight query for this answer: an ``InsightVizNode`` around the native kind where the family
        maps (trends, funnels, retention, stickiness, lifecycle, paths), else a ``DataVisualizationNode`` with the
        HogQL; ``askhog.insight.to_insight`` also says why an answer is saved as HogQL."""
        from .insight import to_insight

        return to_insight(self).query

    def explain(self) -> str:
        """Why the engine read the question this way: intent, evidence, the span-by-span reading, slots, defaults."""
        lines = [f"intent: {self.intent} (confidence {self.confidence:.2f})"]
        if self.meaning is not None:
            lines.append(f"computes: {self.meaning.describe()}")
        if self.alternatives:
            lines.append("  runners-up: " + ", ".join(f"{i} {p:.2f}" for i, p in self.alternatives))
        if self.rules:
            lines.append("  rules: " + "; ".join(self.rules))
        if self.words:
            lines.append("  words: " + ", ".join(f"{w!r}" for w, _ in self.words))
        if self.reading:
            lines.append("reading:")
            lines.extend(
                f"  {text.strip()!r}: {label}{'' if used else '  (NOT USED)'}" for text, label, used in self.reading
            )
        for name, value in self.slots.items():
            mark = " (default)" if name in self.defaulted else ""
            lines.append(f"  {name}: {describe(value)}{mark}")
        for note in self.notes:
            lines.append(f"  note: {note}")
        if self.template:
            lines.append(f"template: {self.template}")
        for w in self.warnings:
            lines.append(f"warning: {w}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "intent": self.intent,
            "confidence": round(self.confidence, 4),
            "alternatives": [{"intent": i, "confidence": round(p, 4)} for i, p in self.alternatives],
            "slots": {k: to_json_value(v) for k, v in self.slots.items()},
            "defaulted": list(self.defaulted),
            "clarification": self.clarification.to_json() if self.clarification else None,
            "hogql": self.hogql,
            "values": {k: to_json_value(v) for k, v in self.values.items()},
            "inline": self.inline,
            "template": self.template,
            "warnings": [str(w) for w in self.warnings],
            "message": self.message,
            "workflow": self.workflow,
            "follow_ups": list(self.follow_ups),
            "wants_query": self.wants_query,
            "pasted": self.pasted.to_json() if self.pasted is not None else None,
            "examples": [e.to_json() for e in self.examples],
        }


def describe(value: Any) -> str:
    """A slot value as a person reads it."""
    if isinstance(value, (EventRef, PropertyRef, PropertyFilter)):
        return value.label()
    if isinstance(value, TimeRange):
        return f"{value.label} ({value.start:%Y-%m-%d %H:%M} to {value.end:%Y-%m-%d %H:%M})"
    if isinstance(value, tuple):
        sep = " -> " if value and isinstance(value[0], EventRef) else ", "
        return sep.join(describe(v) for v in value)
    return str(value)


def to_json_value(value: Any) -> Any:
    """Slot values in the labelled-set shape: events by name, ranges by spec and bounds."""
    if isinstance(value, EventRef):
        if not value.filters:
            return value.name
        return {"event": value.name, "filters": [to_json_value(f) for f in value.filters]}
    if isinstance(value, PropertyRef):
        return value.name
    if isinstance(value, PropertyFilter):
        v = list(value.value) if isinstance(value.value, tuple) else value.value
        return {"property": value.prop.name, "scope": value.prop.scope, "op": value.op, "value": v}
    if isinstance(value, TimeRange):
        return {**value.spec, "start": value.start.isoformat(), "end": value.end.isoformat(), "label": value.label}
    if isinstance(value, tuple):
        return [to_json_value(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value
