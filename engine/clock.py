"""Time for askhog: one clock, and every moment aware and in UTC.

A ``Clock`` is a function returning "now". The default, ``utc_now``, returns an aware UTC datetime; every
component that needs "now" (the engine, both backends, the PostHog taxonomy reader, the demo generator and
loader, the workflows, the query checklist measuring how far back a hand-written date literal reaches) takes a
clock or a moment from its caller, so a test pins time in one place.

Inside askhog every datetime is aware and in UTC: the time grammar, the ranges it resolves, the meaning and the
workflows compare and subtract them freely, and a naive one would be a ``TypeError`` at the first comparison.
``aware_utc`` is the one door in: a moment from outside (``Engine(clock=...)``, ``ask(now=...)``, a range
given in code, the CLI's ``--now``, a value bound into a query, a timestamp read back from a store or an API)
may be naive, which means UTC, or in another zone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The wall clock, aware, in UTC."""
    return datetime.now(UTC)


def aware_utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime (a naive moment is read as UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def whole_seconds(clock: Clock) -> Clock:
    """``clock`` read in UTC to the second, what the engine reads "now" as: queries bind moments to the second
    ('YYYY-MM-DD HH:MM:SS'), so a range ending now is exactly the range its query reads."""
    return lambda: aware_utc(clock()).replace(microsecond=0)
