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
    yield Engine(EmbeddedBackend(home, generate=False), cache_dir=str(home), clock=lambda: END)
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
    # --now is the clock of the CLI's backend too: the demo ends on its day, so it is never found stale and
    # regenerated at the wall clock under the tests that share it
    now = END.strftime("%Y-%m-%dT%H:%M:%S")
    code = cli.main(
        [
            "ask",
            "which acquisition channel has the best ROI?",
            "--option",
            f"costs_csv={costs}",
            "--json",
            "--now",
            now,
        ]
    )
    report = __import__("json").loads(capsys.readouterr().out)
    assert code == 0 and report["workflow"] == "channel_roi"
    assert "roi" in report["finding"].lower()
    code = cli.main(["ask", "which acquisition channel has the best ROI?", "--option", "costs_csv", "--now", now])
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
    reading = demo_engine.filler.read("what % of mobile users came back last week", END)
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


def test_named_groups_are_compared_on_the_share_who_did_the_outcome(demo_engine: Engine) -> None:
    """ "For September signups, do google users buy more than twitter users?" compares the two values of one
    property among the people whose signup is in September, each group's share who purchased since (it used to
    compare signed-up against not signed-up and filter the two sources together)."""
    truth = demo_engine.backend.run_sql(
        "SELECT src, round(100 * countIf(bought) / count(), 2) FROM (SELECT person_id, "
        "any(JSONExtractString(person_properties, '$initial_utm_source')) AS src, "
        "minIf(timestamp, event = 'signed_up') AS at, "
        "arrayExists(t -> t >= at, groupArrayIf(timestamp, event = 'purchase')) AS bought FROM events "
        "WHERE timestamp >= '2026-09-01' AND timestamp < '2026-11-26 12:00:00' "
        "AND event IN ('signed_up', 'purchase') GROUP BY person_id "
        "HAVING at >= '2026-09-01' AND at < '2026-10-01' AND src IN ('google', 'twitter')) GROUP BY src ORDER BY src"
    )
    answer, table = answered(
        demo_engine, "for september signups, do google users buy more than twitter users? what % have purchased"
    )
    assert answer.intent == "cohort_comparison" and answer.slots["segments"].values == ("google", "twitter")
    assert not answer.slots.get("filters") and not answer.caveats
    assert [(r["cohort"], r["conversion_pct"]) for r in table.records()] == [tuple(row) for row in truth.rows]
    assert "times as often as" in answer.interpret(table).details[0]
    assert answer.meaning is not None and "compared between groups" in answer.meaning.describe()


def test_a_signup_anchor_beside_two_compared_events_says_who_is_followed(demo_engine: Engine) -> None:
    """ "Among people who signed up in October, the ones who completed onboarding vs the ones who never did: what
    share bought?" follows October's signups from their signup on: onboarding and purchase at any time since. The
    signup was a third, unused event before; the ratio also read the "did not" row as "did" when it sorted first."""
    truth = demo_engine.backend.run_sql(
        "SELECT onboarded, round(100 * countIf(bought) / count(), 2) FROM (SELECT person_id, "
        "minIf(timestamp, event = 'signed_up') AS at, "
        "arrayExists(t -> t >= at, groupArrayIf(timestamp, event = 'onboarding_completed')) AS onboarded, "
        "arrayExists(t -> t >= at, groupArrayIf(timestamp, event = 'purchase')) AS bought FROM events "
        "WHERE timestamp >= '2026-10-01' AND timestamp < '2026-11-26 12:00:00' "
        "AND event IN ('signed_up', 'onboarding_completed', 'purchase') GROUP BY person_id "
        "HAVING at >= '2026-10-01' AND at < '2026-11-01') GROUP BY onboarded ORDER BY onboarded"
    )
    did_not, did = (row[1] for row in truth.rows)
    answer, table = answered(
        demo_engine,
        "Among people who signed up in October, what share have bought — the ones who completed onboarding vs "
        "the ones who never did?",
    )
    assert answer.slots["cohort_event"].name == "onboarding_completed" and not answer.caveats
    rates = {r["cohort"]: r["conversion_pct"] for r in table.records()}
    assert rates == {"did onboarding_completed": did, "did not onboarding_completed": did_not}
    assert f"{did / did_not:.2f} times as likely" in answer.interpret(table).details[0]


def test_a_lone_outcome_is_the_outcome_and_a_named_doer_the_cohort(demo_engine: Engine) -> None:
    """One event after "who" is the cohort ("do users who share files purchase more"); one event named as the
    outcome of named groups is the outcome ("compare mobile vs desktop users on uploads"), not the cohort."""
    answer = demo_engine.ask("do users who share files do better")
    assert answer.slots["cohort_event"].name == "file_shared" and answer.slots["metric_event"].name == "purchase"
    answer = demo_engine.ask("compare mobile vs desktop users on uploads")
    assert answer.slots["metric_event"].name == "file_uploaded" and answer.slots.get("cohort_event") is None


def test_how_many_times_more_likely_is_a_ratio_not_a_count_of_events(demo_engine: Engine) -> None:
    """ "How many times more likely are they to buy" asks for a ratio; "how many times did they buy" counts events."""
    now = END.replace(tzinfo=None)
    ratio = demo_engine.filler.read("sharers vs non-sharers: how many times more likely are they to buy?", now)
    assert ratio.detail("unit") is None
    count = demo_engine.filler.read("how many times did people buy last week?", now)
    assert count.detail("unit") is not None and count.detail("unit").value == "events"


def test_a_window_in_whole_days_of_hours_is_read_and_other_hours_are_reported(demo_engine: Engine) -> None:
    """ "Within 24 hours" is a one-day window (it used to be dropped: "by now"); "within 2 hours of signing up"
    has no whole-day window, so it is reported unread rather than rounded up to a day."""
    answer = demo_engine.ask("of people who joined in September, how many completed onboarding within 24 hours?")
    assert answer.intent == "activation" and answer.slots["window_days"] == 1 and not answer.caveats
    answer = demo_engine.ask("October signups: % who purchased within 48 hrs")
    assert answer.slots["window_days"] == 2
    answer = demo_engine.ask("what share of october signups completed onboarding within 2 hours of signing up")
    assert "window_days" not in answer.slots
    assert any("within 2 hours" in c.message for c in answer.caveats)


def test_the_least_used_features_come_fewest_first(demo_engine: Engine) -> None:
    """ "The 3 least popular features" ranks features fewest users first (it used to list the most used with a
    warning that 'least' was not read)."""
    truth = demo_engine.backend.run_sql(
        "SELECT JSONExtractString(properties, 'feature_name') AS f, count(DISTINCT person_id) AS n FROM events "
        "WHERE event = 'feature_used' AND timestamp >= '2026-10-01' AND timestamp < '2026-11-01' "
        "GROUP BY f ORDER BY n, f LIMIT 3"
    )
    answer, table = answered(demo_engine, "what were the 3 least used features last month?")
    assert answer.intent == "feature_usage" and answer.meaning is not None and answer.meaning.order == "asc"
    assert not answer.caveats
    assert [(r["feature"], r["unique_users"]) for r in table.records()] == [tuple(row) for row in truth.rows]
    assert "used by the fewest people" in answer.interpret(table).headline


def test_a_percentage_asked_of_a_family_that_gives_a_count_is_reported(demo_engine: Engine) -> None:
    """ "What % of ..." answered with a count (a family with no rate) says it did not read the percentage, once;
    a family whose answer is a rate (activation) reads it itself."""
    answer = demo_engine.ask("What % of October signups completed onboarding?")
    assert answer.intent == "count" and sum("percent" in c.message for c in answer.caveats) == 1
    answer = demo_engine.ask("what percent of signups last week happened on mobile?")  # a share reads it
    assert answer.slots["share"] == "of_total" and not any("percent" in c.message for c in answer.caveats)
    answer = demo_engine.ask("what % of October signups created a project in their first week?")
    assert answer.intent == "activation" and not any("percent" in c.message for c in answer.caveats)


def test_weekdays_against_weekends_average_each_kind_of_day(demo_engine: Engine) -> None:
    """ "Average DAU on weekdays vs weekends" and "avg events per day on weekdays vs weekends" average each day's
    figure per kind of day (they used to answer one series for the whole month, with 'vs' unread)."""
    daily = (
        "SELECT if(toDayOfWeek(d) >= 6, 'weekend', 'weekday') AS t, round(avg(n), 2) FROM (SELECT toDate(timestamp) AS d, "
        "{} AS n FROM events WHERE timestamp >= '2026-10-01' AND timestamp < '2026-11-01' GROUP BY d) GROUP BY t ORDER BY t"
    )
    for question, measure, column in (
        ("In October, what was avg DAU on weekdays vs on weekends?", "count(DISTINCT person_id)", "active_users"),
        ("in October, avg events per day on weekdays vs on weekends?", "count()", "value"),
    ):
        truth = demo_engine.backend.run_sql(daily.format(measure)).rows
        answer, table = answered(demo_engine, question)
        assert answer.meaning is not None and answer.meaning.breakdown is not None
        assert answer.meaning.breakdown.grain == "day_type" and not answer.caveats
        assert sorted((r["breakdown"], r[column]) for r in table.records()) == [tuple(row) for row in truth]


def test_a_churn_answer_states_the_share_of_the_active_who_went_silent(demo_engine: Engine) -> None:
    """ "Churn rate last month" states the silent people as a share of everyone active in October (it stated a count
    only); "haven't logged in for 3 weeks" is 21 silent days (it was left unread)."""
    truth = demo_engine.backend.run_sql(
        "SELECT countIf(last < toDateTime('2026-11-12 12:00:00')), count() FROM (SELECT person_id, max(timestamp) AS last "
        "FROM events WHERE timestamp >= '2026-10-01' AND timestamp < '2026-11-26 12:00:00' GROUP BY person_id "
        "HAVING countIf(timestamp < '2026-11-01') > 0)"
    ).rows[0]
    answer, table = answered(demo_engine, "churn rate last month")
    figures = {f.name: f.value for f in answer.interpret(table).figures}
    assert (figures["users"], figures["active in the range"]) == tuple(truth)
    assert figures["churn rate"] == round(100 * truth[0] / truth[1], 2)
    assert demo_engine.ask("list paying customers who haven't logged in for 3 weeks").slots["silent_days"] == 21


