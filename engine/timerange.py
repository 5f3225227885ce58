"""askhog's time grammar: finds the time phrases of a question and resolves them.

General date libraries guess; analysts do not. This grammar resolves phrases
the way a product analyst means them, and nothing else:

* Timezone: every datetime is aware and in UTC, ``now`` included (``clock.aware_utc`` brings a moment from
  outside in); calendar units are UTC's, so the arithmetic below never meets a daylight-saving change.
* Ranges are half-open ``[start, end)``. An absolute "to" date is an
  inclusive day: "from March 3 to March 10" ends at March 11 00:00.
* Weeks start on Monday.
* "last week" / "last month" (a unit without a number) is the previous
  *calendar* unit; "last 3 weeks" (with a number) is a rolling window ending
  now; "past week" (no number) is a rolling window of one unit; "last 3
  complete weeks" is the three calendar weeks before this one; a fortnight is
  a rolling two weeks.
* "this week", "today", "MTD" run from the start of the unit to now; a month,
  quarter or year that contains now ends at now ("so far"), and so does "the
  week of Nov 23" when that week is this one.
* A date without a year is its most recent occurrence that is not in the
  future ("March 3" asked in January means last year's March 3); a month or
  quarter without a year is the most recent one that has started.
* "the 10 days before Nov 16" ends where Nov 16 starts; "after Nov 16" and
  "the 10 days after Nov 16" start with that day (a release on Nov 16
  happened during it), "after March" once March is over.
* "all time", "ever", "to date", "so far" (alone) run from ``ALL_TIME_START``
  to now, and only when the question names no other range: "Q3 so far" is Q3.
* "in November" asked in November, or "Q4" asked during Q4, is ambiguous:
  the match carries both readings (this partial one first, then last year's
  complete one) as ``options``.
* "week over week", "MoM", "vs last week" are comparisons, reported in
  ``TimeMatch.comparison`` and never read as the question's range;
  ``find_time_ranges`` lists every range instead ("October vs September",
  "last week vs the week before").
* A typo of a time word ("yestrday", "lst week") is read as that word, but
  only where the corrected word completes a time phrase; spans stay offsets
  into the text as typed, and the match lists what it corrected.
* Days of the week and hours of the day ("weekdays only", "between 9 and
  10am") are filters within a range, not ranges: ``find_time_filter``.

Every resolved range carries its ``spec`` (the labelled-set form that intents
and conversations store), and ``from_spec(tr.spec, now)`` gives the same
bounds: the grammar only produces specs, and ``from_spec`` is the single
place where a spec becomes dates and a label.
"""

from __future__ import annotations

import re
import string
from calendar import monthrange
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import chain, pairwise
from typing import Any, NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from .errors import TimeRangeError
from .types import TimeRange, Unit

# --- vocabulary ------------------------------------------------------------------------------

NUMBER_WORDS: dict[str, int] = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fourteen": 14,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "sixty": 60,
    "ninety": 90,
    "a couple of": 2,
    "a couple": 2,
    "couple of": 2,
    "a few": 3,
    "few": 3,
}

UNIT_WORDS: dict[str, Unit] = {
    "hour": "hour",
    "hours": "hour",
    "hr": "hour",
    "hrs": "hour",
    "h": "hour",
    "day": "day",
    "days": "day",
    "d": "day",
    "week": "week",
    "weeks": "week",
    "wk": "week",
    "wks": "week",
    "w": "week",
    "month": "month",
    "months": "month",
    "mo": "month",
    "mos": "month",
    "quarter": "quarter",
    "quarters": "quarter",
    "qtr": "quarter",
    "qtrs": "quarter",
    "year": "year",
    "years": "year",
    "yr": "year",
    "yrs": "year",
    "y": "year",
}

MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
MONTHS: dict[str, int] = {
    **{name: i for i, name in enumerate(MONTH_NAMES, 1)},
    **{name[:3]: i for i, name in enumerate(MONTH_NAMES, 1)},
    "sept": 9,
}

WEEKDAYS: dict[str, int] = {
    name: i for i, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
}

QUARTER_ORDINALS: dict[str, int] = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
}

TO_DATE_ABBREVIATIONS: dict[str, Unit] = {"wtd": "week", "mtd": "month", "qtd": "quarter", "ytd": "year"}

MILESTONES = (
    "release",
    "launch",
    "deploy",
    "deployment",
    "rollout",
    "update",
    "migration",
    "redesign",
    "outage",
    "incident",
    "announcement",
    "campaign",
    "change",
)
"""What a date can be the date of ("the Nov 16 release", "the launch on Nov 2"): part of the time phrase."""

ALL_TIME_START = datetime(2000, 1, 1, tzinfo=UTC)
"""Where "all time" starts: before any product askhog can be pointed at has events."""

ALL_UNITS: tuple[Unit, ...] = ("hour", "day", "week", "month", "quarter", "year")
_DAY_UNITS: tuple[Unit, ...] = ("day", "week", "month", "quarter", "year")
_MONTHS_PER_UNIT: dict[str, int] = {"month": 1, "quarter": 3, "year": 12}
_FIXED_UNIT: dict[str, timedelta] = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(days=7)}


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
_AGAINST = r"(?:vs\.?|versus|compared\s+(?:to|with)|against|relative\s+to|than|ahead\s+of|behind)"

_LOWERED = re.ASCII
"""For patterns run on ``_lowered`` text, which is most of them: without IGNORECASE the regex engine
tries an alternation's branches by their first letter, and the grammar runs on every question."""
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def _lowered(text: str) -> str:
    """A-Z as a-z and nothing else: the same folding as ``_FLAGS``, and the same length, so offsets
    hold. ``str.lower`` is that for ASCII text (and fast); elsewhere it turns "İ" into two characters. A weekday
    named before a date ("from Mon Oct 5 through Sun Nov 1") says no more than the date: it is blanked."""
    lowered = text.lower() if text.isascii() else text.translate(_ASCII_LOWER)
    return _WEEKDAY_BEFORE_DATE.sub(lambda m: " " * len(m[0]), lowered)


_WEEKDAY_BEFORE_DATE = re.compile(
    r"\b(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?(?=\s+(?:(?:jan|feb|mar|apr|may|jun|jul|"
    r"aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d|(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|"
    r"sep|oct|nov|dec)|\d{4}-\d\d-\d\d|\d{1,2}/\d{1,2}))"
)


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
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


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


def _moment_label(t: datetime) -> str:
    """``Nov 16, 2026``, or ``Oct 27, 2026 14:30`` for an instant inside a day (a rolling window's start)."""
    return _day_label(t) if t == _floor(t, "day") else f"{_day_label(t)} {t:%H:%M}"


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
    """ "last month (October 2026)"; "last quarter: Q3 2026 (Jul 1 – Sep 30)" rather than nested brackets."""
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


def _spec_true(spec: Mapping[str, Any], key: str) -> None:
    """Flags are written ``true``: anything else is a typo that must not silently mean something."""
    if spec.get(key) is not True:
        raise TimeRangeError(f"time range {key!r} must be true, got {spec.get(key)!r}")


def _ends_now(start: datetime, end: datetime, now: datetime) -> tuple[datetime, bool]:
    """A period that contains now ends at now; the flag says it was cut ("so far")."""
    return (now, True) if start < now < end else (end, False)


def _rolling(spec: Mapping[str, Any], now: datetime) -> TimeRange:
    n = _spec_int(spec, "last", 1, 10_000)
    if "complete" in spec:
        return _complete(spec, now, n)
    unit = _spec_unit(spec, "unit", ALL_UNITS)
    label = f"past {unit}" if n == 1 else f"last {_plural(n, unit)}"
    return TimeRange(_shift(now, unit, -n), now, label, dict(spec), calendar=False)


def _complete(spec: Mapping[str, Any], now: datetime, n: int) -> TimeRange:
    """``{last: 8, unit: week, complete: true}``: the eight calendar weeks before the current one."""
    _spec_true(spec, "complete")
    unit = _spec_unit(spec, "unit", _DAY_UNITS)
    end = _floor(now, unit)
    start = _shift(end, unit, -n)
    name = f"last complete {unit}" if n == 1 else f"last {n} complete {unit}s"
    label = _with_detail(name, _days_label(start, end - timedelta(days=1)))
    return TimeRange(start, end, label, dict(spec), calendar=True)


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


def _before(spec: Mapping[str, Any], now: datetime) -> TimeRange:
    """``{before: <spec>, last: 1, unit: week}``: the week that ends where the other range starts
    ("last week vs the week before"). The other range is kept as a spec, so the pair moves with now."""
    then = spec.get("before")
    if not isinstance(then, Mapping):
        raise TimeRangeError(f"time range 'before' must be a time range spec, got {then!r}")
    n = _spec_int(spec, "last", 1, 10_000)
    unit = _spec_unit(spec, "unit", ALL_UNITS)
    other = from_spec(then, now)
    name = f"the {unit}" if n == 1 else f"the {_plural(n, unit)}"
    return TimeRange(
        _shift(other.start, unit, -n),
        other.start,
        f"{name} before {_moment_label(other.start)}",
        dict(spec),
        calendar=other.calendar,
    )


