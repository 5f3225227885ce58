"""Read a question once: every span it holds and what each span was read as.

The reading finds the time range (and a time phrase it could not use), the
numbers with what they count, the taxonomy mentions in order (events, the
events the question negates, properties, values and explicit filters, negated
or not), and the *details*: what the question asks of its events beyond which
ones (an aggregate, the unit counted, per person, an order, a time grain to
rank, a first-time or first-days condition, one figure per period, all time,
a comparison). Each is a ``Span`` with offsets into the normalized question,
so that after the family's slots are filled the engine can tell which parts
of the question were used and say so for the rest (``Reading.spans``).

The reading knows no family: which detail a family can use is said by its
intent file (the slots' roles), and applied by ``askhog.slots``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

from .english import is_english
from .linking import NAME_WORD_SCORE, Linker, Mention, unit_property
from .operators import OperatorRead, read_operator
from .prefilter import Gated, gated
from .roles import event_named
from .taxonomy import Taxonomy
from .text import STOPWORDS, Question, stem, tokenize
from .timerange import NUMBER_WORDS, TimeMatch, find_time_filter, find_time_range, find_time_ranges
from .types import EventRef, FilterOp, PropertyFilter, PropertyRef, TimeRange

_NUM = r"(\d{1,4})"
_WORD_NUMBERS = {w: n for w, n in NUMBER_WORDS.items() if w.isalpha() and w not in ("a", "an", "few")}
"""The time grammar's number words that a threshold or a limit may be written with ("three tickets"): not "a" or
"few", which are no thresholds."""
_UNIT_AFTER = r"(?!\s*(?:days?|weeks?|hours?|months?|%|percent))"
_RANKED = (
    r"\s+(?:\w+\s+){0,2}(?:users|people|persons|customers|accounts|countries|pages|features|events|browsers|"
    r"channels|sources|days|weeks|plans|reasons|categories|paths|steps|campaigns|devices|emails|hours|months|"
    r"weekdays)\b"
)
"""The things a number before them ranks: "top 3 countries", "which 2 hours"."""
_COUNTED = (
    r"(?:[a-z_$]+\s+){0,2}?(?!(?:days|weeks|months|hours|minutes|seconds|years|mb|gb|kb|users|people|persons|"
    r"customers|accounts|members|visitors|percent)\b)[a-z_$]+s\b"
)
"""What a threshold counts: a plural noun ("uploads", "support tickets", "file_shared events"), not a span of time, a
unit of size or the people being counted ("5 or more days" is a days-active threshold)."""

# (kind, pattern): the number in group 1 is what a slot of that kind (``number:`` in an intent file, else the
# slot's name) takes. Checked in order; the first of a kind wins.
NUMBER_CUES: tuple[tuple[str, Gated], ...] = tuple(
    (kind, gated(p))
    for kind, p in (
        (
            "limit",
            rf"\b(?:top|first|best|worst|biggest|largest|bottom|busiest|heaviest|leading|latest|newest|most recent)\s+"
            rf"{_NUM}\b{_UNIT_AFTER}",
        ),
        ("limit", rf"\b{_NUM}\s+(?:most|least|top|biggest|heaviest|busiest|largest|highest|lowest|leading|best)\b"),
        (
            "limit",  # "which 2 hours": a ranking of periods; "the 3 days after signup" may be a window
            rf"(?:\b(?:limit|show me|list|give me|the)\s+{_NUM}\b(?={_RANKED}){_UNIT_AFTER}|\b(?:which|what)\s+{_NUM}\b"
            rf"(?={_RANKED}))",
        ),
        (
            "limit",  # "show me the 3 who've been gone the longest", "which 3 have gone quiet": people, counted off
            rf"\b(?:show me|list|give me|the|which|what)\s+{_NUM}\s+(?=(?:who|that|have|has|had|are|were|did)\b)",
        ),
        (
            "limit",
            rf"\b{_NUM}\s+(?:days|dates|weeks|months|hours)\s+with the (?:most|least|fewest|highest|lowest|biggest|"
            r"smallest|top|largest)\b",
        ),
        (
            "window_days",
            rf"\b(?:within|in under|inside|in less than|in the first|first|in)\s+{_NUM}\s*(?:-\s*)?days?\b",
        ),
        ("window_weeks", rf"\b(?:within|in the first|first|in)\s+{_NUM}\s*(?:-\s*)?weeks?\b"),
        (
            "window_hours",
            rf"\b(?:within|in under|inside|in less than|in the first|first)\s+{_NUM}\s*(?:-\s*)?(?:hours?|hrs?|h)\b",
        ),
        ("window_days", rf"\b{_NUM}[- ]day (?:conversion )?window\b"),
        (
            "min_count",
            rf"(?:\b(?:at least|more than|over|min(?:imum)?(?: of)?)|>=?)\s*{_NUM}\s*(?:times\b|x\b|{_COUNTED})",
        ),
        ("min_count", rf"\b{_NUM}\s*(?:\+|or more|or above|plus)\s*(?:times\b|{_COUNTED})"),
        ("min_count", rf"\b{_NUM}\s*(?:times\b|x)\s*(?:or more|or above|\+|plus|or over)\b"),  # "twice or more"
        (
            "min_days",
            rf"\b(?:on|for)?\s*(?:at least\s+)?{_NUM}\s*(?:\+|or more)?\s*(?:different |distinct |separate |unique |"
            rf"or more )*days?\b(?=[^.?!]{{0,40}}\b(?:active|used|using|use|came|visited|logged|were|was|did)\b)"
            r"|\bactive on\s+(?:at least\s+)?(\d{1,2})\s*(?:\+|or more)?\s*(?:different |distinct |separate |unique )?"
            r"days?\b"
            r"|\b(\d{1,2})\s*(?:\+|or more)\s*(?:different |distinct |separate |unique )?days?\b"
            r"|\b(?:on|across|over)\s+(?:at least\s+)?(\d{1,2})\s+(?:different|distinct|separate|unique)\s+days?\b"
            r"|\bon\s+at\s+least\s+(\d{1,2})\s+days?\b"
            r"|\b(?:at least\s+)(\d{1,2})\s+(?:out\s+)?of\s+(?:the\s+)?(?:\d{1,2}\s+)?days\b"
            r"|\b(?:at least\s+)(\d{1,2})\s+days?\s+out\s+of\s+(?:the\s+)?\d{1,2}\b",
        ),
        (
            "silent_days",
            rf"\b(?:silent|inactive|quiet|dormant|gone|stopped|quit|no longer|not (?:seen|active|logged in|been back)|haven'?t "
            rf"(?:been )?(?:seen|active|logged in|been back|come back|returned|used|done anything)|no activity|"
            rf"not used|nothing|(?:no|zero) (?:events?|activity|actions?|page ?views?|visits?|logins?|sessions?))"
            rf"\D{{0,30}}?{_NUM}\s*(?:\+\s*)?days?\b",
        ),
        ("silent_days", rf"\b{_NUM}\s*\+?\s*days? (?:of )?(?:inactivity|silence|without)\b"),
        (
            "silent_days",
            r"\b(?:silent|inactive|quiet|dormant|gone|not (?:seen|active|logged in|been back)|haven'?t (?:been )?"
            r"(?:seen|active|logged in|been back|come back|returned|used|done anything)|no activity)\D{0,30}?"
            r"(\d{1,2}|two|three|four|five|six)\s*\+?\s*weeks?\b",
        ),
        ("path_length", rf"\b{_NUM}\s*(?:-\s*)?steps?\b"),
        ("periods", rf"\b(?:for|over|across)\s+{_NUM}\s+(?:weeks|months)\b"),
        ("threshold", rf"\b{_NUM}\s*(?:sigma|standard deviations?|std|stdev|σ)\b"),
        ("offset", r"\b(?:week|month|day)[ -]?(\d{1,2})\b(?! (?:of|to)\b)"),
    )
)
_THE_REST = re.compile(
    r"\b(?:vs\.?|versus|compared (?:to|with)|against|than)\s+(?:(?:everyone|everybody|all) (?:else|the others)|the rest|"
    r"(?:all )?(?:the )?others|didn.?t|did not|(?:those|the ones|people|users|accounts|customers) (?:who|that) (?:didn.?t|did not|never|"
    r"haven.?t|have not|don.?t|do not))\b"
)
"""The other side of a comparison is everyone outside the group: the group is people who did something."""
_STRICTLY_MORE = re.compile(r"(?:more than|over\b|>(?!=))")
NUMBER_RANGES: dict[str, tuple[int, int]] = {
    "limit": (1, 10_000),
    "window_days": (1, 365),
    "window_weeks": (1, 52),
    "window_hours": (1, 8760),
    "min_count": (1, 100_000),
    "silent_days": (1, 365),
    "path_length": (1, 10),
    "periods": (1, 52),
    "threshold": (1, 10),
    "min_days": (1, 31),
    "offset": (0, 52),
}
"""What a number may be for each kind: "top 0" or "retention for 9999 weeks" is asked about."""
_WEEKS_AS_DAYS = {"silent_days"}

_NEGATION = re.compile(
    r"\b(?:but not|but never|never|not|didn'?t|did not|don'?t|do not|haven'?t|have not|hasn'?t|"
    r"has not|without|no longer|yet to|still havent|excluding|except|leave out|leaving out|not counting|ignoring|(?:ignore|skip|skipping)(?!\s+(?:untagged|unknown|empty|blank|null|missing|anonymous|internal|test)\b)|(?:had|has|have|made|with|but|and|then) (?:no|zero)|"
    r"zero)\b"
    r"(?:\s+(?!(?:on|of|in|by|for|with|about|number|count|amount)\b)\w+){0,3}\s*$"
)
_VALUE_NEGATION = re.compile(
    r"(?:\b(?:not|excluding|exclude|except|other than|apart from|besides|aside from|but not|"
    r"without|minus|ignoring|ignore|leaving out|not counting|not including|no|outside(?: of)?|"
    r"not from|not on|not in|not using|not via|weren'?t|wasn'?t|aren'?t|isn'?t|"
    r"(?:didn'?t|don'?t|doesn'?t|did not|do not|does not|never) (?:use|used|choose|chose|pick|picked))\s+"
    r"(?:the\s+|any\s+|of\s+)?(?!(?:just|only|simply|merely)\b)(?:\w+\s+){0,2}(?:\(\s*(?:[^(),]*,\s*)*)?|\bnon[- ]?|"
    r"\b(?:excluding|exclude|except|other than|apart from|not counting|leaving out|ignoring|minus|without)\s+"
    r"(?:anyone|anybody|everyone|people|users|customers|accounts|those|the ones|visitors|folks)\s+(?:(?:who|that)\s+"
    r"(?:\w+\s+){0,4}|(?:on|from|in|using|with|via)\s+(?:the\s+|a\s+|an\s+)?))$|"
    r"\b(?:excluding|exclude|except|other than|apart from|not counting|leaving out|ignoring|minus)\s+(?:\w+\s+){1,3}?"
    r"(?:on|from|in|using|with|via|by)\s+(?:the\s+|a\s+|an\s+)?$"
)
_NOT_SET = re.compile(
    r"\b(?:without|with no|with an? empty|missing|lacking|no|with a blank|that lack)\s+(?:an?\s+|any\s+)?$"
)
_SET_AFTER = re.compile(r"^\s+(?:property|value|set|at all|info|information|recorded)\b")
""""events without a $browser property", "signups with no utm source": the property is not set."""
_GROUPING = re.compile(
    r"\b(?:broken down|break(?:down)?|split|grouped|group|segmented|segment|sliced|slice|bucketed|cut)?\s*\bby\s+"
    r"(?:the |their |each |a |an |our )?(?P<words>[a-z][a-z'-]+(?: [a-z][a-z'-]+)?)"
)
_NOT_GROUPED = frozenset(
    {
        *("far", "default", "now", "then", "way", "hand", "mistake", "accident", "chance", "design", "itself"),
        *("whether", "if", "when", "where", "whom", "event", "user", "person", "session", "spend", "spent"),
        *("day", "days", "week", "weeks", "month", "months", "hour", "hours", "quarter", "year", "date", "time"),
        *("weekday", "daily", "weekly", "monthly", "count", "number", "volume", "total", "size", "amount", "value"),
        *("most", "more", "how", "what", "which", "who", "users", "people", "events", "sessions", "percent"),
    }
)
"""Words after "by" that are no property: "by far", "by day", "by count", "by how many"."""


def _join_adjacent(events: list[Mention], join: Callable[[Mention, Mention], Mention | None]) -> list[Mention]:
    """Each event mention beside the one kept before it, left to right: ``join`` gives the one mention the pair
    is (which replaces the earlier), or None to keep both."""
    out: list[Mention] = []
    for m in events:
        joined = join(out[-1], m) if out and out[-1].event is not None and m.event is not None else None
        if joined is None:
            out.append(m)
        else:
            out[-1] = joined
    return out


def _drop_event_span(spans: list[Span], m: Mention) -> None:
    spans[:] = [s for s in spans if not (s.kind == "event" and s.key == (m.start, m.end))]


def _relabel_event_span(spans: list[Span], m: Mention, kind: str, label: str) -> None:
    """The span that read ``m`` as an event says what it was read as after all."""
    spans[:] = [
        Span(s.start, s.end, s.text, kind, label) if s.kind == "event" and s.key == (m.start, m.end) else s
        for s in spans
    ]


def _merge_narrowed(events: list[Mention], spans: list[Span], text: str) -> list[Mention]:
    """ "visited the pricing page": an event named plainly right before the same event narrowed ("pricing page" is a
    pageview of /pricing) is one mention, the narrowed one, over both (the plain one took the slot and the
    page was lost)."""

    def join(last: Mention, m: Mention) -> Mention | None:
        assert last.event is not None and m.event is not None
        if (
            last.event.name != m.event.name
            or bool(last.event.filters) == bool(m.event.filters)
            or len(text[last.end : m.start].split()) > 2
        ):
            return None
        narrowed = m if m.event.filters else last
        assert narrowed.event is not None
        merged = replace(narrowed, start=last.start, end=m.end, phrase=text[last.start : m.end])
        for old in (last, m):
            _drop_event_span(spans, old)
        spans.append(Span(merged.start, merged.end, merged.phrase, "event", f"event {narrowed.event.label()}"))
        return merged

    return _join_adjacent(events, join)


def _state_of_thing(events: list[Mention], spans: list[Span], text: str) -> list[Mention]:
    """ "invoices were paid", "how many orders got refunded": a thing named by one event's noun, then a state it
    reached that another event records: that event is the one counted (the noun's event counted every invoice
    created, and the filters on the payment found none). A thing that does the other event ("clients have paid",
    "paid by their clients") is who did it, not a third event: it names the thing of an event called after it
    (``client_added``), so "signups purchased" keeps both."""

    def join(last: Mention, m: Mention) -> Mention | None:
        assert last.event is not None and m.event is not None
        between = text[last.end : m.start]
        if last.event.name == m.event.name:
            return None
        if _STATE_BETWEEN.match(between) or (_is_thing(last) and _DOER_BETWEEN.match(between)):
            _drop_event_span(spans, last)
            return m
        if _is_thing(m) and _BY_BETWEEN.match(between):
            _drop_event_span(spans, m)
            return last
        return None

    joined = _join_adjacent(events, join)
    doers = [m for m in joined if _is_thing(m) and _FROM_THEIR.search(text[max(0, m.start - 40) : m.start])]
    for m in doers:  # "money received from their clients": the clients pay, the money is what is measured
        _drop_event_span(spans, m)
    return [m for m in joined if m not in doers]


def _noun(event: str) -> str:
    """The thing an event called "<thing>_<verb>" is about: the events of one noun ("invoice_created",
    "invoice_sent") are the ones a bare "invoices" may mean."""
    return event.split("_")[0]


def _is_thing(m: Mention) -> bool:
    """The mention names the thing of an event called "<thing>_<verb>" ("clients" of ``client_added``)."""
    assert m.event is not None
    parts = m.event.name.lower().lstrip("$").split("_")
    word = m.phrase.lower().strip()
    return len(parts) > 1 and not m.event.filters and word in (parts[0], parts[0] + "s", parts[0] + "es")


_FOR_A = re.compile(r"^\s*for\s+(?:a|an|the|our|one of our|one of the)?\s*$")
_STATE_BETWEEN = re.compile(
    r"^\s*(?:that\s+|which\s+)?(?:were|was|got|get|gets|have\s+been|has\s+been|had\s+been|been|being)\s+(?:\w+ly\s+)?$"
)
_DOER_BETWEEN = re.compile(r"^\s*(?:(?:have|has|had|did|do|does|will|would)\s+)?(?:\w+ly\s+)?$")
_FROM_THEIR = re.compile(r"\b(?:by|from)\s+(?:their|its)\s+$")
_BY_BETWEEN = re.compile(r"^\s*(?:\w+\s+)?by\s+(?:their|the|our|its|his|her|your)?\s*$")


def _excluded_parts(
    text: str, events: list[Mention], excluded: list[Mention], filters: list[FoundFilter], spans: list[Span]
) -> list[Mention]:
    """ "pageviews except the blog": a part of the event counted, set apart, is a filter on that event ($pathname
    is not /blog), not the people who never did it (everyone who viewed a page has viewed one). "Never" and
    "didn't" stay conditions on people ("viewed pages but never the pricing page")."""
    counted = {m.event.name for m in events if m.event is not None and not m.event.filters}
    kept = []
    for m in excluded:
        if (
            m.event is None
            or m.event.name not in counted
            or len(m.event.filters) != 1
            or m.event.filters[0].op != "="
            or not _SET_APART.search(text[max(0, m.start - 30) : m.start])
        ):
            kept.append(m)
            continue
        part = m.event.filters[0]
        negated = PropertyFilter(part.prop, "!=", part.value)
        filters.append(FoundFilter(negated, m.start, m.end))
        _relabel_event_span(spans, m, "value", negated.label())
    return kept


def _prefer_whole_names(events: list[Mention], spans: list[Span]) -> list[Mention]:
    """ "the invoice amount for invoices sent in October": the bare noun ("invoice", read as the first invoice
    event) is the invoice the question names in full (``invoice_sent``); its words stay read, as that event."""
    out = []
    for m in events:
        whole = next(
            (
                o
                for o in events
                if m.score == NAME_WORD_SCORE
                and o.score > NAME_WORD_SCORE
                and m.event is not None
                and o.event is not None
                and o.event.name != m.event.name
                and _noun(o.event.name) == _noun(m.event.name)
            ),
            None,
        )
        if whole is None or whole.event is None:
            out.append(m)
            continue
        _relabel_event_span(spans, m, "same_event", f"the event {whole.event.label()}, named in full")
    return out


_GROUPING_ENDS = frozenset(
    {"excluding", "except", "without", "including", "only", "vs", "versus", "among", "whose", "minus", "apart"}
)
"""Words that end what a "by" groups by ("by country excluding the US"): a filter or a comparison follows."""


def _groupings(text: str) -> list[tuple[str, int, int]]:
    """ "by favourite colour", "broken down by sales rep": each "by" and the (one or two) words it groups by,
    up to a word of no meaning; what no mention covers names a property the project does not have."""
    out = []
    for m in _GROUPING.finditer(text):
        words = m.group("words").split()
        if any(w in _NOT_GROUPED for w in words):
            continue  # "by event count", "by day", "by far"
        kept: list[str] = []
        for w in words:
            if w in STOPWORDS or w in _GROUPING_ENDS:
                break
            kept.append(w)
        if kept:
            start = m.start("words")
            phrase = " ".join(kept)
            out.append((phrase, start, start + len(phrase)))
    return out


_ATTRIBUTE_NOUNS = frozenset({"method", "methods", "type", "types", "kind", "kinds", "mode", "option", "channel"})
"""After a property's name, words that name the same thing: "by delivery method" is by ``delivery``."""