def test_a_requested_query_is_printed_before_its_result(
    demo_engine: Engine, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "write the HogQL for ..." (issue 12, item 2): the paste-ready query first, then the result it gives."""
    from askhog import cli

    monkeypatch.setenv("ASKHOG_HOME", str(demo_engine.backend.store.home))
    now = END.strftime("%Y-%m-%dT%H:%M:%S")
    code = cli.main(["ask", "could you write the HogQL for daily purchases last week", "--now", now])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0 and lines[0].startswith("HogQL")
    select = lines.index("SELECT")
    table = next(i for i, line in enumerate(lines) if line.startswith("period "))
    reading = next(i for i, line in enumerate(lines) if line.startswith("purchase events, last week"))
    assert select < table < reading
    assert "values: " not in "\n".join(lines)  # the query is shown once, with its literals inlined


def test_a_pasted_select_runs_only_once_confirmed(demo_engine: Engine) -> None:
    from askhog.conversation import Conversation

    conv = Conversation(demo_engine)
    sql = (
        "SELECT event, count() AS n FROM events WHERE timestamp >= '2026-11-19' GROUP BY event ORDER BY n DESC LIMIT 3"
    )
    shown = conv.ask(f"can you explain this query? {sql}")
    assert shown.hogql is None and shown.pasted is not None and shown.pasted.runnable
    ran = conv.ask("yes, run it")
    table = ran.run()
    assert ran.hogql == sql and len(table.rows) == 3 and table.columns == ("event", "n")
    assert ran.interpret(table).text()


def test_words_a_list_answers_by_itself_are_used(demo_engine: Engine) -> None:
    """A list always shows emails ("list the emails of ..."), a filter's own property name is part of the filter
    ("users on the team plan"); neither is reported as unread."""
    answer = demo_engine.ask("list the emails of people who purchased more than twice in october")
    assert answer.intent == "user_list" and not answer.caveats
    answer = demo_engine.ask("show me users on the team plan who filed a support ticket this month")
    assert answer.slots["filters"][0].prop.name == "plan" and not answer.caveats


def test_issue_examples_most_visited_pages_and_session_segments(demo_engine: Engine) -> None:
    """Two of issue 10's own examples: "most visited pages this week" ranks pages by pageviews (it counted all
    pageviews as one number), and "average session duration, Chrome versus Firefox" answers each browser's
    sessions side by side (it filtered both browsers together, with a warning)."""
    pages = demo_engine.backend.run_sql(
        "SELECT JSONExtractString(properties, '$pathname') AS p, count() AS n FROM events WHERE event = '$pageview' "
        "AND timestamp >= '2026-11-23' AND timestamp < '2026-11-26 12:00:00' GROUP BY p ORDER BY n DESC, p LIMIT 3"
    ).rows
    answer, table = answered(demo_engine, "most visited pages this week")
    assert answer.intent == "breakdown" and not answer.caveats
    assert [(r["breakdown"], r["value"]) for r in table.records()[:3]] == [tuple(row) for row in pages]
    sessions = demo_engine.backend.run_sql(
        "SELECT b, round(avg(duration), 2), count() FROM (SELECT s.duration AS duration, e.b AS b FROM sessions AS s "
        "INNER JOIN (SELECT DISTINCT `$session_id` AS sid, JSONExtractString(properties, '$browser') AS b FROM events "
        "WHERE timestamp >= '2026-10-27 12:00:00' AND b IN ('Chrome', 'Firefox')) AS e ON s.session_id = e.sid "
        "WHERE s.min_timestamp >= '2026-10-27 12:00:00' AND s.min_timestamp < '2026-11-26 12:00:00') GROUP BY b ORDER BY b"
    ).rows
    answer, table = answered(demo_engine, "average session duration, Chrome versus Firefox")
    assert answer.intent == "sessions" and not answer.caveats
    got = sorted((r["breakdown"], r["duration_seconds"], r["sessions"]) for r in table.records())
    assert got == [tuple(row) for row in sessions]


def test_people_ranked_by_the_total_of_a_property_named_by_its_unit(demo_engine: Engine) -> None:
    """ "Top 3 users by total MB" ranks people by the sum of the property the unit measures (it ranked them by how
    many uploads they made, and reported "total MB" unread); "with emails" asks for the column a list always
    shows, not for email signups; "spent the most" counts only people who spent something."""
    truth = demo_engine.backend.run_sql(
        "SELECT toString(person_id), round(sum(JSONExtractFloat(properties, 'size_mb')), 1) AS mb FROM events "
        "WHERE event = 'file_uploaded' AND timestamp >= '2026-11-01' AND timestamp < '2026-11-26 12:00:00' "
        "GROUP BY person_id ORDER BY mb DESC LIMIT 3"
    ).rows
    answer, table = answered(demo_engine, "who uploaded the most data this month? top 3 users by total MB, with emails")
    assert answer.intent == "user_list" and not answer.caveats and not answer.slots.get("filters")
    assert answer.slots["rank"] == "amount" and answer.slots["amount_property"].name == "size_mb"
    assert "ranked by their total size_mb" in answer.explain()
    assert [(str(r["person_id"]), round(r["times"], 1)) for r in table.records()] == [tuple(row) for row in truth]
    (buyers,) = demo_engine.backend.run_sql(
        "SELECT count(DISTINCT person_id) FROM events WHERE event = 'purchase' "
        "AND timestamp >= '2026-10-01' AND timestamp < '2026-11-01'"
    ).rows
    answer, table = answered(demo_engine, "which users spent the most last month?")
    assert answer.slots["rank"] == "amount" and table.records()[0]["total"] == buyers[0]


def test_a_value_word_that_starts_a_question_is_not_a_write(demo_engine: Engine) -> None:
    """ "email signups last week" counts signups by email (it was refused as a request to send email)."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT count() FROM events WHERE event = 'signed_up' AND JSONExtractString(properties, 'signup_method') = "
        "'email' AND timestamp >= '2026-11-16' AND timestamp < '2026-11-23'"
    ).rows
    answer, table = answered(demo_engine, "email signups last week")
    assert answer.intent == "count" and answer.slots["filters"][0].value == "email"
    assert table.rows[0][0] == truth[0]
    assert demo_engine.ask("email users who churned a discount").intent == "out_of_scope"


def test_a_grouping_by_something_the_project_lacks_is_asked_about_or_reported(demo_engine: Engine) -> None:
    """ "revenue by sales rep": a family that groups asks which property is meant (it answered the total for
    everyone); a family that does not group reports the words unread; known groupings and "by far" are not asked."""
    answer = demo_engine.ask("break down october revenue by sales rep")
    assert answer.clarification is not None
    (question,) = answer.clarification.questions
    assert question.slot == "breakdown" and "'sales rep'" in question.prompt and "$browser" in question.options
    answer = demo_engine.ask("how many signups last week by favourite colour")
    assert answer.clarification is not None or any("favourite colour" in c for c in answer.caveats)
    for fine in ("revenue by channel last month", "purchases by the hour of day last week", "signups by day last week"):
        assert demo_engine.ask(fine).clarification is None, fine


def test_an_element_of_the_interface_after_an_event_word_is_asked_about(demo_engine: Engine) -> None:
    """ "clicked the upgrade banner": the project tracks no banner, so the event its word names is offered, not
    counted as if asked (it counted purchases); "shared a link" is a value of the project's and is answered."""
    answer = demo_engine.ask("how many people clicked the upgrade banner last week")
    assert answer.clarification is not None
    assert "'upgrade banner'" in answer.clarification.questions[0].prompt
    assert "purchase" in answer.clarification.questions[0].options
    assert demo_engine.ask("how many people shared a link last week").clarification is None


def test_a_month_named_while_it_runs_is_this_one_when_last_years_has_no_data(demo_engine: Engine) -> None:
    """ "in November" asked in the data's first November can only mean this one: answered and stated (it asked
    which November); the week the range starts inside is marked partial and left out of the direction. A quarter
    named while it runs is still asked about."""
    answer, table = answered(demo_engine, "weekly active users in November")
    assert answer.slots["time_range"].start == datetime(2026, 11, 1, tzinfo=UTC)
    assert any("the other reading of the month has no data" in n for n in answer.notes)
    text = answer.interpret(table).text()
    assert "2026-10-26 (partial)" in text and "began before the range" in text
    assert demo_engine.ask("DAU for Q4").clarification is not None


def test_the_biggest_revenue_ranks_by_the_revenue_and_a_sign_in_value_is_its_method(demo_engine: Engine) -> None:
    """ "which day had the biggest revenue" ranks days by their revenue (it answered the largest single amount,
    or the month's total); "didn't use google sign-in" excludes the google sign-in method, not people who came
    from google and never logged in."""
    days = demo_engine.backend.run_sql(
        "SELECT toDate(timestamp) AS d, sum(JSONExtractFloat(properties, 'amount')) AS r FROM events "
        "WHERE event = 'purchase' AND timestamp >= '2026-11-01' AND timestamp < '2026-11-26 12:00:00' "
        "GROUP BY d ORDER BY r DESC LIMIT 1"
    ).rows
    answer, table = answered(demo_engine, "which day in november had the biggest revenue?")
    assert answer.intent == "breakdown" and answer.slots["measure"] == "sum"
    assert str(table.records()[0]["breakdown"])[:10] == str(days[0][0])[:10]
    (truth,) = demo_engine.backend.run_sql(
        "SELECT count() FROM events WHERE event = 'signed_up' AND JSONExtractString(properties, 'signup_method') "
        "!= 'google' AND timestamp >= '2026-10-01' AND timestamp < '2026-11-01'"
    ).rows
    answer, table = answered(demo_engine, "Oct signups that didn't use google sign-in, how many?")
    assert not answer.slots.get("conditions") and table.rows[0][0] == truth[0]


def test_a_named_event_grouped_by_a_property_is_a_breakdown_not_revenue(demo_engine: Engine) -> None:
    """ "signups by acquisition channel" ranks signups per channel (it answered the revenue of signups: 0)."""
    answer = demo_engine.ask("signups by acquisition channel")
    assert answer.intent == "breakdown" and answer.slots["event"].name == "signed_up"


def test_inactive_since_a_date_is_the_silence_not_the_active_range(demo_engine: Engine) -> None:
    """ "active in October but nothing since Nov 1" counts October's active people with no event from Nov 1 on (it
    read Nov 1 to now as the active range and the default 14 days as the silence); "inactive since Nov 1" alone
    keeps the default active range; "signups since Nov 1" is still a range."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT count() FROM (SELECT person_id, max(timestamp) AS last FROM events WHERE timestamp >= '2026-10-01' "
        "AND timestamp < '2026-11-26 12:00:00' GROUP BY person_id HAVING countIf(timestamp < '2026-11-01') > 0 "
        "AND last < '2026-11-01')"
    ).rows
    for question in (
        "how many users were active in october but haven't done a single thing since nov 1",
        "who was active in october and hasn't come back in november?",
    ):
        answer, table = answered(demo_engine, question)
        assert answer.intent == "churn_risk" and not answer.caveats, question
        assert answer.slots["silent_since"].start == datetime(2026, 11, 1, tzinfo=UTC)
        assert "silent since Nov 1" in answer.explain() or "silent November" in answer.explain()
        assert table.records()[0]["total"] == truth[0], question
    answer = demo_engine.ask("how many users have been inactive since nov 1")
    assert answer.slots["time_range"].label == "last 60 days" and answer.slots["silent_since"] is not None
    answer = demo_engine.ask("signups since nov 1")
    assert answer.slots["time_range"].start == datetime(2026, 11, 1, tzinfo=UTC)


def test_people_ranked_by_their_active_days(demo_engine: Engine) -> None:
    """ "which user showed up on the most distinct days" lists people by their days with an event (it answered the
    stickiness buckets, with "most" unread); "on how many days" without a "which user" stays stickiness."""
    truth = demo_engine.backend.run_sql(
        "SELECT toString(person_id), count(DISTINCT toDate(timestamp)) AS d FROM events WHERE timestamp >= "
        "'2026-10-27 12:00:00' AND timestamp < '2026-11-26 12:00:00' GROUP BY person_id ORDER BY d DESC LIMIT 3"
    ).rows
    answer, table = answered(demo_engine, "which users showed up on the most distinct days in the last 30 days?")
    assert answer.intent == "user_list" and answer.slots["rank"] == "active_days" and not answer.caveats
    assert [r["times"] for r in table.records()[:3]] == [row[1] for row in truth]
    assert demo_engine.ask("how many users were active on 3 separate days last week").intent == "stickiness"


def test_an_event_named_plainly_then_narrowed_is_the_narrowed_one(demo_engine: Engine) -> None:
    """ "users who visited the pricing page": the visit is a pageview of /pricing (the plain "visited" took the
    slot and the page was dropped without a word); money going back is not revenue ("how much did we refund")."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT count(DISTINCT person_id) FROM events WHERE event = '$pageview' AND JSONExtractString(properties, "
        "'$pathname') = '/pricing' AND timestamp >= '2026-11-16' AND timestamp < '2026-11-23'"
    ).rows
    answer, table = answered(demo_engine, "how many users visited the pricing page last week")
    assert not answer.caveats and table.rows[0][0] == truth[0]
    refund = demo_engine.ask("how much did we refund last quarter?")
    assert refund.intent == "out_of_scope" or refund.clarification is not None


def test_a_sum_of_a_property_the_measured_event_lacks_is_asked_about(demo_engine: Engine) -> None:
    """ "revenue from file uploads" summed the amount of uploads (0, stated as revenue); the family now asks which
    event carries the amount, offering those that do."""
    answer = demo_engine.ask("revenue from file uploads last month")
    assert answer.intent == "revenue" and answer.clarification is not None
    (question,) = answer.clarification.questions
    assert "file_uploaded has no amount" in question.prompt and question.options == ("purchase",)


