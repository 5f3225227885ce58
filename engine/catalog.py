"""The intent catalog: one YAML file per family, validated on load.

The files are edited by people who do not read Python, so every mistake is
reported with the file, the line and the key, and the loader refuses a catalog
that would make the engine guess (an unknown slot type, a template case naming
a slot that does not exist, a regex that does not compile).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from .errors import CatalogError
from .yamlfiles import line_of, load_with_lines

# The contract of shared/spec/intents.md: these ids, exactly.
FAMILIES: tuple[str, ...] = (
    "count",
    "trend",
    "breakdown",
    "feature_usage",
    "user_list",
    "funnel",
    "retention",
    "paths",
    "cohort_comparison",
    "correlation",
    "activation",
    "churn_risk",
    "revenue",
    "time_to_event",
    "experiment",
    "stickiness",
    "lifecycle",
    "engagement",
    "sessions",
    "anomaly",
    "diagnose",
    "out_of_scope",
)
SLOT_TYPES = frozenset(
    {
        "event",
        "events",
        "property",
        "filters",
        "time_range",
        "choice",
        "int",
        "number",
        "flag",
        "comparison",
        "conditions",
    }
)
OPTION_SOURCES = frozenset(
    {"events", "event_properties", "numeric_properties", "breakdown_properties", "flags", "choices"}
)
MIN_EXAMPLES = 25
READING_FACTS = frozenset(
    {
        "event",
        "metric_phrase",
        "breakdown",
        "interval",
        "grain",
        "compare",
        "per_actor",
        "numeric_total",
        "numeric_property",
        "periods",
        "flag",
        "session_split",
        "first_time",
        "conditions",
        "steps",
        "property_math",
        "month_range",
        "min_days",
        "segments",
        "terse",
        "share",
        "filtered",
        "people",
        "later_period",
        "dated_between",
        "of_active",
        "listed_events",
        "the_rest",
        "counted_negation",
        "among",
        "idle_period",
        "subscribers",
    }
)
"""What a question can be found to hold, for ``widen`` (a family that cannot hold it hands over) and a choice
slot's ``infer`` (a value chosen because the question holds it)."""

_TOP_KEYS = {
    "id": True,
    "description": True,
    "rules": False,
    "examples": True,
    "slots": True,
    "template": False,
    "workflow": False,
    "workflows": False,
    "interpretation": False,
    "follow_ups": False,
    "message": False,
    "widen": False,
    "time_order": False,
    "describe": False,
    "unit": False,
    "maths": False,
    "shows": False,
    "evidence": False,
    "two_ranges": False,
    "reads": False,
    "samples": False,
    "refuse_at": False,
    "query_requests": False,
    "query_writes": False,
    "pasted_sql": False,
    "help_requests": False,
}
_OUT_OF_SCOPE_ONLY = ("refuse_at", "query_requests", "query_writes", "pasted_sql", "help_requests")
"""Keys that describe the line between an analysis and everything else: out_of_scope.yaml holds them."""
SAMPLE_NAMES = frozenset(
    {
        "signup_event",
        "activation_event",
        "revenue_event",
        "feature_event",
        "event",
        "other_event",
        "property",
        "numeric_property",
        "flag",
    }
)
"""The places a family's ``samples`` may name, filled from the project's taxonomy (``askhog.samples``): the four
roles of ``askhog.roles``, any two events, a property to break down by, a numeric property, a feature flag."""
EVIDENCE_FACTS = READING_FACTS | {"time", "no_rule", "no_refusal", "percent"}
"""What recognition can weigh besides words: the reading's facts, a time range, no rule of any family (or no
refusal rule) having fired, a percentage asked (the lexicon's ``percent`` words)."""
UNITS = ("users", "events", "sessions")
_SLOT_KEYS = {
    "name",
    "type",
    "required",
    "default",
    "prompt",
    "options_from",
    "choices",
    "numeric",
    "required_if",
    "min",
    "all_events",
    "role",
    "cues",
    "number",
    "cue",
    "lone",
    "implied",
    "fill_path_when",
    "pair_single",
    "loose",
    "implies_event",
    "grains",
    "infer",
    "accepts",
    "negated",
    "default_with",
    "anchors",
    "narrows",
    "set_aside",
    "silence",
}


@dataclass(frozen=True)
class Rule:
    """A high-precision phrase: when ``pattern`` matches, the family gains ``weight`` of evidence.

    Rules run on normalized (lower-case) questions, so they are case-insensitive either way; a pattern
    with an upper-case letter of its own is compiled with IGNORECASE, the rest without, which makes
    searching them about a third faster.
    """

    pattern: re.Pattern[str]
    weight: float
    note: str = ""
    unless_tracked: bool = False
    """A refusal about data outside the product ("meetings", "servers") that does not apply where the
    question names one of the project's own events by that event's name (``Engine.tracked``)."""


