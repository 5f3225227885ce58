"""Say what a result means, and exactly what was computed.

Each reading looks at the columns a template returns (``templates/README.md``) and writes a headline a PM
can paste into a message. The headline names the unit, the event, every filter and the range (from the
question's meaning, ``Meaning.describe``), so that a reader catches a mismatch with what they asked at a
glance. It states its numbers as ``figures`` (and a ``ranking`` or a ``series`` where the answer is one),
which is what a person reads and what the execution evaluation checks. A period that is still running is
marked partial and never read as a drop. Nothing here queries again.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from .backends.base import Table
from .clock import aware_utc
from .format import fmt, signed_pct

if TYPE_CHECKING:
    from .meaning import Meaning


class Asked(Protocol):
    """What reading a result needs of the question's ``Answer`` (which depends on this module, not back)."""

    @property
    def question(self) -> str: ...
    @property
    def template(self) -> str | None: ...
    @property
    def now(self) -> datetime | None: ...
    @property
    def meaning(self) -> Meaning | None: ...


BAR = "\u2588"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


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


def interpret(answer: Asked, table: Table) -> Interpretation:
    what = _what(answer)
    if not table.rows:
        return Interpretation(
            f"No matching data for {what}. Try a longer period or fewer filters.", figures=(Figure("value", 0.0),)
        )
    reader = _READERS.get(answer.template or "", _generic)
    return reader(answer, table, what)


# --- helpers ---------------------------------------------------------------------------------


def _num(value: Any) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if math.isnan(f) else f


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


def _what(answer: Asked) -> str:
    meaning = answer.meaning
    return meaning.describe() if meaning is not None else answer.question


def _label(value: Any, meaning: Meaning | None) -> str:
    """A group's label as a person reads it: weekday names, hours as numbers, dates without midnight."""
    grain = meaning.breakdown.grain if meaning is not None and meaning.breakdown is not None else None
    if grain == "day_of_week" and 1 <= _num(value) <= 7:
        return WEEKDAYS[int(_num(value)) - 1]
    if grain == "hour_of_day":
        return str(int(_num(value)))
    text = str(value)
    for tail in ("T00:00:00Z", "T00:00:00", " 00:00:00"):
        if text.endswith(tail):
            return text[: -len(tail)]
    return text


def _partial(answer: Asked, period: Any, unit: str | None) -> bool:
    """Is the interval starting at ``period`` still running when the question was asked?"""
    meaning = answer.meaning
    start = _period_start(period)
    if meaning is None or meaning.date_range is None or unit is None or answer.now is None or start is None:
        return False
    from .meaning import _shift

    return _shift(start, unit, 1) > answer.now and meaning.date_range.end >= answer.now


def _began_before(answer: Asked, period: Any) -> bool:
    """Did the interval starting at ``period`` begin before the asked range (a week of Nov 1's range that starts
    on Oct 26)? Only its part inside the range is counted, so it is no whole interval."""
    meaning, start = answer.meaning, _period_start(period)
    return (
        meaning is not None
        and meaning.date_range is not None
        and start is not None
        and start < meaning.date_range.start
    )


def _period_start(period: Any) -> datetime | None:
    """When the interval a result row names begins (its ``period``, a date or a time), in UTC."""
    try:
        return aware_utc(datetime.fromisoformat(str(period)))
    except ValueError:
        return None


