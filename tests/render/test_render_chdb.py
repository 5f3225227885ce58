"""Every stem, for each of its five slot combinations, runs on the embedded chDB store after lowering and
returns the documented columns; the planted truths of the demo show through the templates' answers."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from typing import Any, Iterator

import pytest
from render_cases import cases, ev, expected_columns, prop, stem_families

from askhog.backends.base import Table
from askhog.backends.embedded import EmbeddedBackend
from askhog.demo.generate import generate_demo
from askhog.demo.store import Store
from askhog.demo.timeline import end_of_data
from askhog.render import Renderer
from askhog.types import TimeRange

STEMS = stem_families()
END = end_of_data().replace(tzinfo=None)


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBackend]:
    home = tmp_path_factory.mktemp("render-demo")
    generate_demo(200_000, seed=7, home=home, end=end_of_data(), progress=None)
    yield EmbeddedBackend(home, generate=False)
    Store.release()  # chDB opens one data path per process


def last(days: int) -> TimeRange:
    return TimeRange(END - timedelta(days=days), END, f"last {days} days")


def run(backend: EmbeddedBackend, stem: str, slots: dict[str, Any]) -> list[dict[str, Any]]:
    query = Renderer(backend.taxonomy()).render(stem, slots)
    table: Table = backend.run(query.hogql, query.values)
    assert list(table.columns) == expected_columns(stem, slots)
    return [dict(zip(table.columns, row)) for row in table.rows]


@pytest.mark.parametrize("stem", sorted(STEMS))
def test_every_case_runs_on_chdb_with_the_documented_columns(backend, stem):
    for slots in cases(stem, STEMS[stem]):
        span = slots["time_range"].end - slots["time_range"].start
        run(backend, stem, dict(slots, time_range=dataclasses.replace(slots["time_range"], start=END - span, end=END)))


def test_safari_checkout_conversion_is_broken(backend):
    slots = {"steps": (ev("checkout_started"), ev("purchase")), "window_days": 14, "breakdown": prop("$browser"),
             "filters": None, "time_range": last(9)}  # fmt: skip
    final = {r["breakdown"]: r["conversion_pct"] for r in run(backend, "funnel_breakdown", slots) if r["step"] == 2}
    others = [v for k, v in final.items() if k != "Safari"]
    assert final["Safari"] * 2 < min(others)


def test_newsletter_users_pay_the_most_per_paying_user(backend):
    slots = {"revenue_event": ev("purchase"), "amount_property": prop("amount"),
             "breakdown": prop("$initial_utm_source", "person"), "filters": None, "time_range": last(60)}  # fmt: skip
    rows = [r for r in run(backend, "revenue_breakdown", slots) if r["breakdown"]]
    assert max(rows, key=lambda r: r["arpu"])["breakdown"] == "newsletter"


def test_the_test_variant_converts_better(backend):
    slots = {"flag": "new-checkout", "goal_event": ev("purchase"), "filters": None, "time_range": last(60)}
    rates = {r["variant"]: r for r in run(backend, "experiment", slots)}
    assert rates["test"]["conversion_pct"] > rates["control"]["conversion_pct"]
    assert all(r["exposures"] >= r["conversions"] > 0 for r in rates.values())


def test_file_sharers_purchase_more_often(backend):
    slots = {"cohort_event": ev("file_shared"), "metric_event": ev("purchase"), "filters": None, "time_range": last(60)}
    rows = {r["cohort"]: r for r in run(backend, "cohort_comparison", slots)}
    assert rows["did file_shared"]["conversion_pct"] > 2 * rows["did not file_shared"]["conversion_pct"]


def test_silent_users_are_listed_with_their_silence(backend):
    slots = {"event": None, "silent_days": 14, "limit": 50, "filters": None, "time_range": last(60)}
    rows = run(backend, "churn_risk", slots)
    assert rows and all(r["days_silent"] >= 14 for r in rows)
