"""Generate a demo product's dataset (Paperplane by default) into an askhog home's chDB store.

Persons are drawn in fixed-size chunks, each with its own random stream
derived from the seed, so a seed (and an end time) always gives the same data
and memory stays flat however many events are asked for.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from ..clock import Clock, aware_utc, utc_now
from ..errors import BackendError
from . import encode, products
from .events import NO_SESSION, Events
from .literals import quote
from .model import Vocabulary
from .people import People
from .product import Product
from .store import Store, sessions_from_events
from .timeline import Timeline, end_of_data

DEFAULT_EVENTS = 200_000
DEFAULT_SEED = 42
CHUNK_PERSONS = 10_000

Progress = Callable[[str, float], None]  # (what is happening, fraction done 0..1)


@dataclass(frozen=True)
class DemoInfo:
    """What a generation produced, for the CLI's summary line."""

    product: str
    seed: int
    events: int
    persons: int
    sessions: int
    end: datetime
    generated_at: datetime
    seconds: float
    home: Path


def stderr_progress(message: str, fraction: float) -> None:
    """A one-line progress report for commands that have no bar of their own."""
    sys.stderr.write(f"\r{message} {fraction:4.0%}")
    if fraction >= 1:
        sys.stderr.write("\n")
    sys.stderr.flush()


def generate_demo(
    events: int = DEFAULT_EVENTS,
    seed: int = DEFAULT_SEED,
    home: Path | None = None,
    progress: Progress | None = None,
    end: datetime | None = None,
    *,
    clock: Clock = utc_now,
    product: str = products.DEFAULT,
) -> DemoInfo:
    """(Re)generate ``product``'s demo dataset of about ``events`` events, replacing what the home held.

    ``end`` (truncated to the hour) defaults to ``clock``'s now, which also dates the generation: a backend
    regenerating a stale demo passes its own clock, tests pin ``end`` to compare runs. The store's metadata
    names the product, so that a later run reads its taxonomy and regenerates the same one.
    """
    maker = products.load(product)
    if events < 1000:
        raise BackendError(f"the demo needs at least 1000 events to plant its effects (asked for {events})")
    started = time.perf_counter()
    report = progress or (lambda message, fraction: None)
    store = Store(home)
    timeline = Timeline(end_of_data(end or clock()))
    vocab = Vocabulary.from_taxonomy(products.demo_taxonomy(product), products.taxonomy_file(product))
    n_persons = max(100, round(events / maker.events_per_person))
    store.scratch.mkdir(parents=True, exist_ok=True)
    n_events = 0
    with store.rebuild() as db:
        for chunk, first in enumerate(range(0, n_persons, CHUNK_PERSONS)):
            rng = np.random.default_rng([seed, chunk])
            pop = maker.draw(rng, min(CHUNK_PERSONS, n_persons - first), first, timeline, vocab)
            evs = maker.events(rng, pop, timeline, vocab)
            _load_chunk(maker, store, db, chunk, pop, evs, timeline, vocab, seed)
            n_events += len(evs)
            report("generating demo events", min(first + CHUNK_PERSONS, n_persons) / n_persons * 0.95)
        store.query(sessions_from_events(db))
        n_sessions = int(store.scalar(f"SELECT count() FROM {db}.sessions"))
        _annotate(store, db, maker.annotations(timeline))
        generated_at = aware_utc(clock())
        meta = {
            "kind": "demo",
            "product": product,
            "seed": seed,
            "requested_events": events,
            "events": n_events,
            "persons": n_persons,
            "sessions": n_sessions,
            "end": timeline.end.isoformat(),
            "generated_at": generated_at.isoformat(),
        }
        store.write_metadata(db, meta)
    report("generating demo events", 1.0)
    return DemoInfo(
        product,
        seed,
        n_events,
        n_persons,
        n_sessions,
        timeline.end,
        generated_at,
        time.perf_counter() - started,
        store.home,
    )


def _load_chunk(
    maker: Product[Any],
    store: Store,
    db: str,
    chunk: int,
    pop: People,
    evs: Events,
    timeline: Timeline,
    vocab: Vocabulary,
    seed: int,
) -> None:
    layout = maker.layout
    people = _person_rows(maker, pop, vocab, timeline.end_us)
    rows = np.zeros(len(evs), dtype=encode.dtype(layout.event_row))
    who = evs.person
    for name, _, _ in layout.person_row_columns:
        rows[name] = people[name][who]
    for name, codes in maker.codes_at_events(evs, pop, vocab).items():
        rows[name] = codes
    rows["id"] = (np.uint64(chunk) << np.uint64(32)) + np.arange(len(evs), dtype=np.uint64)
    rows["ts"] = evs.ts
    rows["event"] = evs.event
    rows["session"] = np.where(
        evs.session == NO_SESSION, 0, (np.uint64(chunk + 1) << np.uint64(32)) + evs.session.astype(np.uint64)
    )
    rows["anon"] = evs.anon
    for name in ("page", "value", "number", "referrer"):
        rows[name] = getattr(evs, name)
    rows["browser"], rows["os"], rows["device"] = pop.browser[who], pop.os[who], pop.device[who]

    person_file = store.scratch / f"persons-{chunk}.bin"
    event_file = store.scratch / f"events-{chunk}.bin"
    try:
        people.tofile(person_file)
        rows.tofile(event_file)
        for statement in encode.insert_persons_sql(layout, db, str(person_file), vocab, seed):
            store.query(statement)
        store.query(encode.insert_events_sql(layout, db, str(event_file), vocab, seed))
    finally:
        person_file.unlink(missing_ok=True)
        event_file.unlink(missing_ok=True)


def _person_rows(maker: Product[Any], pop: People, vocab: Vocabulary, end_us: int) -> np.ndarray:
    rows = np.zeros(len(pop), dtype=encode.dtype(maker.layout.person_row))
    rows["person"] = pop.global_index
    rows["visitor"] = pop.visitor
    for name in ("first_name", "last_name", "email_domain"):
        rows[name] = getattr(pop, name)
    for name, codes in maker.person_codes(pop, vocab, end_us).items():
        rows[name] = codes
    rows["created"] = pop.signup_us
    return rows


def _annotate(store: Store, db: str, notes: list[tuple[datetime, str]]) -> None:
    rows = ", ".join(
        f"(toDateTime({quote(d.strftime('%Y-%m-%d %H:%M:%S'))}, 'UTC'), {quote(text)}, 'project')" for d, text in notes
    )
    store.query(f"INSERT INTO {db}.annotations VALUES {rows}")
