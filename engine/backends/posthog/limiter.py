"""Staying under PostHog's query limits instead of bouncing off them.

A batch evaluation fires hundreds of queries; answering each 429 with a
backoff wastes minutes and annoys the project's other users. Counting our own
requests in sliding windows (and holding a slot while a query runs) makes the
process wait just long enough, before PostHog has to say no.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ...errors import RateLimited
from .config import QueryLimits

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class QueryRateLimiter:
    """Sliding-window request counts plus a concurrency cap; thread-safe.

    ``clock`` and ``sleep`` are injectable so tests advance time without waiting.
    ``waits`` counts the times a caller had to wait, for the metrics.
    """

    def __init__(
        self,
        limits: QueryLimits | None = None,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
    ):
        limits = QueryLimits() if limits is None else limits
        self._windows: tuple[tuple[int, float], ...] = ((limits.per_minute, 60.0), (limits.per_hour, 3600.0))
        self._stamps: deque[float] = deque()
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(limits.concurrent)
        self._clock = clock
        self._sleep = sleep
        self.waits = 0

    def admit(self, deadline: float) -> int:
        """Record one request, first sleeping until every window has room; raise if that passes ``deadline``.

        Returns how many times this call had to wait.
        """
        waited = 0
        while True:
            with self._lock:
                now = self._clock()
                wait = self._wait_needed(now)
                if wait <= 0:
                    self._stamps.append(now)
                    return waited
                self.waits += 1
            waited += 1
            if now + wait > deadline:
                raise RateLimited(
                    f"client-side query limit reached ({self._describe()}); the next slot opens in "
                    f"{wait:.1f}s, after this call's deadline",
                    retry_after=wait,
                )
            self._sleep(wait)

    @contextmanager
    def running(self, deadline: float) -> Iterator[None]:
        """Hold one of the concurrent-query slots for the duration of the block."""
        timeout = max(0.0, deadline - self._clock())
        if not self._slots.acquire(timeout=timeout):
            raise RateLimited(
                f"{self._describe()}: no concurrent-query slot freed before the deadline",
                retry_after=None,
            )
        try:
            yield
        finally:
            self._slots.release()

    def in_window(self, seconds: float) -> int:
        """How many requests were admitted in the last ``seconds`` (for ``stats``)."""
        with self._lock:
            now = self._clock()
            return sum(1 for t in self._stamps if t > now - seconds)

    def _wait_needed(self, now: float) -> float:
        longest = self._windows[-1][1]
        while self._stamps and self._stamps[0] <= now - longest:
            self._stamps.popleft()
        wait = 0.0
        for limit, span in self._windows:
            recent = [t for t in self._stamps if t > now - span]
            if len(recent) >= limit:
                # the window frees up when its oldest counted request leaves it
                wait = max(wait, recent[len(recent) - limit] + span - now)
        return wait

    def _describe(self) -> str:
        per = ", ".join(f"{limit}/{int(span)}s" for limit, span in self._windows)
        return f"limits {per}"


_shared: dict[tuple[str, str], QueryRateLimiter] = {}
_shared_lock = threading.Lock()


def shared_limiter(host: str, project_id: str, limits: QueryLimits) -> QueryRateLimiter:
    """The one limiter of this process for a project.

    PostHog counts per project, not per client object, so two clients of the
    same project in one process must share their budget; this registry is the
    only process-wide state of the PostHog backend, and tests inject their own.
    """
    with _shared_lock:
        key = (host, project_id)
        if key not in _shared:
            _shared[key] = QueryRateLimiter(limits)
        return _shared[key]
