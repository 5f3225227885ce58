"""The conclusions of the diagnose workflow: is there a change, where in the funnel, in whom, after what.

Each function is one step's analysis, referenced by name from a workflow
file. The statistics are in ``askhog.stats``; here they meet the tables.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, Mapping

from ..backends.base import Table
from ..errors import WorkflowError
from ..stats import (
    detect_change_point,
    poisson_rate_test,
    rate_change_contributions,
    total_change_contributions,
    two_proportion_ztest,
)
from ..types import TimeRange
from .analysis_base import (
    Outcome,
    StepInput,
    as_date,
    day_text,
    label_of,
    number,
    p_text,
    pct,
    signed_pct,
    to_float,
)

METRICS = ("conversion", "count", "revenue")


def _metric(inp: StepInput) -> str:
    metric = inp.params.get("metric") or inp.slots.get("metric")
    if metric not in METRICS:
        raise WorkflowError(f"the metric must be one of {METRICS}, not {metric!r}")
    return str(metric)


def metric_label(metric: str, slots: Mapping[str, Any]) -> str:
    """How the metric reads in a sentence: "Conversion from checkout_started to purchase", "Daily purchase count"."""
    if metric == "conversion":
        steps = slots.get("steps") or ()
        return f"Conversion from {label_of(steps[0])} to {label_of(steps[-1])}" if steps else "Conversion"
    event = label_of(slots.get("event")) if slots.get("event") else "events"
    return f"Daily {event} count" if metric == "count" else f"Daily revenue from {event}"


def _format_value(metric: str, value: float) -> str:
    if metric == "conversion":
        return pct(value)
    return f"${number(value)}/day" if metric == "revenue" else f"{number(value)}/day"


def _midnight(d: date) -> datetime:
    return datetime.combine(d, time())


# --- step 2: confirm the change ----------------------------------------------------------------


def _daily_series(inp: StepInput, metric: str, window: TimeRange) -> tuple[list[date], list[float], list[float], list[float]]:
    """Days of the window (complete days only) with numerator, denominator and the plotted value per day."""
    if metric == "conversion":
        table = inp.require_table("day", "entered", "converted")
        by_day = {as_date(r["day"]): (to_float(r["converted"]), to_float(r["entered"])) for r in table.records()}
    else:
        table = inp.require_table("period", "value")
        by_day = {as_date(r["period"]): (to_float(r["value"]), 1.0) for r in table.records()}
    # Complete days only: a partial first or last day would look like a dip in any count.
    first = window.start.date() + timedelta(days=0 if window.start.time() == time() else 1)
    last = window.end.date() - timedelta(days=1)
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    num = [by_day.get(d, (0.0, 0.0 if metric == "conversion" else 1.0))[0] for d in days]
    den = [by_day.get(d, (0.0, 0.0 if metric == "conversion" else 1.0))[1] for d in days]
    values = [n / d if d > 0 else 0.0 for n, d in zip(num, den)]
    return days, num, den, values


def change_point(inp: StepInput) -> Outcome:
    """Confirm a change: the metric per day, the day its level shifted (if it did), and how much.

    The change point is ``stats.detect_change_point`` on the daily values
    (weighted by the day's entrants for a conversion); the size is tested on
    the pooled periods (two-proportion z-test for a conversion, the exact
    Poisson rate test for counts). Both must pass ``alpha``. With no change,
    the second half of the window is compared with the first (the
    previous-period baseline) so the report still says how flat it was.
    """
    metric = _metric(inp)
    window = inp.slots.get("time_range")
    if not isinstance(window, TimeRange):
        raise WorkflowError("the confirm step needs a time_range slot")
    alpha = float(inp.params.get("alpha", 0.01))
    days, num, den, values = _daily_series(inp, metric, window)
    if len(days) < 6:
        raise WorkflowError(f"{len(days)} complete days is too short to find a change; ask about a longer period")
    weights = den if metric == "conversion" else None
    cp = detect_change_point(values, weights, alpha=alpha, min_segment=int(inp.params.get("min_segment", 3)))
    split = cp.index if cp.significant and cp.index is not None else len(days) // 2
    b_num, b_den, a_num, a_den = sum(num[:split]), sum(den[:split]), sum(num[split:]), sum(den[split:])
    if metric == "conversion":
        if b_den <= 0 or a_den <= 0:
            raise WorkflowError(f"no one did {label_of(inp.slots['steps'][0])} in one of the periods")
        test = two_proportion_ztest(int(b_num), int(b_den), int(a_num), int(a_den))
        before, after, p_value = test.rate_a, test.rate_b, test.p_value
    elif metric == "count":
        rate = poisson_rate_test(int(b_num), split, int(a_num), len(days) - split)
        before, after, p_value = rate.rate_a, rate.rate_b, rate.p_value
    else:
        before, after = b_num / split, a_num / (len(days) - split)
        p_value = cp.p_value
    label = metric_label(metric, inp.slots)
    changed = cp.significant and p_value < alpha
    relative = (after - before) / before if before else None
    boundary = _midnight(days[split])
    end = _midnight(days[-1] + timedelta(days=1))
    facts: dict[str, Any] = {
        "metric": metric,
        "metric_label": label,
        "before_value": before,
        "after_value": after,
        "before_fmt": _format_value(metric, before),
        "after_fmt": _format_value(metric, after),
        "relative_change": relative,
        "relative_fmt": signed_pct(relative),
        "p_value": p_value,
        "p_fmt": p_text(p_value),
        "change_p_value": cp.p_value,
        "window_label": window.label,
        "before_range": TimeRange(window.start, boundary, f"{day_text(days[0])} to {day_text(days[split - 1])}"),
        "after_range": TimeRange(boundary, end, f"{day_text(days[split])} to {day_text(days[-1])}"),
        "direction": "fell" if after < before else "rose",
    }
    if changed:
        facts.update(changed=True, change_day=days[split], change_date=day_text(days[split]))
        summary = (f"{label} {facts['direction']} from {facts['before_fmt']} to {facts['after_fmt']} "
                   f"({facts['relative_fmt']}) starting {facts['change_date']}; change point {p_text(cp.p_value)}, "
                   f"before vs after {p_text(p_value)}.")
    else:
        facts["unchanged"] = True
        summary = (f"No significant change in {label[0].lower() + label[1:]}: {facts['before_fmt']} in the first half of "
                   f"the period vs {facts['after_fmt']} in the second (change point {p_text(cp.p_value)}, "
                   f"halves {p_text(p_value)}).")
    table = Table(("day", "value", "numerator", "denominator", "regime"), ("Date", "Float64", "Float64", "Float64", "String"),
                  tuple((d, v, n, m, "before" if i < split else "after")
                        for i, (d, v, n, m) in enumerate(zip(days, values, num, den))))
    return Outcome(summary, facts, table)


# --- step 3: find the step ---------------------------------------------------------------------


def _step_rates(table: Table) -> list[tuple[str, float, float]]:
    """(transition label, users entering it, users completing it) for each step after the first."""
    rows = sorted(table.records(), key=lambda r: int(r["step"]))
    return [(f"{prev['event']} → {cur['event']}", to_float(prev["users"]), to_float(cur["users"]))
            for prev, cur in zip(rows, rows[1:])]


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
    table = Table(("transition", "before", "after", "change", "p_value"), ("String", "Float64", "Float64", "Float64", "Float64"),
                  tuple(rows))
    if best is None:
        return Outcome("No funnel step's conversion changed significantly between the periods.", {"steady": True}, table)
    facts = {"moved": True, "transition": best[0], "before_fmt": pct(best[1]), "after_fmt": pct(best[2])}
    return Outcome(f"The step that moved most is {best[0]}: {pct(best[1])} → {pct(best[2])} ({p_text(best[4])}).",
                   facts, table)


# --- step 4: find the segment ------------------------------------------------------------------


def _labels(inp: StepInput, dimension: str) -> tuple[str, str]:
    names = (inp.params.get("labels") or {}).get(dimension)
    if isinstance(names, list) and len(names) == 2:
        return str(names[0]), str(names[1])
    plain = dimension.lstrip("$").replace("_", " ")
    return plain, f"{plain} values"


def _periods(inp: StepInput) -> tuple[float, float]:
    before, after = inp.params.get("before_range"), inp.params.get("after_range")
    if not isinstance(before, TimeRange) or not isinstance(after, TimeRange):
        raise WorkflowError("the segment step needs the before and after ranges of the confirm step")
    return before.days, after.days


def segment_shift(inp: StepInput) -> Outcome:
    """Rank segments of every candidate property by how much of the change they explain.

    A conversion is split by shift-share (``stats.rate_change_contributions``);
    a count or revenue per day by its additive parts. The culprit is the
    segment explaining the largest share (at least ``min_share``) whose own
    change is significant; the rest of its property is then tested as a whole
    to say whether the others moved too.
    """
    metric = _metric(inp)
    alpha = float(inp.params.get("alpha", 0.01))
    min_share = float(inp.params.get("min_share", 0.5))
    days_before, days_after = _periods(inp)
    if metric == "conversion":
        table = inp.require_table("dimension", "segment", "period", "entered", "converted")
        cols = ("entered", "converted")
    else:
        table = inp.require_table("dimension", "segment", "period", "events", "amount")
        cols = ("events", "amount")
    data: dict[str, dict[str, dict[str, tuple[float, float]]]] = {}
    for r in table.records():
        seg = "(none)" if r["segment"] in (None, "") else str(r["segment"])
        data.setdefault(str(r["dimension"]), {"before": {}, "after": {}}).setdefault(str(r["period"]), {})[seg] = (
            to_float(r[cols[0]]), to_float(r[cols[1]]))
    ranked: list[dict[str, Any]] = []
    for dim, periods in data.items():
        before, after = periods.get("before", {}), periods.get("after", {})
        if not before or not after:
            continue
        ranked += (_conversion_rows if metric == "conversion" else _volume_rows)(
            dim, before, after, metric, days_before, days_after)
    ranked.sort(key=lambda row: -(row["share"] or 0.0))
    out = Table(("property", "segment", "before", "after", "share_of_change", "p_value"),
                ("String", "String", "String", "String", "Float64", "Float64"),
                tuple((row["dimension"], row["segment"], row["before_fmt"], row["after_fmt"], row["share"], row["p"])
                      for row in ranked[: int(inp.params.get("top", 12))]))
    culprit = next((row for row in ranked if (row["share"] or 0) >= min_share and row["p"] < alpha), None)
    if culprit is None:
        return Outcome(f"No single segment explains at least {pct(min_share)} of the change.", {"diffuse": True}, out)
    label, plural = _labels(inp, culprit["dimension"])
    others = culprit["others"]
    if others is None:
        others_text = f"it is the only {label} seen"
    elif others["p"] >= alpha or abs(others["relative"] or 0.0) < float(inp.params.get("unchanged_below", 0.1)):
        others_text = f"other {plural} are unchanged ({others['before_fmt']} → {others['after_fmt']})"
    else:
        others_text = f"other {plural} moved too ({others['before_fmt']} → {others['after_fmt']})"
    facts = {
        "culprit": True,
        "property": culprit["dimension"],
        "property_label": label,
        "segment": culprit["segment"],
        "segment_label": f"{culprit['segment']} users",
        "before_fmt": culprit["before_fmt"],
        "after_fmt": culprit["after_fmt"],
        "share_fmt": pct(culprit["share"]),
        "others_text": others_text,
        "others_unchanged": others is not None and others_text.startswith(f"other {plural} are unchanged"),
    }
    summary = (f"{label.capitalize()} = {culprit['segment']} explains {pct(culprit['share'])} of the change "
               f"({culprit['before_fmt']} → {culprit['after_fmt']}, {p_text(culprit['p'])}); {others_text}.")
    return Outcome(summary, facts, out)


def _conversion_rows(dim: str, before: Mapping[str, tuple[float, float]], after: Mapping[str, tuple[float, float]],
                     metric: str, days_before: float, days_after: float) -> list[dict[str, Any]]:
    rows = []
    for c in rate_change_contributions(before, after):
        if c.trials_before <= 0 or c.trials_after <= 0:
            continue
        test = two_proportion_ztest(int(c.successes_before), int(c.trials_before),
                                    int(c.successes_after), int(c.trials_after))
        rest_b = [sum(v[i] for s, v in before.items() if s != c.segment) for i in (0, 1)]
        rest_a = [sum(v[i] for s, v in after.items() if s != c.segment) for i in (0, 1)]
        others = None
        if rest_b[0] > 0 and rest_a[0] > 0:
            o = two_proportion_ztest(int(rest_b[1]), int(rest_b[0]), int(rest_a[1]), int(rest_a[0]))
            others = {"p": o.p_value, "relative": (o.lift if o.lift is not None else None),
                      "before_fmt": pct(o.rate_a), "after_fmt": pct(o.rate_b)}
        rows.append({"dimension": dim, "segment": c.segment, "share": c.share_of_change, "p": test.p_value,
                     "before_fmt": pct(test.rate_a), "after_fmt": pct(test.rate_b), "others": others})
    return rows


def _volume_rows(dim: str, before: Mapping[str, tuple[float, float]], after: Mapping[str, tuple[float, float]],
                 metric: str, days_before: float, days_after: float) -> list[dict[str, Any]]:
    index = 0 if metric == "count" else 1
    per_day_b = {s: v[index] / days_before for s, v in before.items()}
    per_day_a = {s: v[index] / days_after for s, v in after.items()}
    rows = []
    for seg, _, share in total_change_contributions(per_day_b, per_day_a):
        events_b, events_a = before.get(seg, (0.0, 0.0))[0], after.get(seg, (0.0, 0.0))[0]
        test = poisson_rate_test(int(events_b), days_before, int(events_a), days_after)
        rest_b = sum(v[0] for s, v in before.items() if s != seg)
        rest_a = sum(v[0] for s, v in after.items() if s != seg)
        others = None
        if rest_b + rest_a > 0:
            o = poisson_rate_test(int(rest_b), days_before, int(rest_a), days_after)
            others = {"p": o.p_value, "relative": (o.ratio - 1 if o.ratio is not None else None),
                      "before_fmt": _format_value(metric, sum(per_day_b.values()) - per_day_b.get(seg, 0.0)),
                      "after_fmt": _format_value(metric, sum(per_day_a.values()) - per_day_a.get(seg, 0.0))}
        rows.append({"dimension": dim, "segment": seg, "share": share, "p": test.p_value,
                     "before_fmt": _format_value(metric, per_day_b.get(seg, 0.0)),
                     "after_fmt": _format_value(metric, per_day_a.get(seg, 0.0)), "others": others})
    return rows


# --- step 5: behaviour ---------------------------------------------------------------------------


def path_shift(inp: StepInput) -> Outcome:
    """The paths whose share of users moved most between the periods (before and after runs of a paths template)."""
    shares = {}
    for label in ("before", "after"):
        table = inp.run(label, "path", "users")
        total = sum(to_float(u) for u in table.column("users")) or 1.0
        shares[label] = {label_of(p) if isinstance(p, (list, tuple)) else str(p): to_float(u) / total
                         for p, u in zip(table.column("path"), table.column("users"))}
    paths = dict.fromkeys([*shares["before"], *shares["after"]])
    rows = sorted(((p, shares["before"].get(p, 0.0), shares["after"].get(p, 0.0)) for p in paths),
                  key=lambda r: -abs(r[2] - r[1]))
    table = Table(("path", "share_before", "share_after", "change"), ("String", "Float64", "Float64", "Float64"),
                  tuple((p, b, a, a - b) for p, b, a in rows[: int(inp.params.get("top", 10))]))
    threshold = float(inp.params.get("min_change", 0.05))
    if not rows or abs(rows[0][2] - rows[0][1]) < threshold:
        return Outcome(f"No path's share moved by {pct(threshold)} or more.", {"steady": True}, table)
    path, b, a = rows[0]
    facts = {"changed": True, "path": path, "before_fmt": pct(b), "after_fmt": pct(a)}
    return Outcome(f"The path that changed most: {path} ({pct(b)} → {pct(a)} of users' paths).", facts, table)


# --- step 6: external factors --------------------------------------------------------------------


def annotations_near(inp: StepInput) -> Outcome:
    """Annotations (releases, campaigns, incidents) within ``window_days`` of the change's first day."""
    day = inp.params.get("day")
    if not isinstance(day, date):
        raise WorkflowError("the annotations step needs the day the change started")
    window = int(inp.params.get("window_days", 2))
    near = []
    for note in inp.backend.annotations():
        offset = (note.date.date() - day).days
        if abs(offset) <= window:
            near.append((note.date.date(), note.content, offset))
    near.sort(key=lambda r: (abs(r[2]), r[0]))
    table = Table(("date", "annotation", "days_from_change"), ("Date", "String", "Int64"), tuple(near))
    if not near:
        return Outcome(f"No annotation within {window} days of {day_text(day)}.", {"none": True}, table)
    facts = {"nearest": near[0][1], "nearest_date": day_text(near[0][0]), "count": len(near)}
    return Outcome(f"{len(near)} annotation(s) near the change; nearest: '{near[0][1]}' on {day_text(near[0][0])}.",
                   facts, table)


def lead_in_steps(inp: StepInput) -> Outcome:
    """A two-step funnel ending at the event, from the event users most often do just before it."""
    event = inp.slots.get("event")
    table = inp.require_table("path", "users")
    for path in table.column("path"):
        items = list(path) if isinstance(path, (list, tuple)) else str(path).split(" → ")
        earlier = [e for e in items[:-1] if e and e != label_of(event)]
        if earlier:
            steps = (earlier[-1], label_of(event))
            return Outcome(f"Users most often do {steps[0]} just before {steps[1]}.", {"steps": list(steps)})
    return Outcome(f"No event regularly leads to {label_of(event)}.", {})


ANALYSES = {
    "change_point": change_point,
    "funnel_shift": funnel_shift,
    "segment_shift": segment_shift,
    "path_shift": path_shift,
    "annotations_near": annotations_near,
    "lead_in_steps": lead_in_steps,
}
