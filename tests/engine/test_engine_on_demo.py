"""Questions answered end to end on the embedded chDB demo: the planted truths and every family's examples."""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from askhog.answer import Answer
from askhog.backends.embedded import EmbeddedBackend
from askhog.demo.generate import DEFAULT_EVENTS, generate_demo
from askhog.demo.store import Store
from askhog.engine import Engine

END = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
"""The demo's last moment and the engine's "now": pinned, never the wall clock."""
FULL_SWEEP = os.environ.get("ASKHOG_FULL_SWEEP") == "1"
"""Set by bench/bench_sweeps.py: the smoke run below then asks every example instead of its fixed sample."""
EXAMPLES_PER_FAMILY = 8


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory: pytest.TempPathFactory, warm_home: Callable[[Path], Path]) -> Iterator[Engine]:
    home: Path = warm_home(tmp_path_factory.mktemp("engine-demo"))
    generate_demo(DEFAULT_EVENTS, seed=11, home=home, end=END)
    yield Engine(EmbeddedBackend(home, generate=False), cache_dir=str(home), clock=lambda: END.replace(tzinfo=None))
    Store.release()


def answered(engine: Engine, question: str):
    answer = engine.ask(question)
    assert answer.clarification is None, answer.clarification.text()
    return answer, answer.run()


def test_channels_truth(demo_engine: Engine) -> None:
    answer, table = answered(demo_engine, "which channel has the highest revenue per paying user?")
    assert answer.intent == "revenue"
    arpu = {r["breakdown"]: r["arpu"] for r in table.records()}
    assert max(arpu, key=arpu.get) == "newsletter"
    _, users = answered(demo_engine, "how many unique users signed up by channel in the last 90 days?")
    by_channel = {r["breakdown"]: r["value"] for r in users.records() if r["breakdown"]}
    assert max(by_channel, key=by_channel.get) == "google"


def test_checkout_break_truth(demo_engine: Engine) -> None:
    answer, table = answered(demo_engine, "conversion from checkout_started to purchase by browser in the last 9 days")
    assert answer.template == "funnel_breakdown"
    final = {}
    for r in table.records():
        if r["step"] == 2:
            final[r["breakdown"]] = r["conversion_pct"]
    others = [v for k, v in final.items() if k != "Safari"]
    assert final["Safari"] < 0.6 * min(others)


def test_sharing_predicts_purchase_truth(demo_engine: Engine) -> None:
    answer, table = answered(demo_engine, "do users who share files purchase more than those who don't?")
    assert answer.intent == "cohort_comparison"
    rows = table.records()
    did = next(r for r in rows if "not" not in str(r["cohort"]).lower())
    did_not = next(r for r in rows if "not" in str(r["cohort"]).lower())
    assert did["conversion_pct"] > 2 * did_not["conversion_pct"]


def test_experiment_truth(demo_engine: Engine) -> None:
    answer, table = answered(demo_engine, "did the new-checkout experiment improve purchases?")
    assert answer.intent == "experiment"
    rate = {r["variant"]: r["conversion_pct"] for r in table.records()}
    assert rate["test"] > rate["control"]
    text = answer.interpret(table).text()
    assert "test vs control" in text and "(significant" in text


def test_churn_truth(demo_engine: Engine) -> None:
    answer, table = answered(demo_engine, "who's at risk of churning?")
    assert answer.intent == "churn_risk"
    assert len(table) > 0
    assert all(r["days_silent"] >= 14 for r in table.records())


def test_weekday_rhythm_truth(demo_engine: Engine) -> None:
    answer, table = answered(demo_engine, "daily pageviews over the last 8 weeks")
    assert answer.slots["interval"] == "day"
    weekday, weekend = [], []
    for r in table.records():
        day = r["period"]
        day = day if not isinstance(day, str) else __import__("datetime").datetime.fromisoformat(day[:19])
        (weekend if day.weekday() >= 5 else weekday).append(r["value"])
    assert sum(weekday) / len(weekday) > 1.2 * sum(weekend) / len(weekend)


def test_funnel_main_job_interpretation(demo_engine: Engine) -> None:
    answer, table = answered(demo_engine, "where do users drop off between signup and purchase?")
    users = table.column("users")
    assert users[0] >= users[-1] > 0
    text = answer.interpret(table).text()
    assert "Biggest drop" in text and "%" in text


