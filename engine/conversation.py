"""One user's conversation: clarifications answered, follow-ups that reuse the last question.

A chat app keeps one ``Conversation`` per user; the ``Engine`` behind it is
shared. ``ask`` takes whatever the user typed next: an answer to the pending
clarification ("the purchase event", "2", "yes"), a follow-up ("and by
browser?", "what about last week?"), or a new question.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz, process

from .answer import Answer, Clarification, ClarifyingQuestion
from .catalog import SlotSpec
from .engine import Engine
from .text import normalize
from .timerange import find_time_range
from .types import EventRef, PropertyFilter

_AFFIRM = re.compile(r"^(y|yes|yeah|yep|yup|sure|correct|right|exactly|ok|okay|that one|the first( one)?)\b")
_DENY = re.compile(r"^(n|no|nope|neither|none|nah|wrong|not (that|really)|something else)\b")
_FOLLOW_UP = re.compile(
    r"^(and|also|what about|how about|same (for|but|thing)|now|only|just|but|instead|then|ok(ay)?,? (and|now)|"
    r"split (it|that|them)|break (it|that) down|by\b|per\b|for\b|in\b|on\b|from\b|over\b|last\b|this\b|"
    r"yesterday|today)",
)
_ORDINAL = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}
# A follow-up that adds a breakdown to a single number becomes a breakdown of it.
_WIDEN = {("count", "breakdown"): "breakdown"}


@dataclass
class Conversation:
    """Multi-turn state for one user. Thread-safe: one lock per conversation."""

    engine: Engine
    last: Answer | None = None
    _given: dict[str, Any] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def pending(self) -> bool:
        return self.last is not None and self.last.clarification is not None

    def ask(self, text: str) -> Answer:
        """Whatever the user typed next."""
        with self._lock:
            if self.pending:
                answered = self._reply_text(text)
                if answered is not None:
                    return answered
            if self.last is not None and self.last.clarification is None and self._is_follow_up(text):
                return self._follow_up(text)
            self._given = {}
            return self._remember(self.engine.ask(text))

    def reply(self, text: str | None = None, *, slot: str | None = None, value: Any = None) -> Answer:
        """Answer the pending clarification, with text or with an explicit slot value."""
        with self._lock:
            if not self.pending:
                raise ValueError("there is no pending clarification to reply to")
            if slot is not None:
                return self._fill(slot, value if not isinstance(value, str) else self._parse(slot, value))
            answered = self._reply_text(text or "")
            return answered if answered is not None else self._remember(self.engine.ask(text or ""))

    # -- clarification replies -----------------------------------------------------------------

    def _reply_text(self, text: str) -> Answer | None:
        assert self.last is not None and self.last.clarification is not None
        question = self.last.clarification.questions[0]
        choice = _option(question, text)
        if self.last.clarification.kind == "intent":
            if choice is None and _DENY.match(normalize(text)):
                q = ClarifyingQuestion("rephrase", "Sorry: could you rephrase the question?", ())
                return self._remember(Answer(self.last.question, self.last.intent, 0.0, now=self.last.now,
                                             clarification=Clarification("rephrase", (q,))))
            if choice is None:
                return None
            return self._remember(self.engine.ask(self.last.question, intent=choice, given=self._given))
        if self.last.clarification.kind == "rephrase":
            return None
        value = self._parse(question.slot, choice or text)
        if value is None:
            return None
        return self._fill(question.slot, value)

    def _fill(self, slot: str, value: Any) -> Answer:
        assert self.last is not None
        self._given[slot] = value
        return self._remember(self.engine.ask(self.last.question, intent=self.last.intent, given=self._given))

    def _parse(self, slot: str, text: str) -> Any:
        """A reply as the slot's type: an event, a list of steps, a property, a number, a range, a choice."""
        assert self.last is not None
        spec = self.engine.catalog[self.last.intent].slot(slot)
        if spec is None:
            return None
        return parse_slot_value(self.engine, spec, text, self.last)

    # -- follow-ups ------------------------------------------------------------------------------

    def _is_follow_up(self, text: str) -> bool:
        norm = normalize(text)
        if _FOLLOW_UP.match(norm) and len(norm.split()) <= 8:
            return True
        rec = self.engine.recognizer.recognize(text)
        return len(norm.split()) <= 4 and not rec.rules and rec.ambiguous

    def _follow_up(self, text: str) -> Answer:
        """Reuse the last intent and slots; what the follow-up names replaces or adds to them."""
        assert self.last is not None
        previous = self.last
        intent_id = previous.intent
        reading = self.engine.filler.fill(self.engine.catalog[intent_id], text, self.engine.clock())
        said = {k: v for k, v in reading.values.items() if k not in reading.defaulted}
        if "breakdown" not in said:
            breakdowns = self.engine.filler.read(text, self.engine.clock()).breakdowns
            if breakdowns and breakdowns[0].prop is not None:
                said["breakdown"] = breakdowns[0].prop
        if "breakdown" in said and self.engine.catalog[intent_id].slot("breakdown") is None:
            intent_id = _WIDEN.get((intent_id, "breakdown"), intent_id)
        slots = {k: v for k, v in previous.slots.items() if k not in previous.defaulted or k == "time_range"}
        if "filters" in said and "filters" in slots:
            said["filters"] = tuple(dict.fromkeys((*slots["filters"], *said["filters"])))
        slots.update(said)
        self._given = slots
        return self._remember(self.engine.ask(previous.question, intent=intent_id, given=slots))

    def _remember(self, answer: Answer) -> Answer:
        self.last = answer
        return answer


