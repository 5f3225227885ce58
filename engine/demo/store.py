"""The on-disk chDB database of an askhog home: schema, one shared connection, atomic rebuilds.

chDB runs ClickHouse inside this process, and one process can have only one
chDB data path open at a time. ``Store`` objects therefore share a single
connection that moves to whichever home the current query needs (switching
costs a few tens of milliseconds), behind one lock: a chDB session must not
run two statements at once.
"""

from __future__ import annotations

import json
import re
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from chdb import session as chdb_session

from ..errors import ExecutionError
from ..paths import cache_home

LIVE = "askhog"
BUILD = "askhog_build"

# Plain JSON in generated properties; numbers as numbers and ISO timestamps in results, as PostHog answers.
SESSION_SETTINGS = (
    "output_format_json_escape_forward_slashes = 0",
    "output_format_json_quote_64bit_integers = 0",
    "date_time_output_format = 'iso'",
)

_lock = threading.RLock()
_open: dict[str, Any] = {"path": None, "session": None}


def default_home() -> Path:
    """``$ASKHOG_HOME``, else ``$XDG_CACHE_HOME/askhog``, else ``~/.cache/askhog``."""
    return cache_home().expanduser()


def schema(db: str) -> list[str]:
    """The tables, mirroring PostHog's own so the same HogQL runs here and on PostHog."""
    return [
        f"CREATE DATABASE IF NOT EXISTS {db}",
        # Like PostHog's sharded_events: nearly every query filters on the event name and a
        # time range first, so (event, day) lead the sort key and monthly partitions prune old data.
        f"""CREATE TABLE IF NOT EXISTS {db}.events (
            uuid UUID, event String, distinct_id String, person_id UUID,
            timestamp DateTime64(6, 'UTC'), properties String, person_properties String,
            elements_chain String, `$session_id` String
        ) ENGINE = MergeTree PARTITION BY toYYYYMM(timestamp)
          ORDER BY (event, toDate(timestamp), person_id, timestamp)""",
        f"""CREATE TABLE IF NOT EXISTS {db}.persons (
            id UUID, created_at DateTime64(6, 'UTC'), properties String
        ) ENGINE = MergeTree ORDER BY id""",
        f"""CREATE TABLE IF NOT EXISTS {db}.person_distinct_ids (
            distinct_id String, person_id UUID
        ) ENGINE = MergeTree ORDER BY distinct_id""",
        f"""CREATE TABLE IF NOT EXISTS {db}.sessions (
            session_id String, distinct_id String, person_id UUID,
            min_timestamp DateTime64(6, 'UTC'), max_timestamp DateTime64(6, 'UTC'),
            duration Int64, pageview_count Int64, event_count Int64, entry_pathname String, is_bounce UInt8
        ) ENGINE = MergeTree ORDER BY (toDate(min_timestamp), session_id)""",
        f"""CREATE TABLE IF NOT EXISTS {db}.annotations (
            date DateTime('UTC'), content String, scope String
        ) ENGINE = MergeTree ORDER BY date""",
        f"CREATE TABLE IF NOT EXISTS {db}.metadata (key String, value String) ENGINE = MergeTree ORDER BY key",
    ]


def sessions_from_events(db: str) -> str:
    """PostHog's session summary, aggregated from the events that carry a ``$session_id``.

    A bounce is a session with one pageview and nothing else but its pageleave.
    """
    return f"""
    INSERT INTO {db}.sessions
    SELECT `$session_id`, argMin(distinct_id, timestamp), argMin(person_id, timestamp),
           min(timestamp) AS lo, max(timestamp) AS hi, dateDiff('second', lo, hi),
           countIf(event = '$pageview') AS views, count() AS n,
           argMinIf(JSONExtractString(properties, '$pathname'), timestamp, event = '$pageview'),
           views = 1 AND n - countIf(event = '$pageleave') = 1
    FROM {db}.events WHERE `$session_id` != '' GROUP BY `$session_id`"""


