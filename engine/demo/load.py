"""Import events exported from PostHog (CSV, JSON lines, Parquet) into the embedded store, at ClickHouse speed.

PostHog's exports name the event columns as its events table does (``uuid``,
``event``, ``properties``, ``timestamp``, ``distinct_id``, ``person_id``,
``person_properties``, ``elements_chain``, ``$session_id``/``session_id``);
CSV exports may flatten properties into ``properties.<key>`` columns.

chDB reads and checks the file itself (``ingest``): no row passes through
Python, so a load runs at the speed of ClickHouse's input formats and holds
one block of the file in memory at a time. A bad row never fails the file:
each one is a rejected line with its reason, and so is a row whose ``uuid``
an earlier line of the file, or the store, already holds (kept once).

A load *adds* to the data loaded before (``replace=True`` starts over; the
generated demo is always replaced, it is nobody's data). The rows fill a new
database that replaces the live one in one atomic swap (``Store.rebuild``):
an interrupted load, by Ctrl-C, SIGTERM or a crash, leaves the previous data,
and nothing else, behind.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..clock import Clock, aware_utc, utc_now
from ..errors import ExecutionError, LoadError
from . import ingest
from .describe import taxonomy_from_data, taxonomy_json
from .store import Store, describe_metadata, sessions_from_events

MAX_REJECTS_IN_MESSAGE = 5
BLOCKS = "max_insert_block_size = 131072, min_insert_block_size_rows = 131072, min_insert_block_size_bytes = 67108864"
"""Inserts write a part every 131k rows rather than gathering a million (half a gigabyte of PostHog rows)."""
READING = f"storage_file_read_method = 'pread', max_block_size = 131072, {BLOCKS}"
"""The file is read, not mapped: a mapped file's pages count in the process's memory, all of it by the end, so
memory would grow with the file; read a block at a time, it stays bounded whatever the file's size. Its blocks
are the inserts' size, so they are inserted as they are read rather than gathered two by two (a copy of each)."""
VIEWS = "parallel_view_processing = 1"
"""The staged rows' two views write in threads of their own: the reading and checking go on meanwhile (one
thread would do both in turn, as chDB does for a Null table's views by default)."""
MAX_LOADS_RECORDED = 50
Progress = Callable[[str, float], None]
"""(what is happening, fraction done 0..1), as ``generate.stderr_progress`` takes it."""


@dataclass(frozen=True)
class LoadReport:
    loaded: int
    rejected: list[tuple[int, str]] = field(default_factory=list)
    source: str = ""
    sha256: str = ""
    events: int = 0
    """Events in the store after the load (the earlier loads' included)."""
    replaced: str = ""
    """What the load replaced ('' when it added to the data, or the home held none)."""

    @property
    def rows(self) -> int:
        """The file's rows: every one was loaded or rejected."""
        return self.loaded + len(self.rejected)


@dataclass(frozen=True)
class Export:
    """An export file read and checked, not stored: the rows that would be stored, the rejected lines, the
    checksum."""

    rows: list[dict[str, str]]
    rejected: list[tuple[int, str]]
    sha256: str


