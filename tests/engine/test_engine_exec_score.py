"""The execution eval's scoring of a stated series and ranking against a truth table, without running anything."""

from __future__ import annotations

from askhog.backends.base import Table
from askhog.execution import ExecCase, Stated, score

TRUTH = Table(("period", "value"), ("String", "UInt64"), (("2026-11-23", 10), ("2026-11-24", 12)))


def test_a_series_is_right_when_every_period_matches() -> None:
    case = ExecCase("daily signups", "trend", "series")
    right, why = score(case, Stated(series=(("2026-11-23", 10.0), ("2026-11-24", 12.0))), TRUTH)
    assert right, why


def test_a_series_is_wrong_when_a_period_differs_or_there_is_none() -> None:
    case = ExecCase("daily signups", "trend", "series")
    assert not score(case, Stated(series=(("2026-11-23", 10.0), ("2026-11-24", 20.0))), TRUTH)[0]
    right, why = score(case, Stated(), TRUTH)
    assert not right and "no series" in why


def test_a_ranking_is_right_on_the_same_leading_rows() -> None:
    case = ExecCase("top days", "breakdown", "top", k=2)
    assert score(case, Stated(ranking=(("2026-11-23", 10.0), ("2026-11-24", 12.0))), TRUTH)[0]
    assert not score(case, Stated(ranking=(("2026-11-24", 12.0), ("2026-11-23", 10.0))), TRUTH)[0]


def test_an_empty_truth_label_is_the_answers_group_with_no_value() -> None:
    # A truth query leaves no source as ''; askhog names that group "direct" (a source) or "(none)", as PostHog does.
    truth = Table(("source", "n"), ("String", "UInt64"), (("google", 9), ("", 7), ("twitter", 5)))
    case = ExecCase("top sources", "breakdown", "top", k=3)
    for empty in ("direct", "(none)"):
        right, why = score(case, Stated(ranking=(("google", 9.0), (empty, 7.0), ("twitter", 5.0))), truth)
        assert right, why
    assert not score(case, Stated(ranking=(("google", 9.0), ("bing", 7.0), ("twitter", 5.0))), truth)[0]
    assert not score(case, Stated(ranking=(("google", 9.0), ("direct", 7.0))), truth)[0]  # a row short
