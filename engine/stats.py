"""The statistics behind the workflows' conclusions, by textbook methods.

A workflow that says "conversion fell" or "test beats control" must be able to
show why that is not noise, with a method an analyst recognises. Each function
names its formula and its source. Where ``scipy.stats`` has the test (Wilson's
interval, Welch's t-test, Pearson's chi-square) it computes it; what scipy lacks
(the change-point scans, shift-share, the odds-ratio interaction) is written here
and tested against published examples and planted series.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import special
from scipy import stats as sps

from .errors import StatisticsError


def _z_for(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise StatisticsError(f"confidence must be between 0 and 1, not {confidence}")
    return float(sps.norm.ppf(0.5 + confidence / 2.0))


def _check_counts(successes: int, trials: int, name: str) -> None:
    if trials <= 0 or successes < 0 or successes > trials:
        raise StatisticsError(f"{name}: need 0 <= successes <= trials and trials > 0, got {successes}/{trials}")


# --- proportions ---------------------------------------------------------------------------


def wilson_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for one proportion (Wilson 1927), by ``scipy.stats.binomtest``.

    ``(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)``; unlike the Wald
    interval it stays inside [0, 1] and behaves near 0 and 1.
    """
    _check_counts(successes, trials, "wilson_interval")
    _z_for(confidence)  # the same message for a confidence out of (0, 1) as every other function here
    ci = sps.binomtest(successes, trials).proportion_ci(confidence_level=confidence, method="wilson")
    return (float(ci.low), float(ci.high))


@dataclass(frozen=True)
class ProportionComparison:
    """B against A: rates, their difference with a Newcombe interval, relative lift, z and p."""

    successes_a: int
    trials_a: int
    successes_b: int
    trials_b: int
    rate_a: float
    rate_b: float
    difference: float
    difference_ci: tuple[float, float]
    lift: float | None
    lift_ci: tuple[float, float] | None
    z: float
    p_value: float
    confidence: float

    @property
    def significant(self) -> bool:
        return self.p_value < 1.0 - self.confidence


def two_proportion_ztest(
    successes_a: int, trials_a: int, successes_b: int, trials_b: int, *, confidence: float = 0.95
) -> ProportionComparison:
    """Two-sided two-proportion z-test with the pooled standard error.

    ``z = (p_B - p_A) / sqrt(p(1-p)(1/n_A + 1/n_B))`` with ``p`` the pooled rate;
    ``z²`` equals Pearson's chi-square on the 2×2 table without continuity
    correction. The difference's interval is Newcombe's hybrid score interval
    (Newcombe 1998, method 10), built from the two Wilson intervals. The
    relative lift ``p_B/p_A - 1`` gets the Katz log interval for a risk ratio:
    ``exp(ln RR ± z·sqrt(1/x_B - 1/n_B + 1/x_A - 1/n_A)) - 1`` (undefined, and
    ``None``, when either group has no successes).
    """
    _check_counts(successes_a, trials_a, "group A")
    _check_counts(successes_b, trials_b, "group B")
    p_a = successes_a / trials_a
    p_b = successes_b / trials_b
    pooled = (successes_a + successes_b) / (trials_a + trials_b)
    se = math.sqrt(pooled * (1 - pooled) * (1 / trials_a + 1 / trials_b))
    if se == 0.0:
        z, p_value = 0.0, 1.0
    else:
        z = (p_b - p_a) / se
        p_value = float(2.0 * sps.norm.sf(abs(z)))
    l_a, u_a = wilson_interval(successes_a, trials_a, confidence)
    l_b, u_b = wilson_interval(successes_b, trials_b, confidence)
    diff = p_b - p_a
    ci = (
        diff - math.sqrt((p_b - l_b) ** 2 + (u_a - p_a) ** 2),
        diff + math.sqrt((u_b - p_b) ** 2 + (p_a - l_a) ** 2),
    )
    lift: float | None = None
    lift_ci: tuple[float, float] | None = None
    if successes_a > 0:
        lift = p_b / p_a - 1.0
        if successes_b > 0:
            zc = _z_for(confidence)
            se_log = math.sqrt(1 / successes_b - 1 / trials_b + 1 / successes_a - 1 / trials_a)
            log_rr = math.log(p_b / p_a)
            lift_ci = (math.exp(log_rr - zc * se_log) - 1.0, math.exp(log_rr + zc * se_log) - 1.0)
    return ProportionComparison(
        successes_a, trials_a, successes_b, trials_b, p_a, p_b, diff, ci, lift, lift_ci, z, p_value, confidence
    )


