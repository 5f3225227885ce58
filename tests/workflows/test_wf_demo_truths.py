"""The workflows on the real embedded backend and demo data find the planted truths (shared/spec/demo-dataset.md)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from askhog.demo.products.paperplane import truths
from askhog.engine import Engine
from askhog.types import EventRef
from askhog.workflows import Report, run_workflow

from .conftest import DEMO_END

BREAK_DAY = (DEMO_END - timedelta(days=truths.BREAK_DAYS_BEFORE_END)).date().isoformat()


@pytest.fixture(scope="module")
def engine(demo_backend, tmp_path_factory, warm_home) -> Engine:
    return Engine(backend=demo_backend, cache_dir=str(warm_home(tmp_path_factory.mktemp("engine-cache"))))


def run(name: str, slots: dict[str, Any], backend, renderer, **options: Any) -> Report:
    return run_workflow(
        name,
        slots,
        backend=backend,
        renderer=renderer,
        taxonomy=backend.taxonomy(),
        now=DEMO_END,
        options=options or None,
    )


def assert_safari_break(report: Report) -> None:
    segment = report.step("segment")
    assert segment.facts.get("culprit"), segment.summary
    assert (segment.facts["property"], segment.facts["segment"]) == ("$browser", "Safari")
    assert segment.facts["change_date"] == BREAK_DAY
    assert segment.facts["annotation"] == truths.RELEASE_NOTE
    assert segment.facts.get("others_unchanged"), segment.summary
    assert "Safari users" in report.finding and truths.RELEASE_NOTE in report.finding


PHRASINGS = [
    "why did checkout conversion drop?",
    "why did conversion from checkout_started to purchase drop?",
    "what caused the dip in purchases last week?",
    "why are sales dropping?",
    "why did revenue fall in the last 2 weeks?",
    "why is checkout to purchase conversion down this month?",
]


@pytest.mark.parametrize("question", PHRASINGS)
def test_diagnose_finds_the_safari_checkout_break_from_the_question(engine, question):
    answer = engine.ask(question, now=DEMO_END)
    assert answer.intent == "diagnose" and answer.clarification is None
    report = engine.run_workflow(answer)
    assert_safari_break(report)
    assert report.question == question


def test_diagnose_of_a_count_gives_its_size_and_its_cause(demo_backend, demo_renderer):
    report = run("diagnose", {"metric": "count", "event": EventRef("purchase")}, demo_backend, demo_renderer)
    assert_safari_break(report)
    impact = report.step("impact").facts
    assert impact["volume"] and impact["direction"] == "fell"
    assert report.finding.startswith(f"Daily purchase count fell from {impact['before_fmt']} to {impact['after_fmt']}")
    assert report.step("lead_in").facts["steps"] == ["checkout_started", "purchase"]


def test_diagnose_from_slots_reports_every_step(demo_backend, demo_renderer):
    slots = {"metric": "conversion", "steps": (EventRef("checkout_started"), EventRef("purchase"))}
    report = run("diagnose", slots, demo_backend, demo_renderer)
    assert_safari_break(report)
    assert [s.id for s in report.steps] == ["confirm", "lead_in", "changes", "segment", "impact", "funnel", "paths"]
    assert report.step("lead_in").skipped and not report.step("lead_in").blocked
    assert report.failed == ()
    transition = report.step("funnel").table.records()[0]
    assert transition["transition"] == "checkout_started → purchase" and transition["after"] < transition["before"]
    assert report.step("changes").facts["notes"][0][1] == truths.RELEASE_NOTE
    # The segment table ranks Safari first by its share of the change.
    top = report.step("segment").table.rows[0]
    assert top[:2] == ("$browser", "Safari")
    data = json.loads(json.dumps(report.to_json()))
    assert data["finding"] == report.finding and data["steps"][0]["hogql"].startswith("SELECT")
    markdown = report.to_markdown()
    assert f"**Finding:** {report.finding}" in markdown and "```sql" in markdown


@pytest.mark.parametrize("question", ["why did signups drop?", "why did onboarding conversion drop?"])
def test_diagnose_names_no_culprit_when_nothing_changed(engine, question):
    answer = engine.ask(question, now=DEMO_END)
    report = engine.run_workflow(answer)
    assert not report.step("segment").facts.get("culprit")
    assert report.step("confirm").facts.get("unchanged")
    assert "Safari" not in report.finding and "no drop to explain" in report.finding


def test_experiment_readout_finds_the_winning_variant(demo_backend, demo_renderer):
    report = run("experiment_readout", {"flag": truths.FLAG}, demo_backend, demo_renderer)
    facts = report.step("readout").facts
    assert facts.get("significant") and facts["variant"] == "test" and facts["direction"] == "better"
    assert facts["p_value"] < 0.05 and facts.get("srm_ok")
    assert report.finding.startswith("test converts better than control")


def test_activation_drivers_rank_day_one_onboarding_first(demo_backend, demo_renderer):
    report = run("activation_drivers", {}, demo_backend, demo_renderer)
    facts = report.step("lift").facts
    assert facts["item"] == "onboarding_completed"
    assert "onboarding_completed within 1 day(s)" in report.finding


def test_channel_roi_ranks_newsletter_first_by_revenue_per_paying_user(demo_backend, demo_renderer):
    report = run("channel_roi", {}, demo_backend, demo_renderer)
    assert report.step("revenue").facts["ranking"][0] == "newsletter"
    assert report.step("users").facts["top"] == "google"
    assert "PostHog does not store" in report.finding


def test_channel_roi_with_costs_computes_roi(demo_backend, demo_renderer, tmp_path):
    costs = tmp_path / "costs.csv"
    costs.write_text("channel,cost\nnewsletter,2000\ngoogle,20000\ntwitter,1500\n")  # no cost for producthunt
    report = run("channel_roi", {}, demo_backend, demo_renderer, costs_csv=str(costs))
    table = report.step("revenue").table
    by_channel = {r["channel"]: r for r in table.records()}
    # A breakdown leaves out people without a channel (templates/README: no empty group); the four channels remain.
    assert set(by_channel) == {"newsletter", "google", "twitter", "producthunt"}
    google = by_channel["google"]
    assert google["roi"] == pytest.approx((google["revenue"] - 20000) / 20000)
    assert by_channel["producthunt"]["cost"] is None and by_channel["producthunt"]["roi"] is None
    best = max((r for r in table.records() if r["roi"] is not None), key=lambda r: r["roi"])
    assert report.step("revenue").facts["top_roi"] == best["channel"]
    assert report.finding.startswith(f"{best['channel']} has the best ROI")


def test_high_value_users_stand_out_by_channel(demo_backend, demo_renderer):
    report = run("high_value_users", {}, demo_backend, demo_renderer)
    assert report.step("compare").facts["item"] == "person.$initial_utm_source = newsletter"