@dataclass(frozen=True)
class WorkflowTrigger:
    """A phrasing that turns a one-query family into a multi-query workflow ("did the experiment win?")."""

    pattern: re.Pattern[str]
    workflow: str


ROLES: tuple[str, ...] = (
    "series.event",
    "series.math",
    "series.property",
    "series.per",
    "series.per_period",
    "filters",
    "breakdown",
    "limit",
    "order",
    "compare",
    "date_range",
    "interval",
    "conditions",
    "exclude",
    "steps",
    "window_days",
    "retention.start",
    "retention.return",
    "retention.period",
    "retention.periods",
    "param",
)
"""What a slot can mean: a field of ``askhog.meaning.Meaning`` (which reads intents, so the list lives here).
An intent file names one per slot (``role:``); ``param`` (the default) keeps the value under the slot's name in
``Meaning.params``, for what only that family's template reads."""


@dataclass(frozen=True)
class SlotSpec:
    """One parameter of a family: its type, what it means (``role``, a field of ``askhog.meaning.Meaning``) and
    how the generic filler finds it in a question (the hints below, all optional).

    * ``cues`` (choice): ``{value: [regex, ...]}`` that pick a value, before the lexicon's cues for the slot name.
    * ``infer`` (choice): ``[[fact, value], ...]``: the value when the question holds that fact and no cue matched.
    * ``number`` (int): which of the lexicon's number cues fills it (default: the slot's name).
    * ``cue`` (event): a regex that, matching the words just before a named event, gives that event to this slot.
    * ``lone`` (event): when the question names exactly one event, it goes here.
    * ``implied`` (event): ``[[regex, default], ...]``: words that stand for an event ("time to value").
    * ``fill_path_when``, ``pair_single`` (events): two named ends of the main path asked "where do users drop
      off" take the steps between; a single named step is paired with its neighbour on the main path (always,
      or when another slot has one of the listed values).
    * ``default_with``: ``[[slot, default], ...]``: the default when that other slot is filled ("paying customers
      who went quiet" reads all time, not the last 60 days: the condition already says who); ``slot=value``: when
      it holds that value ("the longest silent first" looks back over all the data, else silence is capped).
    * ``loose`` (property): a property named without "by" still fills it; ``implies_event``: a property only one
      event has makes that event the measured one; ``grains``: a time grain ("busiest weekday") also fills it;
      ``accepts`` (property): ``[String]`` or ``[Numeric]`` types only, ``event`` scope only...
    """

    name: str
    type: str
    prompt: str
    required: bool = False
    default: Any = None
    options_from: str | None = None
    choices: tuple[str, ...] = ()
    numeric: bool = False
    required_if: Mapping[str, tuple[Any, ...]] | None = None
    min: int | None = None
    all_events: bool = False
    role: str = "param"
    cues: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...] = ()
    infer: tuple[tuple[str, str], ...] = ()
    number: str | None = None
    cue: re.Pattern[str] | None = None
    lone: bool = False
    implied: tuple[tuple[re.Pattern[str], str], ...] = ()
    fill_path_when: re.Pattern[str] | None = None
    pair_single: bool | Mapping[str, tuple[Any, ...]] = False
    loose: bool = False
    implies_event: bool = False
    grains: bool = False
    accepts: tuple[str, ...] = ()
    negated: bool = False
    """(event) takes an event the question negates when no other takes it ("how many never invited anyone"):
    the answer states both who did and who did not."""
    default_with: tuple[tuple[str, str], ...] = ()
    silence: bool = False
    """(time_range) the period named after words of silence ("inactive since Nov 1", "no activity since the
    10th") is how long people have been silent, not the range they were active in."""
    anchors: bool = False
    """(conditions) the signup event named beside more events than the family's event slots take is who is
    followed, not a third event: "among people who signed up in October, the ones who onboarded vs not, what
    share bought" reads people whose first signup is in the range, followed since (a ``within`` condition
    without a day limit)."""
    set_aside: bool = False
    """(event) takes only an event the question sets aside ("leave out checkout"), never one it names plainly;
    (events) every event set aside after words like "ignoring" ("ignoring pageviews and $identify")."""
    narrows: bool = False
    """(filters) a filter on a property the family's event carries narrows that event, not every event the query
    reads: "which pages do users visit after /pricing" starts the paths at the /pricing page view, and the
    journey after it keeps every page."""

    def default_given(self, filled: Mapping[str, Any]) -> Any:
        """The default: the ``default_with`` one of the first other slot that is filled (or holds the value named
        after ``=``), else ``default``."""
        for when, default in self.default_with:
            slot, _, value = when.partition("=")
            if (str(filled.get(slot)) == value) if value else filled.get(slot):
                return default
        return self.default

    def is_required(self, filled: Mapping[str, Any]) -> bool:
        """Required outright, or because another slot took one of the listed values."""
        if self.required:
            return True
        if self.required_if:
            return any(filled.get(slot) in values for slot, values in self.required_if.items())
        return False


