"""Fill a family's slots from the reading of a question, by the roles its intent file declares.

No family is named here. What each slot *means* (its ``role``: the measured event, the unit and
aggregate, the returning event, the breakdown, the comparison, the conditions...) and how it is found
in a question (its hints: a cue before a named event, "a single named event goes here", a time grain
also fills a breakdown...) is data in ``intents/*.yaml``, validated by ``askhog.catalog``. This
module applies those hints the same way for every family, then the defaults, then what must be asked
(a required slot nobody filled, a name the project does not have, a referent with nothing named), and
records which spans of the question each slot used, so the engine can report the rest.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from .answer import ClarifyingQuestion
from .asking import AskReason
from .catalog import Catalog, Intent, SlotSpec
from .english import is_english
from .errors import Problem, TimeRangeError
from .linking import Linker, Mention
from .meaning import Breakdown, Comparison, Condition, Meaning, previous_range
from .prefilter import Gated, gated
from .reading import BRACKETED, NUMBER_RANGES, PERIOD_GAP, FoundFilter, Number, Reader, Reading
from .roles import event_named, resolve_roles
from .taxonomy import Taxonomy
from .text import STOPWORDS, Question, stem
from .timerange import calendar_unit, default_interval, from_spec, parse_time_range
from .types import EventRef, PropertyFilter, PropertyRef, TimeRange

_THING_NOUNS = (
    r"(?:features?|experiments?|a/b tests?|tests?|pages?|buttons?|events?|exports?|exporting|exporters?|"
    r"clicks?|flags?|screens?|reports?|dashboards?|widgets?|builders?|accounts?|customers?|users?|plans?|"
    r"campaigns?|banners?|modals?|popups?|tabs?|links?|menus?|forms?|wizards?|emails?|notifications?|"
    r"tooltips?|cards?|sections?|views?|tiers?|crash\w*|errors?)\b"
)
_UI_ELEMENT = re.compile(
    r"[ -](banners?|buttons?|modals?|pop-?ups?|widgets?|tooltips?|links?|menus?|tabs?|cards?|toasts?|ctas?|"
    r"nudges?|prompts?|overlays?|sidebars?|carousels?)\b"
)
"""Elements of an interface: after an event's word ("the upgrade banner") they name something of their own."""
_ACTION = re.compile(
    r"\b(?:who|that|users|people|persons|accounts|customers|visitors|members|clients)\s+(?:have\s+|has\s+|had\s+)?"
    r"(?P<verb>[a-z]{3,}ed)\s+(?:(?:on|off|up|in|out)\s+)?(?:a\s+|an\s+|the\s+|their\s+|any\s+|some\s+|our\s+)?"
    r"(?P<obj>[a-z]{3,})\b"
)
"""'people who scanned receipts', 'users turned on two-factor auth': a past action and what it was done to, to hold
against the project's events."""
_USED_THING = re.compile(
    r"\b(?:who|that|users?|people|persons|accounts?|customers?|visitors?|members?|clients?)\s+(?:have\s+|has\s+|had\s+)?"
    r"(?P<verb>used|tried)\s+(?:the\s+|our\s+|a\s+|an\s+|their\s+|any\s+)?(?P<obj>[a-z]{3,}(?:\s+[a-z]{3,})?)"
)
"""'people who used time tracking': a thing used, which the project may track nothing of."""
_USED_BOUNDARY = frozenset(
    {
        *("last", "this", "that", "these", "those", "during", "since", "yesterday", "today", "over", "per", "for"),
        *("and", "but", "more", "less", "than", "each", "every", "once", "twice", "times", "before", "after", "until"),
        *("recently", "already", "ever", "again", "all", "any", "anything", "something", "within", "from", "with"),
    }
)
"""Words after "used" that end the name of the thing used ("used time tracking last week")."""
_USED_WHOLE = frozenset(
    {"app", "apps", "product", "products", "site", "website", "platform", "tool", "service", "software", "it"}
)
"""What is used when people use the product itself ("users who used the app in October"): being active."""
_STATE_VERBS = frozenset(
    {
        *("used", "visited", "returned", "churned", "engaged", "logged", "signed", "started", "joined", "stopped"),
        *("reached", "tried", "converted", "dropped", "completed", "finished", "continued", "remained", "stayed"),
        *("based", "located", "headquartered", "interested"),
    }
)
"""Verbs of being around or of being somewhere rather than of doing one thing ("users who visited the site",
"customers based in the Netherlands")."""
_AGAIN = re.compile(r"\b(again|back to|a second time|once more)\b")
"""A funnel step named twice is one step (the same checkout, named as the step and as who started it) unless
the question says it happens again."""
_NAMED_EXPERIMENT = re.compile(r"\b([\w][\w-]*)\s+(?:a/b\s+)?(?:experiment|test|flag|rollout)\b")
_GENERIC = frozenset(
    {
        "the",
        "this",
        "that",
        "our",
        "my",
        "an",
        "a",
        "latest",
        "last",
        "recent",
        "current",
        "new",
        "ab",
        "a/b",
        "split",
        "its",
        "your",
        "their",
        "checkout",
    }
)
_ALL_EVENTS_NOUN = re.compile(
    r"\b(?:users?|people|persons?|customers?|visitors?|accounts?|events?|actions?|activity|"
    r"active|traffic|hits|ppl|folks|sessions?)\b"
)
"""What a question must count for "all events" to be its answer: people or events, not "how many did we get"."""
_DESCRIBING = re.compile(
    r"\w+(?:est|ly|ier)|very|really|super|pretty|quite|most|least|total|overall|daily|weekly|monthly|"
    r"zero|ignore|ignoring|exclude|excluding|skip|skipping|acquired|referred|sourced|driven|attributed|brought"
)
"""Unknown words that describe rather than name (superlatives, adverbs, "zero events", "ignore users", "google-acquired
users"): never asked about as a missing event."""
_USED = re.compile(r"\b(?:use[sd]?|using|tried|trying|adopted|enabled|turned on)\s+(?:the\s+|our\s+|a\s+|any\s+)?$")
"""A word right after a verb of using and before an event's noun names a feature: "used recurring invoices"."""
_LEAVE_OUT = re.compile(
    r"\b(?:ignor\w*|skip\w*|exclud\w*|except|not counting|leav\w* out|other than|apart from|minus)\b[^.;:?!]*$"
)
"""Words earlier in the clause that set events aside: "ignoring pageviews and $identify" (not "never did X")."""
_SERIES_ASKED = re.compile(r"(?:by|per|each|every|over)\b|\w+ly$")
"""An interval said as a series ("by month", "weekly"), not as a span ("within a day") or a change ("MoM")."""
_PEOPLE_WORDS = r"accounts?|members?|customers?|subscribers?|users?|people"
_PEOPLE_NOUN = re.compile(rf"\b(?:{_PEOPLE_WORDS})\b")
"""The first word naming who is counted ("how many accounts ..."): held against the signup event's name."""
_EVER_NOT = re.compile(
    r"\b(?:never|not ever|at no point|not once|still (?:haven'?t|hasn'?t|have not|has not|not|no)|not yet|yet to)\b"
)
""""never did X", "still haven't done X" are at no time before now; other negations ("without X", "didn't X") are
within the range."""
_ACTION_AT = re.compile(
    r"\b(?:after|before|following|until)\s+(?:someone|somebody|anyone|people|users|they|he|she|we|customers|accounts|"
    r"(?:a|an|the|each|every) (?:user|account|person|customer|visitor|member))?\s*$"
)
"""Where an action is named ("after someone opens ..."): an unknown word here is an event the project lacks."""
_BOUNDS = frozenset({">", ">=", "<", "<="})
_TOTAL_BEFORE = re.compile(r"\b(total(?:l?ing)?|add(?:ing)? up to|summing to|worth)\s+$")
_TOTAL_AFTER = re.compile(r"(?:\s+[\w$.,-]+){0,3}?\s+(in total|total|altogether|combined|all together|cumulatively)\b")
_HAD = re.compile(r"\b(?:had|has|have|with|but)\s+$")
_CONTRAST = re.compile(r"\b(?:vs\.?|versus|compared? (?:to|with)|against|than|or)\b")
""""vs those who don't": a negated event after one of these is the other side of a comparison."""
_ON_A_VALUE = re.compile(
    rf"\b(?:{_PEOPLE_WORDS}|teams?|companies)\s+(?:(?:who|that) (?:are|were|is)\s+)?"
    r"(?:currently |still |now )?(?:on|in)\s+(?:the\s+|a\s+|an\s+)?$"
)
"""People "on the business plan", "in the pro tier": a state of theirs, said after them."""
_BY_EVENTS = ("events", "activity")
"""The ranks of a list of people that count each one's events."""
_EACH = re.compile(r"\s+(?:they\s+)?(?:each|apiece)\b")
""""How many events each had": a figure said of every person listed."""


def _silence_slot(intent: Intent) -> SlotSpec | None:
    """The slot of a family that measures silence (churn_risk's ``silent_since``), if it has one."""
    return next((s for s in intent.slots if s.silence), None)


def _one_event(mentions: Iterable[Mention]) -> bool:
    """Mentions of one event only, however often it is said ("do pro users search more ... who searched")."""
    return len({m.event.name if m.event else None for m in mentions}) == 1


def _spare_with_groups(spec: SlotSpec) -> bool:
    """A slot required only while no groups are named ("compare users who did what?"): with "pro vs free users"
    given, the one event named is what is measured, not who is compared."""
    return not spec.required and bool(spec.required_if) and all(None in v for v in (spec.required_if or {}).values())


def _negated_period(r: Reading, end: int) -> tuple[TimeRange, tuple[int, int]] | None:
    """A later period said right after a negated action, in its clause: the period in which the people did not
    do it ("uploaded in October but did not upload in November"), and where it is said."""
    for period, span in r.later_periods():
        gap = r.text[end : span[0]]
        if span[0] >= end and len(gap) <= PERIOD_GAP and not re.search(r"[,;.?!]", gap):
            return period, span
    return None


_COMPARED_UNIT = re.compile(r"\b(?:last|previous|prior|preceding)\s+(?P<u>day|week|month|quarter|year)\b|\byesterday\b")
"""The calendar unit a comparison names ("vs last week"): with no period asked, the current one is compared."""
_AFTER_REVERSAL = re.compile(r"\b(?:after|once|following|since)\b")
_FACT_ROLES: dict[str, tuple[str, ...]] = {
    "min_days": ("min_days",),
    "breakdown": ("breakdown",),
    "grain": ("breakdown",),
    "interval": ("interval",),
    "compare": ("compare",),
    "per_actor": ("series.per",),
    "conditions": ("conditions", "exclude", "window_days"),
    "first_time": ("series.math",),
    "event": ("series.event", "retention.start", "retention.return", "steps"),
    "steps": ("steps",),
    "metric_phrase": ("series.event",),
    "property_math": ("series.math",),
}
"""The roles that can hold each fact of a reading: a family without any of them widens (see ``Intent.widen``)."""
SIDE_GRAINS = ("day_type",)
"""Time grains that split a figure into named sides ("weekdays vs weekends") rather than rank periods."""
_DETAIL_OF_ROLE = {"series.per": "per_actor", "series.per_period": "per_period", "order": "order"}
"""Choice slots filled from a detail of the reading rather than from cue words."""
_DETAIL_OF_FACT = {"numeric_total": "math", "of_active": "of_active"}
"""A reading fact that stands for one detail of the question: inferring a value from it uses the detail's words."""
_USED_KINDS = ("event", "value", "property", "number", "detail", "flag", "comparison", "metric", "time")


