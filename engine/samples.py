"""Example questions made from the project's own taxonomy: the answer to "what can I ask?".

Each family's ``samples`` (in its intent file) are questions with places for the project's names: the four roles
of ``askhog.roles`` (``{signup_event}``, ``{activation_event}``, ``{revenue_event}``, ``{feature_event}``), any
two events (``{event}``, ``{other_event}``), a property to break down by (``{property}``), a numeric property
(``{numeric_property}``) and a feature flag (``{flag}``). The places are filled from the taxonomy (a role the
project has no event for takes another of its events), and a question is shown only when the engine itself
answers it as that family, with no clarification: the examples are the project's, and they work.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence

from .answer import Answer
from .errors import AskhogError
from .roles import ROLES
from .taxonomy import PropertyDef, Taxonomy
from .types import Example

TRIES = 4
"""Fillings tried per sample (the first candidates of each place) before the next sample is tried."""
_PLACE = re.compile(r"\{(\w+)\}")


def candidates(taxonomy: Taxonomy, roles: Mapping[str, str]) -> dict[str, list[str]]:
    """For each place of a sample, the project's names that may fill it, best first."""
    own = [name for name in taxonomy.events if not name.startswith("$")]
    role_events = [roles[r] for r in ROLES if r in roles]
    plain = [e for e in own if e not in role_events] + [e for e in role_events if e in own]
    plain += [e for e in taxonomy.events if e not in plain]  # "$pageview" when a project has nothing else
    places: dict[str, list[str]] = {}
    for role in ROLES:
        places[role] = ([roles[role]] if role in roles else []) + [e for e in plain if e != roles.get(role)]
    places["event"] = plain
    places["other_event"] = plain
    places["property"] = [p.name for p in _breakdown_properties(taxonomy)]
    revenue_props = set(taxonomy.event_property_names(roles.get("revenue_event", "")))
    numeric = [p.name for p in taxonomy.properties("event").values() if p.type == "Numeric"]
    places["numeric_property"] = sorted(numeric, key=lambda n: (n not in revenue_props, numeric.index(n)))
    places["flag"] = list(taxonomy.flags)
    return places


def _breakdown_properties(taxonomy: Taxonomy) -> list[PropertyDef]:
    """Text properties with known values, the project's own (no ``$``) before PostHog's, people's before events'."""
    found = [
        p
        for scope in ("person", "event")
        for p in taxonomy.properties(scope).values()
        if p.type == "String" and len(p.values) >= 2
    ]
    return sorted(found, key=lambda p: p.name.startswith("$"))


def fillings(sample: str, places: Mapping[str, Sequence[str]], tries: int = TRIES) -> Iterator[str]:
    """``sample`` with its places filled: the first candidates, then the next ones; two places never take the
    same name (a funnel from an event to itself says nothing)."""
    names = list(dict.fromkeys(_PLACE.findall(sample)))
    if any(not places.get(n) for n in names):
        return
    seen: set[str] = set()
    for k in range(tries):
        chosen: dict[str, str] = {}
        for name in names:
            options = [v for v in places[name] if v not in chosen.values()]
            if not options:
                break
            chosen[name] = options[min(k, len(options) - 1)]
        else:
            text = _fill(sample, chosen)
            if text not in seen:
                seen.add(text)
                yield text


def _fill(sample: str, chosen: Mapping[str, str]) -> str:
    return _PLACE.sub(lambda m: chosen[m.group(1)], sample)


def build_examples(
    families: Sequence[tuple[str, str, Sequence[str]]],
    places: Mapping[str, Sequence[str]],
    answers: Callable[[str], Answer],
) -> tuple[Example, ...]:
    """One example per family (``(id, description, samples)``): the first filling of its samples that ``answers``
    reads as that family and answers without asking. A family none of whose samples works is left out."""
    examples = []
    for family, description, samples in families:
        for sample in samples:
            question = next((q for q in fillings(sample, places) if _works(answers, q, family)), None)
            if question is not None:
                examples.append(Example(family, question, description))
                break
    return tuple(examples)


def _works(answers: Callable[[str], Answer], question: str, family: str) -> bool:
    try:
        answer = answers(question)
    except AskhogError:  # a family this project's names cannot serve (no property it needs): not an example
        return False
    return (
        answer.intent == family
        and answer.clarification is None
        and (answer.hogql is not None or answer.workflow is not None)
        and not answer.caveats
    )


def help_text(examples: Sequence[Example], lead: str = "") -> str:
    """The answer to "what can I ask?": the examples, one line per analysis."""
    lines = [lead or "Ask about your product's events in plain English. For example, one question per analysis:"]
    lines.extend(f"  - {e.family.replace('_', ' ')}: {e.question}" for e in examples)
    lines.append("Ask for the query itself ('write the HogQL for ...') and askhog shows it first.")
    return "\n".join(lines)
