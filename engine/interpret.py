"""Say what a result means: the biggest funnel drop, the top segment, the trend and its size.

Each reading looks at the columns a template returns (templates/README.md
lists them) and writes one or two sentences a PM can paste into a message.
The numbers come from the table; nothing here queries again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .backends.base import Table

if TYPE_CHECKING:
    from .answer import Answer

BAR = "\u2588"


@dataclass(frozen=True)
class Figure:
    """One number an interpretation states in words, with its unit ("%", "s" for durations, "" otherwise)."""

    name: str
    value: float
    unit: str = ""


@dataclass(frozen=True)
class Interpretation:
    """A headline, optional detail lines, and a small text chart where one helps.

    ``figures`` are the numbers the sentences state, ``ranking`` the (label, value) rows of a ranked answer in
    the order shown, ``series`` the (period, value) points of a time series: what a reader (or the execution
    evaluation) checks against the truth.
    """

    headline: str
    details: tuple[str, ...] = ()
    chart: str = ""
    figures: tuple[Figure, ...] = ()
    ranking: tuple[tuple[str, float | None], ...] = ()
    series: tuple[tuple[str, float], ...] = ()

    def text(self) -> str:
        parts = [self.headline, *self.details]
        if self.chart:
            parts.append(self.chart)
        return "\n".join(parts)


def interpret(answer: "Answer", table: Table) -> Interpretation:
    if not table.rows:
        where = answer.slots.get("time_range")
        period = f" in {where.label}" if where is not None and hasattr(where, "label") else ""
        return Interpretation(f"No matching data{period}. Try a longer period or fewer filters.")
    reader = _READERS.get(answer.template or "", _generic)
    return reader(answer, table)


# --- helpers ---------------------------------------------------------------------------------


def _num(value: Any) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if math.isnan(f) else f


def fmt(value: Any) -> str:
    """Numbers the way people write them: 12,345 / 3.4 / 61.2%."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, (int, float)):
        if float(value).is_integer():
            return f"{int(value):,}"
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.1f} min"
    if seconds < 172800:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def bar_chart(labels: Sequence[Any], values: Sequence[float], width: int = 30, suffix: str = "") -> str:
    if not values:
        return ""
    top = max(max(values), 1e-12)
    label_width = min(max(len(str(lab)) for lab in labels), 28)
    lines = []
    for label, value in zip(labels, values):
        n = int(round(width * max(value, 0) / top))
        lines.append(f"{str(label)[:label_width]:>{label_width}} {BAR * n} {fmt(value)}{suffix}")
    return "\n".join(lines)


def _what(answer: "Answer") -> str:
    event = answer.slots.get("event")
    name = event.label() if event is not None and hasattr(event, "label") else "events"
    measure = answer.slots.get("measure", "events")
    prop = answer.slots.get("property")
    if measure == "users":
        return f"unique users who did {name}"
    if measure in ("sum", "avg") and prop is not None:
        return f"{'total' if measure == 'sum' else 'average'} {prop.name} of {name}"
    return f"{name} events"


def _period(answer: "Answer") -> str:
    tr = answer.slots.get("time_range")
    return f" ({tr.label})" if tr is not None and hasattr(tr, "label") else ""


def _col(table: Table, *names: str) -> str | None:
    return next((n for n in names if n in table.columns), None)


# --- readers ---------------------------------------------------------------------------------


def _count(answer: "Answer", table: Table) -> Interpretation:
    value = table.rows[0][table.columns.index("value")] if "value" in table.columns else table.rows[0][0]
    return Interpretation(f"{fmt(_num(value))} {_what(answer)}{_period(answer)}.", figures=(Figure("value", _num(value)),))