def test_a_step_named_twice_is_one_step_and_two_periods_are_no_two_groups(demo_engine: Engine) -> None:
    """ "checkout->purchase conversion: people who started checkout Nov 2-15 vs after Nov 16" is a two-step funnel
    over two periods (checkout was read as a third step, and every figure was 0); "did more signups happen in
    October than in September" sets the two months side by side (it was read as two groups of people)."""
    answer, table = answered(
        demo_engine,
        "Safari checkout->purchase conversion: people who started checkout Nov 2-15 vs those who started on/after "
        "Nov 16. did it tank?",
    )
    assert [e.name for e in answer.slots["steps"]] == ["checkout_started", "purchase"]
    assert answer.slots["compare"].previous.start == datetime(2026, 11, 2, tzinfo=UTC)
    rates = {r["side"]: r["conversion_pct"] for r in table.records() if r["step"] == 2}
    assert rates["previous"] > 40 > 15 > rates["current"]  # the planted Safari checkout break, on both sides of it
    answer = demo_engine.ask("were there more signups in october than in september?")
    assert answer.intent == "count" and answer.slots["compare"].previous.start == datetime(2026, 9, 1, tzinfo=UTC)
    again = demo_engine.ask("funnel: pricing page, then signup, then the pricing page again")
    assert [e.name for e in again.slots["steps"]] == ["$pageview", "signed_up", "$pageview"]


def test_sessions_split_by_their_own_property_or_their_first_events(demo_engine: Engine) -> None:
    """ "Which landing pages start the most sessions" counts sessions by their entry page, most first, as many as
    asked (it was a breakdown of events, which cannot read a session's property, and failed); "bounce rate by
    browser" splits sessions by the browser of their first event; "signups by landing page" asks which property,
    since a session's entry page does not split signups."""
    truth = demo_engine.backend.run_sql(
        "SELECT entry_pathname, count() AS n FROM sessions WHERE min_timestamp >= '2026-11-01' "
        "AND min_timestamp < '2026-11-26 12:00:00' GROUP BY entry_pathname ORDER BY n DESC LIMIT 3"
    ).rows
    answer, table = answered(demo_engine, "which landing pages start the most sessions this month? give me the top 3")
    assert answer.intent == "sessions" and answer.slots["metric"] == "count" and not answer.caveats
    assert [(r["breakdown"], r["sessions"]) for r in table.records()] == [tuple(r) for r in truth]
    truth = demo_engine.backend.run_sql(
        "SELECT b, round(100 * countIf(is_bounce) / count(), 2) FROM sessions AS s INNER JOIN (SELECT `$session_id` "
        "AS sid, argMin(JSONExtractString(properties, '$browser'), timestamp) AS b FROM events WHERE timestamp >= "
        "'2026-11-15' AND timestamp < '2026-11-24' AND `$session_id` != '' GROUP BY sid) AS e ON s.session_id = e.sid "
        "WHERE min_timestamp >= '2026-11-16' AND min_timestamp < '2026-11-23' AND b != '' GROUP BY b"
    ).rows
    answer, table = answered(demo_engine, "bounce rate by browser last week")
    assert answer.intent == "sessions" and answer.slots["metric"] == "bounce_rate"
    assert {r["breakdown"]: r["bounce_rate_pct"] for r in table.records()} == dict(truth)
    asked = demo_engine.ask("signups by landing page last week")
    assert asked.clarification is not None and "property of sessions" in asked.clarification.text()


def test_time_between_two_events_split_by_a_property(demo_engine: Engine) -> None:
    """ "Median time from signup to purchase by country" gives each country's median over the people whose signup
    was in the range, split by their signup's country (the split was dropped, or it became a count of signups)."""
    truth = demo_engine.backend.run_sql(
        "SELECT c, count() AS users, round(median(s)) FROM (SELECT person_id, minIf(timestamp, event = 'signed_up' "
        "AND timestamp >= '2026-10-01' AND timestamp < '2026-11-01') AS started, argMinIf(JSONExtractString("
        "person_properties, '$geoip_country_code'), timestamp, event = 'signed_up' AND timestamp >= '2026-10-01' AND "
        "timestamp < '2026-11-01') AS c, arrayFirst(t -> t > started, arraySort(groupArrayIf(timestamp, event = "
        "'purchase'))) AS reached, dateDiff('second', started, reached) AS s FROM events WHERE event IN ('signed_up', "
        "'purchase') AND timestamp >= '2026-10-01' AND timestamp < '2026-11-15' GROUP BY person_id HAVING started >= "
        "'2026-10-01' AND reached > started AND reached < started + INTERVAL 14 DAY) WHERE c != '' GROUP BY c "
        "ORDER BY users DESC, c LIMIT 3"
    ).rows
    answer, table = answered(demo_engine, "median time from signup to first purchase by country last month, top 3")
    assert answer.intent == "time_to_event" and answer.slots["breakdown"].name == "$geoip_country_code"
    assert [(r["breakdown"], r["users"], r["median_seconds"]) for r in table.records()] == [tuple(r) for r in truth]
    assert "by the top 3 $geoip_country_code" in answer.explain()


def test_days_active_out_of_a_weeks_seven_and_the_top_hours(demo_engine: Engine) -> None:
    """ "At least 5 of the 7 days" is five or more active days (it was read as no threshold: "3 or more"); "which
    two hours of the day" ranks the hours and keeps two (it charted the month day by day)."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT count() FROM (SELECT person_id FROM events WHERE timestamp >= '2026-11-16' AND timestamp < "
        "'2026-11-23' GROUP BY person_id HAVING uniqExact(toDate(timestamp)) >= 5)"
    ).rows
    for question in (
        "how many users showed up on at least 5 of the 7 days last week?",
        "last week, count of people who were active on 5 or more separate days?",  # "separate" was left unread
    ):
        answer, table = answered(demo_engine, question)
        assert answer.intent == "stickiness" and answer.slots["min_days"] == 5, question
        assert answer.interpret(table).figures[0].value == truth[0], question
    hours = demo_engine.backend.run_sql(
        "SELECT toHour(timestamp) AS h, count() AS n FROM events WHERE event = 'file_uploaded' AND timestamp >= "
        "'2026-10-01' AND timestamp < '2026-11-01' GROUP BY h ORDER BY n DESC LIMIT 2"
    ).rows
    answer, table = answered(demo_engine, "Which two hours of the day (UTC) saw the most file uploads last month?")
    assert answer.intent == "breakdown" and answer.slots["limit"] == 2
    assert [(int(r["breakdown"]), r["value"]) for r in table.records()] == [tuple(r) for r in hours]


def test_a_list_of_three_months_spans_all_three(demo_engine: Engine) -> None:
    """ "MAU for september, october and november" charts the three months (the third was dropped, silently)."""
    answer, table = answered(demo_engine, "MAU for september, october and november (nov so far)")
    assert answer.slots["time_range"].start == datetime(2026, 9, 1, tzinfo=UTC)
    assert [str(r["period"])[:10] for r in table.records()] == ["2026-09-01", "2026-10-01", "2026-11-01"]
    (truth,) = demo_engine.backend.run_sql(
        "SELECT count() FROM events WHERE event = 'signed_up' AND timestamp >= '2026-09-01' "
        "AND timestamp < '2026-11-26 12:00:00'"
    ).rows
    answer, table = answered(demo_engine, "signups in Sep, Oct, and Nov")
    assert table.rows[0][0] == truth[0]


def test_the_ones_who_did_against_the_ones_who_didnt_over_a_list_of_months(demo_engine: Engine) -> None:
    """ "Do the ones who shared a file in their first 7 days buy more often than the ones who didn't?", of
    September and October signups: two groups over both months ("for each group" compares no two periods; it
    asked which analysis, then used October alone)."""
    answer, _ = answered(
        demo_engine,
        "for folks who signed up in Sept or Oct, do the ones who shared a file in their first 7 days end up buying "
        "more often than the ones who didn't? purchase rate for each group",
    )
    assert answer.intent == "cohort_comparison" and not answer.caveats
    assert answer.slots["time_range"].start == datetime(2026, 9, 1, tzinfo=UTC)
    assert answer.slots["time_range"].end == datetime(2026, 11, 1, tzinfo=UTC)


def test_a_part_set_apart_a_negated_unit_and_the_n_groups_with_the_fewest(demo_engine: Engine) -> None:
    """ "Pageviews except the blog" are the pageviews of other pages (it counted the people who never viewed the
    blog, with a warning); "how many non-chrome users" counts people (it counted events, silently); "the 2
    countries with the fewest purchases" ranks two countries, fewest first (it counted every purchase, warned)."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT count() FROM events WHERE event = '$pageview' AND JSONExtractString(properties, '$pathname') != "
        "'/blog' AND timestamp >= '2026-11-25' AND timestamp < '2026-11-26'"
    ).rows
    answer, table = answered(demo_engine, "pageviews yesterday except the blog")
    assert not answer.caveats and table.rows[0][0] == truth[0]
    assert [(f.prop.name, f.op, f.value) for f in answer.slots["filters"]] == [("$pathname", "!=", "/blog")]
    answer, table = answered(demo_engine, "number of non-chrome users last week")
    assert answer.slots["measure"] == "users"
    (truth,) = demo_engine.backend.run_sql(
        "SELECT toString(JSONExtractString(person_properties, '$geoip_country_code')) AS c, count() AS n FROM events "
        "WHERE event = 'purchase' AND timestamp >= '2026-10-01' AND timestamp < '2026-11-01' AND c != '' "
        "GROUP BY c ORDER BY n ASC, c LIMIT 1"
    ).rows
    answer, table = answered(demo_engine, "the 2 countries with the fewest purchases last month")
    assert answer.intent == "breakdown" and answer.slots["limit"] == 2 and answer.slots["order"] == "asc"
    assert len(table.rows) == 2 and tuple(table.rows[0]) == tuple(truth)


def test_a_grouping_followed_by_an_exclusion(demo_engine: Engine) -> None:
    """ "signups by country excluding the US" groups by country without the US (it asked for a property called
    'country excluding')."""
    truth = demo_engine.backend.run_sql(
        "SELECT JSONExtractString(person_properties, '$geoip_country_code') AS c, count() AS n FROM events "
        "WHERE event = 'signed_up' AND timestamp >= '2026-10-01' AND timestamp < '2026-11-01' AND c NOT IN ('', 'US') "
        "GROUP BY c ORDER BY n DESC, c LIMIT 3"
    ).rows
    answer, table = answered(demo_engine, "signups by country excluding the US last month")
    assert answer.intent == "breakdown" and not answer.caveats
    assert [tuple(r) for r in table.rows[:3]] == [tuple(r) for r in truth]


def test_twice_or_more_and_on_at_least_n_days(demo_engine: Engine) -> None:
    """ "twice or more" is at least 2 times (it listed every buyer); "on at least 5 days" is five active days (it was
    read as nothing, and "at least" sorted a list fewest first), counted by stickiness and reported where a list
    cannot apply it."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT count() FROM (SELECT person_id FROM events WHERE event = 'file_uploaded' AND timestamp >= "
        "'2026-11-16' AND timestamp < '2026-11-23' GROUP BY person_id HAVING count() >= 2)"
    ).rows
    answer, table = answered(demo_engine, "how many people uploaded twice or more last week")
    assert answer.slots["conditions"][0].min_count == 2 and table.rows[0][0] == truth[0]
    (truth,) = demo_engine.backend.run_sql(
        "SELECT count() FROM (SELECT person_id FROM events WHERE event = 'logged_in' AND timestamp >= '2026-11-16' "
        "AND timestamp < '2026-11-23' GROUP BY person_id HAVING uniqExact(toDate(timestamp)) >= 3)"
    ).rows
    answer, table = answered(demo_engine, "how many users logged in on at least 3 days last week")
    assert answer.intent == "stickiness" and answer.interpret(table).figures[0].value == truth[0]
    listed = demo_engine.ask("users who logged in on at least 3 days last week")
    assert listed.slots["order"] == "desc" and any("on at least 3 days" in str(c) for c in listed.caveats)


def test_people_making_their_first_purchase_are_counted_without_a_warning_about_people(demo_engine: Engine) -> None:
    """ "how many people made their first purchase" counts people (first-time counts are of people): the answer
    said it had not used "how many people", a warning about nothing."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT count() FROM (SELECT person_id, min(timestamp) AS first FROM events WHERE event = 'purchase' "
        "GROUP BY person_id HAVING first >= '2026-11-16' AND first < '2026-11-23')"
    ).rows
    answer, table = answered(demo_engine, "how many people made their first purchase last week")
    assert answer.slots["measure"] == "first_time" and not answer.caveats and table.rows[0][0] == truth[0]