def probability_b_beats_a(
    successes_a: int, trials_a: int, successes_b: int, trials_b: int, *, prior: tuple[float, float] = (1.0, 1.0)
) -> float:
    """Bayesian ``P(p_B > p_A)`` under independent Beta-Binomial models, in closed form.

    With posteriors ``Beta(α_A, β_A)`` and ``Beta(α_B, β_B)`` (prior plus
    successes / failures) and integer ``α_B``, Evan Miller's (2015) exact sum is
    ``Σ_{i=0}^{α_B-1} B(α_A+i, β_A+β_B) / ((β_B+i) · B(1+i, β_B) · B(α_A, β_A))``,
    evaluated here in log space so that thousands of conversions do not
    overflow. The default prior is the uniform ``Beta(1, 1)``; the prior's ``α``
    must be a whole number for the sum to be exact.
    """
    _check_counts(successes_a, trials_a, "group A")
    _check_counts(successes_b, trials_b, "group B")
    a0, b0 = prior
    if a0 <= 0 or b0 <= 0 or a0 != int(a0):
        raise StatisticsError(f"the prior must be Beta(α, β) with a whole α > 0 and β > 0, got {prior}")
    alpha_a, beta_a = a0 + successes_a, b0 + trials_a - successes_a
    alpha_b, beta_b = a0 + successes_b, b0 + trials_b - successes_b
    i = np.arange(int(alpha_b), dtype=float)
    log_terms = (
        special.betaln(alpha_a + i, beta_a + beta_b)
        - np.log(beta_b + i)
        - special.betaln(1.0 + i, beta_b)
        - special.betaln(alpha_a, beta_a)
    )
    return float(min(1.0, max(0.0, np.exp(special.logsumexp(log_terms)))))


# --- means ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeanComparison:
    """B against A: means, their difference with a Welch interval, t, degrees of freedom, p."""

    mean_a: float
    mean_b: float
    difference: float
    difference_ci: tuple[float, float]
    t: float
    df: float
    p_value: float
    confidence: float

    @property
    def significant(self) -> bool:
        return self.p_value < 1.0 - self.confidence


def welch_ttest_from_stats(
    mean_a: float, var_a: float, n_a: int, mean_b: float, var_b: float, n_b: int, *, confidence: float = 0.95
) -> MeanComparison:
    """Welch's unequal-variance t-test from summary statistics (Welch 1947): t and p by
    ``scipy.stats.ttest_ind_from_stats(equal_var=False)``.

    ``t = (m_B - m_A) / sqrt(s_A²/n_A + s_B²/n_B)`` with the Welch–Satterthwaite
    degrees of freedom ``(s_A²/n_A + s_B²/n_B)² / ((s_A²/n_A)²/(n_A-1) + (s_B²/n_B)²/(n_B-1))``,
    which the difference's interval needs (scipy's from-stats result does not carry them);
    variances are the unbiased sample variances (``ddof=1``). Summary
    statistics are what a HogQL query returns (avg, varSamp, count).
    """
    if n_a < 2 or n_b < 2:
        raise StatisticsError(f"Welch's t-test needs at least 2 values per group, got {n_a} and {n_b}")
    if var_a < 0 or var_b < 0:
        raise StatisticsError("variances cannot be negative")
    va, vb = var_a / n_a, var_b / n_b
    se = math.sqrt(va + vb)
    diff = mean_b - mean_a
    if se == 0.0:
        return MeanComparison(mean_a, mean_b, diff, (diff, diff), 0.0, float(n_a + n_b - 2), 1.0, confidence)
    df = (va + vb) ** 2 / (va**2 / (n_a - 1) + vb**2 / (n_b - 1))
    result = sps.ttest_ind_from_stats(mean_b, math.sqrt(var_b), n_b, mean_a, math.sqrt(var_a), n_a, equal_var=False)
    t, p_value = float(result.statistic), float(result.pvalue)
    tc = float(sps.t.ppf(0.5 + confidence / 2.0, df))
    return MeanComparison(mean_a, mean_b, diff, (diff - tc * se, diff + tc * se), t, df, p_value, confidence)


