"""Generate the Paperplane demo dataset into an askhog home's chDB store.

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

import numpy as np

from ..clock import Clock, aware_utc, utc_now
from ..errors import BackendError
from ..taxonomy import demo_taxonomy
from . import encode, truths
from .events import NO_SESSION, Events
from .events import generate as generate_events
from .model import NONE, Vocabulary
from .population import NEVER, Population, draw
from .store import Store, quote, sessions_from_events
from .timeline import Timeline, end_of_data

DEFAULT_EVENTS = 200_000
DEFAULT_SEED = 42
EVENTS_PER_PERSON = 58  # measured average; sets how many persons a requested event count needs
CHUNK_PERSONS = 10_000

Progress = Callable[[str, float], None]  # (what is happening, fraction done 0..1)


@dataclass(frozen=True)
class DemoInfo:
    """What a generation produced, for the CLI's summary line."""

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
) -> DemoInfo:
    """(Re)generate the demo dataset of about ``events`` events, replacing what the home held.

    ``end`` (truncated to the hour) defaults to ``clock``'s now, which also dates the generation: a backend
    regenerating a stale demo passes its own clock, tests pin ``end`` to compare runs.
    """
    if events < 1000:
        raise BackendError(f"the demo needs at least 1000 events to plant its effects (asked for {events})")
    started = time.perf_counter()
    report = progress or (lambda message, fraction: None)
    store = Store(home)
    timeline = Timeline(end_of_data(end or clock()))
    vocab = Vocabulary.from_taxonomy(demo_taxonomy())
    n_persons = max(100, round(events / EVENTS_PER_PERSON))
    store.scratch.mkdir(parents=True, exist_ok=True)
    n_events = 0
    with store.rebuild() as db:
        for chunk, first in enumerate(range(0, n_persons, CHUNK_PERSONS)):
            rng = np.random.default_rng([seed, chunk])
            pop = draw(rng, min(CHUNK_PERSONS, n_persons - first), first, timeline, vocab)
            evs = generate_events(rng, pop, timeline, vocab)
            _load_chunk(store, db, chunk, pop, evs, timeline, vocab, seed)
            n_events += len(evs)
            report("generating demo events", min(first + CHUNK_PERSONS, n_persons) / n_persons * 0.95)
        store.query(sessions_from_events(db))
        n_sessions = int(store.scalar(f"SELECT count() FROM {db}.sessions"))
        _annotate(store, db, timeline)
        generated_at = aware_utc(clock())
        meta = {
            "kind": "demo",
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
        seed, n_events, n_persons, n_sessions, timeline.end, generated_at, time.perf_counter() - started, store.home
    )


def _load_chunk(
    store: Store, db: str, chunk: int, pop: Population, evs: Events, timeline: Timeline, vocab: Vocabulary, seed: int
) -> None:
    people = _person_rows(pop, vocab, timeline.end_us)
    rows = np.zeros(len(evs), dtype=encode.dtype(encode.EVENT_ROW))
    who = evs.person
    for name, _, _ in encode.PERSON_COLUMNS:
        rows[name] = people[name][who]
    rows["plan"] = _plan_at(evs, pop, vocab)
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
        for statement in encode.insert_persons_sql(db, str(person_file), vocab, seed):
            store.query(statement)
        store.query(encode.insert_events_sql(db, str(event_file), vocab, seed))
    finally:
        person_file.unlink(missing_ok=True)
        event_file.unlink(missing_ok=True)


def _person_rows(pop: Population, vocab: Vocabulary, end_us: int) -> np.ndarray:
    rows = np.zeros(len(pop), dtype=encode.dtype(encode.PERSON_ROW))
    rows["person"] = pop.global_index
    rows["visitor"] = pop.visitor
    for name in ("source", "campaign", "country", "company_size", "first_name", "last_name", "email_domain"):
        rows[name] = getattr(pop, name)
    rows["referrer0"] = pop.referrer
    rows["created"] = pop.signup_us
    paying = (pop.purchase_us != NEVER) & (pop.purchase_us < end_us) & (pop.cancel_us == NEVER)
    rows["plan"] = np.where(
        pop.visitor, NONE, np.where(paying, _person_plan(pop.plan, vocab), vocab.code("plan", "free", "person"))
    )
    return rows


def _person_plan(event_plan: np.ndarray, vocab: Vocabulary) -> np.ndarray:
    """Event-scope plan codes (pro, team) as person-scope codes (free, pro, team)."""
    mapping = np.array([vocab.code("plan", v, "person") for v in vocab.event_values["plan"]], np.uint8)
    plans: np.ndarray = mapping[event_plan]
    return plans


def _plan_at(evs: Events, pop: Population, vocab: Vocabulary) -> np.ndarray:
    """The person's plan when each event happened: paid from the purchase event until a cancellation."""
    bought = np.full(len(pop), np.iinfo(np.int64).max)
    is_purchase = evs.event == vocab.event("purchase")
    np.minimum.at(bought, evs.person[is_purchase], evs.ts[is_purchase])
    cancelled = np.where(pop.cancel_us == NEVER, np.iinfo(np.int64).max, pop.cancel_us)
    who = evs.person
    paid = (evs.ts >= bought[who]) & (evs.ts < cancelled[who])
    plan = np.where(paid, _person_plan(pop.plan, vocab)[who], vocab.code("plan", "free", "person"))
    return np.where(pop.visitor[who], NONE, plan).astype(np.uint8)


def _annotate(store: Store, db: str, timeline: Timeline) -> None:
    rows = ", ".join(
        f"(toDateTime({quote(d.strftime('%Y-%m-%d %H:%M:%S'))}, 'UTC'), {quote(text)}, 'project')"
        for d, text in truths.planted_annotations(timeline)
    )
    store.query(f"INSERT INTO {db}.annotations VALUES {rows}")
