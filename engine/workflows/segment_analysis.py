"""Diagnose, step 4: in whom the change happened, ranked by how much of it each segment explains.

The input is one daily series per (property, segment): entrants and converters
for a conversion, events and amount for a count or revenue. The periods come
from the confirm step's change day when it found one; otherwise each
segment's own best split is scanned, so that a break confined to one segment
(too small to move the total significantly) is still found. Scanning many
segments and split days is many tests: with the confirmed day, segment
p-values are Bonferroni-corrected for the number of segments; when scanned,
they are maxT permutation-adjusted over every segment and split
(``stats.scan_shifts``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

import numpy as np

from ..backends.base import Table
from ..errors import WorkflowError
from ..format import pct
from ..stats import (
    SeriesShift,
    odds_ratio_interaction,
    rate_change_contributions,
    scan_shifts,
    total_change_contributions,
    two_proportion_ztest,
    welch_ttest,
)
from .analysis_base import Outcome, StepInput, as_date, day_text, p_text, to_float
from .diagnose_common import complete_days, format_value, metric_label, metric_of, ranges_around, window_of


@dataclass(frozen=True)
class _Series:
    """One segment's daily numerator, denominator (1 per day for volumes) and event count."""

    num: np.ndarray
    den: np.ndarray
    events: np.ndarray


@dataclass(frozen=True)
class _Shift:
    """One segment (or the rest of its property) before vs after, with the raw p-value of the difference."""

    before: float
    after: float
    p_value: float

    @property
    def relative(self) -> float | None:
        return (self.after - self.before) / self.before if self.before else None


def _series(table: Table, days: list[date], measure: str) -> dict[tuple[str, str], _Series]:
    cols = ("entered", "converted") if measure == "conversion" else ("events", "amount")
    index = {d: i for i, d in enumerate(days)}
    found: dict[tuple[str, str], _Series] = {}
    for r in table.records():
        i = index.get(as_date(r["day"]))
        if i is None:
            continue
        key = (str(r["dimension"]), str(r["segment"]) if r["segment"] not in (None, "") else "(none)")
        s = found.get(key)
        if s is None:
            n = len(days)
            s = found[key] = _Series(np.zeros(n), np.zeros(n) if measure == "conversion" else np.ones(n), np.zeros(n))
        first, second = to_float(r[cols[0]]), to_float(r[cols[1]])
        if measure == "conversion":
            s.num[i] += second
            s.den[i] += first
            s.events[i] += first
        else:
            s.num[i] += first if measure == "count" else second
            s.events[i] += first
    return found


def _shift(measure: str, s: _Series, split: int) -> _Shift:
    """The segment's metric before vs after ``split``: z-test for a rate, Welch's t on the daily values for volumes.

    Daily counts swing with the week far more than a Poisson count would, so
    a Poisson test on the totals would call ordinary weekly noise a change;
    Welch's t uses the variance the days actually show.
    """
    if measure == "conversion":
        tb, ta = s.den[:split].sum(), s.den[split:].sum()
        if tb <= 0 or ta <= 0:
            return _Shift(0.0, 0.0, 1.0)
        t = two_proportion_ztest(int(s.num[:split].sum()), int(tb), int(s.num[split:].sum()), int(ta))
        return _Shift(t.rate_a, t.rate_b, t.p_value)
    test = welch_ttest(s.num[:split], s.num[split:])
    return _Shift(test.mean_a, test.mean_b, test.p_value)


def _rest(series: Mapping[tuple[str, str], _Series], dim: str, seg: str, measure: str) -> _Series | None:
    parts = [s for (d, g), s in series.items() if d == dim and g != seg]
    if not parts:
        return None
    den = cast(np.ndarray, sum(p.den for p in parts)) if measure == "conversion" else parts[0].den
    return _Series(cast(np.ndarray, sum(p.num for p in parts)), den, cast(np.ndarray, sum(p.events for p in parts)))