def _named_end(grouping: tuple[str, int, int]) -> int:
    """Where the word a grouping names ends: its last word, or the one before a word like "method"."""
    phrase, _, end = grouping
    words = phrase.split()
    if len(words) > 1 and words[-1] in _ATTRIBUTE_NOUNS:
        return end - len(words[-1]) - 1
    return end


_BREAKDOWN_CUE = re.compile(
    r"(?:\bby|\bper|\bsplit(?: by)?|\bbroken down by|\bbreak(?:down)? by|\bfor each|\bacross|"
    r"\bgrouped by|\bgroup by|\bsegment(?:ed)? by|\beach|\bwhich|\bwhat|\btop(?: \d+)?|\bbottom(?: \d+)?|"
    r"\bthe \d+|\bmost common|\bcompare|\bwhich \d+)\s+(?:\w+\s+){0,2}$"
)
_FILTER_REACH = 120
"""How far after a property's name its filter is read ("amount between 1,000.50 and 2,000.75")."""
_OPS: dict[str, FilterOp] = {
    ">": ">",
    "over": ">",
    "above": ">",
    "more than": ">",
    "greater than": ">",
    ">=": ">=",
    "at least": ">=",
    "<": "<",
    "under": "<",
    "below": "<",
    "less than": "<",
    "<=": "<=",
    "at most": "<=",
    "=": "=",
    "!=": "!=",
    "<>": "!=",
    "bigger than": ">",
    "larger than": ">",
    "higher than": ">",
    "smaller than": "<",
    "lower than": "<",
    "exactly": "=",
    "of": "=",
    "at": "=",
    "for": "=",
    "priced at": "=",
    "costing": "=",
}
_UNIT_OPS = (
    "over|above|more than|greater than|bigger than|larger than|higher than|at least|under|below|less than|"
    "smaller than|lower than|at most|exactly|priced at|costing|of|at|for|>=|<=|>|<|="
)
_AMOUNT = r"\d[\d,]*(?:\.\d+)?k?"