def test_people_who_did_something_every_day_of_a_range(demo_engine: Engine) -> None:
    """ "How many users uploaded every day last week" are the people active on all seven days (it charted the
    uploads day by day or counted everyone who uploaded); "uploads every day last week" is still a daily series;
    a list that cannot apply the seven days says so."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT count() FROM (SELECT person_id FROM events WHERE event = 'file_uploaded' AND timestamp >= "
        "'2026-11-16' AND timestamp < '2026-11-23' GROUP BY person_id HAVING uniqExact(toDate(timestamp)) >= 7)"
    ).rows
    answer, table = answered(demo_engine, "how many users uploaded files every day last week")
    assert answer.intent == "stickiness" and answer.slots["min_days"] == 7
    assert answer.interpret(table).figures[0].value == truth[0]
    assert answered(demo_engine, "uploads every day last week")[0].intent == "trend"
    listed = demo_engine.ask("users who uploaded every day last week")
    assert any("every day" in str(c) for c in listed.caveats)


def test_page_paths_follow_the_pages_viewed(demo_engine: Engine) -> None:
    """ "What page do people view right before /signup" walks page views named by their path (it walked event
    names and answered "$pageview"); a page named after "after" is where the paths start, not a filter on every
    step (the journey after /pricing held nothing but /pricing views)."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT pv[anchor - 1].2 FROM (SELECT arraySort(x -> x.1, groupArray((timestamp, "
        "JSONExtractString(properties, '$pathname')))) AS pv, arrayFirstIndex(x -> x.2 = '/signup', pv) AS anchor "
        "FROM events WHERE event = '$pageview' AND timestamp >= '2026-10-27 12:00:00' AND timestamp < "
        "'2026-11-26 12:00:00' GROUP BY person_id HAVING anchor > 1) GROUP BY 1 ORDER BY count() DESC, 1 LIMIT 1"
    ).rows
    answer, table = answered(demo_engine, "what page do people most often view right before they hit /signup?")
    assert answer.slots["pages"] == "only" and not answer.caveats
    assert table.records()[0]["path"] == f"{truth[0]} → /signup"
    after, table = answered(demo_engine, "which pages do users visit after /pricing")
    assert after.slots["event"].filters and not after.slots.get("filters")
    steps = {p for r in table.records() for p in r["path"].split(" → ")}
    assert {"/pricing", "/app"} <= steps and "$pageleave" not in steps


def test_done_on_the_same_day_as_signing_up_is_a_one_day_window(demo_engine: Engine) -> None:
    """ "What % of October signups completed onboarding on the same day they signed up" is activation within a
    day of signing up (it counted October's signups and said it had not used the rest)."""
    answer, table = answered(
        demo_engine, "What % of October signups completed onboarding on the same day they signed up?"
    )
    assert answer.intent == "activation" and answer.slots["window_days"] == 1
    assert answer.slots["activation_event"].name == "onboarding_completed" and not answer.caveats
    (truth,) = demo_engine.backend.run_sql(
        "SELECT round(100 * countIf(arrayExists(t -> t >= s AND t < s + INTERVAL 1 DAY, done)) / count(), 2) FROM "
        "(SELECT person_id, minIf(timestamp, event = 'signed_up') AS s, groupArrayIf(timestamp, event = "
        "'onboarding_completed') AS done FROM events GROUP BY person_id HAVING s >= '2026-10-01' AND s < '2026-11-01')"
    ).rows
    assert table.records()[0]["activation_pct"] == truth[0]


def test_people_who_never_did_the_one_event_named_are_counted(demo_engine: Engine) -> None:
    """ "How many users never purchased" counts the active people who never did (it counted those who did, with
    "never" unread); "signed up last week but had no purchases" is a condition on who signed up (the purchases
    were dropped); "how much revenue" is the revenue, with no warning that "how much" went unread."""
    (never,) = demo_engine.backend.run_sql(
        "SELECT uniqExactIf(person_id, person_id NOT IN (SELECT person_id FROM events WHERE event = 'purchase' AND "
        "timestamp < '2026-11-26 12:00:00')) FROM events WHERE timestamp >= '2026-10-27 12:00:00' AND timestamp < "
        "'2026-11-26 12:00:00'"
    ).rows
    answer, table = answered(demo_engine, "how many users never purchased")
    assert not answer.caveats and answer.slots["conditions"][0].kind == "did_not"
    assert table.rows[0][0] == never[0]
    (signed,) = demo_engine.backend.run_sql(
        "SELECT uniqExact(person_id) FROM events WHERE event = 'signed_up' AND timestamp >= '2026-11-16' AND "
        "timestamp < '2026-11-23' AND person_id NOT IN (SELECT person_id FROM events WHERE event = 'purchase' AND "
        "timestamp >= '2026-11-16' AND timestamp < '2026-11-23')"
    ).rows
    answer, table = answered(demo_engine, "how many users signed up last week but had no purchases")
    assert not answer.caveats and table.rows[0][0] == signed[0]
    assert "did not do purchase in the range" in answer.interpret(table).text()
    assert not demo_engine.ask("how much revenue did we make last month").caveats


def test_active_in_one_period_and_silent_in_the_next_is_dormant(demo_engine: Engine) -> None:
    """ "Active the week before last but had no events at all last week" are last week's dormant users (it counted
    the first week's active users and left "last week" unread), as a count of people or lifecycle's status."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT count() FROM (SELECT person_id FROM events WHERE timestamp >= '2026-11-09' AND timestamp < "
        "'2026-11-16' GROUP BY person_id) WHERE person_id NOT IN (SELECT person_id FROM events WHERE timestamp >= "
        "'2026-11-16' AND timestamp < '2026-11-23')"
    ).rows
    answer, table = answered(
        demo_engine, "how many people were active the week before last but had no events at all last week?"
    )
    assert answer.intent in ("lifecycle", "count") and not answer.caveats
    assert answer.interpret(table).figures[0].value == truth[0]


def test_a_negation_belongs_to_the_value_after_it(demo_engine: Engine) -> None:
    """ "excluding anyone who came in through the newsletter" leaves the newsletter's people out (it kept only
    them, with "excluding" unread); "not on mobile ... from google users" negates mobile, not google too; "not
    from google or twitter" excludes both; "excluding those on the free plan" excludes the free plan (it kept only it, warned)."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT sum(JSONExtractFloat(properties, 'amount')) FROM events WHERE event = 'purchase' AND timestamp >= "
        "'2026-10-01' AND timestamp < '2026-11-01' AND JSONExtractString(person_properties, '$initial_utm_source') "
        "!= 'newsletter'"
    ).rows
    answer, table = answered(demo_engine, "october revenue excluding anyone who came in through the newsletter")
    assert not answer.caveats and table.records()[0]["revenue"] == pytest.approx(truth[0])
    filters = demo_engine.ask("purchases not on mobile last week from google users").slots["filters"]
    assert sorted(f.label() for f in filters) == ["$device_type != 'Mobile'", "person.$initial_utm_source = 'google'"]
    (both,) = demo_engine.ask("signups not from google or twitter last month").slots["filters"]
    assert both.op == "not_in" and set(both.value) == {"google", "twitter"}
    for question in (
        "pageviews last week excluding those on the free plan",
        "pageviews last week except people on a free plan",
    ):
        answer = demo_engine.ask(question)  # "those on the" before the value: the people the value describes
        assert [f.label() for f in answer.slots["filters"]] == ["person.plan != 'free'"] and not answer.caveats, (
            question
        )


def test_actions_in_a_cohorts_first_days_ranked_by_the_rate_that_converts(demo_engine: Engine) -> None:
    """ "Among October signups, which actions in their first 3 days go with the highest purchase rate" follows each
    signup's first 3 days and ranks the actions by the share of their people who bought at any time after
    signing up (it measured activation of purchase into checkout: 0%); "leave out X" sets X aside, named events
    are the only ones compared."""
    truth = demo_engine.backend.run_sql(
        "WITH s AS (SELECT person_id, min(timestamp) AS su FROM events WHERE event = 'signed_up' GROUP BY person_id "
        "HAVING su >= '2026-10-01' AND su < '2026-11-01'), did AS (SELECT DISTINCT e.person_id AS pid, e.event AS "
        "action FROM events AS e INNER JOIN s ON e.person_id = s.person_id WHERE e.event NOT IN ('purchase', "
        "'signed_up', 'checkout_started') AND NOT startsWith(e.event, '$') AND e.timestamp >= s.su AND e.timestamp "
        "< s.su + INTERVAL 3 DAY), buyers AS (SELECT DISTINCT e.person_id AS pid FROM events AS e INNER JOIN s ON "
        "e.person_id = s.person_id WHERE e.event = 'purchase' AND e.timestamp >= s.su) SELECT action, round(100 * "
        "countIf(pid IN (SELECT pid FROM buyers)) / count(), 2) AS rate FROM did GROUP BY action ORDER BY rate DESC, "
        "action LIMIT 3"
    ).rows
    answer, table = answered(
        demo_engine,
        "among people who signed up in October, which actions in their first 3 days go with the highest purchase "
        "rate? leave out checkout. top 3",
    )
    assert answer.intent == "correlation" and answer.slots["rank"] == "rate"
    assert [(r["candidate"], r["conversion_pct"]) for r in table.records()] == [tuple(t) for t in truth]
    named, table = answered(
        demo_engine,
        "october signups: which of these in their first 3 days goes with the highest purchase rate - file_shared "
        "or invite_sent?",
    )
    assert {r["candidate"] for r in table.records()} == {"file_shared", "invite_sent"}
    assert "among" in named.meaning.describe()


def test_how_often_the_average_new_user_does_something_in_their_first_days(demo_engine: Engine) -> None:
    """ "On average how many files does a new user upload in their first 7 days? Use everyone who signed up in
    October" averages the uploads over every October signup, 0 for those who uploaded none (it answered the share
    who completed onboarding, with the uploads as the cohort event)."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT round(sum(n) / count(), 2) FROM (SELECT person_id, minIf(timestamp, event = 'signed_up') AS s, "
        "arrayCount(t -> t >= s AND t < s + INTERVAL 7 DAY, groupArrayIf(timestamp, event = 'file_uploaded')) AS n "
        "FROM events GROUP BY person_id HAVING s >= '2026-10-01' AND s < '2026-11-01')"
    ).rows
    answer, table = answered(
        demo_engine,
        "On average how many files does a new user upload in their first 7 days? Use everyone who signed up in "
        "October, including people who uploaded nothing.",
    )
    assert answer.slots["signup_event"].name == "signed_up" and answer.slots["measure"] == "per_user"
    interpretation = answer.interpret(table)
    assert interpretation.figures[0].value == truth[0] and "On average" in interpretation.text()
    assert (
        answered(demo_engine, "what % of october signups uploaded a file in their first week")[0].slots["measure"]
        == "share"
    )


def test_the_share_of_active_users_who_did_something(demo_engine: Engine) -> None:
    """ "What % of people active in the last 30 days uploaded a file?" is the uploaders among everyone with any
    event, as a percentage (it counted the uploads and said it had not used "% of"); compared with last week, both
    shares are percentages."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT round(100 * uniqExactIf(person_id, event = 'file_uploaded') / uniqExact(person_id), 2), "
        "uniqExactIf(person_id, event = 'file_uploaded'), uniqExact(person_id) FROM events WHERE timestamp >= "
        "'2026-10-27 12:00:00' AND timestamp < '2026-11-26 12:00:00'"
    ).rows
    answer, table = answered(demo_engine, "what % of people active in the last 30 days uploaded a file?")
    assert answer.slots["share"] == "of_active" and not answer.caveats
    assert table.rows[0] == tuple(truth)
    assert "share of the active users" in answer.meaning.describe()
    compared, table = answered(demo_engine, "what % of active users purchased this week vs last week")
    assert {f.unit for f in compared.interpret(table).figures[:2]} == {"%"}


