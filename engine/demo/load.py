"""Import events exported from PostHog (CSV, JSON lines, Parquet) into the embedded store.

PostHog's exports name the event columns as its events table does (``uuid``,
``event``, ``properties``, ``timestamp``, ``distinct_id``, ``person_id``,
``person_properties``, ``elements_chain``, ``$session_id``/``session_id``);
CSV exports may flatten properties into ``properties.<key>`` columns.

A bad row never fails the file: every row is checked first, and each one that
cannot be stored as it is (a malformed value, a time out of range, a field of
the wrong type, a duplicate uuid, a CSV row with the wrong number of fields,
bytes that are not UTF-8) is a rejected line with its reason. JSON lines are
split on ``\\n`` only (a JSON string may hold U+2028), a byte-order mark is
skipped. The rows then fill a new database that replaces the live one in one
atomic swap (``Store.rebuild``); an interrupted load, by Ctrl-C, SIGTERM or a
crash, leaves the previous data, and nothing else, behind.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import signal
import sys
import threading
import uuid as uuidlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..clock import utc_now
from ..errors import ExecutionError, LoadError
from .store import STAGED_PREFIX, Store, quote, sessions_from_events

MAX_REJECTS_IN_MESSAGE = 5
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
"""Event times outside [EARLIEST, LATEST) are rejected: nothing PostHog recorded is older, and a time past 2100
is a unit mix-up (milliseconds read as seconds), not an event."""
STRUCTURE = (
    "uuid String, event String, distinct_id String, person_id String, timestamp String, "
    "properties String, person_properties String, elements_chain String, session_id String"
)
_BOM = b"\xef\xbb\xbf"
_EPOCH = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


@dataclass(frozen=True)
class LoadReport:
    loaded: int
    rejected: list[tuple[int, str]] = field(default_factory=list)
    source: str = ""
    sha256: str = ""


@dataclass(frozen=True)
class Export:
    """An export file read and checked, not yet stored: the rows to store, the rejected lines, the checksum."""

    rows: list[dict[str, str]]
    rejected: list[tuple[int, str]]
    sha256: str


class _Reject(ValueError):
    """A row that cannot be loaded; the message says why."""


def load_file(path: Path | str, home: Path | str | None = None) -> LoadReport:
    """Replace the store's data with the events of one PostHog export file.

    Returns how many rows were loaded and which lines were rejected (with the
    reason); raises ``LoadError`` when the file cannot be read or no row is valid.
    """
    source = Path(path).expanduser()
    store = Store(home)
    with _terminate_as_interrupt():
        export = read_export(source, store)
        if not export.rows:
            shown = "; ".join(f"line {n}: {why}" for n, why in export.rejected[:MAX_REJECTS_IN_MESSAGE])
            raise LoadError(
                f"{source}: no valid events ({len(export.rejected)} rejected{': ' + shown if shown else ''})",
                export.rejected,
            )
        _replace_store(store, export.rows, source, len(export.rejected), export.sha256)
    return LoadReport(len(export.rows), export.rejected, str(source), export.sha256)


def read_export(path: Path | str, store: Store | None = None) -> Export:
    """Read and check every row of an export (``store`` reads Parquet; CSV and JSON lines need none).

    Never raises for a row: each bad one is a rejected line. ``LoadError`` only when the file itself cannot
    be read (missing, unknown format, not Parquet).
    """
    source = Path(path).expanduser()
    if not source.is_file():
        raise LoadError(f"{source}: no such file")
    checksum, rows = _read(source, store or Store())
    good: list[dict[str, str]] = []
    rejected: list[tuple[int, str]] = []
    first_seen: dict[str, int] = {}
    for line, raw in rows:
        try:
            row = _normalise(raw, line)
            if row["uuid"] in first_seen:
                raise _Reject(f"uuid {row['uuid']} repeats line {first_seen[row['uuid']]}: kept once")
            first_seen[row["uuid"]] = line
            good.append(row)
        except _Reject as why:
            rejected.append((line, str(why)))
    return Export(good, rejected, checksum)


@contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """While a load runs, SIGTERM interrupts it as Ctrl-C does, so that the build database and the staged rows
    are removed on the way out (SIGTERM's default would end the process on the spot and leave them for the
    next open to clean). Only the main thread may set a handler; elsewhere the default stands."""
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


# -- reading ---------------------------------------------------------------------------------

_Row = tuple[int, dict[str, Any]]


def _read(source: Path, store: Store) -> tuple[str, Iterator[_Row]]:
    """The file's SHA-256 and its rows, each with the line it starts on (a row that cannot even be read is an
    ``__error__`` row, rejected with that reason)."""
    suffix = source.suffix.lower()
    try:
        if suffix == ".parquet":
            return _sha256(source), _parquet_rows(source, store)
        if suffix not in (".csv", ".jsonl", ".ndjson", ".json"):
            raise LoadError(f"{source}: unknown format {suffix or '(no extension)'!r}; use .csv, .jsonl or .parquet")
        data = source.read_bytes()
    except OSError as exc:
        raise LoadError(f"{source}: cannot read it ({exc.strerror or exc})") from None
    checksum = hashlib.sha256(data).hexdigest()
    data = data[len(_BOM) :] if data.startswith(_BOM) else data
    return checksum, (_csv_rows(data) if suffix == ".csv" else _json_lines(data))


def _sha256(source: Path) -> str:
    digest = hashlib.sha256()
    with source.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _json_lines(data: bytes) -> Iterator[_Row]:
    """One JSON object a line, lines split on ``\\n`` only (a trailing ``\\r`` of CRLF dropped)."""
    for number, raw in enumerate(data.split(b"\n"), start=1):
        raw = raw[:-1] if raw.endswith(b"\r") else raw
        if not raw.strip():
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield number, {"__error__": f"not UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"}
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as exc:
            yield number, {"__error__": f"not valid JSON ({exc.msg} at column {exc.colno})"}
            continue
        except RecursionError:
            yield number, {"__error__": "JSON nested too deeply"}
            continue
        yield number, row if isinstance(row, dict) else {"__error__": "a line must be a JSON object"}


def _csv_rows(data: bytes) -> Iterator[_Row]:
    """CSV records with the line each starts on; a record with more or fewer fields than the header, or with
    bytes that are not UTF-8, is an error row."""
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    text = data.decode("utf-8", errors="surrogateescape")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return
    start = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, {"__error__": f"malformed CSV ({exc})"}
            start = reader.line_num + 1
            continue
        line, start = start, reader.line_num + 1
        if not record:
            continue
        if len(record) != len(header):
            yield line, {"__error__": f"the row has {len(record)} fields; the header has {len(header)}"}
        elif any(_not_utf8(value) for value in record):
            yield line, {"__error__": "not UTF-8"}
        else:
            yield line, dict(zip(header, record))


def _not_utf8(text: str) -> bool:
    return any("\udc80" <= c <= "\udcff" for c in text)


def _parquet_rows(source: Path, store: Store) -> Iterator[_Row]:
    try:
        text = store.query(f"SELECT * FROM file({quote(str(source.resolve()))}, Parquet)", "JSONEachRow")
    except ExecutionError as exc:
        raise LoadError(f"{source}: not a readable Parquet file ({exc})") from None
    for number, raw in enumerate(text.split("\n"), start=1):
        if raw.strip():
            row = json.loads(raw)
            yield number, row if isinstance(row, dict) else {"__error__": "a row must be an object"}


# -- validating ------------------------------------------------------------------------------


def _normalise(raw: dict[str, Any], line: int) -> dict[str, str]:
    if "__error__" in raw:
        raise _Reject(raw["__error__"])
    event = _text(raw.get("event"), "event").strip()
    if not event:
        raise _Reject("event is empty")
    properties = _json_object(raw.get("properties"), "properties")
    flattened = {k[len("properties.") :]: v for k, v in raw.items() if k.startswith("properties.") and v != ""}
    properties.update(flattened)
    distinct_id = _text(raw.get("distinct_id"), "distinct_id", numbers=True).strip()
    person_id = _uuid(raw.get("person_id"), "person_id")
    if not distinct_id and not person_id:
        raise _Reject("neither distinct_id nor person_id is set")
    session = raw.get("$session_id") or raw.get("session_id") or properties.get("$session_id")
    return {
        "uuid": _uuid(raw.get("uuid"), "uuid") or str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, f"askhog-row-{line}")),
        "event": event,
        "distinct_id": distinct_id or str(person_id),
        "person_id": person_id or str(uuidlib.uuid5(uuidlib.NAMESPACE_OID, distinct_id)),
        "timestamp": _timestamp(raw.get("timestamp")),
        "properties": _json_text(raw.get("properties"), properties, not flattened),
        "person_properties": _json_text(
            raw.get("person_properties"), _json_object(raw.get("person_properties"), "person_properties"), True
        ),
        "elements_chain": _text(raw.get("elements_chain"), "elements_chain"),
        "session_id": _text(session, "$session_id", numbers=True),
    }


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", list: "a list", dict: "an object"}.get(
        type(value), type(value).__name__
    )


def _text(value: Any, name: str, *, numbers: bool = False) -> str:
    """A text field; ``numbers`` also takes a whole number (``distinct_id: 42``). A list or an object is
    rejected, not stored as its Python spelling."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if numbers and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise _Reject(f"{name} must be text, not {_kind(value)}")