def _option(question: ClarifyingQuestion, text: str) -> str | None:
    """Which offered option a reply picks: by number, ordinal, yes, or (fuzzily) by name."""
    if not question.options:
        return None
    norm = normalize(text).strip(" .!?")
    if norm.isdigit() and 1 <= int(norm) <= len(question.options):
        return question.options[int(norm) - 1]
    for word, index in _ORDINAL.items():
        if re.search(rf"\bthe {word}\b|^{word}\b", norm):
            return question.options[index if index < 0 else index - 1] if abs(index) <= len(question.options) else None
    if _AFFIRM.match(norm):
        return question.options[0]
    hit = process.extractOne(norm, list(question.options), scorer=fuzz.WRatio, score_cutoff=85)
    return hit[0] if hit else None


def parse_slot_value(engine: Engine, spec: SlotSpec, text: str, context: Answer) -> Any:
    """Turn a short reply into a typed slot value, or None when it does not fit the slot."""
    norm = normalize(text)
    now = context.now or engine.clock()
    if spec.type == "time_range":
        match = find_time_range(norm, now)
        return match.range if match is not None and match.range is not None else None
    if spec.type in ("int", "number"):
        m = re.search(r"\d+(\.\d+)?", norm)
        return (int(float(m.group(0))) if spec.type == "int" else float(m.group(0))) if m else None
    if spec.type == "choice":
        hit = process.extractOne(norm.replace(" ", "_"), list(spec.choices), scorer=fuzz.WRatio, score_cutoff=70)
        return hit[0] if hit else None
    if spec.type == "flag":
        return next((k for k in engine.taxonomy.flags if k in norm or k.replace("-", " ") in norm), None)
    mentions = engine.linker.link(norm)
    events = [m.event for m in mentions if m.kind == "event" and m.event is not None]
    exact = [EventRef(part.strip()) for part in re.split(r"\s*(?:->|,|\bthen\b)\s*", norm)
             if part.strip() in engine.taxonomy.events]
    if spec.type == "event":
        return (exact or events or [None])[0]
    if spec.type == "events":
        steps = exact if len(exact) >= 2 else events
        return tuple(steps) if len(steps) >= (spec.min or 1) else None
    if spec.type == "property":
        props = [m.prop for m in mentions if m.kind == "property" and m.prop is not None]
        return props[0] if props else None
    if spec.type == "filters":
        found = tuple(m.filter for m in mentions if m.kind == "value" and isinstance(m.filter, PropertyFilter))
        return found or None
    return None

