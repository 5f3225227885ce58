"""askhog's time grammar: finds the time phrase of a question and resolves it.

General date libraries guess; analysts do not. This grammar resolves phrases
the way a product analyst means them, and nothing else:

* Timezone: every datetime is naive and means UTC, ``now`` included.
* Ranges are half-open ``[start, end)``. An absolute "to" date is an
  inclusive day: "from March 3 to March 10" ends at March 11 00:00.
* Weeks start on Monday.
* "last week" / "last month" (a unit without a number) is the previous
  *calendar* unit; "last 3 weeks" (with a number) is a rolling window ending
  now; "past week" (no number) is a rolling window of one unit.
* "this week", "today", "MTD" run from the start of the unit to now; a month,
  quarter or year that contains now ends at now ("so far").
* A date without a year is its most recent occurrence that is not in the
  future ("March 3" asked in January means last year's March 3); a month or
  quarter without a year is the most recent one that has started.
* "in November" asked in November, or "Q4" asked during Q4, is ambiguous:
  the match carries both readings (this partial one first, then last year's
  complete one) as ``options``.
* "week over week", "MoM", "vs last week" are comparisons, reported in
  ``TimeMatch.comparison`` and never read as the question's range.

Every resolved range carries its ``spec`` (the labelled-set form that intents
and conversations store), and ``from_spec(tr.spec, now)`` gives the same
bounds: the grammar only produces specs, and ``from_spec`` is the single
place where a spec becomes dates and a label.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from .errors import TimeRangeError
from .types import TimeRange, Unit

# --- vocabulary ------------------------------------------------------------------------------

NUMBER_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30, "sixty": 60, "ninety": 90,
    "a couple of": 2, "a couple": 2, "couple of": 2, "a few": 3, "few": 3,
}

UNIT_WORDS: dict[str, Unit] = {
    "hour": "hour", "hours": "hour", "hr": "hour", "hrs": "hour", "h": "hour",
    "day": "day", "days": "day", "d": "day",
    "week": "week", "weeks": "week", "wk": "week", "wks": "week", "w": "week",
    "month": "month", "months": "month", "mo": "month", "mos": "month",
    "quarter": "quarter", "quarters": "quarter", "qtr": "quarter", "qtrs": "quarter",
    "year": "year", "years": "year", "yr": "year", "yrs": "year", "y": "year",
}

MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july",
               "august", "september", "october", "november", "december")
MONTHS: dict[str, int] = {
    **{name: i for i, name in enumerate(MONTH_NAMES, 1)},
    **{name[:3]: i for i, name in enumerate(MONTH_NAMES, 1)},
    "sept": 9,
}

WEEKDAYS: dict[str, int] = {
    name: i for i, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
}

QUARTER_ORDINALS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4,
}

TO_DATE_ABBREVIATIONS: dict[str, Unit] = {"wtd": "week", "mtd": "month", "qtd": "quarter", "ytd": "year"}

ALL_UNITS: tuple[Unit, ...] = ("hour", "day", "week", "month", "quarter", "year")
_MONTHS_PER_UNIT: dict[str, int] = {"month": 1, "quarter": 3, "year": 12}
_FIXED_UNIT: dict[str, timedelta] = {"hour": timedelta(hours=1), "day": timedelta(days=1),
                                     "week": timedelta(days=7)}


def _alternation(words: Mapping[str, object] | tuple[str, ...]) -> str:
    """Longest first, so that "a couple of" wins over "a" and "march" over "mar"."""
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


_NUM = rf"(?:\d{{1,4}}|(?:{_alternation(NUMBER_WORDS)})\b)"
_UNIT = rf"(?:{_alternation(UNIT_WORDS)})\b"
_MONTH = rf"(?:{_alternation(MONTHS)})"
_WEEKDAY = rf"(?:{_alternation(WEEKDAYS)})"
_YEAR = r"(?:(?:19|20)\d{2}|'\d{2})"
_PERIOD = r"(?:week|month|quarter|year)"
_DAYS_OR_LONGER = rf"(?:{_alternation({w: u for w, u in UNIT_WORDS.items() if u != 'hour'})})\b"
_FLAGS = re.IGNORECASE | re.ASCII
"""ASCII: a Unicode case fold ("ſ" for "s") must not match a word the tables cannot look up."""
_PREPOSITION = r"\b(?:in|over|during|for|within|throughout|across|on)\s+"
_LEAD_IN = rf"(?:{_PREPOSITION})?\bthe\s+"
"""Words before a time phrase that belong to it: "signups in the last 7 days" links "signups".
A bare preposition stays in the question: in "logged in today" it belongs to the verb."""
_QUARTER_LEAD_IN = rf"{_PREPOSITION}(?:the\s+)?|\bthe\s+"


# --- calendar arithmetic -----------------------------------------------------------------------


def _floor(t: datetime, unit: Unit) -> datetime:
    """The start of the calendar unit containing ``t`` (weeks start on Monday)."""
    if unit == "hour":
        return t.replace(minute=0, second=0, microsecond=0)
    day = t.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    first_month = {"month": day.month, "quarter": 3 * ((day.month - 1) // 3) + 1, "year": 1}[unit]
    return day.replace(month=first_month, day=1)


def _shift(t: datetime, unit: Unit, n: int) -> datetime:
    """``t`` moved by ``n`` units; months clamp the day (Mar 31 - 1 month = Feb 28)."""
    try:
        if unit in _FIXED_UNIT:
            return t + n * _FIXED_UNIT[unit]
        years, month0 = divmod(t.month - 1 + n * _MONTHS_PER_UNIT[unit], 12)
        year = t.year + years
        return t.replace(year=year, month=month0 + 1, day=min(t.day, monthrange(year, month0 + 1)[1]))
    except (OverflowError, ValueError) as exc:
        raise TimeRangeError(f"{n} {unit}s from {t:%Y-%m-%d} is outside the calendar") from exc


def _midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day)


def _quarter_of(t: datetime | date) -> int:
    return (t.month - 1) // 3 + 1


def _latest_year(now: datetime, month: int) -> int:
    """The year of the most recent ``month`` that has started."""
    return now.year if month <= now.month else now.year - 1


# --- labels --------------------------------------------------------------------------------------


def _day_label(d: datetime | date, with_year: bool = True) -> str:
    text = f"{MONTH_NAMES[d.month - 1][:3].title()} {d.day}"
    return f"{text}, {d.year}" if with_year else text


def _days_label(first: datetime | date, last: datetime | date) -> str:
    """``Mar 3 – Mar 10, 2026``: inclusive days, the year written once when shared."""
    if first == last:
        return _day_label(first)
    if first.year == last.year:
        return f"{_day_label(first, False)} – {_day_label(last)}"
    return f"{_day_label(first)} – {_day_label(last)}"


def _period_label(start: datetime, unit: Unit, end: datetime, partial: bool) -> str:
    """Names one calendar unit: "October 2026", "Q3 2026 (Jul 1 – Sep 30)", "2025"."""
    last_day = end - timedelta(microseconds=1)
    so_far = " (so far)" if partial else ""
    if unit == "hour":
        return f"{_day_label(start)} {start:%H}:00"
    if unit == "day":
        return _day_label(start) + so_far
    if unit == "week":
        return f"week of {_days_label(start, last_day)}{so_far}"
    if unit == "month":
        return f"{MONTH_NAMES[start.month - 1].title()} {start.year}{so_far}"
    if unit == "quarter":
        days = f"{_day_label(start, False)} – {_day_label(last_day, False)}{', so far' if partial else ''}"
        return f"Q{_quarter_of(start)} {start.year} ({days})"
    return f"{start.year}{so_far}"


def _with_detail(name: str, detail: str) -> str:
    """"last month (October 2026)"; "last quarter: Q3 2026 (Jul 1 – Sep 30)" rather than nested brackets."""
    return f"{name}: {detail}" if "(" in detail else f"{name} ({detail})"


def _plural(n: int, unit: Unit) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


# --- specs → ranges ------------------------------------------------------------------------------


def _spec_int(spec: Mapping[str, Any], key: str, low: int, high: int) -> int:
    value = spec.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise TimeRangeError(f"time range {key!r} must be a whole number from {low} to {high}, got {value!r}")
    return value


def _spec_unit(spec: Mapping[str, Any], key: str, allowed: tuple[Unit, ...]) -> Unit:
    value = spec.get(key)
    for unit in allowed:
        if value == unit:
            return unit
    raise TimeRangeError(f"time range {key!r} must be one of {', '.join(allowed)}, got {value!r}")


def _spec_date(spec: Mapping[str, Any], key: str) -> date:
    value = spec.get(key)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise TimeRangeError(f"time range {key!r} must be a YYYY-MM-DD date, got {value!r}") from exc


def _ends_now(start: datetime, end: datetime, now: datetime) -> tuple[datetime, bool]:
    """A period that contains now ends at now; the flag says it was cut ("so far")."""
    return (now, True) if start < now < end else (end, False)


def _rolling(spec: Mapping[str, Any], now: datetime) -> TimeRange:
    n = _spec_int(spec, "last", 1, 10_000)
    unit = _spec_unit(spec, "unit", ALL_UNITS)
    label = f"past {unit}" if n == 1 else f"last {_plural(n, unit)}"
    return TimeRange(_shift(now, unit, -n), now, label, dict(spec), calendar=False)


def _this(spec: Mapping[str, Any], now: datetime) -> TimeRange:
    unit = _spec_unit(spec, "this", ALL_UNITS)
    start = _floor(now, unit)
    label = "today" if unit == "day" else f"this {unit} (since {_day_label(start)})"
    return TimeRange(start, now, label, dict(spec), calendar=True)


def _previous(spec: Mapping[str, Any], now: datetime) -> TimeRange:
    unit = _spec_unit(spec, "previous", ALL_UNITS)
    end = _floor(now, unit)
    start = _shift(end, unit, -1)
    name = "yesterday" if unit == "day" else f"last {unit}"
    return TimeRange(start, end, _with_detail(name, _period_label(start, unit, end, False)), dict(spec), calendar=True)


def _ago(spec: Mapping[str, Any], now: datetime) -> TimeRange:
    n = _spec_int(spec, "ago", 1, 10_000)
    unit = _spec_unit(spec, "unit", ALL_UNITS)
    start = _shift(_floor(now, unit), unit, -n)
    end = _shift(start, unit, 1)
    label = _with_detail(f"{_plural(n, unit)} ago", _period_label(start, unit, end, False))
    return TimeRange(start, end, label, dict(spec), calendar=True)


def _dates(spec: Mapping[str, Any], now: datetime) -> TimeRange:
    first = _spec_date(spec, "from")
    start = _midnight(first)
    if "to" not in spec:
        if start >= now:
            raise TimeRangeError(f"'since {first.isoformat()}' starts in the future")
        return TimeRange(start, now, f"since {_day_label(first)}", dict(spec), calendar=True)
    last = _spec_date(spec, "to")
    if last < first:
        raise TimeRangeError(f"time range ends ({last.isoformat()}) before it starts ({first.isoformat()})")
    return TimeRange(start, _midnight(last) + timedelta(days=1), _days_label(first, last), dict(spec), calendar=True)


def _calendar_period(spec: Mapping[str, Any], now: datetime, unit: Unit, start: datetime) -> TimeRange:
    end, partial = _ends_now(start, _shift(start, unit, 1), now)
    return TimeRange(start, end, _period_label(start, unit, _shift(start, unit, 1), partial), dict(spec),
                     calendar=True)


def _month(spec: Mapping[str, Any], now: datetime) -> TimeRange:
    month = _spec_int(spec, "month", 1, 12)
    year = _spec_int(spec, "year", 1, 9998) if "year" in spec else _latest_year(now, month)
    return _calendar_period(spec, now, "month", datetime(year, month, 1))


def _quarter(spec: Mapping[str, Any], now: datetime) -> TimeRange:
    quarter = _spec_int(spec, "quarter", 1, 4)
    year = _spec_int(spec, "year", 1, 9998) if "year" in spec else _latest_year(now, 3 * quarter - 2)
    return _calendar_period(spec, now, "quarter", datetime(year, 3 * quarter - 2, 1))


def _year(spec: Mapping[str, Any], now: datetime) -> TimeRange:
    return _calendar_period(spec, now, "year", datetime(_spec_int(spec, "year", 1, 9998), 1, 1))


def _weekend(spec: Mapping[str, Any], now: datetime) -> TimeRange:
    which = spec.get("weekend")
    week = _floor(now, "week")
    this_saturday = week + timedelta(days=5)
    if which == "latest":
        start = this_saturday if now >= this_saturday else week - timedelta(days=2)
    elif which == "previous":
        start = week - timedelta(days=2)
    else:
        raise TimeRangeError(f"time range 'weekend' must be 'latest' or 'previous', got {which!r}")
    end, partial = _ends_now(start, start + timedelta(days=2), now)
    label = f"the weekend ({_days_label(start, start + timedelta(days=1))}{', so far' if partial else ''})"
    return TimeRange(start, end, label, dict(spec), calendar=True)


@dataclass(frozen=True)
class _SpecForm:
    """One labelled-set form: the key that identifies it, the keys it admits, its resolver."""

    key: str
    allowed: frozenset[str]
    resolve: Callable[[Mapping[str, Any], datetime], TimeRange]


_SPEC_FORMS: tuple[_SpecForm, ...] = (
    _SpecForm("last", frozenset({"last", "unit"}), _rolling),
    _SpecForm("this", frozenset({"this"}), _this),
    _SpecForm("previous", frozenset({"previous"}), _previous),
    _SpecForm("ago", frozenset({"ago", "unit"}), _ago),
    _SpecForm("from", frozenset({"from", "to"}), _dates),
    _SpecForm("month", frozenset({"month", "year"}), _month),
    _SpecForm("quarter", frozenset({"quarter", "year"}), _quarter),
    _SpecForm("weekend", frozenset({"weekend"}), _weekend),
    _SpecForm("year", frozenset({"year"}), _year),
)


def from_spec(spec: Mapping[str, Any], now: datetime) -> TimeRange:
    """Resolves a labelled-set spec (``{last: 7, unit: day}``, ``{this: week}``, ``{from, to}``...).

    Specs come from intent files and stored conversations, so a malformed one
    raises ``TimeRangeError`` naming the offending key rather than guessing.
    """
    if not isinstance(spec, Mapping):
        raise TimeRangeError(f"a time range spec must be a mapping, got {type(spec).__name__}")
    for form in _SPEC_FORMS:
        if form.key in spec:
            extra = set(spec) - form.allowed
            if extra:
                raise TimeRangeError(f"time range spec {dict(spec)!r} has unexpected keys: {sorted(extra)}")
            return form.resolve(spec, now)
    known = ", ".join(form.key for form in _SPEC_FORMS)
    raise TimeRangeError(f"time range spec {dict(spec)!r} has none of the keys {known}")


# --- single dates ("March 3", "2026-03-01", "last Monday") --------------------------------------


@dataclass(frozen=True)
class _Anchor:
    """A date phrase resolved to the span it names; ``yearless`` when its year was inferred."""

    start: datetime
    end: datetime
    yearless: bool = False


def _year_value(text: str | None) -> int | None:
    if not text:
        return None
    return 2000 + int(text[1:]) if text.startswith("'") else int(text)


def _day_anchor(year: int, month: int, day: int, yearless: bool = False) -> _Anchor | None:
    try:
        start = datetime(year, month, day)
    except ValueError:
        return None
    return _Anchor(start, start + timedelta(days=1), yearless)


def _numeric_date(m: re.Match[str], now: datetime, year: int | None) -> _Anchor | None:
    return _day_anchor(int(m["y"]), int(m["mo"]), int(m["d"]))


def _named_date(m: re.Match[str], now: datetime, year: int | None) -> _Anchor | None:
    """"March 3", "3rd of March 2026": a year-less date is its latest past occurrence."""
    month, day = MONTHS[m["m"].lower()], int(m["d"])
    explicit = _year_value(m["y"])
    if explicit is not None:
        return _day_anchor(explicit, month, day)
    if year is not None:
        return _day_anchor(year, month, day, yearless=True)
    this_year = _day_anchor(now.year, month, day, yearless=True)
    if this_year is not None and this_year.start <= now:
        return this_year
    return _day_anchor(now.year - 1, month, day, yearless=True)


def _month_anchor(m: re.Match[str], now: datetime, year: int | None) -> _Anchor | None:
    month = MONTHS[m["m"].lower()]
    explicit = _year_value(m["y"])
    start = datetime(explicit or year or _latest_year(now, month), month, 1)
    return _Anchor(start, _shift(start, "month", 1), yearless=explicit is None)


def _quarter_anchor(m: re.Match[str], now: datetime, year: int | None) -> _Anchor | None:
    first_month = 3 * int(m["q"]) - 2
    explicit = _year_value(m["y"])
    start = datetime(explicit or year or _latest_year(now, first_month), first_month, 1)
    return _Anchor(start, _shift(start, "quarter", 1), yearless=explicit is None)


def _weekday_anchor(m: re.Match[str], now: datetime, year: int | None) -> _Anchor | None:
    """"Monday" is the latest Monday, today included; "last Monday" excludes today."""
    back = (now.weekday() - WEEKDAYS[m["wd"].lower()]) % 7
    if m["last"] and back == 0:
        back = 7
    start = _floor(now, "day") - timedelta(days=back)
    return _Anchor(start, start + timedelta(days=1))


def _day_word_anchor(m: re.Match[str], now: datetime, year: int | None) -> _Anchor | None:
    return _range_anchor(from_spec(_DAY_WORD_SPECS[m["w"].lower()], now))


def _period_anchor(m: re.Match[str], now: datetime, year: int | None) -> _Anchor | None:
    """"this month", "last week": the whole calendar unit (up to now for the current one)."""
    key = "this" if m["kw"].lower() == "this" else "previous"
    return _range_anchor(from_spec({key: m["u"].lower()}, now))


def _ago_anchor(m: re.Match[str], now: datetime, year: int | None) -> _Anchor | None:
    return _range_anchor(from_spec({"ago": _number(m["n"]), "unit": UNIT_WORDS[m["u"].lower()]}, now))


def _range_anchor(tr: TimeRange) -> _Anchor:
    return _Anchor(tr.start, tr.end)


_DAY_WORD_SPECS: dict[str, dict[str, Any]] = {"today": {"this": "day"}, "yesterday": {"previous": "day"}}


def _number(text: str) -> int:
    word = " ".join(text.lower().split())
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


_DAY_SUFFIX = r"(?:st|nd|rd|th)?"
_ANCHOR_FORMS: tuple[tuple[str, Callable[[re.Match[str], datetime, int | None], _Anchor | None]], ...] = (
    (r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})(?!\d)", _numeric_date),
    (r"(?P<mo>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})(?!\d)", _numeric_date),
    (rf"(?P<m>{_MONTH})\.?\s+(?P<d>\d{{1,2}})(?!\d){_DAY_SUFFIX}\b(?:\s*,?\s*(?P<y>{_YEAR})\b)?", _named_date),
    (rf"(?:the\s+)?(?P<d>\d{{1,2}})(?!\d){_DAY_SUFFIX}\s+(?:of\s+)?(?P<m>{_MONTH})\b(?:\s*,?\s*(?P<y>{_YEAR})\b)?",
     _named_date),
    (rf"q(?P<q>[1-4])(?:\s+(?P<y>{_YEAR}))?\b", _quarter_anchor),
    (rf"(?P<m>{_MONTH})\b(?:\s*,?\s*(?P<y>{_YEAR})\b)?", _month_anchor),
    (rf"(?P<last>last\s+)?(?P<wd>{_WEEKDAY})\b", _weekday_anchor),
    (r"(?P<w>today|yesterday)\b", _day_word_anchor),
    (rf"(?P<kw>this|last|previous)\s+(?P<u>{_PERIOD})\b", _period_anchor),
    (rf"(?P<n>{_NUM})\s+(?P<u>{_DAYS_OR_LONGER})\s+ago\b", _ago_anchor),
)
_ANCHOR_PARSERS = tuple((re.compile(src, _FLAGS), parse) for src, parse in _ANCHOR_FORMS)
_ANCHOR = "(?:" + "|".join(re.sub(r"\(\?P<\w+>", "(?:", src) for src, _ in _ANCHOR_FORMS) + ")"
"""Any date phrase, as a group-free fragment to embed in "since ...", "between ... and ..."."""


def _anchor(text: str, now: datetime, year: int | None = None) -> _Anchor | None:
    for pattern, parse in _ANCHOR_PARSERS:
        m = pattern.fullmatch(text)
        if m:
            return parse(m, now, year)
    return None


# --- phrases → specs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reading:
    """What one phrase means: a spec, plus the alternative specs when it has two readings."""

    spec: dict[str, Any]
    options: tuple[dict[str, Any], ...] = ()


_Resolver = Callable[[re.Match[str], datetime], "_Reading | None"]


def _rolling_phrase(m: re.Match[str], now: datetime) -> _Reading | None:
    n = _number(m["n"]) if m["n"] else 1
    return _Reading({"last": n, "unit": UNIT_WORDS[m["u"].lower()]}) if n > 0 else None


def _calendar_phrase(m: re.Match[str], now: datetime) -> _Reading:
    key = "this" if m["kw"].lower() in ("this", "current") else "previous"
    return _Reading({key: m["u"].lower()})


def _to_date_phrase(m: re.Match[str], now: datetime) -> _Reading:
    unit = m["u"].lower() if m["u"] else TO_DATE_ABBREVIATIONS[m["abbr"].lower()]
    return _Reading({"this": unit})


def _day_word_phrase(m: re.Match[str], now: datetime) -> _Reading:
    return _Reading(_DAY_WORD_SPECS[m["w"].lower()])


def _ago_phrase(m: re.Match[str], now: datetime) -> _Reading | None:
    """"2 weeks ago" is that calendar week; "more than 2 weeks ago" is a threshold, not a range."""
    n = _number(m["n"])
    if m["threshold"] or n == 0:
        return None
    return _Reading({"ago": n, "unit": UNIT_WORDS[m["u"].lower()]})


def _period_of_year(key: str, value: int, year_text: str | None, now: datetime) -> _Reading:
    """A month or quarter: with a year it is exact; without, the latest one that has started,
    which is ambiguous while it is still running (this partial one, or last year's whole one)."""
    year = _year_value(year_text)
    if year is not None:
        return _Reading({key: value, "year": year})
    current = now.month if key == "month" else _quarter_of(now)
    if value != current:
        return _Reading({key: value})
    return _Reading({key: value}, ({key: value, "year": now.year}, {key: value, "year": now.year - 1}))


def _quarter_phrase(m: re.Match[str], now: datetime) -> _Reading:
    quarter = int(m["q"]) if m["q"] else QUARTER_ORDINALS[m["ord"].lower()]
    return _period_of_year("quarter", quarter, m["y"], now)


def _month_phrase(m: re.Match[str], now: datetime) -> _Reading:
    month = MONTHS[m["m"].lower()]
    return _period_of_year("month", month, m["y"], now)


def _last_month_name_phrase(m: re.Match[str], now: datetime) -> _Reading:
    """"last March": the latest March that is over (asked in March, last year's)."""
    month = MONTHS[m["m"].lower()]
    return _Reading({"month": month, "year": now.year if month < now.month else now.year - 1})


def _year_phrase(m: re.Match[str], now: datetime) -> _Reading:
    return _Reading({"year": int(m["y"])})


def _weekend_phrase(m: re.Match[str], now: datetime) -> _Reading:
    return _Reading({"weekend": "previous" if m["kw"] else "latest"})


def _days_spec(first: datetime, end: datetime) -> dict[str, Any]:
    """Inclusive days ``[first, end)`` as a spec; an end inside a day includes that day."""
    last = (end - timedelta(microseconds=1)).date()
    return {"from": first.date().isoformat(), "to": last.isoformat()}


def _single_day_phrase(m: re.Match[str], now: datetime) -> _Reading | None:
    day = _anchor(m["a"], now)
    return _Reading(_days_spec(day.start, day.end)) if day else None


def _since_phrase(m: re.Match[str], now: datetime) -> _Reading | None:
    since = _anchor(m["a"], now)
    return _Reading({"from": since.start.date().isoformat()}) if since and since.start < now else None


_YEAR_TURN_SPAN = timedelta(days=183)
"""A year-less range that would only run forward by crossing into another year ("Dec 20 and Jan 5")
does so when that keeps it under half a year; otherwise its two dates were just given in reverse."""


def _between_phrase(m: re.Match[str], now: datetime) -> _Reading | None:
    """Two dates; a year-less one takes its year from the other. Dates given in reverse ("between
    Oct 10 and Oct 1") mean the same days as in order: nobody asks for a range that ends first."""
    first, last = _anchor(m["a"], now), _anchor(m["b"], now)
    if first is None or last is None:
        return None
    if last.yearless:
        last = _anchor(m["b"], now, first.start.year)
        turned = _anchor(m["b"], now, first.start.year + 1)
        if last is not None and turned is not None and last.start < first.start \
                and turned.start - first.start <= _YEAR_TURN_SPAN:
            last = turned
    elif first.yearless:
        first = _anchor(m["a"], now, last.start.year)
        turned = _anchor(m["a"], now, last.start.year - 1)
        if first is not None and turned is not None and first.start > last.start \
                and last.start - turned.start <= _YEAR_TURN_SPAN:
            first = turned
    if first is None or last is None:
        return None
    if last.end <= first.start:
        first, last = last, first
    return _Reading(_days_spec(first.start, last.end))


_TOKEN = re.compile(r"[a-z]+\d*|\d+[-/]\d")
"""Words (and "q4"), plus ``#date`` for a numeric date: what decides which rules are worth running."""


def _tokens(text: str) -> frozenset[str]:
    return frozenset("#date" if token[0].isdigit() else token for token in _TOKEN.findall(text.lower()))


_LEAD_IN_WINDOW = 40


@dataclass(frozen=True)
class _Rule:
    """One phrase shape: its pattern, what it means, the words without which it cannot match,
    and the lead-in words ("in the") that belong to it when they precede it."""

    pattern: re.Pattern[str]
    resolve: _Resolver
    triggers: frozenset[str]
    lead_in: re.Pattern[str] | None

    def span(self, m: re.Match[str]) -> tuple[int, int]:
        """The match widened to its lead-in (searched only behind a match: a leading optional
        group would be tried at every position of every question)."""
        start = m.start()
        if self.lead_in is not None:
            before = self.lead_in.search(m.string, max(0, start - _LEAD_IN_WINDOW), start)
            if before:
                start = before.start()
        return start, m.end()


def _rule(source: str, resolve: _Resolver, triggers: Iterable[str], lead_in: str | None = _LEAD_IN) -> _Rule:
    return _Rule(re.compile(source, _FLAGS), resolve, frozenset(triggers),
                 re.compile(rf"(?:{lead_in})\Z", _FLAGS) if lead_in else None)


_WEEKDAY_ANCHOR = rf"(?:last\s+)?{_WEEKDAY}\b"
_DAY_ANCHOR = "(?:" + "|".join(re.sub(r"\(\?P<\w+>", "(?:", src) for src, _ in _ANCHOR_FORMS[:4]) + ")"
_UNTIL = r"(?:and|to|until|till|through|thru|-|–)"

_ROLLING_WORDS = ("last", "past", "previous", "prior", "trailing", "rolling")
_DATE_WORDS = (*MONTHS, "#date")

_RULES: tuple[_Rule, ...] = (
    _rule(rf"\b(?:{'|'.join(_ROLLING_WORDS)})\s+(?P<n>{_NUM})\s*(?P<u>{_UNIT})", _rolling_phrase, _ROLLING_WORDS),
    _rule(rf"\b(?:this\s+)?(?:past|trailing|rolling)\s+(?P<n>)(?P<u>hour|day|{_PERIOD})\b", _rolling_phrase,
          ("past", "trailing", "rolling")),
    _rule(rf"\b(?:so\s+far\s+)?(?P<kw>this|current|last|previous|prior)\s+(?P<u>{_PERIOD})\b(?:\s+so\s+far\b)?",
          _calendar_phrase, ("this", "current", "last", "previous", "prior")),
    _rule(rf"\b(?:(?P<u>{_PERIOD})[\s-]+to[\s-]+date|(?P<abbr>[wmqy]td))\b", _to_date_phrase,
          ("date", *TO_DATE_ABBREVIATIONS)),
    _rule(r"\b(?:so\s+far\s+)?(?P<w>today|yesterday)\b(?:\s+so\s+far\b)?", _day_word_phrase, _DAY_WORD_SPECS),
    _rule(rf"\b(?:(?P<threshold>more\s+than|less\s+than|fewer\s+than|at\s+least|at\s+most|over|under|within)\s+)?"
          rf"(?P<n>{_NUM})\s+(?P<u>{_UNIT})\s+ago\b", _ago_phrase, ("ago",)),
    _rule(rf"\bq(?P<q>[1-4])(?:\s*(?:of\s+)?(?P<y>{_YEAR}))?\b(?P<ord>)", _quarter_phrase, ("q1", "q2", "q3", "q4"),
          lead_in=_QUARTER_LEAD_IN),
    _rule(rf"\b(?P<y>(?:19|20)\d{{2}})[\s-]*q(?P<q>[1-4])\b(?P<ord>)", _quarter_phrase, ("q1", "q2", "q3", "q4"),
          lead_in=_QUARTER_LEAD_IN),
    _rule(rf"\b(?P<q>)(?P<ord>{_alternation(QUARTER_ORDINALS)})\s+quarter\b(?:\s+(?:of\s+)?(?P<y>{_YEAR})\b)?",
          _quarter_phrase, ("quarter",), lead_in=_QUARTER_LEAD_IN),
    _rule(rf"\b(?:in|during|for|throughout)\s+(?:the\s+month\s+of\s+)?(?P<m>{_MONTH})\b(?:\s*,?\s*(?P<y>{_YEAR})\b)?",
          _month_phrase, MONTHS, lead_in=None),
    _rule(rf"\b(?P<m>{_MONTH})\s*,?\s*(?P<y>{_YEAR})\b", _month_phrase, MONTHS),
    _rule(rf"\blast\s+(?P<m>{_MONTH})\b", _last_month_name_phrase, MONTHS),
    _rule(r"\b(?:in|during|for|throughout)\s+(?:the\s+year\s+)?(?P<y>(?:19|20)\d{2})\b", _year_phrase,
          ("in", "during", "for", "throughout"), lead_in=None),
    _rule(r"\b(?:(?P<kw>last|previous|this\s+past)\s+|the\s+)weekend\b", _weekend_phrase, ("weekend",),
          lead_in=r"\b(?:on|over|during)\s+"),
    _rule(rf"\b(?P<a>{_DAY_ANCHOR})", _single_day_phrase, _DATE_WORDS),
    _rule(rf"\b(?=on\b|last\b)(?:on\s+)?(?P<a>{_WEEKDAY_ANCHOR})", _single_day_phrase, WEEKDAYS, lead_in=None),
    _rule(rf"\b(?:ever\s+)?since\s+(?P<a>{_ANCHOR})", _since_phrase, ("since",), lead_in=None),
    _rule(rf"\b(?:ever\s+)?since\s+(?P<n>{_NUM})\s+(?P<u>hours?|hrs?)\s+ago\b", _rolling_phrase, ("since",),
          lead_in=None),
    _rule(rf"\bfrom\s+(?P<a>{_ANCHOR})\s+(?:to|until|till)\s+(?:now|today|date|the\s+present)\b",
          _since_phrase, ("from",), lead_in=None),
    _rule(rf"\b(?:between|from)\s+(?P<a>{_ANCHOR})\s+{_UNTIL}\s+(?P<b>{_ANCHOR})", _between_phrase,
          ("between", "from"), lead_in=None),
    _rule(rf"\b(?P<a>{_DAY_ANCHOR})\s+(?:to|until|till|through|thru|-|–)\s+(?P<b>{_DAY_ANCHOR})", _between_phrase,
          _DATE_WORDS),
)


# --- comparisons ---------------------------------------------------------------------------------

_AGAINST = r"(?:vs\.?|versus|compared\s+(?:to|with)|against|relative\s+to|than)"
_COMPARISONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(source, _FLAGS), kind) for source, kind in (
        (r"\byear[\s-]+over[\s-]+year\b|\b(?-i:Y[oO]Y)\b", "previous_year"),
        (rf"\b{_AGAINST}\s+(?:the\s+)?(?:same\s+(?:period|time|day|week|month|quarter)\s+)?last\s+year\b",
         "previous_year"),
        (r"\bsame\s+(?:period|time|day|week|month|quarter)\s+(?:last|a)\s+year\b", "previous_year"),
        (r"\b(?:day|week|month|quarter|period)[\s-]+over[\s-]+(?:day|week|month|quarter|period)\b"
         r"|\b(?-i:D[oO]D|W[oO]W|M[oO]M|Q[oO]Q)\b", "previous_period"),
        (rf"\b{_AGAINST}\s+(?:the\s+)?(?:(?:last|previous|prior|preceding)\s+(?:day|week|month|quarter|period)"
         rf"|(?:previous|prior|preceding)\s+{_NUM}\s*{_UNIT}"
         rf"|(?:day|week|month|quarter|period)\s+before|yesterday)\b", "previous_period"),
    )
)


