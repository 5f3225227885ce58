"""Every stem, for each of its five slot combinations, runs on the embedded chDB store after lowering and
returns the documented columns; the planted truths of the demo show through the templates' answers."""

from __future__ import annotations

import dataclasses
import functools
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import pytest
from askhog.backends.base import Table
from askhog.backends.embedded import EmbeddedBackend
from askhog.clock import aware_utc
from askhog.demo.generate import generate_demo
from askhog.demo.store import Store
from askhog.meaning import Breakdown, Comparison, Condition
from askhog.render import Renderer
from askhog.types import TimeRange
from render_cases import cases, ev, expected_columns, family_slots, prop, stem_families

STEMS = stem_families()
END = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # the data's last moment: pinned, never the wall clock


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBackend]:
    home = tmp_path_factory.mktemp("render-demo")
    generate_demo(200_000, seed=7, home=home, end=END.replace(tzinfo=UTC), progress=None)
    yield EmbeddedBackend(home, generate=False)
    Store.release()  # chDB opens one data path per process


@pytest.fixture(scope="module")
def small_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBackend]:
    """A tenth of the demo for the every-case run: the columns a query returns do not depend on the data's size,
    and ClickHouse reads it in half the time (121 of the 130 cases return rows here, 122 on the default size);
    the planted truths below read the default-size demo (``backend``)."""
    home = tmp_path_factory.mktemp("render-demo-small")
    generate_demo(20_000, seed=7, home=home, end=END.replace(tzinfo=UTC), progress=None)
    yield EmbeddedBackend(home, generate=False)
    Store.release()


def last(days: int) -> TimeRange:
    return TimeRange(END - timedelta(days=days), END, f"last {days} days")


@functools.cache
def renderer_of(backend: EmbeddedBackend) -> Renderer:
    """One renderer for the demo (the engine shares one too): a new one compiles every template again."""
    return Renderer(backend.taxonomy())


def run(backend: EmbeddedBackend, stem: str, slots: dict[str, Any]) -> list[dict[str, Any]]:
    query = renderer_of(backend).render(stem, slots)
    table: Table = backend.run(query.hogql, query.values)
    assert list(table.columns) == expected_columns(stem, slots)
    return [dict(zip(table.columns, row)) for row in table.rows]


@pytest.mark.parametrize("stem", sorted(STEMS))
def test_every_case_runs_on_chdb_with_the_documented_columns(small_backend, stem):
    for slots in cases(stem, STEMS[stem]):
        span = slots["time_range"].end - slots["time_range"].start
        run(
            small_backend,
            stem,
            dict(slots, time_range=dataclasses.replace(slots["time_range"], start=END - span, end=END)),
        )


def test_safari_checkout_conversion_is_broken(backend):
    slots = family_slots(
        "funnel",
        steps=(ev("checkout_started"), ev("purchase")),
        window_days=14,
        breakdown=prop("$browser"),
        time_range=last(9),
    )
    final = {r["breakdown"]: r["conversion_pct"] for r in run(backend, "funnel_breakdown", slots) if r["step"] == 2}
    others = [v for k, v in final.items() if k != "Safari"]
    assert final["Safari"] * 2 < min(others)


def test_newsletter_users_pay_the_most_per_paying_user(backend):
    slots = family_slots(
        "revenue",
        revenue_event=ev("purchase"),
        amount_property=prop("amount"),
        rank="arpu",
        breakdown=prop("$initial_utm_source", "person"),
        time_range=last(60),
    )
    rows = run(backend, "revenue", slots)
    assert rows and all(r["breakdown"] for r in rows)  # no empty channel group
    assert max(rows, key=lambda r: r["arpu"])["breakdown"] == "newsletter"
    assert [r["revenue"] for r in rows] == sorted((r["revenue"] for r in rows), reverse=True)
    for r in rows:
        assert r["arpu"] == pytest.approx(r["revenue"] / r["paying_users"], abs=0.01)
        assert r["purchases"] >= r["paying_users"] > 0


