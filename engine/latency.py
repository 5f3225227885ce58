"""Latency percentiles: one definition for the PostHog backend's metrics and the evaluation report.

Nearest rank (the smallest observed value with at least ``pct`` percent of the observations at or below
it), so every figure is a latency that was really observed.
"""

from __future__ import annotations

from collections.abc import Sequence


def percentile(ordered: Sequence[float], pct: float) -> float | None:
    """The nearest-rank ``pct`` percentile of ascending ``ordered`` values, rounded to 3 decimals; None if empty."""
    if not ordered:
        return None
    rank = max(1, -(-len(ordered) * pct // 100))
    return round(ordered[int(rank) - 1], 3)
