"""Turn what a user replies, or a chat app passes in code, into a typed slot value.

"the upload event", "14", "weekly", "signed_up -> purchase" become an EventRef,
an int, a choice, a tuple of steps; a typed value is checked against the slot.
Anything that does not fit is None (a reply) or a QuestionError (a value given
in code), never a value that fails later inside a template.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from rapidfuzz import fuzz, process

from .answer import Answer
from .catalog import SlotSpec
from .clock import aware_utc
from .errors import QuestionError
from .limits import checked_text
from .text import normalize
from .timerange import find_time_range
from .types import EventRef, PropertyFilter, PropertyRef, TimeRange

if TYPE_CHECKING:
    from .linking import Linker
    from .slots import SlotFiller
    from .taxonomy import Taxonomy


class Reader(Protocol):
    """What reading a reply needs of the ``Engine`` (which depends on this module, not back)."""

    @property
    def taxonomy(self) -> Taxonomy: ...
    @property
    def linker(self) -> Linker: ...
    @property
    def filler(self) -> SlotFiller: ...
    @property
    def clock(self) -> Callable[[], datetime]: ...


def coerce_slot_value(engine: Reader, spec: SlotSpec, value: Any, context: Answer) -> Any:
    """A value given in code (a chat app's button): text is parsed like a typed reply, typed values are
    checked; anything that does not fit the slot is a QuestionError naming it."""
    if isinstance(value, str):
        parsed = parse_slot_value(engine, spec, checked_text(value, "value"), context)
    else:
        parsed = _typed(engine, spec, value)
    if parsed is None:
        raise QuestionError(f"{value!r} is not a valid {spec.type} for the slot {spec.name!r}: {spec.prompt}")
    return parsed


def _typed(engine: Reader, spec: SlotSpec, value: Any) -> Any:
    if spec.type == "event":
        return value if isinstance(value, EventRef) and value.name in engine.taxonomy.events else None
    if spec.type == "events" and isinstance(value, (list, tuple)):
        steps = [v if isinstance(v, EventRef) else EventRef(v) if isinstance(v, str) else None for v in value]
        ok = all(s is not None and s.name in engine.taxonomy.events for s in steps) and len(steps) >= (spec.min or 1)
        return tuple(steps) if ok else None
    if spec.type in ("int", "number") and isinstance(value, (int, float)) and not isinstance(value, bool):
        if not math.isfinite(value) or abs(value) > 10**_MAX_NUMBER_DIGITS:
            return None  # int(inf) raises; a count beyond a quadrillion is not a slot value
        return int(value) if spec.type == "int" else float(value)
    if spec.type == "time_range":
        # a range built by the caller may hold naive bounds (UTC): the engine's are aware
        return (
            replace(value, start=aware_utc(value.start), end=aware_utc(value.end))
            if isinstance(value, TimeRange)
            else None
        )
    if spec.type == "property":
        return value if isinstance(value, PropertyRef) and engine.taxonomy.property(value.name, value.scope) else None
    if spec.type == "filters" and isinstance(value, (list, tuple)):
        return tuple(value) if value and all(isinstance(f, PropertyFilter) for f in value) else None
    return None


def _bare_value(engine: Reader, reply: str) -> tuple[PropertyFilter, ...] | None:
    """A reply that is exactly one known value of one property."""
    word = reply.strip(" .!?'\"")
    everything = [p for scope in ("event", "person", "session") for p in engine.taxonomy.properties(scope).values()]
    props = [p for p in everything if p.values and word in {v.lower() for v in p.values}]
    if len(props) != 1:
        return None
    value = next(v for v in props[0].values if v.lower() == word)
    return (PropertyFilter(props[0].ref(), "=", value),)


_NUMBER = re.compile(r"\d+(\.\d+)?")
_MAX_NUMBER_DIGITS = 15
"""A reply's number has at most this many digits (a float holds them exactly); a longer run is not a count."""


def _number(text: str, *, whole: bool) -> int | float | None:
    """The first number in a reply, or None when there is none or it is too long to be a slot's value
    (``int(float("9" * 400))`` would be ``int(inf)``)."""
    m = _NUMBER.search(text)
    if m is None or len(m.group(0).replace(".", "")) > _MAX_NUMBER_DIGITS:
        return None
    number = float(m.group(0))
    return int(number) if whole else number


def parse_slot_value(engine: Reader, spec: SlotSpec, text: str, context: Answer) -> Any:
    """Turn a short reply into a typed slot value, or None when it does not fit the slot."""
    norm = normalize(text)
    now = context.now or engine.clock()
    if spec.type == "time_range":
        match = find_time_range(norm, now)
        return match.range if match is not None and match.range is not None else None
    if spec.type in ("int", "number"):
        return _number(norm, whole=spec.type == "int")
    if spec.type == "choice":
        hit = process.extractOne(norm.replace(" ", "_"), list(spec.choices), scorer=fuzz.WRatio, score_cutoff=70)
        return hit[0] if hit else None
    if spec.type == "flag":
        return next((k for k in engine.taxonomy.flags if k in norm or k.replace("-", " ") in norm), None)
    mentions = engine.linker.link(norm)
    events = [m.event for m in mentions if m.kind == "event" and m.event is not None]
    exact = [
        EventRef(part.strip())
        for part in re.split(r"\s*(?:->|,|\bthen\b)\s*", norm)
        if part.strip() in engine.taxonomy.events
    ]
    if spec.type == "event":
        return next(iter(exact or events), None)
    if spec.type == "events":
        steps = exact if len(exact) >= 2 else events
        return tuple(steps) if len(steps) >= (spec.min or 1) else None
    if spec.type == "property":
        props = [m.prop for m in mentions if m.kind == "property" and m.prop is not None]
        return props[0] if props else None
    if spec.type == "filters":
        # "plan is pro", "$initial_utm_campaign = spring_promo" (an offered option), "Safari", or a bare value
        # of a property whose values are not linked from free text ("spring_promo" after "which campaign?")
        found = tuple(dict.fromkeys(f.filter for f in engine.filler.read(norm, now).filters))
        return found or _bare_value(engine, norm)
    return None
