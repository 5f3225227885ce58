"""Saving an answer as a PostHog insight, so it lives on in the project.

The body carries PostHog's insight ``query`` as its UI stores it: a native ``InsightVizNode`` (trends, funnel,
retention …) that a PostHog user can open, edit and break down, or for an answer no native kind can express a
``DataVisualizationNode`` wrapping the ``HogQLQuery`` (with its ``values``), which opens in PostHog's SQL editor
exactly as askhog ran it. ``askhog.insight`` decides which; this module only sends it.
"""

from __future__ import annotations

from typing import Any

from ...errors import PostHogAPIError
from ...insight import hogql_insight
from .client import PostHogClient

DEFAULT_DESCRIPTION = "Saved by askhog"


def insight_body(
    name: str, query: dict[str, Any], dashboard: int | None, description: str = DEFAULT_DESCRIPTION
) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, "query": query, "saved": True, "description": description}
    if dashboard is not None:
        body["dashboards"] = [dashboard]
    return body


def save_query(
    client: PostHogClient,
    name: str,
    query: dict[str, Any],
    dashboard: int | None = None,
    description: str = DEFAULT_DESCRIPTION,
) -> str:
    """Create the insight from its ``query`` (on ``dashboard`` if given, which must exist) and return its URL."""
    if not name.strip():
        raise PostHogAPIError("an insight needs a name")
    base = f"/api/projects/{client.config.project_id}"
    if dashboard is not None:
        try:
            client.get(f"{base}/dashboards/{int(dashboard)}/")
        except PostHogAPIError as exc:
            if exc.status == 404:
                raise PostHogAPIError(
                    f"no dashboard {dashboard} in project {client.config.project_id}", status=404
                ) from None
            raise
    # not idempotent: a retry after a dropped connection could save the insight twice
    created = client.post(f"{base}/insights/", insight_body(name, query, dashboard, description), idempotent=False)
    short_id = created.get("short_id") if isinstance(created, dict) else None
    if not isinstance(short_id, str) or not short_id:
        raise PostHogAPIError("PostHog created the insight but did not return its short_id")
    return f"{client.config.host}/project/{client.config.project_id}/insights/{short_id}"


def save_insight(
    client: PostHogClient, name: str, hogql: str, values: dict[str, Any] | None = None, dashboard: int | None = None
) -> str:
    """Save hand-written HogQL as a SQL insight (an answer goes through ``save_query`` with its own kind)."""
    return save_query(client, name, hogql_insight(hogql, values, "hand-written HogQL").query, dashboard)
