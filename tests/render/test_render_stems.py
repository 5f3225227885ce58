"""Every stem the intent catalog names renders, for five slot combinations each, into HogQL that
askhog's guard accepts, PostHog's own parser accepts (a fixed sample of one case a stem; all five in the full
sweep, bench/bench_sweeps.py), and whose tree means what the slots asked.

The first test holds for every case (columns, grouping, limit, window, events, filters). The tests after it each
check one branch of the meaning (a comparison's sides, named segments, "within N days", "never did", "at least N
times", per-person figures, first times, time grains, path occurrences, rankings): they read the cases that ask for
it, and each says how many cases it read, so a branch the cases stop exercising fails instead of passing empty.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import resources
from typing import Any

import pytest
from askhog.hogql import validate
from askhog.hogql.posthog_parser import assert_posthog_parses
from askhog.meaning import Breakdown, Comparison, Condition
from askhog.render import RenderedQuery, Renderer, select_template
from askhog.timerange import default_interval
from askhog.types import EventRef, PropertyFilter, PropertyRef, TimeRange
from query_tree import (
    column_names,
    events_matched,
    grain_of,
    group_by,
    limit_value,
    output_columns,
    person_subqueries,
    placeholder_value,
    select_expr,
    selects,
    time_bounds,
    unround,
    where_orders,
)
from render_cases import cases, expected_columns, one_window, readme_columns, stem_families
from sqlglot import exp

STEMS = stem_families()
CASES = [
    (stem, family, i, slots) for stem, family in sorted(STEMS.items()) for i, slots in enumerate(cases(stem, family))
]
DATE = "%Y-%m-%d %H:%M:%S"
FULL_SWEEP = os.environ.get("ASKHOG_FULL_SWEEP") == "1"
_SAMPLE = random.Random(15)
POSTHOG_PARSED = {(stem, i) for stem in sorted(STEMS) for i in _SAMPLE.sample(range(len(cases(stem, STEMS[stem]))), 1)}
"""PostHog's parser takes 0.1-1.5 s a query here: it reads a fixed sample of one case a stem (every case with
ASKHOG_FULL_SWEEP=1, as bench/bench_sweeps.py runs it); askhog's own parser and guard read every case."""

OUTER_GROUP_BY: dict[str, list[str]] = {
    "feature_usage": ["feature"], "retention_weekly": ["cohort", "period_offset", "cohort_size"],
    "retention_monthly": ["cohort", "period_offset", "cohort_size"], "paths_after": ["path"], "paths_before": ["path"],
    "cohort_comparison": ["cohort"], "experiment": ["variant"], "stickiness": ["active_days"],
    "lifecycle": ["period", "status"], "engagement_dau_mau": ["period"],
}  # fmt: skip
SLOT_LIMITS = {"breakdown", "feature_usage", "user_list", "paths", "correlation", "churn_risk"}


def compared(slots: dict[str, Any]) -> bool:
    compare = slots.get("compare")
    return isinstance(compare, Comparison) and compare.previous is not None


def expected_group_by(stem: str, slots: dict[str, Any]) -> list[str]:
    """The outermost GROUP BY: comparison side, then period, then breakdown, as each stem groups."""
    side = ["side"] if compared(slots) else []
    split = ["breakdown"] if slots.get("breakdown") or slots.get("segments") else []
    if stem == "count":
        return [] if slots["measure"] == "persons" else side + split
    if stem == "trend":
        return [*side, "period", *split]
    if stem == "breakdown":
        return [*side, "breakdown"]
    if stem == "revenue":
        return (["period"] if slots.get("interval") else []) + side + split
    if stem == "activation":
        return split
    if stem == "user_list":  # ranked by time in sessions, people are grouped in a subquery (see the ranking test)
        return [] if slots["rank"] == "session_time" else ["person_id"]
    if stem == "sessions":
        return (["period"] if slots["interval"] else []) + side
    if stem == "engagement_active_users":
        return side + split if slots["metric"] == "active" or one_window(slots) else ["period"]
    if stem == "engagement_events_per_user":
        return ["period"] if slots["interval"] else []
    return OUTER_GROUP_BY.get(stem, [])