_ANY_OF = re.compile(r"\b(?:any|all|every|regardless of|irrespective of|whatever)\s+(?:the\s+)?$")
_ANY_OF_SPLIT = re.compile(r"\b(?:by|per|for|of|in|across|split|break\w*|group\w*|compare\w*)\s+(?:\w+\s+)?$")
"""A property said of every value ("any currency", "regardless of plan"), unless it is what a split is by ("by
all countries", "for every plan": asked for each)."""
_BARE_AMOUNT = re.compile(
    r"\s+(?:(?:of|worth|for|that (?:was|were)|which (?:was|were)|total(?:l?ing)?|adding up to|summing to)\s+)?"
    r"(?P<op>over|above|more than|greater than|bigger than|larger than|under|below|less than|at least|at most)\s+"
    rf"(?P<n>{_AMOUNT})\b(?!\s*(?:%|\+|times|x\b|days?|weeks?|months?|hours?|minutes?|seconds?|users?|people|"
    r"customers?|accounts?|events?|sessions?|[kmg]b|items?|pages?|steps?|per\b))"
)
"""A number compared right after an event, with no unit: "payments over 10,000" (not "over 3 times")."""


def _amount(text: str) -> float:
    """ "1,500", "2.5", "10k" as a number."""
    text = text.replace(",", "")
    return float(text[:-1]) * 1000 if text.endswith("k") else float(text)


_SEGMENT_JOIN = re.compile(
    r"^\s*(?:(?:users?|people|customers?|visitors?|accounts?|signups?|sessions?|traffic)\s*)?"
    r"(?:vs\.?|versus|compared (?:to|with)|against|or|and|v\.?|/|&)\s*$"
)
_MEANS_BETWEEN = re.compile(r"^\s*(?:(?:were|was|are|is|got|get|being|been)\s+)?(?:\w+\s+)?(?:by|via|through|over)\s+$")
"""Between an event and the way it happened: "invoices sent by ", "payments received via "."""
_EVERY_DAY = re.compile(
    r"\b(?:who|that|which|how many (?:users|people|customers|accounts|visitors|ppl)\b)[^.?!]{0,50}?"
    r"(?P<day>\b(?:every|each)\s+(?:single\s+)?day)\b(?!\s+of\s+the\s+week)"
)
"""People who did something "every day" of the range: active on each of its days (not a series per day)."""


def _whole_days(time: TimeRange) -> int | None:
    """How many calendar days a range of whole days holds (up to a month), or None."""
    days = (time.end - time.start).days
    whole = time.start.hour == time.start.minute == 0 and time.end == time.start + timedelta(days=days)
    return days if whole and 1 < days <= 31 else None


_SET_APART = re.compile(
    r"\b(?:except(?: for)?|excluding|exclude|other than|besides|apart from|not counting|minus|but not|leaving out)"
    r"(?: the| our| any)?\s*$"
)
"""Before a part of what is counted, words that set it apart: "pageviews except the blog"."""
_SEGMENT_REACH = 3
"""Two values set side by side are at most this many filters apart ("Chrome users on mobile vs Firefox"): pairs
further apart are not compared, which keeps a question of many values linear."""
_COMPARE_WORDS = re.compile(
    r"\b(?:vs\.?|versus|compared?|comparing|comparison|against|differ\w*|split|side by side|"
    r"each|both|which is (?:higher|bigger|better)|more than|or)\b"
)
_MONTHS = r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_TIME_LIKE = re.compile(
    rf"\b(?:next|last|past|previous|this|coming)\s+(?:-?\d+\s+)?(?:hours?|days?|weeks?|months?|quarters?|years?)\b"
    rf"|\bsince\s+(?:\d|tomorrow|next|(?:{_MONTHS})\w*\b)|\btomorrow\b|\bq\d\b|\b\d{{4}}-\d{{1,2}}-\d{{1,2}}\b"
    rf"|\bbetween\s+(?:\d|(?:{_MONTHS})\w*\b)\S*(?:\s+\S+)?\s+and\s+\S+"
    r"|\b(?:on|since|from|after|before|until)\s+the\s+\d{1,2}(?:st|nd|rd|th)\b(?!\s+(?:week|month|day|time|step)s?\b)"
)
"""Phrases that say "a period" even when the grammar could not resolve them (a future date, "Q5", "last 0 days"):
the engine asks instead of silently using the default range."""
VAGUE = re.compile(
    r"\b(?:things|stuff|it|the (?:new )?thing|that thing|this thing|the stuff|that feature|this feature"
    r"|(?<!customer )success|(?:a )?good (?:outcome|result)s?"
    r"|^(?:and |now |ok |okay |so )?same|(?:split|break|show|chart) (?:that|it|this|them)"
    r"|(?:was|is|are|were) (?:that|it|this|these|those) (?:normal|expected|usual|ok|okay|unusual)"
    r"|(?:for|of) (?:them|those ones))\b"
)
"""Words that stand for an event without naming one: "what predicts success?" asks which event is success,
and "same but by region" or "was that normal?" asked with no conversation behind it has nothing to refer to."""
_FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "our",
        "my",
        "we",
        "us",
        "me",
        "you",
        "i",
        "any",
        "all",
        "of",
        "in",
        "on",
        "at",
        "for",
        "from",
        "to",
        "till",
        "until",
        "thru",
        "through",
        "between",
        "and",
        "during",
        "within",
        "inclusive",
        "inclusively",
        "included",
        "both",
        "ends",
        "total",
        "number",
        "count",
        "counts",
        "how",
        "many",
        "much",
        "what",
        "whats",
        "what's",
        "was",
        "were",
        "is",
        "are",
        "there",
        "did",
        "do",
        "does",
        "we",
        "have",
        "had",
        "get",
        "got",
        "please",
        "show",
        "give",
        "tell",
        "see",
        "pull",
        "find",
        "just",
        "only",
        "so",
        "far",
        "ok",
        "okay",
        "views",
        "visits",
        "hits",
        "events",
    ]
)
"""Words that ask for nothing beyond what the reading found: "pageviews from Nov 10 through Nov 12, inclusive"."""

_PEOPLE = r"(?:users?|people|customers?|accounts?|members?|folks|persons?|visitors?|ppl|subscribers?)"
"""The nouns that name people."""
_PERSON_NOUN = re.compile(rf"^\s+{_PEOPLE}\b")
"""After an event, a noun for people makes the event a description of who: "registered users", "paying customers"."""


def _names_people(m: Mention, text: str) -> bool:
    """A people noun ends the mention ("paying customers") or comes right after it ("registered users")."""
    return bool(_PERSON_NOUN.match(text[m.end :]) or _PERSON_NOUN.search(" " + m.phrase.split()[-1]))


_HOW_MANY_NOT = re.compile(
    r"^\s*(?:so\s+)?(?:how many|number of|count of|# of)\b(?![^?.;]{0,60}?\bactive\b)[^?.;]{0,60}?\b(?:haven'?t|"
    r"have not|hasn'?t|has not|didn'?t|did not|never|(?:had|has|have) (?:no|zero))\b"
)
"""A count of the people who did not do something: the question asks how many, not who (people "active" in a
period and then not are churn's own definition: active, then silent)."""
_PEOPLE_ASKED = re.compile(
    r"^\s*who\b(?!.{0,40}\b(?:comes?|came) back\b)|\b(?:which|what)(?: top)?(?: \d+| two| three| five| ten)? "
    r"(?:users|people|customers|accounts|persons)\b|\bwhich of (?:our|the|these|those|my|your|all)\b[^,;?]{0,40}?"
    r"\b(?:users|people|customers|accounts|persons|subscribers|members)\b|"
    r"\btop \d+ (?:users|people|customers|accounts|persons)\b|\b(?:users|people|customers|accounts) \(?(?:e-?mails?|names)\b"
)
"""The question asks for people by who they are ("who ...", "which users ...", "top 5 users (email)")."""
IDLE_BEFORE = re.compile(
    r"\b(?:not|no|zero|nothing|never|inactive|silent|quiet|(?:did|do|does|have|has|had|was|were|is|are)(?:n'?t| not))\b"
    r"[^,;.?!]{0,30}$"
)
""""But not in November", "didn't show up at all last week": a negation right before a second period."""
PERIOD_GAP = 40
"""How far after a negation (or a negated action) its period may be said ("didn't upload anything in November")."""
_BARE_SIDE = re.compile(r"\s*\)?\s*(?:vs\.?|versus|or|compared (?:to|with)|against)\s+(?:the\s+)?([\w+-]+)\b")
"""After a value, the other side of a comparison written as a bare value: "(company_size 1) vs 11-50"."""
_AMONG_WHO = re.compile(
    rf"\b(?:of|among|amongst)\s+(?:the\s+|all\s+(?:the\s+)?|our\s+|those\s+)?(?:{_PEOPLE}|those|everyone|everybody)"
    r"\s+(?:who|that)\s+(?:\S+\s+){0,3}$"
)
"""The people a question is about, named by what they did: "of the people who filed a ticket in October, how many
have gone quiet": the event says who, not what is counted or measured."""
_PEOPLE_WHO = re.compile(rf"\b{_PEOPLE}\s+(?:who|that)\s+(?:\S+\s+){{0,2}}$")
_THEN_DID = re.compile(
    r"^(?:\s+\S+){0,5}?\s+(?:have|has|had|did|went on to|go on to|then)\s+"
    r"(?:already|also|since|then|later|gone on to|went on to|go on to|eventually)\b"
)
"""People named by a first action, then a later one ("accounts that signed up this week have already sent
invoices"): the first says who, the later is what is asked about."""
_WHO_FIRST = re.compile(r"\s*(?:and\s+|so\s+)?who\s+(?:\S+\s+){0,2}")
"""A question that opens with "who" and a verb: the people are named by that first action."""
_CLAUSE_BREAK = re.compile(r"[?,;:]|\band\b|\bwith\b|\b(?:have|has|had)\b")
_MEASURED = re.compile(r"\b(?:how (?:much|many)|each|in total|overall|lifetime|the (?:most|least))\b")
"""Between the action that names the people and a second event, a clause measuring that second event per person
("who cancelled this week? and how much had each of them paid in total", "users who shared a file yesterday have
purchased the most"): the first action says who is listed, the second what each row measures."""
_EMPTY_GROUP = re.compile(
    r"\b(?:no|without an?|missing|empty|blank|unknown|null) (?:utm )?(?:\w+ )?(?:=|is|means|counts as|as|->) "
    r"['\"(]?(?P<a>[a-z]\w*)['\")]?|\b(?P<b>[a-z]\w*) (?:counts|count|is counted|is treated|as) as (?:its own|a separate|"
    r"a|one)(?: \w+)?\b"
)
"""The rows without a value named as a group of their own: "no source = direct", "direct counts as its own channel"."""
_NO_EMPTY_GROUP = re.compile(
    r"\b(?:ignor\w*|exclud\w*|skip\w*|leav\w* out|drop\w*|not counting|except|without|minus|no)\s+(?:the\s+|any\s+)?"
    r"(?:untagged|unattributed|untracked|unknown|empty|blank|missing|null|none)\b|\bonly (?:the )?(?:tagged|attributed)\b"
)
"""The rows without a value left out by name: "ignore untagged signups", "excluding unattributed ones"."""
_COUNTS_AS = re.compile(
    r"\s+(?:counts?|are counted|is counted|are treated|is treated|go|goes|fall|falls) (?:as|under|with|in)\b"
)
"""After a value, which side of another filter it is on ("tablets count as not mobile"), not a filter itself."""
_AND_THEN = re.compile(r"\s*,?\s*(?:and|but|then|&|yet)\b")
_MONEY = re.compile(r"\b(?:spen[dt]|spending|paid|pay|money|worth)\b")
"""Money asked of people ("how much have they spent"): what is measured, not who they are."""
_WHO_NEGATED = re.compile(rf"\b{_PEOPLE}\s+(?:who\s+|that\s+)?\S+(?:\s+\S+)?\s*$")
"""People, then the negation of the first event named: "how many users never purchased" counts the people who did
not (it counted those who did, and said it had not read "never")."""
_EVENT_LIST_JOIN = re.compile(r"^\s*(?:,|&|\+|/|and|or|vs\.?|versus|,\s*(?:and|or))\s*$")


