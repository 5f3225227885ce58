"""One HTTP client for PostHog's API: queries, metadata, and the REST endpoints.

Every call has a deadline, and it is a total one: connecting, sending, and reading headers and body,
however slowly the server trickles them, all end by it (``transport.py``). Retries happen only where
waiting can help (429,
502/503/504, a dropped connection) and never for what a retry cannot fix (a
syntax error, a bad key, a query too slow for the deadline). Long queries are
polled and, if the caller gives up or presses Ctrl-C, cancelled on the server
so they stop costing the project. Clock, sleep and jitter are injectable so
tests run the retry and polling paths without waiting.

Every answer is checked against the shape PostHog documents before use (``responses.py``), and every
error raised and every log line written passes through the key's ``Redactor`` (``redact.py``), so a
server echoing the key cannot put it in a message or a log.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from ...errors import (
    AskhogError,
    ConnectError,
    PostHogAPIError,
    QueryError,
    QueryTimeout,
    RateLimited,
    ServerError,
)
from ..base import Table
from .api_errors import error_for_response, query_error
from .cache import TTLCache, jsonable, query_hash, result_key
from .config import PostHogConfig
from .limiter import QueryRateLimiter, shared_limiter
from .metrics import QueryMetrics
from .redact import Redactor, install, uninstall
from .responses import decode, metadata_notices, need_object, page_items, query_status, table_from_response
from .transport import hold_to_deadlines

__all__ = ["PostHogClient", "table_from_response"]

log = logging.getLogger("askhog.posthog")

_RETRY_STATUSES = frozenset({429, 502, 503, 504})
_RESETS = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
_POLL_FIRST, _POLL_FACTOR, _POLL_CAP = 0.25, 1.5, 2.0
_CANCEL_DEADLINE = 5.0
_NAME_MAX = 128
_LOCATION_MAX = 200


@dataclass
class _CallStats:
    retries: int = 0
    throttled: int = 0


class PostHogClient:
    """A thread-safe client of one PostHog project.

    ``http`` is an ``httpx.Client`` to reuse connections (one is created when
    omitted; either way its connection pools are held to each call's deadline);
    ``limiter`` defaults to the process-wide limiter of the project, ``cache`` to
    a TTL/LRU cache sized from the config. While the client is open, a filter on
    askhog's and httpx's loggers redacts its key.
    """

    def __init__(
        self,
        config: PostHogConfig,
        *,
        http: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        limiter: QueryRateLimiter | None = None,
        cache: TTLCache[Table] | None = None,
        metrics: QueryMetrics | None = None,
    ):
        self.config = config
        self._http = http or httpx.Client(follow_redirects=False)
        self._owns_http = http is None
        self._budget = hold_to_deadlines(self._http)
        self._redact = Redactor(config.api_key)
        self._log_filter = install(self._redact, self)
        self._clock = clock
        self._sleep = sleep
        self._jitter = jitter
        self.limiter = limiter if limiter is not None else shared_limiter(config.host, config.project_id, config.limits)
        self.cache: TTLCache[Table] = (
            cache if cache is not None else TTLCache(config.cache_ttl, config.cache_size, clock=clock)
        )
        self.metrics = metrics if metrics is not None else QueryMetrics()

    @property
    def clock(self) -> Callable[[], float]:
        """The monotonic clock this client measures deadlines with (shared by its caches)."""
        return self._clock

    def __repr__(self) -> str:
        return f"PostHogClient(host={self.config.host!r}, project_id={self.config.project_id!r})"

    def close(self) -> None:
        uninstall(self._log_filter)
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> PostHogClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- REST ------------------------------------------------------------------------------

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``path`` (relative to the host, or a ``next`` link) and return its JSON."""
        with self._redacting():
            response = self._request("GET", path, params=params, deadline=self._deadline(), stats=_CallStats())
            return self._json(response, path)

    def post(self, path: str, body: dict[str, Any], *, idempotent: bool = False) -> Any:
        """POST ``body``; retried after a dropped connection or a 5xx only when ``idempotent`` (a 429 always)."""
        with self._redacting():
            response = self._request(
                "POST", path, json=body, deadline=self._deadline(), stats=_CallStats(), idempotent=idempotent
            )
            return self._json(response, path)

    def paginate(self, path: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a paginated list endpoint, following ``next`` links; each item is an object."""
        with self._redacting():
            items, following = page_items(self.get(path, params), path)
        yield from items
        while following:
            with self._redacting():
                items, following = page_items(self.get(following), path)
            yield from items

    # -- queries ---------------------------------------------------------------------------

    def query(
        self,
        hogql: str,
        values: dict[str, Any] | None = None,
        *,
        name: str | None = None,
        refresh: str | None = None,
        use_cache: bool = True,
    ) -> Table:
        """Run HogQL with ``values`` bound to its ``{placeholders}``; cached, rate-limited, logged."""
        _check_query(hogql, values)
        with self._redacting():
            return self._query(hogql, values, name=name, refresh=refresh, use_cache=use_cache)

    def _query(
        self, hogql: str, values: dict[str, Any] | None, *, name: str | None, refresh: str | None, use_cache: bool
    ) -> Table:
        bound = jsonable(values or {})
        key = result_key(self.config.project_id, hogql, bound)
        started = self._clock()
        stats = _CallStats()
        if use_cache:
            cached = self.cache.get(key)
            if cached is not None:
                self._observe(hogql, started, stats, rows=len(cached), cache_hit=True, error=None)
                return cached
        deadline = started + self.config.deadline
        error: str | None = None
        rows: int | None = None
        try:
            with self.limiter.running(deadline):
                data = self._run_query(hogql, bound, name, refresh or self.config.refresh, deadline, stats)
            table = table_from_response(data, query_ms=(self._clock() - started) * 1000, where=self._query_path())
            rows = len(table)
        except (AskhogError, KeyboardInterrupt) as exc:
            error = type(exc).__name__
            raise
        finally:
            self._observe(hogql, started, stats, rows=rows, cache_hit=False, error=error)
        if use_cache:
            self.cache.put(key, table)
        return table

    def metadata(self, hogql: str, values: dict[str, Any] | None = None) -> dict[str, Any]:
        """PostHog's HogQLMetadata answer for ``hogql`` (``errors``, ``warnings``, ``notices`` with positions).

        ``values`` travel as ``globals``, which is how the metadata query binds placeholders. The answer's
        notices are checked (``responses.metadata_notices``) before it is returned.
        """
        _check_query(hogql, values)
        with self._redacting():
            return self._metadata(hogql, jsonable(values or {}), self._deadline())

    def _metadata(self, hogql: str, values: dict[str, Any], deadline: float) -> dict[str, Any]:
        body = {
            "query": {"kind": "HogQLMetadata", "language": "hogQL", "query": hogql, "globals": values},
            "name": "askhog check",
        }
        stats = _CallStats()
        stats.throttled += self.limiter.admit(deadline)
        response = self._request("POST", self._query_path(), json=body, deadline=deadline, stats=stats, query=hogql)
        answer = need_object(self._json(response, self._query_path()), self._query_path())
        metadata_notices(answer, self._query_path())
        return answer

    def _with_position(self, error: QueryError, hogql: str, values: dict[str, Any], deadline: float) -> QueryError:
        """``error`` pointing at the offending text, asking HogQLMetadata where it is when the query API did not say.

        The query endpoint's 400 carries only a message; the metadata query
        (cheap: it parses and resolves, it does not run) gives offsets.
        """
        if getattr(error, "start", None) is not None:
            return error
        try:
            notices = metadata_notices(self._metadata(hogql, values, deadline), self._query_path())["errors"]
        except AskhogError:
            return error  # the position is a nicety; the original error stands
        located = next((e for e in notices if e.start is not None), None)
        if located is None:
            return error
        return query_error(
            error.detail or located.message,
            hogql,
            start=located.start,
            end=located.end,
            status=error.status,
            code=error.code,
            detail=error.detail,
            attr=error.attr,
        )

    def cancel(self, query_id: str) -> None:
        """Ask PostHog to stop ``query_id``; failures are logged, not raised, since the caller is already leaving."""
        try:
            with self._redacting():
                self._request(
                    "DELETE",
                    f"{self._query_path()}{query_id}/",
                    deadline=self._clock() + _CANCEL_DEADLINE,
                    stats=_CallStats(),
                    idempotent=False,
                )
        except AskhogError as exc:
            log.warning("posthog_cancel_failed query_id=%s error=%s", query_id, type(exc).__name__)

    def _run_query(
        self, hogql: str, values: dict[str, Any], name: str | None, refresh: str, deadline: float, stats: _CallStats
    ) -> dict[str, Any]:
        client_query_id = uuid.uuid4().hex
        body: dict[str, Any] = {
            "query": {"kind": "HogQLQuery", "query": hogql, "values": values},
            "refresh": refresh,
            "client_query_id": client_query_id,
        }
        if name:
            body["name"] = name[:_NAME_MAX]
        running_id = client_query_id  # PostHog names the query by our id unless it answers with its own
        try:
            stats.throttled += self.limiter.admit(deadline)
            response = self._request("POST", self._query_path(), json=body, deadline=deadline, stats=stats, query=hogql)
            data = self._json(response, self._query_path())
            status = query_status(data, self._query_path())
            if response.status_code == 202 or (status is not None and not status.complete):
                running_id = (status.id if status is not None else None) or client_query_id
                return self._poll(running_id, hogql, deadline, stats)
            return need_object(data, self._query_path())
        except QueryTimeout:
            self.cancel(running_id)
            raise self._timeout(hogql, deadline) from None
        except QueryError as exc:
            located = self._with_position(exc, hogql, values, deadline)
            if located is exc:
                raise
            raise located from None
        except KeyboardInterrupt:
            self.cancel(running_id)
            raise

    def _poll(self, query_id: str, hogql: str, deadline: float, stats: _CallStats) -> dict[str, Any]:
        interval = _POLL_FIRST
        path = f"{self._query_path()}{query_id}/"
        while True:
            if self._clock() + interval > deadline:
                raise self._timeout(hogql, deadline)
            self._sleep(interval)
            interval = min(interval * _POLL_FACTOR, _POLL_CAP)
            stats.throttled += self.limiter.admit(deadline)
            response = self._request("GET", path, deadline=deadline, stats=stats, passthrough=frozenset({400, 500}))
            answer = self._json(response, path)
            status = query_status(answer, path)
            if (status is not None and status.error) or response.status_code in (400, 500):
                if status is not None and status.error_message:
                    raise query_error(self._redact(status.error_message), hogql, status=response.status_code)
                raise ServerError(
                    f"PostHog failed query {query_id} without an explanation", status=response.status_code
                )
            if status is not None and status.complete:
                if not isinstance(status.results, dict):
                    raise PostHogAPIError(f"PostHog finished query {query_id} but sent no results")
                return status.results

    def _timeout(self, hogql: str, deadline: float) -> QueryTimeout:
        elapsed = self._clock() - (deadline - self.config.deadline)
        return QueryTimeout(
            f"the query {query_hash(hogql)} did not finish in time ({elapsed:.1f}s elapsed; deadline "
            f"{self.config.deadline:g}s, read timeout {self.config.read_timeout:g}s) and was cancelled; "
            "narrow the date range or add filters"
        )

    # -- transport -------------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        deadline: float,
        stats: _CallStats,
        json: Any = None,
        params: dict[str, Any] | None = None,
        idempotent: bool = True,
        query: str | None = None,
        passthrough: frozenset[int] = frozenset(),
    ) -> httpx.Response:
        url, shown = self._url(path)
        attempt = 0
        while True:
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise QueryTimeout(f"{method} {shown} did not complete within {self.config.deadline:g}s")
            timeout = httpx.Timeout(
                min(self.config.read_timeout, remaining), connect=min(self.config.connect_timeout, remaining)
            )
            failure: PostHogAPIError
            try:
                with self._budget.limit(remaining):  # the total: however slowly the answer trickles in
                    response = self._http.request(
                        method, url, json=json, params=params, timeout=timeout, headers=self._headers()
                    )
            except httpx.ConnectTimeout:
                raise ConnectError(
                    f"could not connect to {self.config.host} within {timeout.connect:g}s; "
                    "check POSTHOG_HOST and your network"
                ) from None
            except httpx.ConnectError as exc:
                raise ConnectError(
                    f"could not connect to {self.config.host} ({self.config.redact(str(exc)) or 'refused'}); "
                    "check POSTHOG_HOST and your network"
                ) from None
            except httpx.TimeoutException:
                raise QueryTimeout(
                    f"{method} {shown} got no complete answer within {timeout.read:g}s (never retried)"
                ) from None
            except _RESETS as exc:
                failure = ConnectError(
                    f"the connection to {self.config.host} dropped during {method} {shown} ({type(exc).__name__})"
                )
                wait = self._backoff(attempt)
            except (httpx.HTTPError, httpx.InvalidURL) as exc:  # a protocol error, an unusable URL
                raise ConnectError(
                    f"{method} {shown} on {self.config.host} failed: {type(exc).__name__}: {self._redact(str(exc))}"
                ) from None
            else:
                if 300 <= response.status_code < 400:
                    location = self._redact(response.headers.get("location", "?"))[:_LOCATION_MAX]
                    raise PostHogAPIError(
                        f"{self.config.host} redirected {method} {shown} to {location}; "
                        "set POSTHOG_HOST to the host PostHog redirects to (the key is not sent on redirects)",
                        status=response.status_code,
                    )
                if response.status_code < 400 or response.status_code in passthrough:
                    return response
                failure = error_for_response(
                    response.status_code,
                    self._redacted(response.content),
                    response.headers,
                    path=urlsplit(url).path,
                    project_id=self.config.project_id,
                    query=query,
                )
                if isinstance(failure, RateLimited):
                    self.metrics.record_rate_limited()
                if response.status_code not in _RETRY_STATUSES:
                    raise failure
                retry_after = failure.retry_after if isinstance(failure, RateLimited) else None
                wait = retry_after if retry_after is not None else self._backoff(attempt)
            # a 429 was refused before any work was done; anything else may have half-happened
            safe = idempotent or isinstance(failure, RateLimited)
            if not safe or attempt >= self.config.max_retries or self._clock() + wait > deadline:
                raise failure
            log.info(
                "posthog_retry method=%s path=%s attempt=%d wait_s=%.2f reason=%s",
                method,
                shown,
                attempt + 1,
                wait,
                type(failure).__name__,
            )
            self._sleep(wait)
            attempt += 1
            stats.retries += 1

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter, so that clients that failed together do not retry together."""
        delay = min(self.config.backoff_cap, self.config.backoff_base * 2**attempt)
        return float(delay * (0.5 + self._jitter() / 2))

    def _url(self, path: str) -> tuple[str, str]:
        """The absolute URL on the configured host, and the path to show in messages.

        A ``next`` link is re-rooted on the configured host so that the key is
        never sent anywhere else, whatever host the link names.
        """
        parts = urlsplit(path)
        relative = parts.path + (f"?{parts.query}" if parts.query else "")
        if not relative.startswith("/"):
            relative = "/" + relative
        return self.config.host + relative, parts.path or "/"

    def _headers(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self.config.api_key}",
            "Accept": "application/json",
            "User-Agent": "askhog",
        }

    def _json(self, response: httpx.Response, path: str) -> Any:
        return decode(response.content, status=response.status_code, where=urlsplit(path).path or path)

    def _redacted(self, content: bytes) -> bytes:
        """An error body with the key removed: a proxy echoing our headers must not put it in a message."""
        return self._redact(content.decode("utf-8", errors="replace")).encode("utf-8")

    @contextmanager
    def _redacting(self) -> Iterator[None]:
        """Every askhog error leaving the block has the key removed from its message and fields."""
        try:
            yield
        except AskhogError as exc:
            self._redact.scrub(exc)
            raise

    def _deadline(self) -> float:
        return self._clock() + self.config.deadline

    def _query_path(self) -> str:
        return f"/api/projects/{self.config.project_id}/query/"

    def _observe(
        self, hogql: str, started: float, stats: _CallStats, *, rows: int | None, cache_hit: bool, error: str | None
    ) -> None:
        duration_ms = (self._clock() - started) * 1000
        for _ in range(stats.throttled):
            self.metrics.record_throttled_wait()
        self.metrics.record(duration_ms=duration_ms, cache_hit=cache_hit, retries=stats.retries, error=error)
        (log.warning if error else log.info)(
            "posthog_query query_hash=%s duration_ms=%.1f rows=%s cache_hit=%s retries=%d throttled=%d error=%s",
            query_hash(hogql),
            duration_ms,
            rows if rows is not None else "-",
            str(cache_hit).lower(),
            stats.retries,
            stats.throttled,
            error or "none",
        )


def _check_query(hogql: object, values: object) -> None:
    """A query is non-empty text and its values a mapping, before anything hashes or sends them."""
    if not isinstance(hogql, str):
        raise QueryError(f"a query must be HogQL text, not {type(hogql).__name__}")
    if not hogql.strip():
        raise QueryError("the query is empty")
    if values is not None and not isinstance(values, dict):
        raise QueryError(f"query values must map placeholder names to values, not {type(values).__name__}")
