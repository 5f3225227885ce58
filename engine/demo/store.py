"""The on-disk chDB database of an askhog home: schema, one shared connection, atomic rebuilds.

chDB runs ClickHouse inside this process, and one process can have only one
chDB data path open at a time. ``Store`` objects therefore share a single
connection that moves to whichever home the current query needs (switching
costs a few tens of milliseconds), behind one lock: a chDB session must not
run two statements at once.

A rebuild (a demo, a load) fills a new database of its own name; the swap is
one atomic rename of a pointer file (``chdb.current``) naming the live
database, written only once the new database is complete. Opening a home
repairs whatever an interrupted swap left: the database the pointer names is
live, and every other askhog database there (a build cut short, an old copy
not yet dropped) is dropped. At no moment does the home hold no live data, so
an interrupted load never makes room for the demo to be regenerated over it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from chdb import session as chdb_session

from ..errors import ExecutionError
from ..paths import cache_home
from . import products
from .literals import quote

LIVE = "askhog"
"""The live database of a home that never swapped (and of one made before the pointer file existed)."""
POINTER = "chdb.current"
"""File in the home naming the live database; replacing it is the swap."""
_DATABASE = re.compile(rf"^{LIVE}(_build|_[0-9a-f]{{12}})?$")

# Plain JSON in generated properties; numbers as numbers and ISO timestamps in results, as PostHog answers.
SESSION_SETTINGS = (
    "output_format_json_escape_forward_slashes = 0",
    "output_format_json_quote_64bit_integers = 0",
    "date_time_output_format = 'iso'",
)

_lock = threading.RLock()
_open: dict[str, Any] = {"path": None, "session": None, "database": None}


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


TABLES = ("events", "persons", "person_distinct_ids", "sessions", "annotations", "metadata")
"""The tables ``schema`` creates."""


def sessions_from_events(db: str, where: str = "1") -> str:
    """PostHog's session summary, aggregated from the events that carry a ``$session_id`` (and match ``where``).

    A bounce is a session with one pageview and nothing else but its pageleave. Only pageviews' properties are
    parsed for the entry path (the other events' are never read).
    """
    return f"""
    INSERT INTO {db}.sessions
    SELECT `$session_id`, argMin(distinct_id, timestamp), argMin(person_id, timestamp),
           min(timestamp) AS lo, max(timestamp) AS hi, dateDiff('second', lo, hi),
           countIf(event = '$pageview') AS views, count() AS n,
           argMinIf(if(event = '$pageview', JSONExtractString(properties, '$pathname'), ''), timestamp,
                    event = '$pageview'),
           views = 1 AND n - countIf(event = '$pageleave') = 1
    FROM {db}.events WHERE `$session_id` != '' AND ({where}) GROUP BY `$session_id`"""


class Store:
    """One home's database; every statement goes through the shared, locked connection."""

    def __init__(self, home: Path | str | None = None):
        self.home = Path(home).expanduser() if home else default_home()
        self.path = self.home / "chdb"
        self.scratch = self.home / "tmp"
        self.pointer = self.home / POINTER

    # -- raw access ----------------------------------------------------------------------------

    @property
    def database(self) -> str:
        """The live database's name (the store is opened, and repaired, if it was not)."""
        with _lock:
            self._session()
            return str(_open["database"])

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
            try:
                for setting in SESSION_SETTINGS:
                    sess.query(f"SET {setting}")
                live = self._repair(sess)
                sess.query(f"USE {live}")
            except Exception as exc:  # chDB raises its own types and RuntimeError
                sess.close()
                raise ExecutionError(f"cannot open the embedded store at {path}: {clean_message(str(exc))}") from None
            except BaseException:
                sess.close()
                raise
            _open["session"], _open["path"], _open["database"] = sess, path, live
        return _open["session"]

    def _repair(self, sess: Any) -> str:
        """The live database, after putting right what an interrupted swap left (see the module).

        The pointer's database when it exists; else the one a home had before pointers (``askhog``); else the
        newest complete one; else a new, empty ``askhog``. Every other askhog database (a build or a scratch
        database cut short) is dropped.
        """
        present = {row[0] for row in _rows(sess, "SELECT name FROM system.databases")}
        ours = {name for name in present if _DATABASE.match(name)}
        pointed = self._pointed()
        if pointed is not None and pointed in ours:
            live = pointed
        else:
            live = LIVE if LIVE in ours else _newest_complete(sess, ours) or LIVE
        tables = {row[0] for row in _rows(sess, f"SELECT name FROM system.tables WHERE database = '{live}'")}
        if not set(TABLES) <= tables:
            for statement in schema(live):  # a new home, or one made before a table was added
                sess.query(statement)
        for stale in sorted(ours - {live}):
            sess.query(f"DROP DATABASE IF EXISTS {stale} SYNC")
        return live

    def _pointed(self) -> str | None:
        try:
            name = self.pointer.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return name if _DATABASE.match(name) else None

    def _point_to(self, database: str) -> None:
        """Make ``database`` the live one: write the pointer beside the old one, flush it, rename it over."""
        self.home.mkdir(parents=True, exist_ok=True)
        staged = self.pointer.with_name(f"{POINTER}.{os.getpid()}.tmp")
        with staged.open("w", encoding="utf-8") as handle:
            handle.write(database + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(staged, self.pointer)
        _fsync_directory(self.home)

    @contextmanager
    def progress(self, callback: Callable[[dict[str, Any]], None] | None) -> Iterator[None]:
        """chDB calls ``callback`` with its progress payloads (rows and bytes read so far) while the block's
        statements run; ``None`` leaves them silent. chDB's Session keeps the connection that takes the
        callback in its ``_conn``; a chDB without it runs silent."""
        with _lock:
            connection: Any = getattr(self._session(), "_conn", None)
            setter = getattr(connection, "set_progress_callback", None)
            if callback is None or setter is None:
                yield
                return
            setter(callback)
            try:
                yield
            finally:
                setter(None)

    @contextmanager
    def scratch_database(self) -> Iterator[str]:
        """A database of its own for work that is never kept (checking a file); dropped after the block, or, if
        the process dies first, by the next open's repair (its name is an askhog database's)."""
        with _lock:
            self._session()
            name = f"{LIVE}_{uuid.uuid4().hex[:12]}"
            self.query(f"CREATE DATABASE {name}")
            try:
                yield name
            finally:
                self.query(f"DROP DATABASE IF EXISTS {name} SYNC")

    @staticmethod
    def release() -> None:
        """Close the shared connection (the data stays on disk; the next query reopens it).

        Lets other code in the process open a chDB session on another path.
        """
        with _lock:
            if _open["session"] is not None:
                _open["session"].close()
            _open["session"], _open["path"], _open["database"] = None, None, None

    # -- state ---------------------------------------------------------------------------------

    def metadata(self) -> dict[str, str]:
        return {k: v for k, v in self.json("SELECT key, value FROM metadata")["data"]}

    def describe(self) -> str:
        """Which data the store holds, in words: the demo and its seed, or the loaded file and its checksum."""
        return describe_metadata(self.metadata())

    def write_metadata(self, db: str, meta: dict[str, object]) -> None:
        """Record what a (re)build put in ``db``: kind, sizes, seed or source, and when."""
        rows = ", ".join(f"({quote(k)}, {quote(str(v))})" for k, v in meta.items())
        self.query(f"INSERT INTO {db}.metadata VALUES {rows}")

    @contextmanager
    def rebuild(self) -> Iterator[str]:
        """A fresh database to fill; it replaces the live one only if the block finishes.

        Yields the build database's name. On any exception (a Ctrl-C included) the build is
        dropped and the live data stays exactly as it was; if even that is cut short, the next
        open drops it. The swap is the pointer file's rename; the old database is dropped after it.
        Anything cut short after the build closes the connection, so that the next query reopens
        the store and repairs it from the pointer: the connection never goes on reading a database
        the pointer no longer names.
        """
        with _lock:
            self._session()
            old = str(_open["database"])
            build = f"{LIVE}_{uuid.uuid4().hex[:12]}"
            try:
                for statement in schema(build):
                    self.query(statement)
                yield build
            except BaseException:
                with contextlib.suppress(ExecutionError):  # else the next open drops it
                    self.query(f"DROP DATABASE IF EXISTS {build} SYNC")
                raise
            try:
                self._point_to(build)
                _open["database"] = build
                self.query(f"USE {build}")
                self.query(f"DROP DATABASE IF EXISTS {old} SYNC")
            except BaseException:
                self.release()
                raise


def describe_metadata(meta: dict[str, str]) -> str:
    """What ``meta`` (a store's metadata table) says the store holds, for answers and ``askhog load``."""
    if meta.get("kind") == "demo":
        title = products.TITLES.get(demo_product(meta), "unknown")
        return (
            f"the {title} demo (seed {meta.get('seed', '?')}, {int(meta.get('events', 0)):,} events, "
            f"ending {meta.get('end', '?')[:16].replace('T', ' ')} UTC)"
        )
    if meta.get("kind") == "loaded":
        checksum = meta.get("sha256", "")
        earlier = len(json.loads(meta.get("loads", "[]"))) - 1
        return (
            f"events loaded from {Path(meta.get('source', '?')).name}"
            f"{f' and {earlier} earlier file' + ('s' if earlier > 1 else '') if earlier > 0 else ''} "
            f"({int(meta.get('events', 0)):,} events{f', sha256 {checksum[:12]}' if checksum else ''}, "
            f"loaded {meta.get('generated_at', '?')[:16].replace('T', ' ')} UTC)"
        )
    return "no data yet"


def demo_product(meta: dict[str, str]) -> str:
    """The demo product a store's metadata names (stores made before there were several hold the default)."""
    return meta.get("product") or products.DEFAULT


def _rows(sess: Any, sql: str) -> list[list[Any]]:
    result = sess.query(sql, "JSONCompact")
    text = result.bytes().decode("utf-8") if hasattr(result, "bytes") else str(result)
    return list(json.loads(text)["data"]) if text.strip() else []


def _newest_complete(sess: Any, databases: set[str]) -> str | None:
    """Of ``databases``, the most recently built one that has its metadata (a build writes it last)."""
    built: list[tuple[str, str]] = []
    for name in databases:
        try:
            found = _rows(sess, f"SELECT value FROM {name}.metadata WHERE key = 'generated_at'")
        except Exception:  # chDB's own error types: a database without the table is not complete
            continue
        if found:
            built.append((str(found[0][0]), name))
    return max(built)[1] if built else None


def _fsync_directory(path: Path) -> None:
    """Make a rename in ``path`` durable (a no-op where directories cannot be opened, as on Windows)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


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
