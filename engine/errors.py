"""One exception tree for everything askhog raises.

A caller (a chat app, the CLI, a batch evaluation) catches ``AskhogError`` and
gets a message written for a person. A missing slot or an ambiguous question is
*not* an error: those come back as a ``Clarification``.

The tree::

    AskhogError
    ├── CatalogError            an intent, workflow, vocabulary or labelled-set file is malformed
    ├── QuestionError           the question cannot be processed (empty, too long, not text)
    │   └── TimeRangeError      a time phrase or spec cannot be resolved
    ├── TemplateError           a template failed to render
    ├── UnsafeQueryError        the HogQL guard rejected a query (carries its ``Problem``s)
    ├── HogQLSyntaxError        the query text does not parse as HogQL
    ├── BackendError            a backend could not run a query or return metadata
    │   ├── UnsupportedHogQL    the embedded engine cannot lower a construct
    │   ├── DataNotLoaded       the embedded store is empty
    │   ├── LoadError           importing an export failed (nothing loaded)
    │   ├── ExecutionError      the query engine refused or failed a valid query
    │   └── PostHogError        talking to PostHog failed (method, path, query_hash of the call)
    │       ├── TransportError      no answer came back
    │       │   ├── ConnectError        PostHog could not be reached, or the connection dropped
    │       │   └── QueryTimeout        the call's deadline passed first (never retried)
    │       └── PostHogAPIError     PostHog answered, and the answer is an error (status, code, detail, attr)
    │           ├── AuthenticationError 401/403
    │           ├── ProjectNotFound     404 on the project
    │           ├── QueryError          400: PostHog rejected the query
    │           │   └── QuerySyntaxError    400 syntax_error (start, end)
    │           ├── RateLimited         429, or the client's own limiter (retry_after)
    │           ├── ServerError         5xx
    │           └── MalformedResponse   a body that is not the documented shape
    ├── WorkflowError           a workflow could not run
    └── StatisticsError         counts or samples no statistical test can use

The PostHog branch splits as httpx's does (``TransportError`` beside ``HTTPStatusError``): a caller retries
or reports a network fault differently from an answer it can act on (a key to fix, a query to change), and
catches the one it handles. ``backends.posthog`` adds ``ConfigError`` (a ``PostHogError``: settings refused
before any request) and ``ExperimentNotFound`` (a ``PostHogAPIError``).

``Problem`` is not an exception: it is one finding of the validator, carried by ``UnsafeQueryError`` and by
answers' warnings.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "AskhogError",
    "AuthenticationError",
    "BackendError",
    "CatalogError",
    "ConnectError",
    "DataNotLoaded",
    "ExecutionError",
    "HogQLSyntaxError",
    "LoadError",
    "MalformedResponse",
    "PostHogAPIError",
    "PostHogError",
    "Problem",
    "ProjectNotFound",
    "QueryError",
    "QuerySyntaxError",
    "QueryTimeout",
    "QuestionError",
    "RateLimited",
    "ServerError",
    "StatisticsError",
    "TemplateError",
    "TimeRangeError",
    "TransportError",
    "UnsafeQueryError",
    "UnsupportedHogQL",
    "WorkflowError",
]


class AskhogError(Exception):
    """Root of every error askhog raises on purpose."""


# --- data files ---------------------------------------------------------------------------


class CatalogError(AskhogError):
    """An intent, workflow or vocabulary file is malformed.

    The message names the file and, where YAML gives it, the line, so that a
    non-programmer editing the file knows where to look.
    """

    def __init__(self, path: str, message: str, line: int | None = None, key: str | None = None):
        self.path = path
        self.line = line
        self.key = key
        where = path if line is None else f"{path}:{line}"
        what = f" (key {key!r})" if key else ""
        super().__init__(f"{where}{what}: {message}")


# --- questions ----------------------------------------------------------------------------


class QuestionError(AskhogError):
    """The question itself cannot be processed (empty, far too long, not text)."""


# --- rendering and validation --------------------------------------------------------------


class TemplateError(AskhogError):
    """A template failed to render; the message names the template."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth fixing) in a HogQL query, with where it is."""

    code: str
    message: str
    line: int | None = None
    column: int | None = None
    fix: str | None = None
    severity: str = "error"  # "error" | "warning"

    def __str__(self) -> str:
        where = f"{self.line}:{self.column}: " if self.line is not None else ""
        fix = f" Fix: {self.fix}" if self.fix else ""
        return f"{where}{self.severity} {self.code}: {self.message}.{fix}"


