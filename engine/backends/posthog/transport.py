"""Below ``PostHogClient``'s one ``httpx.Client``: a total deadline on every call, and the retries.

**Deadlines.** httpx's timeouts are per operation: a read timeout restarts with every byte, so a server
trickling its headers or body a byte at a time holds a call forever within a "5 s" timeout, and name
resolution has no timeout at all. Here the network layer under httpx (httpcore's network backend) is
wrapped so that every resolve, connect, TLS handshake, write and read gets at most the time left before
the calling thread's deadline, and none starts once it has passed. The deadline is per thread, set by the
client around each call with ``Budget.until``; outside such a block nothing is clamped.

**Retries.** ``RetryTransport`` wraps another transport (httpx's own, or an ``httpx.MockTransport`` in
tests) and sends a request again only where waiting can help: a 429 (as long as PostHog asked), a
502/503/504 or a dropped connection (exponential backoff with jitter), and the last two only for a request
that may safely happen twice. It never waits past the call's deadline. Being a transport, it is tested
alone, with no client and no server.
"""

from __future__ import annotations

import ipaddress
import logging
import random
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

from .api_errors import parse_error_body, retry_after_seconds

log = logging.getLogger("askhog.posthog")

RETRY_STATUSES = frozenset({429, 502, 503, 504})
"""Answers that a later attempt can change: PostHog's rate limit, and a gateway or PostHog itself briefly down."""

RESETS = (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError)
"""A connection dropped mid-request: the request may or may not have reached PostHog."""

IDEMPOTENT = "askhog.idempotent"
"""Request extension: ``True`` when the request may be sent again after it may have reached PostHog (a dropped
connection, a 5xx). Without it only GET, HEAD and OPTIONS are; a 429 is always retried, since PostHog refused
it before doing anything."""

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Budget:
    """The deadline of the call each thread is making, on the owner's monotonic clock.

    The clock is the client's (injectable), so that the retries' waits and the socket operations are
    measured on the same time line, and a test's fake clock pins both.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._local = threading.local()

    @contextmanager
    def until(self, deadline: float) -> Iterator[None]:
        """Within the block, this thread's network operations end by ``deadline`` (nested: the sooner)."""
        previous = getattr(self._local, "deadline", None)
        self._local.deadline = deadline if previous is None else min(previous, deadline)
        try:
            yield
        finally:
            self._local.deadline = previous

    def left(self) -> float | None:
        """Seconds left before this thread's deadline (negative once passed); ``None`` outside ``until``."""
        deadline: float | None = getattr(self._local, "deadline", None)
        return None if deadline is None else deadline - self._clock()

    def clamp(self, timeout: float | None, expired: type[Exception]) -> float | None:
        """``timeout`` cut to the time left; ``expired`` (an httpcore timeout) when none is left."""
        left = self.left()
        if left is None:
            return timeout
        if left <= 0:
            raise expired("the call's deadline passed")
        return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, budget: Budget):
        self._inner = inner
        self._budget = budget

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._budget.clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._budget.clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        wrapped = self._inner.start_tls(
            ssl_context, server_hostname, self._budget.clamp(timeout, httpcore.ConnectTimeout)
        )
        return _Stream(wrapped, self._budget)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's network backend with every operation held to the thread's ``Budget``.

    Names are resolved on a helper thread so that a resolver that hangs is abandoned at the deadline
    (the thread finishes on its own; nothing waits for it).
    """

    def __init__(self, budget: Budget, inner: httpcore.NetworkBackend | None = None):
        self._budget = budget
        self._inner = inner if inner is not None else httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        addresses = self._resolve(host, port, timeout)
        failure: Exception = httpcore.ConnectError(f"no address for {host}")
        for address in addresses:
            try:
                stream = self._inner.connect_tcp(
                    address, port, self._budget.clamp(timeout, httpcore.ConnectTimeout), local_address, socket_options
                )
            except httpcore.ConnectError as exc:  # try the next address (IPv6, then IPv4 …)
                failure = exc
                continue
            return _Stream(stream, self._budget)
        raise failure

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        stream = self._inner.connect_unix_socket(
            path, self._budget.clamp(timeout, httpcore.ConnectTimeout), socket_options
        )
        return _Stream(stream, self._budget)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)

    def _resolve(self, host: str, port: int, timeout: float | None) -> list[str]:
        try:
            ipaddress.ip_address(host)
            return [host]
        except ValueError:
            pass
        wait = self._budget.clamp(timeout, httpcore.ConnectTimeout)
        answer: Future[list[Any]] = Future()

        def lookup() -> None:
            try:
                answer.set_result(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
            except BaseException as exc:  # handed to the waiting thread
                answer.set_exception(exc)

        threading.Thread(target=lookup, name=f"askhog-resolve-{host}", daemon=True).start()
        try:
            found = answer.result(timeout=wait)
        except TimeoutError:
            raise httpcore.ConnectTimeout(f"could not resolve {host} in time") from None
        except OSError as exc:
            raise httpcore.ConnectError(f"could not resolve {host}: {exc}") from None
        return list(dict.fromkeys(str(info[4][0]) for info in found))


class DeadlinePassed(httpx.TimeoutException):
    """The call's deadline passed before ``RetryTransport`` could start another attempt."""


