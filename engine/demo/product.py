"""A demo product: its taxonomy (a data file) plus the small behaviour module that generates its users.

Everything else (the chunked, seeded generation, the session machinery, the
encoding into PostHog's tables, the store) is shared by every product and
lives once in ``engine/demo/``. A product is a folder under ``products/``:
``taxonomy.yaml``, a spec document for people writing questions about it, and
``product.py`` defining ``PRODUCT``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

import numpy as np

from .encode import Layout
from .events import Builder, Events, generate
from .model import Habits, Vocabulary
from .people import People
from .timeline import Timeline

P = TypeVar("P", bound=People)


@dataclass(frozen=True)
class Product(Generic[P]):
    """How one product's data is made; ``generate.generate_demo`` runs it chunk by chunk."""

    name: str  # what `askhog demo --product` takes, and its folder under products/
    title: str  # what answers call the data ("the Paperplane demo")
    layout: Layout
    events_per_person: int  # measured average; sets how many persons a requested event count needs
    draw: Callable[[np.random.Generator, int, int, Timeline, Vocabulary], P]
    """(rng, persons, global index of the first, timeline, vocabulary) → the chunk's persons."""
    habits: Habits
    scripts: Callable[[Builder, P, Timeline], None]
    """Scripts the chunk's milestone sessions (and server-side events) into the builder."""
    fill: Callable[[Events, P, Vocabulary, np.random.Generator], None]
    """Fills the event properties of the chunk's finished events."""
    person_codes: Callable[[P, Vocabulary, int], dict[str, np.ndarray]]
    """The layout's person columns as the person is at the end (``end_us``): one code per person."""
    codes_at_events: Callable[[Events, P, Vocabulary], dict[str, np.ndarray]]
    """The person columns that change over time (a plan bought midway), as they were at each event."""
    annotations: Callable[[Timeline], list[tuple[datetime, str]]]

    def events(self, rng: np.random.Generator, pop: P, timeline: Timeline, vocab: Vocabulary) -> Events:
        """The chunk's events, drawn with ``rng`` after its persons."""
        return generate(rng, pop, timeline, vocab, self.habits, self.scripts, self.fill)