def welch_ttest(
    sample_a: Sequence[float] | np.ndarray, sample_b: Sequence[float] | np.ndarray, *, confidence: float = 0.95
) -> MeanComparison:
    """Welch's t-test on raw samples (see ``welch_ttest_from_stats``)."""
    a = np.asarray(sample_a, dtype=float)
    b = np.asarray(sample_b, dtype=float)
    if a.size < 2 or b.size < 2:
        raise StatisticsError(f"Welch's t-test needs at least 2 values per group, got {a.size} and {b.size}")
    return welch_ttest_from_stats(
        float(a.mean()),
        float(a.var(ddof=1)),
        int(a.size),
        float(b.mean()),
        float(b.var(ddof=1)),
        int(b.size),
        confidence=confidence,
    )


# --- experiments ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleRatioCheck:
    """Whether observed group sizes fit the planned split (a failed check voids a readout)."""

    observed: tuple[int, ...]
    expected: tuple[float, ...]
    chi2: float
    p_value: float
    threshold: float

    @property
    def mismatch(self) -> bool:
        return self.p_value < self.threshold


def sample_ratio_mismatch(
    counts: Sequence[int], weights: Sequence[float] | None = None, *, threshold: float = 0.001
) -> SampleRatioCheck:
    """Pearson's chi-square goodness-of-fit of group sizes against the planned split (``scipy.stats.chisquare``).

    ``χ² = Σ (O_i - E_i)² / E_i`` with ``E_i = N·w_i/Σw``, ``k-1`` degrees of
    freedom. The customary SRM threshold is p < 0.001 (Fabijan et al. 2019):
    a stricter bar than for effects because the check runs on every experiment.
    """
    observed = np.asarray(counts, dtype=float)
    if observed.size < 2 or (observed < 0).any() or observed.sum() <= 0:
        raise StatisticsError(f"a sample-ratio check needs at least two non-negative group sizes, got {list(counts)}")
    w = np.ones_like(observed) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != observed.shape or (w <= 0).any():
        raise StatisticsError("the planned split needs one positive weight per group")
    expected = observed.sum() * w / w.sum()
    result = sps.chisquare(observed, expected)
    chi2, p_value = float(result.statistic), float(result.pvalue)
    return SampleRatioCheck(tuple(int(c) for c in counts), tuple(float(e) for e in expected), chi2, p_value, threshold)


# --- change points -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChangePoint:
    """The most likely single shift in a series' mean, and whether it beats chance.

    ``index`` is the position of the first value of the new level (``None`` when
    the series is too short to split).
    """

    index: int | None
    before_mean: float
    after_mean: float
    statistic: float
    p_value: float
    alpha: float

    @property
    def significant(self) -> bool:
        return self.index is not None and self.p_value < self.alpha


def _max_between_ss(values: np.ndarray, weights: np.ndarray, min_segment: int) -> tuple[np.ndarray, np.ndarray]:
    """Per column of ``values`` (the series runs down axis 0): the largest weighted between-segment sum of squares and its split index.

    For a split before position k, ``S(k) = W₁W₂/W · (m₁ - m₂)²`` (weighted
    means ``m``, weight totals ``W``): the reduction in the weighted residual
    sum of squares from fitting two means instead of one. Series run down
    axis 0 so that the cumulative sums stream through memory.
    """
    n = values.shape[0]
    wx = np.cumsum(values * weights, axis=0)
    w = np.cumsum(weights, axis=0)
    k = np.arange(min_segment, n - min_segment + 1)
    w1, x1 = w[k - 1], wx[k - 1]
    w_all, x_all = w[-1], wx[-1]
    w2, x2 = w_all - w1, x_all - x1
    valid = (w1 > 0) & (w2 > 0)
    m1 = np.divide(x1, w1, out=np.zeros_like(x1), where=valid)
    m2 = np.divide(x2, w2, out=np.zeros_like(x2), where=valid)
    s = np.divide(w1 * w2, w_all, out=np.zeros_like(w1), where=valid) * (m1 - m2) ** 2
    best = s.argmax(axis=0)
    return s.max(axis=0), k[best]


