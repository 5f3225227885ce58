"""Saving an answer's query as a PostHog insight, so it lives on in the project.

PostHog stores SQL insights as a ``DataVisualizationNode`` wrapping the
``HogQLQuery``; saving the same shape (with the ``values``) means the insight
opens in PostHog's SQL editor exactly as askhog ran it.
"""

from __future__ import annotations

from typing import Any

from ...errors import PostHogAPIError
from .cache import jsonable
from .client import PostHogClient


def insight_body(name: str, hogql: str, values: dict[str, Any] | None, dashboard: int | None) -> dict[str, Any]:
    source: dict[str, Any] = {"kind": "HogQLQuery", "query": hogql}
    if values:
        source["values"] = jsonable(values)
    body: dict[str, Any] = {
        "name": name,
        "query": {"kind": "DataVisualizationNode", "source": source},
        "saved": True,
        "description": "Saved by askhog",
    }
    if dashboard is not None:
        body["dashboards"] = [dashboard]
    return body


def save_insight(
    client: PostHogClient, name: str, hogql: str, values: dict[str, Any] | None = None, dashboard: int | None = None
) -> str:
    """Create the insight (on ``dashboard`` if given, which must exist) and return its URL."""
    if not name.strip():
        raise PostHogAPIError("an insight needs a name")
    base = f"/api/projects/{client.config.project_id}"
    if dashboard is not None:
        try:
            client.get(f"{base}/dashboards/{int(dashboard)}/")
        except PostHogAPIError as exc:
            if exc.status == 404:
                raise PostHogAPIError(f"no dashboard {dashboard} in project {client.config.project_id}", status=404) from None
            raise
    # not idempotent: a retry after a dropped connection could save the insight twice
    created = client.post(f"{base}/insights/", insight_body(name, hogql, values, dashboard), idempotent=False)
    short_id = created.get("short_id") if isinstance(created, dict) else None
    if not short_id:
        raise PostHogAPIError("PostHog created the insight but did not return its short_id")
    return f"{client.config.host}/project/{client.config.project_id}/insights/{short_id}"