def _scan(
    series: Mapping[tuple[str, str], _Series], measure: str, min_segment: int, permutations: int, min_events: int
) -> dict[tuple[str, str], SeriesShift]:
    """Each segment's best shift with its maxT-adjusted p (``stats.scan_shifts``); volumes are scanned as event counts.

    Segments with fewer than ``min_events`` entrants (or events) are left out:
    they cannot explain much of a change, and their noisy chi-squares would
    raise the bar for everyone in the maxT adjustment.
    """
    keys = [k for k, s in series.items() if s.events.sum() >= max(2 * min_segment, min_events)]
    if not keys:
        return {}
    if measure == "conversion":
        den = np.column_stack([series[k].den for k in keys])
        num = np.column_stack([series[k].num for k in keys])
        rates = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
        shifts = scan_shifts(rates, den, kind="rate", min_segment=min_segment, permutations=permutations)
    else:
        counts = np.column_stack([series[k].events for k in keys])
        shifts = scan_shifts(counts, kind="count", min_segment=min_segment, permutations=permutations)
    return dict(zip(keys, shifts))


def _concentration(measure: str, series: Mapping[tuple[str, str], _Series], dim: str, seg: str, split: int) -> float:
    """How much more the segment changed than the rest of its property (0 when there is no rest).

    For a conversion, |z| of the ratio of odds ratios (``stats.odds_ratio_interaction``):
    a Safari-only break stands out against the other browsers, whereas "new
    users", who include many Safari users, changed much like returning ones.
    For volumes, the gap between the two groups' log ratios of after to before.
    """
    own, rest = series[(dim, seg)], _rest(series, dim, seg, measure)
    if rest is None:
        return 0.0
    if measure == "conversion":

        def counts(s: _Series, part: slice) -> tuple[int, int]:
            return int(s.num[part].sum()), int(s.den[part].sum())

        before, after = slice(0, split), slice(split, None)
        if min(counts(own, before)[1], counts(own, after)[1], counts(rest, before)[1], counts(rest, after)[1]) <= 0:
            return 0.0
        return abs(
            odds_ratio_interaction(counts(own, before), counts(own, after), counts(rest, before), counts(rest, after)).z
        )

    def log_ratio(s: _Series) -> float:
        return math.log((s.num[split:].mean() + 0.5) / (s.num[:split].mean() + 0.5))

    return abs(log_ratio(own) - log_ratio(rest))


def _contributions(
    series: Mapping[tuple[str, str], _Series], dim: str, split: int, measure: str
) -> dict[str, float | None]:
    segs = {g: s for (d, g), s in series.items() if d == dim}
    if measure == "conversion":
        before = {g: (float(s.den[:split].sum()), float(s.num[:split].sum())) for g, s in segs.items()}
        after = {g: (float(s.den[split:].sum()), float(s.num[split:].sum())) for g, s in segs.items()}
        if sum(t for t, _ in before.values()) <= 0 or sum(t for t, _ in after.values()) <= 0:
            return {}
        return {c.segment: c.share_of_change for c in rate_change_contributions(before, after)}
    n = len(next(iter(segs.values())).num)
    before_v = {g: float(s.num[:split].sum()) / split for g, s in segs.items()}
    after_v = {g: float(s.num[split:].sum()) / (n - split) for g, s in segs.items()}
    return {g: share for g, _, share in total_change_contributions(before_v, after_v)}


