"""The demo's calendar: where the data ends, the day grid, and the day the checkout broke.

Everything is UTC and measured in microseconds since the epoch, the unit of
``DateTime64(6)``, so numpy arrays of timestamps go straight into ClickHouse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from ..clock import aware_utc

US_PER_SECOND = 1_000_000
US_PER_DAY = 86_400 * US_PER_SECOND
SPAN_DAYS = 90


def _to_us(moment: datetime) -> int:
    return int(moment.timestamp()) * US_PER_SECOND + moment.microsecond


def end_of_data(now: datetime) -> datetime:
    """Where a demo generated at ``now`` ends: ``now`` truncated to the hour, so "last 7 days" always hits data."""
    return aware_utc(now).replace(minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class Timeline:
    """``SPAN_DAYS`` whole UTC days plus the partial current day, ending at ``end`` (exclusive)."""

    end: datetime

    @property
    def first_day(self) -> datetime:
        today = self.end.replace(hour=0)
        return today - timedelta(days=SPAN_DAYS)

    @property
    def days(self) -> int:
        """Number of day columns: the full days plus today (partial)."""
        return SPAN_DAYS + 1

    @property
    def start_us(self) -> int:
        return _to_us(self.first_day)

    @property
    def end_us(self) -> int:
        return _to_us(self.end)

    def day_start_us(self, day: np.ndarray | int) -> np.ndarray:
        return self.start_us + np.asarray(day, dtype=np.int64) * US_PER_DAY

    def day_of(self, ts_us: np.ndarray) -> np.ndarray:
        return ((np.asarray(ts_us, dtype=np.int64) - self.start_us) // US_PER_DAY).astype(np.int64)

    def weekday(self, day: np.ndarray) -> np.ndarray:
        """Monday = 0 … Sunday = 6 for day columns."""
        return (self.first_day.weekday() + np.asarray(day, dtype=np.int64)) % 7

    def days_before_end(self, n: int) -> datetime:
        """Midnight (UTC) ``n`` days before today's date."""
        return self.end.replace(hour=0) - timedelta(days=n)

    def us(self, moment: datetime) -> int:
        return _to_us(moment)