@pytest.mark.parametrize("breakdown", [None, prop("$browser")])
def test_revenue_per_month_is_each_months_amount(backend, breakdown):
    """ "Revenue by month": the revenue family's own figures per period (it was one figure for the whole range,
    with "by month" reported unused), and per segment within each month."""
    tr = TimeRange(datetime(2026, 9, 1, tzinfo=UTC), END, "since September")
    slots = family_slots(
        "revenue",
        revenue_event=ev("purchase"),
        amount_property=prop("amount"),
        interval="month",
        time_range=tr,
        **({"breakdown": breakdown} if breakdown else {}),
    )
    rows = run(backend, "revenue", slots)
    expected: dict[tuple[str, Any], float] = defaultdict(float)
    for h in hits(backend, "purchase"):
        if within(h, tr):
            expected[(h.at.strftime("%Y-%m-01"), h.browser if breakdown else None)] += h.amount or 0.0
    got = {(str(r["period"])[:10], r.get("breakdown")): r["revenue"] for r in rows}
    assert got.keys() == expected.keys()
    assert all(got[k] == pytest.approx(v, abs=0.01) for k, v in expected.items())
    assert [str(r["period"]) for r in rows] == sorted(str(r["period"]) for r in rows)


def test_the_test_variant_converts_better(backend):
    slots = family_slots("experiment", flag="new-checkout", goal_event=ev("purchase"), time_range=last(60))
    rates = {r["variant"]: r for r in run(backend, "experiment", slots)}
    assert rates["test"]["conversion_pct"] > rates["control"]["conversion_pct"]
    assert all(r["exposures"] >= r["conversions"] > 0 for r in rates.values())


def test_file_sharers_purchase_more_often(backend):
    slots = family_slots(
        "cohort_comparison", cohort_event=ev("file_shared"), metric_event=ev("purchase"), time_range=last(60)
    )
    rows = {r["cohort"]: r for r in run(backend, "cohort_comparison", slots)}
    assert rows["did file_shared"]["conversion_pct"] > 2 * rows["did not file_shared"]["conversion_pct"]


def test_silent_users_are_listed_with_their_silence(backend):
    slots = family_slots("churn_risk", silent_days=14, limit=50, time_range=last(60))
    rows = run(backend, "churn_risk", slots)
    assert rows and all(r["days_silent"] >= 14 for r in rows)
    # the churn rate's base: everyone active in the range, of whom the silent are a part
    assert rows[0]["active_in_range"] >= rows[0]["total"] >= len(rows)


# --- the meaning's branches against the raw events (computed here, in Python) ------------------------------------


class Hit(NamedTuple):
    person: str
    event: str
    at: datetime
    amount: float | None
    browser: str | None


def hits(backend: EmbeddedBackend, *events: str, until: datetime = END) -> list[Hit]:
    """Every row of ``events`` before ``until``: the oracle the templates' answers are checked against."""
    names = {f"event_{i}": e for i, e in enumerate(events)}
    hogql = (
        "SELECT person_id, event, timestamp, toFloat(properties.amount), properties.$browser FROM events "
        f"WHERE event IN ({', '.join('{' + n + '}' for n in names)}) AND timestamp < toDateTime({{until}}, 'UTC') "
        "LIMIT 10000000"
    )
    table = backend.run(hogql, {**names, "until": until.strftime("%Y-%m-%d %H:%M:%S")})
    return [Hit(str(p), e, aware_utc(datetime.fromisoformat(str(t))), a, b) for p, e, t, a, b in table.rows]


def within(hit: Hit, tr: TimeRange) -> bool:
    return tr.start <= hit.at < tr.end


def people(rows: list[Hit], event: str, tr: TimeRange | None = None) -> set[str]:
    return {h.person for h in rows if h.event == event and (tr is None or within(h, tr))}


def value(rows: list[dict[str, Any]]) -> Any:
    (row,) = rows
    return row["value"]


@pytest.mark.parametrize("in_range", [False, True])
def test_never_did_keeps_only_people_without_the_event_ever_or_from_the_ranges_start(backend, in_range):
    tr = last(30)
    rows = hits(backend, "file_uploaded", "invite_sent")
    slots = family_slots(
        "count",
        event=ev("file_uploaded"),
        measure="users",
        time_range=tr,
        conditions=(Condition("did_not", ev("invite_sent"), in_range=in_range),),
    )
    inviters = {h.person for h in rows if h.event == "invite_sent" and (h.at >= tr.start or not in_range)}
    expected = people(rows, "file_uploaded", tr) - inviters
    assert 0 < len(expected) < len(people(rows, "file_uploaded", tr))  # the condition removes someone, not everyone
    assert value(run(backend, "count", slots)) == len(expected)


