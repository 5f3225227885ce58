"""What every demo product knows about a chunk of its persons, and the draws all products make the same way.

Everything is a numpy array with one entry per person, so a chunk of ten
thousand persons is drawn in a few vectorised steps. Times are microseconds
since the epoch; ``NEVER`` means "never". A product's own population (under
``products/``) extends ``People`` with its milestones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import FIRST_NAMES, LAST_NAMES, Habits, Vocabulary
from .timeline import US_PER_SECOND, Timeline

NEVER = -1


@dataclass
class People:
    """The fields the shared machinery reads: identity, platform, and when a person is around."""

    first_index: int  # global index of the chunk's first person
    visitor: np.ndarray  # never signed up: one anonymous website visit
    signup_us: np.ndarray  # signup (or the visit, for visitors)
    browser: np.ndarray
    os: np.ndarray
    device: np.ndarray
    first_name: np.ndarray
    last_name: np.ndarray
    email_domain: np.ndarray
    stop_us: np.ndarray  # nothing happens after this moment
    activity: np.ndarray  # base daily chance of an everyday session
    weeks_active: np.ndarray  # everyday sessions stop this many weeks after signup

    def __len__(self) -> int:
        return len(self.signup_us)

    @property
    def global_index(self) -> np.ndarray:
        return self.first_index + np.arange(len(self), dtype=np.uint32)


def signup_times(rng: np.random.Generator, n: int, timeline: Timeline, habits: Habits) -> np.ndarray:
    """Signup moments: more on later days (growth) and on busy weekdays, at the habits' hours, none after the end."""
    days = np.arange(timeline.days)
    weight = (1 + habits.signup_growth * days / timeline.days) * habits.weekday_factor[timeline.weekday(days)]
    weight[-1] *= timeline.end.hour / 24  # today is only partly over
    day = rng.choice(timeline.days, size=n, p=weight / weight.sum())
    hour = rng.choice(24, size=n, p=habits.hour_weights)
    today = day == timeline.days - 1
    hour = np.where(today, (rng.random(n) * max(timeline.end.hour, 1)).astype(np.int64), hour)
    seconds = hour * 3600 + rng.integers(0, 3600, n)
    moments: np.ndarray = timeline.day_start_us(day) + seconds * US_PER_SECOND
    return moments


Platform = tuple[str, str, str, float]
"""(browser, os, device, share %): a person keeps one platform."""


def platforms(
    rng: np.random.Generator, n: int, vocab: Vocabulary, table: tuple[Platform, ...]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each person's $browser, $os and $device_type codes, drawn as one platform of ``table``."""
    share = np.array([p[3] for p in table])
    pick = rng.choice(len(table), size=n, p=share / share.sum())

    def column(i: int, prop: str) -> np.ndarray:
        return np.array([vocab.code(prop, str(p[i])) for p in table], dtype=np.uint8)[pick]

    return column(0, "$browser"), column(1, "$os"), column(2, "$device_type")


def names(rng: np.random.Generator, n: int, email_domains: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Codes of each person's first name, last name and email domain (one of ``email_domains`` domains)."""
    return (
        rng.integers(0, len(FIRST_NAMES), n).astype(np.uint8),
        rng.integers(0, len(LAST_NAMES), n).astype(np.uint8),
        rng.integers(0, email_domains, n).astype(np.uint8),
    )
