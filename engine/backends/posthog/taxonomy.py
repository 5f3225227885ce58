"""A real project's vocabulary, read from PostHog's definitions APIs.

Slot filling may only link the user's words to names the project really has,
so the taxonomy is built from the project's event and property definitions,
its actions and its feature flags. Hidden definitions, and ones not seen for a
long time (unless someone verified them), are left out: they are noise that
would win fuzzy matches. Sample values for the few properties people filter
on most come from one HogQL query.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, cast

from ...clock import aware_utc
from ...errors import BackendError, MalformedResponse
from ...taxonomy import ActionDef, EventDef, PropertyDef, Taxonomy
from ...types import PropertyScope, PropertyType
from .client import PostHogClient
from .responses import need_object, optional_bool, optional_list, optional_str, variant_keys

PROPERTY_TYPES: tuple[PropertyScope, ...] = ("event", "person", "session")
_PAGE_SIZE = 500
_KNOWN_TYPES = {"String", "Numeric", "Boolean", "DateTime"}

# Properties whose values the slot filler needs ("on Safari", "in Germany", "pro plan").
SAMPLED_PROPERTIES: tuple[tuple[str, str], ...] = (
    ("$browser", "event"),
    ("$os", "event"),
    ("$device_type", "event"),
    ("$geoip_country_code", "event"),
    ("utm_source", "event"),
    ("plan", "event"),
    ("$initial_utm_source", "person"),
    ("plan", "person"),
)
_SOURCES = {"event": "properties", "person": "person.properties"}
SAMPLE_VALUES_PER_PROPERTY = 10
SAMPLE_DAYS = 30


def load_taxonomy(client: PostHogClient, *, now: datetime) -> Taxonomy:
    """The project's taxonomy: visible definitions seen in the ``stale_after_days`` before ``now`` (the backend's
    clock), actions, flags and sample values."""
    cutoff = aware_utc(now) - timedelta(days=client.config.stale_after_days)
    base = f"/api/projects/{client.config.project_id}"
    tax = Taxonomy()
    path = f"{base}/event_definitions/"
    for i, item in enumerate(client.paginate(path, {"limit": _PAGE_SIZE})):
        name = _name(item, path, i)
        if name and _visible(item, cutoff, path, i):
            tax.events[name] = EventDef(name, (), _description(item, path, i))
    path = f"{base}/property_definitions/"
    for scope in PROPERTY_TYPES:
        target = tax.properties(scope)
        for i, item in enumerate(client.paginate(path, {"type": scope, "limit": _PAGE_SIZE})):
            name = _name(item, path, i)
            if name and _visible(item, cutoff, path, i):
                target[name] = PropertyDef(
                    name,
                    scope,
                    _property_type(item, path, i),
                    (),
                    _description(item, path, i),
                )
    # PostHog does not say which event carries which property without a call per event,
    # so every event property is offered for every event.
    tax.common_event_properties = tuple(sorted(tax.event_properties))
    path = f"{base}/actions/"
    for i, item in enumerate(client.paginate(path, {"limit": _PAGE_SIZE})):
        name = _name(item, path, i)
        if name and not optional_bool(item.get("deleted"), path, f"results[{i}].deleted"):
            steps = optional_list(item.get("steps"), path, f"results[{i}].steps")
            tax.actions[name] = ActionDef(
                name,
                tuple(
                    _action_step(need_object(step, path, f"results[{i}].steps[{n}]")) for n, step in enumerate(steps)
                ),
            )
    path = f"{base}/feature_flags/"
    for i, item in enumerate(client.paginate(path, {"limit": _PAGE_SIZE})):
        key = optional_str(item.get("key"), path, f"results[{i}].key")
        if key and not optional_bool(item.get("deleted"), path, f"results[{i}].deleted"):
            tax.flags[key] = flag_variants(item, path, f"results[{i}]")
    _add_sample_values(client, tax)
    return tax


def flag_variants(flag: dict[str, Any], where: str = "a feature flag", field: str = "flag") -> tuple[str, ...]:
    """A flag's variant keys; a boolean flag answers ``true``/``false`` in ``$feature_flag_response``."""
    filters = need_object(flag.get("filters") or {}, where, f"{field}.filters")
    multivariate = need_object(filters.get("multivariate") or {}, where, f"{field}.filters.multivariate")
    keys = variant_keys(multivariate.get("variants"), where, f"{field}.filters.multivariate.variants")
    return tuple(keys) or ("true", "false")