def test_did_at_least_n_times_keeps_people_with_that_many_before_now(backend):
    tr = last(30)
    rows = hits(backend, "$pageview", "file_uploaded")
    slots = family_slots(
        "count",
        event=ev("$pageview"),
        measure="users",
        time_range=tr,
        conditions=(Condition("did", ev("file_uploaded"), min_count=3),),
    )
    uploads = Counter(h.person for h in rows if h.event == "file_uploaded")
    expected = {p for p in people(rows, "$pageview", tr) if uploads[p] >= 3}
    assert 0 < len(expected) < len(people(rows, "$pageview", tr))
    assert value(run(backend, "count", slots)) == len(expected)


def test_did_at_least_n_times_in_the_range_counts_only_the_ranges_events(backend):
    tr = last(14)
    rows = hits(backend, "file_uploaded")
    slots = family_slots(
        "count",
        event=ev("file_uploaded"),
        measure="users",
        time_range=tr,
        conditions=(Condition("did", ev("file_uploaded"), min_count=3, in_range=True),),
    )
    in_range = Counter(h.person for h in rows if h.event == "file_uploaded" and within(h, tr))
    ever = Counter(h.person for h in rows if h.event == "file_uploaded")
    expected = {p for p, n in in_range.items() if n >= 3}
    assert 0 < len(expected) < len({p for p in in_range if ever[p] >= 3})  # the range's own events decide
    assert value(run(backend, "count", slots)) == len(expected)


def test_within_days_counts_only_events_in_each_persons_first_days_after_the_anchor(backend):
    tr = last(30)
    rows = hits(backend, "signed_up", "file_uploaded")
    slots = family_slots(
        "count",
        event=ev("file_uploaded"),
        measure="events",
        time_range=tr,
        conditions=(Condition("within", anchor=ev("signed_up"), days=7),),
    )
    anchors: dict[str, datetime] = {}
    for h in rows:
        if h.event == "signed_up":
            anchors[h.person] = min(h.at, anchors.get(h.person, h.at))
    expected = sum(
        1
        for h in rows
        if h.event == "file_uploaded"
        and within(h, tr)
        and h.person in anchors
        and anchors[h.person] <= h.at < anchors[h.person] + timedelta(days=7)
    )
    assert 0 < expected < sum(1 for h in rows if h.event == "file_uploaded" and within(h, tr))
    assert value(run(backend, "count", slots)) == expected


def test_first_time_counts_people_whose_first_event_ever_is_in_the_range_and_averages_per_day(backend):
    tr = last(30)
    rows = hits(backend, "file_shared")
    first: dict[str, datetime] = {}
    for h in rows:
        first[h.person] = min(h.at, first.get(h.person, h.at))
    expected = sum(1 for at in first.values() if tr.start <= at < tr.end)
    assert 0 < expected < len(people(rows, "file_shared", tr))  # some sharers in the range had shared before it
    slots = family_slots("count", event=ev("file_shared"), measure="first_time", time_range=tr)
    assert value(run(backend, "count", slots)) == expected
    per_day = value(run(backend, "count", dict(slots, per_period="day")))
    assert per_day == pytest.approx(round(expected / 30, 2))


def test_a_per_person_average_is_each_persons_count_averaged_over_people(backend):
    tr = last(30)
    rows = hits(backend, "file_uploaded")
    counts = Counter(h.person for h in rows if within(h, tr))
    slots = family_slots("count", event=ev("file_uploaded"), measure="avg", per="total", time_range=tr)
    (row,) = run(backend, "count", slots)
    assert row["people"] == len(counts)
    assert row["value"] == pytest.approx(round(sum(counts.values()) / len(counts), 2))
    maximum = value(run(backend, "count", dict(slots, measure="max")))
    assert maximum == max(counts.values())


@pytest.mark.parametrize(("grain", "of"), [("day_of_week", datetime.isoweekday), ("hour_of_day", lambda t: t.hour)])
def test_a_breakdown_by_a_time_grain_ranks_the_grains_values(backend, grain, of):
    tr = last(28)
    rows = hits(backend, "$pageview")
    expected = Counter(of(h.at) for h in rows if within(h, tr))
    slots = family_slots(
        "breakdown",
        event=ev("$pageview"),
        measure="events",
        breakdown=Breakdown(grain=grain),
        limit=3,
        order="desc",
        time_range=tr,
    )
    got = run(backend, "breakdown", slots)
    assert [(r["breakdown"], r["value"]) for r in got] == sorted(expected.items(), key=lambda kv: (-kv[1], kv[0]))[:3]