def _split(
    inp: StepInput,
    series: Mapping[tuple[str, str], _Series],
    days: list[date],
    measure: str,
    min_segment: int,
    alpha: float,
) -> tuple[int, str, dict[tuple[str, str], float]] | str:
    """Where "before" ends, why, and each segment's adjusted p-value there; or why there is no split.

    In order of preference: the days of known changes (releases, new flags),
    fixed before looking at the data (Bonferroni over segments × days; the
    smallest p wins if below ``alpha``), because a dated release explains a
    break better than a change point estimated a few noisy days away; the
    confirm step's change day (Bonferroni over segments); else a scan of
    every day (``_scan``, maxT-adjusted).
    """
    valid = range(min_segment, len(days) - min_segment + 1)
    candidates = [days.index(d) for d in inp.params.get("candidate_days") or () if d in days and days.index(d) in valid]
    if candidates:
        tests = len(series) * len(candidates)
        best: tuple[float, int] | None = None
        for split in candidates:
            p = min(_shift(measure, s, split).p_value for s in series.values()) * tests
            if best is None or p < best[0]:
                best = (p, split)
        if best is not None and best[0] < alpha:
            split = best[1]
            return (
                split,
                f"a known change on {day_text(days[split])}",
                {k: min(1.0, _shift(measure, s, split).p_value * tests) for k, s in series.items()},
            )
    split_day = inp.params.get("split_day")
    if isinstance(split_day, date) and split_day in days and days.index(split_day) in valid:
        split = days.index(split_day)
        return (
            split,
            "the confirmed change",
            {k: min(1.0, _shift(measure, s, split).p_value * len(series)) for k, s in series.items()},
        )
    scanned = _scan(
        series, measure, min_segment, int(inp.params.get("permutations", 999)), int(inp.params.get("min_events", 30))
    )
    if not scanned:
        return "too little data per segment"
    strongest = min(scanned, key=lambda k: (scanned[k].p_adjusted, -scanned[k].chi2))
    if scanned[strongest].p_adjusted >= alpha:
        return f"strongest: {' = '.join(strongest)}, adjusted {p_text(scanned[strongest].p_adjusted)}"
    return (
        scanned[strongest].index,
        f"a break in {' = '.join(strongest)}",
        {k: scanned[k].p_adjusted if k in scanned else 1.0 for k in series},
    )


def _note_near(inp: StepInput, day: date) -> str | None:
    """The known change closest to ``day``, within ``note_window_days``."""
    window = int(inp.params.get("note_window_days", 2))
    near = sorted(
        (abs((d - day).days), text) for d, text in inp.params.get("notes") or () if abs((d - day).days) <= window
    )
    return near[0][1] if near else None


