"""Billfold's six planted truths: effects the generator adds so analyses have a known right answer.

Each section below is one truth of ``invoicing.md``, with the knobs that plant
it and, where it needs one, the small function the generator calls. Nothing
else in the generator departs from ``model.py``'s ordinary behaviour.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from ...model import happens
from ...timeline import Timeline

# --- 1. Payment break: twelve days before the end, German accounts stop getting paid --------------

BREAK_DAYS_BEFORE_END = 12
BROKEN_COUNTRY = "DE"
BROKEN_PAYMENT_FACTOR = 0.15  # a DE account's payment due after the break arrives with 15% of the usual chance
RELEASE_NOTE = "Release 7.3: localized client payment page"


def break_moment(timeline: Timeline) -> datetime:
    return timeline.days_before_end(BREAK_DAYS_BEFORE_END)


# --- 2. Channels: google brings the most accounts, partner accounts are paid the most -------------

UTM_SOURCES: dict[str | None, float] = {"google": 34, None: 20, "capterra": 18, "linkedin": 16, "partner": 12}
INVOICE_SCALE_BY_SOURCE = {"partner": 3.0}  # accounts referred by accountants bill this many times more than others

# --- 3. Sending an invoice within three days of signing up predicts subscribing -------------------

FAST_START_DAYS = 3
FAST_START_SHARE = 0.4  # of new accounts, send their first invoice within FAST_START_DAYS
SUBSCRIBE_RATE = {True: 0.45, False: 0.08}  # chance of ever starting a paid plan, by "fast start"

# --- 4. Experiment smart-reminders: test gets its invoices paid more often -------------------------

FLAG = "smart-reminders"
VARIANTS = ("control", "test")
PAYMENT_RATE = np.array([0.3, 0.6])  # chance that a sent invoice is paid, indexed like VARIANTS
AUTOMATIC_REMINDER_DAYS = 7  # test sends a reminder this long after an invoice still unpaid then


def invoice_paid(
    rng: np.random.Generator, paid_us: np.ndarray, variant: np.ndarray, broken_country: np.ndarray, break_us: int
) -> np.ndarray:
    """Whether each sent invoice is paid at ``paid_us`` (truths 1 and 4 together)."""
    return happens(rng, PAYMENT_RATE[variant], broken_country, paid_us, break_us, BROKEN_PAYMENT_FACTOR)


# --- 5. Rhythm: a working-week product that invoices at the turn of the month ---------------------

WEEKDAY_FACTOR = np.array([1.0, 1.05, 1.05, 1.0, 0.85, 0.2, 0.15])  # Monday … Sunday
MONTH_TURN_DAYS = 2  # the last two and the first two days of a month …
MONTH_TURN_FACTOR = 3.0  # … see three times the invoices of another day


def month_turn(timeline: Timeline) -> np.ndarray:
    """Per day column: whether it is one of the last or first ``MONTH_TURN_DAYS`` days of its month."""
    first = np.datetime64(timeline.first_day.date(), "D")
    dates = first + np.arange(timeline.days)
    month_start = dates.astype("datetime64[M]").astype("datetime64[D]")
    next_month = (dates.astype("datetime64[M]") + 1).astype("datetime64[D]")
    into = (dates - month_start).astype(np.int64)
    left = (next_month - dates).astype(np.int64)
    turn: np.ndarray = (into < MONTH_TURN_DAYS) | (left <= MONTH_TURN_DAYS)
    return turn


# --- 6. Retention: bigger companies keep coming back, one-person businesses drift away ------------

WEEKLY_DROPOUT = {"1": 0.3, "2-10": 0.18, "11-50": 0.07, "51-200": 0.07}  # chance per week of leaving, by company_size


def planted_annotations(timeline: Timeline) -> list[tuple[datetime, str]]:
    """The project's annotations: the release that broke German payments (truth 1) and two harmless ones."""
    return [
        (timeline.days_before_end(55), "Listed on Capterra"),
        (timeline.days_before_end(33), "Release 7.2: recurring invoices"),
        (break_moment(timeline), RELEASE_NOTE),
    ]