def _listed_events(text: str, events: list[Mention]) -> bool:
    """Two or more events named as a list of things ("uploads, shares and invites", "signups vs purchases"), not
    of actions one person did ("users who signed up and purchased": a verb's past names who is counted)."""
    named = [m for m in events if m.event is not None]
    return (
        len(named) >= 2
        and len({m.event.name for m in named if m.event is not None}) == len(named)
        and not any(m.phrase.endswith("ed") for m in named)
        and all(_EVENT_LIST_JOIN.match(text[a.end : b.start]) for a, b in pairwise(named))
    )


BRACKETED = re.compile(r"\s*\(([^()]{1,200})\)")
"""A list in brackets ("the marketing pages (/, /pricing, /blog)"): its items, the values of a name before it."""
_LIST_ITEM = re.compile(r"[^\s,()]+(?=\s*(?:,|$|\bor\b|\band\b))")
_LIST_JOIN = re.compile(r"^\s*(?:,|/|&|\+|-|–|or|and|to|through|thru|until|,\s*(?:and|or))\s*$")
"""Two ranges joined like this are one list ("signed up in Sep or Oct", "Sep+Oct signups")."""
_VS_BETWEEN = re.compile(r"\b(?:vs\.?|versus|compared (?:to|with)|against|than|with)\b")
_BOTH = re.compile(
    r"\b(?:(?:both|each)(?!\s+(?:(?:of )?(?:the|these|those) )?(?:group|cohort|segment|variant|side|bucket)s?\b)|separately|respectively|side by side|which (?:one|was|is|month|week|period))\b"
)
_BOTH_REACH = 40
"""How near two listed periods "both", "each", "separately" must be said to set them side by side ("Sep or Oct?
both numbers"; "signed up in Sept or Oct: ... both purchase rates" is about two groups of them)."""
_COMPARATIVE = re.compile(r"\b(?:more|less|fewer|higher|lower|better|worse|bigger|smaller)\b")
_RANGE_COMPARE = re.compile(
    r"\b(?:vs\.?|versus|compared?|comparing|comparison|against|than|both|each|difference|"
    r"more|less|fewer|higher|lower|better|worse|change[ds]?|before .{0,40}\b(?:since|after))\b"
)
"""Words that set two ranges side by side rather than joining them."""
_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")
_THING_AFTER = re.compile(
    r"^\s+(?:events?|clicks?|hits?|submissions?|registrations?|signups?|completions?|usage|"
    r"counts?|volumes?)\b"
)
_MEASURE_AFTER = re.compile(r"^\s+(?:rates?|scores?|times?|ratios?|levels?|durations?)\b")
"""After a word, a noun that makes it the name of a thing counted ("webinar registrations") or of a measure
("response time", "CSAT scores")."""
_COUNT_BEFORE = re.compile(
    r"\b(?:how many|number of|count of|# of|total|tally of|how often (?:do|did|does) (?:people|users) )"
    r"\s*$"
)
_COUNTED_BEFORE = re.compile(r"\b(?:how many|number of|count of|# of|(?:the )?(?:most|fewest|more|fewer))\s*$")
"""Right before the things counted: "how many quotes", "the most errors" names them, whatever the word."""
_COUNT_AFTER = re.compile(r"^\s+(?:counts?|volumes?)\b")
"""After a word, what makes it the thing counted, whatever the word: "the error count"."""
_STATE_BEFORE = re.compile(r"\b(?:got|get|gets|were|was|are|is|been|being|have been|has been)\s+$")
"""After an event, "tickets got escalated": a state of the thing counted, which the project may not track."""
_POSSESSIVE = re.compile(r"(?<=[a-z])'s\b")


@dataclass(frozen=True)
class Span:
    """A piece of the question and what it was read as."""

    start: int
    end: int
    text: str
    kind: str
    label: str

    @property
    def key(self) -> tuple[int, int]:
        return self.start, self.end


@dataclass(frozen=True)
class Detail:
    """Something the question asks of its events (``kind`` is a key of the lexicon's ``details``)."""

    kind: str
    value: Any
    start: int
    end: int


@dataclass(frozen=True)
class Number:
    kind: str
    value: int
    start: int
    end: int


@dataclass(frozen=True)
class FoundFilter:
    filter: PropertyFilter
    start: int
    end: int


@dataclass
class Reading:
    """What the question says, before a family gives it roles."""

    text: str
    time: TimeRange | None
    time_options: tuple[TimeRange, ...]
    comparison: str | None
    numbers: dict[str, Number]
    events: list[Mention]
    excluded: list[Mention]
    properties: list[Mention]
    breakdowns: list[Mention]
    filters: list[FoundFilter]
    unknown: list[tuple[str, int, int]]
    metric: Mapping[str, Any] | None
    vague: bool
    bad_numbers: list[tuple[str, int]]
    details: dict[str, Detail] = field(default_factory=dict)
    spans: list[Span] = field(default_factory=list)
    unread_time: str | None = None
    flag: str | None = None
    time_span: tuple[int, int] | None = None
    segments: tuple[PropertyRef, tuple[str, ...], tuple[int, int]] | None = None
    compare_range: TimeRange | None = None
    """A second range the question sets beside the first ("October or September? both numbers")."""
    other_range: TimeRange | None = None
    """A second range that is not a comparison ("September signups still around in October")."""
    other_span: tuple[int, int] | None = None
    """Where the question says the second range."""
    qualifiers: list[Mention] = field(default_factory=list)
    """Events that describe who rather than what: "registered users", "paying customers"."""
    among: list[Mention] = field(default_factory=list)
    """Events of a clause naming the people asked about ("of the people who filed a ticket in October, ..."): who,
    where the family reads people by conditions; a first step or an anchor where it has those."""
    empty_group: str | None = None
    """The name the question gives the rows without a value ("no source = direct"): a group of their own."""
    no_empty_group: bool = False
    """The rows without a value left out ("ignore untagged signups"), wherever they would make a group."""
    _unknown_things: list[str] | None = field(default=None, repr=False, compare=False)
    unread_filters: list[tuple[str, int, int]] = field(default_factory=list)
    """Filters being written that could not be read ("amount > abc", "plan ~ pro"): asked about, never dropped."""
    silence: tuple[TimeRange, tuple[int, int]] | None = None
    """ "inactive since Nov 1": the period people have been silent, and where the question says it."""
    groupings: list[tuple[str, int, int]] = field(default_factory=list)
    """ "by sales rep": a grouping by words that name no property of the project (asked about, or reported)."""
    terse: bool = False
    """Nothing but what was read and filler words: a bare "signups last week" asks for one number."""

    @property
    def unknown_words(self) -> list[str]:
        return [w for w, _, _ in self.unknown]

    def unknown_things(self) -> list[str]:
        """Unknown words where the question names what it counts or measures: "how many <word>", "<word> events",
        "<word> scores", "tickets got <word>". Worked out once per reading (the checks ask for it per word)."""
        if self._unknown_things is None:
            first_event_end = min((m.end for m in self.events), default=None)
            own = {stem(part) for m in self.events if m.event for part in re.split(r"[\W_]+", m.event.name) if part}
            out = []
            for word, start, end in self.unknown:
                if stem(word) in own:
                    continue  # "clinets got added": the event's own word, after its typo'd noun
                if any(s.kind == "metric" and s.start <= start and end <= s.end for s in self.spans):
                    continue  # "bookings by country": a word for the revenue the project has
                before = self.text[max(0, start - 30) : start]
                # "tickets got escalated": a state right after some event (the earliest leaves the most room)
                after_event = (
                    first_event_end is not None
                    and first_event_end <= start
                    and bool(_STATE_BEFORE.search(self.text[max(first_event_end, start - 30) : start]))
                )
                # "how many quotes": the counted thing itself, even a plain English word the project has no name for
                named = (
                    bool(_COUNTED_BEFORE.search(before) and word.endswith("s"))
                    or bool(_COUNT_AFTER.match(self.text[end:]))
                    or (
                        bool(_THING_AFTER.match(self.text[end:]) or _COUNT_BEFORE.search(before))
                        and not is_english(word)
                    )
                )
                if named or _MEASURE_AFTER.match(self.text[end:]) or after_event:
                    out.append(word)
            self._unknown_things = out
        return self._unknown_things

    def later_periods(self) -> list[tuple[TimeRange, tuple[int, int]]]:
        """The periods a question names after the one it asks about, with where it says them: a second range
        starting later ("active in October but not in November"; "inactive the week before" is earlier, a return)
        and a silence next to an asked range ("active in October, nothing since Nov 1")."""
        if self.time is None:
            return []
        found = []
        if self.other_range is not None and self.other_span is not None and self.other_range.start > self.time.start:
            found.append((self.other_range, self.other_span))
        if self.silence is not None:
            found.append(self.silence)
        return found

    def idle_before(self, at: int) -> re.Match[str] | None:
        """The negation right before a period said at ``at`` ("... but not in November"), unless the question's
        own period stands between them ("went silent last week after being active the week of Nov 9")."""
        found = IDLE_BEFORE.search(self.text, max(0, at - PERIOD_GAP), at)
        if found is None or (self.time_span is not None and found.start() <= self.time_span[0] < at):
            return None
        return found

    def detail(self, kind: str) -> Detail | None:
        return self.details.get(kind)

    def facts(self) -> frozenset[str]:
        """What the question holds, in the words intent files use for ``widen`` and ``infer``."""
        found = set()
        if self.events or self.qualifiers:  # "how many paying customers": the people who did an event
            found.add("event")
        if len(self.events) >= 2:
            found.add("steps")
        if self.metric is not None:
            found.add("metric_phrase")
        if self.flag is not None:
            found.add("flag")  # "did smart reminders work": a feature flag of the project, named
        if any(m.prop is not None and m.prop.type != "Numeric" for m in self.breakdowns) or self.segments:
            found.add("breakdown")
        if self.terse:
            found.add("terse")
        if self.filters and not self.breakdowns and not self.properties and "grain" not in self.details:
            found.add("filtered")  # "where browser is Chrome": the property is a filter, nothing to group by
        if "share" in self.details and len(self.events) <= 1:  # a named part of a whole
            found.add("share")
        if self.segments:  # "google vs twitter users": two values of one property set side by side
            found.add("segments")
        if not self.events and any(m.prop is not None and m.prop.scope == "session" for m in self.breakdowns):
            found.add("session_split")  # "which landing pages start the most sessions": sessions grouped
        for kind in ("grain", "per_actor", "first_time"):
            if kind in self.details:
                found.add(kind)
        if "within" in self.details or self.excluded:
            found.add("conditions")
        if self.comparison or self.segments:
            found.add("compare")
        if self.comparison or self.compare_range is not None:
            found.add("periods")  # "in October than in September": two periods side by side, not two groups
        if "math" in self.details and self.details["math"].value not in ("sum", "avg"):
            found.add("property_math")
        elif "math" in self.details and any(
            m.prop is not None and m.prop.type == "Numeric" for m in (*self.properties, *self.breakdowns)
        ):
            found.add("numeric_total")  # "most data (total MB)": a sum or mean of a named numeric property
        if any(m.prop is not None and m.prop.type == "Numeric" for m in (*self.properties, *self.breakdowns)):
            found.add("numeric_property")  # "90th percentile invoice amount": a statistic of a value, not of a time
        if "min_days" in self.numbers:
            found.add("min_days")
        if self.time is not None:
            spec = self.time.spec
            if "month" in spec or spec.get("previous") == "month" or spec.get("this") == "month":
                found.add("month_range")
        if self.time_span is not None and self.text[self.time_span[0] :].startswith("between "):
            found.add("dated_between")  # "purchases between 2 and 8 nov": the period's bounds, no time between events
        if _listed_events(self.text, self.events):
            found.add("listed_events")  # "how many uploads, shares and invites": each counted side by side
        if self.other_range is not None:
            found.add("later_period")  # "September signups still around in October": a second period of another kind
        if "of_active" in self.details:
            found.add("of_active")  # "what % of active users exported a report": a share of the active people
        if _THE_REST.search(self.text):
            found.add("the_rest")  # "the ones who sent an invoice within 3 days vs everyone else": two groups
        if self.among:
            found.add("among")  # "of the people who signed up the week of Nov 2, ...": a population named by an action
        if (
            _HOW_MANY_NOT.search(self.text)
            and self.other_range is None
            and self.compare_range is None
            and self.silence is None
        ):
            found.add("counted_negation")  # "how many subscribers haven't sent an invoice in 30 days": one number
        if any(span == self.other_span and self.idle_before(span[0]) for _, span in self.later_periods()):
            found.add("idle_period")  # "active in October but not in November": nothing done in the second period
        if _PEOPLE_ASKED.search(self.text):
            found.add("people")  # "who spent the most time in the app": people, named, are the answer
        return frozenset(found)