_COMPARISON_WORDS = frozenset({"over", "vs", "versus", "compared", "against", "relative", "than", "same",
                               "yoy", "dod", "wow", "mom", "qoq"})


def _find_comparison(text: str, tokens: frozenset[str]) -> tuple[str, tuple[int, int]] | None:
    if _COMPARISON_WORDS.isdisjoint(tokens):
        return None
    found = [(m.start(), m.end(), kind) for pattern, kind in _COMPARISONS for m in [pattern.search(text)] if m]
    if not found:
        return None
    start, end, kind = min(found)
    return kind, (start, end)


def find_comparison(text: str) -> str | None:
    """``"previous_period"`` (week over week, MoM, vs last month), ``"previous_year"`` (YoY), or None."""
    found = _find_comparison(text, _tokens(text))
    return found[0] if found else None


# --- public API ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeMatch:
    """The time phrase found in a question.

    ``range`` is the resolved window; when the phrase has two readings it is
    the first of ``options`` (the running period) and the caller should ask.
    ``span`` is what to cut from the question before linking events: the range
    phrase, or the comparison phrase when there is no range.
    """

    range: TimeRange | None
    span: tuple[int, int]
    options: tuple[TimeRange, ...] = ()
    comparison: str | None = None
    comparison_span: tuple[int, int] | None = None

    @property
    def ambiguous(self) -> bool:
        return bool(self.options)


