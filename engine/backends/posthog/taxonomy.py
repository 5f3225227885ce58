"""A real project's vocabulary, read from PostHog's definitions APIs.

Slot filling may only link the user's words to names the project really has,
so the taxonomy is built from the project's event and property definitions,
its actions and its feature flags. Hidden definitions, and ones not seen for a
long time (unless someone verified them), are left out: they are noise that
would win fuzzy matches. Sample values for the few properties people filter
on most come from one HogQL query.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from ...errors import BackendError
from ...taxonomy import ActionDef, EventDef, PropertyDef, Taxonomy
from .client import PostHogClient

PROPERTY_TYPES = ("event", "person", "session")
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


def load_taxonomy(client: PostHogClient, *, now: datetime | None = None) -> Taxonomy:
    """The project's taxonomy: visible, recently seen definitions, actions, flags and sample values."""
    now = now or datetime.now(timezone.utc)
    cutoff = now - timedelta(days=client.config.stale_after_days)
    base = f"/api/projects/{client.config.project_id}"
    tax = Taxonomy()
    for item in client.paginate(f"{base}/event_definitions/", {"limit": _PAGE_SIZE}):
        if _visible(item, cutoff):
            tax.events[item["name"]] = EventDef(item["name"], (), item.get("description") or "")
    for scope in PROPERTY_TYPES:
        target = tax.properties(scope)  # type: ignore[arg-type]
        for item in client.paginate(f"{base}/property_definitions/", {"type": scope, "limit": _PAGE_SIZE}):
            if _visible(item, cutoff):
                target[item["name"]] = PropertyDef(
                    item["name"], scope, _property_type(item), (), item.get("description") or ""  # type: ignore[arg-type]
                )
    # PostHog does not say which event carries which property without a call per event,
    # so every event property is offered for every event.
    tax.common_event_properties = tuple(sorted(tax.event_properties))
    for item in client.paginate(f"{base}/actions/", {"limit": _PAGE_SIZE}):
        if not item.get("deleted"):
            tax.actions[item["name"]] = ActionDef(item["name"], tuple(_action_step(s) for s in item.get("steps") or ()))
    for item in client.paginate(f"{base}/feature_flags/", {"limit": _PAGE_SIZE}):
        if not item.get("deleted"):
            tax.flags[item["key"]] = flag_variants(item)
    _add_sample_values(client, tax)
    return tax


def flag_variants(flag: dict[str, Any]) -> tuple[str, ...]:
    """A flag's variant keys; a boolean flag answers ``true``/``false`` in ``$feature_flag_response``."""
    multivariate = ((flag.get("filters") or {}).get("multivariate") or {}).get("variants") or []
    keys = tuple(str(v["key"]) for v in multivariate if isinstance(v, dict) and v.get("key"))
    return keys or ("true", "false")


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
    for scope, name, value, _count in table.rows:
        found.setdefault((str(scope), str(name)), []).append(str(value))
    for (scope, name), seen in found.items():
        target = tax.properties(scope)  # type: ignore[arg-type]
        prop = target.get(name)
        if prop is not None:
            target[name] = PropertyDef(prop.name, prop.scope, prop.type, tuple(seen), prop.description)


def _visible(item: dict[str, Any], cutoff: datetime) -> bool:
    if not item.get("name") or item.get("hidden"):
        return False
    if item.get("verified"):
        return True
    seen = parse_time(item.get("last_seen_at"))
    return seen is None or seen >= cutoff


def _property_type(item: dict[str, Any]) -> str:
    kind = item.get("property_type")
    if kind in _KNOWN_TYPES:
        return str(kind)
    return "Numeric" if item.get("is_numerical") else "String"


def _action_step(step: dict[str, Any]) -> dict[str, Any]:
    keep = ("event", "url", "url_matching", "properties", "selector", "text", "href")
    return {k: step[k] for k in keep if step.get(k) not in (None, "", [])}


def parse_time(value: object) -> datetime | None:
    """PostHog's ISO timestamps (``Z`` or offset) as aware datetimes; ``None`` when absent or malformed."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