def load_file(
    path: Path | str,
    home: Path | str | None = None,
    *,
    replace: bool = False,
    progress: Progress | None = None,
    clock: Clock = utc_now,
) -> LoadReport:
    """Add the events of one PostHog export file to the store (``replace``: instead of what it holds).

    Returns how many rows were added and which lines were rejected (with the reason); raises ``LoadError``
    when the file cannot be read or no row is valid, and the store is then as it was. ``clock`` dates the
    load in the store's record of its loads.
    """
    source = Path(path).expanduser()
    reader = _Reader(source)
    store = Store(home)
    with _terminate_as_interrupt():
        before = store.metadata()
        keep = not replace and before.get("kind") == "loaded"
        old = store.database
        try:
            with store.rebuild() as db:
                staged = _Staging(store, db, reader)
                staged.fill(progress)
                staged.find_duplicates(old if keep else None)
                rejected = staged.rejected()
                if staged.valid == 0:
                    shown = "; ".join(f"line {n}: {why}" for n, why in rejected[:MAX_REJECTS_IN_MESSAGE])
                    raise LoadError(
                        f"{source}: no valid events ({len(rejected)} rejected{': ' + shown if shown else ''})", rejected
                    )
                _note(progress, "storing the events, persons and sessions", 0.0)
                added = staged.store_events(old if keep else None)
                _derive(store, db, old if keep else None)
                total = int(store.scalar(f"SELECT count() FROM {db}.events"))
                _note(progress, "reading the taxonomy of the data", 0.5)
                staged.drop()
                meta = _metadata(before if keep else {}, reader, added, len(rejected), total, clock())
                meta["taxonomy"] = taxonomy_json(taxonomy_from_data(store, db))
                store.write_metadata(db, meta)
                _note(progress, "stored", 1.0)
        except ExecutionError as exc:
            raise LoadError(f"{source}: the store refused the rows ({exc}); nothing was loaded") from None
    replaced = "" if keep or not before else describe_metadata(before)
    return LoadReport(added, rejected, str(source), reader.checksum, total, replaced)


def read_export(path: Path | str, store: Store | None = None) -> Export:
    """Read and check every row of an export without storing it (a scratch database, dropped after).

    Never raises for a row: each bad one is a rejected line. ``LoadError`` only when the file itself cannot
    be read (missing, unknown format, not Parquet). Holds the rows in memory: for checking, not for size.
    """
    reader = _Reader(Path(path).expanduser())
    store = store or Store()
    with store.scratch_database() as db:
        staged = _Staging(store, db, reader, target=f"{db}.rows")
        staged.fill(None)
        staged.find_duplicates(None)
        rejected = staged.rejected()
        rows = [
            dict(zip(ingest.ROW_FIELDS, row))
            for row in store.json(
                f"SELECT toString(uuid), event, distinct_id, toString(person_id), toString(timestamp), properties, "
                f"person_properties, elements_chain, session_id FROM {db}.rows "
                f"WHERE record NOT IN (SELECT record FROM {db}.dropped) ORDER BY record"
            )["data"]
        ]
    return Export(rows, rejected, reader.checksum)


_ROWS = (
    "record UInt64, uuid UUID, event String, distinct_id String, person_id UUID, timestamp DateTime64(6, 'UTC'), "
    "properties String, person_properties String, elements_chain String, session_id String"
)
"""``read_export``'s table of the rows that pass the checks, by record."""
_CHECKS = "record UInt64, newlines UInt32, reason String, uuid UUID"
"""What every row of a file leaves in ``checks``: enough to reject it by line and find repeated uuids."""
_EVENT_COLUMNS = (
    "uuid, event, distinct_id, person_id, timestamp, properties, person_properties, elements_chain, "
    "session_id AS `$session_id`"
)
"""The checked columns as the events table names them."""


class _Reader:
    """One export file: its format, checksum and the SQL that reads its records."""

    def __init__(self, source: Path):
        if not source.is_file():
            raise LoadError(f"{source}: no such file")
        self.source = source.resolve()
        self.format = ingest.FORMATS.get(source.suffix.lower(), "")
        if not self.format:
            raise LoadError(
                f"{source}: unknown format {source.suffix or '(no extension)'!r}; use .csv, .jsonl or .parquet"
            )
        try:
            self.header = ingest.csv_header(source) if self.format == "csv" else []
            self.size = source.stat().st_size
        except OSError as exc:
            raise LoadError(f"{source}: cannot read it ({exc.strerror or exc})") from None
        self.flattened = any(name.startswith("properties.") for name in self.header)
        self._digest: list[str | OSError] = []
        self._hashing = threading.Thread(target=self._hash, name="askhog-sha256", daemon=True)
        self._hashing.start()

    def _hash(self) -> None:
        """The file's SHA-256, read beside chDB's reading of it (hashlib and chDB both let go of the GIL)."""
        try:
            self._digest.append(_sha256(self.source))
        except OSError as exc:
            self._digest.append(exc)

    @property
    def checksum(self) -> str:
        self._hashing.join()
        found = self._digest[0]
        if isinstance(found, OSError):
            raise LoadError(f"{self.source}: cannot read it ({found.strerror or found})")
        return found

    def records(self) -> str:
        if self.format == "csv":
            return ingest.csv_records(self.source, self.header)
        if self.format == "parquet":
            return ingest.parquet_records(self.source)
        return ingest.json_lines(self.source)

    def first_line(self) -> int:
        """The line the record numbered 0 starts on, less one (a CSV header's own line breaks)."""
        return sum(name.count("\n") for name in self.header)


