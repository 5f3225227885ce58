"""The engine: wires the stages from a question to an answer.

question → recognize → fill slots → clarify? → render → validate → (run) → interpret

One ``Engine`` serves many conversations from many threads: everything it
holds is built once and only read afterwards; per-question state lives in the
``Answer`` it returns (and in a ``Conversation``, for chat apps).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .answer import Answer, Clarification, ClarifyingQuestion
from .backends.base import Backend, Table
from .catalog import Catalog, Intent
from .clock import Clock, aware_utc, utc_now, whole_seconds
from .demo.products import demo_taxonomy
from .errors import AskhogError, Problem, QuestionError
from .forms import PastedQuery, help_request, pasted_query, query_request
from .hogql.verdicts import VerdictCache
from .interpret import Interpretation, interpret
from .limits import checked_text
from .linking import Linker, load_lexicon, merge_lexicon
from .meaning import Meaning
from .paths import cache_home
from .recognize import THRESHOLD, Recognition, Recognizer
from .render import Renderer, select_template
from .replies import coerce_slot_value
from .roles import resolve_roles
from .samples import build_examples, candidates, help_text
from .settings import load_settings
from .slots import Filled, SlotFiller, reading_warnings
from .taxonomy import Taxonomy
from .text import Question, stem
from .types import Example, TimeRange

if TYPE_CHECKING:
    from .reading import Reading, Span
    from .workflows import Report

TRACKED_SCORE = 90.0
"""How sure a taxonomy link must be to lift a refusal about outside data (exact and scattered links)."""

_ANY_EVENT_BETWEEN = "SELECT 1 FROM events WHERE timestamp >= {start} AND timestamp < {end} LIMIT 1"
"""Does a period hold data: one row at most, read from the events' time order."""


