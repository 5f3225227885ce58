"""The events of a population chunk: scripted milestone sessions plus everyday sessions, for any product.

A product's own ``events.py`` (under ``products/``) scripts its milestones with
``Builder.script`` at the moments its population chose, fills the days in
between with ``everyday_sessions`` (its ``Habits``), then fills event
properties. Rows are columns of numpy arrays, so millions of events never
become Python objects.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from .model import NONE, Habits, Vocabulary, sample
from .people import People
from .timeline import US_PER_SECOND, Timeline

NO_SESSION = -1
P = TypeVar("P", bound=People)


@dataclass
class Events:
    person: np.ndarray  # index into the chunk's Population
    ts: np.ndarray  # microseconds since the epoch
    event: np.ndarray  # code: index into Vocabulary.events
    session: np.ndarray  # session number within the chunk, NO_SESSION for server-side events
    anon: np.ndarray  # sent before the person identified (anonymous distinct_id)
    page: np.ndarray  # $pathname code of the page the event happened on (NONE server-side)
    value: np.ndarray  # the event's own categorical property code (NONE if it has none)
    number: np.ndarray  # the event's numeric property (size, amount …)
    referrer: np.ndarray  # $referring_domain code

    def __len__(self) -> int:
        return len(self.ts)

    def take(self, index: np.ndarray) -> Events:
        return Events(**{k: v[index] for k, v in vars(self).items()})

    def rows(self, vocab: Vocabulary, name: str) -> np.ndarray:
        """Indices of the rows of event ``name``."""
        return np.nonzero(self.event == vocab.event(name))[0]

    @staticmethod
    def concat(parts: list[Events]) -> Events:
        return Events(**{k: np.concatenate([vars(p)[k] for p in parts]) for k in vars(parts[0])})


@dataclass(frozen=True)
class Step:
    """One event of a scripted session; ``gate`` names a per-person condition for it to happen."""

    event: str
    page: str | Mapping[str, float] | None = None  # fixed path, or weights to draw one
    anon: bool = False
    gate: str | None = None


def _full(value: np.ndarray | int | bool | float, dtype: type, n: int) -> np.ndarray:
    """A column of ``n`` rows from a scalar or an array (copied, so later edits stay local)."""
    return np.broadcast_to(np.asarray(value, dtype=dtype), (n,)).copy()


class Builder:
    """Accumulates event columns and hands out session numbers."""

    def __init__(self, rng: np.random.Generator, vocab: Vocabulary, habits: Habits):
        self.rng = rng
        self.vocab = vocab
        self.habits = habits
        self.parts: list[Events] = []
        self.sessions = 0

    def new_sessions(self, n: int) -> np.ndarray:
        ids = np.arange(self.sessions, self.sessions + n, dtype=np.int64)
        self.sessions += n
        return ids

    def add(
        self,
        person: np.ndarray,
        ts: np.ndarray,
        event: np.ndarray | int,
        session: np.ndarray | int,
        anon: np.ndarray | bool = False,
        page: np.ndarray | int = NONE,
        referrer: np.ndarray | int = NONE,
        *,
        value: np.ndarray | int = NONE,
        number: np.ndarray | float = 0.0,
    ) -> None:
        n = len(person)
        self.parts.append(
            Events(
                person=person.astype(np.int64),
                ts=ts.astype(np.int64),
                event=_full(event, np.uint8, n),
                session=_full(session, np.int64, n),
                anon=_full(anon, bool, n),
                page=_full(page, np.uint8, n),
                value=_full(value, np.uint8, n),
                number=_full(number, np.float64, n),
                referrer=_full(referrer, np.uint8, n),
            )
        )

    def script(
        self,
        who: np.ndarray,
        start_us: np.ndarray,
        steps: tuple[Step, ...],
        gates: dict[str, np.ndarray],
        referrer: np.ndarray,
        number: np.ndarray | None = None,
    ) -> None:
        """One session per person in ``who``; the steps follow each other by a few dozen seconds.

        ``number`` (one per session) goes on every row of the session: the amount of the invoice a session
        writes, say; the property filler keeps it only on the events that carry a number.
        """
        session = self.new_sessions(len(who))
        numbers = np.zeros(len(who)) if number is None else number
        ts = start_us.copy()
        for step in steps:
            keep = gates[step.gate] if step.gate else np.ones(len(who), bool)
            drawn: int | np.ndarray = NONE
            if isinstance(step.page, str):
                drawn = self.vocab.code("$pathname", step.page)
            elif step.page is not None:
                drawn = sample(self.rng, self.vocab.distribution("$pathname", step.page), len(who))
            page = np.broadcast_to(np.asarray(drawn, np.uint8), (len(who),))
            self.add(
                who[keep],
                ts[keep],
                self.vocab.event(step.event),
                session[keep],
                step.anon,
                page[keep],
                referrer[keep],
                number=numbers[keep],
            )
            gap = self.rng.exponential(self.habits.seconds_between_events, len(who)) * US_PER_SECOND
            ts = ts + gap.astype(np.int64) + 1

    def finish(self, pop: People, timeline: Timeline) -> Events:
        """The events so far, without those after the end or a person's last moment, by person, session, time."""
        events = Events.concat(self.parts)
        events = events.take(np.nonzero(events.ts < np.minimum(timeline.end_us, pop.stop_us[events.person]))[0])
        return events.take(np.lexsort((events.ts, events.session, events.person)))