def expected_events(stem: str, slots: dict[str, Any]) -> set[str]:
    found = {v.name for v in slots.values() if isinstance(v, EventRef)}
    found |= {e.name for e in slots.get("steps") or ()}
    for c in slots.get("conditions") or ():
        found |= {e.name for e in (c.event, c.anchor) if e is not None}
    if stem == "experiment":
        found.add("$feature_flag_called")
    return found


def all_filters(slots: dict[str, Any]) -> list[PropertyFilter]:
    events = [v for v in slots.values() if isinstance(v, EventRef)] + list(slots.get("steps") or ())
    return list(slots.get("filters") or ()) + [f for e in events for f in e.filters]


def render(renderer: Renderer, stem: str, slots: dict[str, Any]) -> tuple[RenderedQuery, exp.Expr]:
    """Render and pass askhog's guard; the tree is what the assertions read."""
    query = renderer.render(stem, slots)
    return query, validate(query.hogql).tree


def rendered(renderer: Renderer, wanted: Callable[[str, dict[str, Any]], bool], at_least: int):
    """(stem, slots, query, tree) of every case ``wanted`` picks; fails when fewer than ``at_least`` are picked."""
    picked = [(stem, slots) for stem, _, _, slots in CASES if wanted(stem, slots)]
    assert len(picked) >= at_least, f"the render cases exercise this {len(picked)} times, expected {at_least}"
    for stem, slots in picked:
        query, tree = render(renderer, stem, slots)
        yield stem, slots, query, tree


def interval(slots: dict[str, Any]) -> str:
    """The interval asked, or the one the range's length gives (templates/README: up to 2 days hourly, ...)."""
    asked = slots["interval"]
    return default_interval(slots["time_range"]) if asked in (None, "by_range") else asked


def days_in(time_range: TimeRange, unit: str) -> int:
    seconds = {"hour": 3600, "day": 86400, "week": 7 * 86400}[unit]
    return -(-int((time_range.end - time_range.start).total_seconds()) // seconds)


def conditions(slots: dict[str, Any], kind: str) -> list[Condition]:
    return [c for c in slots.get("conditions") or () if c.kind == kind]


def test_every_catalog_stem_has_a_template_and_a_documented_contract():
    folder = resources.files("askhog.templates")
    on_disk = {p.name.removesuffix(".hogql.j2") for p in folder.iterdir() if p.name.endswith(".hogql.j2")}
    assert set(STEMS) <= on_disk
    assert set(readme_columns()) == set(STEMS)


@pytest.mark.parametrize(("stem", "family", "i", "slots"), CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES])
def test_stem_renders_valid_hogql_that_means_what_was_asked(renderer, intents, stem, family, i, slots):
    assert select_template(intents[family]["template"], slots) == stem
    query, tree = render(renderer, stem, slots)
    values = query.values
    if FULL_SWEEP or (stem, i) in POSTHOG_PARSED:
        assert_posthog_parses(query.hogql)  # PostHog's own parser: our HogQL is real HogQL

    assert output_columns(tree) == expected_columns(stem, slots)
    assert group_by(tree) == expected_group_by(stem, slots)
    limit = limit_value(tree, values)
    assert limit == slots["limit"] if family in SLOT_LIMITS else isinstance(limit, int) and limit > 0

    time_range = slots["time_range"]
    bounds = time_bounds(tree, values)
    column = "$start_timestamp" if stem == "sessions" else "timestamp"
    start = (slots["compare"].previous if compared(slots) else time_range).start.strftime(DATE)
    if slots.get("measure") == "first_time":  # first times read all history; the person's first one is in the range
        assert ("GTE", "first_at", start) in bounds
    else:
        assert ("GTE", column, start) in bounds
    assert ("LT", column, time_range.end.strftime(DATE)) in bounds
    assert all(datetime.strptime(v, DATE).replace(tzinfo=UTC) for _, _, v in bounds)  # each bound parses

    assert expected_events(stem, slots) <= events_matched(tree, values)
    for order in where_orders(tree):
        if "time" in order:  # a scan of a table: time first, then the event, then properties
            assert order[0] == "time" and order.count("time") <= 2, order
            assert "event" not in order or "property" not in order or order.index("event") < order.index("property"), (
                order
            )

    columns_read = {c.name for c in tree.find_all(exp.Column)}
    bound = list(values.values())
    for f in all_filters(slots):
        assert f.prop.name in columns_read
        for v in f.value if isinstance(f.value, tuple) else () if f.value is None else (f.value,):
            assert v in bound or float(v) in bound


