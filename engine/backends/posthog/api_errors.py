"""Turning PostHog's HTTP answers into askhog's typed errors.

PostHog (Django REST framework) answers errors with ``{type, code, detail,
attr}``; proxies in front of it answer HTML or plain text. Both must end as a
sentence a person can act on, with the numbers a caller needs to decide
whether to retry (status, ``retry_after``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...errors import (
    AuthenticationError,
    PostHogAPIError,
    ProjectNotFound,
    QueryError,
    QuerySyntaxError,
    RateLimited,
    ServerError,
)
from ...hogql.parsing import line_column

_THROTTLE_SECONDS = re.compile(r"available in (\d+(?:\.\d+)?) seconds?", re.IGNORECASE)
_BODY_EXCERPT = 200


@dataclass(frozen=True)
class ErrorBody:
    """PostHog's error fields; all ``None`` when the body was not PostHog's JSON."""

    type: str | None = None
    code: str | None = None
    detail: str | None = None
    attr: str | None = None
    start: int | None = None
    end: int | None = None
    raw: str = ""


def parse_error_body(content: bytes) -> ErrorBody:
    text = content.decode("utf-8", errors="replace").strip()
    try:
        data = json.loads(text) if text else None
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return ErrorBody(raw=text)
    detail = data.get("detail")
    if detail is None and "error" in data:
        detail = data["error"]
    return ErrorBody(
        type=_str_or_none(data.get("type")),
        code=_str_or_none(data.get("code")),
        detail=_str_or_none(detail),
        attr=_str_or_none(data.get("attr")),
        start=_int_or_none(data.get("start")),
        end=_int_or_none(data.get("end")),
        raw=text,
    )


def retry_after_seconds(headers: Mapping[str, str], detail: str | None) -> float | None:
    """Seconds PostHog asked us to wait: the Retry-After header, else the figure in the throttle message."""
    header = headers.get("retry-after") or headers.get("Retry-After")
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            pass  # an HTTP-date: fall back to the detail text, then to backoff
    if detail:
        found = _THROTTLE_SECONDS.search(detail)
        if found:
            return float(found.group(1))
    return None


def error_for_response(
    status: int,
    content: bytes,
    headers: Mapping[str, str],
    *,
    path: str,
    project_id: str,
    query: str | None = None,
) -> PostHogAPIError:
    """The typed error for a non-2xx answer to ``path`` (query text lets syntax errors point at the spot)."""
    body = parse_error_body(content)
    fields: dict[str, Any] = {"status": status, "code": body.code, "detail": body.detail, "attr": body.attr}
    said = body.detail or _excerpt(body.raw) or "no explanation in the response"
    if status in (401, 403):
        hint = (
            "check POSTHOG_PERSONAL_API_KEY (it may be revoked or mistyped)"
            if status == 401
            else "the key lacks a scope this call needs (query:read, project:read, insight:write …) "
            "or cannot see this project"
        )
        return AuthenticationError(f"PostHog refused the API key ({status}): {said}; {hint}", **fields)
    if status == 404 and _is_project_path(path, project_id):
        return ProjectNotFound(
            f"PostHog has no project {project_id} visible to this key ({said}); "
            "check POSTHOG_PROJECT_ID (the number in /project/<id>/ in PostHog's URL)",
            **fields,
        )
    if status == 429:
        wait = retry_after_seconds(headers, body.detail)
        after = f"; retry in {wait:g}s" if wait is not None else ""
        return RateLimited(f"PostHog rate limit reached (429): {said}{after}", retry_after=wait, **fields)
    if status >= 500:
        return ServerError(f"PostHog server error {status} on {path}: {said}", **fields)
    if status == 400 and query is not None:
        return query_error(said, query, start=body.start, end=body.end, **fields)
    return PostHogAPIError(f"PostHog answered {status} on {path}: {said}", **fields)


def query_error(
    message: str, query: str, *, start: int | None = None, end: int | None = None, **fields: Any
) -> QueryError:
    """A rejected query; a syntax error names its line and column and shows the spot when the position is known."""
    code = fields.get("code") or ""
    if "syntax" in code or message.lower().startswith("syntax error"):
        where = pointer(query, start, end)
        return QuerySyntaxError(f"PostHog could not parse the HogQL: {message}{where}", start=start, end=end, **fields)
    return QueryError(f"PostHog rejected the query: {message}{pointer(query, start, end)}", **fields)


def pointer(query: str, start: int | None, end: int | None) -> str:
    """`` at line L, column C:`` plus the offending line with a caret run under ``query[start:end]``."""
    if start is None or not 0 <= start <= len(query):
        return ""
    line_no, column = line_column(query, start)
    line_start = start - column + 1
    line = query[line_start:].split("\n", 1)[0]
    width = max(1, min(end if end is not None else start + 1, line_start + len(line)) - start)
    return f" at line {line_no}, column {column}:\n  {line}\n  {' ' * (column - 1)}{'^' * width}"


def _is_project_path(path: str, project_id: str) -> bool:
    """The project itself or one of its collections: a 404 there means the project is missing.

    A 404 on an item (``/dashboards/99/``) only means that item is missing.
    """
    prefix = f"/api/projects/{project_id}"
    if not (path.rstrip("/") == prefix or path.startswith(prefix + "/")):
        return False
    return len([part for part in path[len(prefix) :].split("/") if part]) <= 1


def _excerpt(raw: str) -> str:
    text = re.sub(r"<[^>]+>", " ", raw)
    text = " ".join(text.split())
    return text if len(text) <= _BODY_EXCERPT else text[:_BODY_EXCERPT] + "…"


def _str_or_none(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