def _sides(table: Table, value_col: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for r in table.records():
        out[str(r.get("side"))] = out.get(str(r.get("side")), 0.0) + _num(r.get(value_col))
    return out


def _compared(answer: Asked, current: float, previous: float, what: str, unit: str = "") -> Interpretation:
    """The figure beside the same figure for the previous range: both, and the change."""
    meaning = answer.meaning
    assert meaning is not None and meaning.compare is not None and meaning.compare.previous is not None
    prev = meaning.compare.previous
    change = (current - previous) / previous * 100 if previous else 0.0
    direction = "up" if change > 0 else "down" if change < 0 else "flat"
    from .meaning import describe_range

    like = " (like for like: the same part of the previous period)" if meaning.compare.like_for_like else ""
    head = (
        f"{fmt(current)}{unit} {what}; {fmt(previous)}{unit} in {describe_range(prev)}{like}: "
        f"{direction} {abs(change):.1f}%."
    )
    return Interpretation(
        head,
        figures=(
            Figure("current", current, "%" if unit == "%" else ""),
            Figure("previous", previous, "%" if unit == "%" else ""),
            Figure("change", change, "%"),
        ),
    )


# --- readers ---------------------------------------------------------------------------------


def _count(answer: Asked, table: Table, what: str) -> Interpretation:
    meaning = answer.meaning
    if "side" in table.columns and meaning is not None and meaning.compare is not None:
        if "breakdown" in table.columns:
            return _ranked(answer, table, what)
        sides = _sides(table, "value")
        unit = "%" if "active_users" in table.columns else ""
        return _compared(answer, sides.get("current", 0.0), sides.get("previous", 0.0), what, unit)
    if "breakdown" in table.columns:
        return _ranked(answer, table, what)
    value = _num(table.rows[0][table.columns.index("value")])
    if "active_users" in table.columns:  # the share of the active users who did it
        users, active = (_num(table.rows[0][table.columns.index(c)]) for c in ("users", "active_users"))
        shares = (Figure("value", value, "%"), Figure("users", users), Figure("active users", active))
        return Interpretation(f"{value:.1f}% ({fmt(users)} of {fmt(active)}): {what}.", figures=shares)
    details: tuple[str, ...] = ()
    figures = [Figure("value", value)]
    if "people" in table.columns:
        people = _num(table.rows[0][table.columns.index("people")])
        details = (f"Over {fmt(people)} users.",)
        figures.append(Figure("people", people))
    return Interpretation(f"{fmt(value)}: {what}.", details, figures=tuple(figures))


def _series(answer: Asked, table: Table, what: str) -> Interpretation:
    value_col = next(
        (
            c
            for c in (
                "value",
                "revenue",
                "events_per_user",  # before active_users, which its table carries beside it
                "active_users",
                "dau_mau",
                "duration_seconds",
                "bounce_rate_pct",
                "bounced_sessions",
                "engaged_sessions",
                "sessions_per_user",
                "pageviews_per_session",
                "sessions",
            )
            if c in table.columns
        ),
        table.columns[-1],
    )
    meaning = answer.meaning
    if "side" in table.columns and meaning is not None and meaning.compare is not None:
        sides = _sides(table, value_col)
        compared = _compared(answer, sides.get("current", 0.0), sides.get("previous", 0.0), what)
        rows = [r for r in table.records() if r.get("side") == "current"]
    else:
        compared = None
        rows = table.records()
    if "breakdown" in table.columns:
        return _series_breakdown(answer, table, what, value_col)
    periods = [r["period"] for r in rows]
    values = [_num(r[value_col]) for r in rows]
    unit = _unit_of(answer)
    partial = bool(periods) and _partial(answer, periods[-1], unit)
    cut = len(periods) > 1 and _began_before(answer, periods[0])
    complete = values[int(cut) : len(values) - int(partial)] or values
    ends = {0} if cut else set()
    ends |= {len(periods) - 1} if partial else set()
    labels = [_label(p, meaning) + (" (partial)" if i in ends else "") for i, p in enumerate(periods)]
    figures = [Figure(_label(p, meaning), v) for p, v in zip(periods, values)]
    if not values:
        return Interpretation(f"No data for {what}.", figures=(Figure("value", 0.0),))
    third = max(1, len(complete) // 3)
    first, last = sum(complete[:third]) / third, sum(complete[-third:]) / third
    change = (last - first) / first * 100 if first else 0.0
    direction = "up" if change > 5 else "down" if change < -5 else "flat"
    peak = max(range(len(values)), key=values.__getitem__)
    total = sum(values)
    head = (
        f"{what}: {value_col.replace('_', ' ')} is {direction}"
        + (f" {abs(change):.0f}%" if direction != "flat" else "")
        + f" from the first to the last third of the period; peak {fmt(values[peak])} on {labels[peak]}."
    )
    details = [f"Total over the period: {fmt(total)}."] if value_col in ("value", "sessions") else []
    if partial:
        details.append(f"{labels[-1].split(' (')[0]} is still running: it is left out of the direction.")
    if cut:
        details.append(f"{labels[0].split(' (')[0]} began before the range: only its part inside is counted.")
    figures.append(Figure("total", total))
    if compared is not None:
        details.insert(0, compared.headline)
        figures.extend(compared.figures)
    return Interpretation(
        head,
        tuple(details),
        bar_chart([lab[:24] for lab in labels], values),
        figures=tuple(figures),
        series=tuple((_label(p, meaning), v) for p, v in zip(periods, values)),
    )


_NOT_ADDITIVE = frozenset(
    {
        "active_users",
        "events_per_user",
        "dau_mau",
        "duration_seconds",
        "bounce_rate_pct",
        "sessions_per_user",
        "pageviews_per_session",
    }
)
"""Per-period figures that do not add up over periods (the same person is active on many days): averaged instead."""


def _series_breakdown(answer: Asked, table: Table, what: str, value_col: str) -> Interpretation:
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    for r in table.records():
        key = _label(r["breakdown"], answer.meaning)
        sums[key] = sums.get(key, 0.0) + _num(r[value_col])
        counts[key] = counts.get(key, 0) + 1
    average = value_col in _NOT_ADDITIVE
    totals = {k: sums[k] / counts[k] if average else sums[k] for k in sums}
    keys = sorted(totals, key=lambda k: -totals[k])
    head = (
        f"{what}: {keys[0]} leads with {fmt(totals[keys[0]])} "
        f"{'per period on average' if average else 'over the period'}."
    )
    return Interpretation(
        head,
        (),
        bar_chart(keys[:15], [totals[k] for k in keys[:15]]),
        figures=tuple(Figure(k, totals[k]) for k in keys[:10]),
        ranking=tuple((k, totals[k]) for k in keys),
    )


def _unit_of(answer: Asked) -> str | None:
    meaning = answer.meaning
    if meaning is None or meaning.date_range is None:
        return None
    from .render import _interval_for

    try:
        return _interval_for(meaning.interval, meaning.date_range)
    except Exception:
        return None


def _ranked(answer: Asked, table: Table, what: str) -> Interpretation:
    meaning = answer.meaning
    key = next(
        (c for c in ("breakdown", "feature", "candidate", "variant", "path", "cohort") if c in table.columns),
        table.columns[0],
    )
    value_col = next(
        (c for c in ("value", "unique_users", "revenue", "lift", "users", "active_users") if c in table.columns),
        table.columns[-1],
    )
    records = table.records()
    if "side" in table.columns:
        current = [r for r in records if r.get("side") == "current"]
        previous = {_label(r[key], meaning): _num(r[value_col]) for r in records if r.get("side") == "previous"}
        records = current
    else:
        previous = {}
    keys = [_label(r[key], meaning) for r in records]
    values = [_num(r[value_col]) for r in records]
    if not values:
        return Interpretation(f"No data for {what}.")
    total = sum(values)
    share = (
        f" ({values[0] / total * 100:.0f}% of those shown)"
        if total and value_col in ("value", "revenue") and len(values) > 1
        else ""
    )
    lowest = meaning is not None and meaning.breakdown is not None and meaning.breakdown.order == "asc"
    head = f"{what}: {keys[0]} {'is lowest' if lowest else 'leads'} with {fmt(values[0])}{share}."
    details = []
    shares = [_num(r["share_pct"]) for r in records] if "share_pct" in table.columns else []
    if shares:  # a part of the whole: the share is the answer, the count its support
        head = (
            f"{what}: "
            + ", ".join(f"{k} {fmt(p)}% of the whole ({fmt(v)})" for k, p, v in zip(keys, shares, values))
            + "."
        )
    elif meaning is not None and meaning.breakdown is not None and meaning.breakdown.values:
        head = f"{what}: " + ", ".join(f"{k} {fmt(v)}" for k, v in zip(keys, values)) + "."
    elif len(values) > 1:
        details.append(f"Next: {keys[1]} with {fmt(values[1])}; last shown: {keys[-1]} with {fmt(values[-1])}.")
    figures = [Figure(k, v) for k, v in zip(keys[:10], values[:10])]
    if shares:
        figures = [Figure(f"{k} share", p, "%") for k, p in zip(keys[:10], shares)] + figures
    if previous:
        details.append("Previous period: " + ", ".join(f"{k} {fmt(v)}" for k, v in previous.items()) + ".")
        figures.extend(Figure(f"previous {k}", v) for k, v in previous.items())
    if "people" in table.columns:
        people = {_label(r[key], meaning): _num(r["people"]) for r in records}
        details.append("Users: " + ", ".join(f"{k} {fmt(v)}" for k, v in people.items()) + ".")
    return Interpretation(
        head,
        tuple(details),
        bar_chart(keys[:15], values[:15]),
        figures=tuple(figures),
        ranking=tuple(zip(keys, values)),
    )


def _feature_usage(answer: Asked, table: Table, what: str) -> Interpretation:
    rows = table.records()
    keys = [str(r["feature"]) for r in rows]
    users = [_num(r["unique_users"]) for r in rows]
    fewest = answer.meaning is not None and answer.meaning.order == "asc"
    head = f"{what}: {keys[0]} is used by the {'fewest' if fewest else 'most'} people, {fmt(users[0])}" + (
        f" ({_num(rows[0]['adoption_pct']):.1f}% of active users)." if "adoption_pct" in rows[0] else "."
    )
    details = [
        ", ".join(f"{k}: {fmt(u)} users, {fmt(_num(r['total_uses']))} uses" for k, u, r in zip(keys[:8], users, rows))
    ]
    depth = max(rows, key=lambda r: _num(r["uses_per_user"]))
    details.append(f"Deepest engagement: {depth['feature']} at {fmt(_num(depth['uses_per_user']))} uses per user.")
    figures = [Figure(k, u) for k, u in zip(keys[:10], users)]
    figures += [Figure(f"{k} uses", _num(r["total_uses"])) for k, r in zip(keys[:10], rows)]
    if "any_feature_users" in rows[0]:
        anyone = _num(rows[0]["any_feature_users"])
        details.insert(0, f"{fmt(anyone)} people used at least one.")
        figures.append(Figure("any", anyone))
    return Interpretation(
        head, tuple(details), bar_chart(keys[:15], users[:15]), figures=tuple(figures), ranking=tuple(zip(keys, users))
    )


def _funnel(answer: Asked, table: Table, what: str) -> Interpretation:
    if "side" in table.columns:
        return _funnel_sides(answer, table, what)
    rows = table.records()
    users = [_num(r["users"]) for r in rows]
    if not users[0]:
        return Interpretation(
            f"Nobody did {rows[0]['event']} for {what}, so there is no conversion to measure.",
            figures=(Figure("conversion", 0.0, "%"),),
        )
    overall = users[-1] / users[0] * 100
    drops = [(users[i] - users[i + 1]) / users[i] * 100 if users[i] else 0.0 for i in range(len(users) - 1)]
    worst = max(range(len(drops)), key=drops.__getitem__) if drops else 0
    window = answer.meaning.window_days if answer.meaning is not None else None
    head = (
        f"{overall:.1f}% ({fmt(users[-1])} of {fmt(users[0])} users) converted: {what}"
        f"{f', within {window} days' if window else ''}."
    )
    details = []
    if len(rows) > 2:
        details.append("Steps: " + " → ".join(f"{r['event']} {fmt(_num(r['users']))}" for r in rows) + ".")
    if drops:
        details.append(
            f"Biggest drop: {rows[worst]['event']} → {rows[worst + 1]['event']}, where "
            f"{drops[worst]:.1f}% of users are lost."
        )
    labels = [f"{r['step']}. {r['event']}" for r in rows]
    figures = [
        Figure("conversion", overall, "%"),
        Figure("first_step_users", users[0]),
        Figure("last_step_users", users[-1]),
    ]
    figures += [Figure(f"step {i + 1} conversion", _num(r["conversion_pct"]), "%") for i, r in enumerate(rows)]
    figures += [Figure(f"step {i + 2} from previous", 100 - d, "%") for i, d in enumerate(drops)]
    return Interpretation(head, tuple(details), bar_chart(labels, users), figures=tuple(figures))


def _funnel_sides(answer: Asked, table: Table, what: str) -> Interpretation:
    """A funnel beside the same funnel in the previous range: overall conversion of each, and the change."""
    rates: dict[str, tuple[float, float, float]] = {}
    for side in ("current", "previous"):
        rows = sorted((r for r in table.records() if r.get("side") == side), key=lambda r: _num(r["step"]))
        if rows:
            first, last = _num(rows[0]["users"]), _num(rows[-1]["users"])
            rates[side] = (last / first * 100 if first else 0.0, first, last)
    cur = rates.get("current", (0.0, 0.0, 0.0))
    prev = rates.get("previous", (0.0, 0.0, 0.0))
    compared = _compared(answer, cur[0], prev[0], what, "%")
    details = (f"Now {fmt(cur[2])} of {fmt(cur[1])} converted; before, {fmt(prev[2])} of {fmt(prev[1])}.",)
    return Interpretation(
        compared.headline,
        details,
        figures=(
            *compared.figures,
            Figure("current entered", cur[1]),
            Figure("current converted", cur[2]),
            Figure("previous entered", prev[1]),
            Figure("previous converted", prev[2]),
        ),
    )


def _funnel_breakdown(answer: Asked, table: Table, what: str) -> Interpretation:
    by: dict[Any, list[dict[str, Any]]] = {}
    for r in table.records():
        by.setdefault(r["breakdown"], []).append(r)
    rates = {}
    for key, rows in by.items():
        rows.sort(key=lambda r: _num(r["step"]))
        first = _num(rows[0]["users"])
        rates[str(key)] = _num(rows[-1]["users"]) / first * 100 if first else 0.0
    keys = sorted(rates, key=lambda k: -rates[k])
    head = f"{what}: conversion " + ", ".join(f"{k} {rates[k]:.1f}%" for k in keys[:8]) + "."
    return Interpretation(
        head,
        (),
        bar_chart(keys, [rates[k] for k in keys], suffix="%"),
        figures=tuple(Figure(k, rates[k], "%") for k in keys),
        ranking=tuple((k, rates[k]) for k in keys),
    )


def _retention(answer: Asked, table: Table, what: str) -> Interpretation:
    """Each offset's retention over all cohorts that have reached it (weighted by cohort size); with named values
    side by side, that for each value."""
    unit = answer.meaning.retention.period if answer.meaning and answer.meaning.retention else "week"
    records = table.records()
    if "segment" in table.columns:
        return _retention_sides(answer, records, what, unit)
    sizes, offsets, rates, reached = _retention_rates(answer, records, unit)
    if not offsets:
        return Interpretation(
            f"Not enough {unit}s yet to measure retention for {what}.", figures=(Figure("cohort", sum(sizes.values())),)
        )
    focus = _focus(answer, offsets)
    head = f"{rates[focus]:.1f}% of {fmt(reached.get(focus, 0))} users came back in {unit} {focus}: {what}."
    details = ("By " + unit + ": " + ", ".join(f"{unit} {o} {rates[o]:.1f}%" for o in offsets) + ".",)
    figures = (*tuple(Figure(f"{unit} {o}", rates[o], "%") for o in offsets), Figure("cohort", sum(sizes.values())))
    return Interpretation(
        head,
        details,
        bar_chart([f"{unit} {o}" for o in offsets], [rates[o] for o in offsets], suffix="%"),
        figures=figures,
    )


def _retention_sides(answer: Asked, records: list[dict[str, Any]], what: str, unit: str) -> Interpretation:
    """ "Week 4 retention, one-person businesses vs companies of 11-50": the asked period's retention for each
    value, side by side (each value's cohorts weighed on their own)."""
    sides: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        sides.setdefault(str(r["segment"]), []).append(r)
    found = {side: _retention_rates(answer, rows, unit) for side, rows in sides.items()}
    offsets = sorted({o for _, offs, _, _ in found.values() for o in offs})
    if not offsets:
        return Interpretation(f"Not enough {unit}s yet to measure retention for {what}.")
    focus = _focus(answer, offsets)
    parts = [
        f"{side} {rates.get(focus, 0.0):.1f}% of {fmt(reached.get(focus, 0))}"
        for side, (_, _, rates, reached) in found.items()
    ]
    head = f"{unit.capitalize()} {focus} retention: " + ", ".join(parts) + f": {what}."
    details = tuple(
        f"{side}, by {unit}: " + ", ".join(f"{unit} {o} {rates[o]:.1f}%" for o in offs) + "."
        for side, (_, offs, rates, _) in found.items()
    )
    figures = tuple(
        Figure(f"{side} {unit} {focus}", rates.get(focus, 0.0), "%") for side, (_, _, rates, _) in found.items()
    )
    return Interpretation(
        head,
        details,
        bar_chart(list(found), [rates.get(focus, 0.0) for _, _, rates, _ in found.values()], suffix="%"),
        figures=figures,
    )


def _retention_rates(
    answer: Asked, records: list[dict[str, Any]], unit: str
) -> tuple[dict[str, float], list[int], dict[int, float], dict[int, float]]:
    """Cohort sizes, the offsets after the start, each one's retention (%) and how many people could reach it."""
    sizes: dict[str, float] = {}
    returned: dict[int, float] = {}
    for r in records:
        sizes[str(r["cohort"])] = _num(r["cohort_size"])
        offset = int(_num(r["period_offset"]))
        returned[offset] = returned.get(offset, 0.0) + _num(r["users"])
    offsets = sorted(o for o in returned if o > 0)
    reached = _reached(answer, records, unit)
    rates = {o: returned[o] / reached[o] * 100 if reached.get(o) else 0.0 for o in offsets}
    return sizes, offsets, rates, reached


def _focus(answer: Asked, offsets: list[int]) -> int:
    """The period the question asked about ("week 4 retention"), else the first after the start."""
    asked = answer.meaning.param("offset") if answer.meaning else None
    return int(asked) if isinstance(asked, int) and asked in offsets else offsets[0]


def _reached(answer: Asked, records: list[dict[str, Any]], unit: str) -> dict[int, float]:
    """For each offset, how many people are in cohorts old enough to have had it (a cohort that started this
    week has no week 1 yet: counting it would read as people not coming back)."""
    from .meaning import _shift

    now = answer.now
    out: dict[int, float] = {}
    seen: set[str] = set()
    offsets = {int(_num(r["period_offset"])) for r in records}
    for r in records:
        cohort = str(r["cohort"])
        if cohort in seen:
            continue
        seen.add(cohort)
        try:
            start = aware_utc(datetime.fromisoformat(cohort))
        except ValueError:
            start = None
        for o in offsets:
            if start is None or now is None or _shift(start, unit, o) < now:
                out[o] = out.get(o, 0.0) + _num(r["cohort_size"])
    return out


def _experiment(answer: Asked, table: Table, what: str) -> Interpretation:
    from .errors import StatisticsError
    from .stats import two_proportion_ztest  # scipy loads only when an experiment is read

    rows = {str(r["variant"]): r for r in table.records()}
    control = rows.get("control") or next(iter(rows.values()))
    exposures = sum(_num(r["exposures"]) for r in rows.values())
    head = (
        f"{what}: "
        + ", ".join(
            f"{v} {_num(r['conversion_pct']):.1f}% ({fmt(_num(r['conversions']))} of "
            f"{fmt(_num(r['exposures']))} exposed)"
            for v, r in rows.items()
        )
        + f"; {fmt(exposures)} people exposed in all."
    )
    figures = [Figure(str(v), _num(r["conversion_pct"]), "%") for v, r in rows.items()]
    figures += [Figure(f"{v} exposed", _num(r["exposures"])) for v, r in rows.items()]
    figures += [Figure(f"{v} converted", _num(r["conversions"])) for v, r in rows.items()]
    figures.append(Figure("exposed", exposures))
    details = []
    for name, r in rows.items():
        if r is control:
            continue
        try:
            cmp = two_proportion_ztest(
                int(_num(control["conversions"])),
                int(_num(control["exposures"])),
                int(_num(r["conversions"])),
                int(_num(r["exposures"])),
            )
        except StatisticsError:
            continue
        verdict = "significant" if cmp.significant else "not significant"
        lift = signed_pct(cmp.lift, 1)
        details.append(
            f"{name} vs {control['variant']}: relative lift {lift}, p = {cmp.p_value:.4f} ({verdict} at 95%)."
        )
        if cmp.lift is not None:
            figures.append(Figure("lift", cmp.lift * 100, "%"))
    return Interpretation(head, tuple(details), figures=tuple(figures))


def _time_to_event(answer: Asked, table: Table, what: str) -> Interpretation:
    if "breakdown" in table.columns:
        return _time_to_event_split(table, what)
    r = table.records()[0]
    if not _num(r["users"]):
        return _no_time_to_measure(what)
    return Interpretation(
        f"Median {duration(_num(r['median_seconds']))}, 90th percentile "
        f"{duration(_num(r['p90_seconds']))}, average {duration(_num(r['avg_seconds']))}, over "
        f"{fmt(_num(r['users']))} users who converted: {what}.",
        figures=(
            Figure("median", _num(r["median_seconds"]), "s"),
            Figure("p90", _num(r["p90_seconds"]), "s"),
            Figure("avg", _num(r["avg_seconds"]), "s"),
            Figure("users", _num(r["users"])),
        ),
    )


def _no_time_to_measure(what: str) -> Interpretation:
    return Interpretation(
        f"No user converted: {what}, so there is no time to measure.", figures=(Figure("users", 0.0),)
    )


def _time_to_event_split(table: Table, what: str) -> Interpretation:
    """One row per value the people's first step had, most converted users first: each value's median."""
    rows = [r for r in table.records() if _num(r["users"])]
    if not rows:
        return _no_time_to_measure(what)
    head = f"Median {what}: " + ", ".join(
        f"{r['breakdown']} {duration(_num(r['median_seconds']))} ({fmt(_num(r['users']))} users)" for r in rows
    )
    details = tuple(
        f"{r['breakdown']}: median {duration(_num(r['median_seconds']))}, 90th percentile "
        f"{duration(_num(r['p90_seconds']))}, average {duration(_num(r['avg_seconds']))}, "
        f"over {fmt(_num(r['users']))} users who converted"
        for r in rows
    )
    figures = tuple(Figure(str(r["breakdown"]), _num(r["median_seconds"]), "s") for r in rows)
    return Interpretation(head + ".", details, figures=figures)


def _people(answer: Asked, table: Table, what: str) -> Interpretation:
    rows = table.records()
    total = _num(rows[0].get("total", len(rows)))
    rank = answer.meaning.param("rank") if answer.meaning else None
    shown_by = {"silence": ("days_silent",), "active_days": ("active_days_before",)}.get(
        str(rank), ("times", "events_before")
    )
    count_col = next((c for c in shown_by if c in table.columns), None)
    unit = {"days_silent": " days silent", "active_days_before": " days active"}.get(str(count_col), "")
    ranking = tuple(
        (str(r.get("email") or r.get("person_id")), _num(r[count_col]) if count_col else None) for r in rows
    )
    top = ", ".join(f"{lab} ({fmt(v)}{unit})" if v is not None else lab for lab, v in ranking[:3])
    shown = f" ({len(rows):,} shown)" if len(rows) < total else ""
    figures = [Figure("users", total)]
    of = ""
    if rows[0].get("active_in_range"):  # churn: the share of the people active in the range who went silent
        active = _num(rows[0]["active_in_range"])
        rate = round(100 * total / active, 2)
        of = f" of {fmt(active)} active in the range ({rate:g}%)"
        figures += [Figure("active in the range", active), Figure("churn rate", rate, "%")]
    head = f"{fmt(total)} users{of}{shown}: {what}. Top: {top}."
    return Interpretation(head, figures=tuple(figures), ranking=ranking)


def _single_row(answer: Asked, table: Table, what: str) -> Interpretation:
    r = table.records()[0]
    figures = tuple(
        Figure(k, _num(v), "%" if k.endswith("_pct") else "")
        for k, v in r.items()
        if isinstance(v, (int, float)) and not isinstance(v, bool)
    )
    return Interpretation(
        f"{what}: " + "; ".join(f"{k.replace('_', ' ')}: {fmt(v)}" for k, v in r.items()) + ".", figures=figures
    )


def _activation(answer: Asked, table: Table, what: str) -> Interpretation:
    rows = table.records()
    meaning = answer.meaning
    event = meaning.param("activation_event") if meaning else None
    days = meaning.window_days if meaning else None
    when = f"within {days} day(s)" if days else "by now"
    name = event.name if event is not None else "the key action"
    figures = []
    for r in rows:
        tag = f"{r['breakdown']} " if "breakdown" in r else ""
        figures += [
            Figure(f"{tag}activated", _num(r["activation_pct"]), "%"),
            Figure(f"{tag}not activated", _num(r["not_activated_pct"]), "%"),
            Figure(f"{tag}cohort", _num(r["cohort_users"])),
            Figure(f"{tag}activated users", _num(r["activated_users"])),
            Figure(f"{tag}not activated users", _num(r["not_activated_users"])),
        ]
    if "breakdown" in table.columns:
        head = (
            f"{what}: share who did {name} {when}: "
            + ", ".join(
                f"{r['breakdown']} {_num(r['activation_pct']):.1f}% of {fmt(_num(r['cohort_users']))}" for r in rows
            )
            + "."
        )
        return Interpretation(
            head, figures=tuple(figures), ranking=tuple((str(r["breakdown"]), _num(r["activation_pct"])) for r in rows)
        )
    r = rows[0]
    share = (
        f"{_num(r['activation_pct']):.1f}% ({fmt(_num(r['activated_users']))} of "
        f"{fmt(_num(r['cohort_users']))}) did {name} {when}; {fmt(_num(r['not_activated_users']))} "
        f"({_num(r['not_activated_pct']):.1f}%) did not"
    )
    head = f"{share}: {what}."
    if meaning is not None and meaning.param("measure") == "per_user":  # "how many files does a new user upload"
        per = _num(r["actions_per_user"])
        figures.insert(0, Figure("per user", per))
        head = (
            f"On average each of the {fmt(_num(r['cohort_users']))} new users did {name} {fmt(per)} times "
            f"{when.replace('by now', 'after joining')} (those who never did count as 0): {what}. {share}."
        )
    firsts = [pair for pair in (r.get("first_events") or []) if isinstance(pair, (list, tuple)) and len(pair) == 2]
    details = (
        ("What activated users did first: " + ", ".join(f"{e} ({fmt(_num(n))})" for e, n in firsts[:5]) + ".",)
        if firsts
        else ()
    )
    return Interpretation(head, details, figures=tuple(figures))


def _cohort_comparison(answer: Asked, table: Table, what: str) -> Interpretation:
    rows = table.records()
    offset = answer.meaning.param("offset") if answer.meaning else None
    period = answer.meaning.param("period") if answer.meaning else None
    done, do, does = (
        (f"came back in {period} {offset}", "come back", "comes back")
        if offset is not None
        else ("converted", "convert", "converts")
    )
    per_person = answer.meaning is not None and answer.meaning.primary.per_actor is not None

    def said(r: dict[str, Any]) -> str:
        share = f"{_num(r['conversion_pct']):.1f}% of {fmt(_num(r['users']))} {done}"
        mean = (
            f"{fmt(_num(r['avg_metric_events']))} per person on average "
            f"({fmt(_num(r['avg_among_converted']))} per person who did it)"
        )
        return f"{r['cohort']}: {mean}, {share}" if per_person else f"{r['cohort']}: {share}, {mean}"

    head = f"{what}: " + "; ".join(said(r) for r in rows) + "."
    figures = []
    for r in rows:
        figures += [
            Figure(f"{r['cohort']} conversion", _num(r["conversion_pct"]), "%"),
            Figure(f"{r['cohort']} users", _num(r["users"])),
            Figure(f"{r['cohort']} average", _num(r["avg_metric_events"])),
            Figure(f"{r['cohort']} average of those who did it", _num(r["avg_among_converted"])),
        ]
    did_not = next((r for r in rows if str(r["cohort"]).startswith("did not ")), None)
    did = next((r for r in rows if str(r["cohort"]).startswith("did ") and r is not did_not), None)
    details: tuple[str, ...] = ()
    if did is not None and did_not is not None and _num(did_not["conversion_pct"]):
        ratio = _num(did["conversion_pct"]) / _num(did_not["conversion_pct"])
        details = (f"Those who did are {ratio:.2f} times as likely to {do}.",)
        figures.append(Figure("ratio", round(ratio, 2)))
    elif did is None and len(rows) == 2:  # named groups ("google vs twitter users"): the higher against the lower
        high, low = sorted(rows, key=lambda r: _num(r["conversion_pct"]), reverse=True)
        if _num(low["conversion_pct"]):
            ratio = _num(high["conversion_pct"]) / _num(low["conversion_pct"])
            details = (f"{high['cohort']} {does} {ratio:.2f} times as often as {low['cohort']}.",)
            figures.append(Figure("ratio", round(ratio, 2)))
    return Interpretation(head, details, figures=tuple(figures))


def _correlation(answer: Asked, table: Table, what: str) -> Interpretation:
    """Ranked by lift, or (``rank`` = rate) by the share of each candidate's people who converted: the head, the
    chart and the ranking say which."""
    rows = table.records()
    keys = [str(r["candidate"]) for r in rows]
    by_rate = answer.meaning is not None and answer.meaning.param("rank") == "rate"
    top = rows[0]
    head = (
        f"{what}: {keys[0]} goes with the highest conversion ({_num(top['conversion_pct']):.1f}% of its people "
        f"converted, lift {_num(top['lift']):.2f})."
        if by_rate
        else f"{what}: {keys[0]} goes with converting most (lift {_num(top['lift']):.2f})."
    )
    details = (
        ", ".join(f"{r['candidate']}: {_num(r['conversion_pct']):.1f}% of doers converted" for r in rows[:6]) + ".",
    )
    figures = [Figure(k, _num(r["conversion_pct"]), "%") for k, r in zip(keys[:10], rows)]
    measure = "conversion_pct" if by_rate else "lift"
    return Interpretation(
        head,
        details,
        bar_chart(keys[:15], [_num(r[measure]) for r in rows[:15]]),
        figures=tuple(figures),
        ranking=tuple((k, _num(r[measure])) for k, r in zip(keys, rows)),
    )


def _lifecycle(answer: Asked, table: Table, what: str) -> Interpretation:
    rows = table.records()
    last = rows[-1]["period"]
    latest = {r["status"]: _num(r["users"]) for r in rows if r["period"] == last}
    statuses = ", ".join(f"{k} {fmt(v)}" for k, v in latest.items())
    asked = answer.meaning.param("status") if answer.meaning else None
    if asked is not None:  # "how many came back after being inactive": the status asked leads
        head = f"{fmt(latest.get(asked, 0))} users were {asked} in the {_label(last, None)} period ({what}); all: {statuses}."
    else:
        head = f"In the {_label(last, None)} period ({what}): {statuses}."
    return Interpretation(head, figures=tuple(Figure(k, v) for k, v in latest.items()))


def _stickiness(answer: Asked, table: Table, what: str) -> Interpretation:
    days = [int(_num(d)) for d in table.column("active_days")]
    users = [_num(u) for u in table.column("users")]
    total = sum(users)
    asked = answer.meaning.param("min_days") if answer.meaning else None
    mean = sum(d * u for d, u in zip(days, users)) / total if total else 0.0
    figures = [Figure(f"{d} days", u) for d, u in zip(days, users)]
    details = ["By days active: " + ", ".join(f"{d}: {fmt(u)}" for d, u in zip(days, users)) + "."]
    if answer.meaning is not None and answer.meaning.primary.math == "avg":
        # "on how many different days were they active, on average?": one figure, the mean over the people active
        head = f"{mean:.2f} days active per user on average, over {fmt(total)} users: {what}."
        figures.insert(0, Figure("average days active", mean))
    elif asked:
        at_least = sum(u for d, u in zip(days, users) if d >= asked)
        head = f"{fmt(at_least)} of {fmt(total)} users were active on {asked} or more days: {what}."
        figures.insert(0, Figure(f"{asked}+ days", at_least))
    else:
        heavy = sum(u for d, u in zip(days, users) if d >= 3)
        head = f"{heavy / total * 100:.0f}% of {fmt(total)} users were active on 3 or more days: {what}."
        details.append(f"On average {mean:.2f} days active per user.")
        figures.insert(0, Figure("3+ days share", heavy / total * 100, "%"))
    figures.append(Figure("users", total))
    return Interpretation(head, tuple(details), bar_chart([f"{d} days" for d in days], users), figures=tuple(figures))


def _anomaly(answer: Asked, table: Table, what: str) -> Interpretation:
    records = table.records()
    flagged = [r for r in records if _num(r.get("is_anomaly"))]
    peak = max(records, key=lambda r: _num(r["value"]))
    ranking = tuple(
        (_label(r["period"], None), _num(r["value"])) for r in sorted(records, key=lambda r: -_num(r["value"]))
    )
    figures = (
        Figure("peak", _num(peak["value"])),
        *tuple(Figure(str(r["period"]), _num(r["value"])) for r in flagged[:5]),
    )
    if not flagged:
        return Interpretation(
            f"Nothing unusual: {what}: every interval is within the baseline's range; the highest "
            f"was {fmt(_num(peak['value']))} on {_label(peak['period'], None)}.",
            figures=figures,
            ranking=ranking,
        )
    parts = [
        f"{_label(r['period'], None)} ({fmt(_num(r['value']))}, z = {_num(r['z_score']):+.1f})" for r in flagged[:5]
    ]
    return Interpretation(
        f"{len(flagged)} unusual interval(s) in {what}: " + "; ".join(parts) + ".", figures=figures, ranking=ranking
    )


def _revenue(answer: Asked, table: Table, what: str) -> Interpretation:
    if "period" in table.columns:  # "revenue by month": the amount per period
        return _series(answer, table, what)
    meaning = answer.meaning
    rows = table.records()
    if (
        "side" in table.columns
        and meaning is not None
        and meaning.compare is not None
        and "breakdown" not in table.columns
    ):
        sides = {r["side"]: r for r in rows}
        cur, prev = sides.get("current", {}), sides.get("previous", {})
        compared = _compared(answer, _num(cur.get("revenue")), _num(prev.get("revenue")), f"revenue ({what})")
        extra = (
            Figure("paying users", _num(cur.get("paying_users"))),
            Figure("arpu", _num(cur.get("arpu"))),
            Figure("previous paying users", _num(prev.get("paying_users"))),
        )
        return Interpretation(compared.headline, compared.details, figures=compared.figures + extra)
    if "breakdown" in table.columns:
        rank = (meaning.param("rank") if meaning else None) or "revenue"
        rows = sorted(rows, key=lambda r: -_num(r[rank]))
        keys = [_label(r["breakdown"], meaning) for r in rows]
        head = f"{what}: {keys[0]} leads by {rank.replace('_', ' ')} with {fmt(_num(rows[0][rank]))}."
        details = tuple(
            f"{k}: revenue {fmt(_num(r['revenue']))}, {fmt(_num(r['paying_users']))} paying users, "
            f"{fmt(_num(r['arpu']))} per paying user"
            for k, r in zip(keys[:8], rows)
        )
        figures = [
            Figure(f"{k} {c}", _num(r[c]))
            for k, r in zip(keys[:10], rows)
            for c in ("revenue", "paying_users", "arpu", "purchases")
        ]
        return Interpretation(
            head,
            details,
            bar_chart(keys[:15], [_num(r[rank]) for r in rows[:15]]),
            figures=tuple(figures),
            ranking=tuple((k, _num(r[rank])) for k, r in zip(keys, rows)),
        )
    r = rows[0]
    event = meaning.primary.event if meaning is not None else None
    head = (
        f"{fmt(_num(r['revenue']))} revenue from {fmt(_num(r['paying_users']))} paying users "
        f"({fmt(_num(r['arpu']))} per paying user, {fmt(_num(r['purchases']))} "
        f"{event.name + ' events' if event is not None else 'purchases'}): {what}."
    )
    return Interpretation(
        head,
        figures=(
            Figure("revenue", _num(r["revenue"])),
            Figure("paying users", _num(r["paying_users"])),
            Figure("arpu", _num(r["arpu"])),
            Figure("purchases", _num(r["purchases"])),
        ),
    )


def _sessions(answer: Asked, table: Table, what: str) -> Interpretation:
    metric = answer.meaning.param("metric") if answer.meaning else None
    col = {
        "duration": "duration_seconds",
        "bounce_rate": "bounce_rate_pct",
        "bounces": "bounced_sessions",
        "non_bounces": "engaged_sessions",
        "sessions_per_user": "sessions_per_user",
        "pageviews_per_session": "pageviews_per_session",
        "count": "sessions",
    }.get(str(metric), table.columns[-1])
    unit = "%" if col.endswith("_pct") else ""
    if "period" in table.columns:
        return _series(answer, table, what)
    meaning = answer.meaning
    if "side" in table.columns and meaning is not None and meaning.compare is not None:
        sides = {r["side"]: _num(r[col]) for r in table.records()}
        return _compared(answer, sides.get("current", 0.0), sides.get("previous", 0.0), what, unit)
    if "breakdown" in table.columns:  # named values side by side ("Chrome versus Firefox"), or the groups by a property
        rows = table.records()

        def shown_as(r: dict[str, Any]) -> str:
            v, sessions = _num(r[col]), f"{fmt(_num(r['sessions']))} sessions"
            if col == "sessions":
                return sessions
            return f"{duration(v) if col == 'duration_seconds' else f'{fmt(v)}{unit}'} over {sessions}"

        head = f"{what}: " + "; ".join(f"{r['breakdown']} {shown_as(r)}" for r in rows)
        figures = [Figure(str(r["breakdown"]), _num(r[col]), "s" if col == "duration_seconds" else unit) for r in rows]
        return Interpretation(head + ".", figures=tuple(figures), ranking=tuple((f.name, f.value) for f in figures))
    r = table.records()[0]
    value = _num(r[col])
    shown = duration(value) if col == "duration_seconds" else f"{fmt(value)}{unit}"
    figures = [Figure(col, value, "s" if col == "duration_seconds" else unit)]
    extra = [f"{k.replace('_', ' ')}: {fmt(_num(v))}" for k, v in r.items() if k != col]
    figures += [Figure(k, _num(v), "s" if k.endswith("seconds") else "") for k, v in r.items() if k != col]
    return Interpretation(
        f"{shown} ({col.replace('_', ' ')}): {what}.",
        (("; ".join(extra) + ".",) if extra else ()),
        figures=tuple(figures),
    )


def _engagement(answer: Asked, table: Table, what: str) -> Interpretation:
    if "period" in table.columns and "breakdown" in table.columns:
        return _series(answer, table, what)
    if "period" in table.columns:
        interp = _series(answer, table, what)
        if len(table) == 1:
            col = next(c for c in table.columns if c != "period")
            value = _num(table.rows[0][table.columns.index(col)])
            return Interpretation(
                f"{fmt(value)} {col.replace('_', ' ')}: {what}.", figures=(Figure(col, value),), series=interp.series
            )
        values = [v for _, v in interp.series]
        average = sum(values) / len(values) if values else 0.0
        return Interpretation(
            interp.headline,
            (*interp.details, f"Average per period: {fmt(average)}."),
            interp.chart,
            figures=(*interp.figures, Figure("average", average)),
            series=interp.series,
        )
    if "events_per_user" in table.columns:
        split = "side" in table.columns or "breakdown" in table.columns
        return _count_like(answer, table, what, "events_per_user") if split else _single_row(answer, table, what)
    return _count_like(answer, table, what, "active_users")


def _count_like(answer: Asked, table: Table, what: str, col: str) -> Interpretation:
    meaning = answer.meaning
    if (
        "side" in table.columns
        and meaning is not None
        and meaning.compare is not None
        and "breakdown" not in table.columns
    ):
        sides = _sides(table, col)
        return _compared(answer, sides.get("current", 0.0), sides.get("previous", 0.0), what)
    if "breakdown" in table.columns:
        renamed = Table(tuple("value" if c == col else c for c in table.columns), table.types, table.rows)
        return _ranked(answer, renamed, what)
    value = _num(table.rows[0][table.columns.index(col)])
    return Interpretation(f"{fmt(value)} {col.replace('_', ' ')}: {what}.", figures=(Figure(col, value),))


def _paths(answer: Asked, table: Table, what: str) -> Interpretation:
    """Paths ranked by people (or by occurrences, where every time the event happened counts); a one-step path is
    named by the step after (or before) the event."""
    meaning = answer.meaning
    one_step = meaning is not None and meaning.param("path_length") == 1
    direction = answer.template == "paths_before"
    rows = table.records()

    def name(path: str) -> str:
        steps = path.split(" → ")
        if one_step and len(steps) == 2:
            return steps[0] if direction else steps[1]
        return path

    keys = [name(str(r["path"])) for r in rows]
    unit = "times" if "times" in table.columns else "users"  # every occurrence of the event, or each person's first
    counts = [_num(r[unit]) for r in rows]
    head = f"{what}: the most common is {keys[0]} ({fmt(counts[0])} {unit}, {_num(rows[0]['share_pct']):.1f}%)."
    return Interpretation(
        head,
        (),
        bar_chart(keys[:15], counts[:15]),
        figures=tuple(Figure(k, u) for k, u in zip(keys[:10], counts)),
        ranking=tuple(zip(keys, counts)),
    )


def _generic(answer: Asked, table: Table, what: str) -> Interpretation:
    if "period" in table.columns and len(table) > 1:
        return _series(answer, table, what)
    if len(table) == 1:
        return _single_row(answer, table, what)
    return _ranked(answer, table, what)


_READERS: dict[str, Callable[[Asked, Table, str], Interpretation]] = {
    "count": _count,
    "trend": _series,
    "breakdown": _ranked,
    "revenue": _revenue,
    "engagement_active_users": _engagement,
    "engagement_events_per_user": _engagement,
    "engagement_dau_mau": _engagement,
    "correlation_events": _correlation,
    "correlation_properties": _correlation,
    "paths_after": _paths,
    "paths_before": _paths,
    "feature_usage": _feature_usage,
    "funnel": _funnel,
    "funnel_breakdown": _funnel_breakdown,
    "retention_weekly": _retention,
    "retention_monthly": _retention,
    "experiment": _experiment,
    "time_to_event": _time_to_event,
    "user_list": _people,
    "churn_risk": _people,
    "cohort_comparison": _cohort_comparison,
    "lifecycle": _lifecycle,
    "stickiness": _stickiness,
    "anomaly": _anomaly,
    "activation": _activation,
    "sessions": _sessions,
}
