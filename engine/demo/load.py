"""Import events exported from PostHog (CSV, JSON lines, Parquet) into the embedded store.

PostHog's exports name the event columns as its events table does (``uuid``,
``event``, ``properties``, ``timestamp``, ``distinct_id``, ``person_id``,
``person_properties``, ``elements_chain``, ``$session_id``/``session_id``);
CSV exports may flatten properties into ``properties.<key>`` columns. Every row
is validated first and the store is rebuilt in a separate database that
replaces the live one only when everything succeeded: a failed load leaves
the previous data untouched.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import uuid as uuidlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from ..errors import ExecutionError, LoadError
from .store import Store, quote, sessions_from_events

MAX_REJECTS_IN_MESSAGE = 5
STRUCTURE = ("uuid String, event String, distinct_id String, person_id String, timestamp String, "
             "properties String, person_properties String, elements_chain String, session_id String")


@dataclass(frozen=True)
class LoadReport:
    loaded: int
    rejected: list[tuple[int, str]] = field(default_factory=list)
    source: str = ""


class _Reject(ValueError):
    """A row that cannot be loaded; the message says why."""


def load_file(path: Path | str, home: Path | str | None = None) -> LoadReport:
    """Replace the store's data with the events of one PostHog export file.

    Returns how many rows were loaded and which lines were rejected (with the
    reason); raises ``LoadError`` when the file cannot be read or no row is valid.
    """
    source = Path(path).expanduser()
    if not source.is_file():
        raise LoadError(f"{source}: no such file")
    store = Store(home)
    good: list[dict[str, str]] = []
    rejected: list[tuple[int, str]] = []
    for line, raw in _rows(source, store):
        try:
            good.append(_normalise(raw, line))
        except _Reject as why:
            rejected.append((line, str(why)))
    if not good:
        shown = "; ".join(f"line {n}: {why}" for n, why in rejected[:MAX_REJECTS_IN_MESSAGE])
        raise LoadError(f"{source}: no valid events ({len(rejected)} rejected{': ' + shown if shown else ''})", rejected)
    _replace_store(store, good, source, len(rejected))
    return LoadReport(len(good), rejected, str(source))


# -- reading ---------------------------------------------------------------------------------


def _rows(source: Path, store: Store) -> Iterator[tuple[int, dict[str, Any]]]:
    suffix = source.suffix.lower()
    try:
        if suffix == ".csv":
            yield from _csv_rows(source)
        elif suffix in (".jsonl", ".ndjson", ".json"):
            yield from _json_lines(source.read_text(encoding="utf-8").splitlines())
        elif suffix == ".parquet":
            text = store.query(f"SELECT * FROM file({quote(str(source.resolve()))}, Parquet)", "JSONEachRow")
            for number, (_, row) in enumerate(_json_lines(text.splitlines()), start=1):
                yield number, row
        else:
            raise LoadError(f"{source}: unknown format {suffix or '(no extension)'!r}; use .csv, .jsonl or .parquet")
    except UnicodeDecodeError as exc:
        raise LoadError(f"{source}: not UTF-8 text ({exc.reason})") from None
    except csv.Error as exc:
        raise LoadError(f"{source}: malformed CSV ({exc})") from None


def _csv_rows(source: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with source.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        start = 2  # line 1 is the header
        for row in reader:
            yield start, row
            start = reader.line_num + 1


def _json_lines(lines: list[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as exc:
            yield number, {"__error__": f"not valid JSON ({exc.msg})"}
            continue
        yield number, row if isinstance(row, dict) else {"__error__": "a line must be a JSON object"}


# -- validating ------------------------------------------------------------------------------


def _normalise(raw: dict[str, Any], line: int) -> dict[str, str]:
    if "__error__" in raw:
        raise _Reject(raw["__error__"])
    event = str(raw.get("event") or "").strip()
    if not event:
        raise _Reject("event is empty")
    properties = _json_object(raw.get("properties"), "properties")
    flattened = {k[len("properties."):]: v for k, v in raw.items() if k.startswith("properties.") and v != ""}
    properties.update(flattened)
    distinct_id = str(raw.get("distinct_id") or "").strip()
    person_id = str(raw.get("person_id") or "").strip()
    if not distinct_id and not person_id:
        raise _Reject("neither distinct_id nor person_id is set")
    return {
        "uuid": _uuid(raw.get("uuid"), "uuid") or str(uuidlib.uuid5(uuidlib.NAMESPACE_URL, f"askhog-row-{line}")),
        "event": event,
        "distinct_id": distinct_id or person_id,
        "person_id": _uuid(person_id, "person_id") or str(uuidlib.uuid5(uuidlib.NAMESPACE_OID, distinct_id)),
        "timestamp": _timestamp(raw.get("timestamp")),
        "properties": _json_text(raw.get("properties"), properties, not flattened),
        "person_properties": _json_text(raw.get("person_properties"),
                                        _json_object(raw.get("person_properties"), "person_properties"), True),
        "elements_chain": str(raw.get("elements_chain") or ""),
        "session_id": str(raw.get("$session_id") or raw.get("session_id") or properties.get("$session_id") or ""),
    }


def _json_object(value: Any, name: str) -> dict[str, Any]:
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise _Reject(f"{name} is not valid JSON ({exc.msg})") from None
    if not isinstance(value, dict):
        raise _Reject(f"{name} must be a JSON object, not {type(value).__name__}")
    return value


def _json_text(original: Any, parsed: dict[str, Any], unchanged: bool) -> str:
    """The validated object as JSON text, reusing the export's own text when nothing was added."""
    if unchanged and isinstance(original, str) and original.strip():
        return original
    return json.dumps(parsed, separators=(",", ":"), ensure_ascii=False)


_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")


def _uuid(value: Any, name: str) -> str | None:
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not _UUID.match(text):
        raise _Reject(f"{name} {text[:40]!r} is not a UUID")
    return text


def _timestamp(value: Any) -> str:
    """ISO 8601 (with or without zone; naive means UTC) or epoch seconds/milliseconds, as UTC text."""
    if value is None or str(value).strip() == "":
        raise _Reject("timestamp is missing")
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise _Reject(f"timestamp {text[:40]!r} is not ISO 8601 or epoch seconds") from None
    else:
        moment = datetime.fromtimestamp(number / 1000 if number > 1e11 else number, timezone.utc)
    moment = moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


# -- storing ---------------------------------------------------------------------------------


def _replace_store(store: Store, rows: list[dict[str, str]], source: Path, rejected: int) -> None:
    store.scratch.mkdir(parents=True, exist_ok=True)
    staged = store.scratch / "load.jsonl"
    with staged.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False))
            handle.write("\n")
    try:
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
            meta = {"kind": "loaded", "source": str(source), "events": len(rows), "rejected": rejected,
                    "generated_at": datetime.now(timezone.utc).isoformat()}
            store.write_metadata(db, meta)
    except ExecutionError as exc:
        raise LoadError(f"{source}: the store refused the rows ({exc}); nothing was loaded") from None
    finally:
        staged.unlink(missing_ok=True)