def _after_range(spec: Mapping[str, Any], now: datetime) -> TimeRange:
    """``{after: <spec>, next: 1, unit: week}``: the week that starts where another range starts when that
    range is a single day or runs up to now ("the week before the release vs the week after"), else where it
    ends. Cut at now."""
    then = spec.get("after")
    if not isinstance(then, Mapping):
        raise TimeRangeError(f"time range 'after' must be a time range spec, got {then!r}")
    n = _spec_int(spec, "next", 1, 10_000)
    unit = _spec_unit(spec, "unit", ALL_UNITS)
    other = from_spec(then, now)
    anchor = other.start if other.end >= now or other.end - other.start <= timedelta(days=1) else other.end
    if anchor >= now:
        raise TimeRangeError("the period after it has not started")
    name = f"the {unit}" if n == 1 else f"the {_plural(n, unit)}"
    return TimeRange(
        anchor,
        min(_shift(anchor, unit, n), now),
        f"{name} after {_moment_label(anchor)}",
        dict(spec),
        calendar=other.calendar,
    )


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
    return TimeRange(start, end, _period_label(start, unit, _shift(start, unit, 1), partial), dict(spec), calendar=True)


def _week(spec: Mapping[str, Any], now: datetime) -> TimeRange:
    """``{week: 2026-11-09}``: the calendar week containing that day ("the week of Nov 9")."""
    return _calendar_period(spec, now, "week", _floor(_midnight(_spec_date(spec, "week")), "week"))


def _month(spec: Mapping[str, Any], now: datetime) -> TimeRange:
    month = _spec_int(spec, "month", 1, 12)
    year = _spec_int(spec, "year", 1, 9998) if "year" in spec else _latest_year(now, month)
    return _calendar_period(spec, now, "month", datetime(year, month, 1, tzinfo=UTC))


def _quarter(spec: Mapping[str, Any], now: datetime) -> TimeRange:
    quarter = _spec_int(spec, "quarter", 1, 4)
    year = _spec_int(spec, "year", 1, 9998) if "year" in spec else _latest_year(now, 3 * quarter - 2)
    return _calendar_period(spec, now, "quarter", datetime(year, 3 * quarter - 2, 1, tzinfo=UTC))


def _year(spec: Mapping[str, Any], now: datetime) -> TimeRange:
    return _calendar_period(spec, now, "year", datetime(_spec_int(spec, "year", 1, 9998), 1, 1, tzinfo=UTC))


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


def _all_time(spec: Mapping[str, Any], now: datetime) -> TimeRange:
    _spec_true(spec, "all")
    return TimeRange(ALL_TIME_START, now, "all time", dict(spec), calendar=True)


@dataclass(frozen=True)
class _SpecForm:
    """One labelled-set form: the key that identifies it, the keys it admits, its resolver."""

    key: str
    allowed: frozenset[str]
    resolve: Callable[[Mapping[str, Any], datetime], TimeRange]