class Reader:
    """Built once per taxonomy and lexicon; ``read`` is pure and thread-safe."""

    def __init__(self, taxonomy: Taxonomy, linker: Linker, vocabulary: frozenset[str] = frozenset()):
        self.taxonomy = taxonomy
        self.linker = linker
        self.vocabulary = vocabulary
        lex = linker.lexicon
        metrics = [  # "@revenue_event": the event that plays the role in this project
            {**m, "event": event_named(m.get("event"), linker.roles, taxonomy)} for m in lex.get("metrics") or []
        ]
        self._metrics = [(gated(m["phrase"]), m) for m in metrics if m["event"] is not None]
        self._details = [
            (kind, value, [gated(p) for p in patterns])
            for kind, by_value in (lex.get("details") or {}).items()
            for value, patterns in by_value.items()
        ]
        self._within = [(gated(w["pattern"]), w) for w in lex.get("within") or []]
        self._hyphenated = frozenset(
            v.lower()
            for scope in ("event", "person", "session")
            for p in taxonomy.properties(scope).values()
            for v in p.values
            if "-" in v
        ) | frozenset(k.lower() for k in taxonomy.flags if "-" in k)
        self._value_events = [
            (r["property"], r["event"], re.compile(r["after"]))
            for r in lex.get("value_events") or []
            if r.get("event") in taxonomy.events
        ]
        self._rescopes = [
            (re.compile(r["after"] + r"\s*$"), r["from"], prop.ref())
            for r in lex.get("rescope") or []
            if (prop := taxonomy.property(r["to"], r.get("scope"))) is not None
        ]
        self._units = [
            (
                gated(
                    rf"(?:\b(?P<op>{_UNIT_OPS})\s+)?(?:(?P<pre>{u['words']})\s*(?P<n1>{_AMOUNT})|"
                    rf"(?<![\d,.])(?P<n2>{_AMOUNT})\s*(?P<post>{u['words']}))(?![\w.])(?:\s+(?:price point|price|each|apiece)\b)?"
                    if u.get("before")
                    else rf"(?:\b(?P<op>{_UNIT_OPS})\s+)?(?<![\d,.])(?P<n2>{_AMOUNT})\s*(?P<post>{u['words']})(?![\w.])"
                    r"(?:\s+(?:price point|price|each|apiece)\b)?"
                ),
                prop.ref(),
                float(u.get("scale", 1)),
            )
            for u in lex.get("units") or []
            if (prop := unit_property(taxonomy, u)) is not None
        ]
        owners: dict[str, list[PropertyRef]] = {}
        self._spelled: dict[tuple[PropertyRef, str], str] = {}
        """A property's value as the data spells it, by its lower-case form."""
        for scope in ("event", "person", "session"):
            for prop in taxonomy.properties(scope).values():
                for v in prop.values:
                    if (prop.ref(), v.lower()) not in self._spelled:
                        owners.setdefault(v.lower(), []).append(prop.ref())
                        self._spelled[prop.ref(), v.lower()] = v
        self._value_owners = {v: tuple(props) for v, props in owners.items()}
        """Each known value (lower-case) and the properties that have it, in the taxonomy's order."""
        self._flag_patterns = [
            (
                key,
                re.compile(
                    r"\b" + r"[\s_-]*".join(re.escape(part) for part in re.split(r"[\s_-]+", key.lower())) + r"\b"
                ),
            )
            for key in taxonomy.flags
        ]

    def read(self, question: str | Question, now: datetime) -> Reading:
        text = _mend(Question.of(question).text, self._hyphenated)
        spans: list[Span] = []
        timed = _blank_asides(_blank_silence(text), now)
        silence = _silent_since(timed, now)
        if silence is not None:  # "inactive since Nov 1": how long people have been silent, not the range asked
            timed = _blank(timed, *silence[1])
        match = find_time_range(timed, now)
        time: TimeRange | None = None
        options: tuple[TimeRange, ...] = ()
        comparison: str | None = None
        masked = text
        time_span = None
        compare_range = other_range = None
        other: TimeMatch | None = None
        if match is not None:
            options, comparison = tuple(match.options), match.comparison
            time = None if match.ambiguous else match.range
            if match.range is not None and match.span:
                time_span = match.span
            if match.comparison_span and match.comparison:
                spans.append(
                    Span(
                        *match.comparison_span,
                        text[slice(*match.comparison_span)],
                        "comparison",
                        f"compare with the {match.comparison.replace('_', ' ')}",
                    )
                )
            for span in (match.span, match.comparison_span):
                if span:
                    masked = _blank(masked, *span)
            # a month asked in its own month is ambiguous alone ("in november"), not beside another period
            # ("october signups who came back in november": the November after October)
            ranges = (
                _distinct(find_time_ranges(timed, now))
                if (time is not None or match.ambiguous) and not comparison
                else []
            )
            if len(ranges) > 2:
                ranges = _around_comparison(text, ranges)
            if len(ranges) >= 2:
                time, compare_range, other, time_span, used = _two_ranges(text, ranges, now)
                other_range = other.range if other is not None else None
                for m in ranges if time_span[1] > ranges[1].span[1] else ranges[:2]:
                    masked = _blank(masked, *m.span)
                    if used:
                        spans.append(
                            Span(
                                *m.span,
                                text[slice(*m.span)],
                                "comparison" if compare_range else "time",
                                m.range.label if m.range else "",
                            )
                        )
            if time is not None and time_span is not None and all(s.key != time_span for s in spans):
                spans.append(Span(*time_span, text[slice(*time_span)], "time", time.label))
        calendar = find_time_filter(text)
        grain = next((g for g in self._grain_spans(text)), None)
        if calendar is not None and grain is not None and any(a < grain[1] and grain[0] < b for a, b in calendar.spans):
            calendar = None  # "which weekday is busiest" ranks the days of the week; it keeps them all
        if calendar is not None:
            for span in calendar.spans:
                masked = _blank(masked, *span)
                spans.append(Span(*span, text[slice(*span)], "time", calendar.label))
            if time is not None:
                time = replace(
                    time, weekdays=calendar.weekdays, hours=calendar.hours, label=f"{time.label}, {calendar.label}"
                )
        flag = None
        for key, pattern in self._flag_patterns:
            for hit in pattern.finditer(masked):
                flag = flag or key
                spans.append(Span(hit.start(), hit.end(), hit.group(0), "flag", f"experiment {key}"))
                masked = _blank(masked, hit.start(), hit.end())
        details = self._find_details(masked, spans)
        for kind in ("per_period", "all_time", "within"):
            if kind in details:  # "average daily", "ever", "in their first week" are not mentions of anything
                masked = _blank(masked, details[kind].start, details[kind].end)
        empty = _EMPTY_GROUP.search(masked)
        if empty is not None:  # "(no source = direct)": not a filter on the source, nor on the referrer
            spans.append(Span(empty.start(), empty.end(), empty.group(0), "scope", "rows without a value, grouped"))
            masked = _blank(masked, empty.start(), empty.end())
        no_empty = _NO_EMPTY_GROUP.search(masked)
        if no_empty is not None:  # "ignore untagged signups": the rows without a source are no group
            spans.append(Span(no_empty.start(), no_empty.end(), no_empty.group(0), "scope", "rows without a value out"))
            masked = _blank(masked, no_empty.start(), no_empty.end())
        unit_filters = self._unit_filters(masked)
        for found in unit_filters:
            spans.append(Span(found.start, found.end, text[found.start : found.end], "value", found.filter.label()))
            masked = _blank(masked, found.start, found.end)
        numbers, bad_numbers = self._numbers(masked, spans)
        every = _EVERY_DAY.search(masked)
        if every is not None and time is not None and "min_days" not in numbers:
            days = _whole_days(time)
            if days is not None:  # "users who logged in every day last week": on all 7 of its days
                numbers["min_days"] = Number("min_days", days, every.start("day"), every.end())
                spans.append(Span(every.start("day"), every.end(), every.group("day"), "number", f"min_days = {days}"))
        mentions = self._listed(masked, self.linker.link(masked))
        events: list[Mention] = []
        excluded: list[Mention] = []
        properties: list[Mention] = []
        breakdowns: list[Mention] = []
        filters: list[FoundFilter] = list(unit_filters)
        qualifiers: list[Mention] = []
        among: list[Mention] = []
        people_who: list[tuple[Mention, int]] = []
        """Mentions right after "users who", with where that phrase starts."""
        written = 0
        unread_filters: list[tuple[str, int, int]] = []
        for mention in mentions:
            if mention.start < written:
                continue  # the value of "plan != pro" is that filter's, not a filter "plan = pro" of its own
            before = masked[max(0, mention.start - 40) : mention.start]
            after = masked[mention.end : mention.end + 90]
            if (
                mention.kind == "event"
                and mention.event is not None
                and len(mention.event.filters) == 1
                and mention.event.filters[0].op == "="
                and not events
                and _SET_APART.search(before)
            ):
                # "not counting the editor, which features ...": a value left out of what is counted, before it
                part = mention.event.filters[0]
                f = PropertyFilter(part.prop, "!=", part.value)
                filters.append(FoundFilter(f, mention.start, mention.end))
                spans.append(Span(mention.start, mention.end, mention.phrase, "value", f.label()))
                continue
            landing = (
                self._rescoped(mention.event.filters[0], before)
                if mention.kind == "event" and mention.event is not None and len(mention.event.filters) == 1
                else None
            )
            if landing is not None:
                # "sessions that land on the homepage": a page named by a phrase, read as where the sessions began
                filters.append(FoundFilter(landing, mention.start, mention.end))
                spans.append(Span(mention.start, mention.end, mention.phrase, "value", landing.label()))
                continue
            if mention.kind == "event" and mention.event is not None:
                negated = (bool(events) or bool(qualifiers) or bool(_WHO_NEGATED.search(before))) and bool(
                    _NEGATION.search(before)
                )
                if negated and re.search(r"\bnon[- ]?$", before):
                    negated = False  # "ignoring non-pageview events": only the pageviews, a negation of a negation
                who = _PEOPLE_WHO.search(before)
                if not negated and (
                    (_AMONG_WHO.search(before) and re.search(r"[,:;]", after))
                    or (who and _THEN_DID.match(after))
                    or (
                        (who or _WHO_FIRST.fullmatch(masked[: mention.start]))
                        and (later := next((n for n in mentions if n.kind == "event" and n.start >= mention.end), None))
                        is not None
                        and (split := _CLAUSE_BREAK.search(masked, mention.end, later.start)) is not None
                        and _MEASURED.search(masked, split.end())
                    )
                ):
                    among.append(mention)
                elif not negated and who:
                    people_who.append((mention, max(0, mention.start - 40) + who.start()))
                if not negated and (
                    _names_people(mention, masked) or self._described_people(mention, mentions, masked)
                ):
                    qualifiers.append(mention)
                    spans.append(
                        Span(
                            mention.start,
                            mention.end,
                            mention.phrase,
                            "event",
                            f"people who did {mention.event.label()}",
                        )
                    )
                    continue
                (excluded if negated else events).append(mention)
                spans.append(
                    Span(
                        mention.start,
                        mention.end,
                        mention.phrase,
                        "event",
                        f"{'not ' if negated else ''}event {mention.event.label()}",
                    )
                )
            elif (
                mention.kind == "value"
                and mention.filter is not None
                and self._rescoped(mention.filter, before) is None
                and not _SET_APART.search(before)  # "not counting the editor": a value left out, not an event
                and (done := self._value_event(mention, masked)) is not None
            ):
                # "viewed /docs" is a pageview of /docs: an event mention, negated like one
                negated = bool(events) and bool(_NEGATION.search(before))
                (excluded if negated else events).append(done)
                spans.append(
                    Span(
                        done.start,
                        done.end,
                        done.phrase,
                        "event",
                        f"{'not ' if negated else ''}event {done.event.label() if done.event else ''}",
                    )
                )
            elif mention.kind == "value" and mention.filter is not None and _COUNTS_AS.match(after):
                # "(tablets count as not mobile)": which side a value falls on, said of another filter, not one more
                spans.append(Span(mention.start, mention.end, mention.phrase, "scope", "which side it counts on"))
            elif mention.kind == "value" and mention.filter is not None:
                f = self._rescoped(mention.filter, before) or mention.filter
                if self._value_negated(masked, mention.start, f.prop, filters):
                    f = PropertyFilter(f.prop, "!=", f.value)
                filters.append(FoundFilter(f, mention.start, mention.end))
                spans.append(Span(mention.start, mention.end, mention.phrase, "value", f.label()))
            elif mention.kind == "property" and _ANY_OF.search(before) and not _ANY_OF_SPLIT.search(before):
                # "(any currency)", "regardless of plan": every value, no filter and no split
                spans.append(Span(mention.start, mention.end, mention.phrase, "scope", "every value (no filter)"))
            elif (
                mention.kind == "property"
                and mention.prop is not None
                and _NOT_SET.search(masked[max(0, mention.start - 25) : mention.start])
                and (_SET_AFTER.match(after) or not _BREAKDOWN_CUE.search(before))
            ):
                window = masked[max(0, mention.start - 70) : mention.start]
                unset = _NOT_SET.search(window)
                negated = unset is not None and None is not re.search(
                    r"\b(?:ignor\w*|exclud\w*|skip\w*|leav\w* out|drop\w*|not counting|except|without)\b[^,.;]{0,30}$",
                    window[: unset.start()],
                )
                f = PropertyFilter(mention.prop, "is_set" if negated else "is_not_set")
                filters.append(FoundFilter(f, mention.start, mention.end))
                spans.append(Span(mention.start, mention.end, mention.phrase, "value", f.label()))
            elif mention.kind == "property" and mention.prop is not None:
                explicit = self._explicit_filter(mention.prop, masked[mention.end : mention.end + _FILTER_REACH])
                if explicit is not None:
                    end = written = mention.end + explicit.length
                    phrase = text[mention.start : end]
                    if explicit.unreadable:
                        unread_filters.append((phrase.strip(), mention.start, end))
                    for f in explicit.filters:
                        filters.append(FoundFilter(f, mention.start, end))
                    spans.append(
                        Span(
                            mention.start,
                            end,
                            phrase,
                            "value",
                            " and ".join(f.label() for f in explicit.filters) or "a filter I could not read",
                        )
                    )
                elif (means := self._means(mention, events, masked)) is not None:
                    filters.append(FoundFilter(means, mention.start, mention.end))
                    spans.append(Span(mention.start, mention.end, mention.phrase, "value", means.label()))
                elif _BREAKDOWN_CUE.search(before):
                    breakdowns.append(mention)
                    spans.append(
                        Span(mention.start, mention.end, mention.phrase, "property", f"by {mention.prop.label()}")
                    )
                else:
                    properties.append(mention)
                    spans.append(Span(mention.start, mention.end, mention.phrase, "property", mention.prop.label()))
        events = _prefer_whole_names(_merge_narrowed(events, spans, text), spans)
        events = _state_of_thing(events, spans, masked)
        events = self._carrier(events, filters, spans)
        events = _join_adjacent(events, self._signed_up_for(spans, masked))
        excluded = _excluded_parts(masked, events, excluded, filters, spans)
        covered = [(m.start, m.end) for m in mentions] + [s.key for s in spans if s.kind not in ("detail", "number")]
        unknown = [
            (t.text, t.start, t.end)
            for t in tokenize(masked)
            if not t.text.isdigit()
            and len(t.text) > 2
            and not self._known(t.text)
            and not any(a <= t.start < b for a, b in covered)
        ]
        groupings = [  # the word grouped by (the last) is no name of the project's: "by sales rep"
            g for g in _groupings(masked) if not any(a < _named_end(g) and _named_end(g) - 1 < b for a, b in covered)
        ]
        for phrase, start, end in groupings:
            spans.append(Span(start, end, phrase, "detail", f"by {phrase} (the project has no such property)"))
        metric = None
        for metric_pattern, row in self._metrics:
            metric_hit = metric_pattern.search(masked)
            if metric_hit:
                metric = row
                spans.append(
                    Span(
                        metric_hit.start(),
                        metric_hit.end(),
                        metric_hit.group(0),
                        "metric",
                        f"{row['measure']} of {row['event']}.{row['property']}",
                    )
                )
                break
        for found in self._bare_amounts(masked, events, filters, numbers):
            filters.append(found)
            spans.append(Span(found.start, found.end, text[found.start : found.end], "value", found.filter.label()))
        unread = _TIME_LIKE.search(timed) if time is None and not options and not comparison else None
        reading = Reading(
            text,
            time,
            options,
            comparison or ("previous_period" if compare_range else None),
            numbers,
            events,
            excluded,
            properties,
            breakdowns,
            filters,
            unknown,
            metric,
            bool(VAGUE.search(masked)),
            bad_numbers,
            details,
            spans,
            unread.group(0) if unread else None,
            flag,
            time_span,
        )
        reading.compare_range, reading.other_range = compare_range, other_range
        reading.other_span = other.span if other is not None else None
        if other_range is not None and time is not None:
            offset = _units_between(time, other_range)
            if offset is not None and "offset" not in numbers and other is not None:
                # "came back in November" after October signups: month 1, read from the second period's words
                numbers["offset"] = Number("offset", offset, *other.span)
        share = details.get("share")
        if share is not None and not any(f.start >= share.end - 4 for f in filters):
            # "what % of mobile users came back" is among mobile users; only a value named after "came from",
            # "were on"... is the part of the whole ("what % of pageviews came from mobile")
            del details["share"]
            spans[:] = [s for s in spans if not (s.kind == "detail" and s.key == (share.start, share.end))]
        reading.qualifiers = qualifiers
        reading.empty_group = (empty.group("a") or empty.group("b")) if empty is not None else None
        reading.no_empty_group = no_empty is not None
        reading.among = among + self._people_named(people_who, mentions, metric, masked, time_span)
        reading.unread_filters = unread_filters
        reading.groupings = groupings
        if silence is not None:
            reading.silence = silence
            spans.append(Span(*silence[1], text[slice(*silence[1])], "time", f"silent {silence[0].label}"))
        reading.terse = (
            len(events) <= 1
            and "%" not in masked
            and not details
            and all(t.text in _FILLER for t in tokenize(masked) if not any(a <= t.start < b for a, b in covered))
        )
        reading.segments = self._segments(reading)
        if reading.segments is not None:
            prop, values, span = reading.segments
            spans.append(Span(*span, text[slice(*span)], "comparison", f"{prop.name}: {' vs '.join(values)}"))
        reading.spans = sorted(spans, key=lambda s: (s.start, -s.end))
        return reading

    # -- pieces --------------------------------------------------------------------------------------------

    @staticmethod
    def _people_named(
        people_who: list[tuple[Mention, int]],
        mentions: list[Mention],
        metric: Mapping[str, Any] | None,
        masked: str,
        time_span: tuple[int, int] | None,
    ) -> list[Mention]:
        """ "How many purchases did users who signed up in October make", "revenue from customers who cancelled last
        month": an action said with its own period right after "users who" names the people, when something else
        (another event, money) is what is measured of them."""
        out = []
        for m, who in people_who:
            if m.event is None or time_span is None or time_span[0] < m.end or masked[m.end : time_span[0]].strip():
                continue
            if _AND_THEN.match(masked, time_span[1]):
                continue  # "users who subscribed in October and cancelled": two actions of the same people
            if any(o.kind == "event" and who <= o.start < m.start for o in mentions):
                continue  # "users who cancelled their subscription in October": the object of the action named
            others = any(o.kind == "event" and o.event is not None and o.event.name != m.event.name for o in mentions)
            if others or metric is not None or _MONEY.search(masked):
                out.append(m)
        return out

    @staticmethod
    def _described_people(mention: Mention, mentions: list[Mention], text: str) -> bool:
        """ "Paying US customers", "paying 51-200 employee accounts": an event, then a value of the people, then
        the people: the event describes them too."""
        value = next((m for m in mentions if m.start >= mention.end), None)
        if value is None or value.kind != "value" or text[mention.end : value.start].strip():
            return False
        return _names_people(value, text)

    @staticmethod
    def _value_negated(text: str, start: int, prop: PropertyRef, filters: list[FoundFilter]) -> bool:
        """ "excluding anyone who came in through the newsletter", "not from google or bing": a negation before the
        value, not before another value read earlier ("not on mobile, from google users" negates mobile only),
        or a list that goes on from a negated value of the same property."""
        earlier = [found for found in filters if found.end <= start]
        if earlier and _LIST_JOIN.match(text[earlier[-1].end : start]):
            last = earlier[-1].filter
            return last.prop == prop and last.op == "!="
        since = max([start - 60, 0, *(found.end for found in earlier)])
        return _VALUE_NEGATION.search(text[since:start]) is not None

    def _means(self, mention: Mention, events: list[Mention], text: str) -> PropertyFilter | None:
        """ "invoices sent by email", "paid via card": a word right after the event named and its "by", which
        names a property (the person's ``email``) and is a value of one of that event's own (``delivery``), is
        how the event happened, not a grouping."""
        if not events or events[-1].event is None or not _MEANS_BETWEEN.match(text[events[-1].end : mention.start]):
            return None
        own = self.taxonomy.event_property_names(events[-1].event.name)
        word = text[mention.start : mention.end].lower()
        prop = next((p for p in self._value_owners.get(word, ()) if p.scope == "event" and p.name in own), None)
        return None if prop is None else PropertyFilter(prop, "=", self._spelled[prop, word])

    def _listed(self, text: str, mentions: list[Mention]) -> list[Mention]:
        """ "the marketing pages (/, /pricing, /blog)": in a list in brackets whose items are values of one
        property, an item the linker cannot read alone (the root path "/", a number) is a value of it too."""
        added: list[Mention] = []
        for group in BRACKETED.finditer(text):
            inside = [m for m in mentions if m.filter is not None and group.start(1) <= m.start < group.end(1)]
            props = {m.filter.prop for m in inside if m.filter is not None}
            if len(props) != 1:
                continue
            (prop,) = props
            known = self.taxonomy.property(prop.name, prop.scope)
            for item in _LIST_ITEM.finditer(group.group(1)):
                start, end = group.start(1) + item.start(), group.start(1) + item.end()
                if (
                    known is not None
                    and item.group(0) in known.values
                    and not any(m.start < end and start < m.end for m in mentions)
                ):
                    value = PropertyFilter(prop, "=", item.group(0))
                    added.append(Mention("value", start, end, item.group(0), filter=value))
        return sorted([*mentions, *added], key=lambda m: m.start) if added else mentions

    def _shared_property(self, a: str, b: str) -> PropertyRef | None:
        """ "google signups vs email signups": two values each linked to its own property, which one property
        has both of (``signup_method``): the comparison is on that one."""
        holding = self._value_owners.get(a.lower(), ())
        return next((prop for prop in holding if prop in self._value_owners.get(b.lower(), ())), None)

    def _grain_spans(self, text: str) -> list[tuple[int, int]]:
        return [
            m.span()
            for kind, _, patterns in self._details
            if kind == "grain"
            for p in patterns
            if (m := p.search(text))
        ]

    def _find_details(self, text: str, spans: list[Span]) -> dict[str, Detail]:
        found: dict[str, Detail] = {}
        for kind, value, patterns in self._details:
            if kind in found:
                continue
            for p in patterns:
                m = p.search(text)
                if m:
                    found[kind] = Detail(kind, value, m.start(), m.end())
                    spans.append(Span(m.start(), m.end(), m.group(0), "detail", f"{kind}: {value}"))
                    break
        for pattern, row in self._within:
            m = pattern.search(text)
            if m is None:
                continue
            days = row.get("days")
            if days is None:
                n = m.groupdict().get("n")
                count = (
                    1
                    if not n
                    else _WORD_NUMBERS.get(n.strip())
                    or (1 if n.strip() in ("a", "an") else int(n) if n.strip().isdigit() else 1)
                )
                unit = (m.groupdict().get("u") or "day").strip()
                per = row.get("unit_days", {}).get(unit, 1)
                if not per and count % 24:
                    continue  # "within 2 hours of signup": no window of whole days means it; left unread, reported
                days = count * per if per else count // 24
            anchor = (m.groupdict().get("anchor") or "").strip()
            found["within"] = Detail("within", (int(days), anchor), m.start(), m.end())
            spans.append(
                Span(
                    m.start(), m.end(), m.group(0), "detail", f"within {days} day(s){' of ' + anchor if anchor else ''}"
                )
            )
            break
        return found

    def _numbers(self, text: str, spans: list[Span]) -> tuple[dict[str, Number], list[tuple[str, int]]]:
        scrubbed = _word_numbers(text)
        numbers: dict[str, Number] = {}
        bad: list[tuple[str, int]] = []
        for kind, pattern in NUMBER_CUES:
            if kind in numbers or kind in (b for b, _ in bad):
                continue
            m = pattern.search(scrubbed)
            if not m:
                continue
            group = next(i for i in range(1, (m.lastindex or 1) + 1) if m.group(i) is not None) if m.lastindex else 1
            value = int(m.group(group))
            if kind == "silent_days" and "week" in m.group(0):
                value *= 7
            if kind == "min_count" and _STRICTLY_MORE.match(m.group(0)):
                value += 1  # "more than 3 tickets" is 4 or more: the slot means "at least"
            low, high = NUMBER_RANGES.get(kind, (0, 10**6))
            if low <= value <= high:
                numbers[kind] = Number(kind, value, m.start(), m.end())
                spans.append(Span(m.start(), m.end(), text[m.start() : m.end()], "number", f"{kind} = {value}"))
            else:
                bad.append((kind, value))
        return numbers, bad

    def _signed_up_for(self, spans: list[Span], text: str) -> Callable[[Mention, Mention], Mention | None]:
        """ "signed up for a paid plan": what is signed up for is the event, not the signup."""
        signup = self.linker.roles.get("signup_event")

        def join(last: Mention, m: Mention) -> Mention | None:
            assert last.event is not None and m.event is not None
            if last.event.name != signup or m.event.name == signup or not _FOR_A.match(text[last.end : m.start]):
                return None
            _drop_event_span(spans, last)
            return m

        return join

    def _carrier(self, events: list[Mention], filters: list[FoundFilter], spans: list[Span]) -> list[Mention]:
        """ "invoices delivered by email": a noun of several events ("invoices", read as the first) filtered on a
        property only one of them carries (``delivery``) is that one (invoices created have no delivery: 0)."""
        wanted = {f.filter.prop.name for f in filters if f.filter.prop.scope == "event"}
        out = []
        for m in events:
            event = m.event
            assert event is not None
            own = set(self.taxonomy.event_property_names(event.name))
            if m.score != NAME_WORD_SCORE or event.filters or not wanted or wanted <= own:
                out.append(m)
                continue
            carriers = [
                name
                for name in self.taxonomy.events
                if _noun(name) == _noun(event.name) and wanted <= set(self.taxonomy.event_property_names(name))
            ]
            if len(carriers) != 1:
                out.append(m)
                continue
            carried = replace(m, event=replace(event, name=carriers[0]))
            _relabel_event_span(spans, m, "event", f"event {carriers[0]}")
            out.append(carried)
        return out

    def _rescoped(self, f: PropertyFilter, before: str) -> PropertyFilter | None:
        """A value (or an event phrase's one value: "homepage" is a pageview of /) read as the property the words
        before it say ("sessions that landed on /pricing", "land on the homepage": the session's entry page), else
        None."""
        target = next((t for p, src, t in self._rescopes if f.prop.name == src and p.search(before)), None)
        return PropertyFilter(target, f.op, f.value) if target is not None else None

    def _value_event(self, mention: Mention, text: str) -> Mention | None:
        """A value that, after a verb, is doing an event ("viewed /docs"): that event, narrowed to the value."""
        f = mention.filter
        assert f is not None
        for prop, event, pattern in self._value_events:
            if f.prop.name == prop and pattern.search(text[max(0, mention.start - 30) : mention.start]):
                return Mention(
                    "event", mention.start, mention.end, mention.phrase, EventRef(event, (f,), mention.phrase)
                )
        return None

    def _unit_filters(self, masked: str) -> list[FoundFilter]:
        """ "uploads over 10 MB", "purchases above $100", "at the $490 price point": a number with a unit filters on
        the property that unit measures (a bare amount with no comparison is that amount exactly)."""
        found: list[FoundFilter] = []
        for pattern, prop, scale in self._units:
            for m in pattern.finditer(masked):
                if any(f.start < m.end() and m.start() < f.end for f in found):
                    continue
                op = _OPS.get(m.group("op") or "=", "=")
                value = _amount(m.groupdict().get("n1") or m.group("n2")) * scale
                found.append(
                    FoundFilter(
                        PropertyFilter(prop, op, int(value) if float(value).is_integer() else value), m.start(), m.end()
                    )
                )
        return found

    def _bare_amounts(
        self, masked: str, events: list[Mention], filters: list[FoundFilter], numbers: Mapping[str, Number]
    ) -> list[FoundFilter]:
        """ "a single client payment over 10,000", "purchases above 100": a bare number compared right after an event
        whose only numeric property it can be is that property's filter (it was dropped silently)."""
        taken = [(f.start, f.end) for f in filters] + [(n.start, n.end) for n in numbers.values()]
        found = []
        for m in events:
            hit = _BARE_AMOUNT.match(masked, m.end)
            if m.event is None or hit is None or any(a < hit.end() and hit.start() < b for a, b in taken):
                continue
            numeric = [
                p
                for name in self.taxonomy.event_property_names(m.event.name)
                if (p := self.taxonomy.property(name, "event")) is not None and p.type == "Numeric"
            ]
            if len(numeric) == 1:
                value = _amount(hit.group("n"))
                f = PropertyFilter(numeric[0].ref(), _OPS[hit.group("op")], int(value) if value.is_integer() else value)
                found.append(FoundFilter(f, hit.start("op"), hit.end()))
        return found

    def _known(self, word: str) -> bool:
        """A word of the catalog or plain English; "a/b" and "at-risk" are known when their parts are. A name
        written like an identifier ("app_opened", "$screen") is never plain English: it names a thing."""
        if "_" in word.strip("_") or word.startswith("$"):
            return False
        parts = [p for p in re.split(r"[/\-_]", word) if p] or [word]
        return all(p in STOPWORDS or p in self.vocabulary or len(p) <= 2 for p in parts)

    def _explicit_filter(self, prop: PropertyRef, after: str) -> OperatorRead | None:
        """``plan is pro``, ``plan != pro``, ``amount > 1,000``, ``amount between 10 and 50``: a property, an
        operator and a value (see ``askhog.operators``)."""
        known = self.taxonomy.property(prop.name, prop.scope)
        return read_operator(prop, tuple(known.values) if known else (), after, STOPWORDS)

    def _segments(self, r: Reading) -> tuple[PropertyRef, tuple[str, ...], tuple[int, int]] | None:
        """ "Chrome vs Firefox", "google or email signups": two values of one property set side by side. A word
        read as a property's name is one of the values when the other is a value of a property that has it
        too ("email vs link delivery": ``delivery``'s values, not the person's ``email``): it is then no longer
        read as that property."""
        if not _COMPARE_WORDS.search(r.text):
            return None
        sides: list[tuple[FoundFilter, Mention | None]] = [(f, None) for f in r.filters]
        for m in (*r.properties, *r.breakdowns):
            word = r.text[m.start : m.end]
            if m.prop is not None and word.lower() in self._value_owners:
                sides.append((FoundFilter(PropertyFilter(m.prop, "=", word), m.start, m.end), m))
        sides.sort(key=lambda side: side[0].start)
        for i, (a, ma) in enumerate(sides):
            for b, mb in sides[i + 1 : i + 1 + _SEGMENT_REACH]:
                if ma is not None and mb is not None:
                    continue  # two names: "email vs country" compares no values
                fa, fb = a.filter, b.filter
                if fa.prop != fb.prop or ma is not None or mb is not None:
                    shared = self._shared_property(str(fa.value), str(fb.value))
                    if shared is None:
                        continue
                    fa, fb = (
                        PropertyFilter(shared, f.op, self._spelled[shared, str(f.value).lower()]) for f in (fa, fb)
                    )
                if fa.op != "=" or fb.op != "=" or fa.value == fb.value:
                    continue
                if _SEGMENT_JOIN.match(r.text[a.end : b.start]) or re.search(
                    r"\b(?:vs\.?|versus|compared|against|or|and|than)\b", r.text[a.end : b.start]
                ):
                    for named in (ma, mb):
                        if named is not None:
                            r.properties[:] = [p for p in r.properties if p is not named]
                            r.breakdowns[:] = [p for p in r.breakdowns if p is not named]
                            r.spans[:] = [s for s in r.spans if s.key != (named.start, named.end)]
                    return fa.prop, (str(fa.value), str(fb.value)), (a.start, b.end)
        for f in r.filters:  # "(company_size 1) vs 11-50": the other side a bare value of the same property
            other = _BARE_SIDE.match(r.text, f.end)
            known = self.taxonomy.property(f.filter.prop.name, f.filter.prop.scope)
            if f.filter.op != "=" or other is None or known is None:
                continue
            value = next((v for v in known.values if v.lower() == other.group(1).lower()), None)
            if value is not None and value != f.filter.value:
                return f.filter.prop, (str(f.filter.value), value), (f.start, other.end())
        return None


