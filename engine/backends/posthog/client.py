"""One HTTP client for PostHog's API: queries, metadata, and the REST endpoints.

Every call has a deadline; retries happen only where waiting can help (429,
502/503/504, a dropped connection) and never for what a retry cannot fix (a
syntax error, a bad key, a query too slow for the deadline). Long queries are
polled and, if the caller gives up or presses Ctrl-C, cancelled on the server
so they stop costing the project. Clock, sleep and jitter are injectable so
tests run the retry and polling paths without waiting.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

import httpx

from ...errors import (
    AskhogError,
    ConnectionError,
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

log = logging.getLogger("askhog.posthog")

_RETRY_STATUSES = frozenset({429, 502, 503, 504})
_RESETS = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
_POLL_FIRST, _POLL_FACTOR, _POLL_CAP = 0.25, 1.5, 2.0
_CANCEL_DEADLINE = 5.0
_NAME_MAX = 128


@dataclass
class _CallStats:
    retries: int = 0
    throttled: int = 0


class PostHogClient:
    """A thread-safe client of one PostHog project.

    ``http`` is an ``httpx.Client`` to reuse connections (one is created when
    omitted); ``limiter`` defaults to the process-wide limiter of the project,
    ``cache`` to a TTL/LRU cache sized from the config.
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
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> "PostHogClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- REST ------------------------------------------------------------------------------

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``path`` (relative to the host, or a ``next`` link) and return its JSON."""
        response = self._request("GET", path, params=params, deadline=self._deadline(), stats=_CallStats())
        return self._json(response, path)

    def post(self, path: str, body: dict[str, Any], *, idempotent: bool = False) -> Any:
        """POST ``body``; retried after a dropped connection or a 5xx only when ``idempotent`` (a 429 always)."""
        response = self._request(
            "POST", path, json=body, deadline=self._deadline(), stats=_CallStats(), idempotent=idempotent
        )
        return self._json(response, path)

    def paginate(self, path: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a paginated list endpoint, following ``next`` links."""
        page: Any = self.get(path, params)
        while True:
            if isinstance(page, list):  # some endpoints answer a bare list
                yield from page
                return
            if not isinstance(page, dict):
                raise PostHogAPIError(f"PostHog's answer to {path} is not a list page")
            yield from page.get("results") or []
            following = page.get("next")
            if not following:
                return
            page = self.get(following)

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
            table = table_from_response(data, query_ms=(self._clock() - started) * 1000)
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

        ``values`` travel as ``globals``, which is how the metadata query binds placeholders.
        """
        return self._metadata(hogql, jsonable(values or {}), self._deadline())

    def _metadata(self, hogql: str, values: dict[str, Any], deadline: float) -> dict[str, Any]:
        body = {
            "query": {"kind": "HogQLMetadata", "language": "hogQL", "query": hogql, "globals": values},
            "name": "askhog check",
        }
        stats = _CallStats()
        stats.throttled += self.limiter.admit(deadline)
        response = self._request("POST", self._query_path(), json=body, deadline=deadline, stats=stats, query=hogql)
        answer = self._json(response, self._query_path())
        if not isinstance(answer, dict):
            raise PostHogAPIError("PostHog's metadata answer is not an object")
        return answer

    def _with_position(self, error: QueryError, hogql: str, values: dict[str, Any], deadline: float) -> QueryError:
        """``error`` pointing at the offending text, asking HogQLMetadata where it is when the query API did not say.

        The query endpoint's 400 carries only a message; the metadata query
        (cheap: it parses and resolves, it does not run) gives offsets.
        """
        if getattr(error, "start", None) is not None:
            return error
        try:
            located = next(
                (e for e in self._metadata(hogql, values, deadline).get("errors") or () if isinstance(e.get("start"), int)),
                None,
            )
        except AskhogError:
            return error  # the position is a nicety; the original error stands
        if located is None:
            return error
        return query_error(
            error.detail or str(located.get("message", "")), hogql, start=located["start"], end=located.get("end"),
            status=error.status, code=error.code, detail=error.detail, attr=error.attr,
        )

    def cancel(self, query_id: str) -> None:
        """Ask PostHog to stop ``query_id``; failures are logged, not raised, since the caller is already leaving."""
        try:
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
            response = self._request(
                "POST", self._query_path(), json=body, deadline=deadline, stats=stats, query=hogql
            )
            data = self._json(response, self._query_path())
            status = data.get("query_status") if isinstance(data, dict) else None
            if response.status_code == 202 or (isinstance(status, dict) and status.get("complete") is False):
                running_id = (status or {}).get("id") or client_query_id
                return self._poll(running_id, hogql, deadline, stats)
            return data
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
            status = (answer.get("query_status") if isinstance(answer, dict) else None) or {}
            if status.get("error") or response.status_code in (400, 500):
                message = status.get("error_message")
                if message:
                    raise query_error(str(message), hogql, status=response.status_code)
                raise ServerError(
                    f"PostHog failed query {query_id} without an explanation", status=response.status_code
                )
            if status.get("complete"):
                results = status.get("results")
                if not isinstance(results, dict):
                    raise PostHogAPIError(f"PostHog finished query {query_id} but sent no results")
                return results

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
                response = self._http.request(
                    method, url, json=json, params=params, timeout=timeout, headers=self._headers()
                )
            except httpx.ConnectTimeout:
                raise ConnectionError(
                    f"could not connect to {self.config.host} within {timeout.connect:g}s; "
                    "check POSTHOG_HOST and your network"
                ) from None
            except httpx.ConnectError as exc:
                raise ConnectionError(
                    f"could not connect to {self.config.host} ({self.config.redact(str(exc)) or 'refused'}); "
                    "check POSTHOG_HOST and your network"
                ) from None
            except httpx.TimeoutException:
                raise QueryTimeout(
                    f"{method} {shown} got no answer within {timeout.read:g}s (never retried)"
                ) from None
            except _RESETS as exc:
                failure = ConnectionError(
                    f"the connection to {self.config.host} dropped during {method} {shown} ({type(exc).__name__})"
                )
                wait = self._backoff(attempt)
            else:
                if 300 <= response.status_code < 400:
                    raise PostHogAPIError(
                        f"{self.config.host} redirected {method} {shown} to {response.headers.get('location', '?')}; "
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
                method, shown, attempt + 1, wait, type(failure).__name__,
            )
            self._sleep(wait)
            attempt += 1
            stats.retries += 1

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter, so that clients that failed together do not retry together."""
        delay = min(self.config.backoff_cap, self.config.backoff_base * 2**attempt)
        return delay * (0.5 + self._jitter() / 2)

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
        try:
            return response.json()
        except ValueError:
            raise PostHogAPIError(
                f"PostHog answered {response.status_code} on {path} with a body that is not JSON",
                status=response.status_code,
            ) from None

    def _redacted(self, content: bytes) -> bytes:
        """An error body with the key removed: a proxy echoing our headers must not put it in a message."""
        return content.replace(self.config.api_key.encode(), b"[redacted]")

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
            query_hash(hogql), duration_ms, rows if rows is not None else "-", str(cache_hit).lower(),
            stats.retries, stats.throttled, error or "none",
        )


def table_from_response(data: dict[str, Any], *, query_ms: float | None = None) -> Table:
    """A ``Table`` from a HogQLQueryResponse (``types`` are ``[name, type]`` pairs or bare type names)."""
    if not isinstance(data, dict) or not isinstance(data.get("results"), list):
        raise PostHogAPIError("PostHog's query response has no results list")
    raw_types = data.get("types") or []
    columns = [str(c) for c in data.get("columns") or []]
    types: list[str] = []
    for i, t in enumerate(raw_types):
        if isinstance(t, (list, tuple)) and len(t) == 2:
            if len(columns) <= i:
                columns.append(str(t[0]))
            types.append(str(t[1]))
        else:
            types.append(str(t))
    if len(types) < len(columns):
        types.extend("Unknown" for _ in range(len(columns) - len(types)))
    rows = tuple(tuple(r) if isinstance(r, (list, tuple)) else (r,) for r in data["results"])
    return Table(tuple(columns), tuple(types[: len(columns)]), rows, bool(data.get("hasMore")), query_ms)