# --- what is measured -------------------------------------------------------------------------------------------

MEASURED = {"events": ("count", None), "users": ("distinct", "person_id"), "sessions": ("distinct", "$session_id"),
            "sum": ("sum", "toFloat"), "avg": ("avg", "toFloat"), "min": ("min", "toFloat"), "max": ("max", "toFloat"),
            "median": ("quantile 0.5", "toFloat"), "p90": ("quantile 0.9", "toFloat")}  # fmt: skip


def measure_of(node: exp.Expr) -> tuple[str, str | None]:
    """(aggregate, what it reads) of a value: count(), count(DISTINCT x), sum/avg/min/max/quantile(toFloat(...))."""
    node = unround(node)
    if isinstance(node, exp.Count):
        inner = node.this
        return ("distinct", inner.expressions[0].name) if isinstance(inner, exp.Distinct) else ("count", None)
    reads = node.this.name if isinstance(node.this, exp.Anonymous) else type(node.this).__name__
    if isinstance(node, exp.Quantile):
        return f"quantile {node.args['quantile'].name}", reads
    for cls, name in ((exp.Sum, "sum"), (exp.Avg, "avg"), (exp.Min, "min"), (exp.Max, "max")):
        if isinstance(node, cls):
            return name, reads
    raise AssertionError(f"not a measure: {node.sql()}")


def test_the_value_is_the_asked_measure_of_the_asked_property(renderer):
    direct = lambda stem, s: (
        stem in ("count", "trend", "breakdown")
        and not s["per"]
        and not s.get("per_period")
        and s["measure"] not in ("first_time", "persons")
    )
    for stem, slots, _, tree in rendered(renderer, direct, at_least=11):
        value = select_expr(tree, "value")
        assert measure_of(value) == MEASURED[slots["measure"]], (stem, slots["measure"], value.sql())
        if slots["property"] is not None:  # a property's statistic reads it as a number
            (cast,) = [n for n in value.find_all(exp.Anonymous) if n.name == "toFloat"]
            assert column_names(cast) == {slots["property"].name}


def test_revenue_sums_the_amount_over_paying_people_and_purchases(renderer):
    for _, slots, _, tree in rendered(renderer, lambda stem, s: stem == "revenue", at_least=5):
        revenue = select_expr(tree, "revenue")
        assert measure_of(revenue) == ("sum", "toFloat") and column_names(revenue) == {slots["amount_property"].name}
        assert measure_of(select_expr(tree, "paying_users")) == ("distinct", "person_id")
        assert measure_of(select_expr(tree, "purchases")) == ("count", None)
        assert column_names(select_expr(tree, "arpu")) == {"revenue", "paying_users"}
        if slots["breakdown"] is not None and not compared(slots):  # segments, the most revenue first (ties by name)
            assert [o.sql() for o in tree.args["order"].expressions] == ["revenue DESC", "breakdown NULLS LAST"]


# --- comparisons and segments -----------------------------------------------------------------------------------


def test_a_period_comparison_reads_both_ranges_and_labels_each_row_with_its_side(renderer):
    for _stem, slots, query, tree in rendered(renderer, lambda stem, s: compared(s), at_least=4):
        current, previous = slots["time_range"], slots["compare"].previous
        side = select_expr(tree, "side")
        assert isinstance(side, exp.Anonymous) and side.name == "multiIf", side.sql()
        is_current, current_label, is_previous, previous_label, neither = side.expressions
        assert (current_label.this, previous_label.this, neither.this) == ("current", "previous", "")
        assert isinstance(is_current, exp.GTE) and is_current.this.name == "timestamp"
        assert placeholder_value(is_current.expression, query.values) == current.start.strftime(DATE)
        assert isinstance(is_previous, exp.LT) and is_previous.this.name == "timestamp"
        assert placeholder_value(is_previous.expression, query.values) == previous.end.strftime(DATE)
        assert "side" in group_by(tree)
        # One scan covers the previous range's start to the asked range's end.
        bounds = time_bounds(tree, query.values)
        assert ("GTE", "timestamp", previous.start.strftime(DATE)) in bounds
        assert ("LT", "timestamp", current.end.strftime(DATE)) in bounds


