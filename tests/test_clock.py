"""One clock: every moment inside askhog is aware UTC; a moment from outside may be naive (UTC) or zoned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from askhog.clock import aware_utc, utc_now, whole_seconds

PARIS_WINTER = timezone(timedelta(hours=1))
NOON = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def test_aware_utc_reads_naive_moments_as_utc_and_converts_other_zones() -> None:
    assert aware_utc(NOON.replace(tzinfo=None)) == NOON and aware_utc(NOON.replace(tzinfo=None)).tzinfo is UTC
    assert aware_utc(datetime(2026, 11, 26, 13, 0, tzinfo=PARIS_WINTER)).tzinfo is UTC
    assert aware_utc(datetime(2026, 11, 26, 13, 0, tzinfo=PARIS_WINTER)).hour == 12


def test_the_engine_reads_any_clock_to_the_second_as_aware_utc() -> None:
    pinned = datetime(2026, 11, 26, 13, 0, 5, 999, tzinfo=PARIS_WINTER)
    read = whole_seconds(lambda: pinned)()
    assert read == NOON + timedelta(seconds=5) and read.tzinfo is UTC
    assert whole_seconds(lambda: NOON.replace(tzinfo=None))() == NOON
    assert utc_now().tzinfo is UTC
