"""What one client's queries cost and how they failed, for ``askhog stats`` and ``askhog eval``.

Owned by a client instance (not a global), so two projects or two test cases
never mix their figures.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from typing import Any

from ...latency import percentile

_KEPT_LATENCIES = 10_000


class QueryMetrics:
    """Latency percentiles, errors by type, rate-limit hits and the cache hit rate; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latencies: deque[float] = deque(maxlen=_KEPT_LATENCIES)
        self._errors: Counter[str] = Counter()
        self.queries = 0
        self.cache_hits = 0
        self.retries = 0
        self.rate_limited = 0
        self.throttled_waits = 0

    def record(self, *, duration_ms: float, cache_hit: bool, retries: int, error: str | None) -> None:
        with self._lock:
            self.queries += 1
            self.retries += retries
            if cache_hit:
                self.cache_hits += 1
            else:
                self._latencies.append(duration_ms)
            if error:
                self._errors[error] += 1

    def record_rate_limited(self) -> None:
        with self._lock:
            self.rate_limited += 1

    def record_throttled_wait(self) -> None:
        with self._lock:
            self.throttled_waits += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            ordered = sorted(self._latencies)
            return {
                "queries": self.queries,
                "cache_hits": self.cache_hits,
                "cache_hit_rate": round(self.cache_hits / self.queries, 4) if self.queries else 0.0,
                "latency_ms": {
                    "p50": percentile(ordered, 50),
                    "p95": percentile(ordered, 95),
                    "p99": percentile(ordered, 99),
                },
                "errors": dict(self._errors),
                "error_count": sum(self._errors.values()),
                "retries": self.retries,
                "rate_limited": self.rate_limited,
                "throttled_waits": self.throttled_waits,
            }

    def format(self) -> str:
        s = self.snapshot()
        lat = s["latency_ms"]

        def ms(v: float | None) -> str:
            return "-" if v is None else f"{v:.0f}ms"

        errors = ", ".join(f"{k}={v}" for k, v in sorted(s["errors"].items())) or "none"
        return "\n".join(
            [
                f"PostHog queries: {s['queries']} (cache hits {s['cache_hits']}, {s['cache_hit_rate']:.0%})",
                f"latency: p50 {ms(lat['p50'])}, p95 {ms(lat['p95'])}, p99 {ms(lat['p99'])}",
                f"errors: {errors}",
                f"retries: {s['retries']}, 429s: {s['rate_limited']}, self-throttled waits: {s['throttled_waits']}",
            ]
        )