_SPEC_FORMS: tuple[_SpecForm, ...] = (
    _SpecForm("before", frozenset({"before", "last", "unit"}), _before),  # before "last": it has that key too
    _SpecForm("after", frozenset({"after", "next", "unit"}), _after_range),
    _SpecForm("last", frozenset({"last", "unit", "complete"}), _rolling),
    _SpecForm("this", frozenset({"this"}), _this),
    _SpecForm("previous", frozenset({"previous"}), _previous),
    _SpecForm("ago", frozenset({"ago", "unit"}), _ago),
    _SpecForm("from", frozenset({"from", "to"}), _dates),
    _SpecForm("week", frozenset({"week"}), _week),
    _SpecForm("month", frozenset({"month", "year"}), _month),
    _SpecForm("quarter", frozenset({"quarter", "year"}), _quarter),
    _SpecForm("weekend", frozenset({"weekend"}), _weekend),
    _SpecForm("year", frozenset({"year"}), _year),
    _SpecForm("all", frozenset({"all"}), _all_time),
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
        start = datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        return None
    return _Anchor(start, start + timedelta(days=1), yearless)


def _numeric_date(m: re.Match[str], now: datetime, year: int | None) -> _Anchor | None:
    return _day_anchor(int(m["y"]), int(m["mo"]), int(m["d"]))


def _named_date(m: re.Match[str], now: datetime, year: int | None) -> _Anchor | None:
    """ "March 3", "3rd of March 2026": a year-less date is its latest past occurrence."""
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


def _month_day(m: re.Match[str], now: datetime, year: int | None) -> _Anchor | None:
    """ "the 16th": that day of this month, or of the month before when it has not come yet."""
    day = int(m["d"])
    this_month = _day_anchor(now.year, now.month, day, yearless=True)
    if this_month is not None and this_month.start <= now:
        return this_month
    previous = _shift(datetime(now.year, now.month, 1, tzinfo=UTC), "month", -1)
    return _day_anchor(previous.year, previous.month, day, yearless=True)


def _month_anchor(m: re.Match[str], now: datetime, year: int | None) -> _Anchor | None:
    month = MONTHS[m["m"].lower()]
    explicit = _year_value(m["y"])
    start = datetime(explicit or year or _latest_year(now, month), month, 1, tzinfo=UTC)
    return _Anchor(start, _shift(start, "month", 1), yearless=explicit is None)


def _quarter_anchor(m: re.Match[str], now: datetime, year: int | None) -> _Anchor | None:
    first_month = 3 * int(m["q"]) - 2
    explicit = _year_value(m["y"])
    start = datetime(explicit or year or _latest_year(now, first_month), first_month, 1, tzinfo=UTC)
    return _Anchor(start, _shift(start, "quarter", 1), yearless=explicit is None)


def _weekday_anchor(m: re.Match[str], now: datetime, year: int | None) -> _Anchor | None:
    """ "Monday" is the latest Monday, today included; "last Monday" excludes today."""
    back = (now.weekday() - WEEKDAYS[m["wd"].lower()]) % 7
    if m["last"] and back == 0:
        back = 7
    start = _floor(now, "day") - timedelta(days=back)
    return _Anchor(start, start + timedelta(days=1))


def _day_word_anchor(m: re.Match[str], now: datetime, year: int | None) -> _Anchor | None:
    return _range_anchor(from_spec(_DAY_WORD_SPECS[m["w"].lower()], now))


def _period_anchor(m: re.Match[str], now: datetime, year: int | None) -> _Anchor | None:
    """ "this month", "last week": the whole calendar unit (up to now for the current one)."""
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
    (
        rf"(?:the\s+)?(?P<d>\d{{1,2}})(?!\d){_DAY_SUFFIX}\s+(?:of\s+)?(?P<m>{_MONTH})\b(?:\s*,?\s*(?P<y>{_YEAR})\b)?",
        _named_date,
    ),
    (  # "the 16th": a day of this month (what follows shows it is a date, not "the 3rd week")
        r"the\s+(?P<d>\d{1,2})(?:st|nd|rd|th)\b"
        r"(?=\s*(?:$|[,.?!;:)]|and\b|or\b|vs\b|versus\b|-|(?:to|through|thru|until|till)\s+(?:the\s+)?\d))",
        _month_day,
    ),
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


def _after(anchor: _Anchor) -> datetime:
    """Where "after" an anchor starts: with a day (a release on Nov 16 happened during it), or when a
    longer period is over ("after March" is from April 1)."""
    return anchor.start if anchor.end - anchor.start <= timedelta(days=1) else anchor.end


# --- phrases → specs -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reading:
    """What one phrase means: a spec, plus the alternative specs when it has two readings.

    A ``relative`` reading ("the week before") is only a length, ``{last: 1, unit: week}``: it becomes
    a range once placed before another one (see ``find_time_ranges``).
    """

    spec: dict[str, Any]
    options: tuple[dict[str, Any], ...] = ()
    relative: bool = False


_Resolver = Callable[[re.Match[str], datetime], "_Reading | None"]


def _rolling_phrase(m: re.Match[str], now: datetime) -> _Reading | None:
    n = _number(m["n"]) if m["n"] else 1
    return _Reading({"last": n, "unit": UNIT_WORDS[m["u"].lower()]}) if n > 0 else None


def _calendar_phrase(m: re.Match[str], now: datetime) -> _Reading:
    """ "last week" is the previous calendar week; "this week", "the week so far" the current one."""
    key = "previous" if m["kw"].lower() in ("last", "previous", "prior") else "this"
    return _Reading({key: m["u"].lower()})


def _complete_phrase(m: re.Match[str], now: datetime) -> _Reading | None:
    """ "the last 8 full weeks": the calendar weeks before this one; "the last full week" is last week."""
    unit = UNIT_WORDS[m["u"].lower()]
    if not m["n"]:
        return _Reading({"previous": unit})
    n = _number(m["n"])
    return _Reading({"last": n, "unit": unit, "complete": True}) if n > 0 else None


def _fortnight_phrase(m: re.Match[str], now: datetime) -> _Reading | None:
    n = _number(m["n"]) if m["n"] else 1
    return _Reading({"last": 2 * n, "unit": "week"}) if n > 0 else None


def _to_date_phrase(m: re.Match[str], now: datetime) -> _Reading:
    unit = m["u"].lower() if m["u"] else TO_DATE_ABBREVIATIONS[m["abbr"].lower()]
    return _Reading({"this": unit})


def _start_of_phrase(m: re.Match[str], now: datetime) -> _Reading:
    """ "since the start of the month" is this month; "since the start of last month" runs from its first day."""
    unit = UNIT_WORDS[m["u"].lower()]
    if m["kw"] and m["kw"].lower() in ("last", "previous"):
        return _Reading({"from": _shift(_floor(now, unit), unit, -1).date().isoformat()})
    return _Reading({"this": unit})


def _day_word_phrase(m: re.Match[str], now: datetime) -> _Reading:
    return _Reading(_DAY_WORD_SPECS[m["w"].lower()])


def _ago_phrase(m: re.Match[str], now: datetime) -> _Reading | None:
    """ "2 weeks ago" is that calendar week; "more than 2 weeks ago" is a threshold, not a range."""
    n = _number(m["n"])
    if m["threshold"] or n == 0:
        return None
    return _Reading({"ago": n, "unit": UNIT_WORDS[m["u"].lower()]})


_RUNNING_AFTER = re.compile(
    r"^\s*(?:,\s*)?(?:so far|to date|till now|until now|up to now|up till now|until today|yet|"
    r"(?:up )?to today|thus far)\b"
)
_RUNNING_BEFORE = re.compile(r"\b(?:this|current|the current|this year'?s)\s+$")
""""November so far", "this November": the running one, not last year's."""


def _period_of_year(
    key: str, value: int, year_text: str | None, now: datetime, m: re.Match[str] | None = None
) -> _Reading:
    """A month or quarter: with a year it is exact; without, the latest one that has started,
    which is ambiguous while it is still running (this partial one, or last year's whole one) unless the
    words around it say which ("November so far", "this November")."""
    year = _year_value(year_text)
    if year is not None:
        return _Reading({key: value, "year": year})
    current = now.month if key == "month" else _quarter_of(now)
    if value != current:
        return _Reading({key: value})
    if m is not None and (_RUNNING_AFTER.match(m.string[m.end() :]) or _RUNNING_BEFORE.search(m.string[: m.start()])):
        return _Reading({key: value, "year": now.year})
    return _Reading({key: value}, ({key: value, "year": now.year}, {key: value, "year": now.year - 1}))


def _quarter_phrase(m: re.Match[str], now: datetime) -> _Reading:
    quarter = int(m["q"]) if m["q"] else QUARTER_ORDINALS[m["ord"].lower()]
    return _period_of_year("quarter", quarter, m["y"], now, m)


def _month_phrase(m: re.Match[str], now: datetime) -> _Reading:
    month = MONTHS[m["m"].lower()]
    return _period_of_year("month", month, m["y"], now, m)


def _last_month_name_phrase(m: re.Match[str], now: datetime) -> _Reading:
    """ "last March": the latest March that is over (asked in March, last year's)."""
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


def _week_of_phrase(m: re.Match[str], now: datetime) -> _Reading | None:
    """ "the week of Nov 9" is the calendar week containing it; "the week starting Nov 4" (a Wednesday) is
    the seven days from that day: the same thing when the day is a Monday, as it usually is."""
    day = _anchor(m["a"], now)
    if day is None:
        return None
    if m["kw"].lower() == "of" or day.start.weekday() == 0:
        return _Reading({"week": _floor(day.start, "week").date().isoformat()})
    return _Reading(_days_spec(day.start, day.start + timedelta(days=7)))


def _since_phrase(m: re.Match[str], now: datetime) -> _Reading | None:
    since = _anchor(m["a"], now)
    return _Reading({"from": since.start.date().isoformat()}) if since and since.start < now else None


def _after_phrase(m: re.Match[str], now: datetime) -> _Reading | None:
    anchor = _anchor(m["a"], now)
    if anchor is None:
        return None
    start = _after(anchor)
    return _Reading({"from": start.date().isoformat()}) if start < now else None


def _window_phrase(m: re.Match[str], now: datetime) -> _Reading | None:
    """ "the 10 days before Nov 16", "the 2 weeks after the launch on Nov 2": days next to a date.
    Without a number the unit must be singular: "the days before the launch" says no length."""
    anchor = _anchor(m["a"], now)
    word = m["u"].lower()
    n = _number(m["n"]) if m["n"] else 1
    if anchor is None or n == 0 or (not m["n"] and UNIT_WORDS[word] != word):
        return None
    unit = UNIT_WORDS[word]
    if m["dir"].lower() in ("after", "following"):
        start = _after(anchor)
        end = _shift(start, unit, n)
    else:
        end = anchor.start
        start = _shift(end, unit, -n)
    return _Reading(_days_spec(start, end)) if start < now else None


def _all_time_phrase(m: re.Match[str], now: datetime) -> _Reading:
    return _Reading({"all": True})


def _relative_after_phrase(m: re.Match[str], now: datetime) -> _Reading | None:
    """ "the week after", "the 2 weeks following": a length, placed after a neighbouring range's date."""
    reading = _relative_phrase(m, now)
    return (
        None
        if reading is None
        else _Reading({"next": reading.spec["last"], "unit": reading.spec["unit"], "direction": "after"}, relative=True)
    )


def _relative_phrase(m: re.Match[str], now: datetime) -> _Reading | None:
    """ "the week before", "vs the previous 30 days": a length, placed against a neighbouring range."""
    word = m["u"].lower()
    n = _number(m["n"]) if m["n"] else 1
    if n == 0 or (not m["n"] and UNIT_WORDS[word] != word):
        return None
    return _Reading({"last": n, "unit": UNIT_WORDS[word]}, relative=True)


_YEAR_TURN_SPAN = timedelta(days=183)
"""A year-less range that would only run forward by crossing into another year ("Dec 20 and Jan 5")
does so when that keeps it under half a year; otherwise its two dates were just given in reverse."""


def _since_then_phrase(m: re.Match[str], now: datetime) -> _Reading | None:
    """ "since then", "since the release": from a date another phrase of the question names (a relative reading)."""
    return _Reading({"since": "then"}, relative=True)


def _onwards_phrase(m: re.Match[str], now: datetime) -> _Reading | None:
    """ "Nov 16 onwards", "from October on", "Nov 2 to now": from that day (or month) up to now."""
    anchor = _anchor(m["a"], now)
    return _Reading({"from": anchor.start.date().isoformat()}) if anchor and anchor.start < now else None


def _days_of_month_phrase(m: re.Match[str], now: datetime) -> _Reading | None:
    """ "Nov 2–15", "2-15 Nov": the days from the first to the second of one month (its latest occurrence, as a date is)."""
    first = _anchor(f"{m['m']} {m['d1']}", now)
    if first is None:
        return None
    last = _day_anchor(first.start.year, first.start.month, int(m["d2"]))
    if last is None or last.start < first.start:
        return None
    return _Reading(_days_spec(first.start, last.end))


def _between_phrase(m: re.Match[str], now: datetime) -> _Reading | None:
    """Two dates; a year-less one takes its year from the other. Dates given in reverse ("between
    Oct 10 and Oct 1") mean the same days as in order: nobody asks for a range that ends first."""
    first, last = _anchor(m["a"], now), _anchor(m["b"], now)
    if first is None or last is None:
        return None
    if last.yearless:
        last = _anchor(m["b"], now, first.start.year)
        turned = _anchor(m["b"], now, first.start.year + 1)
        if (
            last is not None
            and turned is not None
            and last.start < first.start
            and turned.start - first.start <= _YEAR_TURN_SPAN
        ):
            last = turned
    elif first.yearless:
        first = _anchor(m["a"], now, last.start.year)
        turned = _anchor(m["a"], now, last.start.year - 1)
        if (
            first is not None
            and turned is not None
            and first.start > last.start
            and last.start - turned.start <= _YEAR_TURN_SPAN
        ):
            first = turned
    if first is None or last is None:
        return None
    if last.end <= first.start:
        first, last = last, first
    return _Reading(_days_spec(first.start, last.end))


_TOKEN = re.compile(r"[a-z]+\d*|(?<!\d)\d+[-/]\d|(?<!\d)(?:19|20)\d\d(?!\d)")
"""Words (and "q4"), plus ``#date`` for a numeric date and ``#year`` for a year: what decides which
rules are worth running."""


def _tokens(lowered: str) -> frozenset[str]:
    return frozenset(
        token if not token[0].isdigit() else "#year" if token.isdigit() else "#date"
        for token in _TOKEN.findall(lowered)
    )


_LEAD_IN_WINDOW = 40


@dataclass(frozen=True)
class _Rule:
    """One phrase shape: its pattern, what it means, the words without which it cannot match (one of
    ``triggers``, and one of each set in ``also``), and the lead-in words ("in the") that belong to it
    when they precede it."""

    pattern: re.Pattern[str]
    resolve: _Resolver
    triggers: frozenset[str]
    lead_in: re.Pattern[str] | None
    also: tuple[frozenset[str], ...] = ()

    def span(self, m: re.Match[str]) -> tuple[int, int]:
        """The match widened to its lead-in (searched only behind a match: a leading optional
        group would be tried at every position of every question)."""
        start = m.start()
        if self.lead_in is not None:
            before = self.lead_in.search(m.string, max(0, start - _LEAD_IN_WINDOW), start)
            if before:
                start = before.start()
        return start, m.end()


def _rule(
    source: str,
    resolve: _Resolver,
    triggers: Iterable[str],
    lead_in: str | None = _LEAD_IN,
    also: Iterable[Iterable[str]] = (),
) -> _Rule:
    return _Rule(
        re.compile(source, _LOWERED),
        resolve,
        frozenset(triggers),
        re.compile(rf"(?:{lead_in})\Z", _LOWERED) if lead_in else None,
        tuple(map(frozenset, also)),
    )


class _RuleSet:
    """Rules in order, indexed by trigger word: a question pays for the rules its words can start, not
    for every rule of the grammar (this runs on every question, most of which name no time)."""

    def __init__(self, *rules: _Rule):
        self.rules = rules
        self._by_word: dict[str, list[int]] = {}
        for i, rule in enumerate(rules):
            for word in rule.triggers:
                self._by_word.setdefault(word, []).append(i)
        self._words = frozenset(self._by_word)

    def triggered(self, tokens: frozenset[str]) -> list[_Rule]:
        """The rules ``tokens`` can start, in grammar order (the earlier rule wins a tie)."""
        words = self._words.intersection(tokens)
        if not words:  # most questions: no comprehension to pay for
            return []
        hits = sorted({i for word in words for i in self._by_word[word]})
        return [
            rule for rule in map(self.rules.__getitem__, hits) if not any(also.isdisjoint(tokens) for also in rule.also)
        ]


_WEEKDAY_ANCHOR = rf"(?:last\s+)?{_WEEKDAY}\b"
_DAY_ANCHOR = "(?:" + "|".join(re.sub(r"\(\?P<\w+>", "(?:", src) for src, _ in _ANCHOR_FORMS[:5]) + ")"
_UNTIL = r"(?:and|to|until|till|through|thru|-|–)"
_MILESTONE = rf"(?:{_alternation(MILESTONES)})\b"
_MARKED_ANCHOR = (
    rf"(?:(?:the\s+)?(?:[\w.]+\s+)?{_MILESTONE}(?:\s+[\w.]*\d[\w.]*)?(?:\s+[a-z]+){{0,3}}?\s*(?:\(|\bon\s+|\bof\s+)|"
    rf"the\s+)?"
    rf"(?P<a>{_ANCHOR})(?:\s+{_MILESTONE})?\)?"
)
"""A date, possibly named by what happened on it: "the Nov 16 release", "the launch on Nov 2", "the 4.2 release on
Nov 16", "release 4.2 (nov 16)"."""
_NEXT_TO = r"(?P<dir>before|prior\s+to|preceding|leading\s+up\s+to|after|following)"

_ROLLING_WORDS = ("last", "past", "previous", "prior", "trailing", "rolling")
_UNIT_TOKENS = frozenset(UNIT_WORDS)
_ANCHOR_TOKENS = frozenset(
    {
        *MONTHS,
        *WEEKDAYS,
        "#date",
        "q1",
        "q2",
        "q3",
        "q4",
        *_DAY_WORD_SPECS,
        "this",
        "last",
        "previous",
        "ago",
        "st",
        "nd",
        "rd",
        "th",
    }
)
"""Words without which ``_ANCHOR`` cannot match: "since", "from", "after" are common without a date."""
_COMPLETE_WORDS = ("complete", "completed", "full", "whole", "entire", "finished")
_DATE_WORDS = (*MONTHS, "#date", "st", "nd", "rd", "th")

_RULES = _RuleSet(
    _rule(rf"\b(?:{'|'.join(_ROLLING_WORDS)})\s+(?P<n>{_NUM})\s*(?P<u>{_UNIT})", _rolling_phrase, _ROLLING_WORDS),
    _rule(
        rf"\b(?:this\s+)?(?:past|trailing|rolling)\s+(?P<n>)(?P<u>hour|day|{_PERIOD})\b",
        _rolling_phrase,
        ("past", "trailing", "rolling"),
    ),
    _rule(
        rf"\b(?:{'|'.join(_ROLLING_WORDS)})\s+(?:(?P<n>{_NUM})\s+)?(?:{'|'.join(_COMPLETE_WORDS)})\s+"
        rf"(?P<u>{_DAYS_OR_LONGER})",
        _complete_phrase,
        _COMPLETE_WORDS,
        also=[_ROLLING_WORDS],
    ),
    _rule(
        rf"\b(?:{'|'.join(_ROLLING_WORDS)})\s+(?:(?P<n>{_NUM})\s+)?fortnights?\b",
        _fortnight_phrase,
        ("fortnight", "fortnights"),
    ),
    _rule(
        rf"\b(?:so\s+far\s+)?(?P<kw>this|current|last|previous|prior|the(?=\s+{_PERIOD}\s+so\s+far\b))\s+"
        rf"(?P<u>{_PERIOD})\b(?:\s+so\s+far\b)?",
        _calendar_phrase,
        ("this", "current", "last", "previous", "prior", "far"),
    ),
    _rule(
        rf"\b(?:(?P<u>{_PERIOD})[\s-]+to[\s-]+date|(?P<abbr>[wmqy]td))\b",
        _to_date_phrase,
        ("date", *TO_DATE_ABBREVIATIONS),
    ),
    _rule(
        rf"\b(?:since|from)\s+the\s+(?:very\s+)?(?:start|beginning)\s+of\s+"
        rf"(?:(?P<kw>this|current|last|previous)\s+|the\s+)(?P<u>{_PERIOD})\b",
        _start_of_phrase,
        ("start", "beginning"),
        lead_in=None,
    ),
    _rule(r"\b(?:so\s+far\s+)?(?P<w>today|yesterday)\b(?:\s+so\s+far\b)?", _day_word_phrase, _DAY_WORD_SPECS),
    _rule(
        rf"\b(?:(?P<threshold>more\s+than|less\s+than|fewer\s+than|at\s+least|at\s+most|over|under|within)\s+)?"
        rf"(?P<n>{_NUM})\s+(?P<u>{_UNIT})\s+ago\b",
        _ago_phrase,
        ("ago",),
    ),
    _rule(
        rf"\bq(?P<q>[1-4])(?:\s*(?:of\s+)?(?P<y>{_YEAR}))?\b(?P<ord>)",
        _quarter_phrase,
        ("q1", "q2", "q3", "q4"),
        lead_in=_QUARTER_LEAD_IN,
    ),
    _rule(
        r"\b(?P<y>(?:19|20)\d{2})[\s-]*q(?P<q>[1-4])\b(?P<ord>)",
        _quarter_phrase,
        ("q1", "q2", "q3", "q4"),
        lead_in=_QUARTER_LEAD_IN,
    ),
    _rule(
        rf"\b(?P<q>)(?P<ord>{_alternation(QUARTER_ORDINALS)})\s+quarter\b(?:\s+(?:of\s+)?(?P<y>{_YEAR})\b)?",
        _quarter_phrase,
        ("quarter",),
        lead_in=_QUARTER_LEAD_IN,
    ),
    _rule(
        rf"\b(?:in|during|for|throughout)\s+(?:the\s+month\s+of\s+)?(?P<m>{_MONTH})\b(?:\s*,?\s*(?P<y>{_YEAR})\b)?",
        _month_phrase,
        MONTHS,
        lead_in=None,
    ),
    _rule(rf"\bmonth\s+of\s+(?P<m>{_MONTH})\b(?:\s*,?\s*(?P<y>{_YEAR})\b)?", _month_phrase, ("month",)),
    _rule(rf"\b(?P<m>{_MONTH})\s*,?\s*(?P<y>{_YEAR})\b", _month_phrase, MONTHS),
    _rule(rf"\blast\s+(?P<m>{_MONTH})\b", _last_month_name_phrase, MONTHS),
    _rule(rf"\b(?!may\b|march\b|mar\b|dec\b)(?P<m>{_MONTH})(?:'s)?\b(?P<y>)(?!\s*\d)", _month_phrase, MONTHS),
    _rule(
        r"\b(?:in|during|for|throughout)\s+(?:the\s+year\s+)?(?P<y>(?:19|20)\d{2})\b",
        _year_phrase,
        ("#year",),
        lead_in=None,
    ),
    _rule(
        r"\b(?:(?P<kw>last|previous|this\s+past)\s+|(?:the|this)\s+)weekend\b",
        _weekend_phrase,
        ("weekend",),
        lead_in=r"\b(?:on|over|during)\s+",
    ),
    _rule(
        rf"\bweek\s+(?P<kw>of|starting|beginning|commencing)\s+(?:on\s+)?(?P<a>{_DAY_ANCHOR})",
        _week_of_phrase,
        ("week",),
    ),
    _rule(rf"\b(?P<a>{_DAY_ANCHOR})", _single_day_phrase, _DATE_WORDS),
    _rule(rf"\b(?=on\b|last\b)(?:on\s+)?(?P<a>{_WEEKDAY_ANCHOR})", _single_day_phrase, WEEKDAYS, lead_in=None),
    _rule(
        rf"\b(?:(?P<n>{_NUM})\s*)?(?P<u>{_DAYS_OR_LONGER})\s+{_NEXT_TO}\s+{_MARKED_ANCHOR}",
        _window_phrase,
        ("before", "prior", "preceding", "leading", "after", "following"),
        also=[_UNIT_TOKENS, _ANCHOR_TOKENS],
    ),
    _rule(  # "since the start of September" is since September
        rf"\b(?:ever\s+)?since\s+(?:the\s+(?:start|beginning)\s+of\s+)?{_MARKED_ANCHOR}",
        _since_phrase,
        ("since",),
        lead_in=None,
        also=[_ANCHOR_TOKENS],
    ),
    _rule(rf"\bafter\s+{_MARKED_ANCHOR}", _after_phrase, ("after",), lead_in=None, also=[_ANCHOR_TOKENS]),
    _rule(  # "weekly invoices, starting from Monday Oct 5": since then (a weekday before a date is blanked: _lowered)
        rf"\b(?:starting|beginning|commencing)(?:\s+(?:from|on|with|at))?\s+{_MARKED_ANCHOR}",
        _since_phrase,
        ("starting", "beginning", "commencing"),
        lead_in=None,
        also=[_ANCHOR_TOKENS],
    ),
    _rule(
        rf"\b(?:ever\s+)?since\s+(?P<n>{_NUM})\s+(?P<u>hours?|hrs?)\s+ago\b", _rolling_phrase, ("since",), lead_in=None
    ),
    _rule(
        rf"\bfrom\s+(?P<a>{_ANCHOR})\s+(?:to|until|till)\s+(?:now|today|date|the\s+present)\b",
        _since_phrase,
        ("from",),
        lead_in=None,
        also=[_ANCHOR_TOKENS],
    ),
    _rule(
        rf"\b(?:from\s+|starting\s+)?(?P<a>{_DAY_ANCHOR}|(?P<m0>{_MONTH}))\s+(?:on(?:wards?)?|forwards?|and\s+(?:later|after)|"
        rf"(?:up\s+)?(?:to|until|till)\s+(?:now|today|date))\b",
        _onwards_phrase,
        ("onwards", "onward", "on", "forward", "forwards", "later", "after", "now", "date"),
        lead_in=None,
        also=[_ANCHOR_TOKENS],
    ),
    _rule(
        rf"\b(?P<m>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s*(?:-|–|to|through|thru|until)\s*(?P<d2>\d{{1,2}})"
        rf"(?:st|nd|rd|th)?\b(?!\s*{_MONTH})",
        _days_of_month_phrase,
        MONTHS,
    ),
    _rule(  # the same days written day first: "2-8 nov", "between 2 and 8 nov", "from the 2nd to the 8th of November"
        rf"\b(?:(?P<kw>between)\s+)?(?:the\s+)?(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?\s*(?:-|–|to|through|thru|until|(?(kw)and|(?!)))"
        rf"\s*(?:the\s+)?(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{_MONTH})\b",
        _days_of_month_phrase,
        MONTHS,
    ),
    _rule(
        rf"\b(?:between|from)\s+(?P<a>{_ANCHOR})\s+{_UNTIL}\s+(?P<b>{_ANCHOR})",
        _between_phrase,
        ("between", "from"),
        lead_in=None,
        also=[_ANCHOR_TOKENS],
    ),
    _rule(
        rf"\b(?P<a>{_DAY_ANCHOR})\s+(?:to|until|till|through|thru|-|–)\s+(?P<b>{_DAY_ANCHOR})",
        _between_phrase,
        _DATE_WORDS,
    ),
    # "Sept through Oct", "Sep-Oct", "Sept+Oct signups": whole months joined into one span ("and" is left to the
    # comparison and two-period readings: "September and October" may set them side by side)
    _rule(
        rf"\b(?P<a>{_MONTH}(?:\s*,?\s*{_YEAR})?)\s*(?:\bto\b|\buntil\b|\btill\b|\bthrough\b|\bthru\b|-|–|\+|&|/)\s*"
        rf"(?P<b>{_MONTH}(?:\s*,?\s*{_YEAR})?)\b",
        _between_phrase,
        MONTHS,
    ),
)

_ALL_TIME_RULES = _RuleSet(
    _rule(
        r"\b(?:(?:of\s+)?all[\s-]+time\b|(?<!\bfirst\s)(?<!\bfirst-)ever\b|lifetime\b|so\s+far\b"
        r"|(?<!\bup\s)(?<!-)to[\s-]+date\b)",
        _all_time_phrase,
        ("time", "ever", "lifetime", "far", "date"),
    ),
    _rule(
        r"\bsince\s+(?:the\s+(?:very\s+)?(?:beginning|start)(?:\s+of\s+time)?\b(?!\s+of\b)"
        r"|(?:the\s+)?launch\b(?!\s+(?:of|on)\b)|inception\b|day\s+(?:one|1)\b"
        r"|we\s+(?:launched|started|began|went\s+live)\b(?!\s+(?:the|a|an|our|this|that|its|their|new)\b))",
        _all_time_phrase,
        ("since",),
        lead_in=None,
    ),
)
"""The whole history, read only when nothing else in the question names a range: "ever" and "so far"
also qualify other ranges ("the best week ever this year", "Q3 so far"). "Since we launched the new
onboarding" names a date askhog does not know, and a "first-ever purchase" is a first purchase: neither
is all time."""

_NOT_A_PERSONS_EVENT = (
    r"(?!\s+(?:(?:they|their|them|he|she|the\s+user|users?|people|someone|each\s+\w+)\s+)?(?:sign(?:ed|ing|s)?[\s-]?up|"
    r"signups?|join(?:ed|ing|s)?|regist\w*|onboard\w*|install\w*|activat\w*|first\b|subscrib\w*|"
    r"purchas\w*|buy\w*|bought|creat\w*|start\w*))"
)
"""After "the week after", a person's own event ("the week after signing up", "the 3 days after their first
upload"): a window of each person's, not a period after another one the question names."""
_RELATIVE_RULES = _RuleSet(
    _rule(
        rf"\b(?:ever\s+)?(?:since|after)\s+(?:then|that|it|the\s+(?:[\w.]+\s+)?{_MILESTONE})(?!\s+(?:on|of)\s+\w)",
        _since_then_phrase,
        ("since", "after"),
        lead_in=None,
    ),
    _rule(
        rf"\bthe\s+(?:(?P<n>{_NUM})\s+)?(?P<u>{_UNIT})\s+(?:before|earlier|prior)\b{_NOT_A_PERSONS_EVENT}",
        _relative_phrase,
        ("before", "earlier", "prior"),
        lead_in=_PREPOSITION,
        also=[_UNIT_TOKENS],
    ),
    _rule(
        rf"\bthe\s+(?:(?P<n>{_NUM})\s+)?(?P<u>{_UNIT})\s+(?:after|later|following)\b(?!\s+(?:the\s+)?\w*\d)"
        rf"{_NOT_A_PERSONS_EVENT}",
        _relative_after_phrase,
        ("after", "later", "following"),
        lead_in=_PREPOSITION,
        also=[_UNIT_TOKENS],
    ),
    _rule(
        rf"\b{_AGAINST}\s+(?:the\s+)?(?:previous|prior|preceding)\s+(?:(?P<n>{_NUM})\s*)?(?P<u>{_UNIT})",
        _relative_phrase,
        ("previous", "prior", "preceding"),
        lead_in=None,
        also=[_UNIT_TOKENS],
    ),
)
"""Lengths read against a neighbouring range, by ``find_time_ranges`` only: "the week before" alone
names no week, and "vs the previous 30 days" after "last 30 days" is not the same 30 days again."""

_SERIES_MONTH = rf"{_MONTH}\b(?:\s*,?\s*{_YEAR}\b)?"
_SERIES = re.compile(
    rf"(?:\b(?:in|during|for)\s+|\b(?!may\b)){_SERIES_MONTH}"
    rf"(?:\s*(?:,|/|&|\+|\bor\b|\band\b|\b{_AGAINST})\s*(?:(?:in|during|for)\s+)?{_SERIES_MONTH})+",
    _LOWERED,
)
"""Months named together ("october or september", "in Oct vs Sep"): each is a range, though a bare
month name alone is not (a list may not start with a bare "may": "users who may or may not")."""
_SERIES_ITEM = re.compile(rf"(?:\b(?:in|during|for)\s+)?\b(?P<m>{_MONTH})\b(?:\s*,?\s*(?P<y>{_YEAR})\b)?", _LOWERED)
_MONTH_WORDS = frozenset(MONTHS)


# --- typos ---------------------------------------------------------------------------------------

TYPO_TARGETS: tuple[str, ...] = (
    "yesterday",
    "today",
    "last",
    "past",
    "this",
    "current",
    "previous",
    "since",
    "between",
    "week",
    "weeks",
    "month",
    "months",
    "days",
    "hours",
    "year",
    "years",
    "quarter",
    "quarters",
    "fortnight",
    "weekend",
    "weekends",
    *(name for name in MONTH_NAMES if len(name) > 4),
    *WEEKDAYS,
)
"""The time words a typo may be read as. "day", "ago", "june", "trailing" are left out: a word an edit
or two from them ("way", "age", "tune", "trialing") is far more often itself."""

SHORTHANDS: dict[str, str] = {
    "lst": "last",
    "yday": "yesterday",
    "yest": "yesterday",
    "tdy": "today",
    "wek": "week",
    "dys": "days",
    "mth": "month",
    "mths": "months",
    "prev": "previous",
    "fortnite": "fortnight",
}
"""Typed forms too short, or too far from their word, for the edit distance to find them."""

_NOT_TYPOS = frozenset({"least", "lasts", "lost", "list", "post", "match"})
"""Words one edit from a time word that are meant as themselves where a time word could stand:
"seen at least 30 days ago", "the trial lasts 14 days", "users we lost 3 days after signup", "in match 3"."""

_TIME_WORDS = frozenset(
    {
        *TYPO_TARGETS,
        *SHORTHANDS.values(),
        *UNIT_WORDS,
        *MONTHS,
        *QUARTER_ORDINALS,
        *TO_DATE_ABBREVIATIONS,
        *(word for phrase in NUMBER_WORDS for word in phrase.split()),
        *(f"{day}s" for day in WEEKDAYS),
        "weekday",
        "weekdays",
        "fortnights",
        "hourly",
        "daily",
        "weekly",
        "monthly",
        "quarterly",
        "yearly",
        "annual",
        "annually",
        "ago",
        "date",
        "time",
        "ever",
        "lifetime",
        "tonight",
        "tomorrow",
    }
)
"""Never corrected: words that are time words themselves ("weekdays" is not a typo of "weekends")."""

_MAX_EDITS = ((8, 2), (4, 1))
"""(shortest word, edits allowed): a long word survives two slips ("wendsday"), a shorter one one
("correct" is two from "current"); a word under four letters is read only through ``SHORTHANDS``."""


@lru_cache(maxsize=4096)
def _correction(word: str) -> str | None:
    """The time word that the lower-case ``word`` is a typo of, or None. One nearest word or none:
    "fast" is as near "past" as "last", and those two do not mean the same."""
    if word in SHORTHANDS:
        return SHORTHANDS[word]
    if word in _TIME_WORDS or word in _NOT_TYPOS or not word.isalpha():
        return None
    edits = next((n for shortest, n in _MAX_EDITS if len(word) >= shortest), 0)
    if not edits:
        return None
    hits = process.extract(word, TYPO_TARGETS, scorer=DamerauLevenshtein.distance, score_cutoff=edits, limit=2)
    if not hits or (len(hits) > 1 and hits[1][1] == hits[0][1]):
        return None
    return str(hits[0][0])


_WORD = re.compile(r"[a-z]+", _LOWERED)


@dataclass(frozen=True)
class _Fix:
    """One corrected word: as typed and where in the typed text, as read and where in the read text."""

    typed: str
    read_as: str
    start: int
    end: int
    read_start: int
    read_end: int


class _Read(NamedTuple):
    """A question as the grammar reads it: its typos corrected (``text``, and ``lowered`` for the rules),
    with the way back to the typed offsets. (A named tuple: one is made for every question, and a frozen
    dataclass is slow to build.)"""

    text: str
    lowered: str
    tokens: frozenset[str]
    fixes: tuple[_Fix, ...] = ()

    def typed_span(self, span: tuple[int, int]) -> tuple[int, int]:
        return self._typed_offset(span[0], start=True), self._typed_offset(span[1], start=False)

    def _typed_offset(self, offset: int, start: bool) -> int:
        """A read offset in the typed text; one inside a corrected word goes to that word's start or end."""
        shift = 0
        for fix in self.fixes:
            if offset <= fix.read_start:
                break
            if offset < fix.read_end:
                return fix.start if start else fix.end
            shift = fix.read_end - fix.end
        return offset - shift

    def corrections(self, *spans: tuple[int, int] | None) -> tuple[tuple[str, str], ...]:
        """(typed, read as) for the corrections inside ``spans``: elsewhere a correction changed nothing."""
        return tuple(
            (fix.typed, fix.read_as)
            for fix in self.fixes
            if any(_overlaps((fix.read_start, fix.read_end), span) for span in spans)
        )


def _read(text: str) -> _Read:
    """``text`` with every typo of a time word corrected. Whether a correction counts is decided by the
    match: only one inside a phrase the grammar then reads is reported ("weak signups" stays "weak")."""
    lowered = _lowered(text)
    tokens = _tokens(lowered)
    if not any(map(_correction, tokens)):
        return _Read(text, lowered, tokens)
    typos = {token: read_as for token in tokens if (read_as := _correction(token))}
    parts: list[str] = []
    fixes: list[_Fix] = []
    cursor = shift = 0
    for m in _WORD.finditer(lowered):
        read_as = typos.get(m[0])
        if read_as is None:
            continue
        read_start = m.start() + shift
        fixes.append(
            _Fix(text[m.start() : m.end()], read_as, m.start(), m.end(), read_start, read_start + len(read_as))
        )
        parts += [text[cursor : m.start()], read_as]
        shift += len(read_as) - len(m[0])
        cursor = m.end()
    read = "".join(parts) + text[cursor:]
    return _Read(read, _lowered(read), tokens.difference(typos).union(typos.values()), tuple(fixes))


# --- comparisons ---------------------------------------------------------------------------------

_COMPARISONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(source, _FLAGS), kind)
    for source, kind in (
        (r"\byear[\s-]+over[\s-]+year\b|\b(?-i:Y[oO]Y)\b", "previous_year"),
        (
            rf"\b{_AGAINST}\s+(?:the\s+)?(?:same\s+(?:period|time|day|week|month|quarter)\s+)?last\s+year\b",
            "previous_year",
        ),
        (r"\bsame\s+(?:period|time|day|week|month|quarter)\s+(?:last|a)\s+year\b", "previous_year"),
        (  # "yesterday vs the same day last week": that weekday a week earlier, not the whole of last week
            r"\bsame\s+(?:day|time|weekday|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\s+(?:last|a|the\s+previous|"
            r"previous|the\s+week\s+before|one)\s+week\b|\b(?:same\s+day|that\s+day)\s+(?:a|one)\s+week\s+"
            r"(?:earlier|before|ago)\b",
            "previous_week",
        ),
        (
            r"\b(?:day|week|month|quarter|period)[\s-]+over[\s-]+(?:day|week|month|quarter|period)\b"
            r"|\b(?-i:D[oO]D|W[oO]W|M[oO]M|Q[oO]Q)\b",
            "previous_period",
        ),
        (
            rf"\b{_AGAINST}\s+(?:the\s+)?(?:(?:last|previous|prior|preceding)\s+(?:day|week|month|quarter|period)"
            rf"|(?:previous|prior|preceding)\s+{_NUM}\s*{_UNIT}"
            rf"|(?:day|week|month|quarter|period)\s+before|yesterday)\b",
            "previous_period",
        ),
    )
)


