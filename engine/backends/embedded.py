"""The embedded backend: HogQL on chDB (in-process ClickHouse) over a local copy of PostHog's tables.

It needs no account and no network: on first use it generates the default
demo product's dataset into the askhog home (``$ASKHOG_HOME``, ``$XDG_CACHE_HOME/askhog``
or ``~/.cache/askhog``) and every later run reuses it from disk.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from ..clock import Clock, aware_utc, utc_now
from ..demo.describe import taxonomy_from_data, taxonomy_from_json
from ..demo.generate import DEFAULT_EVENTS, DEFAULT_SEED, Progress, generate_demo, stderr_progress
from ..demo.products import demo_taxonomy
from ..demo.store import Store, demo_product, describe_metadata
from ..errors import DataNotLoaded
from ..hogql.lower import lower
from ..taxonomy import Taxonomy
from .base import Annotation, Table


class EmbeddedBackend:
    """``Backend`` over the askhog home's chDB store.

    A demo whose data ended before today is regenerated with its product, seed and size,
    so that "last 7 days" keeps meaning the last seven days. "Today" is ``clock``'s
    (the engine's, when the engine makes the backend): a pinned clock keeps a demo
    that ends on its day, and regenerates one to end at its now, whatever the wall
    clock says. ``generate=False`` never generates: an empty home raises
    ``DataNotLoaded`` and an old demo is used as it is. ``progress`` receives the
    generation's progress (stderr by default).
    """

    name = "embedded"

    def __init__(
        self,
        home: Path | str | None = None,
        *,
        generate: bool = True,
        progress: Progress | None = stderr_progress,
        clock: Clock = utc_now,
    ):
        self.store = Store(home)
        self._generate = generate
        self._clock = clock
        self._progress = progress
        self._ready = threading.Event()
        self._described: str | None = None
        self._taxonomy: tuple[str, Taxonomy] | None = None
        self._lock = threading.Lock()

    # -- Backend ------------------------------------------------------------------------------

    def run(self, hogql: str, values: dict[str, Any] | None = None) -> Table:
        """Lower HogQL to ClickHouse SQL (placeholders bound as literals) and run it."""
        return self.run_sql(lower(hogql, values or {}, self.taxonomy()))

    def run_sql(self, sql: str) -> Table:
        """Run hand-written ClickHouse SQL on the store (tests, benchmarks, reference queries)."""
        self._ensure_data()
        started = time.perf_counter()
        result = self.store.json(sql)
        elapsed = (time.perf_counter() - started) * 1000
        return Table(
            columns=tuple(m["name"] for m in result["meta"]),
            types=tuple(m["type"] for m in result["meta"]),
            rows=tuple(tuple(r) for r in result["data"]),
            query_ms=elapsed,
            source=self._described,
        )

    def taxonomy(self) -> Taxonomy:
        """The taxonomy of the data the store holds now: the demo product's definitions file for a demo, else the one
        a load read from its rows and stored beside them (read from the rows if a load stored none).

        Cached per database: every load or generation builds a new one, so new data is never described by
        the old data's taxonomy, however recently that was read."""
        self._ensure_data()
        database = self.store.database
        if self._taxonomy is None or self._taxonomy[0] != database:
            meta = self.info()
            if meta.get("kind") == "demo":
                taxonomy = demo_taxonomy(demo_product(meta))
            elif meta.get("taxonomy"):
                taxonomy = taxonomy_from_json(meta["taxonomy"])
            else:
                taxonomy = taxonomy_from_data(self.store)
            self._taxonomy = (database, taxonomy)
        return self._taxonomy[1]

    def annotations(self) -> list[Annotation]:
        rows = self.run_sql("SELECT date, content, scope FROM annotations ORDER BY date").rows
        return [Annotation(_parse_time(d), content, scope) for d, content, scope in rows]

    # -- the store ----------------------------------------------------------------------------

    def info(self) -> dict[str, str]:
        """What the store holds: kind (demo or loaded), seed, sizes, end, generated_at, or source and sha256."""
        return self.store.metadata()

    def describe_data(self) -> str:
        """The data answers come from, in words ("events loaded from export.jsonl (…, sha256 1a2b…)")."""
        self._ensure_data()
        return self._described or describe_metadata(self.info())

    def _ensure_data(self) -> None:
        if self._ready.is_set():
            return
        with self._lock:
            if self._ready.is_set():
                return
            meta = self.store.metadata()
            if not meta and not self._generate:
                raise DataNotLoaded(
                    f"no data in {self.store.home}: run `askhog demo` to generate the demo or `askhog load FILE`"
                )
            if not meta or (self._generate and _stale_demo(meta, self._clock())):
                generate_demo(
                    int(meta.get("requested_events", DEFAULT_EVENTS)),
                    int(meta.get("seed", DEFAULT_SEED)),
                    self.store.home,
                    self._progress,
                    clock=self._clock,
                    product=demo_product(meta),
                )
                self._taxonomy = None
                meta = self.store.metadata()
            self._described = describe_metadata(meta)
            self._ready.set()


def _stale_demo(meta: dict[str, str], now: datetime) -> bool:
    """A demo ending on an earlier (UTC) day than ``now``'s no longer ends "today"."""
    return meta.get("kind") == "demo" and _parse_time(meta["end"]).date() < aware_utc(now).date()


def _parse_time(text: str) -> datetime:
    """A moment the store holds as text: its metadata's ISO times (aware) or a DateTime column's (no zone: UTC)."""
    return aware_utc(datetime.fromisoformat(text))
