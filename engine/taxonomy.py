"""The project's vocabulary: its events, properties, sample values and flags.

Slot filling links the user's words to these names and nothing else, so that a
query never mentions an event the project does not have. A backend supplies
the taxonomy (the demo's is a data file; PostHog's comes from its definitions
API); this module only holds it and answers look-ups.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from .errors import CatalogError
from .types import PropertyRef, PropertyScope, PropertyType

_TYPES: tuple[str, ...] = ("String", "Numeric", "Boolean", "DateTime")


@dataclass(frozen=True)
class PropertyDef:
    name: str
    scope: PropertyScope
    type: PropertyType = "String"
    values: tuple[str, ...] = ()
    description: str = ""

    def ref(self) -> PropertyRef:
        return PropertyRef(self.name, self.scope, self.type)


@dataclass(frozen=True)
class EventDef:
    name: str
    properties: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class ActionDef:
    """A saved event definition: one or more events, each optionally filtered."""

    name: str
    steps: tuple[dict[str, Any], ...] = ()


@dataclass
class Taxonomy:
    """Events, properties by scope, feature flags with their variants, actions."""

    events: dict[str, EventDef] = field(default_factory=dict)
    event_properties: dict[str, PropertyDef] = field(default_factory=dict)
    person_properties: dict[str, PropertyDef] = field(default_factory=dict)
    session_properties: dict[str, PropertyDef] = field(default_factory=dict)
    flags: dict[str, tuple[str, ...]] = field(default_factory=dict)
    actions: dict[str, ActionDef] = field(default_factory=dict)
    common_event_properties: tuple[str, ...] = ()
    lexicon: dict[str, Any] = field(default_factory=dict)
    """The project's own words for its own names, in the sections of ``engine/lexicon.yaml`` (which holds only
    words for any product): read over it by ``linking.load_lexicon``. A demo product's taxonomy file has them."""

    # -- look-ups ----------------------------------------------------------------------------

    def has_event(self, name: str) -> bool:
        return name in self.events

    def property(self, name: str, scope: PropertyScope | None = None) -> PropertyDef | None:
        """The property called ``name``, searching event, then person, then session scope."""
        scopes: Iterable[PropertyScope] = (scope,) if scope else ("event", "person", "session")
        for s in scopes:
            found = self._by_scope(s).get(name)
            if found is not None:
                return found
        return None

    def properties(self, scope: PropertyScope) -> dict[str, PropertyDef]:
        return self._by_scope(scope)

    def event_property_names(self, event: str) -> tuple[str, ...]:
        ev = self.events.get(event)
        own = ev.properties if ev else ()
        return tuple(dict.fromkeys((*own, *self.common_event_properties)))

    def is_numeric(self, name: str, scope: PropertyScope = "event") -> bool:
        p = self.property(name, scope)
        return p is not None and p.type == "Numeric"

    def _by_scope(self, scope: PropertyScope) -> dict[str, PropertyDef]:
        return {
            "event": self.event_properties,
            "person": self.person_properties,
            "session": self.session_properties,
        }[scope]

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "<taxonomy>") -> Taxonomy:
        """Build from the YAML shape of a demo product's ``taxonomy.yaml`` (validated, with file names in errors)."""
        if not isinstance(data, dict):
            raise CatalogError(source, "a taxonomy must be a mapping")
        tax = cls()
        for name, spec in (data.get("events") or {}).items():
            spec = spec or {}
            tax.events[name] = EventDef(name, tuple(spec.get("properties") or ()), spec.get("description", ""))
        scopes: tuple[tuple[str, PropertyScope], ...] = (
            ("event_properties", "event"),
            ("person_properties", "person"),
            ("session_properties", "session"),
        )
        for scope_key, scope in scopes:
            target = tax._by_scope(scope)
            for name, spec in (data.get(scope_key) or {}).items():
                spec = spec or {}
                typ = spec.get("type", "String")
                if typ not in _TYPES:
                    raise CatalogError(
                        source, f"property {name!r} has unknown type {typ!r}; use one of {_TYPES}", key=name
                    )
                target[name] = PropertyDef(
                    name,
                    scope,
                    typ,
                    tuple(str(v) for v in spec.get("values") or ()),
                    spec.get("description", ""),
                )
        for key, variants in (data.get("flags") or {}).items():
            tax.flags[key] = tuple(variants or ())
        for name, spec in (data.get("actions") or {}).items():
            tax.actions[name] = ActionDef(name, tuple(spec.get("steps") or ()))
        tax.common_event_properties = tuple(data.get("common_event_properties") or ())
        lexicon = data.get("lexicon") or {}
        if not isinstance(lexicon, dict):
            raise CatalogError(source, "lexicon must be a mapping of lexicon sections", key="lexicon")
        tax.lexicon = lexicon
        for ev in tax.events.values():
            for p in ev.properties:
                if p not in tax.event_properties:
                    raise CatalogError(source, f"event {ev.name!r} lists undefined property {p!r}", key=p)
        return tax

    def to_dict(self) -> dict[str, Any]:
        """The shape ``from_dict`` reads: a taxonomy read from data is stored with the data this way."""

        def props(defs: dict[str, PropertyDef]) -> dict[str, Any]:
            return {
                p.name: {"type": p.type, "values": list(p.values), "description": p.description} for p in defs.values()
            }

        return {
            "events": {
                e.name: {"properties": list(e.properties), "description": e.description} for e in self.events.values()
            },
            "event_properties": props(self.event_properties),
            "person_properties": props(self.person_properties),
            "session_properties": props(self.session_properties),
            "flags": {k: list(v) for k, v in self.flags.items()},
            "actions": {a.name: {"steps": list(a.steps)} for a in self.actions.values()},
            "common_event_properties": list(self.common_event_properties),
            "lexicon": self.lexicon,
        }