_COMPARISON_WORDS = frozenset(
    {"over", "vs", "versus", "compared", "against", "relative", "than", "same", "yoy", "dod", "wow", "mom", "qoq"}
    | {"ahead", "behind"}
)


def _find_comparison(text: str, tokens: frozenset[str]) -> tuple[str, tuple[int, int]] | None:
    if _COMPARISON_WORDS.isdisjoint(tokens):
        return None
    found = [(m.start(), m.end(), kind) for pattern, kind in _COMPARISONS for m in [pattern.search(text)] if m]
    if not found:
        return None
    start, end, kind = min(found)
    return kind, (start, end)


def find_comparison(text: str) -> str | None:
    """``"previous_period"`` (week over week, MoM, vs last month), ``"previous_year"`` (YoY), ``"previous_week"``
    (the same day last week), or None."""
    read = _read(text)
    found = _find_comparison(read.text, read.tokens)
    return found[0] if found else None


# --- public API ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeMatch:
    """The time phrase found in a question.

    ``range`` is the resolved window; when the phrase has two readings it is
    the first of ``options`` (the running period) and the caller should ask.
    ``span`` is what to cut from the question before linking events: the range
    phrase, or the comparison phrase when there is no range. Spans are offsets
    into the text as typed; ``corrections`` lists the typos read inside them,
    as (typed, read as): ``(("yestrday", "yesterday"),)``.
    """

    range: TimeRange | None
    span: tuple[int, int]
    options: tuple[TimeRange, ...] = ()
    comparison: str | None = None
    comparison_span: tuple[int, int] | None = None
    corrections: tuple[tuple[str, str], ...] = ()

    @property
    def ambiguous(self) -> bool:
        return bool(self.options)