def segmented(slots: dict[str, Any]) -> Breakdown | None:
    for value in (slots.get("segments"), slots.get("breakdown")):
        if isinstance(value, Breakdown) and value.values:
            return value
    return None


def test_a_segment_comparison_keeps_only_the_named_values(renderer):
    for stem, slots, query, tree in rendered(renderer, lambda stem, s: segmented(s) is not None, at_least=3):
        segments = segmented(slots)
        kept = [
            n
            for n in tree.find_all(exp.In)
            if n.expressions
            and all(isinstance(e, exp.Placeholder) for e in n.expressions)
            and {query.values[e.name] for e in n.expressions} == set(segments.values)
        ]
        assert kept, f"{stem}: no IN of the named values {segments.values}"
        # the property itself (or the breakdown read from it) is compared with the values
        assert all(n.this.name in (segments.property.name, "breakdown") for n in kept), [n.sql() for n in kept]
        defined = [select_expr(s, "breakdown") for s in selects(tree) if "breakdown" in output_columns(s)]
        defined = [d for d in defined if not (isinstance(d, exp.Column) and d.name == "breakdown")]
        assert defined and all(segments.property.name in column_names(d) for d in defined), [d.sql() for d in defined]
        assert "breakdown" in group_by(tree)


# --- conditions on a person's history ---------------------------------------------------------------------------


def test_within_days_of_the_anchor_counts_only_what_follows_each_persons_first_anchor(renderer):
    for stem, slots, query, tree in rendered(renderer, lambda stem, s: bool(conditions(s, "within")), at_least=3):
        (within,) = conditions(slots, "within")
        assert query.values["within_days"] == within.days and query.values["anchor_event"] == within.anchor.name
        # anchor_at is each person's first anchor event: min over the anchor's rows
        anchors = [s for s in selects(tree) if "anchor_at" in output_columns(s)]
        assert anchors, f"{stem}: nothing computes anchor_at"
        for anchor_scan in anchors:
            first = unround(select_expr(anchor_scan, "anchor_at"))
            assert isinstance(first, (exp.Min, exp.CombinedAggFunc)), first.sql()
        # only what happens from the anchor up to N days after it counts
        ends = [
            n
            for n in tree.find_all(exp.LT)
            if isinstance(n.expression, exp.Add)
            and n.expression.this.name == "anchor_at"
            and placeholder_value(n.expression.expression, query.values) == within.days
        ]
        starts = [
            n
            for n in tree.find_all(exp.GTE)
            if isinstance(n.expression, exp.Column) and n.expression.name == "anchor_at"
        ]
        assert ends and starts, f"{stem}: no window from anchor_at to anchor_at + within_days"


def test_never_did_excludes_the_people_who_did_it_at_any_time_before_now(renderer):
    never = lambda stem, s: bool(conditions(s, "did_not")) or bool(s.get("exclude_event"))
    for _stem, slots, query, tree in rendered(renderer, never, at_least=4):
        excluded = [c.event.name for c in conditions(slots, "did_not")] + (
            [slots["exclude_event"].name] if slots.get("exclude_event") else []
        )
        subqueries = [(negated, sub) for negated, sub in person_subqueries(tree) if negated]
        assert sorted(e for _, sub in subqueries for e in events_matched(sub, query.values)) == sorted(excluded)
        for _, sub in subqueries:
            assert sub.args.get("having") is None  # never did it: no count threshold
            bounds = time_bounds(sub, query.values)
            assert not [b for b in bounds if b[0] == "GTE"]  # never: no lower bound
            assert ("LT", "timestamp", query.values["date_now"]) in bounds


