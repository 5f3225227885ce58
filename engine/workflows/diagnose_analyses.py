"""The conclusions of the diagnose workflow: is there a change, where in the funnel, in whom, after what.

Each function is one step's analysis, referenced by name from a workflow
file. The statistics are in ``askhog.stats``; here they meet the tables.
"""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from ..backends.base import Table
from ..errors import WorkflowError
from ..format import pct, signed_pct
from ..stats import detect_change_point, two_proportion_ztest, welch_ttest
from .analysis_base import Outcome, StepInput, as_date, day_text, label_of, p_text, to_float
from .diagnose_common import complete_days, format_value, metric_label, metric_of, ranges_around, window_of

# --- step 2: confirm the change ----------------------------------------------------------------


def _daily_totals(inp: StepInput, metric: str, days: list[date]) -> tuple[list[float], list[float]]:
    """Numerator and denominator per complete day (a count's denominator is one day)."""
    if metric == "conversion":
        table = inp.require_table("day", "entered", "converted")
        by_day = {as_date(r["day"]): (to_float(r["converted"]), to_float(r["entered"])) for r in table.records()}
        empty = (0.0, 0.0)
    else:
        table = inp.require_table("period", "value")
        by_day = {as_date(r["period"]): (to_float(r["value"]), 1.0) for r in table.records()}
        empty = (0.0, 1.0)
    return [by_day.get(d, empty)[0] for d in days], [by_day.get(d, empty)[1] for d in days]


def change_point(inp: StepInput) -> Outcome:
    """Confirm a change: the metric per day, the day its level shifted (if it did), and how much.

    The change point is ``stats.detect_change_point`` on the daily values
    (weighted by the day's entrants for a conversion); the size is tested on
    the two periods: a two-proportion z-test for a conversion, Welch's t on
    the daily values for a count or revenue (days vary more than a Poisson
    count would, weekdays against weekends, and Welch's t uses the variance
    the days actually show). Both must pass ``alpha``. With no change, the second half of the
    window is compared with the first (the previous-period baseline) so the
    report still says how flat it was.
    """
    metric = metric_of(inp)
    window = window_of(inp)
    alpha = float(inp.params.get("alpha", 0.01))
    days = complete_days(window)
    if len(days) < 6:
        raise WorkflowError(f"{len(days)} complete days is too short to find a change; ask about a longer period")
    num, den = _daily_totals(inp, metric, days)
    values = _daily_values(num, den)
    cp = detect_change_point(
        values, den if metric == "conversion" else None, alpha=alpha, min_segment=int(inp.params.get("min_segment", 3))
    )
    split = cp.index if cp.significant and cp.index is not None else len(days) // 2
    if metric == "conversion" and (sum(den[:split]) <= 0 or sum(den[split:]) <= 0):
        raise WorkflowError(f"no one did {label_of(inp.slots['steps'][0])} in one of the periods")
    before, after, p_value = _before_after(metric, num, den, split)
    label = metric_label(metric, inp.slots)
    changed = cp.significant and p_value < alpha
    before_range, after_range = ranges_around(window, days, split)
    facts = _shift_facts(metric, label, before, after, p_value)
    facts.update(metric=metric, window_label=window.label, series=[(d, n, m) for d, n, m in zip(days, num, den)])
    if changed:
        facts.update(
            changed=True,
            change_day=days[split],
            change_date=day_text(days[split]),
            before_range=before_range,
            after_range=after_range,
        )
        summary = (
            f"{label} {facts['direction']} from {facts['before_fmt']} to {facts['after_fmt']} "
            f"({facts['relative_fmt']}) starting {facts['change_date']}; change point {p_text(cp.p_value)}, "
            f"before vs after {p_text(p_value)}."
        )
    else:
        facts["unchanged"] = True
        summary = (
            f"No significant change overall: {label[0].lower() + label[1:]} was {facts['before_fmt']} in the "
            f"first half of the period and {facts['after_fmt']} in the second ({facts['relative_fmt']}; change "
            f"point {p_text(cp.p_value)}, halves {p_text(p_value)})."
        )
    table = Table(
        ("day", "value", "numerator", "denominator", "regime"),
        ("Date", "Float64", "Float64", "Float64", "String"),
        tuple(
            (d, v, n, m, "before" if i < split else "after")
            for i, (d, v, n, m) in enumerate(zip(days, values, num, den))
        ),
    )
    return Outcome(summary, facts, table)


