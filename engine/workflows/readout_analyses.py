"""Conclusions of the end-to-end workflows: experiment readout, lift rankings, channel ROI."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from ..backends.base import Table
from ..errors import WorkflowError
from ..format import MISSING, fmt, pct, signed_pct
from ..stats import probability_b_beats_a, sample_ratio_mismatch, two_proportion_ztest
from .analysis_base import Outcome, StepInput, p_text, to_float


def experiment_readout(inp: StepInput) -> Outcome:
    """Each variant against control: conversion, lift with its interval, p-value, P(better), and the SRM check.

    The effect test is the pooled two-proportion z-test with a Katz interval on
    the lift; ``probability_b_beats_a`` adds the Bayesian reading (uniform
    prior). The sample-ratio check is the chi-square against an even split
    (``planned_split`` param for another); a mismatch means the assignment is
    broken and the readout is not to be trusted, whatever the p-value.
    """
    table = inp.require_table("variant", "exposures", "conversions")
    rows = {
        str(r["variant"]): (int(to_float(r["exposures"])), int(to_float(r["conversions"]))) for r in table.records()
    }
    control = str(inp.params.get("control", "control"))
    if control not in rows or len(rows) < 2:
        raise WorkflowError(f"the experiment needs a {control!r} variant and at least one other; it has {sorted(rows)}")
    alpha = float(inp.params.get("alpha", 0.05))
    n_c, x_c = rows[control]
    srm = sample_ratio_mismatch([n for n, _ in rows.values()], inp.params.get("planned_split"))
    compared = {
        v: (two_proportion_ztest(x_c, n_c, x, n, confidence=1 - alpha), probability_b_beats_a(x_c, n_c, x, n))
        for v, (n, x) in rows.items()
        if v != control
    }
    out: list[tuple[Any, ...]] = [(control, n_c, x_c, x_c / n_c if n_c else None, None, None, None, None, None)]
    for v, (test, beats) in compared.items():
        ci = test.lift_ci
        out.append(
            (
                v,
                test.trials_b,
                test.successes_b,
                test.rate_b,
                test.lift,
                ci[0] if ci else None,
                ci[1] if ci else None,
                test.p_value,
                beats,
            )
        )
    result = Table(
        (
            "variant",
            "exposures",
            "conversions",
            "conversion",
            "lift",
            "lift_low",
            "lift_high",
            "p_value",
            "p_beats_control",
        ),
        ("String", "Int64", "Int64", "Float64", "Float64", "Float64", "Float64", "Float64", "Float64"),
        tuple(out),
    )
    variant = max(compared, key=lambda v: compared[v][0].lift or 0.0)
    test, beats = compared[variant]
    ci = test.lift_ci
    facts: dict[str, Any] = {
        "variant": variant,
        "control": control,
        "control_fmt": pct(test.rate_a, 1),
        "variant_fmt": pct(test.rate_b, 1),
        "lift_fmt": signed_pct(test.lift, 1),
        "ci_fmt": f"{signed_pct(ci[0], 1)} to {signed_pct(ci[1], 1)}" if ci else MISSING,
        "p_fmt": p_text(test.p_value),
        "p_value": test.p_value,
        "beats_fmt": pct(beats, 1),
        "srm_p_fmt": p_text(srm.p_value),
    }
    facts["srm_mismatch" if srm.mismatch else "srm_ok"] = True
    significant = test.p_value < alpha and not srm.mismatch
    facts["significant" if significant else "inconclusive"] = True
    if significant:
        facts["direction"] = "better" if test.difference > 0 else "worse"
    srm_text = (
        f"sample ratio mismatch ({p_text(srm.p_value)}): fix the assignment before trusting this"
        if srm.mismatch
        else f"sample ratio OK ({p_text(srm.p_value)})"
    )
    summary = (
        f"{variant} converts at {facts['variant_fmt']} vs {facts['control_fmt']} for {control}: lift "
        f"{facts['lift_fmt']} ({int((1 - alpha) * 100)}% CI {facts['ci_fmt']}), {facts['p_fmt']}, "
        f"P({variant} better) = {facts['beats_fmt']}; {srm_text}."
    )
    return Outcome(summary, facts, result)


def proportion_lift_ranking(inp: StepInput) -> Outcome:
    """Rank items (events) by the lift in a rate between users who did them and users who did not.

    Input columns: ``item``, ``base_users``, ``base_hits``, ``test_users``,
    ``test_hits`` (the rate's trials and successes without / with the item).
    Each item gets a two-proportion z-test; an item leads only when its lift
    is significant at ``alpha`` with at least ``min_users`` on each side.
    """
    table = inp.require_table("item", "base_users", "base_hits", "test_users", "test_hits")
    alpha = float(inp.params.get("alpha", 0.01))
    min_users = int(inp.params.get("min_users", 30))
    rows = []
    for r in table.records():
        nb, xb, nt, xt = (int(to_float(r[c])) for c in ("base_users", "base_hits", "test_users", "test_hits"))
        if nb < min_users or nt < min_users or xb <= 0:
            continue
        test = two_proportion_ztest(xb, nb, xt, nt)
        rows.append((str(r["item"]), nt, test.rate_b, nb, test.rate_a, test.lift, test.p_value))
    rows.sort(key=lambda row: (row[6] >= alpha, -(row[5] or 0.0)))
    with_label, without_label = (
        str(inp.params.get("with_label", "with")),
        str(inp.params.get("without_label", "without")),
    )
    result = Table(
        (
            "item",
            f"users_{with_label}",
            f"rate_{with_label}",
            f"users_{without_label}",
            f"rate_{without_label}",
            "lift",
            "p_value",
        ),
        ("String", "Int64", "Float64", "Int64", "Float64", "Float64", "Float64"),
        tuple(rows),
    )
    top = rows[0] if rows and rows[0][6] < alpha and (rows[0][5] or 0) > 0 else None
    if top is None:
        return Outcome("No item shows a significant positive lift.", {"none": True}, result)
    facts = {
        "top": True,
        "item": top[0],
        "with_fmt": pct(top[2]),
        "without_fmt": pct(top[4]),
        "lift_fmt": signed_pct(top[5]),
        "p_fmt": p_text(top[6]),
        "runner_up": rows[1][0] if len(rows) > 1 and rows[1][6] < alpha else "",
    }
    return Outcome(
        f"{top[0]} leads: {pct(top[2])} vs {pct(top[4])} ({signed_pct(top[5])}, {p_text(top[6])}).", facts, result
    )


def read_costs(path: str | Path) -> dict[str, float]:
    """Marketing cost per channel from a CSV with columns ``channel,cost`` (PostHog does not store costs)."""
    p = Path(path)
    try:
        with p.open(newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if reader.fieldnames is None or not {"channel", "cost"} <= set(reader.fieldnames):
                raise WorkflowError(f"{p}: the cost file needs a header 'channel,cost'")
            costs = {}
            for n, row in enumerate(reader, 2):
                try:
                    costs[row["channel"].strip()] = float(row["cost"])
                except (TypeError, ValueError):
                    raise WorkflowError(f"{p}:{n}: cost {row.get('cost')!r} is not a number") from None
    except OSError as e:
        raise WorkflowError(f"cannot read the cost file {p}: {e.strerror}") from None
    return costs


def channel_roi(inp: StepInput) -> Outcome:
    """Users, revenue, paying users and revenue per paying user by channel; ROI when costs are given.

    ``users`` (param) maps a channel to its users, from an earlier breakdown.
    ``ROI = (revenue - cost) / cost`` per channel, from the ``costs_csv``
    option; without it, the ranking is by revenue per paying user and the
    report says where costs must come from.
    """
    revenue = inp.require_table("breakdown", "revenue", "paying_users")
    users = {str(k): to_float(v) for k, v in (inp.params.get("users") or {}).items()}
    costs_path = inp.params.get("costs_csv")
    costs = read_costs(costs_path) if costs_path else {}
    rows = []
    for r in revenue.records():
        channel = "(none)" if r["breakdown"] in (None, "") else str(r["breakdown"])
        rev, paying = to_float(r["revenue"]), to_float(r["paying_users"])
        cost = costs.get(channel)
        roi = (rev - cost) / cost if cost else None
        rows.append((channel, users.get(channel), paying, rev, rev / paying if paying else None, cost, roi))
    known = [row for row in rows if row[0] != "(none)"]
    if not known:
        raise WorkflowError("no revenue is attributed to any channel")
    by_arpu = sorted(known, key=lambda row: -(row[4] or 0.0))
    result = Table(
        ("channel", "users", "paying_users", "revenue", "revenue_per_paying_user", "cost", "roi"),
        ("String", "Float64", "Float64", "Float64", "Float64", "Float64", "Float64"),
        tuple(sorted(rows, key=lambda row: -(row[4] or 0.0))),
    )
    facts: dict[str, Any] = {
        "top_arpu": by_arpu[0][0],
        "top_arpu_fmt": f"${fmt(by_arpu[0][4] or 0.0)}",
        "top_revenue": max(known, key=lambda row: row[3])[0],
        "ranking": [row[0] for row in by_arpu],
    }
    with_cost = [row for row in known if row[6] is not None]
    if with_cost:
        best = max(with_cost, key=lambda row: row[6] or 0.0)  # none is None here
        facts.update(has_costs=True, top_roi=best[0], top_roi_fmt=pct(best[6]))
        summary = f"Best ROI: {best[0]} ({pct(best[6])}); highest revenue per paying user: {by_arpu[0][0]}."
    else:
        facts["no_costs"] = True
        summary = (
            f"Highest revenue per paying user: {by_arpu[0][0]} ({facts['top_arpu_fmt']}). Cost per channel is "
            "not in PostHog: pass a CSV 'channel,cost' (option costs_csv) to get ROI."
        )
    return Outcome(summary, facts, result)


def breakdown_totals(inp: StepInput) -> Outcome:
    """A breakdown's values as a fact (``table``: breakdown → value) for a later step to join on, and its leader."""
    table = inp.require_table("breakdown", "value")
    totals = {
        ("(none)" if k in (None, "") else str(k)): to_float(v)
        for k, v in zip(table.column("breakdown"), table.column("value"))
    }
    known = {k: v for k, v in totals.items() if k != "(none)"}
    if not known:
        return Outcome("No values by segment.", {"table": totals})
    top = max(known, key=lambda k: known[k])
    return Outcome(f"{top} leads with {fmt(known[top])}.", {"table": totals, "top": top})


ANALYSES = {
    "experiment_readout": experiment_readout,
    "proportion_lift_ranking": proportion_lift_ranking,
    "channel_roi": channel_roi,
    "breakdown_totals": breakdown_totals,
}