def test_did_at_least_n_times_keeps_people_with_that_many(renderer):
    for _stem, slots, query, tree in rendered(renderer, lambda stem, s: bool(conditions(s, "did")), at_least=1):
        (did,) = conditions(slots, "did")
        (sub,) = [sub for negated, sub in person_subqueries(tree) if not negated]
        assert events_matched(sub, query.values) == {did.event.name}
        assert [c.name for c in sub.args["group"].expressions] == ["person_id"]
        having = sub.args["having"].this
        assert isinstance(having, exp.GTE) and isinstance(having.this, exp.Count)
        assert placeholder_value(having.expression, query.values) == did.min_count


# --- per person, first times, per period --------------------------------------------------------------------------


def test_a_per_person_figure_totals_each_person_first_then_aggregates_across_people(renderer):
    for stem, slots, query, tree in rendered(renderer, lambda stem, s: bool(s.get("per")), at_least=2):
        value = unround(select_expr(tree, "value"))
        expected = {"events": exp.Avg, "users": exp.Avg, "avg": exp.Avg, "sum": exp.Sum, "median": exp.Quantile}[
            slots["measure"]
        ]
        assert isinstance(value, expected) and column_names(value) == {"per_person"}, value.sql()
        assert isinstance(unround(select_expr(tree, "people")), exp.Count)
        (inner,) = [s for s in selects(tree) if "per_person" in output_columns(s)]
        outer_groups = group_by(tree)
        assert group_by(inner) == [*outer_groups, "person_id"]  # one row per person (and group)
        per_person = select_expr(inner, "per_person")
        if slots["per"] == "total":  # each person's number of events
            assert isinstance(per_person, exp.Count) and per_person.this is None, per_person.sql()
        else:
            raise AssertionError(f"no expectation for per={slots['per']!r}: add one")
        assert events_matched(inner, query.values) == expected_events(stem, slots)


def test_first_times_read_all_history_and_count_people_whose_first_is_in_the_range(renderer):
    first = lambda stem, s: s.get("measure") == "first_time"
    for _stem, slots, query, tree in rendered(renderer, first, at_least=1):
        (people,) = [s for s in selects(tree) if "first_at" in output_columns(s)]
        assert group_by(people) == ["person_id"]
        assert isinstance(select_expr(people, "first_at"), exp.Min)
        scan = time_bounds(people.args["where"], query.values)
        assert ("LT", "timestamp", slots["time_range"].end.strftime(DATE)) in scan
        assert not [b for b in scan if b[0] in ("GTE", "GT") and b[1] == "timestamp"]  # no lower bound: all history
        having = time_bounds(people.args["having"], query.values)
        assert having == {("GTE", "first_at", slots["time_range"].start.strftime(DATE))}
        assert events_matched(people, query.values) == {slots["event"].name}


def test_an_average_per_period_divides_by_the_periods_in_the_range(renderer):
    per_period = lambda stem, s: bool(s.get("per_period"))
    for _stem, slots, query, tree in rendered(renderer, per_period, at_least=1):
        value = unround(select_expr(tree, "value"))
        assert isinstance(value, exp.Div) and isinstance(value.this, exp.Sum) and column_names(value.this) == {"value"}
        assert placeholder_value(value.expression, query.values) == days_in(slots["time_range"], slots["per_period"])
        (inner,) = [
            s for s in selects(tree) if s is not tree and "period" in output_columns(s) and "value" in output_columns(s)
        ]
        assert "period" in group_by(inner)
        periods = [select_expr(s, "period") for s in selects(tree) if "period" in output_columns(s)]
        defined = [p.this if isinstance(p, exp.ArgMin) else p for p in periods if not isinstance(p, exp.Column)]
        assert [grain_of(p) for p in defined] == [slots["per_period"]], [p.sql() for p in defined]


# --- time: intervals and grains ---------------------------------------------------------------------------------


def test_a_trend_buckets_by_the_asked_interval(renderer):
    for _stem, slots, _query, tree in rendered(renderer, lambda stem, s: stem == "trend", at_least=5):
        period = select_expr(tree, "period")
        if slots["per"]:
            (inner,) = [s for s in selects(tree) if "per_person" in output_columns(s)]
            period = select_expr(inner, "period")
        assert grain_of(period) == interval(slots), period.sql()
        assert column_names(period) == {"timestamp"}