def _shape(answer: Answer) -> tuple[object, ...]:
    """What makes two answers' queries differ in kind: the template and the parts of the meaning it branches on."""
    m = answer.meaning
    if m is None:
        return (answer.template,)
    s = m.primary
    return (
        answer.template,
        s.math,
        s.per_actor,
        s.per_period,
        m.compare is not None and m.compare.kind,
        m.breakdown is not None and (m.breakdown.grain or "property"),
        tuple(sorted(c.kind for c in m.conditions)),
        bool(m.filters),
        tuple(sorted((k, str(v)) for k, v in m.params.items() if isinstance(v, str))),
    )


def test_every_family_runs_its_examples(demo_engine: Engine) -> None:
    """Catalog examples the engine answers with a query without asking render and validate; one example of each
    distinct query shape (template and the meaning's branches) executes on chDB and is read. A fixed sample of
    each family's examples (every example with ASKHOG_FULL_SWEEP=1, as bench/bench_sweeps.py runs it)."""
    ran: dict[str, int] = {}
    shapes: set[tuple[object, ...]] = set()
    asked = answered = 0
    sample = random.Random(15)
    for intent in demo_engine.catalog:
        if intent.id in ("out_of_scope", "diagnose"):
            continue
        examples = list(intent.examples)
        if not FULL_SWEEP and len(examples) > EXAMPLES_PER_FAMILY:
            examples = sample.sample(examples, EXAMPLES_PER_FAMILY)
        for question in examples:
            asked += 1
            answer = demo_engine.ask(question)
            if answer.clarification is None and answer.hogql is not None:
                answered += 1
                if _shape(answer) in shapes:
                    continue
                shapes.add(_shape(answer))
                table = answer.run()
                answer.interpret(table)  # reading the result never fails either
                ran[intent.id] = ran.get(intent.id, 0) + 1
    missing = {i.id for i in demo_engine.catalog} - set(ran) - {"out_of_scope", "diagnose"}
    assert not missing, f"no example ran for {missing}"
    # the full sweep: 891 asked, 833 answered, 102 shapes; the sample: 160, 150, 52
    assert answered >= 0.8 * asked and len(shapes) > (80 if FULL_SWEEP else 45), (asked, answered, len(shapes))


def test_seed_workflows_answer_their_questions(demo_engine: Engine) -> None:
    roi = demo_engine.ask("which acquisition channel has the best ROI?").run()
    assert roi.finding.startswith("newsletter users bring the most revenue per paying user")
    assert "cost" in roi.finding  # ROI needs cost data from outside, and says so
    readout = demo_engine.ask("did the new-checkout experiment work?").run()
    assert readout.finding.startswith("test converts better than control") and "p < 0.001" in readout.finding
    aha = demo_engine.ask("what gets users to their aha moment?").run()
    assert aha.finding.startswith("Doing onboarding_completed")
    why = demo_engine.ask("why did checkout conversion drop?").run()
    assert "Safari" in why.finding and "Release 4.2" in why.finding


