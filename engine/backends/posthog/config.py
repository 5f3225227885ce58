"""Where the PostHog project is and how patiently to talk to it.

Everything the client needs is in one frozen value, so that a test, the CLI
and a notebook configure it the same way and nothing hides in module globals.
The personal API key is kept out of ``repr`` and every message on purpose: a
pasted traceback or a log line must never leak it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from ...errors import PostHogError
from .redact import REDACTED as _REDACTED
from .redact import Redactor

DEFAULT_HOST = "https://us.posthog.com"


class ConfigError(PostHogError):
    """The PostHog settings are incomplete or malformed (raised before any request)."""


@dataclass(frozen=True)
class QueryLimits:
    """PostHog's documented limits for the query endpoint, per project."""

    per_minute: int = 240
    per_hour: int = 2400
    concurrent: int = 3


@dataclass(frozen=True)
class PostHogConfig:
    """Connection settings; ``from_env`` reads POSTHOG_HOST, POSTHOG_PERSONAL_API_KEY, POSTHOG_PROJECT_ID."""

    api_key: str = field(repr=False)
    project_id: str
    host: str = DEFAULT_HOST
    connect_timeout: float = 5.0
    read_timeout: float = 60.0
    deadline: float = 120.0
    max_retries: int = 4
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    refresh: str = "blocking"
    cache_ttl: float = 300.0
    cache_size: int = 256
    taxonomy_ttl: float = 3600.0
    stale_after_days: int = 90
    limits: QueryLimits = field(default_factory=QueryLimits)

    def __post_init__(self) -> None:
        for name in ("api_key", "host"):
            if not isinstance(getattr(self, name), str):
                raise ConfigError(f"{name} must be text, not {type(getattr(self, name)).__name__}")
        host = self.host.strip().rstrip("/")
        parts = urlsplit(host)
        if any(c.isspace() or not c.isprintable() for c in host):
            raise ConfigError(f"POSTHOG_HOST contains a space or control character: {host!r}")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ConfigError(f"POSTHOG_HOST must be an http(s) URL such as {DEFAULT_HOST}, got {host!r}")
        object.__setattr__(self, "host", host)
        project = str(self.project_id).strip()
        if not (project.isascii() and project.isdecimal()):
            raise ConfigError(f"POSTHOG_PROJECT_ID must be the numeric project id, got {project!r}")
        object.__setattr__(self, "project_id", project)
        if not self.api_key or not self.api_key.strip():
            raise ConfigError("POSTHOG_PERSONAL_API_KEY is empty: create a personal API key in PostHog's settings")
        object.__setattr__(self, "api_key", self.api_key.strip())
        unsendable = header_problem(self.api_key)
        if unsendable:
            raise ConfigError(
                f"POSTHOG_PERSONAL_API_KEY contains {unsendable}, which cannot be sent in an HTTP "
                "header: copy the key again from PostHog's settings"
            )
        for name in ("connect_timeout", "read_timeout", "deadline"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ConfigError(f"{name} must be positive, got {getattr(self, name)!r}")

    def __repr__(self) -> str:
        return (
            f"PostHogConfig(host={self.host!r}, project_id={self.project_id!r}, api_key={_REDACTED!r}, "
            f"deadline={self.deadline!r}, cache_ttl={self.cache_ttl!r})"
        )

    def with_overrides(self, **changes: object) -> PostHogConfig:
        return replace(self, **changes)  # type: ignore[arg-type]

    def redact(self, text: str) -> str:
        """``text`` with the API key (and its URL- or JSON-escaped spellings) replaced, for anything that may
        reach a person or a log."""
        return Redactor(self.api_key)(text)

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        host: str | None = None,
        project_id: str | int | None = None,
        api_key: str | None = None,
        **settings: object,
    ) -> PostHogConfig:
        """Settings from the environment; explicit arguments (CLI flags) win over variables."""
        env = os.environ if environ is None else environ
        key = api_key or env.get("POSTHOG_PERSONAL_API_KEY", "")
        project = project_id if project_id is not None else env.get("POSTHOG_PROJECT_ID", "")
        if not key:
            raise ConfigError("POSTHOG_PERSONAL_API_KEY is not set (create a personal API key in PostHog's settings)")
        if project in ("", None):
            raise ConfigError("POSTHOG_PROJECT_ID is not set (it is the number in your project's URL: /project/<id>/)")
        return cls(
            api_key=key,
            project_id=str(project),
            host=host or env.get("POSTHOG_HOST") or DEFAULT_HOST,
            **settings,  # type: ignore[arg-type]
        )


_NAMED = {"\n": "a newline", "\r": "a carriage return", "\t": "a tab", " ": "a space", "\0": "a NUL character"}


def header_problem(key: str) -> str | None:
    """What in ``key`` cannot travel in ``Authorization: Bearer …`` (PostHog keys are printable ASCII), said
    without repeating the key: "a newline (character 12)"; ``None`` when it can."""
    for position, char in enumerate(key, 1):
        if "!" <= char <= "~":
            continue
        if char in _NAMED:
            what = _NAMED[char]
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            what = f"a control character (U+{ord(char):04X})"
        elif ord(char) <= 0xFF:
            what = f"a non-ASCII character (U+{ord(char):04X})"
        else:
            what = f"a character outside Latin-1 (U+{ord(char):04X})"
        return f"{what} at character {position}"
    return None


def key_is_configured(environ: Mapping[str, str] | None = None, api_key: str | None = None) -> bool:
    """Whether the CLI should talk to PostHog (a key is set) rather than the embedded demo."""
    env = os.environ if environ is None else environ
    return bool((api_key or env.get("POSTHOG_PERSONAL_API_KEY", "")).strip())