def test_a_features_users_in_two_whole_months(demo_engine: Engine) -> None:
    """ "Did more people use templates in October than September" counts the feature's people in each month (the
    feature family has no comparison and answered October alone); two finished months are compared whole, not
    "like for like" (October's extra day made it say so)."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT uniqExactIf(person_id, timestamp >= '2026-10-01' AND timestamp < '2026-11-01'), "
        "uniqExactIf(person_id, timestamp >= '2026-09-01' AND timestamp < '2026-10-01') FROM events WHERE event = "
        "'feature_used' AND JSONExtractString(properties, 'feature_name') = 'templates'"
    ).rows
    answer, table = answered(demo_engine, "did more people use templates in october than september?")
    assert dict(table.rows) == {"current": truth[0], "previous": truth[1]}
    assert not answer.slots["compare"].like_for_like and "same part" not in answer.interpret(table).text()


def test_viewed_pricing_is_the_pricing_page_not_the_amount(demo_engine: Engine) -> None:
    """ "Users who viewed pricing but didn't start checkout" are the /pricing page's viewers without a checkout (the
    -ing form was taken for a plural naming the amount property, and the list was of checkouts, "didn't" unread)."""
    answer = demo_engine.ask("users who viewed pricing but didn't start checkout this week")
    assert answer.slots["event"].label() == "$pageview where $pathname = '/pricing'" and not answer.caveats
    assert answer.slots["exclude_event"].name == "checkout_started"


def test_the_newest_people_first(demo_engine: Engine) -> None:
    """ "Who are the newest signups" lists the people who signed up, the most recent first (it ranked them by how
    many signups each had: one each, in no useful order); "list the 5 most recent signups" keeps five."""
    truth = demo_engine.backend.run_sql(
        "SELECT person_id FROM events WHERE event = 'signed_up' AND timestamp >= '2026-10-27 12:00:00' AND timestamp "
        "< '2026-11-26 12:00:00' GROUP BY person_id ORDER BY max(timestamp) DESC, person_id LIMIT 5"
    ).rows
    answer, table = answered(demo_engine, "who are the newest signups")
    assert answer.slots["rank"] == "recent" and "the most recent first" in answer.meaning.describe()
    assert [r["person_id"] for r in table.records()[:5]] == [t[0] for t in truth]
    listed, table = answered(demo_engine, "list the 5 most recent signups")  # it was activation, "5 most" unread
    assert listed.intent == "user_list" and listed.slots["limit"] == 5 and not listed.caveats
    assert [r["person_id"] for r in table.records()] == [t[0] for t in truth]


def test_how_many_sessions_bounced_or_did_not(demo_engine: Engine) -> None:
    """ "How many sessions bounced last week" is the number of bounced sessions (it stated the bounce rate, a
    percentage, as the answer to "how many"); "didn't bounce" is the others."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT countIf(is_bounce = 1), countIf(is_bounce = 0) FROM sessions WHERE min_timestamp >= '2026-11-16' "
        "AND min_timestamp < '2026-11-23'"
    ).rows
    for question, expected in (
        ("how many sessions bounced last week", truth[0]),
        ("how many sessions didn't bounce last week", truth[1]),
    ):
        answer, table = answered(demo_engine, question)
        assert not answer.caveats and answer.interpret(table).figures[0].value == expected, question


def test_people_ranked_by_their_time_in_sessions_are_a_list(demo_engine: Engine) -> None:
    """ "Who spent the most total time in the app in October? top 3 users (email) by total session duration" lists
    the three people with the most session time (it answered the average session duration, a session metric,
    with the people and the top 3 unread)."""
    truth = demo_engine.backend.run_sql(
        "SELECT person_id FROM sessions WHERE min_timestamp >= '2026-10-01' AND min_timestamp < '2026-11-01' "
        "GROUP BY person_id ORDER BY sum(duration) DESC LIMIT 3"
    ).rows
    answer, table = answered(
        demo_engine,
        "who spent the most total time in the app in october? top 3 users (email) by total session duration",
    )
    assert answer.intent == "user_list" and answer.slots["rank"] == "session_time"
    assert [r["person_id"] for r in table.records()] == [t[0] for t in truth]


def test_new_people_that_nothing_reads_are_reported(demo_engine: Engine) -> None:
    """ "How many new users uploaded a file this week" counted every uploader and said nothing of "new"; now the
    answer says it did not use it. "New signups" and "new accounts created" name the event that makes people new,
    and activation reads its new users itself: no warning there."""
    answer = demo_engine.ask("how many new users uploaded a file this week")
    assert any("'new users'" in str(c) for c in answer.caveats)
    for question in (
        "how many new signups did we get in september",
        "what % of new users shared a file in their first week",
    ):
        assert not any("'new" in str(c) for c in demo_engine.ask(question).caveats), question


def test_a_cohorts_period_and_the_later_period_they_come_back_in(demo_engine: Engine) -> None:
    """ "October signups: what share came back in November?" is October's cohort in its first month after (the
    running month asked in its own month was ambiguous alone, and the October cohort was dropped silently);
    "were still active in November" after September is month 2, a retention, not an activation."""
    for question, cohort, back, month in (
        ("october signups - what share of them came back and did anything in november?", "2026-10-01", "2026-11-01", 1),
        (
            "of the people who joined in september, how many were still active in november",
            "2026-09-01",
            "2026-11-01",
            2,
        ),
    ):
        (truth,) = demo_engine.backend.run_sql(
            "SELECT 100 * countIf(person_id IN (SELECT person_id FROM events WHERE timestamp >= "
            f"'{back}')) / count() FROM (SELECT DISTINCT person_id FROM events WHERE event = 'signed_up' AND "
            f"timestamp >= '{cohort}' AND timestamp < addMonths(toDateTime('{cohort}'), 1))"
        ).rows
        answer, table = answered(demo_engine, question)
        assert answer.intent == "retention" and answer.slots["period"] == "month", question
        assert answer.slots["offset"] == month and not answer.caveats, question
        stated = {f.name: f.value for f in answer.interpret(table).figures}
        assert stated[f"month {month}"] == pytest.approx(truth[0], abs=0.05), question


def test_linked_to_is_a_question_of_association_not_a_value(demo_engine: Engine) -> None:
    """ "Is sharing in the first 3 days after signup linked to purchasing? ... did vs didn't" compares the two
    groups: "linked" is no share_type 'link' filter (it emptied the answer), and "did vs didn't" is the two groups
    of a cohort comparison, the same numbers as the plain wording."""
    asked, table = answered(
        demo_engine,
        "is sharing a file in the first 3 days after signup linked to purchasing? purchase rate for users that did "
        "vs didn't, all time",
    )
    plain, plain_table = answered(
        demo_engine,
        "users who shared a file within 3 days of signing up vs those who didn't: purchase rate, all time",
    )
    assert asked.intent == plain.intent == "cohort_comparison" and not asked.slots.get("filters")
    assert asked.hogql == plain.hogql
    assert table.rows == plain_table.rows and len(table.rows) == 2


def test_days_between_two_dates_count_events_not_the_time_between_them(demo_engine: Engine) -> None:
    """ "Purchases between 2 and 8 nov (both days included)" counts the purchases of those seven days: it was the
    time from signup to purchase on Nov 8 alone (the days written day first were not a range, and "between"
    weighed for time-to-event)."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT count() FROM events WHERE event = 'purchase' AND timestamp >= '2026-11-02' AND timestamp < '2026-11-09'"
    ).rows
    answer, table = answered(demo_engine, "purchases between 2 and 8 nov (both days included)")
    assert answer.intent == "count" and not answer.caveats
    assert answer.interpret(table).figures[0].value == truth[0] > 0


def test_one_lifecycle_status_asked_leads_the_answer(demo_engine: Engine) -> None:
    """ "How many came back last week after being inactive the week before" is the resurrecting users (it was a
    retention of signups); "went dormant last week" is the dormant ones. The status asked leads the answer."""
    weeks = ("2026-11-02", "2026-11-09", "2026-11-16", "2026-11-23")
    active = "SELECT DISTINCT person_id FROM events WHERE timestamp >= '{}' AND timestamp < '{}'"
    (resurrecting,) = demo_engine.backend.run_sql(
        f"SELECT count() FROM ({active.format(weeks[2], weeks[3])}) WHERE person_id NOT IN "
        f"({active.format(weeks[1], weeks[2])}) AND person_id IN ({active.format('2026-01-01', weeks[1])})"
    ).rows
    (dormant,) = demo_engine.backend.run_sql(
        f"SELECT count() FROM ({active.format(weeks[1], weeks[2])}) WHERE person_id NOT IN "
        f"({active.format(weeks[2], weeks[3])})"
    ).rows
    for question, status, truth in (
        (
            "How many users came back last week after being completely inactive the week before?",
            "resurrecting",
            resurrecting,
        ),
        ("how many users went dormant last week?", "dormant", dormant),
    ):
        answer, table = answered(demo_engine, question)
        assert answer.intent == "lifecycle" and answer.slots["status"] == status, question
        assert answer.interpret(table).headline.startswith(f"{truth[0]} users were {status}"), question


def test_values_listed_in_brackets_after_a_name_for_them(demo_engine: Engine) -> None:
    """ "Pageviews last week excluding the website pages (/, /pricing, /blog)": the bracketed values are what is
    excluded, the root path included (a name for them was asked about as a page, and "/" alone was never read)."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT count() FROM events WHERE event = '$pageview' AND JSONExtractString(properties, '$pathname') NOT IN "
        "('/', '/pricing', '/blog') AND timestamp >= '2026-11-16' AND timestamp < '2026-11-23'"
    ).rows
    answer, table = answered(demo_engine, "pageviews last week excluding the website pages (/, /pricing, /blog)?")
    assert {f.label() for f in answer.slots["filters"]} == {"$pathname not_in ('/', '/pricing', '/blog')"}
    assert not answer.caveats and answer.interpret(table).figures[0].value == truth[0]


def test_features_named_as_events_are_ranked_side_by_side(demo_engine: Engine) -> None:
    """ "Which feature reached the most users: uploading files, sharing files, inviting teammates or creating
    projects?" ranks those four events by their users (it ranked feature_name values of the first one and left
    three events unused)."""
    truth = demo_engine.backend.run_sql(
        "SELECT event, uniqExact(person_id) AS users FROM events WHERE event IN ('file_uploaded', 'file_shared', "
        "'invite_sent', 'project_created') AND timestamp >= '2026-10-27 12:00:00' AND timestamp < '2026-11-26 12:00:00' "
        "GROUP BY event ORDER BY users DESC"
    ).rows
    answer, table = answered(
        demo_engine,
        "Which feature reached the most users in the past 30 days: uploading files, sharing files, inviting teammates "
        "or creating projects? rank them",
    )
    assert answer.intent == "feature_usage" and not answer.caveats
    assert [e.name for e in answer.slots["among"]] == ["file_uploaded", "file_shared", "invite_sent", "project_created"]
    assert list(answer.interpret(table).ranking) == [(name, float(users)) for name, users in truth]


def test_who_the_heaviest_users_of_something_are_is_a_list(demo_engine: Engine) -> None:
    """ "Who are the 3 heaviest feature users this week?" lists three people (it asked whether it was a list or a
    feature ranking): people asked for by who they are weigh against families with no row per person."""
    truth = demo_engine.backend.run_sql(
        "SELECT person_id FROM events WHERE event = 'feature_used' AND timestamp >= '2026-11-23' GROUP BY person_id "
        "ORDER BY count() DESC, person_id LIMIT 3"
    ).rows
    answer, table = answered(
        demo_engine, "who are the 3 heaviest feature users this week? emails + how many feature_used events each"
    )
    assert answer.intent == "user_list"
    assert [r["person_id"] for r in table.records()] == [t[0] for t in truth]