def sample_values_query(props: Iterable[tuple[str, str]]) -> tuple[str, dict[str, str]]:
    """One HogQL query for the top values of event or person properties; names travel as ``values``, not text."""
    pairs, values = [], {}
    for i, (name, scope) in enumerate(props):
        if scope not in _SOURCES:
            raise BackendError(f"cannot sample values of {scope} property {name!r}: only {sorted(_SOURCES)}")
        values[f"p{i}"] = name
        source = _SOURCES[scope]
        pairs.append(f"tuple('{scope}', {{p{i}}}, toString({source}[{{p{i}}}]))")
    hogql = (
        "SELECT tupleElement(pv, 1) AS scope, tupleElement(pv, 2) AS property, tupleElement(pv, 3) AS value, "
        "count() AS n\n"
        f"FROM (SELECT arrayJoin([{', '.join(pairs)}]) AS pv FROM events "
        f"WHERE timestamp >= now() - INTERVAL {SAMPLE_DAYS} DAY)\n"
        "WHERE tupleElement(pv, 3) != ''\n"
        "GROUP BY scope, property, value\n"
        "ORDER BY scope, property, n DESC\n"
        f"LIMIT {SAMPLE_VALUES_PER_PROPERTY} BY scope, property"
    )
    return hogql, values


def _add_sample_values(client: PostHogClient, tax: Taxonomy) -> None:
    wanted = [(name, scope) for name, scope in SAMPLED_PROPERTIES if tax.property(name, scope) is not None]  # type: ignore[arg-type]
    if not wanted:
        return
    hogql, values = sample_values_query(wanted)
    table = client.query(hogql, values, name="askhog taxonomy sample values")
    found: dict[tuple[str, str], list[str]] = {}
    for i, row in enumerate(table.rows):
        if len(row) != 4:
            raise MalformedResponse(
                f"PostHog's answer to the sample values query is malformed: row {i} has "
                f"{len(row)} values, expected 4 (scope, property, value, count)"
            )
        scope, name, value, _count = row
        found.setdefault((str(scope), str(name)), []).append(str(value))
    for (scope, name), seen in found.items():
        target = tax.properties(cast("PropertyScope", scope))  # a scope the query selected by name
        prop = target.get(name)
        if prop is not None:
            target[name] = PropertyDef(prop.name, prop.scope, prop.type, tuple(seen), prop.description)


def _name(item: dict[str, Any], where: str, i: int) -> str | None:
    """A definition's name (a definition without one is skipped; one that is not a string is malformed)."""
    return optional_str(item.get("name"), where, f"results[{i}].name")


def _description(item: dict[str, Any], where: str, i: int) -> str:
    return optional_str(item.get("description"), where, f"results[{i}].description") or ""


def _visible(item: dict[str, Any], cutoff: datetime, where: str, i: int) -> bool:
    if optional_bool(item.get("hidden"), where, f"results[{i}].hidden"):
        return False
    if optional_bool(item.get("verified"), where, f"results[{i}].verified"):
        return True
    seen = parse_time(item.get("last_seen_at"))
    return seen is None or seen >= cutoff


def _property_type(item: dict[str, Any], where: str, i: int) -> PropertyType:
    kind = optional_str(item.get("property_type"), where, f"results[{i}].property_type")
    if kind in _KNOWN_TYPES:
        return cast("PropertyType", kind)
    return "Numeric" if optional_bool(item.get("is_numerical"), where, f"results[{i}].is_numerical") else "String"


def _action_step(step: dict[str, Any]) -> dict[str, Any]:
    keep = ("event", "url", "url_matching", "properties", "selector", "text", "href")
    return {k: step[k] for k in keep if step.get(k) not in (None, "", [])}


def parse_time(value: object) -> datetime | None:
    """PostHog's ISO timestamps (``Z`` or offset) as aware datetimes; ``None`` when absent or malformed."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return aware_utc(parsed)