def _series(answer: "Answer", table: Table) -> Interpretation:
    value_col = _col(table, "value", "active_users", "events_per_user", "dau_mau", "avg_duration_seconds",
                     "bounce_rate_pct", "sessions_per_user", "pageviews_per_session") or table.columns[-1]
    periods = table.column(_col(table, "period") or table.columns[0])
    values = [_num(v) for v in table.column(value_col)]
    third = max(1, len(values) // 3)
    first, last = sum(values[:third]) / third, sum(values[-third:]) / third
    change = (last - first) / first * 100 if first else 0.0
    direction = "up" if change > 5 else "down" if change < -5 else "flat"
    peak = max(range(len(values)), key=values.__getitem__)
    head = (f"{value_col.replace('_', ' ')} is {direction}" +
            (f" {abs(change):.0f}%" if direction != "flat" else "") +
            f" from the first to the last third of the period{_period(answer)}; "
            f"peak {fmt(values[peak])} at {periods[peak]}.")
    labels = [str(p)[:16] for p in periods]
    return Interpretation(head, (), bar_chart(labels, values),
                          figures=(Figure("change", change, "%"), Figure("peak", values[peak])),
                          series=tuple((str(p), v) for p, v in zip(periods, values)))


def _ranked(answer: "Answer", table: Table) -> Interpretation:
    key = _col(table, "breakdown", "feature", "candidate", "variant") or table.columns[0]
    value_col = _col(table, "value", "unique_users", "revenue", "lift", "users") or table.columns[-1]
    values = [_num(v) for v in table.column(value_col)]
    keys = table.column(key)
    total = sum(values)
    share = f" ({values[0] / total * 100:.0f}% of the total)" if total and value_col in ("value", "revenue") else ""
    head = f"{keys[0]} leads with {fmt(values[0])} {value_col.replace('_', ' ')}{share}{_period(answer)}."
    details = []
    if len(values) > 1:
        details.append(f"Next: {keys[1]} with {fmt(values[1])}; last shown: {keys[-1]} with {fmt(values[-1])}.")
    figures = tuple(Figure(str(k), v) for k, v in zip(keys[:2], values[:2]))
    return Interpretation(head, tuple(details), bar_chart(keys[:15], values[:15]), figures=figures,
                          ranking=tuple((str(k), v) for k, v in zip(keys, values)))


def _feature_usage(answer: "Answer", table: Table) -> Interpretation:
    base = _ranked(answer, table)
    if "uses_per_user" in table.columns:
        depth = max(table.records(), key=lambda r: _num(r["uses_per_user"]))
        detail = f"Deepest engagement: {depth['feature']} at {fmt(_num(depth['uses_per_user']))} uses per user."
        return replace(base, details=(*base.details, detail))
    return base


def _funnel(answer: "Answer", table: Table) -> Interpretation:
    rows = table.records()
    users = [_num(r["users"]) for r in rows]
    if not users[0]:
        return Interpretation(f"Nobody did {rows[0]['event']}{_period(answer)}, so there is no conversion to measure.")
    overall = users[-1] / users[0] * 100 if users[0] else 0.0
    drops = [(users[i] - users[i + 1]) / users[i] * 100 if users[i] else 0.0 for i in range(len(users) - 1)]
    worst = max(range(len(drops)), key=drops.__getitem__) if drops else 0
    head = f"{overall:.1f}% of the {fmt(users[0])} users who did {rows[0]['event']} reached {rows[-1]['event']}{_period(answer)}."
    details = (f"Biggest drop: {rows[worst]['event']} → {rows[worst + 1]['event']}, where {drops[worst]:.1f}% "
               f"of users are lost.",) if drops else ()
    labels = [f"{r['step']}. {r['event']}" for r in rows]
    figures = (Figure("conversion", overall, "%"), Figure("first_step_users", users[0]),
               Figure("last_step_users", users[-1]))
    return Interpretation(head, details, bar_chart(labels, users), figures=figures)


def _funnel_breakdown(answer: "Answer", table: Table) -> Interpretation:
    by: dict[Any, list[dict[str, Any]]] = {}
    for r in table.records():
        by.setdefault(r["breakdown"], []).append(r)
    rates = {}
    for key, rows in by.items():
        rows.sort(key=lambda r: _num(r["step"]))
        first = _num(rows[0]["users"])
        rates[key] = _num(rows[-1]["users"]) / first * 100 if first else 0.0
    if not any(rates.values()):
        return Interpretation(f"No segment converted{_period(answer)}.")
    best = max(rates, key=rates.__getitem__)
    worst = min(rates, key=rates.__getitem__)
    head = f"Conversion ranges from {rates[worst]:.1f}% ({worst}) to {rates[best]:.1f}% ({best}){_period(answer)}."
    keys = sorted(rates, key=lambda k: -rates[k])
    return Interpretation(head, (), bar_chart(keys, [rates[k] for k in keys], suffix="%"),
                          figures=(Figure(str(worst), rates[worst], "%"), Figure(str(best), rates[best], "%")),
                          ranking=tuple((str(k), rates[k]) for k in keys))


def _retention(answer: "Answer", table: Table) -> Interpretation:
    by_offset: dict[int, list[float]] = {}
    for r in table.records():
        by_offset.setdefault(int(_num(r["period_offset"])), []).append(_num(r["retention_pct"]))
    offsets = sorted(o for o in by_offset if o > 0)
    if not offsets:
        return Interpretation("Not enough periods yet to measure retention.")
    avg = {o: sum(v) / len(v) for o, v in by_offset.items()}
    unit = "month" if answer.slots.get("period") == "month" else "week"
    head = (f"On average {avg[offsets[0]]:.1f}% of a cohort comes back in {unit} {offsets[0]}, "
            f"{avg[offsets[-1]]:.1f}% in {unit} {offsets[-1]}.")
    return Interpretation(head, (), bar_chart([f"{unit} {o}" for o in offsets], [avg[o] for o in offsets], suffix="%"),
                          figures=(Figure(f"{unit} {offsets[0]}", avg[offsets[0]], "%"),
                                   Figure(f"{unit} {offsets[-1]}", avg[offsets[-1]], "%")))


def _experiment(answer: "Answer", table: Table) -> Interpretation:
    from .stats import StatisticsError, two_proportion_ztest  # scipy loads only when an experiment is read

    rows = {str(r["variant"]): r for r in table.records()}
    control = rows.get("control") or next(iter(rows.values()))
    details = []
    head = "Variants: " + ", ".join(f"{v} {_num(r['conversion_pct']):.1f}%" for v, r in rows.items()) + "."
    figures = [Figure(str(v), _num(r["conversion_pct"]), "%") for v, r in rows.items()]
    for name, r in rows.items():
        if r is control:
            continue
        try:
            cmp = two_proportion_ztest(int(_num(control["conversions"])), int(_num(control["exposures"])),
                                       int(_num(r["conversions"])), int(_num(r["exposures"])))
        except StatisticsError:
            continue
        verdict = "significant" if cmp.significant else "not significant"
        lift = f"{cmp.lift * 100:+.1f}%" if cmp.lift is not None else "n/a"
        details.append(f"{name} vs {control['variant']}: lift {lift}, p = {cmp.p_value:.4f} ({verdict} at 95%).")
        if cmp.lift is not None:
            figures.append(Figure("lift", cmp.lift * 100, "%"))
    return Interpretation(head, tuple(details), figures=tuple(figures))


def _time_to_event(answer: "Answer", table: Table) -> Interpretation:
    r = table.records()[0]
    if not _num(r["users"]):
        return Interpretation(f"No user converted{_period(answer)}, so there is no time to measure.")
    return Interpretation(f"Median {duration(_num(r['median_seconds']))}, 90th percentile "
                          f"{duration(_num(r['p90_seconds']))}, over {fmt(_num(r['users']))} users who converted{_period(answer)}.",
                          figures=(Figure("median", _num(r["median_seconds"]), "s"),
                                   Figure("p90", _num(r["p90_seconds"]), "s"), Figure("users", _num(r["users"]))))


def _people(answer: "Answer", table: Table) -> Interpretation:
    more = " (more not shown)" if table.has_more else ""
    return Interpretation(f"{len(table):,} users{more}{_period(answer)}.", figures=(Figure("users", len(table)),),
                          ranking=tuple((str(r[1] or r[0]), None) for r in table.rows))


def _single_row(answer: "Answer", table: Table) -> Interpretation:
    r = table.records()[0]
    figures = tuple(Figure(k, _num(v), "%" if k.endswith("_pct") else "") for k, v in r.items()
                    if isinstance(v, (int, float)) and not isinstance(v, bool))
    return Interpretation("; ".join(f"{k.replace('_', ' ')}: {fmt(v)}" for k, v in r.items()) + ".", figures=figures)


def _activation(answer: "Answer", table: Table) -> Interpretation:
    r = table.records()[0]
    event = answer.slots.get("activation_event")
    days = answer.slots.get("window_days")
    head = (f"{_num(r['activation_pct']):.1f}% of {fmt(_num(r['cohort_users']))} new users did "
            f"{event.name if event is not None else 'the key action'} within {days} day(s){_period(answer)}.")
    firsts = [pair for pair in (r.get("first_events") or []) if isinstance(pair, (list, tuple)) and len(pair) == 2]
    details = ("What activated users did first: " + ", ".join(f"{e} ({fmt(_num(n))})" for e, n in firsts[:5]) + ".",) \
        if firsts else ()
    return Interpretation(head, details, figures=(Figure("activation", _num(r["activation_pct"]), "%"),
                                                  Figure("cohort", _num(r["cohort_users"]))))


def _lifecycle(answer: "Answer", table: Table) -> Interpretation:
    rows = table.records()
    last = rows[-1]["period"]
    latest = {r["status"]: _num(r["users"]) for r in rows if r["period"] == last}
    head = f"In the period starting {last}: " + ", ".join(f"{k} {fmt(v)}" for k, v in latest.items()) + "."
    return Interpretation(head, figures=tuple(Figure(k, v) for k, v in latest.items()))


def _stickiness(answer: "Answer", table: Table) -> Interpretation:
    days = [int(_num(d)) for d in table.column("active_days")]
    users = [_num(u) for u in table.column("users")]
    total = sum(users)
    heavy = sum(u for d, u in zip(days, users) if d >= 3)
    return Interpretation(f"{heavy / total * 100:.0f}% of active users were active on 3 or more days per period.",
                          (), bar_chart([f"{d} days" for d in days], users),
                          figures=(Figure("share_3_plus", heavy / total * 100, "%"),),
                          ranking=tuple((f"{d}", u) for d, u in zip(days, users)))


def _anomaly(answer: "Answer", table: Table) -> Interpretation:
    flagged = [r for r in table.records() if _num(r.get("is_anomaly"))]
    if not flagged:
        return Interpretation(f"Nothing unusual{_period(answer)}: every interval is within the baseline's range.")
    parts = [f"{r['period']} ({fmt(_num(r['value']))}, z = {_num(r['z_score']):+.1f})" for r in flagged[:5]]
    return Interpretation(f"{len(flagged)} unusual interval(s): " + "; ".join(parts) + ".",
                          figures=tuple(Figure(str(r["period"]), _num(r["value"])) for r in flagged[:5]))


def _generic(answer: "Answer", table: Table) -> Interpretation:
    if "period" in table.columns and len(table) > 1:
        return _series(answer, table)
    if len(table) == 1:
        return _single_row(answer, table)
    return _ranked(answer, table)


_READERS: dict[str, Callable[["Answer", Table], Interpretation]] = {
    "count_events": _count, "count_users": _count, "count_sum": _count, "count_avg": _count,
    "trend": _series, "engagement_active_users": _series, "engagement_events_per_user": _series,
    "engagement_dau_mau": _series,
    "breakdown_events": _ranked, "breakdown_users": _ranked, "breakdown_sum": _ranked, "breakdown_avg": _ranked,
    "revenue_breakdown": _ranked, "correlation_events": _ranked, "correlation_properties": _ranked,
    "paths_after": _ranked, "paths_before": _ranked, "trend_breakdown": _ranked,
    "feature_usage": _feature_usage,
    "funnel": _funnel, "funnel_breakdown": _funnel_breakdown,
    "retention_weekly": _retention, "retention_monthly": _retention,
    "experiment": _experiment, "time_to_event": _time_to_event,
    "user_list": _people, "user_list_did_not": _people, "churn_risk": _people,
    "lifecycle": _lifecycle, "stickiness": _stickiness, "anomaly": _anomaly, "activation": _activation,
}
