"""A real PostHog project behind the same ``Backend`` protocol as the embedded demo.

The engine, the workflows and the evaluation call ``run``, ``taxonomy`` and
``annotations`` without knowing which backend answers; the PostHog-only
extras (server-side ``check``, experiments, cohorts, saving insights,
``doctor``) live here too so the CLI has one object to hold.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from ...clock import Clock, utc_now
from ...errors import Problem
from ...hogql.parsing import line_column
from ...taxonomy import Taxonomy
from ..base import Annotation, Table
from .cache import TTLCache
from .client import PostHogClient
from .config import PostHogConfig, key_is_configured
from .doctor import DoctorReport, doctor
from .insights import DEFAULT_DESCRIPTION, save_insight, save_query
from .metrics import QueryMetrics
from .project_data import Cohort, Experiment, find_experiment, read_annotations, read_cohorts, read_experiments
from .responses import metadata_notices
from .taxonomy import load_taxonomy

_ANNOTATIONS, _TAXONOMY, _EXPERIMENTS = "annotations", "taxonomy", "experiments"


_T = TypeVar("_T")


class PostHogBackend:
    """Runs HogQL on a PostHog project; project metadata is cached for ``config.taxonomy_ttl`` seconds."""

    name = "posthog"

    def __init__(self, client: PostHogClient, *, now: Clock = utc_now):
        self.client = client
        self._now = now
        self._meta: TTLCache[Any] = TTLCache(client.config.taxonomy_ttl, 8, clock=client.clock)

    @classmethod
    def from_config(cls, config: PostHogConfig) -> PostHogBackend:
        return cls(PostHogClient(config))

    def __repr__(self) -> str:
        return f"PostHogBackend({self.client!r})"

    @property
    def metrics(self) -> QueryMetrics:
        return self.client.metrics

    def close(self) -> None:
        self.client.close()

    # -- Backend protocol -------------------------------------------------------------------

    def run(self, hogql: str, values: dict[str, Any] | None = None) -> Table:
        return self.client.query(hogql, values, name="askhog")

    def taxonomy(self) -> Taxonomy:
        return self._cached(_TAXONOMY, lambda: load_taxonomy(self.client, now=self._now()))

    def annotations(self) -> list[Annotation]:
        return list(self._cached(_ANNOTATIONS, lambda: read_annotations(self.client)))

    # -- PostHog extras ---------------------------------------------------------------------

    def check(self, hogql: str, values: dict[str, Any] | None = None) -> list[Problem]:
        """PostHog's own verdict on the query (its errors and warnings, with positions), without running it."""
        notices = metadata_notices(self.client.metadata(hogql, values), "the metadata query")
        problems: list[Problem] = []
        for key, severity in (("errors", "error"), ("warnings", "warning")):
            for notice in notices[key]:
                line, column = line_column(hogql, notice.start) if notice.start is not None else (None, None)
                problems.append(
                    Problem(f"posthog_{severity}", notice.message.rstrip("."), line, column, notice.fix, severity)
                )
        return problems

    def experiments(self) -> list[Experiment]:
        return list(self._cached(_EXPERIMENTS, lambda: read_experiments(self.client)))

    def experiment(self, name_or_key: str) -> Experiment:
        """The experiment by name or flag key; ``ExperimentNotFound`` lists the project's experiments."""
        return find_experiment(self.experiments(), name_or_key)

    def cohorts(self) -> list[Cohort]:
        return read_cohorts(self.client)

    def save_insight(
        self, name: str, hogql: str, values: dict[str, Any] | None = None, dashboard: int | None = None
    ) -> str:
        return save_insight(self.client, name, hogql, values, dashboard)

    def save_query(
        self, name: str, query: dict[str, Any], dashboard: int | None = None, description: str = DEFAULT_DESCRIPTION
    ) -> str:
        """Save an insight ``query`` (``Answer.to_insight()``: native or HogQL) and return its URL."""
        return save_query(self.client, name, query, dashboard, description)

    def doctor(self) -> DoctorReport:
        return doctor(self.client.config)

    def refresh(self) -> None:
        """Forget cached results and project metadata (after the project changed)."""
        self._meta.clear()
        self.client.cache.clear()

    def _cached(self, key: str, load: Callable[[], _T]) -> _T:
        found = self._meta.get(key)
        if found is None:
            found = load()
            self._meta.put(key, found)
        return found


def backend_from_settings(
    host: str | None = None,
    project_id: str | int | None = None,
    *,
    api_key: str | None = None,
    environ: Mapping[str, str] | None = None,
    now: Clock = utc_now,
    **settings: object,
) -> PostHogBackend | None:
    """For the CLI: a PostHog backend when a key is configured (flags win over env), else ``None`` for the demo.

    ``now`` pins the backend's clock (``--now``); ``settings`` are further ``PostHogConfig`` fields.
    Raises ``ConfigError`` when a key is set but the project id or host is missing or malformed.
    """
    env = os.environ if environ is None else environ
    if not key_is_configured(env, api_key):
        return None
    config = PostHogConfig.from_env(env, host=host, project_id=project_id, api_key=api_key, **settings)
    return PostHogBackend(PostHogClient(config), now=now)
