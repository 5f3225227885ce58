"""The named analyses on small hand-made tables, and the shipped workflow files' integrity."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from typing import Any

import jinja2
import numpy as np
import pytest
from askhog.backends.base import Annotation, Table
from askhog.catalog import Catalog
from askhog.demo.products import demo_taxonomy
from askhog.errors import WorkflowError
from askhog.types import EventRef, PropertyRef, TimeRange
from askhog.workflows import available_workflows, load_workflow
from askhog.workflows.analyses import ANALYSES, StepInput
from askhog.workflows.definition import template_stems
from askhog.workflows.expressions import Scope, resolve
from askhog.workflows.readout_analyses import read_costs
from jinja2 import meta

UTC = UTC
START = datetime(2026, 3, 1, tzinfo=UTC)
WINDOW = TimeRange(START, START + timedelta(days=28, hours=15), "last 28 days")
DAYS = [(START + timedelta(days=i)).date() for i in range(28)]
STEPS = (EventRef("checkout_started"), EventRef("purchase"))


class NotesBackend:
    name = "notes"

    def __init__(self, notes: list[Annotation]):
        self.notes = notes

    def run(self, hogql: str, values: dict[str, Any] | None = None) -> Table:
        raise AssertionError("analyses do not query")

    def taxonomy(self):
        return demo_taxonomy()

    def annotations(self) -> list[Annotation]:
        return self.notes


def step_input(
    table: Table | None = None, runs: dict[str, Table] | None = None, annotations: list[Annotation] = (), **params: Any
) -> StepInput:
    slots = {"steps": STEPS, "event": EventRef("purchase"), "time_range": WINDOW}
    return StepInput(table, runs or {}, slots, params, {}, NotesBackend(list(annotations)), demo_taxonomy(), START)


def daily_conversion(rates: list[float], trials: int = 200) -> Table:
    rows = tuple((f"{d.isoformat()}T00:00:00Z", trials, round(trials * r)) for d, r in zip(DAYS, rates))
    return Table(("day", "entered", "converted"), ("DateTime", "UInt64", "UInt64"), rows)


# --- confirm -------------------------------------------------------------------------------------


def test_change_point_confirms_a_drop_and_its_first_day():
    out = ANALYSES["change_point"](step_input(daily_conversion([0.6] * 18 + [0.4] * 10), metric="conversion"))
    assert out.facts["changed"] and out.facts["change_date"] == DAYS[18].isoformat()
    assert (out.facts["before_fmt"], out.facts["after_fmt"], out.facts["direction"]) == ("60%", "40%", "fell")
    assert out.facts["after_range"].start == datetime(2026, 3, 19, tzinfo=UTC)
    # The partial 29th day is not in the series.
    assert len(out.table) == 28


def test_change_point_reports_a_flat_conversion_as_unchanged():
    rng = np.random.default_rng(5)
    out = ANALYSES["change_point"](step_input(daily_conversion(list(rng.normal(0.5, 0.02, 28))), metric="conversion"))
    assert out.facts.get("unchanged") and "changed" not in out.facts
    assert "No significant change" in out.summary


def test_change_point_refuses_a_window_too_short():
    short = TimeRange(START, START + timedelta(days=4), "4 days")
    inp = StepInput(
        daily_conversion([0.5] * 4),
        {},
        {"steps": STEPS},
        {"metric": "conversion", "time_range": short},
        {},
        NotesBackend([]),
        demo_taxonomy(),
        START,
    )
    with pytest.raises(WorkflowError, match="too short"):
        ANALYSES["change_point"](inp)


# --- segments ------------------------------------------------------------------------------------


def segment_table(break_day: int | None, plan_only: bool = True) -> Table:
    """Safari (30% of checkouts) breaks from 60% to 10% at ``break_day``; Chrome and Firefox stay at 60%."""
    rows = []
    for i, d in enumerate(DAYS):
        day = f"{d.isoformat()}T00:00:00Z"
        for browser, n in (("Safari", 30), ("Chrome", 50), ("Firefox", 20)):
            rate = 0.1 if browser == "Safari" and break_day is not None and i >= break_day else 0.6
            rows.append(("$browser", browser, day, n, round(n * rate)))
        if plan_only:
            total = sum(r[4] for r in rows[-3:])
            rows.append(("person.plan", "free", day, 100, total))
    return Table(
        ("dimension", "segment", "day", "entered", "converted"),
        ("String", "String", "DateTime", "UInt64", "UInt64"),
        tuple(rows),
    )


LABELS = {"$browser": ["browser", "browsers"]}


@pytest.mark.parametrize("split", [{"split_day": DAYS[18]}, {"candidate_days": [DAYS[18]]}, {}])
def test_segment_shift_names_the_broken_segment_however_the_day_is_found(split):
    notes = [(DAYS[18], "Release 4.2: new checkout page")]
    out = ANALYSES["segment_shift"](
        step_input(segment_table(18), metric="conversion", labels=LABELS, notes=notes, time_range=WINDOW, **split)
    )
    f = out.facts
    assert f["culprit"] and (f["property"], f["segment"]) == ("$browser", "Safari")
    assert f["change_date"] == DAYS[18].isoformat() and f["annotation"] == "Release 4.2: new checkout page"
    assert (f["before_fmt"], f["after_fmt"]) == ("60%", "10%")
    assert f["others_text"] == "other browsers show no significant change (60% → 60%)"
    # The single-plan property is everyone: it is not ranked, even though it "explains" all of the change.
    assert all(row[0] != "person.plan" for row in out.table.rows)


def test_segment_shift_finds_nothing_in_steady_segments():
    out = ANALYSES["segment_shift"](
        step_input(segment_table(None), metric="conversion", time_range=WINDOW, candidate_days=[DAYS[10]])
    )
    assert out.facts == {"steady": True}


def volume_table(ios_after: float) -> Table:
    rng = np.random.default_rng(2)
    rows = []
    for i, d in enumerate(DAYS):
        day = f"{d.isoformat()}T00:00:00Z"
        rows.append(("$os", "iOS", day, int(rng.poisson(ios_after if i >= 20 else 30)), 0.0))
        rows.append(("$os", "Windows", day, int(rng.poisson(40)), 0.0))
    return Table(
        ("dimension", "segment", "day", "events", "amount"), ("String",) * 3 + ("UInt64", "Float64"), tuple(rows)
    )


def test_segment_shift_on_counts_compares_daily_volumes():
    out = ANALYSES["segment_shift"](step_input(volume_table(3), metric="count", time_range=WINDOW, split_day=DAYS[20]))
    assert out.facts["segment"] == "iOS" and float(out.facts["after_fmt"].removesuffix("/day")) < 6
    steady = ANALYSES["segment_shift"](
        step_input(volume_table(30), metric="count", time_range=WINDOW, split_day=DAYS[20])
    )
    assert "culprit" not in steady.facts


# --- funnel, paths, known changes -------------------------------------------------------------------


def funnel(users: list[int]) -> Table:
    events = ["$pageview", "checkout_started", "purchase"]
    return Table(
        ("step", "event", "users"),
        ("UInt64", "String", "UInt64"),
        tuple((i + 1, e, u) for i, (e, u) in enumerate(zip(events, users))),
    )


def test_funnel_shift_finds_the_transition_that_moved():
    out = ANALYSES["funnel_shift"](
        step_input(runs={"before": funnel([1000, 400, 240]), "after": funnel([1000, 410, 90])})
    )
    assert out.facts["transition"] == "checkout_started → purchase"
    assert (out.facts["before_fmt"], out.facts["after_fmt"]) == ("60%", "22%")


def test_path_shift_reports_the_path_whose_share_moved_most():
    before = Table(
        ("path", "users"),
        ("String", "UInt64"),
        (("checkout_started → purchase", 60), ("checkout_started → $pageleave", 40)),
    )
    after = Table(
        ("path", "users"),
        ("String", "UInt64"),
        (("checkout_started → purchase", 20), ("checkout_started → $pageleave", 80)),
    )
    out = ANALYSES["path_shift"](step_input(runs={"before": before, "after": after}))
    assert out.facts["changed"] and out.facts["before_fmt"] == "40%" and out.facts["after_fmt"] == "80%"


def test_known_changes_lists_annotations_and_flags_started_inside_the_window():
    notes = [Annotation(START + timedelta(days=17), "Release 4.2"), Annotation(START - timedelta(days=3), "Too early")]
    flags = Table(
        ("flag", "first_seen", "last_seen", "users"),
        ("String", "DateTime", "DateTime", "UInt64"),
        (
            ("old-flag", "2026-03-01T00:10:00Z", "2026-03-28T00:00:00Z", 50),
            ("new-flag", "2026-03-09T08:00:00Z", "2026-03-28T00:00:00Z", 30),
        ),
    )
    out = ANALYSES["known_changes"](step_input(flags, annotations=notes, time_range=WINDOW))
    assert out.facts["days"] == [date(2026, 3, 9), date(2026, 3, 18)]
    assert out.facts["notes"] == [
        (date(2026, 3, 9), "feature flag 'new-flag' first seen"),
        (date(2026, 3, 18), "Release 4.2"),
    ]


# --- readouts -----------------------------------------------------------------------------------------


def experiment(control: tuple[int, int], test: tuple[int, int]) -> Table:
    return Table(
        ("variant", "exposures", "conversions"),
        ("String", "UInt64", "UInt64"),
        (("control", *control), ("test", *test)),
    )


def test_experiment_readout_is_significant_with_an_even_split():
    out = ANALYSES["experiment_readout"](step_input(experiment((1000, 450), (1000, 520))))
    assert out.facts["significant"] and out.facts["direction"] == "better" and out.facts["srm_ok"]
    assert out.facts["lift_fmt"] == "+15.6%"


def test_experiment_readout_distrusts_a_sample_ratio_mismatch():
    out = ANALYSES["experiment_readout"](step_input(experiment((1000, 450), (1300, 680))))
    assert out.facts["srm_mismatch"] and out.facts["inconclusive"] and "significant" not in out.facts


def test_lift_ranking_puts_significant_positive_lifts_first_and_drops_small_groups():
    table = Table(
        ("item", "base_users", "base_hits", "test_users", "test_hits"),
        ("String",) + ("UInt64",) * 4,
        (("tiny", 500, 100, 10, 9), ("flat", 500, 100, 500, 101), ("strong", 500, 100, 400, 200)),
    )
    out = ANALYSES["proportion_lift_ranking"](step_input(table))
    assert out.facts["item"] == "strong" and [r[0] for r in out.table.rows] == ["strong", "flat"]


def test_cost_file_errors_are_typed(tmp_path):
    bad_header = tmp_path / "a.csv"
    bad_header.write_text("source,spend\ngoogle,1\n")
    bad_number = tmp_path / "b.csv"
    bad_number.write_text("channel,cost\ngoogle,lots\n")
    with pytest.raises(WorkflowError, match="header 'channel,cost'"):
        read_costs(bad_header)
    with pytest.raises(WorkflowError, match=r"b\.csv:2"):
        read_costs(bad_number)
    with pytest.raises(WorkflowError, match="cannot read"):
        read_costs(tmp_path / "missing.csv")


# --- expressions -----------------------------------------------------------------------------------


def scope(**slots: Any) -> Scope:
    return Scope(slots, {"props": ["$browser", "person.plan", "$nonexistent"]}, {}, demo_taxonomy(), START)


def test_with_baseline_widens_a_named_period_and_keeps_a_default_one():
    week = TimeRange(datetime(2026, 3, 9, tzinfo=UTC), datetime(2026, 3, 16, tzinfo=UTC), "last week")
    widened = resolve({"with_baseline": "=slots.time_range", "min_days": 28}, scope(time_range=week))
    assert widened.start == datetime(2026, 2, 16, tzinfo=UTC) and widened.end == week.end
    assert widened.label == "last week and the 21 days before"
    default = TimeRange(START, START + timedelta(days=28), "last 28 days", default=True)
    assert resolve({"with_baseline": "=slots.time_range", "min_days": 28}, scope(time_range=default)) is default


def test_constructors_choose_and_properties():
    s = scope(metric="revenue")
    assert resolve({"choose": "=slots.metric", "cases": {"count": "events", "revenue": "sum"}}, s) == "sum"
    assert resolve({"choose": "=slots.metric", "cases": {"count": "events"}}, s) is None
    props = resolve({"properties": "=options.props"}, s)
    assert props == (PropertyRef("$browser", "event"), PropertyRef("plan", "person"))
    with pytest.raises(WorkflowError, match="not an event"):
        resolve({"event": "teleported"}, s)


# --- the shipped files ---------------------------------------------------------------------------------


def test_every_shipped_workflow_loads_and_names_existing_templates():
    names = available_workflows()
    assert names == ["activation_drivers", "channel_roi", "diagnose", "experiment_readout", "high_value_users"]
    templates = resources.files("askhog.templates")
    for name in names:
        workflow = load_workflow(name)
        for step in workflow.steps:
            for stem in template_stems(step):
                assert templates.joinpath(f"{stem}.hogql.j2").is_file(), f"{name}/{step.id}: no template {stem}"


def test_every_shipped_workflow_step_passes_only_slots_its_templates_read():
    """A family's stem builds its meaning from the family's slots and ignores any other name, so a slot a workflow
    passes under a name the family does not have (a removed or renamed one) would be dropped without a word."""
    families: dict[str, set[str]] = {}
    for intent in Catalog.load():
        for stem in intent.template_stems():
            families.setdefault(stem, {spec.name for spec in intent.slots})
    templates = resources.files("askhog.templates")
    env = jinja2.Environment()
    checked = 0
    for name in available_workflows():
        for step in load_workflow(name).steps:
            stems = template_stems(step)
            if not stems:
                continue
            read: set[str] = {step.template["by"]} if isinstance(step.template, Mapping) else set()
            for stem in stems:
                if stem in families:
                    read |= families[stem]
                else:  # a workflow's own template reads its values as variables
                    source = templates.joinpath(f"{stem}.hogql.j2").read_text(encoding="utf-8")
                    read |= meta.find_undeclared_variables(env.parse(source))
            passed = set(step.slots) | {slot for run in step.runs.values() for slot in run}
            assert passed <= read, f"{name}/{step.id}: {sorted(passed - read)} are read by none of {stems}"
            checked += any(stem in families for stem in stems)
    assert checked >= 5  # the family stems the workflows use: breakdown, revenue, trend, paths_*, funnel, experiment
