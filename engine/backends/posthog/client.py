"""One HTTP client for PostHog's API: queries, metadata, and the REST endpoints.

One ``httpx.Client`` carries what every request shares: the host as ``base_url`` (a ``next`` link is
re-rooted on it, so the key is never sent elsewhere), the key as its auth, the default headers and
timeouts, and a response hook for the metrics. Under it (``transport.py``) every call has a deadline, and
it is a total one: connecting, sending, and reading headers and body, however slowly the server trickles
them, all end by it; and requests are retried there only where waiting can help (429, 502/503/504, a
dropped connection), never for what a retry cannot fix (a syntax error, a bad key, a query too slow for
the deadline). Long queries are polled and, if the caller gives up or presses Ctrl-C, cancelled on the
server so they stop costing the project. Clock, sleep, jitter and the transport under the retries are
injectable, so tests run the retry and polling paths without waiting, and without a server.

Every answer is checked against the shape PostHog documents before use (``responses.py``), and every
error raised and every log line written passes through the key's ``Redactor`` (``redact.py``), so a
server echoing the key cannot put it in a message or a log. Every ``PostHogError`` leaving the client
names its call in ``method``, ``path`` and ``query_hash``.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import httpx

from ...errors import (
    AskhogError,
    ConnectError,
    PostHogAPIError,
    PostHogError,
    QueryError,
    QueryTimeout,
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
from .transport import (
    IDEMPOTENT,
    RESETS,
    Budget,
    DeadlinePassed,
    RetryTransport,
    hold_to_deadline,
    wrap_transports,
)

__all__ = ["PostHogClient", "table_from_response"]

log = logging.getLogger("askhog.posthog")

_POLL_FIRST, _POLL_FACTOR, _POLL_CAP = 0.25, 1.5, 2.0
_CANCEL_DEADLINE = 5.0
_NAME_MAX = 128
_LOCATION_MAX = 200
_STATS = "askhog.stats"  # request extension: the _CallStats of the call the request belongs to


@dataclass
class _CallStats:
    retries: int = 0
    throttled: int = 0


class _BearerKey(httpx.Auth):
    """The personal API key as ``Authorization: Bearer …`` on each request, kept out of the client's default
    headers, which code printing a client's settings could show."""

    def __init__(self, key: str):
        self._header = f"Bearer {key}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request


