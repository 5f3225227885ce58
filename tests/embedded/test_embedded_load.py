"""load_file: PostHog exports in, rejected rows reported by line, and never a half-loaded store."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest
from askhog.backends.embedded import EmbeddedBackend
from askhog.demo import load as load_module
from askhog.demo.literals import quote
from askhog.demo.load import LoadReport, load_file
from askhog.demo.store import Store
from askhog.errors import LoadError

P1 = "0190a0c3-1111-7000-8000-000000000001"
P2 = "0190a0c3-2222-7000-8000-000000000002"


def export_rows() -> list[dict]:
    """Rows shaped like PostHog's JSON-lines batch export."""
    return [
        {
            "uuid": "0190a0c3-0000-7000-8000-00000000000a",
            "event": "$pageview",
            "distinct_id": "anon-1",
            "person_id": P1,
            "timestamp": "2026-01-05T10:00:00Z",
            "$session_id": "s1",
            "properties": {"$browser": "Safari", "$pathname": "/pricing"},
            "person_properties": {"plan": "free"},
        },
        {
            "uuid": "0190a0c3-0000-7000-8000-00000000000b",
            "event": "purchase",
            "distinct_id": "ada@example.com",
            "person_id": P1,
            "timestamp": "2026-01-05T10:05:00.250+00:00",
            "$session_id": "s1",
            "properties": {"$browser": "Safari", "amount": 49, "plan": "team"},
            "person_properties": {"plan": "team"},
        },
        {
            "event": "$pageview",
            "distinct_id": "bob",
            "timestamp": 1767610000,
            "properties": {"$browser": "Chrome", "$pathname": "/"},
        },
    ]


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def test_json_lines_export_loads_into_posthog_tables(tmp_path: Path) -> None:
    report = load_file(write_jsonl(tmp_path / "export.jsonl", export_rows()), home=tmp_path / "home")
    checksum = hashlib.sha256((tmp_path / "export.jsonl").read_bytes()).hexdigest()
    assert report == LoadReport(3, [], str(tmp_path / "export.jsonl"), checksum, events=3)
    backend = EmbeddedBackend(tmp_path / "home", generate=False)
    persons = backend.run_sql("SELECT id, properties FROM persons ORDER BY created_at").rows
    assert persons[0] == (P1, '{"plan":"team"}')  # the latest person properties win
    assert len(persons) == 2  # bob gets a person id derived from his distinct_id
    assert backend.run_sql("SELECT session_id, pageview_count, event_count, entry_pathname FROM sessions").rows == (
        ("s1", 1, 2, "/pricing"),
    )
    assert backend.run_sql("SELECT distinct_id FROM person_distinct_ids ORDER BY distinct_id").column(
        "distinct_id"
    ) == ["ada@example.com", "anon-1", "bob"]
    tax = backend.taxonomy()
    assert set(tax.events) == {"$pageview", "purchase"}
    assert tax.event_properties["amount"].type == "Numeric"
    assert set(tax.event_properties["$browser"].values) == {"Safari", "Chrome"}
    assert "$browser" in tax.common_event_properties
    assert tax.person_properties["plan"].values
    hogql = backend.run("SELECT sum(properties.amount) AS revenue FROM events WHERE event = {e}", {"e": "purchase"})
    assert hogql.rows == ((49.0,),)
    assert backend.info()["kind"] == "loaded"


def test_csv_export_with_json_strings_and_flattened_properties(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["event", "distinct_id", "timestamp", "properties", "properties.$os"])
        writer.writerow(["signed_up", "u1", "2026-01-02 09:00:00", '{"signup_method": "email",\n"n": 1}', "iOS"])
        writer.writerow(["logged_in", "u1", "not a time", "{}", ""])
        writer.writerow(["", "u2", "2026-01-02 09:00:00", "{}", ""])
        writer.writerow(["logged_in", "u2", "2026-01-03T09:00:00", "[1, 2]", ""])
    report = load_file(path, home=tmp_path / "home")
    assert report.loaded == 1
    # The first data row spans lines 2-3 (a newline inside the quoted JSON), so the rejects are lines 4, 5, 6.
    assert [line for line, _ in report.rejected] == [4, 5, 6]
    reasons = [why for _, why in report.rejected]
    assert "timestamp" in reasons[0] and reasons[1] == "event is empty" and "JSON object" in reasons[2]
    props = EmbeddedBackend(tmp_path / "home", generate=False).run_sql("SELECT properties FROM events").rows[0][0]
    assert json.loads(props) == {"signup_method": "email", "n": 1, "$os": "iOS"}