@dataclass(frozen=True)
class Intent:
    id: str
    description: str
    rules: tuple[Rule, ...]
    examples: tuple[str, ...]
    slots: tuple[SlotSpec, ...]
    template: str | Mapping[str, Any] | None
    workflow: str | None
    triggers: tuple[WorkflowTrigger, ...]
    interpretation: str
    follow_ups: tuple[str, ...]
    message: str
    source: str
    widen: tuple[tuple[str, str], ...] = ()
    """``[[fact, family], ...]``: a question holding the fact that this family has no slot for goes to that family
    ("how many signups by country" is a breakdown)."""
    time_order: bool = False
    """Named events are put in the order they happen ("purchase after signing up" starts with the signup)."""
    describe: str | Mapping[str, Any] = ""
    """What the answer computes, in words, with ``{slot}`` for slot values ("{activation_event} by new users"), or
    ``{by: <slot>, cases: {...}}`` choosing the sentence like ``template`` chooses a stem."""
    unit: str = ""
    """What the family's figures count when it has no choice of unit ("users" for a list of people): a question
    asking for that unit is answered as asked; asking for another is reported."""
    maths: tuple[str, ...] = ()
    """The statistics the family's answer always states (time between events: median, p90, average)."""
    shows: tuple[str, ...] = ()
    """Person properties the family's answer always shows (a list of people: email, name): asking for them is used."""
    two_ranges: str = "first"
    """When a question names two periods that are not compared: ``first`` (the family's range is the first,
    e.g. retention's cohorts) or ``union`` (it covers both: lifecycle's "active the week before last but not
    last week" reads statuses over both weeks)."""
    reads: tuple[str, ...] = ()
    """Kinds of the lexicon's ``unread_cues`` this family's meaning holds by itself: a cohort comparison is a
    "vs" of doers and those who "didn't", time to event is to the "first" time. Not reported as unread."""
    evidence: tuple[tuple[frozenset[str], float], ...] = ()
    """``[[fact, ..., weight], ...]``: when the question's reading holds all the facts, the family gains the weight
    (negative: loses it) in recognition, as a rule would. A question that names an event and a period and
    nothing else is a count; one naming a tracked event is not a refusal unless a refusal rule says so."""
    samples: tuple[str, ...] = ()
    """Questions of this family with ``{places}`` for the project's own names (``SAMPLE_NAMES``): "what can I ask?"
    fills them from the taxonomy and shows the first that the engine answers as this family."""
    refuse_at: float | None = None
    """(out_of_scope) The out-of-scope operating point (``askhog.recognize.REFUSE_AT``)."""
    query_requests: tuple[re.Pattern[str], ...] = ()
    """(out_of_scope) Ways of asking for a query ("write the HogQL for X"): each captures the analysis asked for
    as ``(?P<rest>...)``; the engine answers that and shows the query first."""
    query_writes: re.Pattern[str] | None = None
    """(out_of_scope) A requested query that would change data ("a query that deletes ..."): refused."""
    pasted_sql: re.Pattern[str] | None = None
    """(out_of_scope) Where a SQL statement typed into the question starts: it is linted and explained, not run."""
    help_requests: tuple[re.Pattern[str], ...] = ()
    """(out_of_scope) Questions about what askhog can do ("what can I ask?"): answered with example questions
    built from the project's own events."""

    def workflow_for(self, text: str) -> str | None:
        """The workflow this question asks for: always the family's own, else the first trigger that matches."""
        if self.workflow:
            return self.workflow
        return next((t.workflow for t in self.triggers if t.pattern.search(text)), None)

    def slot(self, name: str) -> SlotSpec | None:
        return next((s for s in self.slots if s.name == name), None)

    def template_stems(self) -> tuple[str, ...]:
        if self.template is None:
            return ()
        if isinstance(self.template, str):
            return (self.template,)
        return tuple(dict.fromkeys(self.template["cases"].values()))


