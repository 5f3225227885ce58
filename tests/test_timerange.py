"""The time grammar resolves phrases the way an analyst means them.

``NOW`` is Thursday 2026-11-26 14:30 UTC; the week started Monday
2026-11-23. Every expected bound below was worked out by hand from that.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from askhog.errors import QuestionError, TimeRangeError
from askhog.timerange import (
    ALL_TIME_START,
    default_interval,
    find_comparison,
    find_time_filter,
    find_time_range,
    find_time_ranges,
    from_spec,
    parse_time_range,
)
from hypothesis import given, settings
from hypothesis import strategies as st

NOW = datetime(2026, 11, 26, 14, 30, tzinfo=UTC)


def d(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[arg-type]


PHRASES: list[tuple[str, datetime, datetime]] = [
    # rolling windows: [now - N units, now)
    ("how many signups in the last 7 days?", d(2026, 11, 19, 14, 30), NOW),
    ("pageviews in the past 24 hours", d(2026, 11, 25, 14, 30), NOW),
    ("daily active users over the last two weeks", d(2026, 11, 12, 14, 30), NOW),
    ("revenue last 90 days", d(2026, 8, 28, 14, 30), NOW),
    ("signups over the past 3 months", d(2026, 8, 26, 14, 30), NOW),
    ("uploads in the last couple of weeks", d(2026, 11, 12, 14, 30), NOW),
    ("errors in the previous 48 hours", d(2026, 11, 24, 14, 30), NOW),
    ("retention for the last 6 months", d(2026, 5, 26, 14, 30), NOW),
    ("signups during the last 2 quarters", d(2026, 5, 26, 14, 30), NOW),
    ("active users in the last 1 year", d(2025, 11, 26, 14, 30), NOW),
    ("trailing 30 days revenue", d(2026, 10, 27, 14, 30), NOW),
    ("pageviews in the past week", d(2026, 11, 19, 14, 30), NOW),
    ("signups the last three days", d(2026, 11, 23, 14, 30), NOW),
    ("last 12 hours of errors", d(2026, 11, 26, 2, 30), NOW),
    ("pageviews past 7d", d(2026, 11, 19, 14, 30), NOW),
    ("signups in the past 24 hrs", d(2026, 11, 25, 14, 30), NOW),
    ("signups last 3 weeks", d(2026, 11, 5, 14, 30), NOW),
    ("LAST 7 DAYS SIGNUPS", d(2026, 11, 19, 14, 30), NOW),
    ("signups in the last thirty days", d(2026, 10, 27, 14, 30), NOW),
    # whole months joined into one span ("Sept+Oct signups")
    ("Sept+Oct signups", d(2026, 9, 1), d(2026, 11, 1)),
    ("purchases sep-oct", d(2026, 9, 1), d(2026, 11, 1)),
    ("uploads from Aug through Oct", d(2026, 8, 1), d(2026, 11, 1)),
    ("signups september to october 2026", d(2026, 9, 1), d(2026, 11, 1)),
    ("churned accounts dec to jan", d(2025, 12, 1), d(2026, 2, 1)),
    # days
    ("how many signups today", d(2026, 11, 26), NOW),
    ("what happened yesterday?", d(2026, 11, 25), d(2026, 11, 26)),
    ("signups so far today", d(2026, 11, 26), NOW),
    # calendar units: "last <unit>" is the previous calendar unit
    ("pageviews this week", d(2026, 11, 23), NOW),
    ("pageviews last week", d(2026, 11, 16), d(2026, 11, 23)),
    ("previous week's uploads", d(2026, 11, 16), d(2026, 11, 23)),
    ("revenue this month", d(2026, 11, 1), NOW),
    ("signups last month", d(2026, 10, 1), d(2026, 11, 1)),
    ("churn this quarter", d(2026, 10, 1), NOW),
    ("churn last quarter", d(2026, 7, 1), d(2026, 10, 1)),
    ("signups this year", d(2026, 1, 1), NOW),
    ("active users in the last year", d(2025, 1, 1), d(2026, 1, 1)),
    ("signups the current month", d(2026, 11, 1), NOW),
    ("signups this month so far", d(2026, 11, 1), NOW),
    # to date
    ("revenue month to date", d(2026, 11, 1), NOW),
    ("MTD revenue", d(2026, 11, 1), NOW),
    ("YTD signups", d(2026, 1, 1), NOW),
    ("week-to-date pageviews", d(2026, 11, 23), NOW),
    ("QTD bookings", d(2026, 10, 1), NOW),
    # since
    ("signups since March", d(2026, 3, 1), NOW),
    ("signups since 2026-03-01", d(2026, 3, 1), NOW),
    ("signups since March 3rd", d(2026, 3, 3), NOW),
    ("pageviews since last Monday", d(2026, 11, 23), NOW),
    ("uploads since Monday", d(2026, 11, 23), NOW),
    ("signups since yesterday", d(2026, 11, 25), NOW),
    ("errors since last week", d(2026, 11, 16), NOW),
    ("signups since December", d(2025, 12, 1), NOW),
    ("signups since Q3", d(2026, 7, 1), NOW),
    ("signups since 2 weeks ago", d(2026, 11, 9), NOW),
    ("signups since Sept 1st", d(2026, 9, 1), NOW),
    ("signups ever since 3/15/2026", d(2026, 3, 15), NOW),
    ("errors since 3 hours ago", d(2026, 11, 26, 11, 30), NOW),
    # months and years
    ("signups in March", d(2026, 3, 1), d(2026, 4, 1)),
    ("signups in March 2025", d(2025, 3, 1), d(2025, 4, 1)),
    ("revenue for December", d(2025, 12, 1), d(2026, 1, 1)),
    ("pageviews September 2026", d(2026, 9, 1), d(2026, 10, 1)),
    ("signups during the month of June", d(2026, 6, 1), d(2026, 7, 1)),
    ("signups last March", d(2026, 3, 1), d(2026, 4, 1)),
    ("signups in 2025", d(2025, 1, 1), d(2026, 1, 1)),
    ("signups in 2026", d(2026, 1, 1), NOW),
    # between / from-to (the "to" day is included)
    ("signups between March 3 and March 10", d(2026, 3, 3), d(2026, 3, 11)),
    ("signups between 2026-01-01 and 2026-01-31", d(2026, 1, 1), d(2026, 2, 1)),
    ("signups from 3 March 2026 to 10 March 2026", d(2026, 3, 3), d(2026, 3, 11)),
    ("signups from 3/15/2026 to 3/20/2026", d(2026, 3, 15), d(2026, 3, 21)),
    ("signups between Dec 20 and Jan 5", d(2025, 12, 20), d(2026, 1, 6)),
    # dates given in reverse mean the same days
    ("signups between 2026-03-10 and 2026-03-03", d(2026, 3, 3), d(2026, 3, 11)),
    ("signups between March 10 and March 3", d(2026, 3, 3), d(2026, 3, 11)),
    # the days of one month written day first ("2-8 nov"): the whole days, not the last one alone
    ("purchases between 2 and 8 nov (both days included)", d(2026, 11, 2), d(2026, 11, 9)),
    ("signups 2-8 nov", d(2026, 11, 2), d(2026, 11, 9)),
    ("uploads from the 2nd to the 8th of november", d(2026, 11, 2), d(2026, 11, 9)),
    ("signups from 3/20/2026 to 3/15/2026", d(2026, 3, 15), d(2026, 3, 21)),
    ("revenue from March to May", d(2026, 3, 1), d(2026, 6, 1)),
    ("signups from March 3 to now", d(2026, 3, 3), NOW),
    ("2026-03-01 to 2026-03-31 pageviews", d(2026, 3, 1), d(2026, 4, 1)),
    ("signups from Oct 1, 2025 through Jan 15, 2026", d(2025, 10, 1), d(2026, 1, 16)),
    # quarters
    ("signups in Q3", d(2026, 7, 1), d(2026, 10, 1)),
    ("signups in Q4 2025", d(2025, 10, 1), d(2026, 1, 1)),
    ("revenue in q2", d(2026, 4, 1), d(2026, 7, 1)),
    ("2025 Q1 revenue", d(2025, 1, 1), d(2025, 4, 1)),
    ("signups in the first quarter of 2026", d(2026, 1, 1), d(2026, 4, 1)),
    ("Q2 '25 revenue", d(2025, 4, 1), d(2025, 7, 1)),
    # ago: the whole calendar unit
    ("signups 2 weeks ago", d(2026, 11, 9), d(2026, 11, 16)),
    ("signups 3 days ago", d(2026, 11, 23), d(2026, 11, 24)),
    ("signups a week ago", d(2026, 11, 16), d(2026, 11, 23)),
    ("revenue two months ago", d(2026, 9, 1), d(2026, 10, 1)),
    # weekends
    ("pageviews over the weekend", d(2026, 11, 21), d(2026, 11, 23)),
    ("pageviews last weekend", d(2026, 11, 21), d(2026, 11, 23)),
    # single days
    ("signups on March 3", d(2026, 3, 3), d(2026, 3, 4)),
    ("signups on 2026-11-02", d(2026, 11, 2), d(2026, 11, 3)),
    ("signups on Tuesday", d(2026, 11, 24), d(2026, 11, 25)),
    ("signups last Thursday", d(2026, 11, 19), d(2026, 11, 20)),
    ("signups December 24", d(2025, 12, 24), d(2025, 12, 25)),
    ("pageviews the 3rd of March 2026", d(2026, 3, 3), d(2026, 3, 4)),
    # "the week of": the calendar week containing the day; "starting" a Monday is the same week
    ("signups the week of Nov 9", d(2026, 11, 9), d(2026, 11, 16)),
    ("signups during the week of Nov 11", d(2026, 11, 9), d(2026, 11, 16)),
    ("pageviews week of oct 5", d(2026, 10, 5), d(2026, 10, 12)),
    ("signups the week starting Nov 2", d(2026, 11, 2), d(2026, 11, 9)),
    ("signups the week starting Nov 4", d(2026, 11, 4), d(2026, 11, 11)),  # a Wednesday: seven days from it
    ("signups the week of Nov 23", d(2026, 11, 23), NOW),  # this week: so far
    ("signups the month of October", d(2026, 10, 1), d(2026, 11, 1)),
    ("signups for the week so far", d(2026, 11, 23), NOW),
    ("signups since the start of the month", d(2026, 11, 1), NOW),
    ("signups since the beginning of the year", d(2026, 1, 1), NOW),
    ("signups since the start of last month", d(2026, 10, 1), NOW),
    # next to a date: before ends where the day starts, after starts with it
    ("signups in the 10 days before Nov 16", d(2026, 11, 6), d(2026, 11, 16)),
    ("signups in the two weeks before the Nov 16 release", d(2026, 11, 2), d(2026, 11, 16)),
    ("signups in the 3 months before Nov 16", d(2026, 8, 16), d(2026, 11, 16)),
    ("signups the day before yesterday", d(2026, 11, 24), d(2026, 11, 25)),
    ("signups in the 10 days after Nov 16", d(2026, 11, 16), d(2026, 11, 26)),
    ("signups in the week after the launch on Nov 2", d(2026, 11, 2), d(2026, 11, 9)),
    ("signups since the release on Nov 16", d(2026, 11, 16), NOW),
    ("signups since the Nov 16 release", d(2026, 11, 16), NOW),
    ("signups after Nov 16", d(2026, 11, 16), NOW),
    ("signups after March", d(2026, 4, 1), NOW),  # a month is after once it is over
    # complete calendar units before the current one; a fortnight is a rolling two weeks
    ("signups over the last 8 complete weeks", d(2026, 9, 28), d(2026, 11, 23)),
    ("signups last 8 full weeks", d(2026, 9, 28), d(2026, 11, 23)),
    ("signups the last 4 whole weeks", d(2026, 10, 26), d(2026, 11, 23)),
    ("revenue last 3 full months", d(2026, 8, 1), d(2026, 11, 1)),
    ("signups the last full week", d(2026, 11, 16), d(2026, 11, 23)),
    ("signups in the past fortnight", d(2026, 11, 12, 14, 30), NOW),
    ("signups last fortnight", d(2026, 11, 12, 14, 30), NOW),
    ("pageviews this weekend", d(2026, 11, 21), d(2026, 11, 23)),
    ("weekly signups from Mon Oct 5 through Sun Nov 1", d(2026, 10, 5), d(2026, 11, 2)),  # a weekday says no more
    ("signups from Monday, Oct 5 to Sunday, Nov 1", d(2026, 10, 5), d(2026, 11, 2)),
    ("purchases from Monday the 5th of October to Sunday the 1st of November", d(2026, 10, 5), d(2026, 11, 2)),
    ("monthly revenue since the start of September", d(2026, 9, 1), NOW),  # not "since the start" of the data
    # a day of the month alone: this month's, or the last month's when it has not come yet ("since the 4.2 release
    # went out on the 16th" was not read, silently: the default 30 days were summed)
    ("revenue since the 4.2 release went out on the 16th?", d(2026, 11, 16), NOW),
    ("signups since the 16th", d(2026, 11, 16), NOW),
    ("purchases on the 3rd", d(2026, 11, 3), d(2026, 11, 4)),
    ("what happened on the 30th", d(2026, 10, 30), d(2026, 10, 31)),
    ("signups from the 1st to the 15th", d(2026, 11, 1), d(2026, 11, 16)),
    ("purchases between the 2nd and the 9th", d(2026, 11, 2), d(2026, 11, 10)),
]


def test_the_table_is_big_enough() -> None:
    assert len(PHRASES) >= 70


@pytest.mark.parametrize(("question", "start", "end"), PHRASES, ids=[p[0] for p in PHRASES])
def test_phrase_resolves_to_exact_bounds(question: str, start: datetime, end: datetime) -> None:
    found = find_time_range(question, NOW)
    assert found is not None and found.range is not None
    assert (found.range.start, found.range.end) == (start, end)
    assert not found.ambiguous
    assert found.comparison is None


@pytest.mark.parametrize("question", [p[0] for p in PHRASES])
def test_spec_round_trips(question: str) -> None:
    found = find_time_range(question, NOW)
    assert found is not None and found.range is not None
    again = from_spec(found.range.spec, NOW)
    assert (again.start, again.end, again.label) == (found.range.start, found.range.end, found.range.label)


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        ("signups in the last 7 days for Safari users", "in the last 7 days"),
        ("how many pageviews last week on mobile", "last week"),
        ("revenue between March 3 and March 10 by plan", "between March 3 and March 10"),
        ("Q4 2025 signups", "Q4 2025"),
        ("signups since last Monday from France", "since last Monday"),
        ("how many users logged in today", "today"),
        ("who logged in last week", "last week"),
        ("purchases for the pro plan in q3", "in q3"),
    ],
)
def test_span_covers_the_phrase_so_it_can_be_cut(question: str, phrase: str) -> None:
    found = find_time_range(question, NOW)
    assert found is not None
    assert question[found.span[0] : found.span[1]] == phrase


# --- labels and specs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "label", "spec"),
    [
        ("last 7 days", "last 7 days", {"last": 7, "unit": "day"}),
        ("in March", "March 2026", {"month": 3}),
        ("Q4 2025", "Q4 2025 (Oct 1 – Dec 31)", {"quarter": 4, "year": 2025}),
        ("last month", "last month (October 2026)", {"previous": "month"}),
        ("today", "today", {"this": "day"}),
        ("between March 3 and March 10", "Mar 3 – Mar 10, 2026", {"from": "2026-03-03", "to": "2026-03-10"}),
        ("since March 3", "since Mar 3, 2026", {"from": "2026-03-03"}),
        ("2 weeks ago", "2 weeks ago (week of Nov 9 – Nov 15, 2026)", {"ago": 2, "unit": "week"}),
        ("all time", "all time", {"all": True}),
        ("the week of Nov 11", "week of Nov 9 – Nov 15, 2026", {"week": "2026-11-09"}),
        ("the week of Nov 23", "week of Nov 23 – Nov 29, 2026 (so far)", {"week": "2026-11-23"}),
        (
            "last 8 complete weeks",
            "last 8 complete weeks (Sep 28 – Nov 22, 2026)",
            {"last": 8, "unit": "week", "complete": True},
        ),
        ("the 10 days before Nov 16", "Nov 6 – Nov 15, 2026", {"from": "2026-11-06", "to": "2026-11-15"}),
        ("the past fortnight", "last 2 weeks", {"last": 2, "unit": "week"}),
    ],
)
def test_labels_are_human_and_specs_are_labelled_sets(phrase: str, label: str, spec: dict[str, object]) -> None:
    tr = parse_time_range(phrase, NOW)
    assert tr.label == label
    assert tr.spec == spec


@pytest.mark.parametrize(
    ("spec", "start", "end"),
    [
        ({"last": 30, "unit": "day"}, d(2026, 10, 27, 14, 30), NOW),
        ({"last": 3, "unit": "hour"}, d(2026, 11, 26, 11, 30), NOW),
        ({"last": 2, "unit": "week"}, d(2026, 11, 12, 14, 30), NOW),
        ({"last": 1, "unit": "month"}, d(2026, 10, 26, 14, 30), NOW),
        ({"this": "day"}, d(2026, 11, 26), NOW),
        ({"this": "week"}, d(2026, 11, 23), NOW),
        ({"this": "quarter"}, d(2026, 10, 1), NOW),
        ({"previous": "day"}, d(2026, 11, 25), d(2026, 11, 26)),
        ({"previous": "year"}, d(2025, 1, 1), d(2026, 1, 1)),
        ({"from": "2026-01-01", "to": "2026-01-31"}, d(2026, 1, 1), d(2026, 2, 1)),
        ({"from": "2026-11-01"}, d(2026, 11, 1), NOW),
        ({"month": 3}, d(2026, 3, 1), d(2026, 4, 1)),
        ({"month": 12}, d(2025, 12, 1), d(2026, 1, 1)),
        ({"month": 3, "year": 2025}, d(2025, 3, 1), d(2025, 4, 1)),
        ({"quarter": 2}, d(2026, 4, 1), d(2026, 7, 1)),
        ({"quarter": 4, "year": 2025}, d(2025, 10, 1), d(2026, 1, 1)),
        ({"all": True}, ALL_TIME_START, NOW),
        ({"week": "2026-11-11"}, d(2026, 11, 9), d(2026, 11, 16)),
        ({"week": "2026-11-26"}, d(2026, 11, 23), NOW),
        ({"last": 3, "unit": "month", "complete": True}, d(2026, 8, 1), d(2026, 11, 1)),
        ({"last": 1, "unit": "day", "complete": True}, d(2026, 11, 25), d(2026, 11, 26)),
        ({"before": {"previous": "week"}, "last": 1, "unit": "week"}, d(2026, 11, 9), d(2026, 11, 16)),
        (
            {"before": {"last": 30, "unit": "day"}, "last": 30, "unit": "day"},
            d(2026, 9, 27, 14, 30),
            d(2026, 10, 27, 14, 30),
        ),
    ],
)
def test_from_spec_resolves_every_form(spec: dict[str, object], start: datetime, end: datetime) -> None:
    tr = from_spec(spec, NOW)
    assert (tr.start, tr.end) == (start, end)
    assert tr.spec == spec


@pytest.mark.parametrize(
    "spec",
    [
        {},
        {"last": 0, "unit": "day"},
        {"last": "7", "unit": "day"},
        {"last": 7, "unit": "fortnight"},
        {"this": "decade"},
        {"this": "week", "unit": "day"},
        {"from": "2026-13-01"},
        {"from": "2026-02-01", "to": "2026-01-01"},
        {"from": "2027-01-01"},
        {"month": 13},
        {"quarter": 5, "year": 2025},
        {"weekend": "next"},
        {"all": False},
        {"all": "yes"},
        {"all": True, "unit": "day"},
        {"week": "2026-02-30"},
        {"last": 2, "unit": "week", "complete": "yes"},
        {"last": 2, "unit": "hour", "complete": True},
        {"before": "last week", "last": 1, "unit": "week"},
        {"before": {"this": "decade"}, "last": 1, "unit": "week"},
        {"before": {"previous": "week"}, "last": 0, "unit": "week"},
    ],
)
def test_from_spec_rejects_malformed_specs_with_a_typed_error(spec: dict[str, object]) -> None:
    with pytest.raises(TimeRangeError) as err:
        from_spec(spec, NOW)
    assert isinstance(err.value, QuestionError)


def test_from_spec_rejects_a_non_mapping() -> None:
    with pytest.raises(TimeRangeError):
        from_spec(["last", 7], NOW)  # type: ignore[arg-type]


# --- parse_time_range (catalog defaults) -----------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "start"),
    [
        ("last 30 days", d(2026, 10, 27, 14, 30)),
        ("last 28 days", d(2026, 10, 29, 14, 30)),
        ("  Last 7 days. ", d(2026, 11, 19, 14, 30)),
        ("this month", d(2026, 11, 1)),
    ],
)
def test_parse_time_range_reads_catalog_defaults(phrase: str, start: datetime) -> None:
    tr = parse_time_range(phrase, NOW)
    assert (tr.start, tr.end) == (start, NOW)


@pytest.mark.parametrize("phrase", ["", "sometime", "the moon", "signups last 30 days", "last 30 widgets"])
def test_parse_time_range_rejects_what_is_not_exactly_a_time_phrase(phrase: str) -> None:
    with pytest.raises(TimeRangeError, match="not a time range"):
        parse_time_range(phrase, NOW)


# --- ambiguity ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "running", "complete"),
    [
        ("signups in Q4", (d(2026, 10, 1), NOW), (d(2025, 10, 1), d(2026, 1, 1))),
        ("signups in November", (d(2026, 11, 1), NOW), (d(2025, 11, 1), d(2025, 12, 1))),
    ],
)
def test_a_running_period_without_a_year_offers_both_readings(
    question: str, running: tuple[datetime, datetime], complete: tuple[datetime, datetime]
) -> None:
    found = find_time_range(question, NOW)
    assert found is not None and found.ambiguous
    assert [(o.start, o.end) for o in found.options] == [running, complete]
    assert found.range is not None and (found.range.start, found.range.end) == running
    for option in found.options:
        again = from_spec(option.spec, NOW)
        assert (again.start, again.end) == (option.start, option.end)


@pytest.mark.parametrize(
    "question",
    ["signups in Q4 2026", "signups in October", "signups last November", "signups on March 3", "signups in Q3"],
)
def test_a_period_with_one_reading_is_not_ambiguous(question: str) -> None:
    found = find_time_range(question, NOW)
    assert found is not None and found.range is not None and not found.ambiguous


# --- comparisons -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "range_start", "comparison"),
    [
        ("signups this week vs last week", d(2026, 11, 23), "previous_period"),
        ("WoW signups in the last 30 days", d(2026, 10, 27, 14, 30), "previous_period"),
        ("MoM revenue this year", d(2026, 1, 1), "previous_period"),
        ("signups last week compared to the week before", d(2026, 11, 16), "previous_period"),
        ("revenue this quarter vs. last quarter", d(2026, 10, 1), "previous_period"),
        ("revenue this month compared to the same period last year", d(2026, 11, 1), "previous_year"),
        ("signups in March year over year", d(2026, 3, 1), "previous_year"),
        ("signups last 30 days vs the previous 30 days", d(2026, 10, 27, 14, 30), "previous_period"),
    ],
)
def test_comparisons_are_reported_and_not_read_as_the_range(
    question: str, range_start: datetime, comparison: str
) -> None:
    found = find_time_range(question, NOW)
    assert found is not None and found.range is not None
    assert found.range.start == range_start
    assert found.comparison == comparison
    assert found.comparison_span is not None
    assert found.span[1] <= found.comparison_span[0] or found.comparison_span[1] <= found.span[0]


@pytest.mark.parametrize(
    ("question", "comparison"),
    [
        ("signups week over week", "previous_period"),
        ("month-over-month revenue growth", "previous_period"),
        ("revenue YoY", "previous_year"),
        ("how did signups change vs last month", "previous_period"),
        ("why is the conversion rate lower than last month", "previous_period"),
    ],
)
def test_a_comparison_alone_gives_no_range(question: str, comparison: str) -> None:
    found = find_time_range(question, NOW)
    assert found is not None and found.range is None
    assert found.comparison == comparison
    assert found.span == found.comparison_span
    assert find_comparison(question) == comparison


@pytest.mark.parametrize(
    "question",
    [
        "how many moms use the app",
        "signups last week",
        "wow is a word",
        "signups by DoW",
        "z-score against the last 4 weeks",
    ],
)
def test_no_comparison_where_there_is_none(question: str) -> None:
    assert find_comparison(question) is None


# --- no false positives ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [
        "how many users use dark mode",
        "top 5 browsers",
        "users who did 3 uploads",
        "what happened on the 2 step funnel",
        "14 day conversion window",
        "funnel from signup to purchase within 14 days",
        "conversion from pricing page to checkout within 14 days",
        "share of new users who activate in the first 7 days",
        "what do users do in their first 7 days",
        "which users may churn",
        "users with more than 10 sessions",
        "weekly active users",
        "daily signups by country",
        "retention by week for the 3 step onboarding",
        "what is the last step users take before churning",
        "breakdown by day of week",
        "group pageviews by month",
        "users on the pro plan",
        "how many users in France",
        "average session length in seconds",
        "users who were silent for 14 days",
        "top 10 events",
        "find users whose last activity was more than 2 weeks ago",
        "users not seen for at least 30 days ago",
        "",
    ],
)
def test_questions_without_a_time_phrase_give_nothing(question: str) -> None:
    assert find_time_range(question, NOW) is None


# --- January and month boundaries ----------------------------------------------------------------

JANUARY = datetime(2027, 1, 14, 10, 0, tzinfo=UTC)  # a Thursday
MONTH_TURN = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # a Wednesday; its week began Monday Nov 30


@pytest.mark.parametrize(
    ("now", "question", "start", "end"),
    [
        (JANUARY, "signups last month", d(2026, 12, 1), d(2027, 1, 1)),
        (JANUARY, "signups in Q4", d(2026, 10, 1), d(2027, 1, 1)),
        (JANUARY, "signups last quarter", d(2026, 10, 1), d(2027, 1, 1)),
        (JANUARY, "signups this quarter", d(2027, 1, 1), JANUARY),
        (JANUARY, "signups in December", d(2026, 12, 1), d(2027, 1, 1)),
        (JANUARY, "signups last year", d(2026, 1, 1), d(2027, 1, 1)),
        (JANUARY, "signups on March 3", d(2026, 3, 3), d(2026, 3, 4)),
        (JANUARY, "signups between Dec 20 and Jan 5", d(2026, 12, 20), d(2027, 1, 6)),
        (JANUARY, "signups in the last 3 months", d(2026, 10, 14, 10), JANUARY),
        (JANUARY, "signups 2 weeks ago", d(2026, 12, 28), d(2027, 1, 4)),
        (MONTH_TURN, "signups this week", d(2026, 11, 30), MONTH_TURN),
        (MONTH_TURN, "signups last week", d(2026, 11, 23), d(2026, 11, 30)),
        (MONTH_TURN, "signups this month", d(2026, 12, 1), MONTH_TURN),
        (d(2026, 3, 31, 12), "signups in the past 1 month", d(2026, 2, 28, 12), d(2026, 3, 31, 12)),
        (d(2026, 11, 29, 12), "pageviews over the weekend", d(2026, 11, 28), d(2026, 11, 29, 12)),
        (d(2026, 11, 29, 12), "pageviews last weekend", d(2026, 11, 21), d(2026, 11, 23)),
    ],
)
def test_edges_of_months_years_and_weeks(now: datetime, question: str, start: datetime, end: datetime) -> None:
    found = find_time_range(question, now)
    assert found is not None and found.range is not None and not found.ambiguous
    assert (found.range.start, found.range.end) == (start, end)


@pytest.mark.parametrize(
    "question",
    [
        "revenue in November so far",
        "signups this November",
        "Q4 to date",
        "signups in november, so far",
        "uploads in the current quarter",
    ],
)
def test_words_that_say_the_running_period_resolve_it(question: str) -> None:
    found = find_time_range(question, NOW)
    assert found is not None and found.range is not None and not found.ambiguous
    assert found.range.end == NOW and found.range.start.year == NOW.year


def test_in_january_asked_in_january_is_ambiguous() -> None:
    found = find_time_range("signups in January", JANUARY)
    assert found is not None
    assert [(o.start, o.end) for o in found.options] == [(d(2027, 1, 1), JANUARY), (d(2026, 1, 1), d(2026, 2, 1))]


# --- intervals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phrase", "interval"),
    [
        ("today", "hour"),
        ("yesterday", "hour"),
        ("last 48 hours", "hour"),
        ("last 7 days", "day"),
        ("last 30 days", "day"),
        ("last month", "day"),
        ("last 45 days", "day"),  # a 45-day trend is daily
        ("last 2 months", "day"),  # 61 days
        ("last 62 days", "day"),
        ("last 63 days", "week"),
        ("last quarter", "week"),
        ("last 90 days", "week"),
        ("last 183 days", "week"),
        ("last 189 days", "week"),
        ("last 196 days", "month"),
        ("last 3 months", "week"),  # 92 days
        ("last 6 months", "month"),  # six or more of the asker's own unit
        ("last 8 weeks", "week"),
        ("last 28 weeks", "week"),
        ("this year", "month"),
    ],
)
def test_default_interval_keeps_charts_readable(phrase: str, interval: str) -> None:
    assert default_interval(parse_time_range(phrase, NOW)) == interval


# --- typos ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "typed", "read_as", "start", "end"),
    [
        ("signups yestrday", "yestrday", "yesterday", d(2026, 11, 25), d(2026, 11, 26)),
        ("signups yesterdy", "yesterdy", "yesterday", d(2026, 11, 25), d(2026, 11, 26)),
        ("signups yday", "yday", "yesterday", d(2026, 11, 25), d(2026, 11, 26)),
        ("signups yest", "yest", "yesterday", d(2026, 11, 25), d(2026, 11, 26)),
        ("pageviews lst week", "lst", "last", d(2026, 11, 16), d(2026, 11, 23)),
        ("signups last wek", "wek", "week", d(2026, 11, 16), d(2026, 11, 23)),
        ("signups last weak", "weak", "week", d(2026, 11, 16), d(2026, 11, 23)),
        ("revenue last mnth", "mnth", "month", d(2026, 10, 1), d(2026, 11, 1)),
        ("signups past 7 dys", "dys", "days", d(2026, 11, 19, 14, 30), NOW),
        ("signups past 7dys", "dys", "days", d(2026, 11, 19, 14, 30), NOW),
        ("thsi week signups", "thsi", "this", d(2026, 11, 23), NOW),
        ("signups tody", "tody", "today", d(2026, 11, 26), NOW),
        ("signups past fortnite", "fortnite", "fortnight", d(2026, 11, 12, 14, 30), NOW),
        ("signups in ocotber", "ocotber", "october", d(2026, 10, 1), d(2026, 11, 1)),
        ("signups on wendsday", "wendsday", "wednesday", d(2026, 11, 25), d(2026, 11, 26)),  # two slips in 8 letters
        ("LST WEEK signups", "LST", "last", d(2026, 11, 16), d(2026, 11, 23)),
    ],
)
def test_a_typo_in_a_time_word_reads_as_the_word(
    question: str, typed: str, read_as: str, start: datetime, end: datetime
) -> None:
    found = find_time_range(question, NOW)
    assert found is not None and found.range is not None
    assert (found.range.start, found.range.end) == (start, end)
    assert found.corrections == ((typed, read_as),)
    assert typed in question[found.span[0] : found.span[1]]


def test_spans_stay_offsets_into_the_text_as_typed() -> None:
    question = "how many signups yday vs lst week"  # "yday" is read as a longer word, before both spans
    found = find_time_range(question, NOW)
    assert found is not None and found.range is not None
    assert (found.range.start, found.range.end) == (d(2026, 11, 25), d(2026, 11, 26))
    assert question[found.span[0] : found.span[1]] == "yday"
    assert found.comparison == "previous_period"
    assert found.comparison_span is not None
    assert question[found.comparison_span[0] : found.comparison_span[1]] == "vs lst week"
    assert found.corrections == (("yday", "yesterday"), ("lst", "last"))
    assert find_comparison("signups vs lst week") == "previous_period"


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        ("weak signups last month", "last month"),  # "weak" is no time word where it stands
        ("how fast did signups grow in the last 7 days", "in the last 7 days"),
        ("signups last week", "last week"),  # a time word is never "corrected" into another
        ("signups past week", "past week"),
        ("signups on weekdays last month", "last month"),  # "weekdays" is a word, not a typo of "weekends"
    ],
)
def test_a_word_is_corrected_only_where_it_completes_a_time_phrase(question: str, phrase: str) -> None:
    found = find_time_range(question, NOW)
    assert found is not None
    assert question[found.span[0] : found.span[1]] == phrase
    assert found.corrections == ()


@pytest.mark.parametrize(
    "question",
    [
        "weak signups",
        "users seen at least 30 days ago",
        "the trial lasts 14 days",
        "users we lost 3 days after signup",
        "kills in match 3",
        "what is the correct month to compare",
        "users who were trialing for 14 days",
    ],
)
def test_words_near_time_words_are_left_alone(question: str) -> None:
    assert find_time_range(question, NOW) is None


# --- all time ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "phrase"),
    [
        ("signups all time", "all time"),
        ("all-time signups", "all-time"),
        ("best day of all time", "of all time"),
        ("most signups ever", "ever"),
        ("lifetime revenue per user", "lifetime"),
        ("total revenue to date", "to date"),
        ("how many signups so far", "so far"),
        ("signups since the beginning", "since the beginning"),
        ("signups since the beginning of time", "since the beginning of time"),
        ("signups since launch", "since launch"),
        ("signups since we launched", "since we launched"),
        ("signups since we started", "since we started"),
    ],
)
def test_all_time_runs_from_the_start_to_now(question: str, phrase: str) -> None:
    found = find_time_range(question, NOW)
    assert found is not None and found.range is not None
    assert (found.range.start, found.range.end) == (ALL_TIME_START, NOW)
    assert found.range.spec == {"all": True}
    assert found.range.label == "all time"
    assert question[found.span[0] : found.span[1]] == phrase


@pytest.mark.parametrize(
    ("question", "start", "end"),
    [
        ("revenue month to date", d(2026, 11, 1), NOW),
        ("signups this month so far", d(2026, 11, 1), NOW),
        ("signups in Q3 so far", d(2026, 7, 1), d(2026, 10, 1)),
        ("the best week ever this year", d(2026, 1, 1), NOW),
        ("signups ever since March", d(2026, 3, 1), NOW),
        ("signups since the launch on Nov 2", d(2026, 11, 2), NOW),
    ],
)
def test_all_time_words_give_way_to_a_named_range(question: str, start: datetime, end: datetime) -> None:
    found = find_time_range(question, NOW)
    assert found is not None and found.range is not None
    assert (found.range.start, found.range.end) == (start, end)


@pytest.mark.parametrize(
    "question",
    [
        "is the data up to date",
        "signups since we launched the new onboarding",  # a date askhog does not know
        "users who made their first-ever purchase",
        "users who made their first ever purchase",
        "signups since the launch of dark mode",
    ],
)
def test_not_all_time(question: str) -> None:
    assert find_time_range(question, NOW) is None


def test_all_time_is_a_catalog_default() -> None:
    tr = parse_time_range("all time", NOW)
    assert (tr.start, tr.end, tr.spec) == (ALL_TIME_START, NOW, {"all": True})


# --- several ranges -------------------------------------------------------------------------------

_Listed = list[tuple[str, datetime, datetime]]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        (
            "signups october or september",
            [("october", d(2026, 10, 1), d(2026, 11, 1)), ("september", d(2026, 9, 1), d(2026, 10, 1))],
        ),
        (
            "signups in October vs September",
            [("in October", d(2026, 10, 1), d(2026, 11, 1)), ("September", d(2026, 9, 1), d(2026, 10, 1))],
        ),
        (
            "march 2025 vs march 2026",
            [("march 2025", d(2025, 3, 1), d(2025, 4, 1)), ("march 2026", d(2026, 3, 1), d(2026, 4, 1))],
        ),
        (
            "signups last week vs the week before",
            [("last week", d(2026, 11, 16), d(2026, 11, 23)), ("the week before", d(2026, 11, 9), d(2026, 11, 16))],
        ),
        (
            "last week vs the week before vs the week before that",
            [
                ("last week", d(2026, 11, 16), d(2026, 11, 23)),
                ("the week before", d(2026, 11, 9), d(2026, 11, 16)),
                ("the week before", d(2026, 11, 2), d(2026, 11, 9)),
            ],
        ),
        (
            "signups the 2 weeks before vs since Nov 16",
            [("the 2 weeks before", d(2026, 11, 2), d(2026, 11, 16)), ("since Nov 16", d(2026, 11, 16), NOW)],
        ),
        (
            "signups this week vs last week",
            [("this week", d(2026, 11, 23), NOW), ("last week", d(2026, 11, 16), d(2026, 11, 23))],
        ),
        (
            "signups last 30 days vs the previous 30 days",
            [
                ("last 30 days", d(2026, 10, 27, 14, 30), NOW),
                ("vs the previous 30 days", d(2026, 9, 27, 14, 30), d(2026, 10, 27, 14, 30)),
            ],
        ),
        ("signups in Q3 vs Q2", [("in Q3", d(2026, 7, 1), d(2026, 10, 1)), ("Q2", d(2026, 4, 1), d(2026, 7, 1))]),
        ("revenue this month compared to the same period last year", [("this month", d(2026, 11, 1), NOW)]),
        ("signups in the last 7 days", [("in the last 7 days", d(2026, 11, 19, 14, 30), NOW)]),
        ("users who may or may not convert", []),
        ("signups the week before", []),  # before what?
        ("how many users use dark mode", []),
    ],
)
def test_find_time_ranges_lists_every_range_in_order(question: str, expected: _Listed) -> None:
    found = find_time_ranges(question, NOW)
    assert [(question[m.span[0] : m.span[1]], m.range.start, m.range.end) for m in found if m.range] == expected
    for m in found:
        assert m.range is not None and m.comparison is None
        again = from_spec(m.range.spec, NOW)
        assert (again.start, again.end, again.label) == (m.range.start, m.range.end, m.range.label)


def test_a_range_read_against_another_says_so() -> None:
    found = find_time_ranges("last week vs the week before", NOW)
    assert found[1].range is not None
    assert found[1].range.label == "the week before Nov 16, 2026"
    assert found[1].range.spec == {"before": {"previous": "week"}, "last": 1, "unit": "week"}


def test_find_time_ranges_keeps_ambiguity_and_typos() -> None:
    found = find_time_ranges("signups in november vs lst month", NOW)
    assert [m.ambiguous for m in found] == [True, False]
    assert found[1].corrections == (("lst", "last"),)
    assert found[1].range is not None and found[1].range.start == d(2026, 10, 1)


def test_find_time_range_still_reads_one_range_and_a_comparison() -> None:
    found = find_time_range("signups last week vs the week before", NOW)
    assert found is not None and found.range is not None
    assert (found.range.start, found.comparison) == (d(2026, 11, 16), "previous_period")


@pytest.mark.parametrize(("question", "start", "end"), PHRASES, ids=[p[0] for p in PHRASES])
def test_a_single_phrase_is_one_range_for_both_finders(question: str, start: datetime, end: datetime) -> None:
    assert [(m.range.start, m.range.end) for m in find_time_ranges(question, NOW) if m.range] == [(start, end)]


# --- filters: days of the week, hours of the day --------------------------------------------------

WORK_WEEK = (1, 2, 3, 4, 5)


@pytest.mark.parametrize(
    ("question", "weekdays", "hours", "phrases", "label"),
    [
        ("logins in the past 2 weeks, weekdays only", WORK_WEEK, None, ["weekdays only"], "weekdays only"),
        ("signups on weekdays", WORK_WEEK, None, ["on weekdays"], "weekdays only"),
        ("signups on business days", WORK_WEEK, None, ["on business days"], "weekdays only"),
        ("signups on week days", WORK_WEEK, None, ["on week days"], "weekdays only"),
        (
            "How many signups happened on weekends (Sat+Sun) in October?",
            (6, 7),
            None,
            ["on weekends", "(Sat+Sun)"],
            "Saturdays and Sundays",
        ),
        ("weekend tickets this month", (6, 7), None, ["weekend"], "Saturdays and Sundays"),
        ("signups on saturdays and sundays", (6, 7), None, ["on saturdays and sundays"], "Saturdays and Sundays"),
        ("signups on mondays", (1,), None, ["on mondays"], "Mondays"),
        ("signups every Friday", (5,), None, ["every Friday"], "Fridays"),
        ("signups mon-fri", WORK_WEEK, None, ["mon-fri"], "weekdays only"),
        (
            "signups on mondays, wednesdays and fridays",
            (1, 3, 5),
            None,
            ["on mondays, wednesdays and fridays"],
            "Mondays, Wednesdays and Fridays",
        ),
        ("signups excluding weekends", WORK_WEEK, None, ["excluding weekends"], "weekdays only"),
        (
            "signups on weekdays except mondays",
            (2, 3, 4, 5),
            None,
            ["on weekdays", "except mondays"],
            "Tuesdays, Wednesdays, Thursdays and Fridays",
        ),
        (
            "feature_used count yesterday between 9 and 10am UTC",
            (),
            (9, 10),
            ["between 9 and 10am UTC"],
            "09:00–10:00 UTC",
        ),
        ("signups 9-10am", (), (9, 10), ["9-10am"], "09:00–10:00 UTC"),
        ("signups from 9am to 5pm", (), (9, 17), ["from 9am to 5pm"], "09:00–17:00 UTC"),
        ("signups from 9 to 5pm", (), (9, 17), ["from 9 to 5pm"], "09:00–17:00 UTC"),
        ("signups between 11 and 1pm", (), (11, 13), ["between 11 and 1pm"], "11:00–13:00 UTC"),
        ("signups between 09:00 and 17:00 UTC", (), (9, 17), ["between 09:00 and 17:00 UTC"], "09:00–17:00 UTC"),
        ("signups from 10pm to 2am", (), (22, 2), ["from 10pm to 2am"], "22:00–02:00 UTC"),
        ("signups at 3pm", (), (15, 16), ["at 3pm"], "15:00–16:00 UTC"),
        ("signups after 5pm", (), (17, 24), ["after 5pm"], "17:00–24:00 UTC"),
        ("signups during business hours", (), (9, 17), ["during business hours"], "09:00–17:00 UTC"),
        ("signups outside business hours", (), (17, 9), ["outside business hours"], "17:00–09:00 UTC"),
        (
            "signups on weekdays during business hours",
            WORK_WEEK,
            (9, 17),
            ["on weekdays", "during business hours"],
            "weekdays only, 09:00–17:00 UTC",
        ),
    ],
)
def test_time_filters(
    question: str, weekdays: tuple[int, ...], hours: tuple[int, int] | None, phrases: list[str], label: str
) -> None:
    found = find_time_filter(question)
    assert found is not None
    assert (found.weekdays, found.hours, found.label) == (weekdays, hours, label)
    assert [question[a:b] for a, b in found.spans] == phrases


@pytest.mark.parametrize(
    "question",
    [
        "signups this weekend",  # a date: a range, not a filter
        "pageviews over the weekend",
        "signups last weekend",
        "signups on Monday",
        "signups on saturday and sunday",
        "weekdays vs weekends",  # compared: a breakdown
        "signups on weekdays or weekends",
        "users with between 9 and 10 sessions",  # numbers, not hours
        "users with 9-10 sessions",
        "signups between 9 and 10am EST",  # another zone: not read as UTC
        "signups at 9:30am",  # not a whole hour
        "signups between 2026-03-03 and 2026-03-10",
        "the sun and the moon",
        "how many users use dark mode",
        "",
    ],
)
def test_no_time_filter(question: str) -> None:
    assert find_time_filter(question) is None


@pytest.mark.parametrize(
    ("question", "start", "end", "weekdays", "hours"),
    [
        ("logins in the past 2 weeks, weekdays only", d(2026, 11, 12, 14, 30), NOW, WORK_WEEK, None),
        ("How many signups happened on weekends (Sat+Sun) in October?", d(2026, 10, 1), d(2026, 11, 1), (6, 7), None),
        ("feature_used count yesterday between 9 and 10am UTC", d(2026, 11, 25), d(2026, 11, 26), (), (9, 10)),
        ("weekend tickets this month", d(2026, 11, 1), NOW, (6, 7), None),
    ],
)
def test_a_question_can_have_a_range_and_a_filter(
    question: str, start: datetime, end: datetime, weekdays: tuple[int, ...], hours: tuple[int, int] | None
) -> None:
    found = find_time_range(question, NOW)
    kept = find_time_filter(question)
    assert found is not None and found.range is not None and kept is not None
    assert (found.range.start, found.range.end) == (start, end)
    assert (kept.weekdays, kept.hours) == (weekdays, hours)
    assert not any(a < found.span[1] and found.span[0] < b for a, b in kept.spans)


def test_plural_days_are_a_filter_not_a_date() -> None:
    assert find_time_range("signups on mondays", NOW) is None
    found = find_time_range("signups on Monday", NOW)
    assert found is not None and found.range is not None and found.range.start == d(2026, 11, 23)


# --- robustness --------------------------------------------------------------------------------

_VOCABULARY = [
    "last",
    "past",
    "this",
    "since",
    "between",
    "and",
    "from",
    "to",
    "in",
    "on",
    "the",
    "q4",
    "Q1",
    "2025",
    "'25",
    "3",
    "31",
    "0",
    "9999",
    "march",
    "feb",
    "29th",
    "of",
    "monday",
    "ago",
    "days",
    "week",
    "month",
    "weekend",
    "today",
    "vs",
    "wow",
    "MoM",
    "2026-02-30",
    "13/45/2026",
    "a couple of",
    "ytd",
    "quarter",
    "first",
    "year",
    "hours",
    "so far",
    "now",
    "-",
    "signups",
    "yestrday",
    "lst",
    "mnth",
    "fortnite",
    "fortnight",
    "weak",
    "ever",
    "all time",
    "before",
    "after",
    "the week before",
    "vs",
    "complete",
    "full",
    "Nov 16",
    "release",
    "week of",
    "weekdays",
    "weekends",
    "mondays",
    "(Sat+Sun)",
    "9am",
    "5pm",
    "10am",
    "between 9 and",
    "UTC",
    "except",
    "only",
    "every",
    "12:00",
]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), st.lists(st.sampled_from(_VOCABULARY), max_size=8).map(" ".join)))
def test_any_text_is_handled_without_raising(text: str) -> None:
    found = find_time_range(text, NOW)
    if found is None:
        return
    assert 0 <= found.span[0] < found.span[1] <= len(text)
    for tr in (found.range, *found.options):
        if tr is not None:
            assert tr.start <= tr.end  # "today" asked at 00:00 is empty, not inverted
            again = from_spec(tr.spec, NOW)
            assert (again.start, again.end) == (tr.start, tr.end)


_TEXTS = st.one_of(st.text(max_size=80), st.lists(st.sampled_from(_VOCABULARY), max_size=8).map(" ".join))


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_any_text_gives_ranges_in_order_without_raising(text: str) -> None:
    found = find_time_ranges(text, NOW)
    for m, following in itertools.pairwise(found):
        assert m.span[1] <= following.span[0]
    for m in found:
        assert 0 <= m.span[0] < m.span[1] <= len(text)
        assert m.range is not None and m.range.start <= m.range.end
        again = from_spec(m.range.spec, NOW)
        assert (again.start, again.end) == (m.range.start, m.range.end)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_any_text_gives_a_well_formed_filter_or_none(text: str) -> None:
    found = find_time_filter(text)
    if found is None:
        return
    assert found.weekdays or found.hours
    assert list(found.weekdays) == sorted(set(found.weekdays)) and set(found.weekdays) <= set(range(1, 8))
    assert len(found.weekdays) < 7
    if found.hours is not None:
        first, last = found.hours
        assert 0 <= first < 24 and 1 <= last <= 24 and first != last
    assert all(0 <= a < b <= len(text) for a, b in found.spans) and found.label


@pytest.mark.parametrize(
    "text",
    [
        "last 7 dayſ",
        "ſince march",
        "laſt 7 days",
        "Ｑ4 signups",
        "last ٣ days",
        "between 2026-02-30 and 13/45/2026",
        "last 99999 years",
        "9999 years ago",
        "since 2099-01-01",
        "Q4 '99 vs Q4 '98",
    ],
)
def test_odd_characters_and_impossible_dates_never_raise(text: str) -> None:
    found = find_time_range(text, NOW)
    if found is not None and found.range is not None:
        assert found.range.start <= found.range.end


def test_the_same_day_last_week_is_that_weekday_a_week_earlier() -> None:
    """ "yesterday vs the same day last week" compares Wednesday with the Wednesday before (it compared
    yesterday with the whole of last week, or with the day before)."""
    from askhog.meaning import previous_range

    for text in (
        "signups yesterday vs the same day last week",
        "dau yesterday compared to the same day a week earlier",
    ):
        found = find_time_range(text, NOW)
        assert found is not None and found.range is not None and found.comparison == "previous_week"
        assert (found.range.start, found.range.end) == (d(2026, 11, 25), d(2026, 11, 26))
        previous, _ = previous_range(found.range, NOW, weeks=True)
        assert (previous.start, previous.end, previous.label) == (
            d(2026, 11, 18),
            d(2026, 11, 19),
            "the same day a week earlier",
        )


def test_the_week_after_a_persons_own_event_is_no_period_after_another() -> None:
    """ "came back the week after signing up, september cohort" is September's cohort (the week after signing
    up is each person's window); "the week after" set beside another range is still relative to it."""
    found = [
        m.range.label for m in find_time_ranges("came back the week after signing up, september cohort", NOW) if m.range
    ]
    assert found == ["September 2026"]
    ranges = find_time_ranges("signups the week before vs since nov 16", NOW)
    assert [(m.range.start, m.range.end) for m in ranges if m.range] == [
        (d(2026, 11, 9), d(2026, 11, 16)),
        (d(2026, 11, 16), NOW),
    ]


@pytest.mark.parametrize(
    "question", ["signups in the 3rd week", "the 2nd step of the funnel", "who was the 1st to upload"]
)
def test_an_ordinal_that_counts_something_else_is_no_date(question: str) -> None:
    assert find_time_range(question, NOW) is None
