"""Which of a project's events plays each role the engine needs (signup, activation, revenue, feature use), found
by name. The subscription event (a customer starting to pay for the product) is a role of its own only where the
revenue event is something else (an invoicing product's revenue is its customers' clients paying them).

The families and workflows speak of roles (``@revenue_event``), never of one product's event names: a role is
resolved from the project's taxonomy by the lexicon's words for it (``role_words``: "purchase", "paid",
"order" ... for revenue), trying the words in order and taking the first event whose name or description
holds one. A project whose names no word fits sets the role in its settings file (``settings.py``), and where
neither gives an event the role stays unresolved and the family asks which event is meant.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .taxonomy import EventDef, Taxonomy

ROLES = ("signup_event", "activation_event", "revenue_event", "feature_event", "subscription_event")


def resolve_roles(taxonomy: Taxonomy, lexicon: Mapping[str, Any], settings: Mapping[str, Any]) -> dict[str, str]:
    """Role -> event name, for the roles some event fits (the settings' choice first, when the data has it)."""
    chosen = settings.get("roles") or {}
    words: Mapping[str, list[str]] = lexicon.get("role_words") or {}
    found: dict[str, str] = {}
    for role in ROLES:
        named = chosen.get(role)
        if isinstance(named, str) and named in taxonomy.events:
            found[role] = named
            continue
        own = [e for e in taxonomy.events.values() if not e.name.startswith("$")]  # PostHog's are no product action
        event = _first_fitting(own, words.get(role) or [])
        if event is not None:
            found[role] = event
    return found


def event_named(name: object, roles: Mapping[str, str], taxonomy: Taxonomy) -> str | None:
    """The event an intent or lexicon file names: ``"@signup_event"`` is the event that plays the role in this
    project, any other name itself; None when the project has no such event."""
    if not isinstance(name, str):
        return None
    event = roles.get(name[1:]) if name.startswith("@") else name
    return event if event is not None and event in taxonomy.events else None


def _first_fitting(events: list[EventDef], words: list[str]) -> str | None:
    """The event the earliest word fits: by its name's words first (``invoice_paid`` holds "paid"), then by its
    description; of several, the one with the fewest words in its name (the plainest)."""
    for word in words:
        wanted = _words(word)
        for field in ("name", "description"):
            fitting = [e for e in events if _holds(_words(getattr(e, field)), wanted)]
            if fitting:
                return min(fitting, key=lambda e: (len(_words(e.name)), e.name)).name
    return None


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _holds(words: list[str], wanted: list[str]) -> bool:
    """``wanted`` appears in ``words`` as a run of whole words."""
    n = len(wanted)
    return n > 0 and any(words[i : i + n] == wanted for i in range(len(words) - n + 1))
