"""The project's annotations, cohorts and experiments, as small typed values.

``diagnose`` lines a metric's change up with annotations ("release 2.3 on the
12th"), and the experiment workflow needs an experiment's flag and variants;
these readers turn PostHog's list endpoints into exactly that.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ...errors import MalformedResponse, PostHogAPIError
from ..base import Annotation
from .client import PostHogClient
from .responses import need_object, optional_bool, optional_int, optional_str, variant_keys
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
    path = _path(client, "annotations")
    for i, item in enumerate(client.paginate(path, {"limit": 200})):
        when = parse_time(item.get("date_marker"))
        if optional_bool(item.get("deleted"), path, f"results[{i}].deleted") or when is None:
            continue
        extra = {k: item[k] for k in ("id", "creation_type", "dashboard_item") if item.get(k) is not None}
        content = optional_str(item.get("content"), path, f"results[{i}].content") or ""
        scope = optional_str(item.get("scope"), path, f"results[{i}].scope") or "project"
        out.append(Annotation(when, content, scope, extra))
    return sorted(out, key=lambda a: a.date)


def read_cohorts(client: PostHogClient) -> list[Cohort]:
    path = _path(client, "cohorts")
    return [
        Cohort(
            _id(item, path, i),
            optional_str(item.get("name"), path, f"results[{i}].name") or "",
            optional_int(item.get("count"), path, f"results[{i}].count"),
            bool(optional_bool(item.get("is_static"), path, f"results[{i}].is_static")),
        )
        for i, item in enumerate(client.paginate(path, {"limit": 200}))
        if not optional_bool(item.get("deleted"), path, f"results[{i}].deleted")
    ]


def read_experiments(client: PostHogClient) -> list[Experiment]:
    path = _path(client, "experiments")
    return [
        _experiment(item, path, f"results[{i}]")
        for i, item in enumerate(client.paginate(path, {"limit": 200}))
        if not optional_bool(item.get("deleted"), path, f"results[{i}].deleted")
        and not optional_bool(item.get("archived"), path, f"results[{i}].archived")
    ]


def find_experiment(experiments: list[Experiment], name_or_key: str) -> Experiment:
    """The experiment whose name or flag key is ``name_or_key`` (exactly, else ignoring case)."""
    for exact in (True, False):
        for e in experiments:
            names = (e.name, e.flag_key)
            if (name_or_key in names) if exact else (name_or_key.casefold() in {n.casefold() for n in names}):
                return e
    raise ExperimentNotFound(name_or_key, [e.name for e in experiments])


def _experiment(item: dict[str, Any], where: str, field: str) -> Experiment:
    flag = need_object(item.get("feature_flag") or {}, where, f"{field}.feature_flag")
    parameters = need_object(item.get("parameters") or {}, where, f"{field}.parameters")
    keys = variant_keys(parameters.get("feature_flag_variants"), where, f"{field}.parameters.feature_flag_variants")
    flag_key = (
        optional_str(item.get("feature_flag_key"), where, f"{field}.feature_flag_key")
        or optional_str(flag.get("key"), where, f"{field}.feature_flag.key")
        or ""
    )
    return Experiment(
        _id(item, where, field),
        optional_str(item.get("name"), where, f"{field}.name") or "",
        flag_key,
        tuple(keys) or flag_variants(flag, where, f"{field}.feature_flag"),
        parse_time(item.get("start_date")),
        parse_time(item.get("end_date")),
    )


def _id(item: dict[str, Any], where: str, field: str | int) -> int:
    label = field if isinstance(field, str) else f"results[{field}]"
    found = optional_int(item.get("id"), where, f"{label}.id")
    if found is None:
        raise MalformedResponse(f"PostHog's answer to {where} is malformed: {label}.id is missing")
    return found


def _path(client: PostHogClient, collection: str) -> str:
    return f"/api/projects/{client.config.project_id}/{collection}/"
