"""engine/stats.py against published examples, scipy.stats (for the argument order and sign of the tests it
delegates to scipy) and planted series (for the scans scipy does not have)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from askhog.errors import AskhogError, StatisticsError
from askhog.stats import (
    best_split,
    detect_change_point,
    odds_ratio_interaction,
    probability_b_beats_a,
    rate_change_contributions,
    sample_ratio_mismatch,
    scan_shifts,
    total_change_contributions,
    two_proportion_ztest,
    welch_ttest,
    welch_ttest_from_stats,
    wilson_interval,
)
from scipy import integrate
from scipy import stats as sps


def test_wilson_interval_matches_newcombe_1998_example():
    # Newcombe (1998), Statistics in Medicine 17:857, example 81/263: 0.2553 to 0.3662.
    lo, hi = wilson_interval(81, 263)
    assert lo == pytest.approx(0.2553, abs=5e-5)
    assert hi == pytest.approx(0.3662, abs=5e-5)


def test_difference_interval_matches_newcombe_method_10():
    # Newcombe (1998) Table II, 56/70 - 48/80: method 10 gives 0.0524 to 0.3339.
    r = two_proportion_ztest(48, 80, 56, 70)
    assert r.difference == pytest.approx(0.2)
    assert r.difference_ci[0] == pytest.approx(0.0524, abs=5e-5)
    assert r.difference_ci[1] == pytest.approx(0.3339, abs=5e-5)


def test_pooled_z_squared_is_pearson_chi_square_without_correction():
    table = [[120, 1000 - 120], [150, 1000 - 150]]
    chi2, p, _, _ = sps.chi2_contingency(table, correction=False)
    r = two_proportion_ztest(120, 1000, 150, 1000)
    assert r.z**2 == pytest.approx(chi2)
    assert r.p_value == pytest.approx(p)
    assert r.z > 0 and r.significant


def test_lift_interval_is_katz_log_interval_and_brackets_the_lift():
    r = two_proportion_ztest(100, 1000, 150, 1000)
    assert r.lift == pytest.approx(0.5)
    se = math.sqrt(1 / 150 - 1 / 1000 + 1 / 100 - 1 / 1000)
    assert r.lift_ci[0] == pytest.approx(1.5 * math.exp(-1.959964 * se) - 1, rel=1e-5)
    assert r.lift_ci[0] < 0.5 < r.lift_ci[1]


def test_lift_undefined_without_baseline_successes():
    r = two_proportion_ztest(0, 50, 5, 50)
    assert r.lift is None and r.lift_ci is None


def test_identical_groups_are_not_significant():
    r = two_proportion_ztest(30, 100, 30, 100)
    assert r.z == 0 and r.p_value == pytest.approx(1.0) and not r.significant


@pytest.mark.parametrize("args", [(5, 4, 1, 2), (-1, 4, 1, 2), (1, 0, 1, 2)])
def test_impossible_counts_raise_typed_error(args):
    with pytest.raises(StatisticsError):
        two_proportion_ztest(*args)
    assert issubclass(StatisticsError, AskhogError)


def _beats_by_integration(xa, na, xb, nb):
    a = sps.beta(1 + xa, 1 + na - xa)
    b = sps.beta(1 + xb, 1 + nb - xb)
    value, _ = integrate.quad(lambda p: a.pdf(p) * b.sf(p), 0, 1, limit=200)
    return value


@pytest.mark.parametrize("counts", [(10, 100, 20, 100), (3, 40, 2, 35), (45, 500, 60, 510)])
def test_probability_b_beats_a_matches_numerical_integration(counts):
    assert probability_b_beats_a(*counts) == pytest.approx(_beats_by_integration(*counts), abs=1e-6)


def test_probability_b_beats_a_is_one_half_for_equal_data_and_handles_large_counts():
    assert probability_b_beats_a(40, 200, 40, 200) == pytest.approx(0.5, abs=1e-9)
    assert probability_b_beats_a(5000, 100000, 5400, 100000) > 0.99


def test_welch_matches_scipy_on_unequal_variances():
    rng = np.random.default_rng(7)
    a = rng.normal(10, 1, 30)
    b = rng.normal(10.8, 4, 12)
    ours = welch_ttest(a, b)
    theirs = sps.ttest_ind(b, a, equal_var=False)
    assert ours.t == pytest.approx(theirs.statistic)
    assert ours.p_value == pytest.approx(theirs.pvalue)
    assert ours.df == pytest.approx(theirs.df)
    ci = theirs.confidence_interval(0.95)
    assert ours.difference_ci == pytest.approx((ci.low, ci.high))


def test_welch_textbook_degrees_of_freedom():
    # s²/n = 4 and 1 with n = 10 and 5: df = 25 / (16/9 + 1/4) = 12.33
    r = welch_ttest_from_stats(0.0, 40.0, 10, 1.0, 5.0, 5)
    assert r.df == pytest.approx(25 / (16 / 9 + 1 / 4))
    with pytest.raises(StatisticsError):
        welch_ttest([1.0], [1.0, 2.0])


def test_sample_ratio_mismatch_matches_scipy_chisquare():
    counts = [50_000, 48_700]
    ours = sample_ratio_mismatch(counts)
    theirs = sps.chisquare(counts)
    assert ours.chi2 == pytest.approx(theirs.statistic)
    assert ours.p_value == pytest.approx(theirs.pvalue)
    assert ours.mismatch
    assert not sample_ratio_mismatch([5020, 4980]).mismatch


def test_sample_ratio_respects_planned_weights():
    assert not sample_ratio_mismatch([9000, 1000], [0.9, 0.1]).mismatch
    assert sample_ratio_mismatch([9000, 1000]).mismatch


def test_change_point_finds_the_step_in_a_noisy_rate_series():
    rng = np.random.default_rng(3)
    trials = rng.integers(80, 120, 28)
    rates = np.where(np.arange(28) < 18, 0.6, 0.45)
    successes = rng.binomial(trials, rates)
    cp = detect_change_point(successes / trials, trials)
    assert cp.significant
    assert cp.index in (17, 18, 19)
    assert cp.before_mean == pytest.approx(0.6, abs=0.04)
    assert cp.after_mean == pytest.approx(0.45, abs=0.05)


def test_change_point_reports_none_on_a_flat_series():
    rng = np.random.default_rng(11)
    trials = rng.integers(80, 120, 28)
    series = rng.binomial(trials, 0.5) / trials
    cp = detect_change_point(series, trials)
    assert not cp.significant and cp.p_value > 0.01


def test_change_point_is_deterministic_and_needs_enough_values():
    series = [1, 1, 1, 1, 5, 5, 5, 5]
    assert detect_change_point(series) == detect_change_point(series)
    short = detect_change_point([1, 2, 3], min_segment=3)
    assert short.index is None and not short.significant


def test_shift_share_terms_sum_to_the_total_change():
    before = {"Safari": (400, 240), "Chrome": (1000, 600), "Firefox": (200, 120)}
    after = {"Safari": (420, 90), "Chrome": (980, 590), "Firefox": (210, 125)}
    rows = rate_change_contributions(before, after)
    total = 805 / 1610 - 960 / 1600
    assert sum(r.contribution for r in rows) == pytest.approx(total)
    assert sum(r.share_of_change for r in rows) == pytest.approx(1.0)
    for r in rows:
        assert r.mix_effect + r.rate_effect + r.interaction == pytest.approx(r.contribution)
    assert rows[0].segment == "Safari" and rows[0].share_of_change > 0.9


def test_shift_share_separates_a_pure_mix_shift():
    # Rates unchanged, traffic moves to the worse segment: all of the change is mix.
    before = {"a": (500, 250), "b": (500, 50)}
    after = {"a": (200, 100), "b": (800, 80)}
    rows = {r.segment: r for r in rate_change_contributions(before, after)}
    assert rows["a"].rate_effect == pytest.approx(0) and rows["b"].rate_effect == pytest.approx(0)
    assert rows["a"].mix_effect == pytest.approx(-0.3 * 0.5)


def test_additive_contributions():
    rows = total_change_contributions({"a": 10, "b": 20}, {"a": 10, "b": 5, "c": 1})
    assert rows[0] == ("b", -15, pytest.approx(15 / 14))
    assert sum(r[1] for r in rows) == -14


def test_best_split_is_the_least_squares_shift_position():
    assert best_split([1, 1, 1, 1, 3, 3, 3], min_segment=2)[0] == 4
    # Weights: the heavy days decide where the level changes.
    index, stat = best_split([0.5, 0.5, 0.5, 0.9, 0.1, 0.1], [100, 100, 100, 1, 100, 100], min_segment=1)
    assert index == 4 and stat > 0
    with pytest.raises(StatisticsError):
        best_split([1, 2], min_segment=2)


def test_ratio_of_odds_ratios_matches_a_logistic_interaction_by_hand():
    # Segment 50/100 -> 10/100, rest 50/100 -> 45/100.
    r = odds_ratio_interaction((50, 100), (10, 100), (50, 100), (45, 100))
    seg = math.log((10 / 90) / (50 / 50))
    rest = math.log((45 / 55) / (50 / 50))
    se = math.sqrt(1 / 50 + 1 / 50 + 1 / 10 + 1 / 90 + 1 / 50 + 1 / 50 + 1 / 45 + 1 / 55)
    assert r.ratio_of_odds_ratios == pytest.approx(math.exp(seg - rest))
    assert r.z == pytest.approx((seg - rest) / se)
    assert r.p_value < 0.001
    # The same change everywhere is no interaction.
    same = odds_ratio_interaction((50, 100), (30, 100), (500, 1000), (300, 1000))
    assert same.ratio_of_odds_ratios == pytest.approx(1.0) and same.p_value == pytest.approx(1.0)
    # A zero cell is corrected rather than dividing by zero.
    assert math.isfinite(odds_ratio_interaction((5, 10), (0, 10), (5, 10), (5, 10)).z)


# --- scan_shifts: planted shifts among many series -----------------------------------------------


def _planted_rates(days: int = 28, columns: int = 5, shifted: int = 2, at: int = 18, seed: int = 5):
    """Daily conversion rates per segment: every column flat at 0.5 except ``shifted``, which drops to 0.35 on day ``at``."""
    rng = np.random.default_rng(seed)
    trials = rng.integers(150, 250, (days, columns)).astype(float)
    rates = np.full((days, columns), 0.5)
    rates[at:, shifted] = 0.35
    return rng.binomial(trials.astype(int), rates) / trials, trials


def test_scan_shifts_finds_the_planted_rate_shift_and_only_it():
    values, trials = _planted_rates()
    shifts = scan_shifts(values, trials, kind="rate", permutations=499, seed=1)
    assert len(shifts) == 5
    planted = shifts[2]
    assert planted.index in (17, 18, 19)
    assert planted.before_mean == pytest.approx(0.5, abs=0.03)
    assert planted.after_mean == pytest.approx(0.35, abs=0.03)
    assert planted.p_adjusted < 0.01
    assert planted.chi2 == max(s.chi2 for s in shifts)
    assert all(s.p_adjusted > 0.05 for j, s in enumerate(shifts) if j != 2)


def test_scan_shifts_rate_size_is_pearson_chi_square_of_the_before_after_table():
    values, trials = _planted_rates(columns=1, shifted=0)
    (shift,) = scan_shifts(values, trials, permutations=9)
    k = shift.index
    succ = values * trials
    table = [
        [succ[:k, 0].sum(), (trials[:k, 0] - succ[:k, 0]).sum()],
        [succ[k:, 0].sum(), (trials[k:, 0] - succ[k:, 0]).sum()],
    ]
    chi2, _, _, _ = sps.chi2_contingency(table, correction=False)
    assert shift.chi2 == pytest.approx(chi2)


def test_scan_shifts_finds_a_planted_count_step():
    rng = np.random.default_rng(9)
    counts = rng.poisson(np.where(np.arange(30)[:, None] < 12, [40.0, 40.0, 40.0], [40.0, 70.0, 40.0]))
    shifts = scan_shifts(counts, kind="count", permutations=499)
    assert shifts[1].index in (11, 12, 13)
    assert shifts[1].after_mean > shifts[1].before_mean + 20
    assert shifts[1].p_adjusted < 0.01
    assert shifts[0].p_adjusted > 0.05 and shifts[2].p_adjusted > 0.05


def test_scan_shifts_on_flat_series_finds_nothing_significant_and_is_deterministic():
    rng = np.random.default_rng(21)
    trials = rng.integers(150, 250, (28, 4)).astype(float)
    values = rng.binomial(trials.astype(int), 0.3) / trials
    first = scan_shifts(values, trials, permutations=199, seed=3)
    assert all(s.p_adjusted > 0.05 for s in first)
    assert first == scan_shifts(values, trials, permutations=199, seed=3)


def test_scan_shifts_constant_column_has_no_shift():
    values = np.column_stack([np.full(12, 0.4), np.r_[np.full(6, 0.2), np.full(6, 0.6)]])
    shifts = scan_shifts(values, np.full((12, 2), 100.0), permutations=99)
    assert shifts[0].chi2 == 0.0 and shifts[0].p_adjusted == 1.0
    assert (
        shifts[1].index == 6
        and shifts[1].before_mean == pytest.approx(0.2)
        and shifts[1].after_mean == pytest.approx(0.6)
    )


@pytest.mark.parametrize(
    ("values", "kwargs"),
    [
        (np.ones((5, 2)), {}),  # fewer days than two segments
        (np.ones(10), {}),  # not days × series
        (np.ones((10, 2)), {"weights": np.ones((10, 3))}),  # one weight per value
        (np.ones((10, 2)), {"weights": -np.ones((10, 2))}),  # weights are not negative
        (np.ones((10, 2)), {"kind": "share"}),
    ],
)
def test_scan_shifts_rejects_malformed_input(values, kwargs):
    with pytest.raises(StatisticsError):
        scan_shifts(values, **kwargs)