def _two_ranges(
    text: str, ranges: list[TimeMatch], now: datetime
) -> tuple[TimeRange, TimeRange | None, TimeMatch | None, tuple[int, int], bool]:
    """Two range phrases: one list ("in Sep or Oct": the union), a comparison ("October or September? both
    numbers", "the 10 days before Nov 16 vs since": the later is the question's range, the earlier set beside
    it, cut to the same span when the later is still running), or a second period of another kind
    ("September signups still around in October"). Returns the range, the compared range, the other period's
    match (its range and its words), the range's span, and whether both phrases were used."""
    a, b = ranges[0], ranges[1]
    assert a.range is not None and b.range is not None
    between = text[a.span[1] : b.span[0]]
    listed = bool(_LIST_JOIN.match(between))
    side_by_side = (
        bool(_VS_BETWEEN.search(between))
        or (
            listed
            and (
                _BOTH.search(text, max(0, a.span[0] - _BOTH_REACH), b.span[1] + _BOTH_REACH)
                or _COMPARATIVE.search(text[max(0, a.span[0] - 60) : a.span[0]])
            )
        )
        or (not listed and bool(_RANGE_COMPARE.search(text)))
    )
    if side_by_side:
        later, earlier = (a, b) if a.range.start >= b.range.start else (b, a)
        assert later.range is not None and earlier.range is not None
        previous = earlier.range
        if (
            later.range.end >= now
            and earlier.range.end <= later.range.start
            and (later.range.spec.get("this") or later.range.spec.get("month"))
        ):
            from .meaning import previous_range

            cut, _ = previous_range(later.range, now)
            if cut.start == earlier.range.start:
                previous = replace(
                    earlier.range, end=cut.end, label=f"{earlier.range.label.split(' (')[0]} to the same point"
                )
        return later.range, previous, None, later.span, True
    if listed:
        chain = [a, b]  # "september, october and november": every range of the list
        for c in ranges[2:]:
            if c.range is None or not _LIST_JOIN.match(text[chain[-1].span[1] : c.span[0]]):
                break
            chain.append(c)
        held = [m.range for m in chain if m.range is not None]
        start, end = min(r.start for r in held), max(r.end for r in held)
        names = [r.label.split(" (")[0] for r in held]
        label = f"{', '.join(names[:-1])} and {names[-1]}"
        return (
            replace(
                a.range,
                start=start,
                end=end,
                label=label,
                spec={"from": start.date().isoformat(), "to": (end - timedelta(microseconds=1)).date().isoformat()},
            ),
            None,
            None,
            (a.span[0], chain[-1].span[1]),
            True,
        )
    return a.range, None, b, a.span, True


