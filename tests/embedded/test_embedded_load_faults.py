"""Loading never loses data: bad rows are rejected lines, never a failed file; an interrupted load, at any
step of the build or the swap, leaves the old data or the new, never an empty store and never the demo."""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from askhog.backends.embedded import EmbeddedBackend
from askhog.demo.load import load_file, read_export
from askhog.demo.store import Store
from chdb.session import Session
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

U1 = "0190a0c3-0000-7000-8000-000000000001"
FULL_SWEEP = os.environ.get("ASKHOG_FULL_SWEEP") == "1"
"""Set by bench/bench_sweeps.py: the property test below then reads 300 files instead of 12, and a load is
interrupted at every one of its steps."""


def row(n: int = 0, **fields: Any) -> dict[str, Any]:
    return {
        "uuid": f"0190a0c3-0000-7000-8000-{n:012d}",
        "event": "signed_up",
        "distinct_id": f"u{n}",
        "timestamp": "2026-01-05T10:00:00Z",
        **fields,
    }


def jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_bytes(b"".join((r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in rows))
    return path


# -- rows, not files --------------------------------------------------------------------------

BAD_VALUES: list[tuple[dict[str, Any], str]] = [
    ({"timestamp": "nan"}, "not ISO 8601"),
    ({"timestamp": float("nan")}, "NaN and Infinity are not JSON numbers"),  # Python writes them; JSON has none
    ({"timestamp": float("inf")}, "NaN and Infinity are not JSON numbers"),
    ({"timestamp": float("-inf")}, "NaN and Infinity are not JSON numbers"),
    ({"timestamp": "inf"}, "not ISO 8601"),
    ({"timestamp": 1e20}, "out of range"),
    ({"timestamp": "1e20"}, "out of range"),
    ({"timestamp": -1e12}, "out of range"),
    ({"timestamp": "0001-01-01T00:00:00+01:00"}, "out of range"),
    ({"timestamp": "1800-06-01T00:00:00Z"}, "out of range"),
    ({"timestamp": "9999-12-31T23:59:59"}, "out of range"),
    ({"timestamp": True}, "must be a time"),
    ({"timestamp": [2026]}, "must be a time"),
    ({"distinct_id": [1, 2]}, "distinct_id must be text, not a list"),
    ({"distinct_id": {"a": 1}}, "distinct_id must be text, not an object"),
    ({"event": ["x"]}, "event must be text"),
    ({"event": "  "}, "event is empty"),
    ({"uuid": 7}, "uuid must be a UUID string"),
    ({"uuid": "not-a-uuid"}, "is not a UUID"),
    ({"person_id": 5}, "person_id must be a UUID string"),
    ({"properties": [1, 2]}, "properties must be a JSON object, not a list"),
    ({"properties": "{broken"}, "properties is not valid JSON"),
    ({"elements_chain": {"a": 1}}, "elements_chain must be text"),
    ({"$session_id": ["s"]}, "$session_id must be text"),
]


def test_every_malformed_value_is_a_rejected_line_and_the_rest_loads(tmp_path: Path) -> None:
    rows: list[Any] = [row(0)]
    rows += [row(i + 1, **bad) for i, (bad, _) in enumerate(BAD_VALUES)]
    rows += [b"{not json", b"[1, 2]", b'{"event": "\xff\xfe"}', b"[" * 100_000, row(len(BAD_VALUES) + 9)]
    export = read_export(jsonl(tmp_path / "bad.jsonl", rows))
    assert len(export.rows) == 2
    reasons = dict(export.rejected)
    for line, (_, said) in enumerate(BAD_VALUES, start=2):
        assert said in reasons[line], (line, reasons[line])
    n = len(BAD_VALUES) + 2
    assert "not valid JSON" in reasons[n] and "JSON object" in reasons[n + 1]
    assert "not UTF-8" in reasons[n + 2] and (
        "nested too deeply" in reasons[n + 3] or "not valid JSON" in reasons[n + 3]
    )


def test_lines_split_on_newline_only(tmp_path: Path) -> None:
    """U+2028, U+2029 and NEL are line breaks to str.splitlines(), but only characters inside a JSON string."""
    rows = [row(1, properties={"t": "a\u2028b\u2029c\x85d"}), row(2, event={"bad": 1}), row(3)]
    path = tmp_path / "u2028.jsonl"
    path.write_bytes(b"\r\n".join(json.dumps(r, ensure_ascii=False).encode() for r in rows) + b"\r\n")
    export = read_export(path)
    assert [r["uuid"][-1] for r in export.rows] == ["1", "3"]
    assert [line for line, _ in export.rejected] == [2]
    assert json.loads(export.rows[0]["properties"]) == {"t": "a\u2028b\u2029c\x85d"}


def test_a_byte_order_mark_is_skipped(tmp_path: Path) -> None:
    csv_path = tmp_path / "bom.csv"
    csv_path.write_bytes(
        b"\xef\xbb\xbfuuid,event,distinct_id,timestamp\n" + f"{U1},signed_up,u1,2026-01-05T10:00:00\n".encode()
    )
    assert read_export(csv_path).rows[0]["uuid"] == U1  # the header's first name is "uuid", not "\ufeffuuid"
    json_path = tmp_path / "bom.jsonl"
    json_path.write_bytes(b"\xef\xbb\xbf" + json.dumps(row(1)).encode() + b"\n")
    assert len(read_export(json_path).rows) == 1 and read_export(json_path).rejected == []


def test_csv_rows_with_the_wrong_number_of_fields_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "fields.csv"
    path.write_text(
        "event,distinct_id,timestamp\n"
        "a,u1,2026-01-05T10:00:00\n"
        "b,u2,2026-01-05T10:00:00,extra\n"
        "c,u3\n"
        "d,u4,2026-01-05T10:00:00\n",
        encoding="utf-8",
    )
    export = read_export(path)
    assert [r["event"] for r in export.rows] == ["a", "d"]
    assert export.rejected == [
        (3, "the row has 4 fields; the header has 3"),
        (4, "the row has 2 fields; the header has 3"),
    ]


def test_duplicate_uuids_are_kept_once_whatever_their_spelling(tmp_path: Path) -> None:
    assert row(1)["uuid"] == U1
    rows = [row(1), row(2), row(2, event="again"), row(3, uuid=U1.upper().replace("-", "")), row(4)]
    export = read_export(jsonl(tmp_path / "dup.jsonl", rows))
    assert [r["distinct_id"] for r in export.rows] == ["u1", "u2", "u4"]
    assert [line for line, _ in export.rejected] == [3, 4]
    assert "repeats line 2: kept once" in export.rejected[0][1] and "repeats line 1" in export.rejected[1][1]


@settings(
    max_examples=300 if FULL_SWEEP else 12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(
        st.one_of(
            st.binary(max_size=40),
            st.fixed_dictionaries(
                {},
                optional={
                    "event": st.one_of(
                        st.text(max_size=8), st.integers(), st.none(), st.lists(st.integers(), max_size=2)
                    ),
                    "distinct_id": st.one_of(st.text(max_size=8), st.integers(), st.floats(), st.booleans()),
                    "uuid": st.one_of(st.uuids().map(str), st.text(max_size=8)),
                    "timestamp": st.one_of(
                        st.floats(), st.integers(), st.datetimes().map(lambda d: d.isoformat()), st.text(max_size=8)
                    ),
                    "properties": st.one_of(
                        st.dictionaries(st.text(max_size=4), st.integers(), max_size=2), st.text(max_size=8)
                    ),
                },
            ).map(lambda d: json.dumps(d).encode()),
        ),
        max_size=12,
    )
)
def test_any_file_reads_into_rows_and_rejected_lines(tmp_path: Path, lines: list[bytes]) -> None:
    """Whatever the bytes, reading never raises: each non-blank line is a row or a rejected line with its number."""
    path = tmp_path / "any.jsonl"
    path.write_bytes(b"\n".join(line.replace(b"\n", b" ") for line in lines))
    export = read_export(path)
    data = path.read_bytes()
    data = data[3:] if data.startswith(b"\xef\xbb\xbf") else data  # a byte-order mark is not content
    written = [n for n, line in enumerate(data.split(b"\n"), start=1) if line.rstrip(b"\r").strip()]
    assert len(export.rows) + len(export.rejected) == len(written)
    assert {n for n, _ in export.rejected} <= set(written)
    for stored in export.rows:
        assert stored["event"].strip() and "1970-01-01 00:00:00" <= stored["timestamp"] < "2100"
    assert export.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


# -- the store says what it holds -----------------------------------------------------------------


def test_the_store_records_the_loaded_file_and_its_checksum(tmp_path: Path) -> None:
    path = jsonl(tmp_path / "export.jsonl", [row(1), row(2)])
    report = load_file(path, home=tmp_path / "home")
    meta = Store(tmp_path / "home").metadata()
    assert meta["kind"] == "loaded" and meta["sha256"] == report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    backend = EmbeddedBackend(tmp_path / "home", generate=False)
    said = backend.describe_data()
    assert "export.jsonl" in said and report.sha256[:12] in said and "2 events" in said
    assert backend.run_sql("SELECT count() FROM events").source == said


# -- interruptions --------------------------------------------------------------------------------


class _Steps:
    """Counts the store's steps (every chDB statement, the pointer's rename) and interrupts before step ``stop``.
    As a crash, nothing runs after it (no cleanup); as a Ctrl-C, the code unwinds normally."""

    def __init__(self, stop: int, crash: bool):
        self.stop, self.crash, self.count, self.dead = stop, crash, 0, False
        self.taken: list[str] = []
        """What each step was: its statement, or "rename"."""

    def step(self, what: str) -> None:
        if self.dead:
            raise KeyboardInterrupt("the process is gone")
        self.count += 1
        self.taken.append(" ".join(what.split()))
        if self.count == self.stop:
            self.dead = self.crash
            raise KeyboardInterrupt(f"interrupted before step {self.stop}")


def _load_with(steps: _Steps, path: Path, home: Path, monkeypatch: pytest.MonkeyPatch, replace: bool = False) -> bool:
    """Load ``path`` under ``steps``; whether the load was interrupted."""
    query, rename = Session.query, os.replace

    def counted_query(self: Session, sql: str, *args: Any, **kwargs: Any) -> Any:
        steps.step(sql)
        return query(self, sql, *args, **kwargs)

    def counted_replace(*args: Any) -> None:
        steps.step("rename")
        rename(*args)

    with monkeypatch.context() as patch:
        patch.setattr(Session, "query", counted_query)
        patch.setattr(os, "replace", counted_replace)
        try:
            load_file(path, home=home, replace=replace)
        except KeyboardInterrupt:
            return True
    return False


def _holds(home: Path) -> tuple[str, int]:
    store = Store(home)
    return Path(store.metadata().get("source", "nothing")).name, int(store.scalar("SELECT count() FROM events"))


def _leftovers(home: Path) -> tuple[list[str], list[str]]:
    store = Store(home)
    databases = [r[0] for r in store.json("SELECT name FROM system.databases WHERE startsWith(name, 'askhog')")["data"]]
    return databases, sorted(p.name for p in store.scratch.glob("*"))


@pytest.fixture
def two_exports(tmp_path: Path) -> Iterator[tuple[Path, dict[str, int]]]:
    home = tmp_path / "home"
    a = jsonl(tmp_path / "a.jsonl", [row(i) for i in range(3)])
    jsonl(tmp_path / "b.jsonl", [row(i) for i in range(5)])  # on disk, not loaded yet
    load_file(a, home=home)
    yield home, {"a.jsonl": 3, "b.jsonl": 5}
    Store.release()


def _stops(taken: list[str], offset: int) -> list[int]:
    """The steps of a load (numbered from 1) to interrupt it at: with ASKHOG_FULL_SWEEP=1 (bench/bench_sweeps.py),
    every one. Else every step up to the reading of the file (each costs a few statements) and from the build's
    last statement on (the metadata that completes it, the pointer's rename, what follows the swap); of the
    build's statements between, which each cost the reading again and all end the same way (an abandoned build
    database), every sixth from ``offset``: the three variants take 0, 2 and 4, so that between them every
    other build statement is interrupted, and the sweep interrupts the rest."""
    every = list(range(1, len(taken) + 1))
    if FULL_SWEEP:
        return every
    read = next(n for n, sql in enumerate(taken, start=1) if re.match(r"INSERT INTO \w+\.staged\b", sql))
    last = taken.index("rename")  # the step before the rename, numbered from 1
    return [n for n in every if n <= read or n >= last or (n - read) % 6 == offset]


@pytest.mark.parametrize(
    ("crash", "replace", "offset"),
    [(True, False, 0), (False, False, 2), (True, True, 4)],
    ids=["killed-adding", "ctrl-c-adding", "killed-replacing"],
)
def test_a_load_interrupted_at_every_step_keeps_the_old_data_or_the_new(
    two_exports, monkeypatch, crash: bool, replace: bool, offset: int
) -> None:
    """Each attempt loads a file of two new rows: afterwards the store holds what it held, or that plus them
    (adding) or them alone (replacing). The steps: ``_stops``."""
    home, _ = two_exports
    probe = _Steps(stop=0, crash=False)
    first = jsonl(home.parent / "probe.jsonl", [row(1000), row(1001)])
    assert not _load_with(probe, first, home, monkeypatch, replace)  # a clean load: how many steps
    total = probe.count
    assert total >= 20
    stops = _stops(probe.taken, offset)
    after = _holds(home)
    for stop in stops:
        before = after  # what the last attempt left (nothing runs between two attempts)
        other = jsonl(home.parent / f"step{stop}.jsonl", [row(2000 + 2 * stop), row(2001 + 2 * stop)])
        assert _load_with(_Steps(stop, crash), other, home, monkeypatch, replace)
        if crash:
            Store.release()  # the process died: the next one opens (and repairs) the store afresh
        after = _holds(home)
        assert after in (before, (other.name, 2 if replace else before[1] + 2)), (
            f"step {stop} of {total}: {before} became {after}"
        )
        databases, scratch = _leftovers(home)
        assert len(databases) == 1 and scratch == [], f"step {stop}: left {databases} {scratch}"


def test_sigterm_during_a_load_leaves_the_old_data_and_nothing_else(two_exports, monkeypatch) -> None:
    home, _ = two_exports
    query = Session.query
    sent: list[str] = []

    def terminate_midway(self: Session, sql: str, *args: Any, **kwargs: Any) -> Any:
        if "INSERT INTO" in sql and "persons" in sql and not sent:
            sent.append(sql)
            os.kill(os.getpid(), signal.SIGTERM)  # handled as an interrupt while the load runs
        return query(self, sql, *args, **kwargs)

    previous = signal.getsignal(signal.SIGTERM)
    with monkeypatch.context() as patch:
        patch.setattr(Session, "query", terminate_midway)
        with pytest.raises(KeyboardInterrupt):
            load_file(home.parent / "b.jsonl", home=home)
    assert sent and signal.getsignal(signal.SIGTERM) == previous
    assert _holds(home) == ("a.jsonl", 3)
    assert _leftovers(home) == ([Store(home).database], [])


def test_an_empty_home_with_a_loaded_copy_is_repaired_not_regenerated(two_exports) -> None:
    """A pointer lost (or a home from before pointers): the newest complete database is live, no demo is made."""
    home, _ = two_exports
    Store.release()
    (home / "chdb.current").unlink()
    backend = EmbeddedBackend(home, generate=True)
    assert "a.jsonl" in backend.describe_data()
    assert backend.run_sql("SELECT count() FROM events").rows == ((3,),)