def _overlaps(a: tuple[int, int], b: tuple[int, int] | None) -> bool:
    return b is not None and a[0] < b[1] and b[0] < a[1]


_Found = tuple[tuple[int, int], _Resolver, re.Match[str]]
_Best = tuple[tuple[int, int], TimeRange, tuple[TimeRange, ...]]


def _matches(rules: _RuleSet, text: str, tokens: frozenset[str]) -> Iterator[_Found]:
    """Every match of the rules whose trigger words the text has, with its span and resolver."""
    for rule in rules.triggered(tokens):
        for m in rule.pattern.finditer(text):
            yield rule.span(m), rule.resolve, m


def _resolve(reading: _Reading, now: datetime) -> tuple[TimeRange, tuple[TimeRange, ...]]:
    return from_spec(reading.spec, now), tuple(from_spec(o, now) for o in reading.options)


def _best_reading(text: str, tokens: frozenset[str], now: datetime, exclude: tuple[int, int] | None) -> _Best | None:
    """The longest phrase that resolves (earliest on ties), skipping the comparison's words; all time
    only when no other phrase resolves."""
    for rules in (_RULES, _ALL_TIME_RULES):
        best: _Best | None = None
        for span, resolve, m in _matches(rules, text, tokens):
            if _overlaps(span, exclude) or (best and span[1] - span[0] <= best[0][1] - best[0][0]):
                continue
            try:
                reading = resolve(m, now)
                if reading is None:
                    continue
                time_range, options = _resolve(reading, now)
                best = span, time_range, options
            except TimeRangeError:
                continue
        if best is not None:
            return best
    return None