def _first_touch(name: str) -> str:
    """A property and the person's first value of it are one name: ``utm_source`` and ``$initial_utm_source``."""
    return name.removeprefix("$initial_").removeprefix("$")


def _linked(r: Reading) -> list[tuple[int, int]]:
    """Where the question names the project's properties, values and set-aside events: words an unknown action
    ("users who scanned receipts", "used time tracking") must not overlap to be unknown."""
    return [(m.start, m.end) for m in (*r.properties, *r.breakdowns, *r.excluded)] + [
        (f.start, f.end) for f in r.filters
    ]


def _amount_slots(intent: Intent) -> tuple[SlotSpec | None, SlotSpec | None]:
    """A family's numeric property slot (the amount people are measured by) and its ranking choice that can rank
    by that amount, where it has them."""
    amount = next((s for s in intent.slots if s.type == "property" and s.numeric), None)
    rank = next((s for s in intent.slots if s.type == "choice" and "amount" in s.choices), None)
    return amount, rank


def _range_into(out: dict[str, Any], conditions: str, dates: str, moved: list[Condition], now: datetime) -> None:
    """The asked range becomes the own window of the ``moved`` conditions, and what is counted is counted over all
    time: the period belongs to what the people did (or did not do), not to what is measured of them."""
    window = out[dates]
    out[conditions] = tuple(replace(c, in_range=False, window=window) if c in moved else c for c in out[conditions])
    out[dates] = from_spec({"all": True}, now)


def _dated(m: Mention, r: Reading) -> bool:
    """ "Of the people who filed a ticket in October, ...": the question's period is said in the clause describing
    the people, so they did it in that period (not at any time)."""
    return (
        r.time_span is not None and m.end <= r.time_span[0] and not re.search(r"[,;:?]", r.text[m.end : r.time_span[0]])
    )


@dataclass
class Filled:
    """The slots of one question: values, which came from defaults, what is still unclear, what was used."""

    values: dict[str, Any]
    defaulted: list[str] = field(default_factory=list)
    issues: list[ClarifyingQuestion] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    used: set[tuple[int, int]] = field(default_factory=set)
    unused: list[str] = field(default_factory=list)