def _daily_values(num: list[float], den: list[float]) -> list[float]:
    """Each day's value: its numerator over its denominator (a day with no entrants counts as 0)."""
    return [n / d if d > 0 else 0.0 for n, d in zip(num, den)]


def _before_after(metric: str, num: list[float], den: list[float], split: int) -> tuple[float, float, float]:
    """The metric before and from day ``split`` on, and the p-value of the difference: a two-proportion z-test
    on the summed counts for a conversion, Welch's t on the daily values for a count or revenue."""
    if metric == "conversion":
        test = two_proportion_ztest(
            int(sum(num[:split])), int(sum(den[:split])), int(sum(num[split:])), int(sum(den[split:]))
        )
        return test.rate_a, test.rate_b, test.p_value
    values = _daily_values(num, den)
    means = welch_ttest(values[:split], values[split:])
    return means.mean_a, means.mean_b, means.p_value


def _shift_facts(metric: str, label: str, before: float, after: float, p_value: float) -> dict[str, Any]:
    """What a report says of a level that moved: both levels, the relative change, its p-value, its direction."""
    return {
        "metric_label": label,
        "before_fmt": format_value(metric, before),
        "after_fmt": format_value(metric, after),
        "relative_fmt": signed_pct((after - before) / before if before else None),
        "p_fmt": p_text(p_value),
        "direction": "fell" if after < before else "rose",
    }


def level_at_day(inp: StepInput) -> Outcome:
    """The metric before vs after a given day (the segment step's), from the confirm step's daily ``series``.

    The same tests as the confirm step (z-test for a conversion, Welch's t on
    the daily values for a count or revenue), at the day the segments say
    the change began rather than at the series' own best split.
    """
    metric = metric_of(inp)
    day = inp.params.get("day")
    series = inp.params.get("series") or []
    days = [d for d, _, _ in series]
    if not isinstance(day, date) or day not in days:
        raise WorkflowError("the size of the change needs the confirm step's series and a day inside it")
    split = days.index(day)
    num = [n for _, n, _ in series]
    den = [m for _, _, m in series]
    before, after, p_value = _before_after(metric, num, den, split)
    label = str(inp.params.get("label") or metric_label(metric, inp.slots))
    facts = _shift_facts(metric, label, before, after, p_value)
    if metric != "conversion":
        facts["volume"] = True
    return Outcome(
        f"{label} {facts['direction']} from {facts['before_fmt']} before {day_text(day)} to "
        f"{facts['after_fmt']} after ({facts['relative_fmt']}, {p_text(p_value)}).",
        facts,
    )


# --- step 3: find the step ---------------------------------------------------------------------


def _step_rates(table: Table) -> list[tuple[str, float, float]]:
    """(transition label, users entering it, users completing it) for each step after the first."""
    rows = sorted(table.records(), key=lambda r: int(r["step"]))
    return [
        (f"{prev['event']} → {cur['event']}", to_float(prev["users"]), to_float(cur["users"]))
        for prev, cur in itertools.pairwise(rows)
    ]


def funnel_shift(inp: StepInput) -> Outcome:
    """The funnel transition whose conversion moved most between the two periods (two-proportion z-test each)."""
    before = _step_rates(inp.run("before", "step", "event", "users"))
    after = {label: (n, k) for label, n, k in _step_rates(inp.run("after", "step", "event", "users"))}
    alpha = float(inp.params.get("alpha", 0.01))
    rows, best = [], None
    for label, n_b, k_b in before:
        n_a, k_a = after.get(label, (0.0, 0.0))
        if n_b <= 0 or n_a <= 0:
            continue
        test = two_proportion_ztest(int(k_b), int(n_b), int(k_a), int(n_a))
        rows.append((label, test.rate_a, test.rate_b, test.difference, test.p_value))
        if test.p_value < alpha and (best is None or abs(test.difference) > abs(best[3])):
            best = rows[-1]
    table = Table(
        ("transition", "before", "after", "change", "p_value"),
        ("String", "Float64", "Float64", "Float64", "Float64"),
        tuple(rows),
    )
    if best is None:
        return Outcome(
            "No funnel step's conversion changed significantly between the periods.", {"steady": True}, table
        )
    facts = {"moved": True, "transition": best[0], "before_fmt": pct(best[1]), "after_fmt": pct(best[2])}
    return Outcome(
        f"The step that moved most is {best[0]}: {pct(best[1])} → {pct(best[2])} ({p_text(best[4])}).", facts, table
    )