def test_events_named_as_a_list_of_things_are_each_counted(demo_engine: Engine) -> None:
    """ "How many uploads, shares and invites last week" counts each of the three (it counted the uploads and left
    the others unused); "users who signed up and purchased" names what people did, not a list to count."""
    truth = dict(
        demo_engine.backend.run_sql(
            "SELECT event, count() FROM events WHERE event IN ('file_uploaded', 'file_shared', 'invite_sent') AND "
            "timestamp >= '2026-11-16' AND timestamp < '2026-11-23' GROUP BY event"
        ).rows
    )
    answer, table = answered(demo_engine, "how many uploads, shares and invites last week")
    assert answer.intent == "feature_usage" and not answer.caveats
    stated = {f.name: f.value for f in answer.interpret(table).figures}
    assert {name: stated[f"{name} uses"] for name in truth} == truth
    assert demo_engine.ask("how many users signed up and purchased last week").intent == "count"


def test_ignoring_the_other_events_keeps_only_those_named(demo_engine: Engine) -> None:
    """ "Ignoring non-pageview events" keeps the pageviews: the next page after an upload follows pages only (it
    read "ignoring ... pageview" as people who never viewed a page, and "non-pageview" as skipping pages: no data;
    then a later upload counted as the next page);
    "how many events last week ignoring non-pageview events" counts the pageviews."""
    asked, table = answered(
        demo_engine,
        "After someone uploads a file, what's the next page they view (ignoring non-pageview events in between)? "
        "Top 3 pages by number of users.",
    )
    assert asked.slots["pages"] == "only" and asked.slots["path_length"] == 1 and not asked.slots.get("conditions")
    truth = demo_engine.backend.run_sql(  # each uploader's first upload in the range, then their next page
        "WITH f AS (SELECT person_id, min(timestamp) AS t FROM events WHERE event = 'file_uploaded' AND timestamp >= "
        "'2026-10-27 12:00:00' AND timestamp < '2026-11-26 12:00:00' GROUP BY person_id) SELECT p, count() AS n FROM "
        "(SELECT f.person_id, argMin(JSONExtractString(e.properties, '$pathname'), e.timestamp) AS p FROM f INNER JOIN "
        "events AS e ON e.person_id = f.person_id WHERE e.event = '$pageview' AND e.timestamp > f.t AND e.timestamp < "
        "'2026-11-26 12:00:00' GROUP BY f.person_id) GROUP BY p ORDER BY n DESC, p LIMIT 3"
    ).rows
    assert [(path, users) for path, users, _ in table.rows] == [(f"file_uploaded → {p}", n) for p, n in truth]
    (truth,) = demo_engine.backend.run_sql(
        "SELECT count() FROM events WHERE event = '$pageview' AND timestamp >= '2026-11-16' AND timestamp < '2026-11-23'"
    ).rows
    counted, counts = answered(demo_engine, "how many events last week ignoring non-pageview events")
    assert counted.interpret(counts).figures[0].value == truth[0]


def test_a_value_and_its_propertys_name_are_one_filter_before_the_people_counted(demo_engine: Engine) -> None:
    """ "How many pro plan users uploaded": "pro plan" is one filter (the property's name was left over and
    reported unused) and the people are counted (the two words hid "users" from the unit: it counted uploads)."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT uniqExact(person_id) FROM events WHERE event = 'file_uploaded' AND JSONExtractString("
        "person_properties, 'plan') = 'pro' AND timestamp >= '2026-11-16' AND timestamp < '2026-11-23'"
    ).rows
    for question in (
        "how many pro plan users uploaded a file last week",
        "how many pro-plan users uploaded a file last week",
    ):
        asked, table = answered(demo_engine, question)
        assert asked.slots["measure"] == "users" and not asked.caveats
        assert asked.interpret(table).figures[0].value == truth[0]


def test_a_remark_in_brackets_is_not_part_of_the_period_and_what_share_go_from_a_to_b_is_a_funnel(
    demo_engine: Engine,
) -> None:
    """ "From Nov 16 (the 4.2 release) onwards" is Nov 16 to now (it was the day alone), compared with the days
    named as they are (no "like for like" claim); "what % go from the pricing page to signing up" is a funnel (it
    listed paths after signing up and dropped the pricing page)."""
    asked, _ = answered(
        demo_engine,
        "safari users: checkout->purchase conversion from Nov 6 to Nov 15, vs from Nov 16 (the 4.2 release) onwards",
    )
    assert asked.slots["time_range"].spec == {"from": "2026-11-16"}
    assert asked.slots["compare"].previous.spec == {"from": "2026-11-06", "to": "2026-11-15"}
    assert not asked.slots["compare"].like_for_like
    funnel, table = answered(demo_engine, "what % of people go from viewing the pricing page to signing up?")
    assert funnel.intent == "funnel" and [s.name for s in funnel.slots["steps"]] == ["$pageview", "signed_up"]
    assert funnel.slots["steps"][0].filters[0].value == "/pricing" and not funnel.caveats
    (truth,) = demo_engine.backend.run_sql(
        "SELECT 100 * countIf(s >= 2) / countIf(s >= 1) FROM (SELECT person_id, windowFunnel(14 * 86400)("
        "toDateTime(timestamp), event = '$pageview' AND JSONExtractString(properties, '$pathname') = '/pricing', "
        "event = 'signed_up') AS s FROM events WHERE timestamp >= '2026-10-27 12:00:00' AND timestamp < "
        "'2026-11-26 12:00:00' GROUP BY person_id)"
    ).rows
    assert funnel.interpret(table).figures[0].value == pytest.approx(truth[0], abs=0.05)


def test_a_later_mention_narrowed_by_a_value_says_which_event_and_zero_events_is_a_negation(
    demo_engine: Engine,
) -> None:
    """ "Their first pageview ever on the blog": the blog mention narrows the pageview counted (it was dropped
    silently: every first pageview was counted); "had zero events last week" reads like "had no events" (it was
    asked about as an event called 'zero')."""
    asked, table = answered(
        demo_engine, "how many people had their first pageview ever on the blog, with that first visit this month?"
    )
    event = asked.slots["event"]
    assert event.name == "$pageview" and [(f.prop.name, f.value) for f in event.filters] == [("$pathname", "/blog")]
    (truth,) = demo_engine.backend.run_sql(
        "SELECT count() FROM (SELECT person_id, min(timestamp) AS first FROM events WHERE event = '$pageview' AND "
        "JSONExtractString(properties, '$pathname') = '/blog' AND timestamp < '2026-11-26 12:00:00' GROUP BY "
        "person_id HAVING first >= '2026-11-01')"
    ).rows
    assert asked.interpret(table).figures[0].value == truth[0]
    zero, none = (
        answered(demo_engine, f"how many users were active in the week of Nov 9 but had {word} events last week?")
        for word in ("zero", "no")
    )
    assert zero[0].hogql == none[0].hogql
    assert zero[0].interpret(zero[1]).figures[0].value == none[0].interpret(none[1]).figures[0].value


def test_a_clause_naming_the_people_asked_about_is_who_not_the_activity(demo_engine: Engine) -> None:
    """ "Of the people who filed a ticket in October, how many have gone completely quiet for the last 14 days (no
    events at all)?": October's ticket filers silent for 14 days (the ticket was read as the activity going quiet,
    silently: 252 instead of the truth); "gone completely quiet" is churn (it asked between churn and a list)."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT count(DISTINCT person_id) FROM events WHERE event = 'support_ticket_created' AND timestamp >= "
        "'2026-10-01' AND timestamp < '2026-11-01' AND person_id NOT IN (SELECT person_id FROM events WHERE "
        "timestamp >= '2026-11-12 12:00:00' AND timestamp < '2026-11-26 12:00:00')"
    ).rows
    asked, table = answered(
        demo_engine,
        "of the people who filed a ticket in October, how many have gone completely quiet for the last 14 days "
        "(no events at all)?",
    )
    assert asked.intent == "churn_risk" and asked.slots.get("event") is None
    (condition,) = asked.slots["conditions"]
    assert condition.event.name == "support_ticket_created" and condition.window.label == "October 2026"
    assert table.records()[0]["total"] == truth[0]
    funnel = demo_engine.ask("of everyone who hit checkout this month, what % actually went on to buy?")
    assert funnel.slots.get("conditions") in (None, ())


def test_the_average_number_of_days_active_is_one_figure(demo_engine: Engine) -> None:
    """ "On how many different days were they active, on average?" states the mean days active per person (the
    distribution was stated and "average" reported unused)."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT avg(days) FROM (SELECT person_id, uniqExact(toDate(timestamp)) AS days FROM events WHERE timestamp "
        ">= '2026-11-16' AND timestamp < '2026-11-23' GROUP BY person_id)"
    ).rows
    asked, table = answered(
        demo_engine,
        "among the people who were active at all last week, on how many different days were they active, on average?",
    )
    assert asked.intent == "stickiness" and not asked.caveats
    head = asked.interpret(table).figures[0]
    assert head.name == "average days active" and head.value == pytest.approx(truth[0])


def test_coming_back_in_a_later_week_or_month_compared_between_who_did_something_early_and_the_rest(
    demo_engine: Engine,
) -> None:
    """ "October signups: week 2 retention for people who finished onboarding within a day of signing up vs
    everyone else" (and "still active in November"): the share coming back in that calendar week (month) after the
    signup's, for each group (it answered a purchase rate, or asked between the families)."""

    def truth(unit: str, offset: int) -> dict[str, float]:
        start = f"toStartOf{unit}(c.s{', 1' if unit == 'Week' else ''}) + toInterval{unit}({offset})"
        rows = demo_engine.backend.run_sql(
            f"SELECT onboarded, 100 * countIf(back) / count() FROM (SELECT e.person_id, countIf("
            f"e.event = 'onboarding_completed' AND e.timestamp >= c.s AND e.timestamp < c.s + INTERVAL 1 DAY) > 0 AS "
            f"onboarded, countIf(e.timestamp >= {start} AND e.timestamp < {start} + toInterval{unit}(1)) > 0 AS back "
            f"FROM events AS e INNER JOIN (SELECT person_id, min(timestamp) AS s FROM events WHERE event = "
            f"'signed_up' AND timestamp >= '2026-10-01' GROUP BY person_id HAVING s < '2026-11-01') AS c ON "
            f"c.person_id = e.person_id WHERE e.timestamp < '2026-11-26 12:00:00' GROUP BY e.person_id) GROUP BY "
            f"onboarded"
        ).rows
        return {("did" if did else "did not") + " onboarding_completed conversion": rate for did, rate in rows}

    for question, unit, offset in (
        (
            "october signups: week 2 retention for people who finished onboarding within a day of signing up vs "
            "everyone else",
            "Week",
            2,
        ),
        (
            "october signups: what % were still active in november, split by whether they finished onboarding "
            "within 24h of signing up or not?",
            "Month",
            1,
        ),
    ):
        asked, table = answered(demo_engine, question)
        assert asked.intent == "cohort_comparison" and asked.slots["offset"] == offset, question
        stated = {f.name: f.value for f in asked.interpret(table).figures if f.name.endswith("conversion")}
        assert stated == {k: pytest.approx(v, abs=0.01) for k, v in truth(unit, offset).items()}, question