def _distinct(ranges: list[TimeMatch]) -> list[TimeMatch]:
    """The same range named twice ("after the release on Nov 16 ... since then") is one range."""
    seen: set[tuple[datetime, datetime]] = set()
    out = []
    for m in ranges:
        if m.range is not None and (m.range.start, m.range.end) not in seen:
            seen.add((m.range.start, m.range.end))
            out.append(m)
    return out


_VS = re.compile(r"\b(?:vs\.?|versus|compared (?:to|with)|against|or)\b")


def _around_comparison(text: str, ranges: list[TimeMatch]) -> list[TimeMatch]:
    """Of three ranges or more, the two on either side of "vs": "after the release on Nov 16, the week before
    vs the week after"."""
    cue = _VS.search(text)
    if cue is None:  # a list ("september, october and november") keeps every range it joins
        listed = [ranges[0]]
        for m in ranges[1:]:
            if not _LIST_JOIN.match(text[listed[-1].span[1] : m.span[0]]):
                break
            listed.append(m)
        return listed if len(listed) > 2 else ranges[:2]
    before = [m for m in ranges if m.span[1] <= cue.start()]
    after = [m for m in ranges if m.span[0] >= cue.end()]
    return [before[-1], after[0]] if before and after else ranges[:2]


def _units_between(first: TimeRange, second: TimeRange) -> int | None:
    """How many calendar months (or weeks) after the first range the second starts: "September signups still
    around in October" asks about month 1."""
    days = (second.start - first.start).days
    if first.spec.get("month") or first.spec.get("previous") == "month" or "month" in first.label.lower():
        months = (second.start.year - first.start.year) * 12 + second.start.month - first.start.month
        return months if months > 0 else None
    if days > 0 and days % 7 == 0:
        return days // 7
    return None