class _Staging:
    """One file read once: every row's checks (record, line breaks, reason, uuid) in ``checks``, the rows that pass
    them straight into ``target`` (the build's events, or ``read_export``'s rows), and the rows dropped after.

    The file's rows go to both tables in the one statement that reads them: chDB's ``staged`` is a Null table
    whose two materialized views write each block to ``checks`` and ``target``, so no copy of the rows is written
    and read back before they reach the events. A repeated uuid is rare: ``drop_repeats`` takes its rows back
    out of the events afterwards."""

    def __init__(self, store: Store, db: str, reader: _Reader, target: str = ""):
        self.store, self.db, self.reader = store, db, reader
        self.target = target or f"{db}.events"
        """Where the kept rows go: the events table's columns (``$session_id``), else ``_ROWS`` (``record``)."""
        self.valid = 0
        """Rows that pass every check."""
        self.good = 0
        """Of those, the rows to store: not repeating an earlier line's uuid, nor (adding) one the store holds."""

    def fill(self, progress: Progress | None) -> None:
        store, db, reader = self.store, self.db, self.reader
        for statement in self._tables():
            store.query(statement)
        insert = f"INSERT INTO {db}.staged {self._checked()} SETTINGS {READING}, {VIEWS}"
        name = reader.source.name
        try:
            with store.progress(_reading(progress, name, reader.size)):
                store.query(insert)
        except ExecutionError as exc:
            if reader.format == "parquet":
                raise LoadError(f"{reader.source}: not a readable Parquet file ({exc})") from None
            raise
        rows, self.valid = store.json(f"SELECT count(), countIf(reason = '') FROM {db}.checks")["data"][0]
        _note(progress, f"read {int(rows):,} rows of {name}", 1.0)

    def _tables(self) -> list[str]:
        """``checks``, ``dropped``, ``read_export``'s rows, and ``staged`` with the two views that pass its rows on
        (see the class)."""
        db = self.db
        tables = [
            f"CREATE TABLE {db}.checks ({_CHECKS}) ENGINE = MergeTree ORDER BY record",
            f"CREATE TABLE {db}.dropped (record UInt64, reason String, first UInt64) ENGINE = MergeTree ORDER BY record",
            f"CREATE TABLE {db}.staged ({ingest.CHECKED_COLUMNS}) ENGINE = Null",
        ]
        if self.target != f"{db}.events":
            tables.append(f"CREATE TABLE {self.target} ({_ROWS}) ENGINE = MergeTree ORDER BY record")
        return [
            *tables,
            f"CREATE MATERIALIZED VIEW {db}.checking TO {db}.checks AS "
            f"SELECT record, newlines, reason, uuid FROM {db}.staged",
            f"CREATE MATERIALIZED VIEW {db}.keeping TO {self.target} AS "
            f"SELECT {self._kept_columns()} FROM {db}.staged WHERE reason = ''",
        ]

    def _kept_columns(self) -> str:
        """The checked columns the target takes, in its names."""
        if self.target == f"{self.db}.events":
            return _EVENT_COLUMNS
        return "record, " + ", ".join(ingest.ROW_FIELDS)

    def _checked(self, only: str = "") -> str:
        """The checked rows of the file (``only``: of the records this subquery names)."""
        records = self.reader.records()
        if only:
            records = f"SELECT * FROM ({records}) WHERE record IN ({only})"
        return ingest.checked(records, self.reader.flattened)

    def find_duplicates(self, old: str | None) -> None:
        """Rejects, with their reasons, the rows that fail a check, repeat an earlier line's uuid, or (adding to
        ``old``) carry a uuid the store already holds."""
        db = self.db
        self.store.query(f"INSERT INTO {db}.dropped SELECT record, reason, 0 FROM {db}.checks WHERE reason != ''")
        self.store.query(f"""
            INSERT INTO {db}.dropped
            SELECT s.record, concat('uuid ', toString(s.uuid), ' repeats line '), d.first
            FROM {db}.checks AS s
            INNER JOIN (SELECT uuid, min(record) AS first FROM {db}.checks WHERE reason = ''
                        GROUP BY uuid HAVING count() > 1) AS d ON s.uuid = d.uuid
            WHERE s.reason = '' AND s.record != d.first""")
        if old is not None:
            self.store.query(f"""
                INSERT INTO {db}.dropped
                SELECT record, concat('uuid ', toString(uuid), ' is already in the store: kept once'), 0
                FROM {db}.checks
                WHERE reason = '' AND record NOT IN (SELECT record FROM {db}.dropped)
                  AND uuid IN (SELECT uuid FROM {old}.events
                               WHERE uuid IN (SELECT uuid FROM {db}.checks WHERE reason = ''))""")
        self.good = int(
            self.store.scalar(
                f"SELECT count() FROM {db}.checks WHERE reason = '' AND record NOT IN (SELECT record FROM {db}.dropped)"
            )
        )

    def drop_repeats(self) -> None:
        """Take the dropped repeats out of the events, which took every valid row as it was read: every row of a
        dropped uuid goes, then the kept row of each (its first line, unless the store holds the uuid) is read
        again from the file. Nothing to do when no valid row was dropped, the usual case."""
        if self.good == self.valid:
            return
        db, store = self.db, self.store
        dropped = f"SELECT uuid FROM {db}.checks WHERE reason = '' AND record IN (SELECT record FROM {db}.dropped)"
        kept = (
            f"SELECT record FROM {db}.checks WHERE reason = '' AND uuid IN ({dropped}) "
            f"AND record NOT IN (SELECT record FROM {db}.dropped)"
        )
        store.query(f"DELETE FROM {self.target} WHERE uuid IN ({dropped})")
        store.query(
            f"INSERT INTO {self.target} SELECT {self._kept_columns()} FROM ({self._checked(kept)}) "
            f"WHERE reason = '' SETTINGS {READING}"
        )

    def rejected(self) -> list[tuple[int, str]]:
        """(line, reason) of every dropped row, in file order; a repeat names the line it repeats."""
        line = self._lines()
        found = self.store.json(f"SELECT record, reason, first FROM {self.db}.dropped ORDER BY record")["data"]
        return [
            (
                line(int(record)),
                f"{reason}{line(int(first))}: kept once" if reason.endswith(" repeats line ") else reason,
            )
            for record, reason, first in found
        ]

    def _lines(self) -> Callable[[int], int]:
        """Record number to the line it starts on: records after one that spans lines start further down."""
        spans = self.store.json(f"SELECT record, newlines FROM {self.db}.checks WHERE newlines > 0 ORDER BY record")[
            "data"
        ]
        starts = [int(record) for record, _ in spans]
        before: list[int] = []
        total = 0
        for _, newlines in spans:
            total += int(newlines)
            before.append(total)
        offset = self.reader.first_line()

        def line(record: int) -> int:
            i = bisect.bisect_left(starts, record)
            return record + 1 + offset + (before[i - 1] if i else 0)

        return line

    def store_events(self, old: str | None) -> int:
        """The build's events: the kept rows (already there, less the repeats) and, adding, the old events,
        linked not copied; ``touched`` (adding only) names the persons, distinct ids and sessions of the new rows."""
        db = self.db
        self.drop_repeats()
        if old is not None:
            self.store.query(
                f"CREATE TABLE {db}.touched ENGINE = MergeTree ORDER BY tuple() AS "
                f"SELECT DISTINCT person_id, distinct_id, `$session_id` AS session_id FROM {db}.events"
            )
            self.store.query(f"ALTER TABLE {db}.events ATTACH PARTITION ALL FROM {old}.events")
            self.store.query(f"INSERT INTO {db}.annotations SELECT * FROM {old}.annotations")
        return self.good

    def drop(self) -> None:
        for table in ("checking", "keeping", "staged", "checks", "dropped", "touched"):
            self.store.query(f"DROP TABLE IF EXISTS {self.db}.{table} SYNC")


