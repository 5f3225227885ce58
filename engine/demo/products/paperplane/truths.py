"""The seven planted truths: effects the generator adds so analyses have a known right answer.

Each section below is one truth of shared/spec/demo-dataset.md, with the knobs
that plant it and, where it needs one, the small function the generator calls.
Nothing else in the generator departs from ``model.py``'s ordinary behaviour.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from ...model import happens
from ...timeline import Timeline

# --- 1. Checkout break: ten days before the end, Safari checkouts stop converting ------------

BREAK_DAYS_BEFORE_END = 10
BROKEN_BROWSER = "Safari"
BROKEN_CONVERSION_FACTOR = 0.15  # Safari keeps 15% of its usual checkout → purchase conversion
RELEASE_NOTE = "Release 4.2: new checkout page"


def break_moment(timeline: Timeline) -> datetime:
    return timeline.days_before_end(BREAK_DAYS_BEFORE_END)


# --- 2. Channels: google brings the most users, newsletter users pay the most ---------------

UTM_SOURCES: dict[str | None, float] = {"google": 34, None: 22, "twitter": 15, "producthunt": 15, "newsletter": 14}
# Per channel: chance that a buyer picks the team plan, and that they pay yearly.
TEAM_PLAN_RATE = {"newsletter": 0.65}
ANNUAL_BILLING_RATE = {"newsletter": 0.5}
DEFAULT_TEAM_PLAN_RATE = 0.25
DEFAULT_ANNUAL_BILLING_RATE = 0.2

# --- 3. Sharing in the first week predicts buying --------------------------------------------

SHARES_IN_FIRST_WEEK = 0.35  # share of new users who share a file within seven days of signing up
CHECKOUT_INTENT = {True: 0.65, False: 0.16}  # chance of ever opening checkout, by "shared in week one"

# --- 4. Experiment new-checkout: test converts better than control ---------------------------

FLAG = "new-checkout"
VARIANTS = ("control", "test")
CONVERSION_BY_VARIANT = np.array([0.45, 0.68])  # checkout → purchase, indexed like VARIANTS


def checkout_converts(
    rng: np.random.Generator, attempt_us: np.ndarray, variant: np.ndarray, broken_browser: np.ndarray, break_us: int
) -> np.ndarray:
    """Whether each checkout attempt ends in a purchase (truths 1 and 4 together)."""
    return happens(rng, CONVERSION_BY_VARIANT[variant], broken_browser, attempt_us, break_us, BROKEN_CONVERSION_FACTOR)


# --- 5. Activation: onboarding on day one keeps users around ---------------------------------

ONBOARDED_DAY_ONE = 0.5


WEEKLY_DROPOUT = {True: 0.12, False: 0.45}  # chance per week of leaving for good, by "onboarded on day one"


def weeks_until_dropout(rng: np.random.Generator, onboarded_day_one: np.ndarray) -> np.ndarray:
    """How many weeks after signup each person keeps coming back (at least the first one)."""
    hazard = np.where(onboarded_day_one, WEEKLY_DROPOUT[True], WEEKLY_DROPOUT[False])
    return rng.geometric(hazard)


# --- 6. Churn: a group of once-busy users has gone silent --------------------------------------

CHURN_MIN_TENURE_DAYS = 35  # only users who signed up at least this long ago belong to the group
CHURN_GROUP_SHARE = 0.15
CHURN_SILENT_DAYS = 14  # the group's last activity is at least this many days before the end
CHURN_SILENCE_SPREAD = 15  # … and up to this many days more
CHURN_GROUP_ACTIVITY = 0.75  # daily activity while they were around, with no decay

# --- 7. Rhythm: weekdays are busier than weekends ---------------------------------------------

WEEKDAY_FACTOR = np.array([1.0, 1.0, 1.0, 1.0, 0.95, 0.45, 0.4])  # Monday … Sunday


def planted_annotations(timeline: Timeline) -> list[tuple[datetime, str]]:
    """The project's annotations: the release that broke checkout (truth 1) and two harmless ones."""
    return [
        (timeline.days_before_end(62), "Spring promo newsletter sent"),
        (timeline.days_before_end(41), "Release 4.1: templates gallery"),
        (break_moment(timeline), RELEASE_NOTE),
    ]