def quote(value: str) -> str:
    """A ClickHouse string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class Store:
    """One home's database; every statement goes through the shared, locked connection."""

    def __init__(self, home: Path | str | None = None):
        self.home = Path(home).expanduser() if home else default_home()
        self.path = self.home / "chdb"
        self.scratch = self.home / "tmp"

    # -- raw access ----------------------------------------------------------------------------

    def query(self, sql: str, fmt: str = "JSONCompact") -> str:
        """Run one statement in the live database and return its output text."""
        with _lock:
            sess = self._session()
            try:
                result = sess.query(sql, fmt)
            except Exception as exc:  # chDB raises its own and RuntimeError; both carry ClickHouse's text
                raise ExecutionError(clean_message(str(exc))) from None
            return result.bytes().decode("utf-8") if hasattr(result, "bytes") else str(result)

    def json(self, sql: str) -> dict[str, Any]:
        text = self.query(sql, "JSONCompact")
        return json.loads(text) if text.strip() else {"meta": [], "data": []}

    def scalar(self, sql: str) -> Any:
        data = self.json(sql)["data"]
        return data[0][0] if data else None

    def _session(self) -> Any:
        path = str(self.path)
        if _open["path"] != path:
            self.release()
            self.path.mkdir(parents=True, exist_ok=True)
            try:
                sess = chdb_session.Session(path)
            except RuntimeError as exc:  # another chDB session of this process holds a different path
                raise ExecutionError(f"cannot open the embedded store at {path}: {clean_message(str(exc))}") from None
            for setting in SESSION_SETTINGS:
                sess.query(f"SET {setting}")
            for statement in schema(LIVE):
                sess.query(statement)
            sess.query(f"USE {LIVE}")
            _open["session"], _open["path"] = sess, path
        return _open["session"]

    @staticmethod
    def release() -> None:
        """Close the shared connection (the data stays on disk; the next query reopens it).

        Lets other code in the process open a chDB session on another path.
        """
        with _lock:
            if _open["session"] is not None:
                _open["session"].close()
            _open["session"], _open["path"] = None, None

    # -- state ---------------------------------------------------------------------------------

    def metadata(self) -> dict[str, str]:
        return {k: v for k, v in self.json("SELECT key, value FROM metadata")["data"]}

    def write_metadata(self, db: str, meta: dict[str, object]) -> None:
        """Record what a (re)build put in ``db``: kind, sizes, seed or source, and when."""
        rows = ", ".join(f"({quote(k)}, {quote(str(v))})" for k, v in meta.items())
        self.query(f"INSERT INTO {db}.metadata VALUES {rows}")

    @contextmanager
    def rebuild(self) -> Iterator[str]:
        """A fresh database to fill; it replaces the live one only if the block finishes.

        Yields the build database's name. On any exception the build is dropped and
        the live data stays exactly as it was.
        """
        with _lock:
            self.query(f"DROP DATABASE IF EXISTS {BUILD} SYNC")
            for statement in schema(BUILD):
                self.query(statement)
            try:
                yield BUILD
            except BaseException:
                self.query(f"DROP DATABASE IF EXISTS {BUILD} SYNC")
                raise
            self.query("USE system")
            self.query(f"DROP DATABASE IF EXISTS {LIVE} SYNC")
            self.query(f"RENAME DATABASE {BUILD} TO {LIVE}")
            self.query(f"USE {LIVE}")


_NOISE = (
    re.compile(r"^Code: \d+\.\s*"),
    re.compile(r"^DB::Exception:\s*"),
    re.compile(r"\s*\(version [^)]*\)\.?$"),
    re.compile(r"\s*\([A-Z_]+\)\.?$"),
    re.compile(r"\s*Expected one of:.*$"),
)


def clean_message(text: str) -> str:
    """ClickHouse's first line, without the error code, stack trace, version or list of expected tokens."""
    line = next((ln.strip() for ln in text.strip().splitlines() if ln.strip()), "query failed")
    for pattern in _NOISE:
        line = pattern.sub("", line)
    return line.rstrip(" :") or "query failed"