def _derive(store: Store, db: str, old: str | None) -> None:
    """Persons, distinct ids and sessions from the events: those the new rows touch are made again from all
    their events (old and new), the rest (adding to ``old``) carried over as they were."""
    touched = f"(SELECT {{column}} FROM {db}.touched)"
    if old is not None:
        store.query(
            f"INSERT INTO {db}.persons SELECT * FROM {old}.persons WHERE id NOT IN {touched.format(column='person_id')}"
        )
        store.query(
            f"INSERT INTO {db}.person_distinct_ids SELECT * FROM {old}.person_distinct_ids "
            f"WHERE distinct_id NOT IN {touched.format(column='distinct_id')}"
        )
        store.query(
            f"INSERT INTO {db}.sessions SELECT * FROM {old}.sessions "
            f"WHERE session_id NOT IN {touched.format(column='session_id')}"
        )

    def only(column: str, key: str) -> str:
        return f"{key} IN {touched.format(column=column)}" if old is not None else "1"

    store.query(f"""
        INSERT INTO {db}.persons
        SELECT person_id, min(timestamp),
               argMax(person_properties, (person_properties NOT IN ('', '{{}}'), timestamp))
        FROM {db}.events WHERE {only("person_id", "person_id")} GROUP BY person_id""")
    store.query(f"""
        INSERT INTO {db}.person_distinct_ids
        SELECT distinct_id, argMax(person_id, timestamp) FROM {db}.events
        WHERE {only("distinct_id", "distinct_id")} GROUP BY distinct_id""")
    store.query(sessions_from_events(db, only("session_id", "`$session_id`")))


