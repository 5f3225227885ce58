"""The project's annotations, cohorts and experiments, as small typed values.

``diagnose`` lines a metric's change up with annotations ("release 2.3 on the
12th"), and the experiment workflow needs an experiment's flag and variants;
these readers turn PostHog's list endpoints into exactly that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ...errors import PostHogAPIError
from ..base import Annotation
from .client import PostHogClient
from .taxonomy import flag_variants, parse_time


class ExperimentNotFound(PostHogAPIError):
    """No experiment of the project has that name or flag key; ``known`` lists the ones there are."""

    def __init__(self, wanted: str, known: list[str]):
        self.known = known
        listed = ", ".join(known[:10]) or "none"
        super().__init__(f"no experiment named {wanted!r} in this project (experiments: {listed})")


@dataclass(frozen=True)
class Cohort:
    id: int
    name: str
    count: int | None
    is_static: bool


@dataclass(frozen=True)
class Experiment:
    """An experiment with what the analysis needs: its flag, variants and dates."""

    id: int
    name: str
    flag_key: str
    variants: tuple[str, ...]
    start: datetime | None
    end: datetime | None


def read_annotations(client: PostHogClient) -> list[Annotation]:
    out = []
    for item in client.paginate(_path(client, "annotations"), {"limit": 200}):
        when = parse_time(item.get("date_marker"))
        if item.get("deleted") or when is None:
            continue
        extra = {k: item[k] for k in ("id", "creation_type", "dashboard_item") if item.get(k) is not None}
        out.append(Annotation(when, str(item.get("content") or ""), str(item.get("scope") or "project"), extra))
    return sorted(out, key=lambda a: a.date)


def read_cohorts(client: PostHogClient) -> list[Cohort]:
    return [
        Cohort(int(item["id"]), str(item.get("name") or ""), item.get("count"), bool(item.get("is_static")))
        for item in client.paginate(_path(client, "cohorts"), {"limit": 200})
        if not item.get("deleted")
    ]


def read_experiments(client: PostHogClient) -> list[Experiment]:
    return [
        _experiment(item)
        for item in client.paginate(_path(client, "experiments"), {"limit": 200})
        if not item.get("deleted") and not item.get("archived")
    ]


def find_experiment(experiments: list[Experiment], name_or_key: str) -> Experiment:
    """The experiment whose name or flag key is ``name_or_key`` (exactly, else ignoring case)."""
    for exact in (True, False):
        for e in experiments:
            names = (e.name, e.flag_key)
            if (name_or_key in names) if exact else (name_or_key.casefold() in {n.casefold() for n in names}):
                return e
    raise ExperimentNotFound(name_or_key, [e.name for e in experiments])


def _experiment(item: dict[str, Any]) -> Experiment:
    flag = item.get("feature_flag") or {}
    variants = tuple(
        str(v["key"]) for v in (item.get("parameters") or {}).get("feature_flag_variants") or () if v.get("key")
    ) or flag_variants(flag)
    return Experiment(
        int(item["id"]),
        str(item.get("name") or ""),
        str(item.get("feature_flag_key") or flag.get("key") or ""),
        variants,
        parse_time(item.get("start_date")),
        parse_time(item.get("end_date")),
    )


def _path(client: PostHogClient, collection: str) -> str:
    return f"/api/projects/{client.config.project_id}/{collection}/"