def test_a_segment_comparison_gives_each_named_value_and_nothing_else(backend):
    tr = last(30)
    rows = [h for h in hits(backend, "$pageview") if within(h, tr)]
    slots = family_slots(
        "count",
        event=ev("$pageview"),
        measure="users",
        compare=Comparison("segments"),
        time_range=tr,
        segments=Breakdown(prop("$browser"), values=("Chrome", "Firefox")),
    )
    got = {r["breakdown"]: r["value"] for r in run(backend, "count", slots)}
    assert got == {b: len({h.person for h in rows if h.browser == b}) for b in ("Chrome", "Firefox")}


@pytest.mark.parametrize(
    "previous",
    [
        TimeRange(END - timedelta(days=14), END - timedelta(days=7), "the 7 days before"),
        # "this week vs the same week last month": the days between the two ranges belong to neither side.
        TimeRange(END - timedelta(days=35), END - timedelta(days=28), "the same week a month ago"),
    ],
    ids=["the previous period", "an earlier range, leaving out the days between"],
)
def test_a_period_comparison_gives_the_current_and_the_previous_figure(backend, previous):
    current = last(7)
    rows = hits(backend, "purchase")
    slots = family_slots(
        "count",
        event=ev("purchase"),
        measure="events",
        time_range=current,
        compare=Comparison("previous_period", previous),
    )
    got = {r["side"]: r["value"] for r in run(backend, "count", slots)}
    assert got == {"current": sum(within(h, current) for h in rows), "previous": sum(within(h, previous) for h in rows)}


def test_a_compared_breakdown_ranks_the_top_n_on_each_side(backend):
    current, previous = last(14), TimeRange(END - timedelta(days=28), END - timedelta(days=14), "the 14 days before")
    rows = hits(backend, "$pageview")
    slots = family_slots(
        "breakdown",
        event=ev("$pageview"),
        measure="events",
        breakdown=prop("$browser"),
        limit=3,
        order="desc",
        time_range=current,
        compare=Comparison("previous_period", previous),
    )
    got = run(backend, "breakdown", slots)
    for side, tr in (("current", current), ("previous", previous)):
        counts = Counter(h.browser for h in rows if within(h, tr) and h.browser)
        top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:3]  # the template's order: value, then name
        assert [(r["breakdown"], r["value"]) for r in got if r["side"] == side] == top, side


def test_a_user_list_lists_people_who_did_the_event_at_least_min_count_times_most_first(backend):
    tr = last(60)
    times = Counter(h.person for h in hits(backend, "file_shared") if within(h, tr))
    eligible = {p: n for p, n in times.items() if n >= 3}
    assert 0 < len(eligible) < len(times)
    slots = family_slots(
        "user_list", event=ev("file_shared"), rank="events", min_count=3, limit=20, order="desc", time_range=tr
    )
    got = run(backend, "user_list", slots)
    assert len(got) == 20 and all(eligible[r["person_id"]] == r["times"] for r in got)
    assert [r["times"] for r in got] == sorted(eligible.values(), reverse=True)[:20]
    assert all(r["total"] == len(eligible) for r in got)


def test_a_user_list_ranked_by_amount_lists_people_by_what_they_paid(backend):
    tr = last(60)
    rows = [h for h in hits(backend, "purchase") if within(h, tr)]
    paid: dict[str, float] = defaultdict(float)
    for h in rows:
        paid[h.person] += h.amount or 0.0
    slots = family_slots(
        "user_list",
        event=ev("purchase"),
        rank="amount",
        amount_property=prop("amount"),
        min_count=1,
        limit=10,
        order="desc",
        time_range=tr,
    )
    got = run(backend, "user_list", slots)
    assert len(got) == 10 and all(r["times"] == pytest.approx(paid[r["person_id"]]) for r in got)
    assert [r["times"] for r in got] == pytest.approx(sorted(paid.values(), reverse=True)[:10])
    assert all(r["total"] == len(paid) for r in got)


def test_a_user_list_ranked_by_session_time_lists_only_people_who_did_the_event_min_count_times(backend):
    # A rare event, so that people ranked by session time alone (anyone with sessions) could not pass for them.
    tr = last(60)
    times = Counter(h.person for h in hits(backend, "support_ticket_created") if within(h, tr))
    eligible = {p for p, n in times.items() if n >= 2}
    assert 0 < len(eligible) < 150
    slots = family_slots(
        "user_list",
        event=ev("support_ticket_created"),
        rank="session_time",
        min_count=2,
        limit=150,
        order="desc",
        time_range=tr,
    )
    got = run(backend, "user_list", slots)
    assert got and [r["times"] for r in got] == sorted((r["times"] for r in got), reverse=True)
    assert {r["person_id"] for r in got} <= eligible