def find_time_range(text: str, now: datetime) -> TimeMatch | None:
    """The time range and/or comparison asked for in ``text``, or None when it names neither."""
    read = _read(text)
    comparison = _find_comparison(read.text, read.tokens)
    kind, comparison_span = comparison if comparison else (None, None)
    typed_comparison = read.typed_span(comparison_span) if comparison_span else None
    best = _best_reading(read.lowered, read.tokens, now, comparison_span)
    if best is None:
        if typed_comparison is None:
            return None
        return TimeMatch(
            None,
            typed_comparison,
            comparison=kind,
            comparison_span=typed_comparison,
            corrections=read.corrections(comparison_span),
        )
    span, time_range, options = best
    return TimeMatch(
        time_range, read.typed_span(span), options, kind, typed_comparison, read.corrections(span, comparison_span)
    )


@dataclass(frozen=True)
class _Candidate:
    """A phrase ``find_time_ranges`` may keep; ``range`` is None for a relative reading until placed."""

    span: tuple[int, int]
    reading: _Reading
    range: TimeRange | None
    options: tuple[TimeRange, ...] = ()


def _candidates(found: Iterable[_Found], now: datetime) -> list[_Candidate]:
    candidates: list[_Candidate] = []
    for span, resolve, m in found:
        try:
            reading = resolve(m, now)
            if reading is not None:
                candidates.append(
                    _Candidate(span, reading, None)
                    if reading.relative
                    else _Candidate(span, reading, *_resolve(reading, now))
                )
        except TimeRangeError:
            continue
    return candidates