class UnsafeQueryError(AskhogError):
    """The HogQL guard rejected a query: it is not a single read-only SELECT on allowed tables."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems) or "query rejected")


class HogQLSyntaxError(AskhogError):
    """The query text does not parse as HogQL."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        self.reason = message
        self.line = line
        self.column = column
        where = f" at {line}:{column}" if line is not None else ""
        super().__init__(f"HogQL syntax error{where}: {message}")


# --- backends ------------------------------------------------------------------------------


class BackendError(AskhogError):
    """A backend could not run a query or return metadata."""


class UnsupportedHogQL(BackendError):
    """The embedded engine cannot lower a HogQL construct to ClickHouse SQL."""


class DataNotLoaded(BackendError):
    """The embedded store has no data yet (run ``askhog demo`` or ``askhog load``)."""


class LoadError(BackendError):
    """Importing a user's export failed; nothing was loaded."""

    def __init__(self, message: str, rejected: list[tuple[int, str]] | None = None):
        self.rejected = rejected or []
        super().__init__(message)


class ExecutionError(BackendError):
    """The query engine refused or failed a query that passed validation."""


class PostHogError(BackendError):
    """Talking to PostHog failed; the attributes name the call, so a caller need not parse the message.

    ``method`` and ``path`` are the request's (the path without its query string); ``query_hash`` is the
    short hash of the HogQL (``backends.posthog.cache.query_hash``) when the call ran or checked a query, else
    ``None``, so that the error can be matched with the call's log line without the query text (which may
    hold customer values). The
    client sets them as the error leaves it, like httpx's ``request_context`` sets ``RequestError.request``:
    the code that finds a fault (a shape check, the limiter) does not know which call it serves. None of
    them ever holds the API key.
    """

    method: str | None = None
    path: str | None = None
    query_hash: str | None = None


class TransportError(PostHogError):
    """No answer came back from PostHog: it could not be reached, or the call's deadline passed first."""


class ConnectError(TransportError):
    """PostHog could not be reached (DNS, refused, reset, TLS). Not named ``ConnectionError``: that is a builtin."""


class QueryTimeout(TransportError):
    """The call did not finish before its deadline or a read timeout (never retried: the query needs narrowing)."""


class PostHogAPIError(PostHogError):
    """PostHog (or a proxy in front of it) answered, and the answer is an error.

    ``status``, ``code``, ``detail`` and ``attr`` mirror PostHog's error body
    ``{type, code, detail, attr}``; they are ``None`` when the body was not JSON.
    The API key never appears in the message.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        detail: str | None = None,
        attr: str | None = None,
    ):
        self.status = status
        self.code = code
        self.detail = detail
        self.attr = attr
        super().__init__(message)


class AuthenticationError(PostHogAPIError):
    """401/403: the personal API key is missing, wrong, or lacks the scope."""


class ProjectNotFound(PostHogAPIError):
    """404 on the project: the project id is wrong or the key cannot see it."""


class QueryError(PostHogAPIError):
    """400 from the query endpoint: PostHog rejected the query."""


class QuerySyntaxError(QueryError):
    """400 ``syntax_error``: PostHog could not parse the HogQL (position in ``start``/``end``)."""

    def __init__(self, message: str, *, start: int | None = None, end: int | None = None, **kw: object):
        self.start = start
        self.end = end
        super().__init__(message, **kw)  # type: ignore[arg-type]


class RateLimited(PostHogAPIError):
    """429: too many queries; ``retry_after`` seconds if PostHog said.

    The client's own limiter raises it too, when staying under PostHog's limits would mean waiting past the
    deadline: the caller's remedy (wait ``retry_after``, send fewer) is the same.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object):
        self.retry_after = retry_after
        super().__init__(message, **kw)  # type: ignore[arg-type]


class ServerError(PostHogAPIError):
    """5xx from PostHog."""


class MalformedResponse(PostHogAPIError):
    """PostHog (or something in front of it) answered with a body that is not the documented shape:
    not JSON, nested too deeply, or a field of the wrong type. The message names the field."""


# --- workflows -----------------------------------------------------------------------------


class WorkflowError(AskhogError):
    """A workflow could not run (its definition is wrong, or a required step failed)."""


# --- time ranges ---------------------------------------------------------------------------


class TimeRangeError(QuestionError):
    """A time phrase or spec cannot be resolved (unknown phrase, malformed spec, impossible date)."""


class StatisticsError(AskhogError):
    """Counts or samples that no statistical test can use (negative counts, successes above trials)."""