def _metadata(
    before: dict[str, str], reader: _Reader, added: int, rejected: int, total: int, at: datetime
) -> dict[str, object]:
    """What the build holds: the latest load (made ``at``), its predecessors (adding), sizes."""
    loads: list[dict[str, Any]] = json.loads(before.get("loads", "[]")) if before else []
    now = aware_utc(at).isoformat()
    loads.append(
        {"source": str(reader.source), "sha256": reader.checksum, "added": added, "rejected": rejected, "at": now}
    )
    return {
        "kind": "loaded",
        "source": str(reader.source),
        "sha256": reader.checksum,
        "events": total,
        "added": added,
        "rejected": rejected,
        "loads": json.dumps(loads[-MAX_LOADS_RECORDED:]),
        "generated_at": now,
    }


def _sha256(source: Path) -> str:
    digest = hashlib.sha256()
    with source.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _note(progress: Progress | None, message: str, fraction: float) -> None:
    if progress is not None:
        progress(message, fraction)


def _reading(progress: Progress | None, name: str, size: int) -> Callable[[dict[str, Any]], None] | None:
    """chDB's progress payloads as ``progress`` calls, at most a few a second (bytes read of the file's size)."""
    if progress is None:
        return None
    last = [0.0]

    def report(payload: dict[str, Any]) -> None:
        now = time.monotonic()
        if now - last[0] < 0.25:
            return
        last[0] = now
        read = int(payload.get("read_bytes", 0))
        rows = int(payload.get("read_rows", 0))
        progress(f"reading {name}: {rows:,} rows", min(0.99, read / size) if size else 0.0)

    return report


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """While a load runs, SIGTERM interrupts it as Ctrl-C does, so that the build database is dropped on the
    way out (SIGTERM's default would end the process on the spot and leave it for the next open to drop).
    Only the main thread may set a handler; elsewhere the default stands."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)