def generate(
    rng: np.random.Generator,
    pop: P,
    timeline: Timeline,
    vocab: Vocabulary,
    habits: Habits,
    scripts: Callable[[Builder, P, Timeline], None],
    fill: Callable[[Events, P, Vocabulary, np.random.Generator], None],
) -> Events:
    """A chunk's events: the product's ``scripts`` (its milestone sessions), everyday sessions by its ``habits``,
    the pages of browser events, then ``fill`` (its event properties)."""
    b = Builder(rng, vocab, habits)
    scripts(b, pop, timeline)
    everyday_sessions(b, pop, timeline)
    events = b.finish(pop, timeline)
    follow_pages(events, vocab, rng, habits.app_pages)
    fill(events, pop, vocab, rng)
    return events


def first_sessions(
    b: Builder,
    pop: People,
    referrer: np.ndarray,
    signup: tuple[Step, ...],
    signup_gates: dict[str, np.ndarray],
    visit: tuple[Step, ...],
    pricing_rate: float,
) -> None:
    """Every person's first session, from ``referrer`` (one per person): the ``signup`` script for those who sign up
    (starting a few minutes before the signup moment; ``signup_gates`` has one entry per signed-up person), the
    ``visit`` script for visitors (its ``curious`` step, a look at pricing, for ``pricing_rate`` of them)."""
    rng = b.rng
    everyone = np.arange(len(pop))
    signed, visitor = everyone[~pop.visitor], everyone[pop.visitor]
    lead_in = (rng.uniform(60, 300, len(pop)) * US_PER_SECOND).astype(np.int64)
    b.script(signed, pop.signup_us[signed] - lead_in[signed], signup, signup_gates, referrer[signed])
    curious = rng.random(len(visitor)) < pricing_rate
    b.script(visitor, pop.signup_us[visitor], visit, {"curious": curious}, referrer[visitor])


def everyday_sessions(b: Builder, pop: People, timeline: Timeline) -> None:
    """Sessions on the days after signup until the person drops out, fewer at quiet hours and weekdays."""
    rng, vocab, habits = b.rng, b.vocab, b.habits
    chance, around = activity_days(pop, timeline, habits)
    person, active_day = np.nonzero(around & (rng.random(chance.shape) < chance))
    per_day = 1 + rng.poisson(habits.extra_sessions_per_day, len(person))
    person, active_day = np.repeat(person, per_day), np.repeat(active_day, per_day)
    n = len(person)
    hour = rng.choice(24, size=n, p=habits.hour_weights)
    start = timeline.day_start_us(active_day) + (hour * 3600 + rng.integers(0, 3600, n)) * US_PER_SECOND
    session = b.new_sessions(n)
    referrer = sample(rng, vocab.distribution("$referring_domain", habits.referrers), n)

    closes = habits.closing_event is not None
    bounce = rng.random(n) < habits.bounce_rate
    actions = np.where(bounce, 0, 1 + rng.poisson(habits.actions_per_session - 1, n))
    length = actions + 1 + closes  # the opening event + actions (+ the closing event)
    row_session = np.repeat(np.arange(n), length)
    first_row = np.cumsum(length) - length
    position = np.arange(len(row_session)) - first_row[row_session]
    closing = (position == length[row_session] - 1) & closes

    event = sample(rng, vocab.event_distribution(habits.activity_mix), len(row_session))
    event[position == 0] = vocab.event(habits.opening_event)
    login = (rng.random(n) < habits.login_rate)[row_session] & (position == 1) & ~closing
    event[login] = vocab.event(habits.login_event)
    if habits.closing_event is not None:
        event[closing] = vocab.event(habits.closing_event)

    gap = rng.exponential(habits.seconds_between_events, len(row_session)) * US_PER_SECOND
    gap[position == 0] = 0
    elapsed = np.cumsum(gap)
    elapsed -= elapsed[first_row][row_session]
    ts = start[row_session] + elapsed.astype(np.int64)
    b.add(person[row_session], ts, event, session[row_session], False, NONE, referrer[row_session])


def activity_days(pop: People, timeline: Timeline, habits: Habits) -> tuple[np.ndarray, np.ndarray]:
    """(persons × days) the chance of an everyday session each day, and whether the person is still around then:
    signed up, past the signup day, within ``weeks_active`` weeks and before ``stop_us``."""
    signup_day = timeline.day_of(pop.signup_us)
    last_day = timeline.day_of(pop.stop_us - 1)
    day = np.arange(timeline.days)[None, :]
    since = day - signup_day[:, None]
    chance = pop.activity[:, None] * habits.weekday_factor[timeline.weekday(day)]
    still_around = (since // 7 < pop.weeks_active[:, None]) & (day <= last_day[:, None])
    around = (since >= 1) & still_around & ~pop.visitor[:, None]
    return chance, around


def follow_pages(events: Events, vocab: Vocabulary, rng: np.random.Generator, app_pages: Mapping[str, float]) -> None:
    """Everyday pageviews draw a page; every other browser event happens on the last page viewed."""
    pageview = events.event == vocab.event("$pageview")
    unset = pageview & (events.page == NONE)
    events.page[unset] = sample(rng, vocab.distribution("$pathname", app_pages), int(unset.sum()))
    last_view = np.maximum.accumulate(np.where(pageview, np.arange(len(events)), 0))
    in_session = events.session != NO_SESSION
    events.page[in_session & ~pageview] = events.page[last_view[in_session & ~pageview]]


def draw_values(
    events: Events, vocab: Vocabulary, rng: np.random.Generator, event: str, prop: str, weights: Mapping[str, float]
) -> None:
    """Give every ``event`` row a value of its property ``prop``, drawn with ``weights`` by value name."""
    r = events.rows(vocab, event)
    events.value[r] = sample(rng, vocab.distribution(prop, weights), len(r))


def first_time(events: Events, persons: int, code: int) -> np.ndarray:
    """Per person, when they first did event ``code`` (the largest int64 when they never did)."""
    first = np.full(persons, np.iinfo(np.int64).max)
    rows = events.event == code
    np.minimum.at(first, events.person[rows], events.ts[rows])
    return first