def _series(text: str, tokens: frozenset[str]) -> Iterator[_Found]:
    """Each month of a list of months ("October or September"), as a phrase of its own."""
    if _MONTH_WORDS.isdisjoint(tokens):
        return
    for series in _SERIES.finditer(text):
        for m in _SERIES_ITEM.finditer(text, series.start(), series.end()):
            yield m.span(), _month_phrase, m


def _placed_before(reading: _Reading, other: TimeRange | None, now: datetime) -> TimeRange | None:
    if other is None:
        return None
    try:
        if reading.spec.get("since") == "then":
            return _since_then(other, now)
        if reading.spec.get("direction") == "after":
            return from_spec({"after": other.spec, "next": reading.spec["next"], "unit": reading.spec["unit"]}, now)
        return from_spec({"before": other.spec, **reading.spec}, now)
    except TimeRangeError:
        return None


def _since_then(other: TimeRange, now: datetime) -> TimeRange | None:
    """ "since then" after a window before a date ("the 10 days before Nov 16 ... since the release") starts at
    that date, where the window ends; after a single day ("the release on Nov 16 ... since then"), at it."""
    start = other.start if other.end >= now or other.end - other.start <= timedelta(days=1) else other.end
    return from_spec({"from": start.date().isoformat()}, now) if start < now else None


def find_time_ranges(text: str, now: datetime) -> list[TimeMatch]:
    """Every range ``text`` names, in order of appearance: "October or September", "in October vs
    September", "last week vs the week before", "the 2 weeks before vs since Nov 16".

    Phrases do not overlap (the longer wins, as in ``find_time_range``). After "vs" a range is a range
    here, not a comparison; "the week before" (and "vs the previous 30 days") is that long and ends where
    the range named before it starts (or, named first, the range after it). "The same period last year"
    is left to ``find_time_range``'s comparison; all-time words count only when nothing else is a range.
    The matches carry no comparison.
    """
    read = _read(text)
    comparison = _find_comparison(read.text, read.tokens)
    last_year = comparison[1] if comparison and comparison[0] == "previous_year" else None
    found = _candidates(chain(_matches(_RULES, read.lowered, read.tokens), _series(read.lowered, read.tokens)), now)
    if not found:
        found = _candidates(_matches(_ALL_TIME_RULES, read.lowered, read.tokens), now)
    found += _candidates(_matches(_RELATIVE_RULES, read.lowered, read.tokens), now)
    chosen: list[_Candidate] = []
    for candidate in sorted(found, key=lambda c: (c.span[0] - c.span[1], c.span[0])):
        if not _overlaps(candidate.span, last_year) and not any(_overlaps(candidate.span, c.span) for c in chosen):
            chosen.append(candidate)
    chosen.sort(key=lambda c: c.span[0])
    matches: list[TimeMatch] = []
    for i, candidate in enumerate(chosen):
        time_range = candidate.range
        if time_range is None:
            other = matches[-1].range if matches else next((c.range for c in chosen[i + 1 :] if c.range), None)
            if candidate.reading.spec.get("since") == "then" or candidate.reading.spec.get("direction") == "after":
                # the date named last before it, else after it
                other = next((m.range for m in reversed(matches)), None) or other
            time_range = _placed_before(candidate.reading, other, now)
        if time_range is not None:
            matches.append(
                TimeMatch(
                    time_range,
                    read.typed_span(candidate.span),
                    candidate.options,
                    corrections=read.corrections(candidate.span),
                )
            )
    return matches


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


_INTERVALS: tuple[tuple[float, Unit], ...] = ((2, "hour"), (62, "day"), (190, "week"))
"""(longest range in days, interval), as templates/README.md documents for ``by_range``."""


_OWN_UNIT_MIN = 6
"""A range spelled in at least this many weeks or months ("the last 8 weeks") is charted in that unit."""


def calendar_unit(tr: TimeRange) -> Unit | None:
    """The calendar unit a range is one whole of ("October", "last week", "the week of Nov 9", "yesterday"), or
    None ("the last 30 days", "since Nov 1")."""
    spec = tr.spec
    units: tuple[Unit, ...] = ("day", "week", "month")
    return next((u for u in units if u in spec or u in (spec.get("previous"), spec.get("this"))), None)


def default_interval(tr: TimeRange) -> Unit:
    """The interval that gives a readable chart. A range the asker spelled in weeks or months, six or
    more of them, is charted in that unit (they think of it that way); otherwise by its length: up to
    2 days hourly, up to two months daily (a 45-day trend is daily), up to about half a year weekly,
    monthly beyond."""
    unit, count = tr.spec.get("unit"), tr.spec.get("last")
    if unit in ("week", "month") and isinstance(count, int) and count >= _OWN_UNIT_MIN:
        return "week" if unit == "week" else "month"
    for max_days, unit in _INTERVALS:
        if tr.days <= max_days:
            return unit
    return "month"


# --- filters: days of the week, hours of the day ---------------------------------------------------

_WORK_WEEK = (1, 2, 3, 4, 5)
_SATURDAY_SUNDAY = (6, 7)

DAY_GROUPS: dict[str, tuple[int, ...]] = {
    "weekdays": _WORK_WEEK,
    "weekday": _WORK_WEEK,
    "week days": _WORK_WEEK,
    "workdays": _WORK_WEEK,
    "work days": _WORK_WEEK,
    "working days": _WORK_WEEK,
    "business days": _WORK_WEEK,
    "business day": _WORK_WEEK,
    "weekends": _SATURDAY_SUNDAY,
    "weekend": _SATURDAY_SUNDAY,
    "weekend days": _SATURDAY_SUNDAY,
}
"""ISO day numbers (1 = Monday ... 7 = Sunday, as ClickHouse's ``toDayOfWeek``) by group name."""

DAY_NAMES: dict[str, int] = {
    **{name: number + 1 for name, number in WEEKDAYS.items()},
    "mon": 1,
    "tue": 2,
    "tues": 2,
    "wed": 3,
    "thu": 4,
    "thur": 4,
    "thurs": 4,
    "fri": 5,
    "sat": 6,
    "sun": 7,
}
"""ISO day numbers by name and abbreviation; an abbreviation counts only in a list ("Sat+Sun"):
alone, "sun" and "wed" are words."""

_OTHER_ZONES = (
    "est",
    "edt",
    "pst",
    "pdt",
    "cst",
    "cdt",
    "mst",
    "mdt",
    "bst",
    "cet",
    "cest",
    "eet",
    "eest",
    "ist",
    "jst",
    "aest",
    "et",
    "pt",
    "ct",
    "mt",
)
"""Clock times given in another zone are neither read as UTC nor converted (the abbreviations are
ambiguous, and half of them change with daylight saving)."""

_EXCEPT = (
    r"(?P<neg>\b(?:except|excluding|excl\.?|exclude|without|but\s+not|not|no|other\s+than)\s+"
    r"(?:(?:on|for|the)\s+)*)?"
)
_DAY_GROUP = re.compile(
    rf"{_EXCEPT}(?:\b(?:only\s+)?(?:on|over|during|at|for)\s+(?:the\s+)?)?"
    rf"\b(?P<g>{_alternation(DAY_GROUPS)})\b(?:\s+only\b)?",
    _LOWERED,
)
_DAY_NAME = rf"\b(?:{_alternation(DAY_NAMES)})s?\b"
_DAY_JOIN = r"(?P<join>,|\+|&|/|-|–|\band\b|\bor\b|\bto\b|\bthrough\b|\bthru\b)"
_DAY_LIST = re.compile(
    rf"{_EXCEPT}(?P<lead>\bevery\s+|\b(?:only\s+)?on\s+)?(?P<paren>\(\s*)?{_DAY_NAME}"
    rf"(?:\s*{_DAY_JOIN.replace('?P<join>', '?:')}\s*(?:on\s+)?{_DAY_NAME})*(?(paren)\s*\))"
    r"(?:\s+only\b)?",
    _LOWERED,
)
_DAY_ITEM = re.compile(rf"\b(?P<d>{_alternation(DAY_NAMES)})(?P<plural>s)?\b(?:\s*{_DAY_JOIN})?", _LOWERED)
_WEEKEND_RANGE = re.compile(r"\b(?:this|last|previous|past|next|coming|the)\s+\Z", _LOWERED)
"""Before "weekend", words that make it a date ("this weekend", "over the weekend"), not a filter."""
_CONTRAST = re.compile(rf"\b(?:{_AGAINST}|or)(?!\w)", _LOWERED)
"""Between two day phrases, a comparison: "weekdays vs weekends" is a breakdown, not a filter."""