def _overlaps(a: tuple[int, int], b: tuple[int, int] | None) -> bool:
    return b is not None and a[0] < b[1] and b[0] < a[1]


_Best = tuple[tuple[int, int], TimeRange, tuple[TimeRange, ...]]


def _best_reading(text: str, tokens: frozenset[str], now: datetime, exclude: tuple[int, int] | None) -> _Best | None:
    """The longest phrase that resolves (earliest on ties), skipping the comparison's words."""
    best: _Best | None = None
    for rule in _RULES:
        if rule.triggers.isdisjoint(tokens):
            continue
        for m in rule.pattern.finditer(text):
            span = rule.span(m)
            if _overlaps(span, exclude) or (best and span[1] - span[0] <= best[0][1] - best[0][0]):
                continue
            try:
                reading = rule.resolve(m, now)
                if reading is None:
                    continue
                best = span, from_spec(reading.spec, now), tuple(from_spec(o, now) for o in reading.options)
            except TimeRangeError:
                continue
    return best


def find_time_range(text: str, now: datetime) -> TimeMatch | None:
    """The time range and/or comparison asked for in ``text``, or None when it names neither."""
    tokens = _tokens(text)
    comparison = _find_comparison(text, tokens)
    kind, comparison_span = comparison if comparison else (None, None)
    best = _best_reading(text, tokens, now, comparison_span)
    if best is None:
        return TimeMatch(None, comparison_span, comparison=kind, comparison_span=comparison_span) if comparison_span \
            else None
    span, time_range, options = best
    return TimeMatch(time_range, span, options, kind, comparison_span)


_TRIM = " \t\n.,;:!?"


def parse_time_range(phrase: str, now: datetime) -> TimeRange:
    """A whole phrase ("last 30 days") as a range: for defaults written in intent files.

    The phrase must be a time phrase and nothing else; an ambiguous one
    resolves to its first reading (the running period).
    """
    text = phrase.strip(_TRIM)
    found = find_time_range(text, now) if text else None
    if found is None or found.range is None or found.span != (0, len(text)):
        raise TimeRangeError(f"{phrase!r} is not a time range askhog understands (try 'last 30 days' or 'this month')")
    return found.range


def default_interval(tr: TimeRange) -> Unit:
    """The interval that gives a readable chart: up to 2 days hourly, a month daily, a quarter weekly."""
    for max_days, unit in ((2, "hour"), (31, "day"), (93, "week")):
        if tr.days <= max_days:
            return unit
    return "month"