class RetryTransport(httpx.BaseTransport):
    """``inner`` with the retries PostHog's answers call for, within the thread's ``Budget``.

    A retried request waits what a 429 asked for (``Retry-After``, or the seconds in PostHog's throttle
    message), else ``backoff_base * 2**attempt`` capped at ``backoff_cap`` and scaled by 0.5-1.0 with
    ``jitter``, so that clients that failed together do not retry together. It gives up, returning the last
    answer or raising the last failure, after ``retries`` retries or when the wait would pass the deadline;
    with no time left before an attempt it raises ``DeadlinePassed``. Each attempt's timeouts are cut to the
    time left. ``on_retry(request, status)`` is told of each retry before its wait (``status`` ``None`` for a
    dropped connection): the transport sees every attempt, the client only the last.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport,
        *,
        budget: Budget,
        retries: int,
        backoff_base: float,
        backoff_cap: float,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
        on_retry: Callable[[httpx.Request, int | None], None] = lambda request, status: None,
    ):
        self._inner = inner
        self._budget = budget
        self._retries = retries
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._sleep = sleep
        self._jitter = jitter
        self._on_retry = on_retry

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        idempotent = bool(request.extensions.get(IDEMPOTENT, request.method in _SAFE_METHODS))
        timeouts: dict[str, float | None] = dict(request.extensions.get("timeout", {}))
        attempt = 0
        while True:
            left = self._budget.left()
            if left is not None:
                if left <= 0:
                    raise DeadlinePassed(
                        f"the deadline passed before {request.method} {request.url.path} could be sent", request=request
                    )
                request.extensions["timeout"] = {k: left if v is None else min(v, left) for k, v in timeouts.items()}
            status: int | None
            try:
                response = self._inner.handle_request(request)
            except RESETS as exc:
                wait = self._backoff(attempt)
                if not (idempotent and self._may_wait(attempt, wait)):
                    raise
                status, reason = None, type(exc).__name__
            else:
                status = response.status_code
                if status not in RETRY_STATUSES:
                    return response
                response.read()
                throttled = status == 429
                asked = (
                    retry_after_seconds(response.headers, parse_error_body(response.content).detail)
                    if throttled
                    else None
                )
                wait = asked if asked is not None else self._backoff(attempt)
                if not ((idempotent or throttled) and self._may_wait(attempt, wait)):
                    return response
                response.close()
                reason = str(status)
            log.info(
                "posthog_retry method=%s path=%s attempt=%d wait_s=%.2f reason=%s",
                request.method,
                request.url.path,
                attempt + 1,
                wait,
                reason,
            )
            self._on_retry(request, status)
            self._sleep(wait)
            attempt += 1

    def close(self) -> None:
        self._inner.close()

    def _may_wait(self, attempt: int, wait: float) -> bool:
        left = self._budget.left()
        return attempt < self._retries and (left is None or wait <= left)

    def _backoff(self, attempt: int) -> float:
        delay = min(self._backoff_cap, self._backoff_base * 2**attempt)
        return float(delay * (0.5 + self._jitter() / 2))


def hold_to_deadline(transport: httpx.BaseTransport, budget: Budget) -> None:
    """Put a ``DeadlineBackend`` obeying ``budget`` under ``transport``'s connection pool.

    httpx builds its connection pools itself and offers no parameter for the network backend, so the
    backend of the pool is wrapped in place; this keeps everything else httpx does (TLS settings,
    connection limits). A transport without such a pool (a caller's own, a ``MockTransport``) is logged and
    left with httpx's per-operation timeouts only.
    """
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if backend is None:
        log.debug("posthog_transport_unbounded transport=%s", type(transport).__name__)
        return
    pool._network_backend = DeadlineBackend(budget, backend)  # type: ignore[union-attr]


def wrap_transports(client: httpx.Client, wrap: Callable[[httpx.BaseTransport], httpx.BaseTransport]) -> None:
    """Replace each transport ``client`` routes requests to, its default one and the proxy mounts httpx built
    from the environment, with ``wrap(transport)``.

    Handing httpx a ``transport=`` of our own would turn off the proxies it reads from the environment
    (HTTPS_PROXY, NO_PROXY); wrapping the transports it built keeps them.
    """
    client._transport = wrap(client._transport)
    client._mounts = {pattern: None if inner is None else wrap(inner) for pattern, inner in client._mounts.items()}