def test_all_rows_bad_raises_with_the_rejects_and_keeps_previous_data(tmp_path: Path) -> None:
    home = tmp_path / "home"
    load_file(write_jsonl(tmp_path / "good.jsonl", export_rows()), home=home)
    bad = write_jsonl(tmp_path / "bad.jsonl", ["{not json", json.dumps({"event": "x", "distinct_id": "d"}), "[1]"])
    with pytest.raises(LoadError) as err:
        load_file(bad, home=home)
    assert [line for line, _ in err.value.rejected] == [1, 2, 3]
    assert "line 2: timestamp is missing" in str(err.value)
    assert Store(home).scalar("SELECT count() FROM events") == 3


def test_a_failure_while_storing_leaves_the_store_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    load_file(write_jsonl(tmp_path / "good.jsonl", export_rows()), home=home)
    more = write_jsonl(tmp_path / "more.jsonl", export_rows() * 2)
    monkeypatch.setattr(load_module, "sessions_from_events", lambda db, where="1": "INSERT INTO nowhere SELECT 1")
    with pytest.raises(LoadError, match="nothing was loaded"):
        load_file(more, home=home)
    store = Store(home)
    assert store.scalar("SELECT count() FROM events") == 3
    assert store.scalar("SELECT count() FROM sessions") == 1
    assert store.scalar("SELECT count() FROM system.databases WHERE startsWith(name, 'askhog')") == 1


def test_parquet_export_loads(tmp_path: Path) -> None:
    source = tmp_path / "source"
    load_file(write_jsonl(tmp_path / "good.jsonl", export_rows()), home=source)
    parquet = tmp_path / "export.parquet"
    Store(source).query(f"""INSERT INTO FUNCTION file({quote(str(parquet))}, Parquet)
        SELECT toString(uuid) AS uuid, event, distinct_id, toString(person_id) AS person_id,
               toString(timestamp) AS timestamp, properties, person_properties FROM events""")
    report = load_file(parquet, home=tmp_path / "target")
    assert report.loaded == 3 and report.rejected == []


def test_unreadable_inputs_are_load_errors(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no such file"):
        load_file(tmp_path / "missing.csv", home=tmp_path / "home")
    odd = tmp_path / "events.xlsx"
    odd.write_text("x")
    with pytest.raises(LoadError, match="unknown format"):
        load_file(odd, home=tmp_path / "home")


def test_a_repeated_uuid_is_stored_once_as_its_first_line_or_the_store_has_it(tmp_path: Path) -> None:
    """The events take every valid row as the file is read; a repeat (in the file, or of the store) leaves them."""
    home = tmp_path / "home"
    pageview, purchase, bob = export_rows()
    again = {**pageview, "event": "again", "distinct_id": "mallory", "$session_id": "s9"}
    report = load_file(write_jsonl(tmp_path / "first.jsonl", [pageview, again, bob, again]), home=home)
    assert report.loaded == 2 and [line for line, _ in report.rejected] == [2, 4]
    assert all("repeats line 1: kept once" in why for _, why in report.rejected)
    store = Store(home)
    assert store.json("SELECT event, distinct_id FROM events ORDER BY distinct_id")["data"] == [
        ["$pageview", "anon-1"],
        ["$pageview", "bob"],
    ]
    report = load_file(write_jsonl(tmp_path / "second.jsonl", [again, purchase, purchase]), home=home)
    assert report.loaded == 1 and report.events == 3
    assert [(line, why.split(" ", 2)[2]) for line, why in report.rejected] == [
        (1, "is already in the store: kept once"),
        (3, "repeats line 2: kept once"),
    ]
    assert store.json("SELECT event, distinct_id FROM events ORDER BY distinct_id")["data"] == [
        ["purchase", "ada@example.com"],
        ["$pageview", "anon-1"],
        ["$pageview", "bob"],
    ]
    assert store.scalar("SELECT count() FROM person_distinct_ids WHERE distinct_id = 'mallory'") == 0
    assert store.scalar("SELECT count() FROM sessions WHERE session_id = 's9'") == 0
