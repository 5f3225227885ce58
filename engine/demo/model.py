"""What every demo product's generator shares: its vocabulary of codes and the shape of its users' habits.

A product's own ``model.py`` (under ``products/``) fills these with its numbers. Every categorical value is
named as in the product's taxonomy and turned into a code (its index in the taxonomy's ``values``) by
``Vocabulary``, so the taxonomy stays the single source of names.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import CatalogError
from ..taxonomy import Taxonomy

NONE = 255  # code of an absent value (no UTM source, no plan for an anonymous visitor)


@dataclass(frozen=True)
class Vocabulary:
    """Event names and property values in taxonomy order; a value's code is its index."""

    events: tuple[str, ...]
    event_values: dict[str, tuple[str, ...]]
    person_values: dict[str, tuple[str, ...]]
    source: str  # the taxonomy's file, named in errors

    @classmethod
    def from_taxonomy(cls, tax: Taxonomy, source: str) -> Vocabulary:
        return cls(
            events=tuple(tax.events),
            event_values={n: p.values for n, p in tax.event_properties.items()},
            person_values={n: p.values for n, p in tax.person_properties.items()},
            source=source,
        )

    def event(self, name: str) -> int:
        try:
            return self.events.index(name)
        except ValueError:
            raise CatalogError(self.source, f"the demo generator needs event {name!r}") from None

    def code(self, prop: str, value: str, scope: str = "event") -> int:
        values = (self.event_values if scope == "event" else self.person_values).get(prop, ())
        if value not in values:
            raise CatalogError(self.source, f"{scope} property {prop!r} needs the value {value!r}", key=prop)
        return values.index(value)

    def distribution(
        self, prop: str, weights: Mapping[str, float] | Mapping[str | None, float], scope: str = "event"
    ) -> tuple[np.ndarray, np.ndarray]:
        """Codes and normalised probabilities for sampling ``prop`` with ``weights`` by value name (``None``: no
        value, drawn as ``NONE``)."""
        codes = np.array([NONE if v is None else self.code(prop, v, scope) for v in weights], dtype=np.uint8)
        p = np.array(list(weights.values()), dtype=np.float64)
        return codes, p / p.sum()

    def translation(
        self, person_prop: str, event_prop: str, names: Mapping[str | None, str | None] | None = None
    ) -> np.ndarray:
        """A lookup table from the person-scope codes of ``person_prop`` (and ``NONE``) to event-scope codes of
        ``event_prop``: each value to the value ``names`` gives it (by default the same name), ``NONE`` to
        ``names[None]`` (by default ``NONE``)."""
        table = np.full(NONE + 1, NONE, np.uint8)
        values: list[tuple[int, str | None]] = [*enumerate(self.person_values[person_prop]), (NONE, None)]
        for code, value in values:
            name = value if names is None else names[value]
            if name is not None:
                table[code] = self.code(event_prop, name)
        return table

    def as_person(self, prop: str) -> np.ndarray:
        """A lookup table from the event-scope codes of ``prop`` to its person-scope codes: a plan bought (pro,
        team) as the person's plan (free, pro, team)."""
        return np.array([self.code(prop, v, "person") for v in self.event_values[prop]], np.uint8)

    def event_distribution(self, weights: Mapping[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """Event codes and normalised probabilities for sampling events with ``weights`` by name."""
        codes = np.array([self.event(e) for e in weights], np.uint8)
        p = np.array(list(weights.values()), float)
        return codes, p / p.sum()


def sample(rng: np.random.Generator, dist: tuple[np.ndarray, np.ndarray], size: int) -> np.ndarray:
    codes, p = dist
    return codes[rng.choice(len(codes), size=size, p=p)]


def happens(
    rng: np.random.Generator, p: np.ndarray, broken: np.ndarray, at_us: np.ndarray, break_us: int, factor: float
) -> np.ndarray:
    """Whether each thing of chance ``p`` happens at its moment ``at_us``, its chance cut to ``factor`` of itself
    where ``broken`` from ``break_us`` on: how a break planted at a known moment in one segment shows."""
    chance = np.where(broken & (at_us >= break_us), p * factor, p)
    happened: np.ndarray = rng.random(len(chance)) < chance
    return happened


@dataclass(frozen=True)
class Habits:
    """How a product's users spend an ordinary day: the background its planted truths stand out from.

    ``events.everyday_sessions`` reads these: when sessions happen, how long they are, which events fill them.
    A session opens with ``opening_event``, may log in with ``login_event`` next, and ends with
    ``closing_event`` when the product sends one (PostHog's ``$pageleave``) or with its last action.
    """

    weekday_factor: np.ndarray  # Monday … Sunday: how much of a weekday's activity each day has
    hour_weights: np.ndarray  # normalised chance of each UTC hour
    signup_growth: float  # the last day gets this much more signups than the first
    extra_sessions_per_day: float  # Poisson mean of sessions beyond the first on an active day
    referrers: Mapping[str, float]  # $referring_domain of everyday sessions
    bounce_rate: float  # sessions that are the opening pageview (and the closing event) only
    actions_per_session: float  # Poisson mean of events between the opening and the close
    seconds_between_events: float  # exponential mean of the gap between a session's events
    activity_mix: Mapping[str, float]  # the events of everyday sessions, by weight
    app_pages: Mapping[str, float]  # $pathname of everyday pageviews
    login_event: str
    login_rate: float  # sessions whose second event is ``login_event``
    opening_event: str = "$pageview"
    closing_event: str | None = None


def normalised(weights: list[float]) -> np.ndarray:
    """``weights`` as probabilities (for ``rng.choice``)."""
    array = np.array(weights, dtype=float)
    normal: np.ndarray = array / array.sum()
    return normal


# People's names, the same for every product: persons get an email and a name from them.
FIRST_NAMES = (
    "Ada",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Mateo",
    "Nora",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wen",
    "Yuki",
)
LAST_NAMES = (
    "Adams",
    "Bauer",
    "Costa",
    "Dubois",
    "Evans",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ito",
    "Jensen",
    "Khan",
    "Lopez",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Patel",
    "Rossi",
    "Silva",
    "Tanaka",
    "Weber",
)