class Catalog:
    """All intent families: the contract's, in its order, then any a project added.

    ``template_dirs`` are folders whose templates come before the shipped ones: a family added as a YAML file
    brings its template beside it, and nothing else (no Python).
    """

    def __init__(self, intents: Mapping[str, Intent], template_dirs: tuple[Path, ...] = ()):
        missing = [f for f in FAMILIES if f not in intents]
        if missing:
            raise CatalogError("intents/", f"missing intent files for: {', '.join(missing)}")
        added = sorted(i for i in intents if i not in FAMILIES)
        self.intents: dict[str, Intent] = {f: intents[f] for f in (*FAMILIES, *added)}
        self.template_dirs = template_dirs

    def __getitem__(self, intent_id: str) -> Intent:
        return self.intents[intent_id]

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.intents.values())

    @classmethod
    def load(cls, package: str = "askhog.intents", extra: Path | str | None = None) -> Catalog:
        """Load and validate every ``*.yaml`` of the intents package, and of the ``extra`` folder when given
        (its files add families or replace shipped ones; its ``templates/`` folder adds templates)."""
        intents: dict[str, Intent] = {}
        sources: list[tuple[Any, str]] = [(resources.files(package), "intents")]
        if extra is not None:
            if not Path(extra).is_dir():
                raise CatalogError(str(extra), "is not a folder of intent files")
            sources.append((Path(extra), str(extra)))
        for root, label in sources:
            for entry in sorted(root.iterdir(), key=lambda p: p.name):
                if entry.name.endswith(".yaml"):
                    intent = parse_intent(entry.read_text(encoding="utf-8"), f"{label}/{entry.name}")
                    intents[intent.id] = intent
        templates = Path(extra) / "templates" if extra is not None else None
        return cls(intents, (templates,) if templates is not None and templates.is_dir() else ())


# --- validation ------------------------------------------------------------------------------------