class SlotFiller:
    """One per taxonomy; ``fill`` is pure and thread-safe."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        linker: Linker,
        vocabulary: frozenset[str] = frozenset(),
        roles: Mapping[str, str] | None = None,
    ):
        self.taxonomy = taxonomy
        self.linker = linker
        self.reader = Reader(taxonomy, linker, vocabulary)
        lex = linker.lexicon
        self._roles = dict(roles) if roles is not None else resolve_roles(taxonomy, lex, {})
        self._choice_cues = {
            key: [(value, [gated(p) for p in patterns]) for value, patterns in by_value.items()]
            for key, by_value in (lex.get("choices") or {}).items()
        }
        self._unread_cues = [
            (kind, re.compile(p)) for kind, patterns in (lex.get("unread_cues") or {}).items() for p in patterns
        ]
        self._default_funnel = [e for e in lex.get("default_funnel") or [] if e in taxonomy.events] or list(
            dict.fromkeys(
                e for role in ("signup_event", "activation_event", "revenue_event") if (e := self._roles.get(role))
            )
        )  # a project with other names: its main path from the roles its events play
        self._empty_groups: dict[str, str] = dict(lex.get("empty_groups") or {})
        self._unwanted_words = frozenset(lex.get("unwanted_words") or ())
        self._described_by = frozenset(
            w for e in taxonomy.events.values() for w in re.findall(r"[a-z][\w-]+", (e.description or "").lower())
        )
        """Words of the events' descriptions: the product's own name among them ("created its Billfold account")."""
        # a project without the property still has the question pointing at something unnamed: asked, without
        # values to offer ("the campaign" where no campaign is recorded)
        self._referents = [
            (
                re.compile(r["pattern"]),
                r["property"],
                r["prompt"] if d is not None else f"{r['prompt']} (this project records no {r['property']})",
                tuple(f"{d.name} = {v}" for v in d.values) if d is not None else (),
            )
            for r in lex.get("referents") or []
            if (d := taxonomy.property(r["property"])) is None or d.values
        ]

    def read(self, question: str | Question, now: datetime) -> Reading:
        return self.reader.read(question, now)

    # -- which family --------------------------------------------------------------------------------------

    def widen(self, intent: Intent, r: Reading, families: Catalog) -> str | None:
        """The family a question goes to when it holds something this family has no slot for ("how many
        signups by country" is a breakdown), as the intent file's ``widen`` says, and on from there ("how many
        paying customers by industry": revenue to count, count to breakdown); None when it can hold it."""
        facts = r.facts() | ({"interval"} if self._cue_value("interval", r.text) else set())
        if self._subscribers_counted(r):
            facts |= {"subscribers"}
        seen = [intent.id]
        while True:
            family = next(
                (
                    family
                    for fact, family in intent.widen
                    if fact in facts and not any(self._can_hold(s, fact, r) for s in intent.slots)
                ),
                None,
            )
            if family is None or family in seen:
                return seen[-1] if len(seen) > 1 else None
            seen.append(family)
            intent = families[family]

    @staticmethod
    def _used_thing(r: Reading) -> str | None:
        """What people "used" ("used time tracking last week") where nothing of it was read as the project's
        (no event, property or value), and it is not the product itself ("used the app"). One word is left alone:
        it is as often the product's own name ("used Billfold on a phone") as a feature."""
        found = _USED_THING.search(r.text)
        if found is None:
            return None
        words = found.group("obj").split()
        kept = words[: next((i for i, w in enumerate(words) if w in _USED_BOUNDARY), len(words))]
        if len(kept) < 2 or any(w in _USED_WHOLE for w in kept) or all(w in STOPWORDS for w in kept):
            return None
        start, end = found.start("obj"), found.start("obj") + len(" ".join(kept))
        if any(a < end and start < b for a, b in _linked(r)) or (
            r.time_span and r.time_span[0] < end <= r.time_span[1]
        ):
            return None
        return f"{found.group('verb')} {' '.join(kept)}"

    def says(self, kind: str, text: str) -> bool:
        """Whether ``text`` has words of one kind of the lexicon's ``unread_cues`` ("what %": a percentage asked)."""
        return any(k == kind and pattern.search(text) for k, pattern in self._unread_cues)

    def _subscribers_counted(self, r: Reading) -> bool:
        """ "Which industry has the most paying customers": where subscribing is not the revenue event, the paying
        customers are its subscribers, counted; not the payers of revenue among them. Only while no amount is asked
        ("revenue from paying customers" is the revenue of the subscribers)."""
        subscription, revenue = self._roles.get("subscription_event"), self._roles.get("revenue_event")
        if subscription is None or subscription == revenue or r.metric is not None or r.events:
            return False
        return any(m.event is not None and m.event.name == subscription for m in r.qualifiers)

    @staticmethod
    def _can_hold(spec: SlotSpec, fact: str, r: Reading) -> bool:
        if spec.role == "param":  # a family's own knob holds the fact by its number kind ("min_days")
            return (spec.number or spec.name) in _FACT_ROLES.get(fact, ())
        if spec.role not in _FACT_ROLES.get(fact, ()):
            return False
        if spec.role == "breakdown" and fact in ("breakdown", "grain"):
            if "segments" in spec.accepts:  # named sides only: of one property, or weekdays against weekends
                return fact == "grain" and spec.grains and _sides_grain(r)
            return fact != "grain" or spec.grains
        return True

    # -- filling -------------------------------------------------------------------------------------------

    def fill(
        self,
        intent: Intent,
        question: str,
        now: datetime,
        given: Mapping[str, Any] | None = None,
        reading: Reading | None = None,
    ) -> Filled:
        """``reading`` is the question's ``read()`` when the caller already has it (the engine does)."""
        r = reading or self.read(question, now)
        filled = Filled(values={})
        self._use_kind(r, filled, "scope")  # "any currency": read as every value, whatever the family
        found = self._assign(intent, r, now, filled)
        given = dict(given or {})
        for spec in intent.slots:
            if spec.name in given:
                filled.values[spec.name] = given[spec.name]
            elif found.get(spec.name) is not None:
                filled.values[spec.name] = found[spec.name]
        self._defaults(intent, filled, r, now)
        self._check(intent, filled, r, frozenset(given))
        filled.unused = self._unused(intent, r, filled) + self._unread(intent, r, filled)
        return filled

    def _assign(self, intent: Intent, r: Reading, now: datetime, filled: Filled) -> dict[str, Any]:
        """Give what the question says its role in this family."""
        out: dict[str, Any] = {}
        use = filled.used.add
        slots = {s.name: s for s in intent.slots}
        by_role = {s.role: s for s in intent.slots}
        self._events(intent, r, out, filled)
        for spec in intent.slots:
            if spec.type in ("int", "number"):
                number = r.numbers.get(spec.number or spec.name)
                if number is None and (spec.number or spec.name) == "window_days":
                    number = _window_in_days(r)
                if number is not None:
                    # with a cue, the number must count what the slot counts ("5 or more page views")
                    if spec.cue is None or spec.cue.search(r.text[number.start : number.end]):
                        out[spec.name] = number.value
                        use((number.start, number.end))
                        for s in r.spans if spec.cue is not None else ():  # the counted event is part of it
                            if s.kind == "event" and s.start < number.end and number.start < s.end:
                                use(s.key)
                    continue
                for cue_value, patterns in spec.cues:
                    hit = next((h for p in patterns if (h := p.search(r.text))), None)
                    if hit is not None:
                        out[spec.name] = int(cue_value)
                        self._use_overlapping(r, filled, hit.start(), hit.end())
                        break
        within = r.detail("within")
        if within is not None:
            days, _ = within.value
            window = next((s for s in intent.slots if (s.number or s.name) == "window_days"), None)
            if window is not None:
                out[window.name] = days
                use((within.start, within.end))
            elif "conditions" in by_role:
                out.setdefault(by_role["conditions"].name, ())
                out[by_role["conditions"].name] += (
                    Condition("within", anchor=self._anchor(within.value[1], r), days=days),
                )
                use((within.start, within.end))
        for spec in intent.slots:
            if spec.type == "choice":
                choice = self._choice(intent, spec, r, filled)
                if choice is not None:
                    out[spec.name] = choice
        if r.silence is not None:  # "inactive since Nov 1": a family that measures silence takes it as such
            silence = _silence_slot(intent)
            if silence is not None:
                out[silence.name] = r.silence[0]
                use(r.silence[1])
            elif r.time is None and "date_range" in by_role:
                out[by_role["date_range"].name] = r.silence[0]
                use(r.silence[1])
        if r.time is not None and "date_range" in by_role:
            out[by_role["date_range"].name] = r.time
            if intent.two_ranges == "union" and r.other_range is not None:
                first, other = r.time, r.other_range
                out[by_role["date_range"].name] = replace(
                    first,
                    start=min(first.start, other.start),
                    end=max(first.end, other.end),
                    label=f"{first.label.split(' (')[0]} and {other.label.split(' (')[0]}",
                )
                whole = calendar_unit(first)
                if "interval" in by_role and whole is not None and whole == calendar_unit(other):
                    # "active in October but not in November": month by month, whatever the span's length
                    out.setdefault(by_role["interval"].name, whole)
            if r.time_span:
                use(r.time_span)
            union = intent.two_ranges == "union" and r.other_range is not None
            for span in r.spans:  # the range's own weekdays or hours, and the second range a union covers
                if span.kind == "time" and (
                    ((r.time.weekdays or r.time.hours) and span.label and span.label in r.time.label)
                    or (union and r.other_range is not None and span.label == r.other_range.label)
                ):
                    use(span.key)
        elif r.detail("all_time") is not None and "date_range" in by_role:
            detail = r.details["all_time"]
            out[by_role["date_range"].name] = from_spec({"all": True}, now)
            use((detail.start, detail.end))
        self._properties(intent, r, out, filled)
        own = {f for v in out.values() if isinstance(v, EventRef) for f in v.filters}
        parts = self._share_parts(intent, r, out, by_role, filled)
        filters = [
            f
            for f in r.filters
            if not self._segment_filter(f, r, out, by_role) and f.filter not in own and f not in parts
        ]
        if "filters" in by_role:
            filters = self._narrow_event(by_role, filters, out, use)
            filters = self._narrow_listed(intent, filters, out, use)
            filters = self._totals(intent, r, filters, out, use)
        if "filters" in by_role and filters:
            events = [v for s in intent.slots if s.type == "event" and isinstance(v := out.get(s.name), EventRef)]
            out[by_role["filters"].name] = merge_filters(self._rescope_filter(f.filter, events) for f in filters)
            for f in filters:
                use((f.start, f.end))
        if "compare" in by_role:
            compare = self._comparison(r, out, by_role, now, filled)
            if compare is not None:
                out[by_role["compare"].name] = compare
        for spec in intent.slots:
            if spec.type == "flag" and r.flag:
                out[spec.name] = r.flag
                for s in r.spans:
                    if s.kind == "flag":
                        use(s.key)
        threshold = r.numbers.get("min_count")
        event_slot = by_role.get("series.event")
        takes_threshold = any((s.number or s.name) == "min_count" for s in intent.slots)
        if (
            threshold is not None
            and not takes_threshold
            and "conditions" in by_role
            and event_slot is not None
            and isinstance(out.get(event_slot.name), EventRef)
        ):
            # "users who filed 3 or more tickets": people who did the measured event that often
            name = by_role["conditions"].name
            out[name] = (
                *out.get(name, ()),
                Condition("did", out[event_slot.name], min_count=threshold.value, in_range=True),
            )
            use((threshold.start, threshold.end))
        unit = r.detail("unit")
        rank = intent.slot("rank")
        ranked = out.get(rank.name, rank.default) if rank is not None else None
        each = unit is not None and _EACH.match(r.text, unit.end) is not None
        if unit is not None and (
            unit.value == intent.unit or (unit.value == "events" and ranked in _BY_EVENTS and each)
        ):
            # "emails plus how many events each had": each person's events are what a list of people is ranked by
            use((unit.start, unit.end))
        math = r.detail("math")
        if math is not None and math.value in intent.maths:
            use((math.start, math.end))
        held = {v.name for v in out.values() if isinstance(v, EventRef)}
        for m in r.excluded:  # "people who shared vs those who don't share": the other side, not a condition
            if (
                m.event is not None
                and m.event.name in held
                and _CONTRAST.search(r.text[max(0, m.start - 60) : m.start])
            ):
                use((m.start, m.end))
        self._silence(intent, r, out, by_role, now, use)
        free_excluded = {
            m: _negated_period(r, m.end)
            for m in r.excluded
            if (m.start, m.end) not in filled.used and m.event is not None
        }
        if "exclude" in by_role:  # only a negation with its own period is left for the conditions
            free_excluded = {m: period for m, period in free_excluded.items() if period is not None}
        if "conditions" in by_role and free_excluded:
            name = by_role["conditions"].name
            # "never bought": at no time before now; "without viewing /docs", "didn't upload": not in the range;
            # "didn't upload anything in November": not in that second period
            silent = _silence_slot(intent)
            measured = by_role.get("series.event")
            for m, period in free_excluded.items():
                when = period[0] if period is not None else None
                ever = _EVER_NOT.search(r.text[max(0, m.start - 40) : m.start])
                if when is not None and silent is not None and measured is not None:
                    # "uploaded in October but not in November": silent of that event, in a family that measures it
                    out.setdefault(silent.name, when)
                    out.setdefault(measured.name, m.event)
                else:
                    out[name] = (
                        *out.get(name, ()),
                        Condition("did_not", m.event, in_range=when is None and not ever, window=when),
                    )
                use((m.start, m.end))
                if period is not None:
                    use(period[1])
        self._idle_period(intent, r, out, by_role, use)
        signup = self._named_by_people(r)
        if "conditions" in by_role and signup is not None:
            # "accounts that were active in October": where the signup event is named for the people ("accounts"
            # and account_created), counting them counts those who signed up, not every visitor
            name = by_role["conditions"].name
            held = {c.event.name for c in out.get(name, ()) if c.event is not None}
            mentioned = {m.event.name for m in (*r.events, *r.qualifiers) if m.event is not None}
            # an event of the product's own (not a pageview or another of PostHog's) is done by accounts already:
            # the condition would only leave out those created before the data begins
            product_event = any(not name.startswith("$") for name in mentioned)
            if signup not in held | mentioned and not product_event:
                out[name] = (*out.get(name, ()), Condition("did", EventRef(signup)))
        self._verdict_order(r, out, by_role)
        self._amount_carrier(intent, r, out, by_role)
        self._range_to_people(r, out, by_role, now)
        self._range_to_negation(r, out, by_role, now)
        del slots
        return out

    @staticmethod
    def _silence(
        intent: Intent,
        r: Reading,
        out: dict[str, Any],
        by_role: dict[str, SlotSpec],
        now: datetime,
        use: Callable[[tuple[int, int]], None],
    ) -> None:
        """A silence of N days ("haven't logged in in the last 30 days", "had no events in the last 14 days"): in a
        family that measures silence, of the one event negated inside it; elsewhere, people who did not do that
        event (or anything) in those days."""
        quiet_for = r.numbers.get("silent_days")
        if quiet_for is None:
            return
        measured = any(s.name == "silent_days" for s in intent.slots)
        inside = [m for m in r.excluded if m.event is not None and quiet_for.start <= m.start < quiet_for.end]
        event_slot = by_role.get("series.event")
        if measured:
            if event_slot is not None and event_slot.name not in out and len(inside) == 1:
                # the silence is of that event, not a condition on who
                out[event_slot.name] = inside[0].event
                use((inside[0].start, inside[0].end))
            return
        done = [m for m in r.events if quiet_for.start <= m.start < quiet_for.end]  # "stopped sending invoices"
        if "conditions" not in by_role or "exclude" in by_role or len(inside) > 1 or done:
            return
        name = by_role["conditions"].name
        silent = from_spec({"last": quiet_for.value, "unit": "day"}, now)
        out[name] = (*out.get(name, ()), Condition("did_not", inside[0].event if inside else None, window=silent))
        lead = _HAD.search(r.text, 0, quiet_for.start)  # "had no events": the negation's verb with it
        use((lead.start() if lead else quiet_for.start, quiet_for.end))
        for m in inside:
            use((m.start, m.end))

    @staticmethod
    def _idle_period(
        intent: Intent,
        r: Reading,
        out: dict[str, Any],
        by_role: dict[str, SlotSpec],
        use: Callable[[tuple[int, int]], None],
    ) -> None:
        """ "Active in October but not in November", "didn't show up at all last week": the people counted did
        nothing in the second period, said right after a negation (it was left unused, and everyone counted). A
        family that measures silence takes the period as the silence."""
        conditions = by_role.get("conditions")
        silence = _silence_slot(intent)
        for period, span in r.later_periods():
            if silence is None and (
                conditions is None or any(c.window == period for c in out.get(conditions.name, ()))
            ):
                continue
            negation = r.idle_before(span[0])
            if negation is None or any(negation.start() <= m.start < span[0] for m in r.events):
                continue
            if silence is not None:
                out.setdefault(silence.name, period)
            elif conditions is not None:
                out[conditions.name] = (*out.get(conditions.name, ()), Condition("did_not", None, window=period))
            lead = _HAD.search(r.text, 0, negation.start())  # "have had no events": the verb with it
            use((lead.start() if lead else negation.start(), span[0]))
            use(span)

    @staticmethod
    def _totals(
        intent: Intent,
        r: Reading,
        filters: list[FoundFilter],
        out: dict[str, Any],
        use: Callable[[tuple[int, int]], None],
    ) -> list[FoundFilter]:
        """ "Uploaded more than 100 MB in total", "invoices totalling over 2,000": a bound on each person's sum of the
        property, where the family has one (``min_total``), not on each event (which found no single upload that
        big, silently); the people are then ranked by that sum."""
        spec = next((s for s in intent.slots if s.name == "min_total"), None)
        if spec is None:
            return filters
        summed = {
            f: total
            for f in filters
            if f.filter.prop.type == "Numeric"
            and f.filter.op in _BOUNDS
            and (total := _TOTAL_BEFORE.search(r.text, 0, f.start) or _TOTAL_AFTER.match(r.text, f.end)) is not None
        }
        if not summed:
            return filters
        out[spec.name] = tuple(f.filter for f in summed)
        amount, rank = _amount_slots(intent)
        if amount is not None:
            out.setdefault(amount.name, next(iter(summed)).filter.prop)
        if rank is not None:
            out.setdefault(rank.name, "amount")
        for f, total in summed.items():
            use((f.start, f.end))
            use(total.span(1))
        return [f for f in filters if f not in summed]

    def _verdict_order(self, r: Reading, out: dict[str, Any], by_role: dict[str, SlotSpec]) -> None:
        """ "Which day was the worst for support tickets": of an event nobody wants more of (tickets, errors,
        cancellations), the worst is the most and the best the fewest (it listed the quietest day as the worst)."""
        order, event_slot = by_role.get("order"), by_role.get("series.event")
        event = out.get(event_slot.name) if event_slot is not None else None
        detail = r.detail("order")
        said = r.text[detail.start : detail.end] if detail is not None else ""
        if order is None or not isinstance(event, EventRef) or said not in ("worst", "best"):
            return  # the order word read is another ("the most tickets"): it says the order by itself
        if self._unwanted(event.name):
            out[order.name] = "desc" if said == "worst" else "asc"

    def _unwanted(self, event: str) -> bool:
        found = self.taxonomy.events.get(event)
        words = re.findall(r"[a-z]+", f"{event} {found.description if found is not None else ''}".lower())
        return not self._unwanted_words.isdisjoint(words)

    def _amount_carrier(self, intent: Intent, r: Reading, out: dict[str, Any], by_role: dict[str, SlotSpec]) -> None:
        """ "Who cancelled in October, and how much had they spent", "do newsletter signups spend more": people
        ranked (or revenue summed) by an amount their event does not carry (a cancellation, a signup has none) are
        measured by the revenue event's amount, and the event named says who is counted (it ranked nothing and
        found no one, or asked which event carries revenue)."""
        event_slot, conditions = by_role.get("series.event"), by_role.get("conditions")
        amount, rank = _amount_slots(intent)
        revenue = self._roles.get("revenue_event")
        if event_slot is None or conditions is None or amount is None or revenue is None:
            return
        event, prop = out.get(event_slot.name), out.get(amount.name) or self._default_value(amount, r)
        # a ranking of people by amount; or revenue of people named by their signup ("newsletter signups"), where
        # another event ("revenue from file uploads") is asked about: the amount is not its own
        signup = event.name == self._roles.get("signup_event") if isinstance(event, EventRef) else False
        ranked = out.get(rank.name) == "amount" if rank is not None else amount.role == "series.property" and signup
        if not ranked or not isinstance(event, EventRef) or not isinstance(prop, PropertyRef):
            return
        own = self.taxonomy.event_property_names
        if prop.name in own(event.name) or prop.name not in own(revenue):
            return
        mention = next((m for m in r.events if m.event is not None and m.event.name == event.name), None)
        dated = mention is not None and _dated(mention, r)
        out[conditions.name] = (*out.get(conditions.name, ()), Condition("did", event, in_range=dated))
        out[event_slot.name] = EventRef(revenue)

    @staticmethod
    def _range_to_people(r: Reading, out: dict[str, Any], by_role: dict[str, SlotSpec], now: datetime) -> None:
        """ "Who cancelled this week, and how much had each of them paid", "purchases by users who signed up in
        October": a period said right after the action that names the people is when they did it; what is measured
        of them is counted over all time (it counted only the payments of this week)."""
        conditions, dates, event = (by_role.get(k) for k in ("conditions", "date_range", "series.event"))
        if conditions is None or dates is None or r.time_span is None or dates.name not in out:
            return
        held = out.get(conditions.name, ())
        said = {m.event.name for m in r.among if m.event is not None and not r.text[m.end : r.time_span[0]].strip()}
        named = [c for c in held if c.kind == "did" and c.in_range and c.window is None and c.event is not None]
        measured = out.get(event.name) if event is not None else None
        if len(named) != 1 or named[0].event.name not in said or named[0].event == measured:
            return  # "among people who used a feature in the last 7 days, feature uses per person": the same period
        _range_into(out, conditions.name, dates.name, named, now)

    @staticmethod
    def _range_to_negation(r: Reading, out: dict[str, Any], by_role: dict[str, SlotSpec], now: datetime) -> None:
        """ "How many paying subscribers haven't sent an invoice in the last 30 days": the people counted are who
        they are (subscribers, ever), and the asked range is the one in which they did not do it (it counted only
        those who subscribed in the 30 days)."""
        event, conditions, dates = (by_role.get(k) for k in ("series.event", "conditions", "date_range"))
        if event is None or conditions is None or dates is None:
            return
        counted = out.get(event.name)
        described = {m.event.name for m in r.qualifiers if m.event is not None}
        held = out.get(conditions.name, ())
        if not isinstance(counted, EventRef) or counted.name not in described:
            return
        if any(c.in_range for c in held if c.kind == "did"):
            return
        if r.time is not None and dates.name in out and any(c.kind == "did_not" and c.in_range for c in held):
            _range_into(out, conditions.name, dates.name, [c for c in held if c.kind == "did_not" and c.in_range], now)
        elif r.time is None and any(c.kind == "did_not" and c.window is not None for c in held):
            out[dates.name] = from_spec({"all": True}, now)  # "paying customers with no events in 14 days": ever

    def _named_by_people(self, r: Reading) -> str | None:
        """The signup event when the people the question counts are named by a word of its name ("accounts",
        ``account_created``), else None."""
        signup = self._roles.get("signup_event")
        noun = _PEOPLE_NOUN.search(r.text)
        if signup is None or noun is None:
            return None
        return signup if stem(noun.group(0)) in {stem(part) for part in signup.split("_")} else None

    # -- events --------------------------------------------------------------------------------------------

    def _events(self, intent: Intent, r: Reading, out: dict[str, Any], filled: Filled) -> None:
        """Named events take the family's event slots: a slot whose cue precedes a mention takes it, a mention
        equal to a slot's default event fills that slot, a lone mention goes to the ``lone`` slot, and the rest
        fill the others in order. An events slot (funnel steps) takes all of them, in time order."""
        mentions = [m for m in r.events if m.event is not None]
        singles = [s for s in intent.slots if s.type == "event" and s.role != "exclude" and not s.set_aside]
        conditions = next((s for s in intent.slots if s.role == "conditions"), None)
        primary = next((s for s in singles if s.role == "series.event"), singles[0] if singles else None)
        stepped = any(s.type == "events" for s in intent.slots)
        alone = len(mentions) == 1 and primary is not None and primary.required
        if (
            conditions is not None
            and not conditions.anchors
            and not stepped
            and len(singles) == 1
            and r.among
            and not alone
        ):
            # "of the people who filed a ticket in October, how many have gone quiet": the clause says who
            for m in r.among:
                if m in mentions and m.event is not None:
                    mentions.remove(m)
                    filled.used.add((m.start, m.end))
                    out[conditions.name] = (
                        *out.get(conditions.name, ()),
                        Condition("did", m.event, in_range=_dated(m, r)),
                    )
            named = {m.event.name for m in r.among if m.event is not None}
            if r.metric is not None or any(m.event is not None and m.event.name not in named for m in mentions):
                # "(what those cancels had been worth)": the people's action said again, where another is measured
                for m in [m for m in mentions if m.event is not None and m.event.name in named]:
                    mentions.remove(m)
                    filled.used.add((m.start, m.end))
        if r.qualifiers:
            # "paying customers (anyone who's ever purchased)": a mention of a qualifier's own event describes them
            described = {m.event.name for m in r.qualifiers if m.event is not None}
            for m in [m for m in mentions if m.event is not None and m.event.name in described]:
                mentions.remove(m)
                filled.used.add((m.start, m.end))
            counted = primary is not None and (primary.required or primary.all_events)
            if conditions is not None and (mentions or not counted):  # "DAU of paying customers": who is read
                out[conditions.name] = out.get(conditions.name, ()) + tuple(
                    Condition("did", m.event) for m in r.qualifiers if m.event is not None
                )
                for m in r.qualifiers:
                    filled.used.add((m.start, m.end))
            else:  # "how many paying customers": the description is what is counted
                mentions = sorted([*mentions, *r.qualifiers], key=lambda m: m.start)
        if not mentions and primary is not None and primary.role == "series.event":
            owned = self._owned_value(r)
            if owned is not None:  # "after using ai_assist": a value only one event has stands for that event
                event, found = owned
                out[primary.name] = event
                filled.used.add((found.start, found.end))
        if (
            intent.time_order
            and len(mentions) >= 2
            and _AFTER_REVERSAL.search(r.text[mentions[0].end : mentions[1].start])
        ):
            mentions = [mentions[1], mentions[0], *mentions[2:]]
        within = r.detail("within")
        anchor = self._anchor(within.value[1], r) if within is not None and conditions is not None else None
        if anchor is None and conditions is not None and conditions.anchors:
            anchor = self._population(mentions, singles)  # "among people who signed up in October, ..."
            if anchor is not None:
                out[conditions.name] = (*out.get(conditions.name, ()), Condition("within", anchor=anchor))
        if (
            anchor is not None
            and any(m.event is not None and m.event.name != anchor.name for m in mentions)
            and anchor.name not in {self._event_default(s) for s in singles}
        ):
            # "September signups: ... shared a file within 7 days of signing up": the anchor's own event names
            # who is read (their first signup), not what is counted or compared; a family with a slot for the
            # anchor's event (activation's signup event) takes it there
            for m in [m for m in mentions if m.event is not None and m.event.name == anchor.name]:
                mentions.remove(m)
                filled.used.add((m.start, m.end))
        if (
            r.metric is not None
            and primary is not None
            and primary.role == "series.event"
            and mentions
            and not any(
                m.event is not None and r.metric["property"] in self.taxonomy.event_property_names(m.event.name)
                for m in mentions
            )
        ):
            # "money collected from clients": the metric's own event is measured; an event that cannot carry its
            # property ("clients" added) is left for another slot, or reported unused
            out[primary.name] = EventRef(r.metric["event"])
            self._use_kind(r, filled, "metric")
        free = list(mentions)
        taken: dict[str, Mention] = {}

        def take(spec: SlotSpec, m: Mention) -> None:
            """A slot takes a mention, and every later mention of the same event ("signups ... from signup"); a
            later mention narrowed by a value says which of them ("their first pageview ever on the blog")."""
            taken[spec.name] = m
            if m.event is None:
                return
            narrowed = bool(m.event.filters)
            for other in [o for o in free if o.event is not None and o.event.name == m.event.name]:
                free.remove(other)
                filled.used.add((other.start, other.end))
                if not narrowed and other.event is not None and other.event.filters:
                    taken[spec.name], narrowed = other, True

        one_event = _one_event(free)
        lone_left = any(s.lone for s in singles)
        for spec in singles:
            if spec.cue is not None:
                if one_event and lone_left and r.segments is not None and _spare_with_groups(spec):
                    continue  # "do pro users search more than free users (counting people who searched)": measured
                cued = next((m for m in free if spec.cue.search(r.text[max(0, m.start - 40) : m.start])), None)
                if cued is not None:
                    take(spec, cued)
        for spec in singles:
            default = self._event_default(spec)
            if spec.name not in taken and default is not None:
                by_default = next((m for m in free if m.event is not None and m.event.name == default), None)
                if by_default is not None:
                    take(spec, by_default)
        lone = next((s for s in singles if s.lone and s.name not in taken), None)
        if lone is not None and free and _one_event(free):
            take(lone, free[0])
        for spec in singles:
            if spec.name not in taken and spec.name not in out and free:
                take(spec, free[0])
        negated = next((s for s in singles if s.negated and s.name not in taken), None)
        if negated is not None and r.excluded:
            taken[negated.name] = r.excluded[0]
        for name, m in taken.items():
            out[name] = m.event
            filled.used.add((m.start, m.end))
        needed = next((s for s in singles if s.name not in out and s.is_required(out)), None)
        if needed is not None and mentions and (owned := self._owned_value(r)) is not None:
            # "do ai_assist users upload more than everyone else": a value only one event has names who
            out[needed.name] = owned[0]
            filled.used.add((owned[1].start, owned[1].end))
        for spec in singles:
            if spec.name not in out and not mentions:
                implied = next((d for p, d in spec.implied if p.search(r.text)), None)
                role_event = event_named(implied, self._roles, self.taxonomy)
                if role_event is not None:
                    out[spec.name] = EventRef(role_event)
                elif r.metric is not None and spec is primary:  # "revenue": the event the metric sums
                    out[spec.name] = EventRef(r.metric["event"])
                    self._use_kind(r, filled, "metric")
        for spec in intent.slots:
            if spec.type == "events" and spec.set_aside:
                # "ignoring pageviews and $identify": events the question sets aside, all of them
                aside = [m for m in r.excluded if m.event is not None and _LEAVE_OUT.search(r.text[: m.start])]
                if aside:
                    out[spec.name] = tuple(m.event for m in aside if m.event is not None)
                    for m in aside:
                        filled.used.add((m.start, m.end))
            elif spec.type == "events":
                again = _AGAIN.search(r.text) is not None  # "... and then viewed pricing again": a step repeated
                kept: dict[Any, EventRef] = {}
                for i, e in enumerate(m.event for m in mentions if m.event is not None):
                    kept.setdefault(i if again else (e.name, e.filters), e)
                steps = tuple(kept.values())
                if len(steps) >= 2:
                    out[spec.name] = self._fill_in_path(spec, steps, r)
                    if len(out[spec.name]) > len(steps):
                        filled.notes.append(
                            "the steps between the first and the last come from the product's main "
                            "path (the lexicon's default_funnel, else its roles' order)"
                        )
                elif len(steps) == 1 and self._pairs(intent, spec, out, r):
                    out[spec.name] = self._conversion_to(steps[0])
                for m in mentions:
                    filled.used.add((m.start, m.end))
            elif (
                (spec.role == "exclude" or spec.set_aside)
                and r.excluded
                and r.excluded[0].event is not None
                and (spec.set_aside or _negated_period(r, r.excluded[0].end) is None)
            ):  # "but not in November" is a condition with its period (never doing it is the excluded event)
                out[spec.name] = r.excluded[0].event
                filled.used.add((r.excluded[0].start, r.excluded[0].end))

    def _owned_value(self, r: Reading) -> tuple[EventRef, Any] | None:
        """A filter value of a property only one event has ("ai_assist" is a feature_name of feature_used)."""
        for found in r.filters:
            f = found.filter
            if _ON_A_VALUE.search(r.text, max(0, found.start - 40), found.start) and self.taxonomy.property(
                f.prop.name, "person"
            ):
                continue  # "accounts on the business plan": the people's own plan, not the event that sets it
            owner = self._owner(f.prop) if f.op == "=" else None
            if owner is not None:
                return EventRef(owner, (f,), str(f.value)), found
        return None

    def _pairs(self, intent: Intent, spec: SlotSpec, out: Mapping[str, Any], r: Reading) -> bool:
        """Does one named event stand for a conversion from it ("checkout conversion")? ``pair_single`` says so
        outright, or when another slot has (or its cues in the question give) one of the listed values."""
        if isinstance(spec.pair_single, bool):
            return spec.pair_single
        return any(
            out.get(slot) in values or (slot not in out and self._inferred(intent, slot, values, r))
            for slot, values in spec.pair_single.items()
        )

    def _inferred(self, intent: Intent, slot: str, values: tuple[Any, ...], r: Reading) -> bool:
        """The question holds a cue of one of these values of the slot: the family's own cues or the lexicon's."""
        spec = intent.slot(slot)
        own = [p for value, patterns in (spec.cues if spec is not None else ()) if value in values for p in patterns]
        lexicon = [p for v in values for p in self._cue_patterns(slot, str(v))]
        return any(p.search(r.text) for p in own) or any(p.search(r.text) for p in lexicon)

    def _event_default(self, spec: SlotSpec) -> str | None:
        return event_named(spec.default, self._roles, self.taxonomy)

    def _population(self, mentions: list[Mention], singles: list[SlotSpec]) -> EventRef | None:
        """The signup event, when it is named beside more distinct events than the family's event slots hold: it
        says who is followed ("people who signed up in October"), the others are what is compared."""
        signup = self._roles.get("signup_event")
        named = {m.event.name for m in mentions if m.event is not None}
        if signup is None or signup not in named or len(named) <= len(singles):
            return None
        return EventRef(signup)

    def _anchor(self, phrase: str, r: Reading) -> EventRef | None:
        """The event a "within N days of ..." phrase is anchored on: named in it, else the signup event."""
        for m in self.linker.link(phrase):
            if m.kind == "event" and m.event is not None:
                return EventRef(m.event.name)
        signup = self._roles.get("signup_event")
        return EventRef(signup) if signup else None

    def _fill_in_path(self, spec: SlotSpec, steps: tuple[EventRef, ...], r: Reading) -> tuple[EventRef, ...]:
        """ "Where do users drop off between signup and purchase?" asks about every step in between: with two
        named ends on the product's main path, the funnel takes the main path's steps between them."""
        path = self._default_funnel
        first, last = steps[0].name, steps[-1].name
        if (
            spec.fill_path_when is None
            or len(steps) != 2
            or not spec.fill_path_when.search(r.text)
            or first not in path
            or last not in path
        ):
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

    # -- choices -------------------------------------------------------------------------------------------

    def _choice(self, intent: Intent, spec: SlotSpec, r: Reading, filled: Filled) -> str | None:
        if spec.role == "series.math":
            value = self._math(intent, spec, r, filled)
            if value is not None:
                return value
        if spec.role in _DETAIL_OF_ROLE:
            detail = r.detail(_DETAIL_OF_ROLE[spec.role])
            if detail is not None and str(detail.value) in spec.choices:
                filled.used.add((detail.start, detail.end))
                return str(detail.value)
            if spec.role != "order":
                return None
        for value, patterns in (*spec.cues, *self._choice_cues.get(spec.name, ())):
            if value not in spec.choices:
                continue
            for p in patterns:
                m = p.search(r.text)
                if m:
                    self._use_overlapping(r, filled, m.start(), m.end())
                    return str(value)
        facts = r.facts()
        for fact, value in spec.infer:
            if fact in facts:
                detail = r.detail(_DETAIL_OF_FACT.get(fact, ""))
                if detail is not None:  # "total MB" inferred a sum-ranking: its words are used
                    filled.used.add((detail.start, detail.end))
                return str(value)
        return None

    def _math(self, intent: Intent, spec: SlotSpec, r: Reading, filled: Filled) -> str | None:
        """The aggregate the words ask for: first-time; a property's statistic ("median size", "p90 duration")
        when there is a property to take it of (or the family has none to name); per person; a metric word's
        ("revenue" is a sum); then the unit counted ("how many users", "how many purchase events")."""
        state = r.detail("state")
        if state is not None and not r.events and "persons" in spec.choices:
            filled.used.add((state.start, state.end))
            return "persons"
        first = r.detail("first_time")
        if first is not None and "first_time" in spec.choices:
            filled.used.add((first.start, first.end))
            unit = r.detail("unit")
            if unit is not None and unit.value == "users":  # "how many people made their first purchase": people
                filled.used.add((unit.start, unit.end))
            return "first_time"
        math = r.detail("math")
        order = r.detail("order")
        if math is not None and r.metric is not None and order is not None and order.start == math.start:
            math = None  # "the biggest revenue": the most of the metric (its order), not the biggest single amount
        per = r.detail("per_actor")
        unit = r.detail("unit")
        numeric = any(m.prop is not None and m.prop.type == "Numeric" for m in (*r.properties, *r.breakdowns)) or (
            math is not None and self._lone_numeric(r) is not None  # "avg payment size": the payment's one amount
        )
        has_property = any(s.role == "series.property" for s in intent.slots)
        if (
            math is not None
            and math.value in spec.choices
            and r.detail("per_period") is None
            and (numeric or r.metric is not None or per is not None or not has_property)
        ):
            filled.used.add((math.start, math.end))
            return str(math.value)
        if per is not None and "avg" in spec.choices:
            return "avg"
        if r.metric is not None and r.metric.get("measure") in spec.choices and unit is None:
            return str(r.metric["measure"])
        if unit is not None and unit.value in spec.choices:
            filled.used.add((unit.start, unit.end))
            return str(unit.value)
        if r.qualifiers and not r.events and "users" in spec.choices:
            return "users"  # "paying customers by country": people who did the event, counted once each
        return None

    def _cue_value(self, slot: str, text: str) -> str | None:
        for value, patterns in self._choice_cues.get(slot, ()):
            if any(p.search(text) for p in patterns):
                return str(value)
        return None

    def _cue_patterns(self, slot: str, value: str) -> list[Gated]:
        return next((ps for v, ps in self._choice_cues.get(slot, ()) if v == value), [])

    # -- properties, comparisons ---------------------------------------------------------------------------

    def _properties(self, intent: Intent, r: Reading, out: dict[str, Any], filled: Filled) -> None:
        events = [v for s in intent.slots if s.type == "event" and isinstance(v := out.get(s.name), EventRef)]
        named = [(m, self._rescope_prop(m.prop, events)) for m in r.breakdowns if m.prop is not None]
        loose = [(m, self._rescope_prop(m.prop, events)) for m in r.properties if m.prop is not None]
        for spec in intent.slots:
            if spec.type != "property":
                continue
            if spec.role == "breakdown":
                value = self._breakdown(spec, r, named, loose, filled)
                if value is None:
                    continue
                if isinstance(value, PropertyRef):
                    # "which channel brings the most": those who came with no source are a channel of their own
                    empty = r.empty_group or (None if r.no_empty_group else self._empty_groups.get(value.name))
                    value = Breakdown(value, empty=empty) if empty else value
                out[spec.name] = value
                prop = value.property if isinstance(value, Breakdown) else value
                event_slot = next((s for s in intent.slots if s.role == "series.event"), None)
                if spec.implies_event and prop is not None and event_slot is not None and event_slot.name not in out:
                    owner = self._owner(prop)
                    if owner is not None:  # "cancellation reasons" are subscription_cancelled's
                        out[event_slot.name] = EventRef(owner)
                continue
            numeric = spec.numeric or "Numeric" in spec.accepts
            pool = [
                (m, p)
                for m, p in (*loose, *named)
                if (p.type == "Numeric") == numeric
                and (not spec.accepts or all(a in (p.type, p.scope) for a in spec.accepts))
            ]
            if pool:
                m, prop = pool[0]
                out[spec.name] = prop
                filled.used.add((m.start, m.end))
            elif numeric and r.metric is not None and spec.name not in out:
                prop_def = self.taxonomy.property(r.metric["property"], "event")
                if prop_def is not None:
                    out[spec.name] = prop_def.ref()
                    self._use_kind(r, filled, "metric")
            elif numeric and spec.name not in out and r.detail("math") is not None:
                lone = self._lone_numeric(r)
                if lone is not None:
                    out[spec.name] = lone

    def _check_measured_property(self, intent: Intent, filled: Filled, given: frozenset[str]) -> None:
        """ "revenue from uploads": the measured event has none of the property summed (the sum would be 0, stated
        as revenue); asked which event carries it, offering the events that do."""
        event_spec = next((s for s in intent.slots if s.role == "series.event" and s.type == "event"), None)
        prop_spec = next((s for s in intent.slots if s.role == "series.property"), None)
        if event_spec is None or prop_spec is None or event_spec.name in given:
            return
        event, prop = filled.values.get(event_spec.name), filled.values.get(prop_spec.name)
        if not isinstance(event, EventRef) or not isinstance(prop, PropertyRef) or prop.scope != "event":
            return
        known = self.taxonomy.events.get(event.name)
        if known is None or not known.properties or prop.name in known.properties:
            return
        carriers = tuple(e.name for e in self.taxonomy.events.values() if prop.name in e.properties)
        self._ask_instead(
            filled,
            event_spec.name,
            f"{event.name} has no {prop.name}. {event_spec.prompt}",
            carriers,
            "no_property",
        )

    @staticmethod
    def _ask_instead(filled: Filled, slot: str, prompt: str, options: tuple[str, ...], reason: AskReason) -> None:
        """Ask about ``slot`` instead of answering with the value it was given: the question named something the
        project does not have, and an answer for the nearest thing would be a confident answer to another question."""
        filled.values.pop(slot, None)
        filled.issues.append(ClarifyingQuestion(slot, prompt, options, reason))

    def _ask_event(self, filled: Filled, spec: SlotSpec, named: str, near: str) -> None:
        """Ask which event, where the question names one the project does not have ("no event called 'errors'"),
        offering the events closest to ``near``."""
        self._ask_instead(
            filled,
            spec.name,
            f"This project has no event {named}. {spec.prompt}",
            tuple(self.linker.suggest_events(near)),
            "unknown_event",
        )

    def _lone_numeric(self, r: Reading) -> PropertyRef | None:
        """The one numeric property of the one event the question names ("average payment": its amount)."""
        named = {m.event.name for m in r.events if m.event is not None}
        event = self.taxonomy.events.get(next(iter(named))) if len(named) == 1 else None
        numeric = [
            p
            for name in (event.properties if event else ())
            if (p := self.taxonomy.property(name, "event")) and p.type == "Numeric"
        ]
        return numeric[0].ref() if len(numeric) == 1 else None

    def _breakdown(
        self,
        spec: SlotSpec,
        r: Reading,
        named: list[tuple[Mention, PropertyRef]],
        loose: list[tuple[Mention, PropertyRef]],
        filled: Filled,
    ) -> PropertyRef | Breakdown | None:
        if r.segments is not None:
            prop, values, span = r.segments
            filled.used.add(span)
            for m, p in (*named, *loose):  # "google vs twitter ... from each source": the same property's name
                if p.name == prop.name:
                    filled.used.add((m.start, m.end))
            return Breakdown(self._person_first(prop), values=values)
        grain = r.detail("grain")
        if "segments" in spec.accepts:
            if grain is not None and spec.grains and _sides_grain(r):  # "weekdays vs weekends"
                filled.used.add((grain.start, grain.end))
                return Breakdown(grain=str(grain.value))
            return None
        chosen = next(((m, p) for m, p in named if p.type != "Numeric"), None)
        if chosen is None and spec.loose:
            chosen = next(((m, p) for m, p in loose if p.type != "Numeric"), None)
        if chosen is not None:
            for m, p in (*named, *loose):  # "signup sources (utm source, ...)": the same property named again
                if _first_touch(p.name) == _first_touch(chosen[1].name):
                    filled.used.add((m.start, m.end))
            return chosen[1]
        if grain is not None and spec.grains:
            filled.used.add((grain.start, grain.end))
            return Breakdown(grain=str(grain.value))
        return None

    def _share_parts(
        self, intent: Intent, r: Reading, out: dict[str, Any], by_role: Mapping[str, SlotSpec], filled: Filled
    ) -> list[FoundFilter]:
        """ "What % of pageviews came from mobile": when a family's choice slot holds ``of_total``, the values
        named after "came from" become the breakdown's values (the part) instead of filters (which would make
        the whole mobile too). Returns the filters so taken."""
        share = r.detail("share")
        spec = by_role.get("breakdown")
        if share is None or spec is None or "of_total" not in out.values():
            return []
        current = out.get(spec.name)
        prop = current.property if isinstance(current, Breakdown) else current
        named = [
            f
            for f in r.filters
            if f.start >= share.start
            and f.filter.op in ("=", "in")
            and (prop is None or f.filter.prop.name == prop.name)
        ]
        if not named:
            return []
        taken = [f for f in named if f.filter.prop == named[-1].filter.prop]
        values = tuple(dict.fromkeys(v for f in taken for v in _values(f.filter)))
        out[spec.name] = Breakdown(taken[-1].filter.prop, values=values)
        filled.used.add((share.start, share.end))
        for f in taken:
            filled.used.add((f.start, f.end))
        return taken

    def _segment_filter(
        self, f: FoundFilter, r: Reading, out: Mapping[str, Any], by_role: Mapping[str, SlotSpec]
    ) -> bool:
        """The two values of "Chrome vs Firefox" are the breakdown's, not two filters that would match nobody."""
        spec = by_role.get("breakdown")
        value = out.get(spec.name) if spec is not None else None
        if not (isinstance(value, Breakdown) and value.values) or r.segments is None:
            return False
        start, end = r.segments[2]
        return start <= f.start and f.end <= end

    def _comparison(
        self, r: Reading, out: dict[str, Any], by_role: Mapping[str, SlotSpec], now: datetime, filled: Filled
    ) -> Comparison | None:
        breakdown = out.get(by_role["breakdown"].name) if "breakdown" in by_role else None
        if isinstance(breakdown, Breakdown) and breakdown.values:
            return Comparison("segments")
        if r.comparison is None:
            return None
        spec = by_role.get("date_range")
        current = out.get(spec.name) if spec is not None else None
        compared = [s for s in r.spans if s.kind == "comparison"]
        if not isinstance(current, TimeRange):
            # "invoices sent vs last week": this week so far against the same part of last week, not the
            # family's default range against the one before it
            unit = next((m for s in compared if (m := _COMPARED_UNIT.search(s.text))), None)
            now_unit = ("today" if unit.group(0) == "yesterday" else f"this {unit.group('u')}") if unit else None
            try:
                current = parse_time_range(
                    now_unit or str(spec.default if spec is not None else "") or "last 30 days", now
                )
            except TimeRangeError:
                return None
            if now_unit is not None and spec is not None and r.compare_range is None:
                out[spec.name] = current
        for s in compared:
            filled.used.add(s.key)
        if r.compare_range is not None:
            # like for like only when the current period is still running ("this month so far vs the same point
            # last month"): October against September compares two whole months, though one day shorter
            # ("Nov 6 to Nov 15" against since Nov 16: the days named are compared as named, whatever their length)
            running = current.end >= now - timedelta(minutes=1) and "from" not in r.compare_range.spec
            shorter = r.compare_range.end - r.compare_range.start < current.end - current.start - timedelta(hours=1)
            return Comparison(
                "previous_period",
                r.compare_range,
                (running and shorter) or "same point" in r.compare_range.label,
            )
        previous, like_for_like = previous_range(
            current, now, years=r.comparison == "previous_year", weeks=r.comparison == "previous_week"
        )
        return Comparison("previous_period", previous, like_for_like)

    def _owner(self, prop: PropertyRef) -> str | None:
        """The one event a property belongs to, when only one has it (not the common ones like $browser)."""
        if prop.scope != "event" or prop.name in self.taxonomy.common_event_properties:
            return None
        owners = [e.name for e in self.taxonomy.events.values() if prop.name in e.properties]
        return owners[0] if len(owners) == 1 else None

    def _rescope_prop(self, prop: PropertyRef, events: list[EventRef]) -> PropertyRef:
        """``plan`` is the event's own property on purchases, the person's everywhere else; ``utm_source``, on
        the signup only, is the person's first one (PostHog's ``$initial_utm_source``) on their other events."""
        if prop.scope != "event" or not events:
            return self._person_first(prop) if not events else prop
        if all(prop.name in self.taxonomy.event_property_names(e.name) for e in events):
            return prop
        person = self.taxonomy.property(prop.name, "person") or self.taxonomy.property(
            f"$initial_{_first_touch(prop.name)}", "person"
        )
        return person.ref() if person is not None else prop

    def _narrow_event(
        self,
        by_role: Mapping[str, SlotSpec],
        filters: list[FoundFilter],
        out: dict[str, Any],
        use: Callable[[tuple[int, int]], None],
    ) -> list[FoundFilter]:
        """A family whose filters narrow its event (``narrows``) moves each filter on a property that event carries
        onto it; the others stay filters of the whole query."""
        event_slot = by_role.get("series.event")
        event = out.get(event_slot.name) if event_slot is not None else None
        if not by_role["filters"].narrows or event_slot is None or not isinstance(event, EventRef):
            return filters
        own = set(self.taxonomy.event_property_names(event.name))
        onto = [f for f in filters if f.filter.prop.scope == "event" and f.filter.prop.name in own]
        if onto:
            out[event_slot.name] = replace(event, filters=(*event.filters, *(f.filter for f in onto)))
            for f in onto:
                use((f.start, f.end))
        return [f for f in filters if f not in onto]

    def _narrow_listed(
        self,
        intent: Intent,
        filters: list[FoundFilter],
        out: dict[str, Any],
        use: Callable[[tuple[int, int]], None],
    ) -> list[FoundFilter]:
        """Events listed side by side ("adding clients, sending invoices or manual reminders"): a filter on a property
        only some of them carry ("manual" reminders) narrows those, not the whole query, which would drop the
        others. Funnel steps (a role of their own) keep their filters as they are."""
        for spec in intent.slots:
            listed = out.get(spec.name)
            if spec.type != "events" or spec.role == "steps" or not isinstance(listed, (list, tuple)):
                continue
            carried = {e.name: set(self.taxonomy.event_property_names(e.name)) for e in listed}
            some = [
                f
                for f in filters
                if f.filter.prop.scope == "event"
                and 0 < sum(f.filter.prop.name in own for own in carried.values()) < len(carried)
            ]
            if some:
                out[spec.name] = type(listed)(
                    replace(e, filters=(*e.filters, *(f.filter for f in some if f.filter.prop.name in carried[e.name])))
                    for e in listed
                )
                for f in some:
                    use((f.start, f.end))
                filters = [f for f in filters if f not in some]
        return filters

    def _rescope_filter(self, f: PropertyFilter, events: list[EventRef]) -> PropertyFilter:
        prop = self._rescope_prop(f.prop, events)
        return f if prop == f.prop else replace(f, prop=prop)

    def _person_first(self, prop: PropertyRef) -> PropertyRef:
        """Without an event, "pro users" means the person's plan."""
        if prop.scope == "event" and prop.name not in self.taxonomy.common_event_properties:
            person = self.taxonomy.property(prop.name, "person")
            if person is not None:
                return person.ref()
        return prop

    # -- defaults and checks -------------------------------------------------------------------------------

    def _defaults(self, intent: Intent, filled: Filled, r: Reading, now: datetime) -> None:
        v = filled.values
        for spec in intent.slots:
            if spec.name in v or spec.default is None or spec.type == "time_range" or spec.default == "by_range":
                continue
            value = self._default_value(replace(spec, default=spec.default_given(v)), r)
            if value is not None:
                v[spec.name] = value
                filled.defaulted.append(spec.name)
                if spec.type == "flag":
                    filled.notes.append(f"the project has one experiment flag, {value!r}")
        for spec in intent.slots:
            if spec.type == "time_range" and not spec.silence and spec.name not in v and not r.time_options:
                v[spec.name] = self._default_range(spec, v, now)
                filled.defaulted.append(spec.name)
        time_range = next(
            (v[s.name] for s in intent.slots if s.type == "time_range" and not s.silence and s.name in v), None
        )
        for spec in intent.slots:
            if spec.default == "by_range" and spec.name not in v and isinstance(time_range, TimeRange):
                v[spec.name] = default_interval(time_range)
                filled.defaulted.append(spec.name)

    def _default_value(self, spec: SlotSpec, r: Reading) -> Any:
        if spec.type == "event":
            name = self._event_default(spec)
            return EventRef(name) if name else None
        if spec.type == "property":
            found = self.taxonomy.property(spec.default)
            return found.ref() if found is not None else None
        if spec.type == "flag":
            if spec.default == "@only_flag" and len(self.taxonomy.flags) == 1 and not self._names_another_experiment(r):
                return next(iter(self.taxonomy.flags))
            return None
        return spec.default

    def _names_another_experiment(self, r: Reading) -> bool:
        """ "did the pricing page experiment work?" names an experiment: not the project's only flag."""
        flag_words = {w for key in self.taxonomy.flags for w in re.split(r"[\s_-]+", key.lower())}
        return any(
            m.group(1) not in _GENERIC and m.group(1) not in flag_words for m in _NAMED_EXPERIMENT.finditer(r.text)
        )

    def _default_range(self, spec: SlotSpec, v: Mapping[str, Any], now: datetime) -> TimeRange:
        """The intent file's default phrase, which may name other slots ("last {periods} {period}s")."""
        phrase = str(spec.default_given(v) or "last 30 days")
        try:
            phrase = phrase.format(**{k: val for k, val in v.items() if isinstance(val, (str, int))})
            tr = from_spec({"all": True}, now) if phrase == "all time" else parse_time_range(phrase, now)
        except (KeyError, IndexError, ValueError, TimeRangeError):
            tr = parse_time_range("last 30 days", now)
        return replace(tr, default=True)

    def _check(self, intent: Intent, filled: Filled, r: Reading, given: frozenset[str] = frozenset()) -> None:
        """``given`` are the slots the user filled in reply to a clarification: not asked about again."""
        v = filled.values
        self._check_measured_property(intent, filled, given)
        time_spec = next((s for s in intent.slots if s.type == "time_range"), None)
        if time_spec is not None and r.unread_time is not None and time_spec.name in filled.defaulted:
            del v[time_spec.name]
            filled.defaulted.remove(time_spec.name)
            filled.issues.append(
                ClarifyingQuestion(
                    time_spec.name,
                    f"I could not use the period {r.unread_time!r} (is it in the future, or not a real "
                    f"date?). {time_spec.prompt}",
                    ("last 7 days", "last 30 days", "last month"),
                    "unreadable_time",
                )
            )
        if r.time_options and time_spec is not None and time_spec.name not in v:
            filled.issues.append(
                ClarifyingQuestion(
                    time_spec.name, "Which period do you mean?", tuple(t.label for t in r.time_options), "ambiguous"
                )
            )
        per = next((v.get(s.name) for s in intent.slots if s.role == "series.per"), None)
        for spec in intent.slots:
            if spec.role == "series.property" and per in ("total", "unique_session", "active_days"):
                continue  # "average uploads per user" is a statistic of per-person counts, not of a property
            role = spec.default if isinstance(spec.default, str) and spec.default.startswith("@") else None
            if (
                spec.type == "event"
                and spec.name not in v
                and role is not None
                and event_named(role, self._roles, self.taxonomy) is None
            ):
                # a project none of whose events reads as the role ("activation"): asked, never rendered without
                kind = role[1:].removesuffix("_event").replace("_", " ")
                filled.issues.append(
                    ClarifyingQuestion(
                        spec.name,
                        f"No event of this project reads as the {kind} event. {spec.prompt}",
                        self.options_for(spec),
                        "no_role",
                    )
                )
                continue
            if spec.name in v or not spec.is_required(v):
                if spec.type == "events" and spec.name in v and len(v[spec.name]) < (spec.min or 1):
                    filled.issues.append(self._events_issue(spec, v[spec.name]))
                continue
            if (
                spec.all_events
                and not r.events
                and not r.unknown_things()
                and not r.vague
                and r.metric is None
                and _ALL_EVENTS_NOUN.search(r.text)
                and not any(  # "used offline mode" (not "used billfold": a word the project's events are described by)
                    _USED.search(r.text[:start]) and word not in self._described_by for word, start, _ in r.unknown
                )
            ):
                filled.notes.append("no event named: counting all events")
                continue
            if spec.type == "events" and r.events:
                partial = tuple(m.event for m in r.events if m.event is not None)
                filled.issues.append(
                    self._events_issue(spec, self._conversion_to(partial[0]) if len(partial) == 1 else partial)
                )
                continue
            filled.issues.append(self._issue(spec, r))
        self._check_unknown_names(intent, filled, r, given)
        self._check_referents(intent, filled, r, given)
        self._check_groupings(intent, filled, r, given)
        self._check_split_scope(intent, filled, given)
        for kind, value in r.bad_numbers:
            slot = next(
                (
                    s
                    for s in intent.slots
                    if (s.number or s.name) in (kind, "window_days" if kind in _WINDOW_UNITS else kind)
                ),
                None,
            )
            if slot is not None:
                low, high = NUMBER_RANGES[kind]
                self._ask_instead(
                    filled,
                    slot.name,
                    f"{value} does not work here: use a number from {low} to {high}. {slot.prompt}",
                    (),
                    "out_of_range",
                )
        self._check_unread_filters(intent, filled, r, given)

    def _check_unread_filters(self, intent: Intent, filled: Filled, r: Reading, given: frozenset[str]) -> None:
        """ "amount > abc", "plan ~ pro", "amount between 5 and": a filter being written that askhog cannot
        read is asked about; answering without it (or with another operator) would answer another question."""
        spec = next((s for s in intent.slots if s.type == "filters"), None)
        if not r.unread_filters or spec is None or spec.name in given:
            return
        phrase = r.unread_filters[0][0]
        self._ask_instead(
            filled,
            spec.name,
            f"I could not read the filter {phrase!r}. Write it like 'plan = pro', 'plan != pro', "
            f"'amount > 1,000', 'amount between 10 and 50', '$current_url contains pricing', "
            f"'$current_url starts with https://' or '$os is set'.",
            (),
            "unreadable_filter",
        )

    def _check_unknown_names(self, intent: Intent, filled: Filled, r: Reading, given: frozenset[str]) -> None:
        """ "how sticky is widget exporting?", "enterprise-plan customers", "trial to paid conversion": a name the
        project does not have, or "it" with nothing to refer to, is asked about instead of silently answered for
        everything (or, for a conversion, from a step the question did not name)."""
        primary = next((s for s in intent.slots if s.type in ("event", "events") and s.role != "exclude"), None)
        if primary is None or primary.name in given or any(i.slot == primary.name for i in filled.issues):
            return
        if primary.name in filled.defaulted:
            acted = next((u for u in r.unknown if _ACTION_AT.search(r.text, max(0, u[1] - 40), u[1])), None)
            if acted is not None:
                # "right after someone opens a support ticket": an action the project has no event for (the paths
                # started at the default event, silently)
                untracked = " ".join(r.text[acted[1] :].split()[:4]).rstrip("?.,;:!")
                self._ask_event(filled, primary, f"for {untracked!r}", acted[0])
                return
        steps = filled.values.get(primary.name) if primary.type == "events" else None
        named = [m for m in r.events if m.event is not None]
        if steps and len(named) == 1 and primary.name not in filled.defaulted:
            before = re.search(r"\b([a-z][a-z_]{2,})\s+(?:to|into|->|→)\s*$", r.text[: named[0].start])
            word = (
                before.group(1)
                if before
                and before.group(1) not in STOPWORDS
                and not any(m.start <= before.start(1) < m.end for m in (*r.events, *r.properties, *r.breakdowns))
                else None
            )
            if word is not None:  # "trial to paid": one end is not an event of the project
                self._ask_event(filled, primary, f"called {word!r}", word)
                return
        for word, start, end in r.unknown:
            if _DESCRIBING.fullmatch(word):
                continue  # "the noisiest user", "really busy": words that describe, not names
            event = next(
                (m for m in r.events if m.event is not None and not r.text[end : m.start].strip() and m.start >= end),
                None,
            )
            if (
                event is not None
                and event.event is not None
                and primary.name in filled.values
                and (not is_english(word) or _USED.search(r.text[:start]))
            ):
                # "webinar registrations": the project's signups are not webinar registrations; "used recurring
                # invoices": a feature the project does not track, not its invoices
                self._ask_instead(
                    filled,
                    primary.name,
                    f"This project has nothing called {word!r}: did you mean {event.event.name} in "
                    f"general, or another event?",
                    (event.event.name, *self.linker.suggest_events(word)),
                    "unknown_modifier",
                )
                return
            if word in r.unknown_things() and primary.name in filled.values and primary.name not in filled.defaulted:
                # "CSAT scores", "first response time", "tickets got escalated": a measure or state the project
                # does not track, asked about rather than answered with the bare event
                named = filled.values[primary.name]
                first = named[0] if isinstance(named, tuple) and named else named
                self._ask_instead(
                    filled,
                    primary.name,
                    f"This project tracks nothing called {word!r}. {primary.prompt}",
                    tuple(
                        dict.fromkeys(
                            (
                                *([first.name] if isinstance(first, EventRef) else []),
                                *self.linker.suggest_events(word),
                            )
                        )
                    ),
                    "unknown_measure",
                )
                return
            if word in r.unknown_things() and primary.name not in filled.values and not r.events:
                # "which browser has the most errors": a family that counts every event when none is named would
                # answer with all of them
                self._ask_event(filled, primary, f"called {word!r}", word)
                return
            noun = re.match(rf"\s+{_THING_NOUNS}", r.text[end:])
            if noun is None:
                continue
            listed = BRACKETED.match(r.text, end + noun.end())
            if listed is not None and any(listed.start(1) <= f.start and f.end <= listed.end(1) for f in r.filters):
                continue  # "the marketing pages (/, /pricing, /blog)": a name for the values listed after it
            value_of = self._property_named(noun.group(0).strip())
            filters = next((s for s in intent.slots if s.type == "filters"), None)
            if value_of is not None and value_of.values and filters is not None:
                filled.issues.append(
                    ClarifyingQuestion(
                        filters.name,
                        f"This project has no {value_of.name} called {word!r}: which {value_of.name}?",
                        tuple(f"{value_of.name} = {v}" for v in value_of.values),
                        "unknown_value",
                    )
                )
                return
            self._ask_instead(
                filled,
                primary.name,
                f"This project has no event or property called {word!r}. {primary.prompt}",
                tuple(self.linker.suggest_events(word)),
                "unknown_event",
            )
            return
        action = None if r.events or r.qualifiers or r.metric is not None else _ACTION.search(r.text)
        if (
            action is not None
            and action.group("verb") not in _STATE_VERBS
            and action.group("obj") not in STOPWORDS
            and not action.group("obj").endswith("ing")
            and not any(a < action.end() and action.start("verb") < b for a, b in _linked(r))
        ):
            # "users who scanned receipts": an action the project tracks no event for, not every event
            end, unknown = action.end(), {w for w, _, _ in r.unknown}
            while (more := re.match(r"\s+(\w+)", r.text[end:])) and more.group(1) in unknown:
                end += more.end()  # "turned on two factor auth", not "turned on two"
            phrase = r.text[action.start("verb") : end]
            self._ask_instead(
                filled,
                primary.name,
                f"This project tracks nothing called {phrase!r}. {primary.prompt}",
                tuple(self.linker.suggest_events(phrase)),
                "unknown_event",
            )
            return
        used = self._used_thing(r) if action is None or action.group("verb") in _STATE_VERBS else None
        if used is not None and not r.events and not r.qualifiers and r.metric is None:
            # "how many people used time tracking": a thing the project tracks nothing of, not everyone active
            self._ask_instead(
                filled,
                primary.name,
                f"This project tracks nothing called {used!r}. {primary.prompt}",
                tuple(self.linker.suggest_events(used)) or tuple(self.linker.event_options()),
                "unknown_event",
            )
            return
        for m in r.events:
            ui = _UI_ELEMENT.match(r.text[m.end :])
            if m.event is None or ui is None or self.linker.knows(ui.group(1)):
                continue
            # "clicked the upgrade banner": an element of the interface the project tracks no event for
            phrase = f"{m.phrase} {ui.group(1)}"
            self._ask_instead(
                filled,
                primary.name,
                f"This project tracks nothing called {phrase!r}: did you mean {m.event.name} in general, or "
                f"another event?",
                tuple(dict.fromkeys((m.event.name, *self.linker.suggest_events(phrase)))),
                "unknown_modifier",
            )
            return
        said = primary.name in filled.values and primary.name not in filled.defaulted
        if r.vague and not r.events and r.metric is None and not said:
            filled.issues.append(
                ClarifyingQuestion(primary.name, primary.prompt, tuple(self.linker.event_options()), "vague")
            )

    def _property_named(self, noun: str) -> Any:
        """ "plan" in "enterprise plan": the property a noun names, with its known values."""
        for m in self.linker.link(noun):
            if m.kind == "property" and m.prop is not None:
                return self.taxonomy.property(m.prop.name, m.prop.scope)
        return None

    def _check_groupings(self, intent: Intent, filled: Filled, r: Reading, given: frozenset[str]) -> None:
        """ "revenue by sales rep": a family that groups asks which property is meant when the project has no
        such one (a family that does not group reports the words unread instead)."""
        spec = next((s for s in intent.slots if s.role == "breakdown"), None)
        if not r.groupings or spec is None or spec.name in given or any(i.slot == spec.name for i in filled.issues):
            return
        phrase = r.groupings[0][0]
        self._ask_instead(
            filled,
            spec.name,
            f"This project has no property called {phrase!r}: group by which property?",
            self.options_for(spec),
            "unknown_property",
        )

    def _check_split_scope(self, intent: Intent, filled: Filled, given: frozenset[str]) -> None:
        """ "signups by landing page": a property of sessions splits sessions; a family that counts events or
        people cannot split them by it, so it asks which of their own properties is meant."""
        spec = next((s for s in intent.slots if s.role == "breakdown"), None)
        if spec is None or spec.name in given or intent.unit == "sessions":
            return
        split = filled.values.get(spec.name)
        prop = split.property if isinstance(split, Breakdown) else split
        if not isinstance(prop, PropertyRef) or prop.scope != "session":
            return
        self._ask_instead(
            filled,
            spec.name,
            f"{prop.name} is a property of sessions: I can split sessions by it, not this {intent.id}. {spec.prompt}",
            tuple(o for o in self.options_for(spec) if o != prop.name),
            "session_property",
        )

    def _check_referents(self, intent: Intent, filled: Filled, r: Reading, given: frozenset[str]) -> None:
        """ "the campaign", "the new feature": something the question points at without naming. Asked
        about (with the property's values) rather than answered for every campaign or feature."""
        spec = next((s for s in intent.slots if s.type == "filters"), None)
        if spec is None or spec.name in given or any(i.slot == spec.name for i in filled.issues):
            return
        for pattern, name, prompt, options in self._referents:
            if not pattern.search(r.text):
                continue
            if any(f.prop.name == name for f in filled.values.get(spec.name) or ()):
                continue
            filled.issues.append(ClarifyingQuestion(spec.name, prompt, options, "referent"))
            return

    def _events_issue(self, spec: SlotSpec, partial: tuple[EventRef, ...]) -> ClarifyingQuestion:
        options = []
        if len(partial) >= 2:
            options.append(" -> ".join(e.name for e in partial))
        if len(self._default_funnel) >= 2:
            options.append(" -> ".join(self._default_funnel[-2:]))
            options.append(" -> ".join((self._default_funnel[0], self._default_funnel[-1])))
        return ClarifyingQuestion(spec.name, spec.prompt, tuple(dict.fromkeys(o for o in options if o)), "missing")

    def _issue(self, spec: SlotSpec, r: Reading) -> ClarifyingQuestion:
        if spec.type in ("event", "events"):
            phrase = " ".join((r.unknown_things() or r.unknown_words)[-3:])
            if phrase and not r.events:
                return ClarifyingQuestion(
                    spec.name,
                    f"I couldn't find an event matching {phrase!r}. {spec.prompt}",
                    tuple(self.linker.suggest_events(phrase)),
                    "unknown_event",
                )
            return ClarifyingQuestion(spec.name, spec.prompt, tuple(self.linker.event_options()))
        return ClarifyingQuestion(spec.name, spec.prompt, self.options_for(spec))

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

    # -- what was used ---------------------------------------------------------------------------------------

    def _use_kind(self, r: Reading, filled: Filled, kind: str) -> None:
        for s in r.spans:
            if s.kind == kind:
                filled.used.add(s.key)

    def _use_overlapping(self, r: Reading, filled: Filled, start: int, end: int) -> None:
        """A choice cue that matched words the reading also read as a detail ("sessions per user") used them."""
        filled.used.add((start, end))
        for s in r.spans:
            if s.kind in ("detail", "number", "property") and s.start < end and start < s.end:
                filled.used.add(s.key)

    def _unread(self, intent: Intent, r: Reading, filled: Filled) -> list[str]:
        """Words that change a number's meaning ("not", "vs", "first week", "per") that nothing used: a negation
        is read when what follows it was read negated ("never shared", "plan != pro"), a comparison word when
        the answer compares, any other when a used span covers it, and none of the kinds the family ``reads``
        by itself. What is left the answer must report, or "NOT on desktop" silently counts desktop."""
        used = list(filled.used)
        negated = [
            s.start
            for s in r.spans
            if s.key in filled.used
            and (s.label.startswith("not ") or " != " in s.label or " not_in " in s.label or "is_not" in s.label)
        ]
        compares = any(s.kind == "comparison" and s.key in filled.used for s in r.spans)
        newness = [
            s.key
            for s in r.spans
            if s.key in filled.used and (s.kind == "event" or (s.kind == "detail" and s.label.startswith("first_time")))
        ]
        shares = any(s.kind == "detail" and s.label.startswith("share") and s.key in filled.used for s in r.spans)
        out = []
        reported: list[tuple[int, int]] = []
        for kind, pattern in self._unread_cues:
            if kind in intent.reads or (kind == "comparison" and compares) or (kind == "percent" and shares):
                continue
            # newness is read only by the event that makes people new ("new accounts created") or a first time
            # ("new paying customers"): the count of "how many new users" reads its unit, not who is new
            covering = newness if kind == "new" else used
            for m in pattern.finditer(r.text):
                if any(a < m.end() and m.start() < b for a, b in reported) or any(
                    (a < m.end() and m.start() < b) if kind == "new" else a <= m.start() < b for a, b in covering
                ):
                    continue
                if kind == "negation" and any(m.end() <= start <= m.end() + 40 for start in negated):
                    continue
                reported.append(m.span())
                out.append(f"{m.group(0)!r} ({kind}, in '…{r.text[max(0, m.start() - 20) : m.end() + 20].strip()}…')")
        return out

    def _unused(self, intent: Intent, r: Reading, filled: Filled) -> list[str]:
        """Spans the reading found that no slot used: what the answer must say it left out (not a first time
        where the family's meaning is to the first time: "time to their first purchase")."""
        used = filled.used
        filtered = {
            f.prop.name
            for v in filled.values.values()
            if isinstance(v, tuple)
            for f in v
            if isinstance(f, PropertyFilter)
        }
        out = []
        for s in r.spans:
            if s.kind not in _USED_KINDS or s.key in used:
                continue
            if s.kind == "detail" and s.label.startswith("first_time") and "first" in intent.reads:
                continue
            if any(a <= s.start and s.end <= b for a, b in used):
                continue
            if s.kind == "property" and s.label.rpartition(".")[2] in (*filtered, *intent.shows):  # "team plan"
                continue
            out.append(f"{s.text.strip()!r} ({s.label})")
        interval = self._cue_value("interval", r.text)
        grained = any(isinstance(v, Breakdown) and v.grain for v in filled.values.values())
        if interval is not None and not grained and r.detail("per_period") is None:
            # "revenue by month" where the family has no series: the interval asked for is reported, not dropped
            said = next(m.group(0) for p in self._cue_patterns("interval", interval) if (m := p.search(r.text)))
            if _SERIES_ASKED.match(said.strip()) and not any(s.role == "interval" for s in intent.slots):
                out.append(f"{said.strip()!r} (one figure per {interval})")
        return out


def merge_filters(filters: Iterable[PropertyFilter]) -> tuple[PropertyFilter, ...]:
    """Drop repeats; several values of one property ("pro and free users") become one ``in`` filter (AND-ing
    them would match nobody), several excluded values one ``not_in`` filter."""
    merged: dict[tuple[PropertyRef, str], PropertyFilter] = {}
    for f in dict.fromkeys(filters):
        group = "=" if f.op in ("=", "in") else "!=" if f.op in ("!=", "not_in") else f"{f.op}:{f.value}"
        key = (f.prop, group)
        previous = merged.get(key)
        if previous is None or group not in ("=", "!="):
            merged[key] = f
            continue
        values = tuple(dict.fromkeys((*_values(previous), *_values(f))))
        single, many = ("=", "in") if group == "=" else ("!=", "not_in")
        merged[key] = PropertyFilter(
            f.prop,
            many if len(values) > 1 else single,  # type: ignore[arg-type]
            values if len(values) > 1 else values[0],
        )
    return tuple(merged.values())


def _values(f: PropertyFilter) -> tuple[str, ...]:
    return tuple(f.value) if isinstance(f.value, tuple) else (str(f.value),)


def reading_warnings(filled: Filled, meaning: Meaning, now: datetime) -> list[Problem]:
    """What the answer must say it did not use: each part of the question the family had no place for."""
    problems = [
        Problem("unused_words", f"I did not use {part}: the answer does not reflect it", fix=None, severity="warning")
        for part in filled.unused
    ]
    counted = meaning.primary.event
    for c in meaning.conditions:
        apart = (
            c.window is not None
            and meaning.date_range is not None
            and (c.window.start >= meaning.date_range.end or c.window.end <= meaning.date_range.start)
        )  # "uploaded in October but not in November": another period, no contradiction
        if (
            c.kind == "did_not"
            and counted is not None
            and c.event is not None
            and c.event.name == counted.name
            and not apart
        ):
            # "uploaded a file but never uploaded again": read literally that is nobody
            problems.append(
                Problem(
                    "assumption",
                    f"you asked about people who did {counted.name} and never did {counted.name}: read "
                    f"literally that is nobody; 'did it only once' is not something I can count yet",
                    fix=None,
                    severity="warning",
                )
            )
    return problems


_WINDOW_UNITS = {"window_weeks": 7 * 24, "window_hours": 1}
"""The number kinds a window in days is also written in, by their hours."""


def _window_in_days(r: Reading) -> Number | None:
    """A window asked in weeks ("within 2 weeks") or in whole days of hours ("within 48 hours") as days; hours that
    are not whole days are left unread (and reported), never rounded into a different window."""
    for kind, hours in _WINDOW_UNITS.items():
        number = r.numbers.get(kind)
        if number is not None and number.value * hours % 24 == 0:
            return replace(number, value=number.value * hours // 24)
    return None


def _sides_grain(r: Reading) -> bool:
    """A grain that is two named sides, not a ranking of periods: weekdays against weekends."""
    grain = r.detail("grain")
    return grain is not None and grain.value in SIDE_GRAINS