class Engine:
    """``Engine().ask("how many users signed up last week?")``.

    ``backend`` runs queries (default: the embedded chDB demo, created on first
    use); ``taxonomy`` names the project's events (default: the backend's, or the
    demo's); ``clock`` returns "now" (default ``clock.utc_now``; tests fix it), aware or naive meaning UTC: the
    engine reads it as aware UTC to the second (``engine.clock()``);
    ``settings`` are the project's (default: ``askhog.yaml`` in the askhog home).
    """

    def __init__(
        self,
        backend: Backend | None = None,
        *,
        taxonomy: Taxonomy | None = None,
        catalog: Catalog | None = None,
        clock: Clock = utc_now,
        cache_dir: str | None = None,
        settings: Mapping[str, Any] | None = None,
    ):
        self._backend = backend
        self._backend_lock = threading.Lock()
        self.clock: Clock = whole_seconds(clock)
        self.catalog = catalog or Catalog.load()
        if taxonomy is None:
            taxonomy = backend.taxonomy() if backend is not None else demo_taxonomy()
        self.taxonomy = taxonomy
        self.recognizer = Recognizer(self.catalog, cache_dir=cache_home(cache_dir) / "models")
        vocabulary = self.recognizer.vocabulary()
        self.settings = load_settings() if settings is None else settings
        lexicon = merge_lexicon(load_lexicon(taxonomy), self.settings.get("lexicon") or {})
        self.roles = resolve_roles(taxonomy, lexicon, self.settings)
        self.linker = Linker(taxonomy, lexicon, known_words=vocabulary, roles=self.roles)
        self.renderer = Renderer(taxonomy, self.catalog)
        self.filler = SlotFiller(taxonomy, self.linker, vocabulary, self.roles)
        self.verdicts = VerdictCache()
        self._examples: tuple[Example, ...] | None = None
        self._examples_lock = threading.Lock()

    def tracked(self, text: str, start: int, end: int) -> bool:
        """Is ``text[start:end]`` part of a mention of one of the project's own events, by the event's own
        name ("meetings were booked" for ``meeting_booked`` in a scheduling product), or one of its data's own
        property values ("accounts from capterra" where capterra is an acquisition source, "2-10 employee
        businesses" where 2-10 is a company size)? Then a refusal about outside data does not apply to it.
        Lexicon synonyms ("sales" for ``purchase``) do not count: "sales calls" stays outside data."""
        for m in self.linker.link(text):
            if m.score < TRACKED_SCORE or not (m.start < end and start < m.end):
                continue
            if m.kind == "value" and m.filter is not None and m.phrase.lower().startswith(str(m.filter.value).lower()):
                return True
            if m.kind != "event" or m.event is None:
                continue
            own_words = {stem(w) for w in m.event.name.strip("$").split("_") if w}
            if own_words & {stem(w) for w in re.findall(r"[a-z]+", m.phrase)}:
                return True
        return False

    # -- the backend -------------------------------------------------------------------------------

    @property
    def backend(self) -> Backend:
        """The configured backend; the embedded demo store is only built when first needed, on the engine's clock
        (a pinned engine neither finds its demo stale nor regenerates it at the wall clock)."""
        with self._backend_lock:
            if self._backend is None:
                from .backends.embedded import EmbeddedBackend

                self._backend = EmbeddedBackend(clock=self.clock)
            return self._backend

    # -- asking ------------------------------------------------------------------------------------

    def ask(
        self,
        question: str,
        *,
        intent: str | None = None,
        given: Mapping[str, Any] | None = None,
        now: datetime | None = None,
    ) -> Answer:
        """Read a question; return an Answer (with HogQL) or one carrying a Clarification.

        ``intent`` forces the family (after the user picked one); ``given`` holds
        slot values the user already supplied in this conversation.
        """
        text = checked_text(question)
        if now is not None and not isinstance(now, datetime):
            raise QuestionError(f"now must be a datetime, not {type(now).__name__}")
        now = aware_utc(now) if now is not None else self.clock()
        if intent is not None and (not isinstance(intent, str) or intent not in self.catalog.intents):
            raise QuestionError(f"unknown intent {intent!r}; the families are {', '.join(self.catalog.intents)}")
        forms = self.catalog["out_of_scope"]
        if intent is None:
            pasted = pasted_query(forms, text)
            if pasted is not None:
                return self._pasted(text, pasted, now)
            if help_request(forms, text):
                return self.help(text, now)
        request = query_request(forms, text)
        if request is None:
            return self._analysis(text, intent, given, now)
        if request.write:
            message = (
                "askhog only reads your data: it does not write queries that change it "
                f"({request.rest!r}). Ask for a query that reads, e.g. 'write the HogQL for daily signups'."
            )
            return Answer(question=text, intent="out_of_scope", confidence=1.0, now=now, message=message)
        if not request.rest:
            return self.help(text, now, lead="Which analysis should the query compute? For example:")
        answer = self._analysis(request.rest, intent, given, now)
        return replace(answer, question=text, wants_query=answer.intent != "out_of_scope")

    def _analysis(self, text: str, intent: str | None, given: Mapping[str, Any] | None, now: datetime) -> Answer:
        """The analysis a question asks for (its form already read): an answer, a clarification or a refusal."""
        question = Question.of(text)  # normalized once, for every stage below
        if intent is None and (
            self.recognizer.foreign(question)
            or (not self.recognizer.known_words(question) and not self.linker.link(text.lower()))
        ):
            return self._unreadable(text, now)
        # the reader sees the question respelled, keeping the project's own names ("safari" is no typo of "search")
        respelled = Question(text, self.recognizer.correct(question.text, keep=self.linker.keeps))
        reading = self.filler.read(respelled, now)
        facts = (
            reading.facts()
            | ({"time"} if reading.time is not None else set())
            | ({"percent"} if self.filler.says("percent", reading.text) else set())
        )
        recognition = self.recognizer.recognize(question, tracked=self.tracked, facts=facts, keep=self.linker.keeps)
        converged = None if intent else self._converged(recognition, reading)
        if intent is None and recognition.ambiguous and converged is None:
            return self._which_intent(text, recognition, now)
        chosen = self.catalog[intent or converged or recognition.intent]
        confidence = 1.0 if intent else recognition.confidence
        if chosen.id == "out_of_scope":  # a refusal reads no slots
            return replace(self._base(text, chosen, recognition, confidence, now), message=chosen.message)
        wider = None if intent else self.filler.widen(chosen, reading, self.catalog)
        if wider is not None:
            chosen = self.catalog[wider]
        base = self._base(text, chosen, recognition, confidence, now)
        checked = self._checked(chosen, given, text, now)
        filled = self.filler.fill(chosen, text, now, checked, reading)
        only = self._only_month_with_data(filled, reading)
        if only is not None:  # "in November", asked in November of the data's first year: no other November
            filled = self.filler.fill(chosen, text, now, {**checked, only[0]: only[1]}, reading)
            filled.notes.append(f"{only[1].label}: the other reading of the month has no data")
        meaning = Meaning.build(chosen, filled.values, now)
        base = replace(
            base,
            slots=filled.values,
            defaulted=tuple(filled.defaulted),
            notes=tuple(filled.notes),
            meaning=meaning,
            reading=tuple((s.text, s.label, _was_used(s, filled.used)) for s in reading.spans),
            warnings=tuple(reading_warnings(filled, meaning, now)),
        )
        workflow = chosen.workflow_for(text.lower())
        if workflow:
            return self._workflow_answer(replace(base, workflow=workflow), chosen, filled)
        if filled.issues:
            questions = tuple(filled.issues)
            return replace(base, clarification=Clarification("slots", questions))
        return self._render(base, chosen, filled)

    def _only_month_with_data(self, filled: Filled, reading: Reading) -> tuple[str, TimeRange] | None:
        """The one reading of a month named while it runs that has data ("November", asked during the data's
        first November, can only mean this one): asked only when both Novembers could be meant. A quarter named
        while it runs ("Q4") is always asked about, as the labelled sets' writers ask it; a backend that cannot
        be asked leaves the question asked."""
        issue = next((i for i in filled.issues if i.reason == "ambiguous"), None)
        if issue is None or len(filled.issues) > 1 or not all("month" in r.spec for r in reading.time_options):
            return None
        try:
            held = [
                r
                for r in reading.time_options
                if self.backend.run(_ANY_EVENT_BETWEEN, {"start": r.start, "end": r.end}).rows
            ]
        except AskhogError:
            return None
        return (issue.slot, held[0]) if len(held) == 1 else None

    def _checked(self, intent: Intent, given: Mapping[str, Any] | None, text: str, now: datetime) -> dict[str, Any]:
        """Slot values passed in code are checked (or parsed, when text) before anything renders them."""
        if not given:
            return {}
        if not isinstance(given, Mapping):
            raise QuestionError(f"given must map slot names to values, not {type(given).__name__}")
        context = Answer(question=text, intent=intent.id, confidence=1.0, now=now)
        checked = {}
        for name, value in given.items():
            spec = intent.slot(name) if isinstance(name, str) else None
            if spec is not None and value is not None:
                checked[name] = coerce_slot_value(self, spec, value, context)
        return checked

    # -- stages ------------------------------------------------------------------------------------

    def _base(self, text: str, intent: Intent, rec: Recognition, confidence: float, now: datetime) -> Answer:
        return Answer(
            question=text,
            intent=intent.id,
            confidence=confidence,
            alternatives=rec.alternatives,
            rules=tuple(f"{h.intent}: {h.note or h.pattern}" for h in rec.rules),
            words=rec.words,
            interpretation_guide=intent.interpretation,
            follow_ups=intent.follow_ups,
            now=now,
            _runner=self._run_answer,
            _interpreter=self._interpret,
        )

    def _render(self, base: Answer, intent: Intent, filled: Filled) -> Answer:
        assert intent.template is not None and base.meaning is not None
        slots = {s.name: filled.values.get(s.name) for s in intent.slots}
        stem = select_template(intent.template, slots)
        rendered = self.renderer.render(stem, base.meaning)
        warnings = self.verdicts.check(rendered.hogql)
        ignored = tuple(
            Problem(
                "unused_words",
                f"the {stem} query cannot apply {part}: the answer does not reflect it",
                fix=None,
                severity="warning",
            )
            for part in rendered.ignored
        )
        return replace(
            base,
            hogql=rendered.hogql,
            values=dict(rendered.values),
            inline=rendered.inline(),
            template=stem,
            warnings=(*base.warnings, *ignored, *warnings),
        )

    def _workflow_answer(self, base: Answer, intent: Intent, filled: Filled) -> Answer:
        """A workflow asks only for what it cannot default; the family's other slot questions do not apply."""
        from .workflows import load_workflow, missing_inputs

        workflow = load_workflow(base.workflow or "")
        questions = [i for i in filled.issues if i.slot in workflow.inputs]
        for spec in missing_inputs(workflow, filled.values):
            if all(q.slot != spec.name for q in questions):
                slot = intent.slot(spec.name)
                options = self.filler.options_for(slot) if slot is not None else ()
                questions.append(ClarifyingQuestion(spec.name, spec.prompt, options))
        if questions:
            return replace(base, clarification=Clarification("slots", tuple(questions)))
        return base

    def _converged(self, rec: Recognition, reading: Reading) -> str | None:
        """The family two close readings both lead to once the question's facts widen them: "which weekday
        gets the most purchases" is a breakdown whether read as a trend or a breakdown, so nothing is asked.
        None unless they agree, together clear the threshold, and no refusal is in doubt."""
        if not rec.alternatives or rec.intent == "out_of_scope":
            return None
        second, score = rec.alternatives[0]
        if second == "out_of_scope" or rec.maybe_refusal or rec.confidence + score < THRESHOLD:
            return None
        ends = {self.filler.widen(self.catalog[i], reading, self.catalog) or i for i in (rec.intent, second)}
        return ends.pop() if len(ends) == 1 else None

    def _which_intent(self, text: str, rec: Recognition, now: datetime) -> Answer:
        """Rasa's two-stage fallback: offer the two best readings, let the user pick or rephrase."""
        first, second = rec.intent, rec.alternatives[0][0]
        options = tuple(i for i in (first, second) if i != "out_of_scope") or (first,)
        descriptions = [f"{self.catalog[i].description.rstrip('.').lower()} ({i})" for i in options]
        prompt = (
            "Did you mean " + " or ".join(descriptions) + "?"
            if len(options) > 1
            else f"Did you mean {descriptions[0]}?"
        )
        refusal = max((h for h in rec.rules if h.intent == "out_of_scope"), key=lambda h: h.weight, default=None)
        if refusal is not None or "out_of_scope" in (first, second):
            why = (
                f" ({refusal.note.split(':')[0].split('(')[0].strip()})" if refusal is not None and refusal.note else ""
            )
            prompt = (
                f"This may be a question askhog cannot answer from your product's events{why}. "
                + prompt
                + " If not, please rephrase."
            )
        answer = self._base(text, self.catalog[first], rec, rec.confidence, now)
        question = ClarifyingQuestion("intent", prompt, options, "two_families")
        return replace(answer, clarification=Clarification("intent", (question,)))

    # -- what can I ask? --------------------------------------------------------------------------

    def examples(self) -> tuple[Example, ...]:
        """One example question per family, made from this project's events and properties and checked to be
        answered as that family (``askhog.samples``); built on first use."""
        with self._examples_lock:
            if self._examples is None:
                families = [(i.id, i.description, i.samples) for i in self.catalog if i.samples]
                places = candidates(self.taxonomy, self.roles)
                self._examples = build_examples(families, places, self._analysis_now)
            return self._examples

    def _analysis_now(self, question: str) -> Answer:
        return self._analysis(question, None, None, self.clock())

    def help(self, text: str = "what can I ask?", now: datetime | None = None, lead: str = "") -> Answer:
        """The answer to "what can I ask?": example questions about this project's own events."""
        examples = self.examples()
        return Answer(
            question=text,
            intent="out_of_scope",
            confidence=1.0,
            now=now or self.clock(),
            message=help_text(examples, lead),
            examples=examples,
        )

    # -- pasted SQL --------------------------------------------------------------------------------

    def _pasted(self, text: str, pasted: PastedQuery, now: datetime) -> Answer:
        return Answer(
            question=text, intent="out_of_scope", confidence=1.0, now=now, message=pasted.explain(), pasted=pasted
        )

    def run_pasted(self, answer: Answer) -> Answer:
        """The pasted query of ``answer``, once the user asked to run it: an answer with that HogQL, checked by
        the guard again (raises ``UnsafeQueryError`` for anything but a read-only SELECT)."""
        pasted = answer.pasted
        if pasted is None or not pasted.runnable:
            raise AskhogError("there is no checked read-only query to run: paste a SELECT first")
        warnings = self.verdicts.check(pasted.sql)
        return Answer(
            question=pasted.sql,
            intent="out_of_scope",
            confidence=1.0,
            hogql=pasted.sql,
            inline=pasted.sql,
            warnings=warnings,
            now=answer.now or self.clock(),
            pasted=pasted,
            wants_query=True,
            _runner=self._run_answer,
            _interpreter=self._interpret,
        )

    def _unreadable(self, text: str, now: datetime) -> Answer:
        examples = (
            "how many users signed up last week?",
            "where do users drop off between signup and purchase?",
            "daily active users this month",
        )
        message = (
            "I could not find a question about your product data in that. askhog reads English "
            "questions such as: "
            + "; ".join(f"'{e}'" for e in examples)
            + ".\n\n"
            + self.catalog["out_of_scope"].message
        )
        return Answer(question=text, intent="out_of_scope", confidence=0.0, now=now, message=message)

    # -- running -----------------------------------------------------------------------------------

    def _run_answer(self, answer: Answer) -> Table | Report:
        if answer.workflow:
            return self.run_workflow(answer)
        assert answer.hogql is not None
        return self.backend.run(answer.hogql, answer.values)

    def run_workflow(self, answer: Answer, options: Mapping[str, Any] | None = None) -> Report:
        """Run the family's multi-query workflow (diagnose) with the answer's slots; steps run concurrently."""
        from .workflows import run_workflow  # numpy/scipy statistics load only for workflows

        workflow = answer.workflow
        if workflow is None or answer.clarification is not None:
            raise AskhogError(
                f"{answer.intent!r} has no workflow to run" if workflow is None else "answer the clarification first"
            )
        return run_workflow(
            workflow,
            answer.slots,
            backend=self.backend,
            renderer=self.renderer,
            taxonomy=self.taxonomy,
            now=answer.now or self.clock(),
            options=options,
            question=answer.question,
            roles=self.roles,
        )

    def _interpret(self, answer: Answer, table: Table) -> Interpretation:
        return interpret(answer, table)


def _was_used(span: Span, used: set[tuple[int, int]]) -> bool:
    return span.key in used or any(a <= span.start and span.end <= b for a, b in used)