def _json_object(value: Any, name: str) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise _Reject(f"{name} is not valid JSON ({exc.msg})") from None
        except RecursionError:
            raise _Reject(f"{name} is nested too deeply") from None
    if not isinstance(value, dict):
        raise _Reject(f"{name} must be a JSON object, not {_kind(value)}")
    return value


def _json_text(original: Any, parsed: dict[str, Any], unchanged: bool) -> str:
    """The validated object as JSON text, reusing the export's own text when nothing was added."""
    if unchanged and isinstance(original, str) and original.strip():
        return original
    try:
        return json.dumps(parsed, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (ValueError, RecursionError):
        raise _Reject("properties hold a value JSON cannot write (NaN, infinity or too deep)") from None


def _uuid(value: Any, name: str) -> str | None:
    """A UUID in its canonical form (so that two spellings of one uuid are one), or None when absent."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _Reject(f"{name} must be a UUID string, not {_kind(value)}")
    try:
        return str(uuidlib.UUID(value.strip()))
    except ValueError:
        raise _Reject(f"{name} {value.strip()[:40]!r} is not a UUID") from None


def _timestamp(value: Any) -> str:
    """ISO 8601 (naive means UTC) or epoch seconds/milliseconds, between EARLIEST and LATEST, as UTC text."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _Reject("timestamp is missing")
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _Reject(f"timestamp must be a time, not {_kind(value)}")
    text = str(value).strip()
    if isinstance(value, (int, float)) or _EPOCH.fullmatch(text):
        number = float(value) if isinstance(value, (int, float)) else float(text)
        if not math.isfinite(number):
            raise _Reject(f"timestamp {text[:40]!r} is not a time")
        seconds = number / 1000 if abs(number) > 1e11 else number
        if not EARLIEST.timestamp() <= seconds < LATEST.timestamp():
            raise _Reject(f"timestamp {text[:40]} is out of range ({EARLIEST.year} to {LATEST.year - 1})")
        moment = datetime.fromtimestamp(seconds, UTC)
    else:
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            moment = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
        except ValueError:
            raise _Reject(f"timestamp {text[:40]!r} is not ISO 8601 or epoch seconds") from None
        except OverflowError:
            raise _Reject(f"timestamp {text[:40]!r} is out of range ({EARLIEST.year} to {LATEST.year - 1})") from None
        if not EARLIEST <= moment < LATEST:
            raise _Reject(f"timestamp {text[:40]!r} is out of range ({EARLIEST.year} to {LATEST.year - 1})")
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


# -- storing ---------------------------------------------------------------------------------


def _replace_store(store: Store, rows: list[dict[str, str]], source: Path, rejected: int, checksum: str) -> None:
    store.scratch.mkdir(parents=True, exist_ok=True)
    staged = store.scratch / f"{STAGED_PREFIX}{os.getpid()}-{uuidlib.uuid4().hex[:8]}.jsonl"
    try:
        with staged.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False))
                handle.write("\n")
        with store.rebuild() as db:
            store.query(f"""
                INSERT INTO {db}.events
                SELECT toUUID(uuid), event, distinct_id, toUUID(person_id),
                       toDateTime64(timestamp, 6, 'UTC'), properties, person_properties, elements_chain, session_id
                FROM file({quote(str(staged))}, JSONEachRow, {quote(STRUCTURE)})""")
            store.query(f"""
                INSERT INTO {db}.persons
                SELECT person_id, min(timestamp), argMax(person_properties, timestamp)
                FROM {db}.events GROUP BY person_id""")
            store.query(f"""
                INSERT INTO {db}.person_distinct_ids
                SELECT distinct_id, argMax(person_id, timestamp) FROM {db}.events GROUP BY distinct_id""")
            store.query(sessions_from_events(db))
            meta = {
                "kind": "loaded",
                "source": str(source.resolve()),
                "sha256": checksum,
                "events": len(rows),
                "rejected": rejected,
                "generated_at": utc_now().isoformat(),
            }
            store.write_metadata(db, meta)
    except ExecutionError as exc:
        raise LoadError(f"{source}: the store refused the rows ({exc}); nothing was loaded") from None
    finally:
        staged.unlink(missing_ok=True)
