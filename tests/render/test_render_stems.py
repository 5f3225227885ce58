"""Every stem the intent catalog names renders, for five slot combinations each, into HogQL that
askhog's guard accepts, PostHog's own parser accepts, and whose tree means what the slots asked."""

from __future__ import annotations

from datetime import datetime
from importlib import resources
from typing import Any

import pytest
from query_tree import events_matched, group_by, limit_value, output_columns, time_bounds, where_orders
from render_cases import cases, expected_columns, readme_columns, stem_families
from sqlglot import exp

from askhog.hogql import validate
from askhog.hogql.posthog_parser import assert_posthog_parses
from askhog.render import RenderedQuery, Renderer, select_template
from askhog.types import EventRef, PropertyFilter

STEMS = stem_families()
CASES = [(stem, family, i, slots) for stem, family in sorted(STEMS.items()) for i, slots in enumerate(cases(stem, family))]

OUTER_GROUP_BY: dict[str, list[str]] = {
    "trend": ["period"], "trend_breakdown": ["period", "breakdown"],
    "breakdown_events": ["breakdown"], "breakdown_users": ["breakdown"], "breakdown_sum": ["breakdown"], "breakdown_avg": ["breakdown"],
    "feature_usage": ["feature"], "user_list": ["person_id"], "user_list_did_not": ["person_id"],
    "retention_weekly": ["cohort", "period_offset", "cohort_size"], "retention_monthly": ["cohort", "period_offset", "cohort_size"],
    "paths_after": ["path"], "paths_before": ["path"], "cohort_comparison": ["cohort"],
    "revenue_breakdown": ["breakdown"], "experiment": ["variant"], "stickiness": ["active_days"], "lifecycle": ["period", "status"],
    "engagement_active_users": ["period"], "engagement_dau_mau": ["period"], "engagement_events_per_user": ["period"],
}  # fmt: skip
SLOT_LIMITS = {"breakdown", "feature_usage", "user_list", "paths", "correlation", "churn_risk"}


def expected_events(stem: str, slots: dict[str, Any]) -> set[str]:
    found = {v.name for v in slots.values() if isinstance(v, EventRef)}
    found |= {e.name for e in slots.get("steps") or ()}
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
    assert_posthog_parses(query.hogql)  # every case, PostHog's own parser: our HogQL is real HogQL

    assert output_columns(tree) == expected_columns(stem, slots)
    assert group_by(tree) == (["period"] if stem.startswith("sessions") and slots["interval"] else OUTER_GROUP_BY.get(stem, []))
    limit = limit_value(tree, values)
    assert limit == slots["limit"] if family in SLOT_LIMITS else isinstance(limit, int) and limit > 0

    time_range = slots["time_range"]
    bounds = time_bounds(tree, values)
    column = "$start_timestamp" if stem.startswith("sessions") else "timestamp"
    assert ("GTE", column, time_range.start.strftime("%Y-%m-%d %H:%M:%S")) in bounds
    assert ("LT", column, time_range.end.strftime("%Y-%m-%d %H:%M:%S")) in bounds
    assert all(datetime.strptime(v, "%Y-%m-%d %H:%M:%S") for _, _, v in bounds)

    assert expected_events(stem, slots) <= events_matched(tree, values)
    for order in where_orders(tree):
        if "time" in order:  # a scan of a table: time first, then the event, then properties
            assert order[0] == "time" and order.count("time") <= 2, order
            assert "event" not in order or "property" not in order or order.index("event") < order.index("property"), order

    columns_read = {c.name for c in tree.find_all(exp.Column)}
    bound = list(values.values())
    for f in all_filters(slots):
        assert f.prop.name in columns_read
        for v in (f.value if isinstance(f.value, tuple) else () if f.value is None else (f.value,)):
            assert v in bound or float(v) in bound


@pytest.mark.parametrize("stem", ["funnel", "funnel_breakdown"])
def test_funnel_window_is_the_slot_in_seconds(renderer, stem):
    for slots in cases(stem, "funnel"):
        query, tree = render(renderer, stem, slots)
        funnel = next(n for n in tree.find_all(exp.ParameterizedAgg) if n.name.lower() == "windowfunnel")
        assert query.values[funnel.expressions[0].name] == slots["window_days"] * 86400
        assert len(funnel.args["params"]) == 1 + len(slots["steps"])


def _calls(tree: exp.Expr, name: str) -> list[exp.Anonymous]:
    return [n for n in tree.find_all(exp.Anonymous) if n.name == name]


@pytest.mark.parametrize(
    ("stem", "unit", "interval"), [("retention_weekly", "week", "toIntervalWeek"), ("retention_monthly", "month", "toIntervalMonth")]
)
def test_retention_follows_cohorts_for_the_asked_periods(renderer, stem, unit, interval):
    for slots in cases(stem, "retention"):
        query, tree = render(renderer, stem, slots)
        (extension,) = _calls(tree, interval)
        assert query.values[extension.expressions[0].name] == slots["periods"]
        (offset,) = _calls(tree, "dateDiff") or list(tree.find_all(exp.DateDiff))
        assert unit in offset.sql(dialect="clickhouse").lower()


def test_sums_and_averages_read_the_property_as_a_number(renderer):
    for stem in ("count_sum", "count_avg", "breakdown_sum", "trend_breakdown"):
        for slots in cases(stem, stem.split("_")[0]):
            if slots["measure"] not in ("sum", "avg"):
                continue
            _, tree = render(renderer, stem, slots)
            casts = _calls(tree, "toFloat")
            assert any(slots["property"].name in {c.name for c in cast.find_all(exp.Column)} for cast in casts)
