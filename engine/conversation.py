"""One user's conversation: clarifications answered, follow-ups that reuse the last question.

A chat app keeps one ``Conversation`` per user; the ``Engine`` behind it is
shared. ``ask`` takes whatever the user typed next: an answer to the pending
clarification ("the purchase event", "2", "yes"), a follow-up ("and by
browser?", "what about last week?"), or a new question.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field, replace
from typing import Any

from rapidfuzz import fuzz, process

from .answer import Answer, Clarification, ClarifyingQuestion
from .engine import Engine
from .errors import QuestionError
from .forms import query_request
from .limits import checked_text
from .replies import coerce_slot_value, parse_slot_value
from .text import normalize

_AFFIRM = re.compile(r"^(y|yes|yeah|yep|yup|sure|correct|right|exactly|ok|okay|that one|yes please)[.! ]*$")
_DENY = re.compile(r"^(n|no|nope|neither|none|nah|wrong|not (that|really)|something else)[.! ]*$")
_FOLLOW_UP = re.compile(
    r"^(and|also|what about|how about|same (for|but|thing)|now|only|just|but|instead|ok(ay)?,? (and|now)|"
    r"split (it|that|them)|break (it|that) down)\b",
)
_RUN = re.compile(
    r"^(?=\w)((y|yes|yeah|yep|yup|sure|ok|okay|please|go ahead|do it|please do)[,!.]? ?)*"
    r"((run|execute)( it| that| this| the query)?)?( please| now)?[.! ]*$"
)
"""A yes to "run it?" after pasted SQL."""
_ORDINAL = re.compile(r"^(?:the |number |option )?(first|second|third|fourth|fifth|last)(?: one| option)?$")
_MAX_OPTION_DIGITS = 4
"""An option number longer than this is not an option number (and never reaches ``int``)."""
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "last": -1}


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
        """Whatever the user typed next (held to the same length limit as ``Engine.ask``)."""
        text = checked_text(text, "reply" if self.pending else "question")
        with self._lock:
            if self.pending:
                answered = self._reply_text(text)
                if answered is not None:
                    return answered
            last = self.last
            pasted = last.pasted if last is not None and last.hogql is None else None
            if pasted is not None and pasted.runnable and _RUN.match(normalize(text)):
                assert last is not None
                return self._remember(self.engine.run_pasted(last))  # checked again before it runs
            request = query_request(self.engine.catalog["out_of_scope"], text)
            if request is not None and not request.rest and last is not None and last.hogql is not None:
                return self._remember(replace(last, wants_query=True))  # "show me the query": the last answer's
            has_answer = (
                self.last is not None
                and self.last.clarification is None
                and (self.last.hogql is not None or self.last.workflow is not None)
            )
            if has_answer and self._is_follow_up(text):
                return self._follow_up(text)
            self._given = {}
            return self._remember(self.engine.ask(text))

    def reply(self, text: str | None = None, *, slot: str | None = None, value: Any = None) -> Answer:
        """Answer the pending clarification, with text or with an explicit slot value (text, in either, is
        held to the same length limit as ``Engine.ask``)."""
        if slot is None:
            text = checked_text(text, "reply")
        with self._lock:
            if not self.pending:
                raise QuestionError("there is no pending clarification to reply to: ask a question first")
            if slot is not None:
                assert self.last is not None
                spec = self.engine.catalog[self.last.intent].slot(slot)
                if spec is None:
                    raise QuestionError(f"{self.last.intent!r} has no slot {slot!r}")
                return self._fill(slot, coerce_slot_value(self.engine, spec, value, self.last))
            assert text is not None
            answered = self._reply_text(text)
            return answered if answered is not None else self._remember(self.engine.ask(text))

    # -- clarification replies -----------------------------------------------------------------

    def _reply_text(self, text: str) -> Answer | None:
        assert self.last is not None and self.last.clarification is not None
        question = self.last.clarification.questions[0]
        choice = _option(question, text)
        if self.last.clarification.kind == "intent":
            if choice is None and _DENY.match(normalize(text)):
                q = ClarifyingQuestion("rephrase", "Sorry: could you rephrase the question?", (), "rephrase")
                return self._remember(
                    Answer(
                        self.last.question,
                        self.last.intent,
                        0.0,
                        now=self.last.now,
                        clarification=Clarification("rephrase", (q,)),
                    )
                )
            if choice is None:
                return None
            return self._remember(self.engine.ask(self.last.question, intent=choice, given=self._given))
        if self.last.clarification.kind == "rephrase":
            return None
        if question.slot == "time_range" and choice is not None:
            # the options are the readings of the question's own phrase: pick that reading, not its label's
            options = self.engine.filler.read(self.last.question, self.last.now or self.engine.clock()).time_options
            value = options[question.options.index(choice)] if len(options) == len(question.options) else None
        else:
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
        """ "and by browser?", "what about last week?": short, leaning on the last question, and not
        confidently a question of another family in its own right."""
        norm = normalize(text)
        rec = self.engine.recognizer.recognize(text, tracked=self.engine.tracked)
        assert self.last is not None
        # "and what's the retention?" asks another analysis; "and by browser?" only adds a breakdown
        standalone = (
            rec.intent not in (self.last.intent, "breakdown", "trend")
            and not rec.ambiguous
            and any(h.intent == rec.intent and h.weight >= 0.8 for h in rec.rules)
        )
        if _FOLLOW_UP.match(norm) and len(norm.split()) <= 8:
            return not standalone
        return len(norm.split()) <= 4 and not rec.rules and rec.ambiguous

    def _follow_up(self, text: str) -> Answer:
        """Reuse the last intent and slots; what the follow-up names replaces or adds to them."""
        assert self.last is not None
        previous = self.last
        filler, now = self.engine.filler, self.engine.clock()
        reading = filler.read(text, now)
        # the same widening as a new question: a count followed up "by browser" becomes a breakdown
        intent_id = filler.widen(self.engine.catalog[previous.intent], reading, self.engine.catalog) or previous.intent
        filled = filler.fill(self.engine.catalog[previous.intent], text, now, reading=reading)
        said = {k: v for k, v in filled.values.items() if k not in filled.defaulted}
        if "breakdown" not in said and reading.breakdowns and reading.breakdowns[0].prop is not None:
            said["breakdown"] = reading.breakdowns[0].prop
        slots = {k: v for k, v in previous.slots.items() if k not in previous.defaulted or k == "time_range"}
        if "filters" in said and "filters" in slots:  # "only Chrome users" after "only Safari users" replaces it
            named = {f.prop for f in said["filters"]}
            said["filters"] = (*(f for f in slots["filters"] if f.prop not in named), *said["filters"])
        slots.update(said)
        self._given = slots
        answer = self.engine.ask(previous.question, intent=intent_id, given=slots)
        dropped = [name for name in said if self.engine.catalog[intent_id].slot(name) is None]
        if dropped:
            answer = replace(
                answer, notes=(*answer.notes, f"{intent_id} cannot use {', '.join(dropped)}; it was left out")
            )
        return self._remember(answer)

    def _remember(self, answer: Answer) -> Answer:
        self.last = answer
        return answer


def _option(question: ClarifyingQuestion, text: str) -> str | None:
    """Which offered option a reply picks: by number, ordinal, yes, or (fuzzily) by name."""
    if not question.options:
        return None
    norm = normalize(text).strip(" .!?")
    # isdecimal, not isdigit: "²" is a digit int() cannot read; the length bound keeps int() cheap
    if norm.isdecimal() and len(norm) <= _MAX_OPTION_DIGITS and 1 <= int(norm) <= len(question.options):
        return question.options[int(norm) - 1]
    ordinal = _ORDINAL.match(norm)
    if ordinal:
        index = _ORDINALS[ordinal.group(1)]
        return question.options[index if index < 0 else index - 1] if abs(index) <= len(question.options) else None
    if _AFFIRM.match(norm):
        return question.options[0]
    hit = process.extractOne(norm, list(question.options), scorer=fuzz.WRatio, score_cutoff=85)
    return hit[0] if hit else None
