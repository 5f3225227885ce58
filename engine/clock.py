"""Time for askhog: one clock, and the one bridge between aware and naive moments.

A ``Clock`` is a function returning "now". The default, ``utc_now``, returns an aware UTC datetime; every
component that needs "now" (the engine, the PostHog backend, its taxonomy reader, the demo generator, the
query checklist) takes a clock or a moment from its caller, so a test pins time in one place.

The time grammar (``timerange``) and the meaning it resolves compute with naive datetimes that mean UTC
(its documented convention: calendar arithmetic without time zones). ``naive_utc`` is the single place an
aware moment enters that convention, ``aware_utc`` the single place one leaves it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The wall clock, aware, in UTC."""
    return datetime.now(UTC)


def naive_utc(moment: datetime) -> datetime:
    """``moment`` in the time grammar's convention: naive, meaning UTC (a naive moment already is)."""
    return moment if moment.tzinfo is None else moment.astimezone(UTC).replace(tzinfo=None)


def aware_utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime (a naive moment is read as UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def whole_seconds(clock: Clock) -> Clock:
    """``clock`` in the grammar's convention, to the second: what the engine reads "now" as."""
    return lambda: naive_utc(clock()).replace(microsecond=0)
