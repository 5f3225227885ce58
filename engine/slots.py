"""Fill an intent's slots from the question and the project's taxonomy.

The filler reads the question once: the time range (and its span, so "March"
is not mistaken for anything else), the numbers with what they count, the
taxonomy mentions (events, properties, values) in order, and the words that
pick a choice ("weekly", "unique users"). Then it gives each family's slots
their roles: the first event is what a count counts, the events in order are
funnel steps, an event after "but not" is excluded. What is still missing and
required becomes a ``SlotIssue``: the clarifying question, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Iterable, Mapping

from .catalog import Intent, SlotSpec
from .errors import TimeRangeError
from .linking import Linker, Mention
from .taxonomy import Taxonomy
from .text import STOPWORDS, normalize, tokenize
from .timerange import default_interval, find_time_range, parse_time_range
from .types import EventRef, PropertyFilter, PropertyRef, TimeRange

_NUM = r"(\d{1,4})"
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                 "nine": 9, "ten": 10, "twelve": 12, "fourteen": 14, "twenty": 20, "thirty": 30}

# (slot, pattern): the number in group 1 is that slot's value. Checked in order.
_NUMBER_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((slot, re.compile(p)) for slot, p in (
    ("limit", rf"\b(?:top|first|best|worst|biggest|largest|bottom)\s+{_NUM}\b(?!\s*(?:days?|weeks?|hours?|months?))"),
    ("limit", rf"\b{_NUM}\s+(?:most|least|top|biggest)\b"),
    ("limit", rf"\b(?:limit|show me|list)\s+{_NUM}\b(?!\s*(?:days?|weeks?|hours?|months?))"),
    ("window_days", rf"\b(?:within|in under|inside|in less than|in the first|first|in)\s+{_NUM}\s*(?:-\s*)?days?\b"),
    ("window_weeks", rf"\b(?:within|in the first|first|in)\s+{_NUM}\s*(?:-\s*)?weeks?\b"),
    ("window_days", rf"\b{_NUM}[- ]day (?:conversion )?window\b"),
    ("min_count", rf"\b(?:at least|more than|over|over|>=?|min(?:imum)?(?: of)?)\s*{_NUM}\s*(?:times|x\b|uploads|events|purchases|files)"),
    ("min_count", rf"\b{_NUM}\s*\+\s*(?:times|uploads|events|purchases|files)?"),
    ("min_count", rf"\b{_NUM}\s+or more\b"),
    ("silent_days", rf"\b(?:silent|inactive|quiet|dormant|gone|not (?:seen|active|logged in|been back)|haven'?t (?:been )?(?:seen|active|logged in|been back|come back|returned|used)|no activity|not used)\D{{0,30}}?{_NUM}\s*(?:\+\s*)?days?\b"),
    ("silent_days", rf"\b{_NUM}\s*\+?\s*days? (?:of )?(?:inactivity|silence|without)\b"),
    ("path_length", rf"\b{_NUM}\s*(?:-\s*)?steps?\b"),
    ("periods", rf"\b(?:for|over|across)\s+{_NUM}\s+(?:weeks|months)\b"),
    ("threshold", rf"\b{_NUM}\s*(?:sigma|standard deviations?|std|stdev|σ)\b"),
))
# What a number may be for each slot it fills: "top 0" or "retention for 9999 weeks" is asked about.
NUMBER_RANGES: dict[str, tuple[int, int]] = {
    "limit": (1, 10_000), "window_days": (1, 365), "window_weeks": (1, 52), "min_count": (1, 100_000),
    "silent_days": (1, 365), "path_length": (1, 10), "periods": (1, 52), "threshold": (1, 10),
}
_NEGATION = re.compile(r"\b(?:but not|but never|never|not|didn'?t|did not|don'?t|do not|haven'?t|have not|hasn'?t|without|no longer|yet to)\b(?:\s+(?!(?:on|of|in|by|for|with|about|number|count|amount)\b)\w+){0,2}\s*$")
_BREAKDOWN_CUE = re.compile(r"(?:\bby|\bper|\bsplit(?: by)?|\bbroken down by|\bbreak(?:down)? by|\bfor each|\bacross|\bgrouped by|\bgroup by|\bsegment(?:ed)? by|\beach|\bwhich|\bwhat|\btop(?: \d+)?|\bmost common|\bcompare)\s+(?:\w+\s+){0,2}$")
_QUOTED_VALUE = re.compile(r"^\s*(?:is|=|==|equals?|:)\s*(['\"])(.{1,80}?)\1")
_BARE_VALUE = re.compile(r"^\s*(?:is|=|==|equals?|:)\s*([^\s,;?'\"()]{1,80})")
_NUMERIC_OP = re.compile(r"^\s*(>=|<=|>|<|=|over|above|more than|greater than|at least|under|below|less than|at most)\s*\$?\s*(\d+(?:\.\d+)?)")
_OPS = {">": ">", "over": ">", "above": ">", "more than": ">", "greater than": ">", ">=": ">=", "at least": ">=",
        "<": "<", "under": "<", "below": "<", "less than": "<", "<=": "<=", "at most": "<=", "=": "="}
_THING_NOUNS = (r"(?:features?|experiments?|a/b tests?|tests?|pages?|buttons?|events?|exports?|exporting|exporters?|"
                r"clicks?|flags?|screens?|reports?|dashboards?|widgets?|builders?|accounts?|customers?|users?|plans?|"
                r"campaigns?|banners?|modals?|popups?|tabs?|links?|menus?|forms?|wizards?|emails?|notifications?|"
                r"tooltips?|cards?|sections?)\b")
_NAMED_EXPERIMENT = re.compile(r"\b([\w][\w-]*)\s+(?:a/b\s+)?(?:experiment|test|flag|rollout)\b")
_GENERIC = frozenset({"the", "this", "that", "our", "my", "an", "a", "latest", "last", "recent", "current", "new", "ab",
                      "a/b", "split", "its", "your", "their", "checkout"})
# Phrases that say "a period" even when the grammar could not resolve them (a future date, "Q5", "last 0 days"):
# the engine asks instead of silently using the default range.
_MONTHS = r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_TIME_LIKE = re.compile(
    rf"\b(?:next|last|past|previous|this|coming)\s+(?:-?\d+\s+)?(?:hours?|days?|weeks?|months?|quarters?|years?)\b"
    rf"|\bsince\s+(?:\d|tomorrow|next|(?:{_MONTHS})\w*\b)|\btomorrow\b|\bq\d\b|\b\d{{4}}-\d{{1,2}}-\d{{1,2}}\b"
    rf"|\bbetween\s+(?:\d|(?:{_MONTHS})\w*\b)\S*(?:\s+\S+)?\s+and\s+\S+")
# What a question must count for "all events" to be its answer: people or events, not "how many did we get".
_ALL_EVENTS_NOUN = re.compile(r"\b(?:users?|people|persons?|customers?|visitors?|accounts?|events?|actions?|activity|"
                              r"active|traffic|hits)\b")
_VAGUE = re.compile(r"\b(?:things|stuff|it|the (?:new )?thing|that thing|this thing|the stuff|that feature|this feature"
                    r"|(?<!customer )success|(?:a )?good (?:outcome|result)s?"
                    r"|^(?:and |now |ok |okay |so )?same|(?:split|break|show|chart) (?:that|it|this|them)"
                    r"|(?:was|is|are|were) (?:that|it|this|these|those) (?:normal|expected|usual|ok|okay|unusual)"
                    r"|(?:for|of) (?:them|those ones))\b")
"""Words that stand for an event without naming one: "what predicts success?" asks which event is success,
and "same but by region" or "was that normal?" asked with no conversation behind it has nothing to refer to."""
_WHERE_LOST = re.compile(r"\bwhere\b|\bwhich steps?\b|\bat which (point|step|stage)\b|\bdrop(s|ped|ping)?[- ]?off\b|\blos(e|ing|t)\b")
_VALUE = re.compile(r"\b(?:value|aha|activat\w*|first success)\b")
_AFTER_REVERSAL = re.compile(r"\b(?:after|once|following|since)\b")


@dataclass(frozen=True)
class SlotIssue:
    """A slot the engine must ask about, with concrete options where they exist."""

    slot: str
    prompt: str
    options: tuple[str, ...] = ()
    reason: str = "missing"


@dataclass
class Filled:
    """The slots of one question: values, which came from defaults, what is still unclear."""

    values: dict[str, Any]
    defaulted: list[str] = field(default_factory=list)
    issues: list[SlotIssue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Reading:
    """What the question says, before roles are assigned."""

    text: str
    time: TimeRange | None
    time_options: tuple[TimeRange, ...]
    comparison: str | None
    numbers: dict[str, int]
    events: list[Mention]
    excluded: list[Mention]
    properties: list[Mention]
    breakdowns: list[Mention]
    filters: list[PropertyFilter]
    unknown_words: list[str]
    metric: Mapping[str, Any] | None
    vague: bool
    bad_numbers: list[tuple[str, int]]


class SlotFiller:
    """One per taxonomy; ``fill`` is pure and thread-safe."""

    def __init__(self, taxonomy: Taxonomy, linker: Linker, vocabulary: frozenset[str] = frozenset()):
        self.taxonomy = taxonomy
        self.linker = linker
        self.vocabulary = vocabulary
        lex = linker.lexicon
        self._metrics = [(re.compile(m["phrase"]), m) for m in lex.get("metrics") or []
                         if m.get("event") in taxonomy.events]
        self._roles = {role: lex.get(role) for role in ("signup_event", "activation_event", "revenue_event")
                       if lex.get(role) in taxonomy.events}
        self._choice_cues = {
            key: [(value, [re.compile(p) for p in patterns]) for value, patterns in by_value.items()]
            for key, by_value in (lex.get("choices") or {}).items()
        }
        self._default_funnel = [e for e in lex.get("default_funnel") or [] if e in taxonomy.events]
        self._referents = [(re.compile(r["pattern"]), r["property"], r["prompt"],
                            tuple(f"{d.name} = {v}" for v in d.values))
                           for r in lex.get("referents") or []
                           if (d := taxonomy.property(r["property"])) is not None and d.values]
        self._flag_names = {self._flag_key(k): k for k in taxonomy.flags}

    # -- reading ---------------------------------------------------------------------------------

    def read(self, question: str, now: datetime) -> Reading:
        text = normalize(question)
        match = find_time_range(text, now)
        time: TimeRange | None = None
        options: tuple[TimeRange, ...] = ()
        comparison: str | None = None
        text_wo_time = text
        if match is not None:
            options, comparison = tuple(match.options), match.comparison
            time = None if match.ambiguous else match.range
            for span in (match.span, match.comparison_span):
                if span:
                    a, b = span
                    text_wo_time = text_wo_time[:a] + " " * (b - a) + text_wo_time[b:]
        text_wo_time = self._blank_flags(text_wo_time)
        numbers: dict[str, int] = {}
        scrubbed = _word_numbers(text_wo_time)
        bad_numbers: list[tuple[str, int]] = []
        for slot, pattern in _NUMBER_CUES:
            m = pattern.search(scrubbed)
            if m and slot not in numbers and slot not in (b for b, _ in bad_numbers):
                value = int(m.group(1))
                low, high = NUMBER_RANGES.get(slot, (0, 10**6))
                if low <= value <= high:
                    numbers[slot] = value
                else:
                    bad_numbers.append((slot, value))
        mentions = self.linker.link(text_wo_time)
        events: list[Mention] = []
        excluded: list[Mention] = []
        properties: list[Mention] = []
        breakdowns: list[Mention] = []
        filters: list[PropertyFilter] = []
        for mention in mentions:
            before = text_wo_time[max(0, mention.start - 40): mention.start]
            after = text_wo_time[mention.end: mention.end + 90]
            if mention.kind == "event" and mention.event is not None:
                (excluded if events and _NEGATION.search(before) else events).append(mention)
            elif mention.kind == "value" and mention.filter is not None:
                filters.append(mention.filter)
            elif mention.kind == "property" and mention.prop is not None:
                explicit = self._explicit_filter(mention.prop, after)
                if explicit is not None:
                    filters.append(explicit)
                elif _BREAKDOWN_CUE.search(before):
                    breakdowns.append(mention)
                else:
                    properties.append(mention)
        covered = [(mention.start, mention.end) for mention in mentions]
        unknown = [t.text for t in tokenize(text_wo_time)
                   if not t.text.isdigit() and len(t.text) > 2 and not self._known(t.text)
                   and not any(a <= t.start < b for a, b in covered)]
        metric = next((row for pattern, row in self._metrics if pattern.search(text_wo_time)), None)
        return Reading(text, time, options, comparison, numbers, events, excluded, properties, breakdowns,
                        filters, unknown, metric, bool(_VAGUE.search(text_wo_time)), bad_numbers)

    def _known(self, word: str) -> bool:
        """A word of the catalog or plain English; "a/b" and "at-risk" are known when their parts are."""
        parts = [p for p in re.split(r"[/\-_]", word) if p] or [word]
        return all(p in STOPWORDS or p in self.vocabulary or len(p) <= 2 for p in parts)

    def _explicit_filter(self, prop: PropertyRef, after: str) -> PropertyFilter | None:
        """``plan is pro``, ``amount over 100``: a property followed by an operator and a value."""
        if prop.type == "Numeric":
            m = _NUMERIC_OP.match(after)
            if m:
                return PropertyFilter(prop, _OPS[m.group(1)], float(m.group(2)))  # type: ignore[arg-type]
            return None
        m = _QUOTED_VALUE.match(after)
        value = m.group(2) if m else None
        if value is None:
            bare = _BARE_VALUE.match(after)
            value = bare.group(1).rstrip(".") if bare else None
        if not value:
            return None
        known = self.taxonomy.property(prop.name, prop.scope)
        if known and known.values:
            value = {v.lower(): v for v in known.values}.get(value.lower(), value)
        return PropertyFilter(prop, "=", value)

    def widen(self, intent: Intent, r: Reading) -> str | None:
        """A single number asked "by country" is a breakdown, asked "per day" a trend: the family that
        can hold what the question names, or None when the recognized family already can."""
        if intent.id != "count":
            return None
        if r.breakdowns and any(m.prop is not None and m.prop.type != "Numeric" for m in r.breakdowns):
            return "breakdown"
        if any(p.search(r.text) for _, patterns in self._choice_cues.get("interval", ()) for p in patterns):
            return "trend"
        return None

    # -- filling ---------------------------------------------------------------------------------

    def fill(self, intent: Intent, question: str, now: datetime,
             given: Mapping[str, Any] | None = None, reading: Reading | None = None) -> Filled:
        """``reading`` is the question's ``read()`` when the caller already has it (the engine does)."""
        reading = reading or self.read(question, now)
        values = self._assign(intent, reading)
        filled = Filled(values={})
        given = dict(given or {})
        for spec in intent.slots:
            if spec.name in given:
                filled.values[spec.name] = given[spec.name]
            elif values.get(spec.name) is not None:
                filled.values[spec.name] = values[spec.name]
        steps = filled.values.get("steps")
        if intent.id == "funnel" and "steps" not in given and steps and len(steps) > len(reading.events):
            filled.notes.append("the steps between the first and the last come from the product's main path "
                                "(engine/lexicon.yaml default_funnel)")
        self._defaults(intent, filled, reading, now)
        self._check(intent, filled, reading)
        return filled

    def _assign(self, intent: Intent, r: Reading) -> dict[str, Any]:
        """Give what the question says its role in this family."""
        out: dict[str, Any] = {}
        slots = {s.name: s for s in intent.slots}
        event_refs = [m.event for m in r.events if m.event is not None]
        if intent.id in ("funnel", "time_to_event") and len(event_refs) >= 2 and self._reversed(r):
            event_refs = [event_refs[1], event_refs[0], *event_refs[2:]]
        if intent.id == "cohort_comparison" and len(event_refs) >= 2 and self._cohort_second(r):
            event_refs = [event_refs[1], event_refs[0], *event_refs[2:]]
        for name, value in r.numbers.items():
            if name == "window_weeks" and "window_days" in slots and "window_days" not in r.numbers:
                out["window_days"] = value * 7
            elif name in slots:
                out[name] = value

        for spec in intent.slots:
            if spec.type == "choice":
                choice = self._choice(intent, spec.name, r.text)
                if choice is not None and choice in spec.choices:
                    out[spec.name] = choice
        if intent.id == "diagnose" and "metric" not in out and (event_refs or r.metric):
            out["metric"] = "revenue" if r.metric and not event_refs else "count"
        if "steps" in slots and len(event_refs) >= 2:
            out["steps"] = self._fill_in_path(tuple(event_refs), r) if intent.id == "funnel" else tuple(event_refs)
        elif "steps" in slots and len(event_refs) == 1 and (intent.id == "funnel" or out.get("metric") == "conversion"):
            out["steps"] = self._conversion_to(event_refs[0])
        self._events(intent, event_refs, r, out)
        if r.time is not None:
            out["time_range"] = r.time
        self._properties(intent, r, out, event_refs)
        if r.metric is not None and not event_refs:
            self._metric_phrase(intent, r.metric, out)
        if "filters" in slots and r.filters:
            out["filters"] = merge_filters(self._rescope_filter(f, event_refs) for f in r.filters)
        if "flag" in slots:
            flag = next((key for name, key in self._flag_names.items() if name in self._flag_key(r.text)), None)
            if flag:
                out["flag"] = flag
        return out

    def _events(self, intent: Intent, events: list[EventRef], r: Reading, out: dict[str, Any]) -> None:
        """Named events take the family's event roles in order; defaulted roles yield to the goal."""
        slots = {s.name: s for s in intent.slots}
        goal = {"activation": "activation_event", "experiment": "goal_event", "correlation": "target_event",
                "revenue": "revenue_event"}.get(intent.id)
        if goal:
            defaults = {s.default for s in intent.slots if s.type == "event" and s.default}
            free = [e for e in events if e.name not in defaults]
            if free:
                out[goal] = free[0]
            elif intent.id == "correlation" and events:
                out[goal] = events[0]
        elif intent.id == "time_to_event" and len(events) <= 1:
            # "how long until first value?", "time to value for signups": from signup to the aha moment
            signup, aha = self._roles.get("signup_event"), self._roles.get("activation_event")
            named = events[0] if events and events[0].name != signup else None
            if named is None and aha and _VALUE.search(r.text):
                named = EventRef(aha)
            if named is not None:
                out["to_event"] = named
                if signup and signup != named.name:
                    out["from_event"] = EventRef(signup)
        else:
            names = [s.name for s in intent.slots if s.type == "event" and s.name != "exclude_event"]
            for name, ref in zip(names, events):
                out[name] = ref
        if "exclude_event" in slots and r.excluded and r.excluded[0].event is not None:
            out["exclude_event"] = r.excluded[0].event

    def _metric_phrase(self, intent: Intent, metric: Mapping[str, Any], out: dict[str, Any]) -> None:
        """"revenue over time": the sum of the revenue event's amount."""
        measure = intent.slot("measure")
        prop = self.taxonomy.property(metric["property"], "event")
        if intent.slot("event") is not None and "event" not in out:
            out["event"] = EventRef(metric["event"])
            if measure is not None and metric.get("measure") in measure.choices and prop is not None:
                out["measure"] = metric["measure"]
                out.setdefault("property", prop.ref())

    def _cohort_second(self, r: Reading) -> bool:
        """"what drives purchases? compare sharers and non-sharers": the cohort is the negated one."""
        second = r.events[1]
        return bool(re.search(r"\bnon[- ]?$", r.text[max(0, second.start - 5):second.start])) or \
            bool(re.search(r"\b(drives?|affects?|impacts?|predicts?|improves?)\b", r.text[:r.events[0].start]))

    def _properties(self, intent: Intent, r: Reading, out: dict[str, Any], events: list[EventRef]) -> None:
        slots = {s.name: s for s in intent.slots}
        props = [self._rescope_prop(m.prop, events) for m in r.breakdowns if m.prop is not None]
        loose = [self._rescope_prop(m.prop, events) for m in r.properties if m.prop is not None]
        numeric = [p for p in loose + props if p.type == "Numeric"]
        categorical_loose = [p for p in loose if p.type != "Numeric"]
        if "breakdown" in slots:
            chosen = next((p for p in props if p.type != "Numeric"), None)
            if chosen is None and intent.id == "breakdown" and categorical_loose:
                chosen = categorical_loose[0]
            if chosen is not None:
                out["breakdown"] = chosen
                owner = self._owner(chosen)
                if intent.id == "breakdown" and "event" not in out and owner is not None:
                    out["event"] = EventRef(owner)  # "cancellation reasons" are subscription_cancelled's
        if "property" in slots and numeric:
            out["property"] = numeric[0]
        if "amount_property" in slots and numeric:
            out["amount_property"] = numeric[0]
        if "feature_property" in slots:
            named = next((p for p in props + loose if p.type == "String" and p.scope == "event"), None)
            if named is not None and named.name != "$pathname":
                out["feature_property"] = named

    def _names_another_experiment(self, text: str) -> bool:
        """"did the pricing page experiment work?" names an experiment: not the project's only flag."""
        flag_words = {w for key in self.taxonomy.flags for w in re.split(r"[\s_-]+", key.lower())}
        return any(m.group(1) not in _GENERIC and m.group(1) not in flag_words
                   for m in _NAMED_EXPERIMENT.finditer(text))

    def _owner(self, prop: PropertyRef) -> str | None:
        """The one event a property belongs to, when only one has it (not the common ones like $browser)."""
        if prop.scope != "event" or prop.name in self.taxonomy.common_event_properties:
            return None
        owners = [e.name for e in self.taxonomy.events.values() if prop.name in e.properties]
        return owners[0] if len(owners) == 1 else None

    def _choice(self, intent: Intent, slot: str, text: str) -> str | None:
        for key in (f"{intent.id}.{slot}", slot):
            for value, patterns in self._choice_cues.get(key, ()):
                if any(p.search(text) for p in patterns):
                    return value
        return None

    def _reversed(self, r: Reading) -> bool:
        """"purchase after signing up" names the later event first."""
        first, second = r.events[0], r.events[1]
        return bool(_AFTER_REVERSAL.search(r.text[first.end:second.start]))

    def _fill_in_path(self, steps: tuple[EventRef, ...], r: Reading) -> tuple[EventRef, ...]:
        """"Where do users drop off between signup and purchase?" asks about every step in between: with
        two named ends on the product's main path, the funnel takes the main path's steps between them."""
        path = self._default_funnel
        first, last = steps[0].name, steps[-1].name
        if len(steps) != 2 or not _WHERE_LOST.search(r.text) or first not in path or last not in path:
            return steps
        i, j = path.index(first), path.index(last)
        if j - i < 2:
            return steps
        return (steps[0], *(EventRef(e) for e in path[i + 1 : j]), steps[-1])

    def _conversion_to(self, event: EventRef) -> tuple[EventRef, ...]:
        """One named step of a conversion, paired with the main path: a start goes to the next step
        ("checkout" → checkout_started → purchase), an outcome comes from the step before it
        ("purchase conversion" → checkout_started → purchase), the first step goes to the last."""
        path = self._default_funnel
        if event.name not in path or len(path) < 2:
            return (event,)
        i = path.index(event.name)
        if i == 0:
            return (event, EventRef(path[-1]))
        if "start" in event.name and i + 1 < len(path):
            return (event, EventRef(path[i + 1]))
        return (EventRef(path[i - 1]), event)

    # -- scope fixes -----------------------------------------------------------------------------

    def _rescope_prop(self, prop: PropertyRef, events: list[EventRef]) -> PropertyRef:
        """``plan`` is the event's own property on purchases, the person's everywhere else."""
        if prop.scope != "event" or not events:
            return prop
        if all(prop.name in self.taxonomy.event_property_names(e.name) for e in events):
            return prop
        person = self.taxonomy.property(prop.name, "person")
        return person.ref() if person is not None else prop

    def _rescope_filter(self, f: PropertyFilter, events: list[EventRef]) -> PropertyFilter:
        prop = self._rescope_prop(f.prop, events) if events else self._person_first(f.prop)
        if prop == f.prop:
            return f
        return replace(f, prop=prop)

    def _person_first(self, prop: PropertyRef) -> PropertyRef:
        """Without an event, "pro users" means the person's plan."""
        if prop.scope == "event" and prop.name not in self.taxonomy.common_event_properties:
            person = self.taxonomy.property(prop.name, "person")
            if person is not None:
                return person.ref()
        return prop

    def _blank_flags(self, text: str) -> str:
        """A flag's name ("new checkout") is not an event mention: blank it before linking."""
        for key in self.taxonomy.flags:
            pattern = r"\b" + r"[\s_-]*".join(re.escape(part) for part in re.split(r"[\s_-]+", key.lower())) + r"\b"
            text = re.sub(pattern, lambda m: " " * len(m.group(0)), text)
        return text

    @staticmethod
    def _flag_key(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()

    # -- defaults and checks ---------------------------------------------------------------------

    def _defaults(self, intent: Intent, filled: Filled, r: Reading, now: datetime) -> None:
        v = filled.values
        for spec in intent.slots:
            if spec.name in v or spec.default is None or spec.name == "time_range" or spec.default == "by_range":
                continue
            value = self._default_value(spec)
            if value is not None:
                v[spec.name] = value
                filled.defaulted.append(spec.name)
        if intent.id == "experiment" and "flag" not in v and len(self.taxonomy.flags) == 1 and \
                not self._names_another_experiment(r.text):
            v["flag"] = next(iter(self.taxonomy.flags))
            filled.defaulted.append("flag")
            filled.notes.append(f"the project has one experiment flag, {v['flag']!r}")
        time_spec = intent.slot("time_range")
        if time_spec is not None and "time_range" not in v and not r.time_options:
            v["time_range"] = self._default_range(intent, time_spec, v, now)
            filled.defaulted.append("time_range")
        for spec in intent.slots:
            if spec.default == "by_range" and spec.name not in v and isinstance(v.get("time_range"), TimeRange):
                v[spec.name] = default_interval(v["time_range"])
                filled.defaulted.append(spec.name)

    def _default_value(self, spec: SlotSpec) -> Any:
        if spec.type == "event":
            name = spec.default
            if isinstance(name, str) and name.startswith("@"):  # a role of the lexicon: "@activation_event"
                name = self._roles.get(name[1:])
            return EventRef(name) if name in self.taxonomy.events else None
        if spec.type == "property":
            found = self.taxonomy.property(spec.default)
            return found.ref() if found is not None else None
        return spec.default

    def _default_range(self, intent: Intent, spec: SlotSpec, v: Mapping[str, Any], now: datetime) -> TimeRange:
        phrase = str(spec.default or "last 30 days")
        if intent.id == "retention":
            unit = "months" if v.get("period") == "month" else "weeks"
            phrase = f"last {int(v.get('periods') or 8)} {unit}"
        try:
            return replace(parse_time_range(phrase, now), default=True)
        except TimeRangeError:
            return replace(parse_time_range("last 30 days", now), default=True)

    def _check(self, intent: Intent, filled: Filled, r: Reading) -> None:
        v = filled.values
        time_spec = intent.slot("time_range")
        unread = _TIME_LIKE.search(r.text) if r.time is None and not r.time_options and not r.comparison else None
        if time_spec is not None and unread is not None and "time_range" in filled.defaulted:
            del v["time_range"]
            filled.defaulted.remove("time_range")
            filled.issues.append(SlotIssue(
                "time_range", f"I could not use the period {unread.group(0)!r} (is it in the future, or not a "
                              f"real date?). {time_spec.prompt}", ("last 7 days", "last 30 days", "last month"),
                "unreadable_time"))
        if r.time_options and "time_range" not in v and time_spec is not None:
            filled.issues.append(SlotIssue(
                "time_range", "Which period do you mean?", tuple(t.label for t in r.time_options), "ambiguous"))
        for spec in intent.slots:
            if spec.name in v or not spec.is_required(v):
                if spec.type == "events" and spec.name in v and len(v[spec.name]) < (spec.min or 1):
                    filled.issues.append(self._events_issue(spec, v[spec.name]))
                continue
            if spec.all_events and not r.events and not r.unknown_words and not r.vague and r.metric is None \
                    and _ALL_EVENTS_NOUN.search(r.text):
                filled.notes.append("no event named: counting all events")
                continue
            if spec.type == "events" and r.events:
                partial = tuple(m.event for m in r.events if m.event is not None)
                filled.issues.append(self._events_issue(spec, self._conversion_to(partial[0]) if len(partial) == 1 else partial))
                continue
            filled.issues.append(self._issue(spec, r))
        self._check_unknown_names(intent, filled, r)
        self._check_referents(intent, filled, r)
        for name, value in r.bad_numbers:
            slot = intent.slot("window_days" if name == "window_weeks" else name)
            if slot is not None:
                low, high = NUMBER_RANGES[name]
                filled.values.pop(slot.name, None)
                filled.issues.append(SlotIssue(
                    slot.name, f"{value} does not work here: use a number from {low} to {high}. {slot.prompt}", (),
                    "out_of_range"))

    def _check_unknown_names(self, intent: Intent, filled: Filled, r: Reading) -> None:
        """"how sticky is widget exporting?": a name the project does not have, or "it" with nothing
        to refer to, is asked about instead of silently answered with the default event."""
        primary = next((s for s in intent.slots if s.type in ("event", "events")), None)
        if primary is None or any(i.slot == primary.name for i in filled.issues):
            return
        named = [w for w in r.unknown_words if re.search(rf"\b{re.escape(w)}\s+{_THING_NOUNS}", r.text)]
        if named:  # "conversion from widget export to purchase": a step the project does not have
            phrase = named[0]
            filled.values.pop(primary.name, None)
            filled.issues.append(SlotIssue(
                primary.name, f"This project has no event or property called {phrase!r}. {primary.prompt}",
                tuple(self.linker.suggest_events(phrase)), "unknown_event"))
            return
        said = primary.name in filled.values and primary.name not in filled.defaulted
        if r.vague and not r.events and r.metric is None and not said:
            filled.issues.append(SlotIssue(primary.name, primary.prompt, tuple(self.linker.event_options()), "vague"))

    def _check_referents(self, intent: Intent, filled: Filled, r: Reading) -> None:
        """"the campaign", "the new feature": something the question points at without naming. Asked
        about (with the property's values) rather than answered for every campaign or feature."""
        spec = next((s for s in intent.slots if s.type == "filters"), None)
        if spec is None or any(i.slot == spec.name for i in filled.issues):
            return
        for pattern, name, prompt, options in self._referents:
            if not pattern.search(r.text):
                continue
            if any(f.prop.name == name for f in filled.values.get(spec.name) or ()):
                continue
            filled.issues.append(SlotIssue(spec.name, prompt, options, "referent"))
            return

    def _events_issue(self, spec: SlotSpec, partial: tuple[EventRef, ...]) -> SlotIssue:
        options = []
        if len(partial) >= 2:
            options.append(" -> ".join(e.name for e in partial))
        options.append(" -> ".join(self._default_funnel[-2:]))
        options.append(" -> ".join((self._default_funnel[0], self._default_funnel[-1])))
        return SlotIssue(spec.name, spec.prompt, tuple(dict.fromkeys(o for o in options if o)), "missing")

    def _issue(self, spec: SlotSpec, r: Reading) -> SlotIssue:
        if spec.type in ("event", "events"):
            phrase = " ".join(r.unknown_words[-3:])
            if phrase and not r.events:
                return SlotIssue(spec.name, f"I couldn't find an event matching {phrase!r}. {spec.prompt}",
                                 tuple(self.linker.suggest_events(phrase)), "unknown_event")
            return SlotIssue(spec.name, spec.prompt, tuple(self.linker.event_options()))
        return SlotIssue(spec.name, spec.prompt, self.options_for(spec))

    def options_for(self, spec: SlotSpec) -> tuple[str, ...]:
        tax = self.taxonomy
        if spec.type == "events":
            return self._events_issue(spec, ()).options
        source = spec.options_from or ("choices" if spec.choices else None)
        if source == "choices":
            return spec.choices
        if source == "events":
            return tuple(self.linker.event_options())
        if source == "flags":
            return tuple(tax.flags)
        if source == "numeric_properties":
            return tuple(p.name for p in tax.event_properties.values() if p.type == "Numeric")
        if source == "breakdown_properties":
            preferred = ("$browser", "$device_type", "$os", "$geoip_country_code", "$initial_utm_source", "plan")
            return tuple(p for p in preferred if tax.property(p) or tax.property(p, "person"))
        if source == "event_properties":
            return tuple(p.name for p in tax.event_properties.values() if p.values)
        return ()


def _word_numbers(text: str) -> str:
    return re.sub(r"\b(" + "|".join(_WORD_NUMBERS) + r")\b", lambda m: str(_WORD_NUMBERS[m.group(1)]), text)


def merge_filters(filters: Iterable[PropertyFilter]) -> tuple[PropertyFilter, ...]:
    """Drop repeats; several values of one property ("pro and free users") become one ``in`` filter,
    since AND-ing them would match nobody."""
    merged: dict[tuple[PropertyRef, str], PropertyFilter] = {}
    for f in dict.fromkeys(filters):
        key = (f.prop, "=" if f.op in ("=", "in") else f"{f.op}:{f.value}")
        previous = merged.get(key)
        if previous is None or f.op not in ("=", "in"):
            merged[key] = f
            continue
        values = tuple(dict.fromkeys((*_values(previous), *_values(f))))
        merged[key] = PropertyFilter(f.prop, "in" if len(values) > 1 else "=", values if len(values) > 1 else values[0])
    return tuple(merged.values())


def _values(f: PropertyFilter) -> tuple[str, ...]:
    return tuple(f.value) if isinstance(f.value, tuple) else (str(f.value),)