def test_an_event_before_a_value_of_the_people_describes_them(demo_engine: Engine) -> None:
    """ "How many paying US customers uploaded a file last week": the US customers who ever purchased and uploaded,
    counted as people (it counted purchases and reported the upload unused; then it counted the uploads)."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT uniqExact(person_id) FROM events WHERE event = 'file_uploaded' AND JSONExtractString(person_properties, "
        "'$geoip_country_code') = 'US' AND timestamp >= '2026-11-16' AND timestamp < '2026-11-23' AND person_id IN "
        "(SELECT person_id FROM events WHERE event = 'purchase' AND timestamp < '2026-11-26 12:00:00')"
    ).rows
    asked, table = answered(demo_engine, "how many paying US customers uploaded a file last week")
    assert asked.slots["event"].name == "file_uploaded" and asked.slots["measure"] == "users" and not asked.caveats
    assert [c.event.name for c in asked.slots["conditions"]] == ["purchase"]
    assert asked.interpret(table).figures[0].value == truth[0]


def test_a_bare_amount_compared_after_an_event_filters_its_only_numeric_property(demo_engine: Engine) -> None:
    """ "How many purchases over 100 last month" filters the purchase amount (the threshold was dropped silently:
    every purchase was counted); "over 3 times" stays a count of times, and "(any country)" is every value."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT count() FROM events WHERE event = 'purchase' AND JSONExtractFloat(properties, 'amount') > 100 AND "
        "timestamp >= '2026-10-01' AND timestamp < '2026-11-01'"
    ).rows
    asked, table = answered(demo_engine, "how many purchases over 100 last month")
    assert [(f.prop.name, f.op, f.value) for f in asked.slots["filters"]] == [("amount", ">", 100)]
    assert asked.interpret(table).figures[0].value == truth[0]
    times = demo_engine.ask("how many users purchased over 3 times last month")
    assert not times.slots.get("filters")
    anywhere = demo_engine.ask("how many purchases last month (any country)?")
    assert not anywhere.slots.get("filters") and not anywhere.caveats


def test_an_untracked_action_with_a_particle_is_asked_about(demo_engine: Engine) -> None:
    """ "How many users turned on two-factor auth this month?": an action the project has no event for is asked
    about, named whole (every active user was counted, silently); "customers based in Germany" is who they are."""
    asked = demo_engine.ask("how many users turned on two-factor auth this month?")
    assert asked.clarification is not None and "'turned on two factor auth'" in asked.clarification.text()
    assert demo_engine.ask("list the pro customers based in Germany").clarification is None


def test_churned_people_ranked_by_their_active_days_and_a_series_a_family_cannot_give_is_reported(
    demo_engine: Engine,
) -> None:
    """ "Which German users were active in October but have gone quiet ... rank them by how many days they were
    active in Oct": ranked by active days (they were ranked by events, silently); "revenue by month" is the revenue
    family's series per month (it gave one figure, and said it did not split by month)."""
    truth = demo_engine.backend.run_sql(
        "SELECT person_id FROM events WHERE JSONExtractString(person_properties, '$geoip_country_code') = 'DE' AND "
        "timestamp >= '2026-10-01' AND timestamp < '2026-11-26 12:00:00' GROUP BY person_id HAVING countIf("
        "timestamp < '2026-11-01') > 0 AND max(timestamp) < '2026-11-12 12:00:00' ORDER BY uniqExactIf("
        "toDate(timestamp), timestamp < '2026-11-01') DESC, countIf(timestamp < '2026-11-01') DESC, person_id LIMIT 3"
    ).rows
    asked, table = answered(
        demo_engine,
        "which german users were active in october but have gone quiet for the last 14 days? rank them by how many "
        "days they were active in oct",
    )
    assert asked.slots["rank"] == "active_days"
    assert [str(r["person_id"]) for r in table.records()[:3]] == [str(r[0]) for r in truth]
    assert "days active" in asked.interpret(table).text()
    revenue = demo_engine.ask("revenue by month, all time")
    assert revenue.intent == "revenue" and revenue.slots["interval"] == "month" and not revenue.caveats


def test_a_value_set_aside_before_what_is_counted_is_left_out(demo_engine: Engine) -> None:
    """ "Revenue over the last 7 days, excluding purchases made on Safari" and "not counting the editor, which
    features do mobile users use most?": the value set aside is left out (the first kept only Safari, the second
    counted only the editor), each with a caveat only for the words it could not use."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT sum(JSONExtractFloat(properties, 'amount')) FROM events WHERE event = 'purchase' AND "
        "JSONExtractString(properties, '$browser') != 'Safari' AND timestamp >= '2026-11-19 12:00:00' AND "
        "timestamp < '2026-11-26 12:00:00'"
    ).rows
    revenue, table = answered(demo_engine, "revenue over the last 7 days, excluding purchases made on safari")
    assert [(f.prop.name, f.op, f.value) for f in revenue.slots["filters"]] == [("$browser", "!=", "Safari")]
    assert revenue.interpret(table).figures[0].value == pytest.approx(truth[0])
    features, table = answered(
        demo_engine, "not counting the editor, which features do mobile users use most? top 3 by number of users"
    )
    assert ("feature_name", "!=", "editor") in [(f.prop.name, f.op, f.value) for f in features.slots["filters"]]
    assert "editor" not in [str(r[0]) for r in table.rows]


def test_a_silence_of_one_event_is_the_activity_churn_follows(demo_engine: Engine) -> None:
    """ "Which paying customers haven't logged in in the last 30 days": people who logged in and then not for 30
    days (the login was a condition over all time, so everyone who ever logged in was left out, silently); the
    answer names the activity."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT count() FROM (SELECT person_id FROM events WHERE event = 'logged_in' AND timestamp < "
        "'2026-11-26 12:00:00' AND person_id IN (SELECT person_id FROM events WHERE event = 'purchase') GROUP BY "
        "person_id HAVING max(timestamp) < '2026-10-27 12:00:00')"
    ).rows
    asked, table = answered(demo_engine, "which paying customers haven't logged in in the last 30 days")
    assert (
        asked.intent == "churn_risk" and asked.slots["event"].name == "logged_in" and asked.slots["silent_days"] == 30
    )
    assert [c.kind for c in asked.slots["conditions"]] == ["did"]
    said = asked.interpret(table)
    assert said.figures[0].value == truth[0] and "active (logged_in)" in said.text()


def test_people_with_no_events_in_the_last_days_where_nothing_measures_a_silence(demo_engine: Engine) -> None:
    """ "Number of paying customers with no events at all in the last 14 days": customers ever, with no
    event in those 14 days (the silence was reported unused and the customers of the default 30 days counted)."""
    (truth,) = demo_engine.backend.run_sql(
        "SELECT uniqExact(person_id) FROM events WHERE event = 'purchase' AND person_id NOT IN (SELECT person_id FROM "
        "events WHERE timestamp >= '2026-11-12 12:00:00' AND timestamp < '2026-11-26 12:00:00')"
    ).rows
    asked, table = answered(demo_engine, "number of paying customers with no events at all in the last 14 days")
    assert asked.intent == "count" and not asked.caveats
    (silent,) = asked.slots["conditions"]
    assert silent.kind == "did_not" and silent.event is None and silent.window is not None
    said = asked.interpret(table)
    assert said.figures[0].value == truth[0] and "did not do anything in the last 14 days" in said.text()


def test_a_feature_the_project_does_not_track_after_a_verb_of_using_is_asked_about(demo_engine: Engine) -> None:
    """ "How many people used offline mode last week?": no event is offline mode (every active person was counted,
    silently); "used the app" is any event, and "dark mode" a feature the project tracks."""
    asked = demo_engine.ask("How many people used offline mode last week?")
    assert asked.clarification is not None and "'offline'" in asked.clarification.text()
    assert demo_engine.ask("how many people used the app last week").clarification is None
    assert demo_engine.ask("how many users used dark mode").clarification is None


def test_a_bound_on_each_persons_total_is_a_bound_on_their_sum(demo_engine: Engine) -> None:
    """ "Which users uploaded more than 100 MB of files in total in October": each person's summed size, not each
    upload's (no single upload was that big: an empty list, silently); ranked by the sum. Without "in total" the
    bound stays on each upload."""
    truth = demo_engine.backend.run_sql(
        "SELECT person_id, sum(JSONExtractFloat(properties, 'size_mb')) AS mb FROM events WHERE event = "
        "'file_uploaded' AND timestamp >= '2026-10-01' AND timestamp < '2026-11-01' GROUP BY person_id HAVING mb > 100 "
        "ORDER BY mb DESC"
    ).rows
    asked, table = answered(demo_engine, "which users uploaded more than 100 MB of files in total in october")
    assert [(f.prop.name, f.op, f.value) for f in asked.slots["min_total"]] == [("size_mb", ">", 100)]
    assert not asked.slots.get("filters") and asked.slots["rank"] == "amount" and not asked.caveats
    assert [str(r["person_id"]) for r in table.records()] == [str(r[0]) for r in truth]
    each = demo_engine.ask("which users uploaded files over 100 MB in october")
    assert not each.slots.get("min_total") and each.slots["filters"]


def test_people_named_by_one_action_are_measured_on_another_over_all_time(demo_engine: Engine) -> None:
    """ "Who cancelled in October, and how much had each of them spent in total": the cancellation (in October) says
    who is listed, their purchases (at any time) what each row measures. It ranked the cancellations by an amount
    they do not carry and found no one."""
    truth = demo_engine.backend.run_sql(
        "SELECT person_id, sum(JSONExtractFloat(properties, 'amount')) AS paid FROM events WHERE event = 'purchase' "
        "AND person_id IN (SELECT person_id FROM events WHERE event = 'subscription_cancelled' "
        "AND timestamp >= '2026-10-01' AND timestamp < '2026-11-01') GROUP BY person_id ORDER BY paid DESC, person_id"
    ).rows
    assert truth
    for question in (
        "who cancelled in october? and how much had each of them paid us in total",
        "list the people who cancelled in october with how much they had spent in total",
    ):
        asked, table = answered(demo_engine, question)
        assert asked.slots["event"].name == "purchase" and asked.slots["rank"] == "amount"
        (named,) = asked.slots["conditions"]
        assert named.event.name == "subscription_cancelled" and named.window.label.startswith("October")
        assert asked.slots["time_range"].spec == {"all": True} and not asked.caveats
        assert sorted(r["times"] for r in table.records()) == sorted(r[1] for r in truth)


def test_a_measure_of_people_named_by_a_dated_action_counts_what_they_did_since(demo_engine: Engine) -> None:
    """ "How many purchases did users who signed up in October make": the October signups' purchases at any time
    (it counted October's purchases by anyone and said it had not used the signup); the same event on both sides
    keeps the period for both."""
    truth = demo_engine.backend.run_sql(
        "SELECT count() FROM events WHERE event = 'purchase' AND person_id IN (SELECT person_id FROM events "
        "WHERE event = 'signed_up' AND timestamp >= '2026-10-01' AND timestamp < '2026-11-01')"
    ).rows[0][0]
    asked, table = answered(demo_engine, "how many purchases did users who signed up in october make")
    assert not asked.caveats and asked.slots["time_range"].spec == {"all": True}
    assert asked.interpret(table).figures[0].value == truth
    same = demo_engine.ask("among people who used any feature in the last 7 days, avg feature_used events per person?")
    (condition,) = same.slots["conditions"]
    assert condition.in_range and condition.window is None and same.slots["time_range"].days == pytest.approx(7)


def test_the_worst_day_for_an_unwanted_event_is_its_busiest(demo_engine: Engine) -> None:
    """ "Which day was the worst for support tickets": the day with the most tickets (it listed the quietest as the
    worst); the best day for signups is still the one with the most."""
    truth = demo_engine.backend.run_sql(
        "SELECT toString(toDate(timestamp)) AS d, count() AS n FROM events WHERE event = 'support_ticket_created' "
        "AND timestamp >= '2026-11-01' GROUP BY d ORDER BY n DESC, d LIMIT 1"
    ).rows
    asked, table = answered(demo_engine, "any spike in support tickets this month? which day was the worst")
    assert asked.slots["order"] == "desc"
    assert str(table.records()[0]["breakdown"])[:10] == truth[0][0]
    assert demo_engine.ask("what was the best day for signups last month").slots["order"] == "desc"
    assert demo_engine.ask("what was the worst day for signups last month").slots["order"] == "asc"


def test_the_time_between_two_actions_of_a_person_is_reported_where_no_family_measures_it(demo_engine: Engine) -> None:
    """ "How many days they'd been paying before they cancelled" is a time between two actions: a list ranked by
    the days they were active said nothing about it."""
    asked = demo_engine.ask(
        "who cancelled this week? give me their emails and how many days they'd been paying before they cancelled"
    )
    assert asked.slots["rank"] != "active_days"
    assert any("between" in w.message for w in asked.caveats)


