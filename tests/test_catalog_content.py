"""Content checks for the intent catalog (intents/*.yaml).

The classifier is only as good as the examples and rules it is trained on, so
these tests guard the catalog's *content*: every family is present, has enough
varied examples, rules that compile, fire on their own family and stay quiet on
the others. The loader's schema validation lives with the engine; this file
checks what a schema cannot.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from askhog.catalog import FAMILIES as CONTRACT_FAMILIES
from askhog.yamlfiles import load as read_yaml

ROOT = Path(__file__).resolve().parents[1]
INTENTS_DIR = ROOT / "intents"
FAMILIES_SPEC = Path("/work/shared/spec/intents.md")

MIN_EXAMPLES = 25
MIN_OUT_OF_SCOPE_EXAMPLES = 60
STRONG_WEIGHT = 0.8
MAX_FOREIGN_HITS = 2
MAX_HARD_NEGATIVE_HITS = 6
"""Refusal examples are hard negatives on purpose ("what is a good retention rate for SaaS?"): they may
share a family's words more often, but a strong rule that fires on many of them is still too loose."""


def _load_catalog() -> dict[str, dict[str, Any]]:
    return {path.stem: read_yaml(path.read_text(encoding="utf-8")) for path in sorted(INTENTS_DIR.glob("*.yaml"))}


def _spec_families() -> list[str]:
    """Family ids from the contract table of the spec, or the engine's copy of it where the spec is not checked out."""
    if not FAMILIES_SPEC.exists():
        return list(CONTRACT_FAMILIES)
    return re.findall(r"^\| `([a-z_]+)` \|", FAMILIES_SPEC.read_text(encoding="utf-8"), flags=re.MULTILINE)


CATALOG = _load_catalog()
FAMILIES = sorted(CATALOG)
RULES = [(family, index, rule) for family in FAMILIES for index, rule in enumerate(CATALOG[family].get("rules") or [])]


def _rule_id(param: Any) -> str:
    if isinstance(param, tuple) and len(param) == 3:
        return f"{param[0]}[{param[1]}]"
    return str(param)


def _examples(family: str) -> list[str]:
    return [str(example).lower() for example in CATALOG[family]["examples"]]


def test_every_spec_family_has_a_file() -> None:
    spec = _spec_families()
    assert len(spec) == 22
    assert sorted(spec) == sorted(CONTRACT_FAMILIES) == FAMILIES


@pytest.mark.parametrize("family", FAMILIES)
def test_id_matches_file_name(family: str) -> None:
    assert CATALOG[family]["id"] == family


@pytest.mark.parametrize("family", FAMILIES)
def test_enough_distinct_examples(family: str) -> None:
    examples = CATALOG[family]["examples"]
    assert all(isinstance(example, str) and example.strip() for example in examples)
    minimum = MIN_OUT_OF_SCOPE_EXAMPLES if family == "out_of_scope" else MIN_EXAMPLES
    assert len(examples) >= minimum
    lowered = [example.strip().lower() for example in examples]
    assert len(set(lowered)) == len(lowered), "duplicate example within the family"


def test_no_example_shared_between_families() -> None:
    owners: dict[str, set[str]] = {}
    for family in FAMILIES:
        for example in CATALOG[family]["examples"]:
            owners.setdefault(example.strip().lower(), set()).add(family)
    shared = {example: sorted(families) for example, families in owners.items() if len(families) > 1}
    assert not shared


@pytest.mark.parametrize("family", FAMILIES)
def test_interpretation_and_follow_ups(family: str) -> None:
    entry = CATALOG[family]
    if family == "out_of_scope":
        assert isinstance(entry["message"], str) and len(entry["message"].splitlines()) >= 5
        return
    assert isinstance(entry["interpretation"], str) and len(entry["interpretation"].strip().splitlines()) >= 3
    follow_ups = entry["follow_ups"]
    assert 3 <= len(follow_ups) <= 5
    assert all(isinstance(question, str) and question.strip() for question in follow_ups)


@pytest.mark.parametrize("family", [family for family in FAMILIES if family != "out_of_scope"])
def test_every_analysis_family_has_rules(family: str) -> None:
    assert CATALOG[family]["rules"], "an analysis family needs at least one rule"


@pytest.mark.parametrize("rule", RULES, ids=_rule_id)
def test_rule_is_well_formed(rule: tuple[str, int, dict[str, Any]]) -> None:
    family, _, spec = rule
    assert {"pattern", "weight", "note"} <= set(spec) <= {"pattern", "weight", "note", "unless_tracked"}
    assert spec.get("unless_tracked", False) in (True, False)
    assert family == "out_of_scope" or "unless_tracked" not in spec, "only refusals give way to tracked names"
    assert 0 < float(spec["weight"]) <= 1
    assert isinstance(spec["note"], str) and spec["note"].strip()
    re.compile(spec["pattern"], re.IGNORECASE)


@pytest.mark.parametrize("rule", RULES, ids=_rule_id)
def test_rule_fires_on_its_own_family(rule: tuple[str, int, dict[str, Any]]) -> None:
    family, _, spec = rule
    pattern = re.compile(spec["pattern"], re.IGNORECASE)
    assert any(pattern.search(example) for example in _examples(family))


@pytest.mark.parametrize("rule", [r for r in RULES if float(r[2]["weight"]) >= STRONG_WEIGHT], ids=_rule_id)
def test_strong_rule_stays_out_of_other_families(rule: tuple[str, int, dict[str, Any]]) -> None:
    family, _, spec = rule
    pattern = re.compile(spec["pattern"], re.IGNORECASE)
    hits = Counter(
        other for other in FAMILIES if other != family for example in _examples(other) if pattern.search(example)
    )
    too_many = {
        other: count
        for other, count in hits.items()
        if count > (MAX_HARD_NEGATIVE_HITS if other == "out_of_scope" else MAX_FOREIGN_HITS)
    }
    assert not too_many, f"{spec['pattern']!r} fires on other families: {too_many}"


def test_out_of_scope_message_lists_the_analyses() -> None:
    message = CATALOG["out_of_scope"]["message"].lower()
    for kind in ("funnel", "retention", "trend", "breakdown", "experiment", "revenue"):
        assert kind in message