@lru_cache(maxsize=16)
def _permutations(n: int, count: int, seed: int) -> np.ndarray:
    """``count`` random orderings of ``n`` positions, one per column, the same for the same arguments (read-only, shared)."""
    order = np.argsort(np.random.default_rng(seed).random((n, count)), axis=0)
    order.setflags(write=False)
    return order


def best_split(
    values: Sequence[float] | np.ndarray, weights: Sequence[float] | np.ndarray | None = None, *, min_segment: int = 3
) -> tuple[int, float]:
    """The split index maximising the weighted between-segment sum of squares, and that maximum.

    This is the least-squares estimate of a single mean shift's position
    (Hinkley 1970), without any claim about its significance: a caller that
    tests the two sides itself must correct for having picked the best of
    ``len(values) - 2*min_segment + 1`` splits (e.g. Bonferroni).
    """
    x = np.asarray(values, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    if x.size < 2 * min_segment:
        raise StatisticsError(f"a split needs at least {2 * min_segment} values, got {x.size}")
    stat, split = _max_between_ss(x, w, min_segment)
    return int(split), float(stat)


def detect_change_point(
    values: Sequence[float],
    weights: Sequence[float] | None = None,
    *,
    min_segment: int = 3,
    alpha: float = 0.01,
    permutations: int = 999,
    seed: int = 0,
) -> ChangePoint:
    """One shift in the (weighted) mean of a series: least squares with a permutation test.

    Method (Hinkley 1970; the first step of binary segmentation, Scott & Knott
    1974): for every split leaving at least ``min_segment`` values on each side,
    compute the weighted between-segment sum of squares ``S(k)`` (see
    ``_max_between_ss``) and take the split maximising it. Because the maximum
    over all splits is large even for pure noise, its significance comes from a
    permutation test (Pettitt-style, distribution-free): the series is shuffled
    ``permutations`` times with a fixed ``seed`` (so a given series always gets
    the same answer), and ``p = (1 + #{max S_perm >= max S}) / (permutations + 1)``.
    A flat series gives a large p and no change point.

    For a daily conversion rate pass the day's trials as ``weights``, so that a
    quiet day counts for less than a busy one.
    """
    x = np.asarray(values, dtype=float)
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != x.shape or (w < 0).any():
        raise StatisticsError("change-point weights must be non-negative, one per value")
    if not np.isfinite(x).all():
        raise StatisticsError("change-point values must be finite numbers")
    total_w = float(w.sum())
    overall = float((x * w).sum() / total_w) if total_w > 0 else 0.0
    if x.size < 2 * min_segment or total_w <= 0:
        return ChangePoint(None, overall, overall, 0.0, 1.0, alpha)
    k, observed = best_split(x, w, min_segment=min_segment)
    order = _permutations(x.size, permutations, seed)
    perm_stats, _ = _max_between_ss(x[order], w[order], min_segment)
    p_value = float((1 + np.count_nonzero(perm_stats >= observed * (1 - 1e-12))) / (permutations + 1))
    if observed == 0.0:
        p_value = 1.0
    w1, w2 = w[:k].sum(), w[k:].sum()
    before = float((x[:k] * w[:k]).sum() / w1) if w1 > 0 else overall
    after = float((x[k:] * w[k:]).sum() / w2) if w2 > 0 else overall
    return ChangePoint(k, before, after, observed, p_value, alpha)


# --- contributions to a change ---------------------------------------------------------------


@dataclass(frozen=True)
class SegmentContribution:
    """How much of a rate's change one segment accounts for (shift-share terms sum to its total)."""

    segment: str
    trials_before: float
    successes_before: float
    trials_after: float
    successes_after: float
    rate_before: float | None
    rate_after: float | None
    mix_effect: float
    rate_effect: float
    interaction: float
    contribution: float
    share_of_change: float | None


def rate_change_contributions(
    before: Mapping[str, tuple[float, float]], after: Mapping[str, tuple[float, float]]
) -> list[SegmentContribution]:
    """Shift-share decomposition of a change in an overall rate into per-segment terms.

    The overall rate is ``R = Σ w_i r_i`` (``w_i`` a segment's share of trials,
    ``r_i`` its rate), so ``ΔR = Σ [Δw_i·r_i (mix) + w_i·Δr_i (rate) + Δw_i·Δr_i
    (interaction)]`` exactly. A segment's contribution is the sum of its three
    terms; ``share_of_change`` is that over ``ΔR``. A segment absent on one side
    has rate 0 there. ``before``/``after`` map a segment to ``(trials, successes)``.
    Returned largest absolute contribution first.
    """
    t_before = sum(t for t, _ in before.values())
    t_after = sum(t for t, _ in after.values())
    if t_before <= 0 or t_after <= 0:
        raise StatisticsError("both periods need at least one trial to decompose a rate change")
    total_change = sum(s for _, s in after.values()) / t_after - sum(s for _, s in before.values()) / t_before
    result = []
    for seg in dict.fromkeys([*before, *after]):
        tb, sb = before.get(seg, (0.0, 0.0))
        ta, sa = after.get(seg, (0.0, 0.0))
        rb = sb / tb if tb > 0 else None
        ra = sa / ta if ta > 0 else None
        wb, wa = tb / t_before, ta / t_after
        r0, r1 = rb or 0.0, ra or 0.0
        mix, rate, inter = (wa - wb) * r0, wb * (r1 - r0), (wa - wb) * (r1 - r0)
        contribution = mix + rate + inter
        share = contribution / total_change if total_change != 0 else None
        result.append(SegmentContribution(seg, tb, sb, ta, sa, rb, ra, mix, rate, inter, contribution, share))
    return sorted(result, key=lambda c: -abs(c.contribution))


def total_change_contributions(
    before: Mapping[str, float], after: Mapping[str, float]
) -> list[tuple[str, float, float | None]]:
    """Per segment, its change and its share of the change of an additive total (counts, revenue).

    For a sum, ``ΔT = Σ Δ_i`` exactly, so a segment's contribution is its own
    change. Returns ``(segment, change, share_of_change)``, largest absolute change first.
    """
    total = sum(after.values()) - sum(before.values())
    rows = []
    for seg in dict.fromkeys([*before, *after]):
        delta = after.get(seg, 0.0) - before.get(seg, 0.0)
        rows.append((seg, delta, delta / total if total != 0 else None))
    return sorted(rows, key=lambda r: -abs(r[1]))


@dataclass(frozen=True)
class SeriesShift:
    """One series' best single shift, its chi-square size, and its family-wise adjusted p-value."""

    index: int
    before_mean: float
    after_mean: float
    chi2: float
    p_adjusted: float


def scan_shifts(
    values: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    kind: str = "rate",
    min_segment: int = 3,
    permutations: int = 999,
    seed: int = 0,
) -> list[SeriesShift]:
    """The best single shift in each of many series, with p-values adjusted for every series and split scanned.

    ``values`` is days × series (a column per segment). Each column's best
    split is its least-squares shift (``best_split``); its size is put on a
    chi-square scale so columns compare: for ``kind="rate"`` (daily rates,
    ``weights`` the daily trials) ``S(k) / (p̄(1-p̄))``, which is exactly
    Pearson's chi-square of the before/after × success/failure table; for
    ``kind="count"`` (daily counts, no weights) ``S(k) / m̄``, the Poisson
    analogue. Significance is the single-step maxT permutation method
    (Westfall & Young 1993): the days are shuffled jointly for all columns
    (keeping their correlation, e.g. Safari and macOS), the largest
    chi-square over all columns and splits is recorded per shuffle, and a
    column's adjusted p is the share of shuffles whose maximum reaches its
    own. This controls the family-wise error over every segment and split
    without Bonferroni's penalty for the splits' strong correlation.
    """
    x = np.asarray(values, dtype=float)
    if x.ndim != 2 or x.shape[0] < 2 * min_segment:
        raise StatisticsError(f"a scan needs a days × series array with at least {2 * min_segment} days")
    w = np.ones_like(x) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != x.shape or (w < 0).any():
        raise StatisticsError("scan weights must be non-negative, one per value")
    if kind not in ("rate", "count"):
        raise StatisticsError(f"kind must be 'rate' or 'count', not {kind!r}")
    total_w = w.sum(axis=0)
    mean = np.divide((x * w).sum(axis=0), total_w, out=np.zeros(x.shape[1]), where=total_w > 0)
    scale = mean * (1 - mean) if kind == "rate" else mean
    inverse = np.divide(1.0, scale, out=np.zeros_like(scale), where=scale > 0)
    stat, split = _max_between_ss(x, w, min_segment)
    chi2 = stat * inverse
    order = _permutations(x.shape[0], permutations, seed)
    perm_stat, _ = _max_between_ss(x[order], w[order], min_segment)
    perm_max = (perm_stat * inverse).max(axis=-1)
    result = []
    for j in range(x.shape[1]):
        k = int(split[j])
        wb, wa = w[:k, j].sum(), w[k:, j].sum()
        before = float((x[:k, j] * w[:k, j]).sum() / wb) if wb > 0 else 0.0
        after = float((x[k:, j] * w[k:, j]).sum() / wa) if wa > 0 else 0.0
        p = (
            1.0
            if chi2[j] <= 0
            else float((1 + np.count_nonzero(perm_max >= chi2[j] * (1 - 1e-12))) / (permutations + 1))
        )
        result.append(SeriesShift(k, before, after, float(chi2[j]), p))
    return result


@dataclass(frozen=True)
class Interaction:
    """How much more a segment's odds changed than the rest's: the ratio of the two odds ratios, with z and p."""

    ratio_of_odds_ratios: float
    z: float
    p_value: float


def odds_ratio_interaction(
    segment_before: tuple[int, int],
    segment_after: tuple[int, int],
    rest_before: tuple[int, int],
    rest_after: tuple[int, int],
) -> Interaction:
    """Whether a before/after change differs between a segment and the rest (Altman & Bland 2003, BMJ 326:219).

    Each argument is ``(successes, trials)``. The change within a group is
    its odds ratio after vs before; the interaction is the ratio of the
    segment's odds ratio to the rest's, tested on the log scale with
    Woolf's standard error ``sqrt(Σ 1/cell)`` over the eight cells. A zero
    cell gets 0.5 added to every cell of its 2×2 table (Haldane-Anscombe).
    A change confined to one segment (a Safari-only break) gives a ratio far
    from 1; a change shared by everyone gives a ratio near 1.
    """

    def log_or(before: tuple[int, int], after: tuple[int, int]) -> tuple[float, float]:
        cells = [float(before[0]), float(before[1] - before[0]), float(after[0]), float(after[1] - after[0])]
        if min(cells) < 0:
            raise StatisticsError(f"need 0 <= successes <= trials, got {before} and {after}")
        if min(cells) == 0:
            cells = [c + 0.5 for c in cells]
        xb, fb, xa, fa = cells
        return math.log((xa / fa) / (xb / fb)), sum(1 / c for c in cells)

    seg, seg_var = log_or(segment_before, segment_after)
    rest, rest_var = log_or(rest_before, rest_after)
    z = (seg - rest) / math.sqrt(seg_var + rest_var)
    return Interaction(math.exp(seg - rest), z, float(2 * sps.norm.sf(abs(z))))
