"""``askhog doctor``: which part of the PostHog setup is wrong, in one sentence each.

"401" does not tell a user whether the host, the key or the project id is
at fault; checking them in order (host reachable, key accepted, project
visible, a query runs) does, and a later check is skipped, not failed, when
an earlier one already explains the problem.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field

import httpx

from ...errors import AskhogError, AuthenticationError, PostHogAPIError, ProjectNotFound
from .client import PostHogClient
from .config import PostHogConfig

_DOCTOR_DEADLINE = 15.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool | None  # None: skipped because an earlier check failed
    message: str

    def __str__(self) -> str:
        mark = {True: "ok  ", False: "FAIL", None: "skip"}[self.ok]
        return f"[{mark}] {self.name}: {self.message}"


@dataclass(frozen=True)
class DoctorReport:
    checks: tuple[Check, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    def format(self) -> str:
        return "\n".join(str(c) for c in self.checks)


def doctor(
    config: PostHogConfig,
    *,
    transport: httpx.BaseTransport | None = None,
    clock: Callable[[], float] | None = None,
    sleep: Callable[[float], None] | None = None,
) -> DoctorReport:
    """Check host, key, project and the query endpoint, stopping the chain at the first failure."""
    quick = config.with_overrides(deadline=min(config.deadline, _DOCTOR_DEADLINE), max_retries=1, cache_ttl=0)
    extra = {k: v for k, v in (("clock", clock), ("sleep", sleep)) if v is not None}
    with PostHogClient(quick, transport=transport, **extra) as client:  # type: ignore[arg-type]
        steps: list[tuple[str, Callable[[PostHogClient], str]]] = [
            ("host", _host),
            ("key", _key),
            ("project", _project),
            ("query", _query),
        ]
        checks: list[Check] = []
        for name, step in steps:
            if checks and not checks[-1].ok:
                checks.append(Check(name, None, f"not checked: fix the {checks[-1].name} first"))
                continue
            try:
                checks.append(Check(name, True, step(client)))
            except AskhogError as exc:
                checks.append(Check(name, False, config.redact(str(exc))))
        return DoctorReport(tuple(checks))


def _host(client: PostHogClient) -> str:
    with suppress(PostHogAPIError):  # any answer proves the host is there; a TransportError does not
        client.get("/_health/")
    return f"{client.config.host} answers"


def _key(client: PostHogClient) -> str:
    try:
        me = client.get("/api/users/@me/")
    except AuthenticationError as exc:
        if exc.status == 403:
            return "the key is accepted (it may not read the user, which askhog does not need)"
        raise AuthenticationError(
            "PostHog rejected POSTHOG_PERSONAL_API_KEY: it is wrong, revoked, or from another PostHog instance "
            f"(this host is {client.config.host})",
            status=exc.status,
        ) from None
    who = me.get("email") if isinstance(me, dict) else None
    return f"the key is accepted{f' (user {who})' if who else ''}"


def _project(client: PostHogClient) -> str:
    project_id = client.config.project_id
    try:
        project = client.get(f"/api/projects/{project_id}/")
    except AuthenticationError:
        raise AuthenticationError(
            f"the key may not read project {project_id}: give it access to this project and the project:read scope"
        ) from None
    except ProjectNotFound:
        raise ProjectNotFound(
            f"there is no project {project_id} on {client.config.host} for this key; POSTHOG_PROJECT_ID is the "
            "number after /project/ in PostHog's URL"
        ) from None
    name = project.get("name") if isinstance(project, dict) else None
    return f"project {project_id}{f' ({name})' if name else ''} is visible"


def _query(client: PostHogClient) -> str:
    try:
        client.query("SELECT 1", name="askhog doctor", use_cache=False)
    except AuthenticationError:
        raise AuthenticationError("the key cannot run queries: add the query:read scope to it") from None
    return "HogQL queries run"