def parse_intent(text: str, source: str) -> Intent:
    data = load_with_lines(text, source)
    if not isinstance(data, dict):
        raise CatalogError(source, "an intent file must be a mapping of keys (id, description, examples, ...)")

    def fail(message: str, key: str | None = None, where: Any = data) -> CatalogError:
        return CatalogError(source, message, line=line_of(where, key), key=key)

    for key in data:
        if key not in _TOP_KEYS:
            raise fail(f"unknown key; allowed keys are {', '.join(_TOP_KEYS)}", key)
    for key, required in _TOP_KEYS.items():
        if required and key not in data:
            raise fail(f"missing required key {key!r}")
    intent_id = data["id"]
    for key in _OUT_OF_SCOPE_ONLY:
        if key in data and intent_id != "out_of_scope":
            raise fail(f"{key} belongs in out_of_scope.yaml", key)

    stem = source.rsplit("/", 1)[-1].removesuffix(".yaml")
    if not isinstance(intent_id, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", intent_id):
        raise fail(
            f"{intent_id!r} is not a family id (lower-case letters, digits and _, as in shared/spec/intents.md)", "id"
        )
    if intent_id != stem:
        raise fail(f"id {intent_id!r} must equal the file name {stem!r}", "id")
    if not isinstance(data["description"], str) or not data["description"].strip():
        raise fail("must be a non-empty sentence", "description")

    examples = data["examples"]
    if not isinstance(examples, list) or not all(isinstance(e, str) and e.strip() for e in examples):
        raise fail("must be a list of non-empty questions", "examples")
    if len(examples) < MIN_EXAMPLES:
        raise fail(
            f"has {len(examples)} examples; at least {MIN_EXAMPLES} are needed to train the classifier", "examples"
        )

    rules = tuple(_parse_rule(r, i, source) for i, r in enumerate(data.get("rules") or []))
    slots = _parse_slots(data["slots"], source, data)
    names = {s.name for s in slots}

    template = data.get("template")
    workflow = data.get("workflow")
    if intent_id == "out_of_scope":
        if template or workflow:
            raise fail("out_of_scope renders no query", "template")
        if not isinstance(data.get("message"), str):
            raise fail("out_of_scope needs a 'message' saying what askhog can do", "message")
    elif intent_id == "diagnose":
        if not isinstance(workflow, str):
            raise fail("diagnose needs a 'workflow'", "workflow")
    else:
        _check_template(template, names, source, data)

    for key in ("interpretation",):
        if key in data and not isinstance(data[key], str):
            raise fail("must be text", key)
    follow_ups = data.get("follow_ups") or []
    if not isinstance(follow_ups, list) or not all(isinstance(f, str) for f in follow_ups):
        raise fail("must be a list of questions", "follow_ups")

    return Intent(
        id=intent_id,
        description=data["description"].strip(),
        rules=rules,
        examples=tuple(e.strip() for e in examples),
        slots=slots,
        template=template,
        workflow=workflow,
        triggers=_parse_triggers(data.get("workflows") or [], source, data),
        interpretation=(data.get("interpretation") or "").strip(),
        follow_ups=tuple(follow_ups),
        message=(data.get("message") or "").strip(),
        source=source,
        widen=_parse_pairs(data, "widen", source, READING_FACTS, FAMILIES),
        time_order=_parse_bool(data, "time_order", source),
        describe=_parse_describe(data, names, source),
        unit=_parse_one_of(data, "unit", UNITS, source),
        maths=tuple(_parse_list(data, "maths", source)),
        shows=tuple(_parse_list(data, "shows", source)),
        reads=_parse_reads(data, source),
        evidence=_parse_evidence(data, source),
        two_ranges=_parse_one_of(data, "two_ranges", ("first", "union"), source) or "first",
        samples=_parse_samples(data, source),
        refuse_at=_parse_refuse_at(data, source),
        query_requests=_parse_patterns(data, "query_requests", source, group="rest"),
        query_writes=_parse_pattern(data, "query_writes", source),
        pasted_sql=_parse_pattern(data, "pasted_sql", source),
        help_requests=_parse_patterns(data, "help_requests", source),
    )


def _parse_samples(data: Any, source: str) -> tuple[str, ...]:
    samples = _parse_list(data, "samples", source)
    for text in samples:
        unknown = sorted(set(re.findall(r"\{(\w+)\}", text)) - SAMPLE_NAMES)
        if unknown:
            raise CatalogError(
                source,
                f"sample {text!r} names {{{unknown[0]}}}; a sample's places are {', '.join(sorted(SAMPLE_NAMES))}",
                line=line_of(data, "samples"),
                key="samples",
            )
    return tuple(samples)


def _parse_refuse_at(data: Any, source: str) -> float | None:
    value = data.get("refuse_at")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        raise CatalogError(
            source, "refuse_at is a probability between 0 and 1", line=line_of(data, "refuse_at"), key="refuse_at"
        )
    return float(value)


def _compile_form(text: Any, source: str, data: Any, key: str) -> re.Pattern[str]:
    if not isinstance(text, str):
        raise CatalogError(source, f"{key} holds regular expressions", line=line_of(data, key), key=key)
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error as exc:
        raise CatalogError(
            source, f"{key} pattern {text!r} does not compile: {exc}", line=line_of(data, key), key=key
        ) from None


def _parse_pattern(data: Any, key: str, source: str) -> re.Pattern[str] | None:
    """One regular expression, matched case-insensitively."""
    return _compile_form(data[key], source, data, key) if key in data else None


def _parse_patterns(data: Any, key: str, source: str, group: str | None = None) -> tuple[re.Pattern[str], ...]:
    """``[{pattern: <regex>, note: why}, ...]``, matched case-insensitively; ``group`` must be captured by each."""
    raw = data.get(key) or []
    if not isinstance(raw, list):
        raise CatalogError(source, f"{key} is a list of {{pattern, note}}", line=line_of(data, key), key=key)
    patterns = []
    for item in raw:
        if not isinstance(item, dict) or set(item) - {"pattern", "note"} or "pattern" not in item:
            raise CatalogError(source, f"{key} is a list of {{pattern, note}}", line=line_of(item), key=key)
        pattern = _compile_form(item["pattern"], source, item, "pattern")
        if group is not None and group not in pattern.groupindex:
            raise CatalogError(
                source,
                f"a {key} pattern captures the rest of the question as (?P<{group}>...)",
                line=line_of(item, "pattern"),
                key=key,
            )
        patterns.append(pattern)
    return tuple(patterns)


def _parse_evidence(data: Any, source: str) -> tuple[tuple[frozenset[str], float], ...]:
    out = []
    for item in data.get("evidence") or []:
        if not (
            isinstance(item, list)
            and len(item) >= 2
            and isinstance(item[-1], (int, float))
            and all(isinstance(f, str) for f in item[:-1])
        ):
            raise CatalogError(
                source, "evidence is a list of [fact, ..., weight]", line=line_of(data, "evidence"), key="evidence"
            )
        unknown = [f for f in item[:-1] if f not in EVIDENCE_FACTS]
        if unknown or not -1 <= item[-1] <= 1:
            raise CatalogError(
                source,
                f"evidence facts must be among {sorted(EVIDENCE_FACTS)} and the weight in [-1, 1]",
                line=line_of(data, "evidence"),
                key="evidence",
            )
        out.append((frozenset(item[:-1]), float(item[-1])))
    return tuple(out)


def _parse_describe(data: Any, slot_names: set[str], source: str) -> str | Mapping[str, Any]:
    spec = data.get("describe", "")

    def fail(why: str) -> CatalogError:
        return CatalogError(source, why, line=line_of(data, "describe"), key="describe")

    if isinstance(spec, dict):  # {by: slot, cases: {value: sentence}}, chosen like a template stem
        cases = spec.get("cases")
        if set(spec) != {"by", "cases"} or spec["by"] not in slot_names or not isinstance(cases, dict):
            raise fail("describe is a sentence, or {by: <slot of this family>, cases: {<value>: <sentence>}}")
        texts = list(cases.values())
    else:
        texts = [spec]
    for text in texts:
        if not isinstance(text, str):
            raise fail("describe is a sentence with {slot} places")
        # {slot}; {slot_times} for a count slot ("at least 3 times"); {slot? words with #}: the words, # the value,
        # only when the slot has one (" with at least 5 page views")
        for name in re.findall(r"\{(\w+)(?:\?[^{}]*)?\}", text):
            if name not in slot_names and not (name.endswith("_times") and name[:-6] in slot_names):
                raise fail(f"describe names {{{name}}}, which is not a slot of this family")
    return spec if isinstance(spec, dict) else str(spec)


def _parse_one_of(data: Any, key: str, allowed: tuple[str, ...], source: str) -> str:
    value = data.get(key, "")
    if value and value not in allowed:
        raise CatalogError(source, f"{key} must be one of {', '.join(allowed)}", line=line_of(data, key), key=key)
    return str(value)


UNREAD_KINDS = ("negation", "comparison", "first", "per", "percent", "new", "session", "stop", "between")
"""The kinds of the lexicon's ``unread_cues``, which a family can say it ``reads``."""


def _parse_reads(data: Any, source: str) -> tuple[str, ...]:
    kinds = _parse_list(data, "reads", source)
    if any(k not in UNREAD_KINDS for k in kinds):
        raise CatalogError(
            source,
            f"reads lists kinds of words among {', '.join(UNREAD_KINDS)}",
            line=line_of(data, "reads"),
            key="reads",
        )
    return tuple(kinds)


def _parse_list(data: Any, key: str, source: str) -> list[str]:
    value = data.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CatalogError(source, f"{key} must be a list of words", line=line_of(data, key), key=key)
    return value


def _parse_bool(data: Any, key: str, source: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise CatalogError(source, f"{key} must be true or false", line=line_of(data, key), key=key)
    return value


def _parse_pairs(
    data: Any,
    key: str,
    source: str,
    firsts: frozenset[str] | tuple[str, ...],
    seconds: frozenset[str] | tuple[str, ...] | None,
) -> tuple[tuple[str, str], ...]:
    """``[[a, b], ...]`` where ``a`` is one of ``firsts`` and ``b`` one of ``seconds`` (any text when None)."""
    raw = data.get(key) or []
    pairs = []
    for item in raw if isinstance(raw, list) else [None]:
        if not (isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)):
            raise CatalogError(
                source,
                f"{key} is a list of [{'/'.join(sorted(firsts))[:60]}..., value] pairs",
                line=line_of(data, key),
                key=key,
            )
        if item[0] not in firsts:
            raise CatalogError(
                source, f"{key}: {item[0]!r} is not one of {sorted(firsts)}", line=line_of(data, key), key=key
            )
        if seconds is not None and item[1] not in seconds:
            raise CatalogError(
                source, f"{key}: {item[1]!r} is not one of {sorted(seconds)}", line=line_of(data, key), key=key
            )
        pairs.append((item[0], item[1]))
    return tuple(pairs)


def _parse_triggers(raw: Any, source: str, parent: Any) -> tuple[WorkflowTrigger, ...]:
    if not isinstance(raw, list):
        raise CatalogError(
            source,
            "must be a list of {when: <regex>, workflow: <name>}",
            line=line_of(parent, "workflows"),
            key="workflows",
        )
    triggers = []
    for item in raw:
        if not isinstance(item, dict) or set(item) != {"when", "workflow"}:
            raise CatalogError(
                source, "each entry is {when: <regex>, workflow: <name>}", line=line_of(item), key="workflows"
            )
        try:
            pattern = re.compile(str(item["when"]), re.IGNORECASE)
        except re.error as exc:
            raise CatalogError(
                source, f"'when' does not compile: {exc}", line=line_of(item, "when"), key="when"
            ) from None
        triggers.append(WorkflowTrigger(pattern, str(item["workflow"])))
    return tuple(triggers)


_UPPER_LITERAL = re.compile(r"(?<!\\)[A-Z]")
"""An upper-case letter that is not an escape such as \\B or \\W."""


_RULE_KEYS = frozenset({"pattern", "weight", "note", "unless_tracked"})


def _parse_rule(raw: Any, index: int, source: str) -> Rule:
    if not isinstance(raw, dict) or "pattern" not in raw or "weight" not in raw:
        raise CatalogError(source, f"rule #{index + 1} needs 'pattern' and 'weight'", line=line_of(raw), key="rules")
    try:
        source_text = str(raw["pattern"])
        pattern = re.compile(source_text, re.IGNORECASE if _UPPER_LITERAL.search(source_text) else 0)
    except re.error as exc:
        raise CatalogError(
            source,
            f"rule pattern {raw['pattern']!r} does not compile: {exc}",
            line=line_of(raw, "pattern"),
            key="pattern",
        ) from None
    weight = raw["weight"]
    if not isinstance(weight, (int, float)) or not 0 < weight <= 1:
        raise CatalogError(
            source, f"rule weight must be a number in (0, 1], got {weight!r}", line=line_of(raw, "weight"), key="weight"
        )
    for key in raw:
        if key not in _RULE_KEYS:
            raise CatalogError(
                source, f"unknown rule key {key!r}; allowed: {sorted(_RULE_KEYS)}", line=line_of(raw, key), key=str(key)
            )
    unless_tracked = raw.get("unless_tracked", False)
    if not isinstance(unless_tracked, bool):
        raise CatalogError(
            source, "unless_tracked must be true or false", line=line_of(raw, "unless_tracked"), key="unless_tracked"
        )
    return Rule(pattern, float(weight), str(raw.get("note", "")), unless_tracked)


def _parse_slots(raw: Any, source: str, parent: Any) -> tuple[SlotSpec, ...]:
    if not isinstance(raw, list):
        raise CatalogError(source, "must be a list (use [] for none)", line=line_of(parent, "slots"), key="slots")
    specs: list[SlotSpec] = []
    for item in raw:
        if not isinstance(item, dict) or "name" not in item or "type" not in item:
            raise CatalogError(source, "each slot needs 'name' and 'type'", line=line_of(item), key="slots")
        for key in item:
            if key not in _SLOT_KEYS:
                raise CatalogError(
                    source,
                    f"unknown slot key in slot {item['name']!r}; allowed: {sorted(_SLOT_KEYS)}",
                    line=line_of(item, key),
                    key=key,
                )
        if item["type"] not in SLOT_TYPES:
            raise CatalogError(
                source,
                f"slot {item['name']!r} has unknown type; use one of {sorted(SLOT_TYPES)}",
                line=line_of(item, "type"),
                key="type",
            )
        if not isinstance(item.get("prompt"), str):
            raise CatalogError(
                source,
                f"slot {item['name']!r} needs a 'prompt' (the clarifying question)",
                line=line_of(item),
                key="prompt",
            )
        if item.get("options_from") and item["options_from"] not in OPTION_SOURCES:
            raise CatalogError(
                source,
                f"options_from must be one of {sorted(OPTION_SOURCES)}",
                line=line_of(item, "options_from"),
                key="options_from",
            )
        choices = tuple(item.get("choices") or ())
        if item["type"] == "choice" and not choices:
            raise CatalogError(
                source, f"choice slot {item['name']!r} needs 'choices'", line=line_of(item), key="choices"
            )
        default = item.get("default")
        if item["type"] == "choice" and default not in (None, "by_range") and default not in choices:
            raise CatalogError(
                source, f"default {default!r} is not one of the choices", line=line_of(item, "default"), key="default"
            )
        required_if = item.get("required_if")
        role = item.get("role", "param")
        if role not in ROLES:
            raise CatalogError(
                source,
                f"slot {item['name']!r}: role must be one of {', '.join(ROLES)}",
                line=line_of(item, "role"),
                key="role",
            )
        pair_single = item.get("pair_single", False)
        if not isinstance(pair_single, (bool, dict)):
            raise CatalogError(
                source,
                "pair_single is true, false or {slot: [values]}",
                line=line_of(item, "pair_single"),
                key="pair_single",
            )
        specs.append(
            SlotSpec(
                name=item["name"],
                type=item["type"],
                prompt=item["prompt"],
                required=bool(item.get("required", False)),
                default=default,
                options_from=item.get("options_from"),
                choices=choices,
                numeric=bool(item.get("numeric", False)),
                required_if={k: tuple(v) for k, v in required_if.items()} if required_if else None,
                min=item.get("min"),
                all_events=bool(item.get("all_events", False)),
                role=role,
                cues=_parse_cues(item, choices, source, item["type"]),
                infer=_parse_pairs(item, "infer", source, READING_FACTS, choices or None),
                number=item.get("number"),
                cue=_regex(item, "cue", source),
                lone=_parse_bool(item, "lone", source),
                implied=tuple(
                    (_compile(p, item, "implied", source), str(v))
                    for p, v in _parse_pairs(item, "implied", source, _AnyText(), None)
                ),
                fill_path_when=_regex(item, "fill_path_when", source),
                pair_single=pair_single
                if isinstance(pair_single, bool)
                else {k: tuple(v) for k, v in pair_single.items()},
                loose=_parse_bool(item, "loose", source),
                implies_event=_parse_bool(item, "implies_event", source),
                grains=_parse_bool(item, "grains", source),
                accepts=tuple(item.get("accepts") or ()),
                negated=_parse_bool(item, "negated", source),
                anchors=_parse_bool(item, "anchors", source),
                narrows=_parse_bool(item, "narrows", source),
                set_aside=_parse_bool(item, "set_aside", source),
                silence=_parse_bool(item, "silence", source),
                default_with=tuple(
                    (str(k), str(v)) for k, v in _parse_pairs(item, "default_with", source, _AnyText(), None)
                ),
            )
        )
    names = [s.name for s in specs]
    for spec in specs:
        for when, _ in spec.default_with:
            if (other := when.partition("=")[0]) not in names:
                raise CatalogError(
                    source,
                    f"slot {spec.name!r}: default_with names {other!r}, which is not a slot",
                    line=line_of(parent, "slots"),
                    key="slots",
                )
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise CatalogError(
            source, f"slot names repeat: {sorted(duplicates)}", line=line_of(parent, "slots"), key="slots"
        )
    return tuple(specs)


class _AnyText(frozenset):  # type: ignore[type-arg]
    """Admits any first element of a pair (a regular expression, checked when compiled)."""

    def __contains__(self, item: object) -> bool:
        return isinstance(item, str)


def _compile(pattern: str, where: Any, key: str, source: str) -> re.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise CatalogError(
            source, f"{key}: {pattern!r} does not compile: {exc}", line=line_of(where, key), key=key
        ) from None


def _regex(item: Any, key: str, source: str) -> re.Pattern[str] | None:
    raw = item.get(key)
    if raw is None:
        return None
    if not isinstance(raw, str):
        raise CatalogError(source, f"{key} must be a regular expression", line=line_of(item, key), key=key)
    return _compile(raw, item, key, source)


def _parse_cues(
    item: Any, choices: tuple[str, ...], source: str, slot_type: str
) -> tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]:
    """``{value: [regex, ...]}``: a choice slot's values, or an int slot's whole numbers ("next event" is 1 step)."""
    raw = item.get("cues")
    if raw is None:
        return ()
    if not isinstance(raw, dict) or not all(isinstance(v, list) for v in raw.values()):
        raise CatalogError(source, "cues is {value: [regex, ...]}", line=line_of(item, "cues"), key="cues")
    for value in raw:
        ok = str(value).isdigit() if slot_type == "int" else value in choices
        if not ok:
            raise CatalogError(
                source,
                f"cue value {value!r} is not {'a whole number' if slot_type == 'int' else 'one of the choices'}",
                line=line_of(item, "cues"),
                key="cues",
            )
    return tuple((str(v), tuple(_compile(p, item, "cues", source) for p in ps)) for v, ps in raw.items())


def _check_template(template: Any, slot_names: set[str], source: str, parent: Any) -> None:
    if isinstance(template, str) and template:
        return
    if not isinstance(template, dict) or set(template) - {"by", "cases"} or not isinstance(template.get("cases"), dict):
        raise CatalogError(
            source,
            "must be a template stem or {by: <slot>, cases: {<value>: <stem>}}",
            line=line_of(parent, "template"),
            key="template",
        )
    if template.get("by") not in slot_names:
        raise CatalogError(
            source,
            f"template chooses by {template.get('by')!r}, which is not a slot of this family",
            line=line_of(template, "by"),
            key="by",
        )