def test_a_breakdown_by_a_time_grain_groups_by_that_grain(renderer):
    by_grain = lambda stem, s: isinstance(s.get("breakdown"), Breakdown) and bool(s["breakdown"].grain)
    for _stem, slots, _query, tree in rendered(renderer, by_grain, at_least=3):
        breakdown = select_expr(tree, "breakdown")
        assert grain_of(breakdown) == slots["breakdown"].grain and column_names(breakdown) == {"timestamp"}
        filtered = {f.prop.name for f in all_filters(slots)}
        assert not [
            n for n in tree.find_all(exp.Is) if column_names(n) - filtered
        ]  # a grain is never empty: no NULL test


def test_a_breakdown_by_a_property_leaves_out_events_without_a_value(renderer):
    by_property = lambda stem, s: stem in ("breakdown", "trend") and isinstance(s.get("breakdown"), PropertyRef)
    for stem, slots, _query, tree in rendered(renderer, by_property, at_least=4):
        name = slots["breakdown"].name
        assert column_names(
            select_expr(
                tree if not slots["per"] else next(s for s in selects(tree) if "per_person" in output_columns(s)),
                "breakdown",
            )
        ) == {name}
        not_null = [n for n in tree.find_all(exp.Not) if isinstance(n.this, exp.Is) and column_names(n.this) == {name}]
        assert not_null, f"{stem}: no {name} IS NOT NULL"


def test_a_ranked_breakdown_orders_by_value_as_asked_and_keeps_the_top_n(renderer):
    for _stem, slots, query, tree in rendered(renderer, lambda stem, s: stem == "breakdown", at_least=5):
        order = tree.args["order"].expressions
        by_value = [o for o in order if o.this.name == "value"]
        assert len(by_value) == 1 and bool(by_value[0].args.get("desc")) == (slots["order"] == "desc")
        assert limit_value(tree, query.values) == slots["limit"]


# --- paths ------------------------------------------------------------------------------------------------------


def test_paths_cut_at_the_first_occurrence_or_at_every_occurrence(renderer):
    paths = lambda stem, s: stem.startswith("paths_")
    for _stem, slots, query, tree in rendered(renderer, paths, at_least=10):
        assert query.values["path_length"] == slots["path_length"]
        (array_join,) = [j for j in tree.find_all(exp.Join) if j.args.get("kind") == "ARRAY"]
        anchors = array_join.this.this
        cuts = next(s for s in selects(tree) if "path_events" in output_columns(s))
        if slots["count"] == "occurrences":  # every index where the event is
            assert isinstance(anchors, exp.ArrayFilter), anchors.sql()
            assert cuts.args.get("where") is None
        else:  # the first index only, for people who did it
            assert isinstance(anchors, exp.Array) and anchors.expressions[0].name == "arrayFirstIndex", anchors.sql()
            condition = cuts.args["where"].this
            assert isinstance(condition, exp.GT) and condition.this.name == "anchor"
        page_events = [
            n for n in tree.find_all(exp.In) if {e.name for e in n.expressions} == {"$pageview", "$pageleave"}
        ]
        assert bool(page_events) == (slots["pages"] == "skip")


# --- people lists -----------------------------------------------------------------------------------------------

RANKED_BY = {"events": ("count", None), "amount": ("sum", "toFloat")}


def test_a_user_list_ranks_people_by_times_amount_or_session_time_as_asked(renderer):
    for _stem, slots, _query, tree in rendered(renderer, lambda stem, s: stem == "user_list", at_least=5):
        direction = slots["order"] == "desc"
        assert bool(tree.args["order"].expressions[0].args.get("desc")) == direction
        assert tree.args["order"].expressions[0].this.name == "times"
        if (
            slots["rank"] == "session_time"
        ):  # seconds in each person's sessions, a person read from the session's events
            (people,) = [s for s in selects(tree) if "times" in output_columns(s) and s is not tree]
            assert people.args["from_"].this.name == "sessions"
            times = unround(select_expr(people, "times"))
            assert isinstance(times, exp.Sum) and column_names(times) == {"$session_duration"}
            assert group_by(people) == ["person_id"]
        else:
            times = select_expr(tree, "times")
            assert measure_of(times) == RANKED_BY[slots["rank"]]
            if slots["rank"] == "amount":
                assert column_names(times) == {slots["amount_property"].name}