_SILENCE_BEFORE = re.compile(
    r"\b(?:inactive|silent|quiet|dormant|idle|(?:no|zero) (?:activity|events?|logins?|visits?)|nothing|not (?:been )?(?:seen|active|"
    r"back)|gone (?:silent|quiet|dark|inactive)|(?:haven'?t|hasn'?t|have not|has not) (?:done|had|been|shown up|"
    r"logged in|come back|returned|used \w+)\b(?: (?:a single thing|anything|any \w+|back|seen|active))?)"
    r"[^.;,]{0,20}?\s$"
)


def _silent_since(text: str, now: datetime) -> tuple[TimeRange, tuple[int, int]] | None:
    """ "inactive since Nov 1", "haven't done a single thing since the 10th", "haven't come back in November" (asked
    in November): a range running up to now, right after words of silence, and its span."""
    for m in re.finditer(r"\b(?:since|in|during|all of|this)\b", text):
        if not _SILENCE_BEFORE.search(text[max(0, m.start() - 60) : m.start()]):
            continue
        found = find_time_range(text[m.start() :], now)
        if found is None or found.range is None or found.span[0] != 0:
            continue
        running = found.options[0] if found.ambiguous else found.range  # "in November", asked in November
        if m.group(0) == "since" or running.end >= now:  # "quiet in October" is no silence up to now
            return running, (m.start(), m.start() + found.span[1])
    return None


def _blank_silence(text: str) -> str:
    """ "quiet for the last 14 days" is how long people have been silent, not the range the question asks about."""
    for kind, pattern in NUMBER_CUES:
        if kind == "silent_days":
            for m in pattern.finditer(text):
                text = _blank(text, m.start(), m.end())
    return text


_ASIDE_CHARS = 60
"""The longest remark in brackets set aside from a period around it."""


def _blank_asides(text: str, now: datetime) -> str:
    """ "from Nov 16 (the 4.2 release) onwards": a remark in brackets that names no period is not part of the
    period around it (the date alone was read as that one day)."""
    for m in BRACKETED.finditer(text):
        if len(m.group(1)) <= _ASIDE_CHARS and find_time_range(m.group(1), now) is None:
            text = _blank(text, m.start(), m.end())
    return text


def _blank(text: str, start: int, end: int) -> str:
    return text[:start] + " " * (end - start) + text[end:]


def _mend(text: str, keep: frozenset[str] = frozenset()) -> str:
    """Hyphenated and possessive forms read like their spaced forms ("team-plan accounts", "Safari's"),
    keeping every offset (a hyphen becomes a space, "'s" two spaces); a hyphenated name the project has
    ("posthog-python", "new-checkout") stays whole."""

    def spaced(m: re.Match[str]) -> str:
        word = m.group(0)
        return word if word.strip(".,;:!?)('\"") in keep else _HYPHEN.sub(" ", word)

    text = re.sub(r"[^\s]+", spaced, text)
    return _POSSESSIVE.sub("  ", text)


def _word_numbers(text: str) -> str:
    """Number words as digits, the same length so spans stay put; "twice" is "2x" ("more than twice")."""
    text = re.sub(r"\b(once|twice|thrice)\b", lambda m: _TIMES_WORDS[m.group(1)].ljust(len(m.group(1))), text)
    text = _ONE_WINDOW.sub(lambda m: m.group(1) + "1".ljust(len(m.group(2))), text)
    return re.sub(
        r"\b(" + "|".join(_WORD_NUMBERS) + r")\b", lambda m: str(_WORD_NUMBERS[m.group(1)]).ljust(len(m.group(1))), text
    )


_TIMES_WORDS = {"once": "1x", "twice": "2x", "thrice": "3x"}
_ONE_WINDOW = re.compile(r"(\b(?:within|inside|in under|in less than|in the first) )(an?)\b(?= (?:hour|day|week)\b)")
"""'a' is one in a window ("within a week"): elsewhere it is no number ("a week ago" is a date, read as one)."""
