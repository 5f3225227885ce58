"""The time grammar resolves phrases the way an analyst means them.

``NOW`` is Thursday 2026-11-26 14:30 (UTC, naive); the week started Monday
2026-11-23. Every expected bound below was worked out by hand from that.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from askhog.errors import QuestionError, TimeRangeError
from askhog.timerange import (
    default_interval,
    find_comparison,
    find_time_range,
    from_spec,
    parse_time_range,
)

NOW = datetime(2026, 11, 26, 14, 30)


def d(*parts: int) -> datetime:
    return datetime(*parts)  # type: ignore[arg-type]


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


@pytest.mark.parametrize(("question", "phrase"), [
    ("signups in the last 7 days for Safari users", "in the last 7 days"),
    ("how many pageviews last week on mobile", "last week"),
    ("revenue between March 3 and March 10 by plan", "between March 3 and March 10"),
    ("Q4 2025 signups", "Q4 2025"),
    ("signups since last Monday from France", "since last Monday"),
    ("how many users logged in today", "today"),
    ("who logged in last week", "last week"),
    ("purchases for the pro plan in q3", "in q3"),
])
def test_span_covers_the_phrase_so_it_can_be_cut(question: str, phrase: str) -> None:
    found = find_time_range(question, NOW)
    assert found is not None
    assert question[found.span[0]:found.span[1]] == phrase


# --- labels and specs -------------------------------------------------------------------------


@pytest.mark.parametrize(("phrase", "label", "spec"), [
    ("last 7 days", "last 7 days", {"last": 7, "unit": "day"}),
    ("in March", "March 2026", {"month": 3}),
    ("Q4 2025", "Q4 2025 (Oct 1 – Dec 31)", {"quarter": 4, "year": 2025}),
    ("last month", "last month (October 2026)", {"previous": "month"}),
    ("today", "today", {"this": "day"}),
    ("between March 3 and March 10", "Mar 3 – Mar 10, 2026", {"from": "2026-03-03", "to": "2026-03-10"}),
    ("since March 3", "since Mar 3, 2026", {"from": "2026-03-03"}),
    ("2 weeks ago", "2 weeks ago (week of Nov 9 – Nov 15, 2026)", {"ago": 2, "unit": "week"}),
])
def test_labels_are_human_and_specs_are_labelled_sets(phrase: str, label: str, spec: dict[str, object]) -> None:
    tr = parse_time_range(phrase, NOW)
    assert tr.label == label
    assert tr.spec == spec


@pytest.mark.parametrize(("spec", "start", "end"), [
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
])
def test_from_spec_resolves_every_form(spec: dict[str, object], start: datetime, end: datetime) -> None:
    tr = from_spec(spec, NOW)
    assert (tr.start, tr.end) == (start, end)
    assert tr.spec == spec


@pytest.mark.parametrize("spec", [
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
])
def test_from_spec_rejects_malformed_specs_with_a_typed_error(spec: dict[str, object]) -> None:
    with pytest.raises(TimeRangeError) as err:
        from_spec(spec, NOW)
    assert isinstance(err.value, QuestionError)


def test_from_spec_rejects_a_non_mapping() -> None:
    with pytest.raises(TimeRangeError):
        from_spec(["last", 7], NOW)  # type: ignore[arg-type]


# --- parse_time_range (catalog defaults) -----------------------------------------------------------


@pytest.mark.parametrize(("phrase", "start"), [
    ("last 30 days", d(2026, 10, 27, 14, 30)),
    ("last 28 days", d(2026, 10, 29, 14, 30)),
    ("  Last 7 days. ", d(2026, 11, 19, 14, 30)),
    ("this month", d(2026, 11, 1)),
])
def test_parse_time_range_reads_catalog_defaults(phrase: str, start: datetime) -> None:
    tr = parse_time_range(phrase, NOW)
    assert (tr.start, tr.end) == (start, NOW)


@pytest.mark.parametrize("phrase", ["", "sometime", "the moon", "signups last 30 days", "last 30 widgets"])
def test_parse_time_range_rejects_what_is_not_exactly_a_time_phrase(phrase: str) -> None:
    with pytest.raises(TimeRangeError, match="not a time range"):
        parse_time_range(phrase, NOW)


# --- ambiguity ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("question", "running", "complete"), [
    ("signups in Q4", (d(2026, 10, 1), NOW), (d(2025, 10, 1), d(2026, 1, 1))),
    ("signups in November", (d(2026, 11, 1), NOW), (d(2025, 11, 1), d(2025, 12, 1))),
])
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


@pytest.mark.parametrize("question", ["signups in Q4 2026", "signups in October", "signups last November",
                                      "signups on March 3", "signups in Q3"])
def test_a_period_with_one_reading_is_not_ambiguous(question: str) -> None:
    found = find_time_range(question, NOW)
    assert found is not None and found.range is not None and not found.ambiguous


# --- comparisons -------------------------------------------------------------------------------


@pytest.mark.parametrize(("question", "range_start", "comparison"), [
    ("signups this week vs last week", d(2026, 11, 23), "previous_period"),
    ("WoW signups in the last 30 days", d(2026, 10, 27, 14, 30), "previous_period"),
    ("MoM revenue this year", d(2026, 1, 1), "previous_period"),
    ("signups last week compared to the week before", d(2026, 11, 16), "previous_period"),
    ("revenue this quarter vs. last quarter", d(2026, 10, 1), "previous_period"),
    ("revenue this month compared to the same period last year", d(2026, 11, 1), "previous_year"),
    ("signups in March year over year", d(2026, 3, 1), "previous_year"),
    ("signups last 30 days vs the previous 30 days", d(2026, 10, 27, 14, 30), "previous_period"),
])
def test_comparisons_are_reported_and_not_read_as_the_range(
    question: str, range_start: datetime, comparison: str
) -> None:
    found = find_time_range(question, NOW)
    assert found is not None and found.range is not None
    assert found.range.start == range_start
    assert found.comparison == comparison
    assert found.comparison_span is not None
    assert found.span[1] <= found.comparison_span[0] or found.comparison_span[1] <= found.span[0]


@pytest.mark.parametrize(("question", "comparison"), [
    ("signups week over week", "previous_period"),
    ("month-over-month revenue growth", "previous_period"),
    ("revenue YoY", "previous_year"),
    ("how did signups change vs last month", "previous_period"),
    ("why is the conversion rate lower than last month", "previous_period"),
])
def test_a_comparison_alone_gives_no_range(question: str, comparison: str) -> None:
    found = find_time_range(question, NOW)
    assert found is not None and found.range is None
    assert found.comparison == comparison
    assert found.span == found.comparison_span
    assert find_comparison(question) == comparison


@pytest.mark.parametrize("question", ["how many moms use the app", "signups last week", "wow is a word",
                                      "signups by DoW", "z-score against the last 4 weeks"])
def test_no_comparison_where_there_is_none(question: str) -> None:
    assert find_comparison(question) is None


# --- no false positives ---------------------------------------------------------------------------


@pytest.mark.parametrize("question", [
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
])
def test_questions_without_a_time_phrase_give_nothing(question: str) -> None:
    assert find_time_range(question, NOW) is None


# --- January and month boundaries ----------------------------------------------------------------

JANUARY = datetime(2027, 1, 14, 10, 0)  # a Thursday
MONTH_TURN = datetime(2026, 12, 2, 9, 0)  # a Wednesday; its week began Monday Nov 30


@pytest.mark.parametrize(("now", "question", "start", "end"), [
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
    (datetime(2026, 3, 31, 12), "signups in the past 1 month", d(2026, 2, 28, 12), datetime(2026, 3, 31, 12)),
    (datetime(2026, 11, 29, 12), "pageviews over the weekend", d(2026, 11, 28), datetime(2026, 11, 29, 12)),
    (datetime(2026, 11, 29, 12), "pageviews last weekend", d(2026, 11, 21), d(2026, 11, 23)),
])
def test_edges_of_months_years_and_weeks(now: datetime, question: str, start: datetime, end: datetime) -> None:
    found = find_time_range(question, now)
    assert found is not None and found.range is not None and not found.ambiguous
    assert (found.range.start, found.range.end) == (start, end)


def test_in_january_asked_in_january_is_ambiguous() -> None:
    found = find_time_range("signups in January", JANUARY)
    assert found is not None
    assert [(o.start, o.end) for o in found.options] == [(d(2027, 1, 1), JANUARY), (d(2026, 1, 1), d(2026, 2, 1))]


# --- intervals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("phrase", "interval"), [
    ("today", "hour"),
    ("yesterday", "hour"),
    ("last 48 hours", "hour"),
    ("last 7 days", "day"),
    ("last 30 days", "day"),
    ("last month", "day"),
    ("last quarter", "week"),
    ("last 90 days", "week"),
    ("last 6 months", "month"),
    ("this year", "month"),
])
def test_default_interval_keeps_charts_readable(phrase: str, interval: str) -> None:
    assert default_interval(parse_time_range(phrase, NOW)) == interval


# --- robustness --------------------------------------------------------------------------------

_VOCABULARY = ["last", "past", "this", "since", "between", "and", "from", "to", "in", "on", "the", "q4", "Q1",
               "2025", "'25", "3", "31", "0", "9999", "march", "feb", "29th", "of", "monday", "ago", "days", "week",
               "month", "weekend", "today", "vs", "wow", "MoM", "2026-02-30", "13/45/2026", "a couple of", "ytd",
               "quarter", "first", "year", "hours", "so far", "now", "-", "signups"]


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


@pytest.mark.parametrize("text", ["last 7 dayſ", "ſince march", "laſt 7 days", "Ｑ4 signups", "last ٣ days",
                                  "between 2026-02-30 and 13/45/2026", "last 99999 years", "9999 years ago",
                                  "since 2099-01-01", "Q4 '99 vs Q4 '98"])
def test_odd_characters_and_impossible_dates_never_raise(text: str) -> None:
    found = find_time_range(text, NOW)
    if found is not None and found.range is not None:
        assert found.range.start <= found.range.end