def test_a_user_list_keeps_people_who_did_the_event_at_least_min_count_times(renderer):
    for _stem, slots, query, tree in rendered(renderer, lambda stem, s: stem == "user_list", at_least=5):
        thresholds = [
            n
            for s in selects(tree)
            if s.args.get("having") is not None
            for n in s.args["having"].find_all(exp.GTE)
            if isinstance(n.this, exp.Count)
        ]
        assert [placeholder_value(n.expression, query.values) for n in thresholds] == [slots["min_count"]], (
            f"user_list rank={slots['rank']}: min_count {slots['min_count']} is not applied"
        )
        assert slots["event"].name in events_matched(tree, query.values)


# --- sessions and active users ----------------------------------------------------------------------------------

SESSION_METRICS: dict[str, Callable[[exp.Expr, str], bool]] = {
    "duration": lambda e, stat: (
        measure_of(e)[0] == {"avg": "avg", "median": "quantile 0.5", "p90": "quantile 0.9"}[stat]
        and column_names(e) == {"$session_duration"}
    ),
    "bounce_rate": lambda e, stat: "$is_bounce" in column_names(e),
    "bounces": lambda e, stat: "$is_bounce" in column_names(e),
    "non_bounces": lambda e, stat: "$is_bounce" in column_names(e),
    "pageviews_per_session": lambda e, stat: isinstance(unround(e), exp.Avg) and column_names(e) == {"$pageview_count"},
    "sessions_per_user": lambda e, stat: column_names(e) == {"person_id"},
    "count": lambda e, stat: isinstance(e, exp.Count),
}
SESSION_COLUMN = {"duration": "duration_seconds", "bounce_rate": "bounce_rate_pct", "pageviews_per_session": "pageviews_per_session",
                  "sessions_per_user": "sessions_per_user", "count": "sessions", "bounces": "bounced_sessions",
                  "non_bounces": "engaged_sessions"}  # fmt: skip


def test_a_session_metric_reads_the_sessions_table_per_asked_interval(renderer):
    for _stem, slots, _query, tree in rendered(renderer, lambda stem, s: stem == "sessions", at_least=5):
        assert tree.args["from_"].this.name == "sessions"
        metric = select_expr(tree, SESSION_COLUMN[slots["metric"]])
        assert SESSION_METRICS[slots["metric"]](metric, slots["stat"]), metric.sql()
        if slots["interval"]:
            period = select_expr(tree, "period")
            assert grain_of(period) == slots["interval"] and column_names(period) == {"$start_timestamp"}
        owners = [j for j in tree.args.get("joins") or () if j.alias_or_name == "owners"]
        assert bool(owners) == (slots["metric"] == "sessions_per_user")  # a session's person comes from its events


def test_active_users_are_counted_per_the_metrics_own_period_or_over_the_range(renderer):
    window = {"dau": "day", "wau": "week", "mau": "month"}
    for _stem, slots, _query, tree in rendered(renderer, lambda stem, s: stem == "engagement_active_users", at_least=5):
        users = [
            s
            for s in selects(tree)
            if any(
                isinstance(unround(e.this if isinstance(e, exp.Alias) else e), exp.Count)
                and column_names(e) == {"person_id"}
                for e in s.expressions
            )
        ]
        assert users, "no count(DISTINCT person_id)"
        if slots["metric"] == "active" or one_window(slots):  # "WAU for the last 7 days": the range is one window
            assert "period" not in output_columns(tree)
            continue
        unit = window[slots["metric"]]
        asked = interval(slots) if slots["interval"] else unit
        coarser = max((unit, asked), key=["hour", "day", "week", "month"].index)
        assert grain_of(select_expr(tree, "period")) == coarser
        if coarser != unit:  # a coarser interval averages the metric's own windows
            assert grain_of(select_expr(users[0], "window_start")) == unit
