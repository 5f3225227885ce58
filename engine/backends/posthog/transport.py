"""A total deadline on every PostHog call, down to each socket operation.

httpx's timeouts are per operation: a read timeout restarts with every byte, so a server trickling its
headers or body a byte at a time holds a call forever within a "5 s" timeout, and name resolution has
no timeout at all. Here the network layer under httpx (httpcore's network backend) is wrapped so that
every resolve, connect, TLS handshake, write and read gets at most the time left before the calling
thread's deadline, and none starts once it has passed. The deadline is per thread, set by the client
around each request with ``Budget.limit``; outside such a block nothing is clamped.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

log = logging.getLogger("askhog.posthog")


class Budget:
    """The deadline of the request each thread is making (``time.monotonic`` seconds)."""

    def __init__(self) -> None:
        self._local = threading.local()

    @contextmanager
    def limit(self, seconds: float) -> Iterator[None]:
        """Within the block, this thread's network operations end by ``seconds`` from now (nested: the sooner)."""
        previous = getattr(self._local, "deadline", None)
        deadline = time.monotonic() + max(0.0, seconds)
        self._local.deadline = deadline if previous is None else min(previous, deadline)
        try:
            yield
        finally:
            self._local.deadline = previous

    def clamp(self, timeout: float | None, expired: type[Exception]) -> float | None:
        """``timeout`` cut to the time left; ``expired`` (an httpcore timeout) when none is left."""
        deadline: float | None = getattr(self._local, "deadline", None)
        if deadline is None:
            return timeout
        left = deadline - time.monotonic()
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


def hold_to_deadlines(client: httpx.Client) -> Budget:
    """Put a ``DeadlineBackend`` under every transport of ``client`` (its default and its proxy mounts) and
    return the ``Budget`` they obey (the one already there, when ``client`` was held before).

    httpx builds its connection pools itself and offers no parameter for the network backend, so the
    backend of each pool it built is wrapped in place; this keeps everything else httpx does (proxies
    from the environment, TLS settings, connection limits). A transport without such a pool (a caller's
    own) is logged and left with httpx's per-operation timeouts only.
    """
    transports = [getattr(client, "_transport", None), *getattr(client, "_mounts", {}).values()]
    pools = [getattr(t, "_pool", None) for t in transports if t is not None]
    backends = [getattr(p, "_network_backend", None) for p in pools]
    budget = next((b._budget for b in backends if isinstance(b, DeadlineBackend)), None) or Budget()
    for transport, pool, backend in zip([t for t in transports if t is not None], pools, backends):
        if backend is None:
            log.debug("posthog_transport_unbounded transport=%s", type(transport).__name__)
        elif not isinstance(backend, DeadlineBackend):
            pool._network_backend = DeadlineBackend(budget, backend)  # type: ignore[union-attr]
    return budget