# --- step 5: behaviour ---------------------------------------------------------------------------


def path_shift(inp: StepInput) -> Outcome:
    """The paths whose share of users moved most between the periods (before and after runs of a paths template)."""
    shares = {}
    for label in ("before", "after"):
        table = inp.run(label, "path", "users")
        total = sum(to_float(u) for u in table.column("users")) or 1.0
        shares[label] = {
            label_of(p) if isinstance(p, (list, tuple)) else str(p): to_float(u) / total
            for p, u in zip(table.column("path"), table.column("users"))
        }
    paths = dict.fromkeys([*shares["before"], *shares["after"]])
    rows = sorted(
        ((p, shares["before"].get(p, 0.0), shares["after"].get(p, 0.0)) for p in paths), key=lambda r: -abs(r[2] - r[1])
    )
    table = Table(
        ("path", "share_before", "share_after", "change"),
        ("String", "Float64", "Float64", "Float64"),
        tuple((p, b, a, a - b) for p, b, a in rows[: int(inp.params.get("top", 10))]),
    )
    threshold = float(inp.params.get("min_change", 0.05))
    if not rows or abs(rows[0][2] - rows[0][1]) < threshold:
        return Outcome(f"No path's share moved by {pct(threshold)} or more.", {"steady": True}, table)
    path, b, a = rows[0]
    facts = {"changed": True, "path": path, "before_fmt": pct(b), "after_fmt": pct(a)}
    return Outcome(f"The path that changed most: {path} ({pct(b)} → {pct(a)} of users' paths).", facts, table)


# --- step 6: external factors --------------------------------------------------------------------


def known_changes(inp: StepInput) -> Outcome:
    """Dated changes inside the window: annotations (releases, campaigns, incidents) and flags first seen in it.

    Their days are candidate start days fixed before looking at the metric,
    so the segment step can test them without paying for a scan of every day.
    A flag first seen on the window's first day was already running; it is
    listed but is not a candidate.
    """
    window = window_of(inp)
    notes: list[tuple[date, str, str]] = []
    for note in inp.backend.annotations():
        if window.start <= note.date < window.end:
            notes.append((note.date.date(), note.content, "annotation"))
    first_day = window.start.date()
    if inp.table is not None and "flag" in inp.table.columns:
        for r in inp.table.records():
            started = as_date(r["first_seen"])
            if started > first_day and r["flag"]:
                notes.append((started, f"feature flag '{r['flag']}' first seen", "flag"))
    notes.sort()
    table = Table(("date", "change", "kind"), ("Date", "String", "String"), tuple(notes))
    if not notes:
        return Outcome(f"No annotation or new feature flag in the {window.label}.", {"days": [], "notes": []}, table)
    listed = "; ".join(f"{day_text(d)}: {text}" for d, text, _ in notes)
    return Outcome(
        f"{len(notes)} dated change(s) in the period: {listed}.",
        {"days": sorted({d for d, _, _ in notes}), "notes": [(d, text) for d, text, _ in notes], "has_changes": True},
        table,
    )


def lead_in_steps(inp: StepInput) -> Outcome:
    """A two-step funnel ending at the event, from the product event users most often do just before it.

    PostHog's built-in events (``$pageview``, ``$pageleave``, ``$autocapture`` ...)
    precede nearly everything, so a conversion from them says little: they are
    passed over, and with nothing else before the event the segments are
    compared on the event's own volume.
    """
    event = label_of(inp.slots.get("event"))
    table = inp.require_table("path", "users")
    for path in table.column("path"):
        items = list(path) if isinstance(path, (list, tuple)) else str(path).split(" → ")
        earlier = [e for e in items[:-1] if e and e != event and not e.startswith("$")]
        if earlier:
            steps = (earlier[-1], event)
            return Outcome(f"Users most often do {steps[0]} just before {steps[1]}.", {"steps": list(steps)})
    return Outcome(f"No product event regularly leads to {event}; the segments compare its volume.", {})


ANALYSES = {
    "change_point": change_point,
    "level_at_day": level_at_day,
    "funnel_shift": funnel_shift,
    "path_shift": path_shift,
    "known_changes": known_changes,
    "lead_in_steps": lead_in_steps,
}