def test_people_ranked_by_their_longest_single_session(demo_engine: Engine) -> None:
    """ "Who had the longest single sessions yesterday": each person's longest session, not their time in all of
    them (it asked which event "longest lasted" was); "which 3 users ..." asks for people, so a session metric
    widens to the list (it asked between the two)."""
    truth = demo_engine.backend.run(
        "SELECT owners.person_id, max($session_duration) AS longest FROM sessions INNER JOIN (SELECT DISTINCT "
        "$session_id AS sid, person_id FROM events WHERE timestamp >= toDateTime('2026-11-25') AND timestamp < "
        "toDateTime('2026-11-27') AND $session_id != '') AS owners ON sessions.session_id = owners.sid WHERE "
        "$start_timestamp >= toDateTime('2026-11-25') AND $start_timestamp < toDateTime('2026-11-26') "
        "GROUP BY owners.person_id ORDER BY longest DESC, owners.person_id LIMIT 3"
    )
    asked, table = answered(
        demo_engine, "who had the longest single sessions yesterday? top 3 with how long they lasted"
    )
    assert asked.slots["rank"] == "longest_session" and asked.slots["limit"] == 3 and not asked.caveats
    assert [r["times"] for r in table.records()] == [row[1] for row in truth.rows]
    total = demo_engine.ask("Which 3 users have spent the most total time in sessions this month?")
    assert total.clarification is None and total.intent == "user_list" and total.slots["rank"] == "session_time"


def test_people_named_by_when_they_signed_up_coming_back_is_retention(demo_engine: Engine) -> None:
    """ "Of the people who signed up the week of Nov 2, what share came back the following week?": a cohort's
    return, not everyone's lifecycle status (it asked between the two)."""
    (truth,) = demo_engine.backend.run_sql(
        "WITH c AS (SELECT DISTINCT person_id FROM events WHERE event = 'signed_up' AND timestamp >= '2026-11-02' "
        "AND timestamp < '2026-11-09') SELECT round(100 * countIf(person_id IN (SELECT person_id FROM events WHERE "
        "timestamp >= '2026-11-09' AND timestamp < '2026-11-16')) / count(), 1) FROM c"
    ).rows
    asked, table = answered(
        demo_engine, "Of the people who signed up the week of Nov 2, what share came back the following week?"
    )
    assert asked.intent == "retention"
    assert round(asked.interpret(table).figures[0].value, 1) == truth[0]


def test_revenue_of_people_named_by_an_event_without_an_amount(demo_engine: Engine) -> None:
    """ "Do newsletter signups spend more than google ones?": the signups' purchases, per source (it asked which
    event carries revenue, the signup having no amount); churned people "seen most recently" come first when
    asked for."""
    asked, table = answered(
        demo_engine, "do newsletter signups actually spend more than google ones? revenue per paying user, all time"
    )
    assert asked.intent == "revenue" and asked.slots["revenue_event"].name == "purchase"
    assert "signed_up" in [c.event.name for c in asked.slots["conditions"] if c.kind == "did"]
    assert {r["breakdown"] for r in table.records()} == {"newsletter", "google"}
    recent = demo_engine.ask("list team-plan customers who've gone silent for 2+ weeks, the 5 seen most recently")
    assert recent.slots["rank"] == "recent" and "last_seen DESC" in recent.hogql


def test_a_second_period_after_a_negation_is_when_people_did_not_act(demo_engine: Engine) -> None:
    """ "Active the week of Nov 9 but had no events last week", "uploaded in October but not in November": the
    second period is when the people did nothing (it was reported unused, and everyone active counted); two
    whole months set side by side are compared month by month."""
    ((idle, not_again, dormant),) = demo_engine.backend.run_sql(
        "SELECT countIf(w AND NOT l), countIf(o AND NOT n), countIf(a AND NOT n2) FROM (SELECT person_id, "
        "max(timestamp >= '2026-11-09' AND timestamp < '2026-11-16') AS w, "
        "max(timestamp >= '2026-11-16' AND timestamp < '2026-11-23') AS l, "
        "max(event = 'file_uploaded' AND timestamp >= '2026-10-01' AND timestamp < '2026-11-01') AS o, "
        "max(event = 'file_uploaded' AND timestamp >= '2026-11-01') AS n, "
        "max(timestamp >= '2026-10-01' AND timestamp < '2026-11-01') AS a, "
        "max(timestamp >= '2026-11-01') AS n2 FROM events GROUP BY person_id)"
    ).rows
    for question, truth in (
        ("how many users were active in the week of Nov 9 but had no events last week?", idle),
        ("how many users who uploaded a file in October did not upload anything in November?", not_again),
        ("how many users were active in October but not in November?", dormant),
    ):
        asked, table = answered(demo_engine, question)
        assert not asked.caveats, (question, [c.message for c in asked.caveats])
        assert asked.interpret(table).figures[0].value == truth, question
    for question, family in (
        ("which users were active in the week of Nov 9 but didn't show up last week?", "user_list"),
        ("which users were active the week of Nov 9 but weren't seen at all last week", "churn_risk"),
    ):
        listed, table = answered(demo_engine, question)
        assert listed.intent == family and not listed.caveats, question
        assert table.records()[0]["total"] == idle, question
    # the question's own period between the negation and the other one: not a silence of the other (reported)
    swapped = demo_engine.ask("who went silent last week after being active the week of Nov 9?")
    assert any("the week of nov 9" in c.message for c in swapped.caveats)
    ranked = demo_engine.ask(
        "list customers who've gone quiet (no events in the past 14 days), with days since they were last seen"
    )
    assert ranked.slots["rank"] == "silence"  # the figure asked for is the one they are ranked by


def test_named_groups_compared_on_each_persons_average(demo_engine: Engine) -> None:
    """ "Do pro users search more than free users? avg searches per person (only counting people who searched)":
    the one event named is measured (it was taken for who is compared, and purchases measured), each group's people
    by their plan on each event, and the average stated over everyone and over those who did it; "both groups" after
    "in Sept or Oct" is about the groups, so both months are read (September was dropped, reported)."""
    truth = dict(
        demo_engine.backend.run_sql(
            "SELECT JSONExtractString(person_properties, 'plan') AS plan, round(count() / uniqExact(person_id), 2) "
            "FROM events WHERE event = 'search_performed' AND timestamp >= '2026-10-01' AND timestamp < '2026-11-01' "
            "AND plan IN ('pro', 'free') GROUP BY plan"
        ).rows
    )
    asked, table = answered(
        demo_engine,
        "do pro users search more than free users? avg searches per person in October, pro vs free (only counting "
        "people who searched)",
    )
    assert asked.slots["metric_event"].name == "search_performed" and not asked.caveats
    assert {r["cohort"]: r["avg_among_converted"] for r in table.records()} == truth
    assert "per person who did it" in asked.interpret(table).text()
    union = demo_engine.ask(
        "people who signed up in Sept or Oct: did the ones who shared a file in their first 7 days buy more often "
        "than the ones who didn't? purchase rate for both groups"
    )
    assert union.slots["time_range"].start == datetime(2026, 9, 1, tzinfo=UTC) and not union.caveats


def test_a_value_only_one_event_has_names_the_group_compared(demo_engine: Engine) -> None:
    """ "Do ai_assist users upload more files than everyone else?": people who used the ai_assist feature against
    the rest, on uploads (ai_assist was a filter on every event, and nobody was left to compare)."""
    asked = demo_engine.ask("do ai_assist users upload more files than everyone else? avg uploads per person")
    assert asked.clarification is None and asked.intent == "cohort_comparison"
    cohort = asked.slots["cohort_event"]
    assert cohort.name == "feature_used" and [f.value for f in cohort.filters] == ["ai_assist"]
    assert asked.slots["metric_event"].name == "file_uploaded" and not asked.slots.get("filters")


def test_people_active_on_exactly_one_day_and_on_every_day_are_a_stickiness(demo_engine: Engine) -> None:
    """ "How many users were active on just one day, and how many on all 7 days": people by their number of active
    days (it was counted as everyone active that week, with the days unread)."""
    truth = demo_engine.backend.run_sql(
        "SELECT countIf(d = 1), countIf(d = 7) FROM (SELECT person_id, count(DISTINCT toDate(timestamp)) AS d "
        "FROM events WHERE timestamp >= '2026-11-16' AND timestamp < '2026-11-23' GROUP BY person_id)"
    ).rows[0]
    answer, table = answered(
        demo_engine, "Last week, how many users were active on just one day, and how many on all 7 days?"
    )
    assert answer.intent == "stickiness"
    by_days = {int(r["active_days"]): r["users"] for r in table.records()}
    assert (by_days[1], by_days.get(7, 0)) == tuple(truth)


@pytest.mark.parametrize(
    "question",
    [
        "On average how many events did each active user fire last week?",
        "last week, how many events did the average active user fire?",
        "average number of events per user last week",
    ],
)
def test_how_many_events_each_user_fired_is_events_per_user(demo_engine: Engine, question: str) -> None:
    truth = demo_engine.backend.run_sql(
        "SELECT count() / uniqExact(person_id) FROM events WHERE timestamp >= '2026-11-16' AND timestamp < '2026-11-23'"
    ).rows[0][0]
    answer, table = answered(demo_engine, question)
    assert answer.slots["metric"] == "events_per_user" and not answer.caveats
    assert answer.interpret(table).figures[0].value == pytest.approx(truth, abs=0.005)


def test_a_weekly_events_per_user_series_shows_events_per_user(demo_engine: Engine) -> None:
    """Its table carries the week's active users beside it: the series was drawn from those instead."""
    truth = dict(
        demo_engine.backend.run_sql(
            "SELECT toStartOfWeek(timestamp, 1) AS w, round(count() / uniqExact(person_id), 2) FROM events "
            "WHERE timestamp >= '2026-11-02' AND timestamp < '2026-11-23' GROUP BY w"
        ).rows
    )
    answer, table = answered(demo_engine, "events per user per week from Nov 2 to Nov 22")
    series = dict(answer.interpret(table).series)
    assert series and {str(k)[:10]: v for k, v in series.items()} == {str(k)[:10]: v for k, v in truth.items()}


@pytest.mark.parametrize(
    "question",
    [
        "what % of people who signed up last month completed onboarding on the same day they signed up?",
        "what % of people who signed up in october finished onboarding within 24h of signing up?",
    ],
)
def test_what_percent_of_people_who_signed_up_did_something_is_a_share(demo_engine: Engine, question: str) -> None:
    """A share of October's signups, not a list of them (a percentage asked weighs against a list of people;
    the first was listed, with "% of" reported unused), nor a choice between families."""
    truth = demo_engine.backend.run_sql(
        "WITH s AS (SELECT person_id, min(timestamp) AS t FROM events WHERE event = 'signed_up' AND timestamp >= "
        "'2026-10-01' AND timestamp < '2026-11-01' GROUP BY person_id) SELECT round(100 * countIf(person_id IN "
        "(SELECT s.person_id FROM s JOIN events AS e ON e.person_id = s.person_id WHERE e.event = "
        "'onboarding_completed' AND e.timestamp >= s.t AND e.timestamp < s.t + INTERVAL 1 DAY)) / count(), 1) FROM s"
    ).rows[0][0]
    answer, table = answered(demo_engine, question)
    assert answer.intent == "activation" and not answer.caveats
    assert round(answer.interpret(table).figures[0].value, 1) == truth


def test_revenue_by_month_is_a_series_of_the_revenue(demo_engine: Engine) -> None:
    truth = {
        str(month)[:10]: value
        for month, value in demo_engine.backend.run_sql(
            "SELECT toStartOfMonth(timestamp) AS m, round(sum(JSONExtractFloat(properties, 'amount')), 2) FROM events "
            "WHERE event = 'purchase' AND timestamp >= '2026-09-01' AND timestamp < '2026-11-01' GROUP BY m"
        ).rows
    }
    answer, table = answered(demo_engine, "revenue by month, from September to October")
    assert answer.intent == "revenue" and not answer.caveats
    series = {str(period)[:10]: value for period, value in answer.interpret(table).series}
    assert series == pytest.approx(truth)
