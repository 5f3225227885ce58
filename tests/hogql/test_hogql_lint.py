"""The lint reports the performance checklist as warnings with fixes, and never raises on bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from askhog.errors import Problem
from askhog.hogql import format_problems, lint, validate
from hypothesis import given, settings
from hypothesis import strategies as st

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
"""The moment an open range runs to: given, never the wall clock."""


def codes(text: str) -> set[str]:
    return {p.code for p in lint(text)}


def test_seed_slow_query_gets_every_checklist_warning() -> None:
    problems = lint("SELECT * FROM events WHERE properties.custom_field = 'value'")
    assert {p.code for p in problems} == {"no_time_filter", "no_limit", "select_star", "property_filter_without_event"}
    assert all(p.severity == "warning" and p.fix for p in problems)


def test_seed_optimized_query_is_clean() -> None:
    text = """SELECT event, distinct_id, timestamp, properties.custom_field
FROM events
WHERE
    timestamp >= now() - INTERVAL 7 DAY
    AND event IN ('event1', 'event2')
    AND properties.custom_field = 'value'
LIMIT 1000"""
    assert lint(text) == []


@pytest.mark.parametrize(
    "bound, over",
    [
        ("now() - INTERVAL 180 DAY", True),
        ("now() - INTERVAL 6 MONTH", True),
        ("now() - INTERVAL 1 YEAR", True),
        ("now() - toIntervalDay(91)", True),
        ("now() - toIntervalWeek(14)", True),
        ("now() - INTERVAL 90 DAY", False),
        ("now() - INTERVAL 12 WEEK", False),
        ("now() - toIntervalMonth(2)", False),
    ],
)
def test_range_over_90_days_evaluates_intervals(bound: str, over: bool) -> None:
    text = f"SELECT count() FROM events WHERE timestamp >= {bound}"
    assert ("range_over_90_days" in codes(text)) is over


def test_range_between_literal_dates_uses_both_bounds() -> None:
    short = "SELECT count() FROM events WHERE timestamp >= '2024-01-01' AND timestamp < '2024-02-01'"
    long = "SELECT count() FROM events WHERE timestamp BETWEEN toDateTime('2023-01-01') AND toDateTime('2024-01-01')"
    assert "range_over_90_days" not in codes(short)
    assert "range_over_90_days" in codes(long)


def test_time_filter_may_be_written_either_way_round() -> None:
    assert "no_time_filter" not in codes("SELECT count() FROM events WHERE now() - INTERVAL 1 DAY < timestamp")


def test_time_filter_in_a_subquery_counts() -> None:
    text = "SELECT count() FROM (SELECT person_id FROM events WHERE timestamp > now() - INTERVAL 1 DAY)"
    assert "no_time_filter" not in codes(text)


def test_queries_not_on_events_need_no_time_filter() -> None:
    assert "no_time_filter" not in codes("SELECT id FROM persons LIMIT 10")


def test_single_row_aggregate_needs_no_limit_but_grouped_one_does() -> None:
    assert "no_limit" not in codes("SELECT count() FROM events WHERE timestamp > now() - INTERVAL 1 DAY")
    assert "no_limit" in codes(
        "SELECT event, count() FROM events WHERE timestamp > now() - INTERVAL 1 DAY GROUP BY event"
    )


def test_property_filter_is_fine_with_an_event_filter() -> None:
    base = "SELECT count() FROM events WHERE timestamp > now() - INTERVAL 1 DAY AND properties.$browser = 'Chrome'"
    assert "property_filter_without_event" in codes(base)
    assert "property_filter_without_event" not in codes(base + " AND event = '$pageview'")
    assert "property_filter_without_event" not in codes(base + " AND event IN ('$pageview', '$screen')")


def test_lint_includes_guard_errors_before_warnings() -> None:
    problems = lint("SELECT count(*) FROM events")
    assert [p.severity for p in problems] == ["error", "warning"]
    assert problems[0].code == "count_star"


@pytest.mark.parametrize(
    "text", ["SELECT (", "", "SELECT 'unterminated", "}}{{", "SELECT 1; DROP TABLE x", "ALTER TABLE x"]
)
def test_lint_never_raises(text: str) -> None:
    problems = lint(text)
    assert problems and all(isinstance(p, Problem) and p.severity == "error" for p in problems)


def test_syntax_error_becomes_a_positioned_problem() -> None:
    (problem,) = lint("SELECT event\nFROM events WHERE ((")
    assert (problem.code, problem.line, problem.column) == ("syntax_error", 2, 20)


def test_format_problems_prints_one_line_each_and_a_count() -> None:
    out = format_problems(lint("SELECT count(*) FROM events"))
    lines = out.splitlines()
    assert lines[0].startswith("1:8: error count_star:") and "Fix: write count()" in lines[0]
    assert lines[-1] == "1 error, 1 warning"
    assert format_problems([]) == "no problems found"


def test_window_funnel_on_datetime64_timestamp_is_flagged() -> None:
    base = "SELECT person_id, windowFunnel(86400)({t}, event = 'a', event = 'b') FROM events WHERE timestamp > now() - INTERVAL 7 DAY GROUP BY person_id LIMIT 10"
    (problem,) = lint(base.format(t="timestamp"))
    assert (problem.code, problem.column) == ("window_funnel_timestamp", base.index("{t}") + 1)
    assert lint(base.format(t="toDateTime(timestamp)")) == []


@pytest.mark.parametrize(
    "date_from, date_to, over",
    [
        ("2024-01-01 00:00:00", "2024-06-01 00:00:00", True),
        ("2024-01-01 00:00:00", "2024-02-01 00:00:00", False),
        (NOW - timedelta(days=120), NOW, True),
        (NOW - timedelta(days=20), NOW, False),
    ],
)
def test_range_written_with_placeholders_is_measured_from_values(
    date_from: object, date_to: object, over: bool
) -> None:
    text = "SELECT count() FROM events WHERE timestamp >= toDateTime({date_from}) AND timestamp < toDateTime({date_to})"
    warnings = validate(text, values={"date_from": date_from, "date_to": date_to}, now=NOW).warnings
    assert ("range_over_90_days" in {w.code for w in warnings}) is over
    assert validate(text).warnings == []  # without values the range is unknown, not guessed


SQLISH = st.lists(
    st.sampled_from(
        [
            "SELECT",
            "FROM",
            "WHERE",
            "events",
            "(",
            ")",
            "{",
            "}",
            "{x}",
            "'a'",
            "'",
            "`",
            "$",
            "properties.$b",
            ",",
            ";",
            "=",
            "count()",
            "count(*)",
            "map(1)",
            "url('x')",
            "INTERVAL 7 DAY",
            "now()",
            "-",
            "JOIN",
            "ON",
            "AS",
            "1",
            "\n",
            "--",
            "/*",
        ]
    ),
    max_size=14,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(SQLISH | st.text(max_size=40))
def test_lint_never_raises_on_any_text(text: str) -> None:
    assert all(isinstance(p, Problem) for p in lint(text))


def test_an_open_range_from_a_literal_date_is_measured_to_the_given_now() -> None:
    """ "timestamp >= '2026-10-01'" reaches 56 days back from Nov 26, 2026, and 116 from Jan 25, 2027."""
    text = "SELECT count() FROM events WHERE timestamp >= '2026-10-01' LIMIT 1"
    assert "range_over_90_days" not in {w.code for w in validate(text, now=NOW).warnings}
    later = NOW + timedelta(days=60)
    assert "range_over_90_days" in {w.code for w in validate(text, now=later).warnings}