def test_cli_passes_workflow_options(
    demo_engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from askhog import cli

    costs = tmp_path / "costs.csv"
    costs.write_text("channel,cost\ngoogle,5000\nnewsletter,100\ntwitter,800\nproducthunt,300\n")
    monkeypatch.setenv("ASKHOG_HOME", str(demo_engine.backend.store.home))
    # the demo ends at END: pinned, so the CLI's backend never finds it stale and regenerates it at the wall clock
    monkeypatch.setattr("askhog.backends.embedded.end_of_data", lambda now=None: END)
    code = cli.main(
        [
            "ask",
            "which acquisition channel has the best ROI?",
            "--option",
            f"costs_csv={costs}",
            "--json",
            "--now",
            END.strftime("%Y-%m-%dT%H:%M:%S"),
        ]
    )
    report = __import__("json").loads(capsys.readouterr().out)
    assert code == 0 and report["workflow"] == "channel_roi"
    assert "roi" in report["finding"].lower()
    code = cli.main(["ask", "which acquisition channel has the best ROI?", "--option", "costs_csv"])
    assert code == 1 and "KEY=VALUE" in capsys.readouterr().err


def test_sessions_with_a_page_view_threshold(demo_engine: Engine) -> None:
    """ "Sessions with 5 or more pageviews" counts only those sessions (it used to count them all, with a
    warning), and "more than 4" means 5 or more: both agree with a hand-written count over the events."""
    truth = demo_engine.backend.run_sql(
        "SELECT count() FROM (SELECT $session_id FROM events WHERE timestamp >= '2026-11-25' AND timestamp < "
        "'2026-11-26' AND $session_id != '' GROUP BY $session_id HAVING countIf(event = '$pageview') >= 5)"
    )
    expected = truth.rows[0][0]
    assert expected > 0
    for question in (
        "how many sessions yesterday had 5 or more pageviews",
        "number of sessions yesterday with more than 4 page views",
    ):
        answer, table = answered(demo_engine, question)
        assert answer.intent == "sessions" and answer.slots["min_pageviews"] == 5
        assert answer.meaning is not None and "with at least 5 page views" in answer.meaning.describe()
        assert table.rows[0][0] == expected


def test_a_part_of_the_whole_is_a_share_of_everything(demo_engine: Engine) -> None:
    """ "What % of pageviews came from mobile" divides mobile's pageviews by *all* pageviews (those without a
    device type included); a filter would have made the whole mobile too (100%), a plain count says 261."""
    truth = demo_engine.backend.run_sql(
        "SELECT round(100 * countIf(JSONExtractString(properties, '$device_type') = 'Mobile') / count(), 2) FROM events "
        "WHERE event = '$pageview' AND timestamp >= '2026-11-25' AND timestamp < '2026-11-26'"
    ).rows[0][0]
    answer, table = answered(demo_engine, "what % of yesterday's pageviews came from device type Mobile?")
    assert answer.intent == "breakdown" and answer.slots["share"] == "of_total"
    assert answer.slots["breakdown"].values == ("Mobile",) and not answer.slots.get("filters")
    assert table.records()[0]["share_pct"] == pytest.approx(truth, abs=0.01)
    assert f"{truth:g}% of the whole" in answer.interpret(table).headline


def test_among_a_group_is_a_filter_not_a_share(demo_engine: Engine) -> None:
    """The value before the verb names who is counted ("what % of mobile users came back"): no share."""
    reading = demo_engine.filler.read("what % of mobile users came back last week", END.replace(tzinfo=None))
    assert "share" not in reading.facts()
    answer = demo_engine.ask("what share of signups last month came from google?")
    assert answer.intent == "breakdown" and answer.slots["breakdown"].values == ("google",)


def test_the_n_days_with_the_lowest_volume_rank_days_ascending(demo_engine: Engine) -> None:
    """ "The 3 days with the lowest event volume" ranks days, fewest first, three of them (it used to list the
    anomaly scan's spikes)."""
    truth = demo_engine.backend.run_sql(
        "SELECT toString(toDate(timestamp)) AS d, count() AS n FROM events WHERE timestamp >= '2026-10-01' "
        "AND timestamp < '2026-11-01' GROUP BY d ORDER BY n, d LIMIT 3"
    )
    answer, table = answered(
        demo_engine, "any weird dips in October? give me the 3 days with the lowest total event volume"
    )
    assert answer.intent == "breakdown" and answer.slots["limit"] == 3
    assert [str(r["breakdown"])[:10] for r in table.records()] == [row[0] for row in truth.rows]
    assert "is lowest with" in answer.interpret(table).headline


def test_people_ranked_by_how_many_sessions_they_had(demo_engine: Engine) -> None:
    """ "Which 2 users have had the most sessions" lists two people by their sessions (it used to answer the
    average session duration), with the limit from "which 2 users"."""
    truth = demo_engine.backend.run(  # hand-written HogQL on the engine's own store (run_sql reads chDB's current one)
        "SELECT person_id, count(DISTINCT $session_id) AS n FROM events WHERE timestamp >= toDateTime('2026-11-01') AND timestamp < toDateTime('2026-11-26 12:00:00') "
        "AND $session_id != '' GROUP BY person_id ORDER BY n DESC LIMIT 2"
    )
    answer, table = answered(demo_engine, "which 2 users have had the most sessions so far this month?")
    assert answer.intent == "user_list" and answer.slots["rank"] == "sessions" and answer.slots["limit"] == 2
    assert [r["times"] for r in table.records()] == [row[1] for row in truth.rows]