def segment_shift(inp: StepInput) -> Outcome:
    """Rank every candidate segment by its share of the change and name the culprit, if one stands out.

    The culprit explains at least ``min_share`` of its property's change, has
    a significant shift after correction, and of those is the one whose change
    stands out most from the rest of its property (``_concentration``): a
    broad segment that merely contains the broken one also explains a large
    share and shifts significantly, but changed like its complement; the rest of
    its property is then tested as one group to say whether it moved too. A
    property where one segment holds ``max_traffic_share`` of the traffic or
    more is not ranked: that segment is the whole and explains nothing.
    """
    metric = metric_of(inp)
    table = inp.table
    if table is None:
        raise WorkflowError("the segment step returned no table")
    measure = "conversion" if "entered" in table.columns else metric
    if measure == "conversion":
        inp.require_table("dimension", "segment", "day", "entered", "converted")
    else:
        inp.require_table("dimension", "segment", "day", "events", "amount")
    window = window_of(inp)
    days = complete_days(window)
    alpha = float(inp.params.get("alpha", 0.01))
    min_share = float(inp.params.get("min_share", 0.5))
    min_segment = int(inp.params.get("min_segment", 3))
    series = _series(table, days, measure)
    if not series or len(days) < 2 * min_segment:
        return Outcome("Too little data per segment to compare.", {"steady": True})
    label = metric_label(measure, inp.slots)
    chosen = _split(inp, series, days, measure, min_segment, alpha)
    if isinstance(chosen, str):
        return Outcome(
            f"No segment's {label[0].lower() + label[1:]} shifted beyond chance ({chosen}).", {"steady": True}
        )
    split, source, adjusted = chosen
    rows = []
    max_traffic = float(inp.params.get("max_traffic_share", 0.8))
    for dim in dict.fromkeys(d for d, _ in series):
        traffic = {g: float(s.events.sum()) for (d, g), s in series.items() if d == dim}
        total = sum(traffic.values())
        if total <= 0 or max(traffic.values()) / total >= max_traffic:
            continue  # one segment is (nearly) everyone: it "explains" any change and says nothing
        for seg, share in _contributions(series, dim, split, measure).items():
            rows.append((dim, seg, _shift(measure, series[(dim, seg)], split), share, adjusted[(dim, seg)]))
    rows.sort(key=lambda r: (r[4] >= alpha, -(r[3] or 0.0)))  # significant shifts first, each by share of change
    before_range, after_range = ranges_around(window, days, split)
    facts: dict[str, Any] = {
        "change_day": days[split],
        "change_date": day_text(days[split]),
        "split_source": source,
        "before_range": before_range,
        "after_range": after_range,
        "metric_label": label,
        "metric_label_lower": label[0].lower() + label[1:],
    }
    note = _note_near(inp, days[split])
    if note:
        facts["annotation"] = note
    eligible = [r for r in rows if (r[3] or 0.0) >= min_share and r[4] < alpha and r[2].after != r[2].before]
    culprit = max(eligible, key=lambda r: _concentration(measure, series, r[0], r[1], split)) if eligible else None
    rows.sort(key=lambda r: r is not culprit)  # stable: the culprit on top, the rest as ranked
    shown = Table(
        ("property", "segment", "before", "after", "share_of_change", "p_adjusted"),
        ("String", "String", "String", "String", "Float64", "Float64"),
        tuple(
            (d, g, format_value(measure, s.before), format_value(measure, s.after), share, p)
            for d, g, s, share, p in rows[: int(inp.params.get("top", 12))]
        ),
    )
    if culprit is None:
        facts["diffuse"] = True
        return Outcome(
            f"Split at {facts['change_date']} ({source}), no single segment explains at least "
            f"{pct(min_share)} of the change significantly.",
            facts,
            shown,
        )
    dim, seg, shift, share, p_corr = culprit
    name, plural = _labels(inp.params.get("labels"), dim)
    rest = _rest(series, dim, seg, measure)
    others_text = f"it is the only {name} seen"
    if rest is not None:
        o = _shift(measure, rest, split)
        moved = o.p_value < alpha and abs(o.relative or 0.0) >= float(inp.params.get("unchanged_below", 0.1))
        change = f"{format_value(measure, o.before)} → {format_value(measure, o.after)}"
        others_text = f"other {plural} {'moved too' if moved else 'show no significant change'} ({change})"
        facts["others_unchanged" if not moved else "others_moved"] = True
    facts.update(
        culprit=True,
        property=dim,
        property_label=name,
        segment=seg,
        segment_label=f"{seg} users",
        before_fmt=format_value(measure, shift.before),
        after_fmt=format_value(measure, shift.after),
        direction="fell" if shift.after < shift.before else "rose",
        share_fmt=pct(share),
        p_fmt=p_text(p_corr),
        others_text=others_text,
    )
    summary = (
        f"{label} for {seg} users ({name}) {facts['direction']} from {facts['before_fmt']} to "
        f"{facts['after_fmt']} from {facts['change_date']}, {pct(share)} of the change "
        f"(adjusted {p_text(p_corr)}); {others_text}."
    )
    return Outcome(summary, facts, shown)


def _labels(labels: Any, dimension: str) -> tuple[str, str]:
    """A property's name in a sentence and its plural ("browser", "browsers"), from the workflow's labels option."""
    names = (labels or {}).get(dimension) if isinstance(labels, Mapping) else None
    if isinstance(names, list) and len(names) == 2:
        return str(names[0]), str(names[1])
    plain = dimension.split(".")[-1].lstrip("$").replace("_", " ")
    return plain, f"{plain} values"


ANALYSES = {"segment_shift": segment_shift}
