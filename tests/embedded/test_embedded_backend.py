"""EmbeddedBackend over the generated demo: cache reuse, determinism, HogQL through lowering, clean errors."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from askhog.backends.base import Backend
from askhog.backends.embedded import EmbeddedBackend
from askhog.demo.generate import DemoInfo, generate_demo
from askhog.demo.products.paperplane import truths
from askhog.demo.store import Store, default_home
from askhog.errors import BackendError, DataNotLoaded, ExecutionError, UnsafeQueryError

from .conftest import demo_clock

CHECKSUM = (
    "SELECT count(), sum(cityHash64(uuid, event, distinct_id, person_id, timestamp, properties, "
    "person_properties, `$session_id`)) FROM events"
)
FIXED_END = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)
PAPERPLANE_SEED_3 = {
    "events": [21064, 10925448442096804766],
    "persons": [345, 943701300255778437],
    "person_distinct_ids": [577, 10549851871301078333],
    "sessions": [3392, 9660595269461210587],
}
"""Row count and hash sum of each table of Paperplane's 20k-event demo with seed 3 ending at FIXED_END, as the
generator made it before there were several products: adding one must not move a byte of the first."""


def test_backend_reuses_the_generated_store_without_regenerating(demo: DemoInfo) -> None:
    before = Store(demo.home).metadata()["generated_at"]
    backend = EmbeddedBackend(demo.home, generate=False)
    assert isinstance(backend, Backend)
    assert backend.run_sql("SELECT count() FROM events").rows == ((demo.events,),)
    assert EmbeddedBackend(demo.home, clock=demo_clock).run_sql("SELECT 1").rows == ((1,),)
    assert Store(demo.home).metadata()["generated_at"] == before


def test_empty_home_without_generation_says_how_to_load(tmp_path: Path) -> None:
    with pytest.raises(DataNotLoaded, match="askhog demo"):
        EmbeddedBackend(tmp_path, generate=False).run_sql("SELECT 1")


def test_same_seed_and_end_give_identical_data_and_another_seed_does_not(tmp_path: Path) -> None:
    sums = []
    for seed, home in ((3, "a"), (3, "b"), (4, "c")):
        generate_demo(20_000, seed=seed, home=tmp_path / home, end=FIXED_END)
        sums.append(Store(tmp_path / home).json(CHECKSUM)["data"][0])
    assert sums[0] == sums[1]
    assert sums[0][1] != sums[2][1]
    pinned = {
        table: Store(tmp_path / "a").json(f"SELECT count(), sum(cityHash64(*)) FROM {table}")["data"][0]
        for table in ("persons", "person_distinct_ids", "sessions")
    }
    assert {"events": sums[0], **pinned} == PAPERPLANE_SEED_3


def test_too_small_a_demo_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="at least"):
        generate_demo(10, home=tmp_path)


def test_tables_follow_posthogs_schema(store: Store) -> None:
    columns = {
        t: [
            c
            for c, _ in store.json(
                f"SELECT name, type FROM system.columns WHERE database = currentDatabase() "
                f"AND table = '{t}' ORDER BY position"
            )["data"]
        ]
        for t in ("events", "persons", "person_distinct_ids", "sessions", "annotations")
    }
    assert columns["events"] == [
        "uuid",
        "event",
        "distinct_id",
        "person_id",
        "timestamp",
        "properties",
        "person_properties",
        "elements_chain",
        "$session_id",
    ]
    assert columns["sessions"] == [
        "session_id",
        "distinct_id",
        "person_id",
        "min_timestamp",
        "max_timestamp",
        "duration",
        "pageview_count",
        "event_count",
        "entry_pathname",
        "is_bounce",
    ]
    assert columns["person_distinct_ids"] == ["distinct_id", "person_id"]
    # Every event's person exists, and every distinct_id maps to the event's person.
    orphans = store.scalar("SELECT count() FROM events WHERE person_id NOT IN (SELECT id FROM persons)")
    mismatched = store.scalar("""SELECT count() FROM events AS e INNER JOIN person_distinct_ids AS p
                                 ON e.distinct_id = p.distinct_id WHERE p.person_id != e.person_id""")
    assert (orphans, mismatched) == (0, 0)


def test_sessions_summarise_the_events(store: Store) -> None:
    [[sessions, bounces, with_entry]] = store.json(
        "SELECT count(), countIf(is_bounce = 1), countIf(entry_pathname != '') FROM sessions"
    )["data"]
    assert sessions == store.scalar("SELECT uniq(`$session_id`) FROM events WHERE `$session_id` != ''")
    assert 0.03 * sessions < bounces < 0.3 * sessions
    assert with_entry == sessions


def test_hogql_runs_with_placeholders_bound(demo: DemoInfo) -> None:
    backend = EmbeddedBackend(demo.home, generate=False)
    table = backend.run(
        "SELECT properties.$browser AS browser, count() AS n FROM events "
        "WHERE event = {event} AND person.properties.plan = {plan} GROUP BY browser ORDER BY n DESC",
        {"event": "purchase", "plan": "team"},
    )
    assert table.columns == ("browser", "n")
    assert {r[0] for r in table.rows} <= {"Chrome", "Safari", "Firefox", "Edge"}
    assert sum(table.column("n")) > 0
    sessions = backend.run("SELECT avg($session_duration) AS d FROM sessions WHERE $is_bounce = 0", {})
    assert sessions.rows[0][0] > 0


def test_hogql_with_a_datetime_placeholder_finds_the_safari_break(demo: DemoInfo) -> None:
    backend = EmbeddedBackend(demo.home, generate=False)
    release = next(a.date for a in backend.annotations() if a.content == truths.RELEASE_NOTE)
    table = backend.run(
        "SELECT properties.$browser AS browser, "
        "countIf(event = 'purchase') / countIf(event = 'checkout_started') AS rate "
        "FROM events WHERE event IN ('checkout_started', 'purchase') AND timestamp >= {since} "
        "GROUP BY browser ORDER BY rate ASC",
        {"since": release},
    )
    assert table.rows[0][0] == "Safari"


def test_hogql_quotes_values_instead_of_splicing_them(demo: DemoInfo) -> None:
    backend = EmbeddedBackend(demo.home, generate=False)
    table = backend.run("SELECT count() AS n FROM events WHERE event = {e}", {"e": "x' OR 1=1 --"})
    assert table.rows == ((0,),)


def test_errors_are_typed_and_readable(demo: DemoInfo) -> None:
    backend = EmbeddedBackend(demo.home, generate=False)
    with pytest.raises(ExecutionError) as bad_column:
        backend.run_sql("SELECT no_such_column FROM events")
    message = str(bad_column.value)
    assert "no_such_column" in message and "\n" not in message and "Code:" not in message
    with pytest.raises(ExecutionError, match="Syntax error") as syntax:
        backend.run_sql("SELEC 1")
    assert "Expected one of" not in str(syntax.value)
    with pytest.raises(UnsafeQueryError):
        backend.run("DROP TABLE events", {})


def test_annotations_and_taxonomy_of_the_demo(demo: DemoInfo) -> None:
    backend = EmbeddedBackend(demo.home, generate=False)
    notes = backend.annotations()
    release = [a for a in notes if a.content == truths.RELEASE_NOTE]
    assert len(release) == 1 and release[0].date.tzinfo is not None
    assert (demo.end.date() - release[0].date.date()).days == truths.BREAK_DAYS_BEFORE_END
    tax = backend.taxonomy()
    events = {r[0] for r in backend.run_sql("SELECT DISTINCT event FROM events").rows}
    assert events == set(tax.events)


def test_first_use_of_an_empty_home_generates_the_demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("askhog.backends.embedded.DEFAULT_EVENTS", 20_000)
    messages: list[str] = []
    backend = EmbeddedBackend(
        tmp_path, progress=lambda message, fraction: messages.append(message), clock=lambda: FIXED_END
    )
    assert backend.run_sql("SELECT count() > 15000 FROM events").rows == ((1,),)
    assert messages and backend.info()["kind"] == "demo"
    assert backend.info()["end"] == backend.info()["generated_at"] == FIXED_END.isoformat()


def test_a_demo_from_an_earlier_day_than_the_clock_is_regenerated_to_end_at_its_now(tmp_path: Path) -> None:
    generate_demo(20_000, seed=5, home=tmp_path, end=FIXED_END)
    later = FIXED_END + timedelta(days=1, minutes=42)
    backend = EmbeddedBackend(tmp_path, progress=None, clock=lambda: later)
    latest = backend.run_sql("SELECT max(timestamp) FROM events").rows[0][0]
    assert FIXED_END < datetime.fromisoformat(latest).replace(tzinfo=UTC) < later
    assert backend.info()["end"] == (FIXED_END + timedelta(days=1)).isoformat()
    assert backend.info()["seed"] == "5" and backend.info()["requested_events"] == "20000"


def test_a_demo_ending_on_the_clocks_day_is_kept(tmp_path: Path) -> None:
    generate_demo(20_000, seed=5, home=tmp_path, end=FIXED_END)
    before = Store(tmp_path).metadata()["generated_at"]
    backend = EmbeddedBackend(tmp_path, progress=None, clock=lambda: FIXED_END.replace(hour=23, minute=59))
    assert backend.info()["end"] == FIXED_END.isoformat() and backend.describe_data()
    assert Store(tmp_path).metadata()["generated_at"] == before


def test_without_generation_an_old_demo_is_used_as_it_is(tmp_path: Path) -> None:
    generate_demo(20_000, seed=5, home=tmp_path, end=FIXED_END)
    backend = EmbeddedBackend(tmp_path, generate=False, clock=lambda: FIXED_END + timedelta(days=60))
    assert backend.run_sql("SELECT max(timestamp) < toDateTime('2026-03-18 15:00:00', 'UTC') FROM events").rows == (
        (1,),
    )
    assert backend.info()["end"] == FIXED_END.isoformat()


def test_concurrent_queries_share_one_connection_safely(demo: DemoInfo) -> None:
    backend = EmbeddedBackend(demo.home, generate=False)
    sql = "SELECT event, count() FROM events GROUP BY event ORDER BY event"
    expected = backend.run_sql(sql).rows
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: backend.run_sql(sql).rows, range(24)))
    assert all(r == expected for r in results)


def test_home_follows_askhog_home_then_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ASKHOG_HOME", str(tmp_path / "mine"))
    assert default_home() == tmp_path / "mine"
    monkeypatch.delenv("ASKHOG_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert default_home() == tmp_path / "cache" / "askhog"
