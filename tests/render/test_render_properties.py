"""Property-based: any text in any string slot (event names, event filters, filter values, phrases, the flag)
leaves the query text unchanged and sits in bound values only; inlined, it is one literal per place."""

from __future__ import annotations

import dataclasses
import os
from typing import Any

from askhog.hogql import parse
from askhog.render import RenderedQuery, Renderer
from askhog.types import EventRef
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from posthog_tree import filled, posthog_tree
from query_tree import literal_strings, shape
from render_cases import cases, flt, stem_families

STEMS = stem_families()
FULL_SWEEP = os.environ.get("ASKHOG_FULL_SWEEP") == "1"
"""Set by bench/bench_sweeps.py: the properties below then draw 500 texts and 200 round trips."""
BENIGN = "benign"
# PostHog's parser drops an escaped NUL from a literal, so inline() cannot carry one (bound values can).
TEXT = st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=40)


def with_text(stem: str, text: str) -> dict[str, Any]:
    """The stem's second case with every string a user could have typed replaced by ``text``."""
    slots = dict(cases(stem, STEMS[stem])[1])

    def event(e: EventRef) -> EventRef:
        return dataclasses.replace(e, name=text, phrase=text, filters=(flt("$os", "=", text),))

    for name, value in slots.items():
        if isinstance(value, EventRef):
            slots[name] = event(value)
    if slots.get("steps"):
        slots["steps"] = tuple(event(e) for e in slots["steps"])
    if "flag" in slots:
        slots["flag"] = text
    slots["filters"] = (
        flt("$browser", "=", text),
        flt("plan", "in", (text, text), "person"),
        flt("$pathname", "contains", text),
    )
    return slots


def _places(values: dict[str, Any], value: str) -> set[str]:
    return {k for k, v in values.items() if v == value}


def _render_both(renderer: Renderer, stem: str, text: str) -> tuple[RenderedQuery, RenderedQuery]:
    benign = renderer.render(stem, with_text(stem, BENIGN))
    typed = renderer.render(stem, with_text(stem, text))
    assert typed.hogql == benign.hogql
    # a text the case already holds elsewhere ("Firefox" in a segment) is in those places in both renderings
    assert _places(typed.values, text) - _places(benign.values, text) == _places(benign.values, BENIGN) != set()
    return benign, typed


@settings(
    max_examples=500 if FULL_SWEEP else 100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(stem=st.sampled_from(sorted(STEMS)), text=TEXT.filter(lambda t: t != BENIGN))
def test_any_text_in_any_string_slot_is_only_ever_a_bound_value(renderer: Renderer, stem: str, text: str):
    benign, typed = _render_both(renderer, stem, text)
    inlined = parse(typed.inline())
    assert shape(inlined) == shape(parse(benign.inline()))
    assert text in literal_strings(inlined)


# PostHog's parser is slow here (0.1-1 s a query), so its round trip runs on the smallest templates.
@settings(
    max_examples=200 if FULL_SWEEP else 40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(stem=st.sampled_from(["count", "trend"]), text=TEXT.filter(lambda t: t != BENIGN))
def test_inlined_text_reads_back_in_posthogs_parser_as_the_bound_constant(renderer: Renderer, stem: str, text: str):
    _, typed = _render_both(renderer, stem, text)
    assert posthog_tree(typed.inline()) == filled(posthog_tree(typed.hogql), typed.values)
