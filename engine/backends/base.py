"""What every backend returns and promises.

The embedded chDB store and a real PostHog project answer through the same
``Backend`` protocol, so the engine, the workflows and the evaluation never
know which one they talk to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from ..taxonomy import Taxonomy


@dataclass(frozen=True)
class Table:
    """A query result: column names, their ClickHouse/HogQL types, and rows; ``source`` names the data it was
    computed from when the backend knows (the embedded store: the demo and its seed, or a loaded file)."""

    columns: tuple[str, ...]
    types: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    has_more: bool = False
    query_ms: float | None = None
    source: str | None = field(default=None, compare=False)

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> list[Any]:
        i = self.columns.index(name)
        return [r[i] for r in self.rows]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, r)) for r in self.rows]

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "columns": list(self.columns),
            "types": list(self.types),
            "rows": [list(r) for r in self.rows],
            "hasMore": self.has_more,
        }
        if self.source is not None:
            found["source"] = self.source
        return found


@dataclass(frozen=True)
class Annotation:
    """A note pinned to a date (a release, a campaign, an outage); ``date`` is aware UTC, as every moment in
    askhog (``clock.aware_utc`` reads a backend's text so)."""

    date: datetime
    content: str
    scope: str = "project"
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@runtime_checkable
class Backend(Protocol):
    """Runs HogQL and describes the project's data.

    ``values`` binds the ``{placeholders}`` in ``hogql`` as constants, exactly as
    PostHog's query API does; a backend never splices them into text itself
    without escaping them.
    """

    name: str

    def run(self, hogql: str, values: dict[str, Any] | None = None) -> Table: ...

    def taxonomy(self) -> Taxonomy: ...

    def annotations(self) -> list[Annotation]: ...