_AMPM = r"(?:[ap]\.m\.|[ap]m\b)"
_NOT_ELSEWHERE = rf"(?![\d:])(?!\s*(?:{_alternation(_OTHER_ZONES)})\b)"


def _clock(n: str) -> str:
    return rf"(?P<h{n}>\d{{1,2}})(?::(?P<m{n}>\d{{2}}))?\s*(?P<ap{n}>{_AMPM})?"


_HOURS_BETWEEN = re.compile(
    rf"(?<![\w:./-])(?:(?P<kw>between|from)\s+)?{_clock('1')}\s*(?P<to>-|–|to|and|until|till|through|thru)\s*"
    rf"(?>{_clock('2')}(?:\s*(?P<tz>utc|gmt)\b)?){_NOT_ELSEWHERE}",
    _LOWERED,
)
_HOURS_FROM_POINT = re.compile(
    rf"\b(?P<kw>at|after|before|from|since|until|till)\s+(?>{_clock('1')}(?:\s*(?P<tz>utc|gmt)\b)?){_NOT_ELSEWHERE}",
    _LOWERED,
)
_BUSINESS_HOURS = re.compile(
    r"\b(?:(?P<outside>outside\s+(?:of\s+)?)|(?:during|in|within)\s+)?(?:the\s+)?(?:business|working|office|work)"
    r"\s+hours\b",
    _LOWERED,
)
_BUSINESS = (9, 17)

_DAY_WORDS = frozenset(
    {*(word for group in DAY_GROUPS for word in group.split()), *DAY_NAMES, *(f"{day}s" for day in DAY_NAMES)}
) - {"week", "day", "days"}
"""Words without which no day phrase matches. "week", "day", "days" are in a quarter of all questions:
"week days" is checked as a pair, and "business days" is told by "business"."""
_HOUR_WORDS = frozenset({"am", "pm", "m", "utc", "gmt", "hours"})
"""Words without which no hour phrase matches ("m" of "a.m."), besides the colon of "09:00"."""


@dataclass(frozen=True)
class TimeFilter:
    """Days of the week and hours of the day to keep, within whatever range the question names.

    ``weekdays`` are ISO day numbers (1 = Monday ... 7 = Sunday, as ClickHouse's
    ``toDayOfWeek``), empty when every day counts. ``hours`` is ``(from, to)`` in
    UTC hours, half-open, ``to`` up to 24; it wraps midnight when ``from > to``
    ("from 10pm to 2am" is ``(22, 2)``). ``spans`` are the phrases to cut from the
    question before linking, in order; ``label`` says what was understood.
    """

    weekdays: tuple[int, ...]
    hours: tuple[int, int] | None
    spans: tuple[tuple[int, int], ...]
    label: str


def _listed_days(m: re.Match[str]) -> frozenset[int] | None:
    """The days of a list of day names, or None when it names dates rather than a filter: a filter
    has a plural ("Mondays"), "every", abbreviations in a list ("Sat+Sun", "mon-fri"), or an "except"."""
    items = list(_DAY_ITEM.finditer(m[0]))
    plural = any(item["plural"] and item["d"] in WEEKDAYS for item in items)
    abbreviated = len(items) > 1 and any(item["d"] not in WEEKDAYS for item in items)
    every = (m["lead"] or "").strip() == "every"
    if not (plural or abbreviated or every or m["neg"]):
        return None
    days: set[int] = set()
    for item, following in zip(items, [*items[1:], None]):
        day = DAY_NAMES[item["d"]]
        days.add(day)
        if following is not None and (item["join"] or "") in ("-", "–", "to", "through", "thru"):
            last = DAY_NAMES[following["d"]]
            days.update((day + k - 1) % 7 + 1 for k in range((last - day) % 7))  # "fri-mon" wraps the week
    return frozenset(days)


def _day_filter(lowered: str) -> tuple[tuple[int, ...], list[tuple[int, int]]] | None:
    """The days kept, and the phrases that say so: named days joined, then those excepted removed."""
    phrases: list[tuple[tuple[int, int], frozenset[int], bool]] = []
    for m in _DAY_GROUP.finditer(lowered):
        group = " ".join(m["g"].split())
        if (
            group == "weekend"
            and not m["neg"]
            and _WEEKEND_RANGE.search(lowered, max(0, m.start("g") - _LEAD_IN_WINDOW), m.start("g"))
        ):
            continue
        phrases.append((m.span(), frozenset(DAY_GROUPS[group]), bool(m["neg"])))
    for m in _DAY_LIST.finditer(lowered):
        listed = _listed_days(m)
        if listed and not any(_overlaps(m.span(), span) for span, _, _ in phrases):
            phrases.append((m.span(), listed, bool(m["neg"])))
    if not phrases:
        return None
    phrases.sort()
    if any(_CONTRAST.search(lowered, a[1], b[0]) for (a, _, _), (b, _, _) in pairwise(phrases)):
        return None
    kept = set().union(*(days for _, days, neg in phrases if not neg)) or set(range(1, 8))
    kept -= set().union(*(days for _, days, neg in phrases if neg))
    if not kept or len(kept) == 7:
        return None
    return tuple(sorted(kept)), [span for span, _, _ in phrases]


def _hour(h: str, minutes: str | None, meridiem: str | None) -> int | None:
    """A whole clock hour, 0–24, or None: "9:30" is not an hour boundary and "13pm" is no time."""
    if minutes not in (None, "00"):
        return None
    hour = int(h)
    if meridiem is None:
        return hour if hour <= 24 else None
    if not 1 <= hour <= 12:
        return None
    return hour % 12 + (12 if meridiem[0] == "p" else 0)


def _hours_between(m: re.Match[str]) -> tuple[int, int] | None:
    """ "between 9 and 10am", "9-10am", "from 9am to 5pm", "09:00–17:00 UTC". Bare numbers ("between 9 and
    10") count anything, so a clock needs am/pm, minutes or a zone; a first time without am/pm shares the
    second's unless that would put it after the end ("from 9 to 5pm" starts at 9am)."""
    if not (m["ap1"] or m["ap2"] or m["m1"] or m["m2"] or m["tz"]) or (m["to"] == "and" and not m["kw"]):
        return None
    end = _hour(m["h2"], m["m2"], m["ap2"])
    if end is None:
        return None
    end = end or 24
    start = _hour(m["h1"], m["m1"], m["ap1"] or m["ap2"])
    if start is not None and not m["ap1"] and m["ap2"] and start >= end:
        start = _hour(m["h1"], m["m1"], "am" if m["ap2"][0] == "p" else "pm")
    if start is None or start >= 24 or start == end % 24:
        return None
    return start, end


def _hours_from_point(m: re.Match[str]) -> tuple[int, int] | None:
    """ "at 9am" is that hour; "after 5pm" runs to midnight; "before 9am" from midnight."""
    hour = _hour(m["h1"], m["m1"], m["ap1"])
    if hour is None or not (m["ap1"] or m["m1"] or m["tz"]):
        return None
    kw = m["kw"]
    if kw == "at":
        return hour % 24, hour % 24 + 1
    if kw in ("before", "until", "till"):
        return (0, hour) if hour else None
    return (hour, 24) if hour < 24 else None


def _business_hours(m: re.Match[str]) -> tuple[int, int]:
    return (_BUSINESS[1], _BUSINESS[0]) if m["outside"] else _BUSINESS


_HOUR_PHRASES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], tuple[int, int] | None]], ...] = (
    (_HOURS_BETWEEN, _hours_between),
    (_HOURS_FROM_POINT, _hours_from_point),
    (_BUSINESS_HOURS, _business_hours),
)


def _hour_filter(lowered: str) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """The hours of the first phrase that names whole UTC hours, and its span."""
    for pattern, read in _HOUR_PHRASES:
        for m in pattern.finditer(lowered):
            hours = read(m)
            if hours:
                return hours, m.span()
    return None


def _weekdays_label(days: tuple[int, ...]) -> str:
    """ "weekdays only", "Saturdays and Sundays", "Mondays, Wednesdays and Fridays"."""
    if days == _WORK_WEEK:
        return "weekdays only"
    names = [f"{tuple(WEEKDAYS)[day - 1].title()}s" for day in days]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def find_time_filter(text: str) -> TimeFilter | None:
    """The days of the week and hours of the day ``text`` keeps, or None.

    "weekdays only", "on weekends (Sat+Sun)", "on Mondays", "every Friday", "excluding weekends",
    "between 9 and 10am UTC", "from 9am to 5pm", "during business hours" (09:00–17:00). "This weekend",
    "over the weekend" and "on Monday" name dates: they are ranges, left to ``find_time_range``, while
    "weekend signups this month" is weekend days within this month. Days compared ("weekdays vs
    weekends") are a breakdown, not a filter; clock times in a zone other than UTC are not read.
    """
    lowered = _lowered(text)
    tokens = _tokens(lowered)
    days = _day_filter(lowered) if not _DAY_WORDS.isdisjoint(tokens) or {"week", "days"} <= tokens else None
    hours = _hour_filter(lowered) if not _HOUR_WORDS.isdisjoint(tokens) or ":" in lowered else None
    if days is None and hours is None:
        return None
    weekdays, spans = days if days else ((), [])
    labels = [_weekdays_label(weekdays)] if weekdays else []
    if hours:
        (first, last), span = hours
        spans = [*spans, span]
        labels.append(f"{first:02d}:00–{last:02d}:00 UTC")
    return TimeFilter(weekdays, hours[0] if hours else None, tuple(sorted(spans)), ", ".join(labels))
