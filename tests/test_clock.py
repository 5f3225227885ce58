"""One clock: aware in, the time grammar's naive UTC inside, aware out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from askhog.clock import aware_utc, naive_utc, utc_now, whole_seconds

PARIS_WINTER = timezone(timedelta(hours=1))


def test_naive_utc_converts_aware_moments_and_keeps_naive_ones() -> None:
    assert naive_utc(datetime(2026, 11, 26, 13, 0, tzinfo=PARIS_WINTER)) == datetime(2026, 11, 26, 12, 0)
    assert naive_utc(datetime(2026, 11, 26, 12, 0)) == datetime(2026, 11, 26, 12, 0)


def test_aware_utc_reads_naive_moments_as_utc() -> None:
    assert aware_utc(datetime(2026, 11, 26, 12, 0)) == datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert aware_utc(datetime(2026, 11, 26, 13, 0, tzinfo=PARIS_WINTER)).tzinfo is UTC


def test_the_engine_reads_any_clock_to_the_second_in_naive_utc() -> None:
    pinned = datetime(2026, 11, 26, 13, 0, 5, 999, tzinfo=PARIS_WINTER)
    assert whole_seconds(lambda: pinned)() == datetime(2026, 11, 26, 12, 0, 5)
    assert utc_now().tzinfo is UTC