class PostHogClient:
    """A thread-safe client of one PostHog project.

    ``transport`` is what the retries and deadlines wrap: httpx's own (with the proxies it reads from the
    environment) when omitted, an ``httpx.MockTransport`` in tests; it is closed with the client, as httpx
    does. ``limiter`` defaults to the process-wide limiter of the project, ``cache`` to a TTL/LRU cache sized
    from the config. While the client is open, a filter on askhog's and httpx's loggers redacts its key.
    """

    def __init__(
        self,
        config: PostHogConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        limiter: QueryRateLimiter | None = None,
        cache: TTLCache[Table] | None = None,
        metrics: QueryMetrics | None = None,
    ):
        self.config = config
        self._redact = Redactor(config.api_key)
        self._log_filter = install(self._redact, self)
        self._clock = clock
        self._sleep = sleep
        self.limiter = limiter if limiter is not None else shared_limiter(config.host, config.project_id, config.limits)
        self.cache: TTLCache[Table] = (
            cache if cache is not None else TTLCache(config.cache_ttl, config.cache_size, clock=clock)
        )
        self.metrics = metrics if metrics is not None else QueryMetrics()
        # The hooks and the transport get the metrics and the budget, not bound methods of the client: a
        # client in a reference cycle through its httpx client would, when dropped unclosed, keep its log
        # filter (removed when it is collected) until the cyclic garbage collector happens to run.
        budget = self._budget = Budget(clock)
        self._http = httpx.Client(
            base_url=config.host,
            auth=_BearerKey(config.api_key),
            headers={"Accept": "application/json", "User-Agent": "askhog"},
            timeout=httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
            follow_redirects=False,
            event_hooks={"response": [partial(_count_rate_limited, self.metrics)]},
            transport=transport,
        )

        def held(inner: httpx.BaseTransport) -> httpx.BaseTransport:
            hold_to_deadline(inner, budget)
            return RetryTransport(
                inner,
                budget=budget,
                retries=config.max_retries,
                backoff_base=config.backoff_base,
                backoff_cap=config.backoff_cap,
                sleep=sleep,
                jitter=jitter,
                on_retry=partial(_count_retry, self.metrics),
            )

        wrap_transports(self._http, held)

    @property
    def clock(self) -> Callable[[], float]:
        """The monotonic clock this client measures deadlines with (shared by its caches)."""
        return self._clock

    def __repr__(self) -> str:
        return f"PostHogClient(host={self.config.host!r}, project_id={self.config.project_id!r})"

    def close(self) -> None:
        uninstall(self._log_filter)
        self._http.close()

    def __enter__(self) -> PostHogClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- REST ------------------------------------------------------------------------------

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``path`` (relative to the host, or a ``next`` link) and return its JSON."""
        with self._about("GET", path):
            response = self._send("GET", path, params=params, deadline=self._deadline(), stats=_CallStats())
            return self._json(response, path)

    def post(self, path: str, body: dict[str, Any], *, idempotent: bool = False) -> Any:
        """POST ``body``; retried after a dropped connection or a 5xx only when ``idempotent`` (a 429 always)."""
        with self._about("POST", path):
            response = self._send(
                "POST", path, json=body, deadline=self._deadline(), stats=_CallStats(), idempotent=idempotent
            )
            return self._json(response, path)

    def paginate(self, path: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a paginated list endpoint, following ``next`` links; each item is an object."""
        with self._about("GET", path):
            items, following = page_items(self.get(path, params), path)
        yield from items
        while following:
            with self._about("GET", following):
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
        with self._about("POST", self._query_path(), hogql):
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
        with self._about("POST", self._query_path(), hogql):
            return self._metadata(hogql, jsonable(values or {}), self._deadline())

    def _metadata(self, hogql: str, values: dict[str, Any], deadline: float) -> dict[str, Any]:
        body = {
            "query": {"kind": "HogQLMetadata", "language": "hogQL", "query": hogql, "globals": values},
            "name": "askhog check",
        }
        stats = _CallStats()
        stats.throttled += self.limiter.admit(deadline)
        response = self._send("POST", self._query_path(), json=body, deadline=deadline, stats=stats, query=hogql)
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
            self._send(
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
            response = self._send("POST", self._query_path(), json=body, deadline=deadline, stats=stats, query=hogql)
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
            with self._about("GET", path, hogql):
                stats.throttled += self.limiter.admit(deadline)
                response = self._send("GET", path, deadline=deadline, stats=stats, passthrough=frozenset({400, 500}))
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

    def _send(
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
        """The answer to one call, retried as ``RetryTransport`` sees fit within ``deadline``; the typed error
        when it failed or its status is an error not in ``passthrough`` (``query`` lets a syntax error point
        at the spot)."""
        relative, shown = _on_host(path)
        host = self.config.host
        try:
            request = self._http.build_request(
                method, relative, json=json, params=params, extensions={IDEMPOTENT: idempotent, _STATS: stats}
            )
            with self._budget.until(deadline):  # the total: however slowly the answer trickles in
                response = self._http.send(request)
        except DeadlinePassed:
            raise QueryTimeout(f"{method} {shown} did not complete within {self.config.deadline:g}s") from None
        except httpx.ConnectTimeout as exc:
            raise ConnectError(
                f"could not connect to {host} within {_allowed(exc, 'connect'):g}s; check POSTHOG_HOST and your network"
            ) from None
        except httpx.ConnectError as exc:
            raise ConnectError(
                f"could not connect to {host} ({self._redact(str(exc)) or 'refused'}); check POSTHOG_HOST and your network"
            ) from None
        except httpx.TimeoutException as exc:
            raise QueryTimeout(
                f"{method} {shown} got no complete answer within {_allowed(exc, 'read'):g}s (never retried)"
            ) from None
        except RESETS as exc:
            raise ConnectError(
                f"the connection to {host} dropped during {method} {shown} ({type(exc).__name__})"
            ) from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:  # a protocol error, an unusable URL
            raise ConnectError(
                f"{method} {shown} on {host} failed: {type(exc).__name__}: {self._redact(str(exc))}"
            ) from None
        if 300 <= response.status_code < 400:
            location = self._redact(response.headers.get("location", "?"))[:_LOCATION_MAX]
            raise PostHogAPIError(
                f"{host} redirected {method} {shown} to {location}; "
                "set POSTHOG_HOST to the host PostHog redirects to (the key is not sent on redirects)",
                status=response.status_code,
            )
        if response.status_code < 400 or response.status_code in passthrough:
            return response
        raise error_for_response(
            response.status_code,
            self._redacted(response.content),
            response.headers,
            path=request.url.path,
            project_id=self.config.project_id,
            query=query,
        )

    def _json(self, response: httpx.Response, path: str) -> Any:
        return decode(response.content, status=response.status_code, where=urlsplit(path).path or path)

    def _redacted(self, content: bytes) -> bytes:
        """An error body with the key removed: a proxy echoing our headers must not put it in a message."""
        return self._redact(content.decode("utf-8", errors="replace")).encode("utf-8")

    @contextmanager
    def _about(self, method: str, path: str, hogql: str | None = None) -> Iterator[None]:
        """Every askhog error leaving the block has the key removed from its message and fields, and a
        ``PostHogError`` names the call: ``method``, ``path`` (a ``next`` link's path on the host) and the
        hash of ``hogql``. The innermost block names it, being nearest the request that failed."""
        try:
            yield
        except AskhogError as exc:
            if isinstance(exc, PostHogError) and exc.method is None:
                exc.method, exc.path = method, _on_host(path)[1]
                exc.query_hash = None if hogql is None else query_hash(hogql)
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


def _on_host(path: str) -> tuple[str, str]:
    """``path`` relative to the configured host, and the path to show in messages.

    A ``next`` link is re-rooted on the host (``base_url``) so that the key is never sent anywhere else,
    whatever host the link names.
    """
    parts = urlsplit(path)
    relative = parts.path + (f"?{parts.query}" if parts.query else "")
    if not relative.startswith("/"):
        relative = "/" + relative
    return relative, parts.path or "/"


def _count_retry(metrics: QueryMetrics, request: httpx.Request, status: int | None) -> None:
    """``RetryTransport``'s report of a retry: it counts against the request's call, and a retried 429
    against the project's rate-limit figure (the response hook sees only the answer a call ends with)."""
    request.extensions[_STATS].retries += 1
    if status == 429:
        metrics.record_rate_limited()


def _count_rate_limited(metrics: QueryMetrics, response: httpx.Response) -> None:
    """The response hook: a 429 that ends a call (not retried) in the metrics."""
    if response.status_code == 429:
        metrics.record_rate_limited()


def _allowed(exc: httpx.TimeoutException, phase: str) -> float:
    """The seconds the failed attempt had for ``phase`` (its timeout, cut to the time left by the transport)."""
    return float(exc.request.extensions["timeout"][phase])


def _check_query(hogql: object, values: object) -> None:
    """A query is non-empty text and its values a mapping, before anything hashes or sends them."""
    if not isinstance(hogql, str):
        raise QueryError(f"a query must be HogQL text, not {type(hogql).__name__}")
    if not hogql.strip():
        raise QueryError("the query is empty")
    if values is not None and not isinstance(values, dict):
        raise QueryError(f"query values must map placeholder names to values, not {type(values).__name__}")
