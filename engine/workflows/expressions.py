"""The small value language of workflow files: how a step's slots derive from the question and earlier steps.

A workflow file never holds Python. A slot value in it is either a literal or
one of these forms, resolved when the step is about to run. A reference
starts with ``=``, like a spreadsheet formula (``$`` would clash with PostHog's
own ``$browser``-style names):

* ``=slots.steps`` / ``=slots.steps.0``: a slot the question filled (or its default);
* ``=options.alpha``: a workflow option (the file's default or the caller's);
* ``=<step>.<fact>``: a fact an earlier step concluded (``=confirm.after_range``);
  naming a step this way also makes this step wait for it;
* ``=now``: the run's clock;
* ``{event: purchase}`` / ``{events: [checkout_started, =slots.event]}``: events of the taxonomy;
* ``{property: $initial_utm_source, scope: person}``: a property of the taxonomy;
* ``{properties: [$browser, person.plan]}``: the listed properties the taxonomy has
  (a project without one simply is not split by it);
* ``{first: [<value>, <value>]}``: the first value that is set;
* ``{choose: =slots.metric, cases: {count: events, revenue: sum}}``: the case
  for a value (``None`` when no case matches);
* ``{with_baseline: =slots.time_range, min_days: 28}``: a period the question
  named, widened back to include an equally long baseline before it (and at
  least ``min_days`` in all), so "the dip last week" is compared with the weeks
  before; a range the engine defaulted is kept as it is.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..errors import WorkflowError
from ..taxonomy import Taxonomy
from ..types import EventRef, PropertyRef, TimeRange

RESERVED_ROOTS = frozenset({"slots", "options", "now"})
_CONSTRUCTORS = frozenset({"event", "events", "property", "properties", "first", "choose", "with_baseline"})
_SCOPES = ("event", "person", "session")


@dataclass(frozen=True)
class Scope:
    """What references resolve against: the slots, the options, earlier steps' facts, the clock."""

    slots: Mapping[str, Any]
    options: Mapping[str, Any]
    facts: Mapping[str, Mapping[str, Any]]
    taxonomy: Taxonomy
    now: datetime


def is_reference(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=") and len(value) > 1


def references(value: Any) -> set[str]:
    """The roots (``slots``, ``options``, a step id, ...) that ``value`` refers to, at any depth."""
    if is_reference(value):
        return {value[1:].split(".", 1)[0]}
    if isinstance(value, Mapping):
        return set().union(*(references(v) for v in value.values())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(references(v) for v in value)) if value else set()
    return set()


def resolve(value: Any, scope: Scope) -> Any:
    """``value`` with every reference and constructor replaced by what it stands for.

    An unknown root raises ``WorkflowError`` (the file is wrong); a known root
    without the named key gives ``None`` (that slot or fact is simply not set),
    so that ``when:`` and ``{first: ...}`` can test for it.
    """
    if is_reference(value):
        return _lookup(value, scope)
    if isinstance(value, Mapping):
        constructor = _CONSTRUCTORS.intersection(value)
        if constructor:
            return _construct(next(iter(constructor)), value, scope)
        return {k: resolve(v, scope) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, scope) for v in value]
    return value


def resolve_each(mapping: Mapping[str, Any], scope: Scope) -> dict[str, Any]:
    """Each value of a ``slots:``/``params:`` mapping resolved (its own keys are names, never constructors)."""
    return {key: resolve(value, scope) for key, value in mapping.items()}


def truthy(value: Any) -> bool:
    return value is not None and value is not False and value != () and value != [] and value != ""


def _lookup(ref: str, scope: Scope) -> Any:
    root, *path = ref[1:].split(".")
    if root == "now":
        current: Any = scope.now
    elif root == "slots":
        current = scope.slots
    elif root == "options":
        current = scope.options
    elif root in scope.facts:
        current = scope.facts[root]
    else:
        raise WorkflowError(f"reference {ref!r} names neither slots, options, now nor an earlier step")
    for part in path:
        if current is None:
            return None
        if isinstance(current, Mapping):
            current = current.get(part)
        elif isinstance(current, (list, tuple)) and part.isdigit():
            i = int(part)
            current = current[i] if i < len(current) else None
        else:
            current = getattr(current, part, None)
    return current


def _event(value: Any, scope: Scope) -> EventRef | None:
    value = resolve(value, scope)
    if value is None or isinstance(value, EventRef):
        return value
    if not isinstance(value, str) or not scope.taxonomy.has_event(value):
        raise WorkflowError(f"{value!r} is not an event of the project's taxonomy")
    return EventRef(value)


def _construct(kind: str, spec: Mapping[str, Any], scope: Scope) -> Any:
    if kind == "first":
        for option in spec["first"]:
            resolved = resolve(option, scope)
            if truthy(resolved):
                return resolved
        return None
    if kind == "event":
        return _event(spec["event"], scope)
    if kind == "events":
        items = resolve(spec["events"], scope)
        if items is None:
            return None
        events = tuple(_event(v, scope) for v in items)
        return tuple(e for e in events if e is not None)
    if kind == "with_baseline":
        return _with_baseline(resolve(spec["with_baseline"], scope), int(spec.get("min_days", 0)))
    if kind == "choose":
        cases = spec.get("cases")
        if not isinstance(cases, Mapping):
            raise WorkflowError("choose needs cases: {<value>: <result>}")
        key = resolve(spec["choose"], scope)
        return resolve(cases[key], scope) if isinstance(key, str) and key in cases else None
    if kind == "properties":
        names = resolve(spec["properties"], scope) or []
        found = [_property(str(n), None, scope, strict=False) for n in names]
        refs = tuple(p for p in found if p is not None)
        if not refs:
            raise WorkflowError(f"none of the properties {list(names)} is in the project's taxonomy")
        return refs
    name = resolve(spec["property"], scope)
    if name is None or isinstance(name, PropertyRef):
        return name
    return _property(str(name), spec.get("scope"), scope, strict=True)


def _property(name: str, wanted: Any, scope: Scope, *, strict: bool) -> PropertyRef | None:
    """A property by name; ``person.plan`` names its scope, as HogQL's ``person.properties.plan`` does."""
    head, _, rest = name.partition(".")
    if wanted is None and head in _SCOPES and rest:
        wanted, name = head, rest
    found = scope.taxonomy.property(name, wanted)
    if found is None and strict:
        raise WorkflowError(f"{name!r} is not a{' ' + wanted if wanted else ''} property of the project's taxonomy")
    return found.ref() if found is not None else None


def _with_baseline(period: Any, min_days: int) -> TimeRange | None:
    if period is None:
        return None
    if not isinstance(period, TimeRange):
        raise WorkflowError(f"with_baseline needs a time range, not {period!r}")
    if period.default:
        return period
    days = max(min_days, math.ceil(2 * period.days))
    start = min(period.start, period.end - timedelta(days=days))
    extra = math.ceil((period.start - start).total_seconds() / 86400)
    if extra <= 0:
        return period
    return TimeRange(
        start,
        period.end,
        f"{period.label} and the {extra} days before",
        dict(period.spec),
        period.calendar,
        period.default,
    )
