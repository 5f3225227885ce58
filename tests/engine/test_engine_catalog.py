"""The catalog loader: every family loads, and a broken file is reported with its name, line and key."""

from __future__ import annotations

import pytest
from askhog.catalog import FAMILIES, Catalog, parse_intent
from askhog.errors import CatalogError
from askhog.text import normalize

GOOD = """\
id: count
description: one number
rules:
  - {{pattern: '\\bhow many\\b', weight: 0.8, note: count}}
examples: [{}]
slots:
  - {{name: event, type: event, required: true, prompt: "Which event?"}}
template: count_events
interpretation: a number
follow_ups: ['and by browser?']
""".format(", ".join(f"'how many things {i}'" for i in range(25)))


def test_whole_catalog_loads_with_every_family() -> None:
    catalog = Catalog.load()
    assert [i.id for i in catalog] == list(FAMILIES)
    for intent in catalog:
        assert len(intent.examples) >= 25, intent.id
        if intent.id not in ("out_of_scope", "diagnose"):
            assert intent.template_stems(), intent.id
    assert catalog["diagnose"].workflow == "diagnose"
    assert catalog["out_of_scope"].message


def test_every_template_stem_exists() -> None:
    from importlib import resources

    names = {p.name for p in resources.files("askhog.templates").iterdir()}
    for intent in Catalog.load():
        for stem in intent.template_stems():
            assert f"{stem}.hogql.j2" in names, (intent.id, stem)


def test_every_workflow_named_exists() -> None:
    from askhog.workflows import available_workflows

    known = set(available_workflows())
    for intent in Catalog.load():
        named = ([intent.workflow] if intent.workflow else []) + [t.workflow for t in intent.triggers]
        assert set(named) <= known, (intent.id, named)


def test_workflow_triggers_pick_the_seed_workflows() -> None:
    catalog = Catalog.load()
    assert catalog["experiment"].workflow_for("did the new-checkout experiment work?") == "experiment_readout"
    assert catalog["experiment"].workflow_for("how many exposures did new-checkout get") is None
    assert catalog["revenue"].workflow_for("which channel has the best roi?") == "channel_roi"
    assert catalog["diagnose"].workflow_for("anything") == "diagnose"


def test_good_file_parses() -> None:
    intent = parse_intent(GOOD, "intents/count.yaml")
    assert intent.slot("event").required
    assert intent.rules[0].pattern.search("how many signups")


@pytest.mark.parametrize("pattern", ["'\\bHow Many\\b'", "'\\bhow\\W+many\\b'"])
def test_rules_match_normalized_questions_whatever_their_case(pattern: str) -> None:
    """Questions reach rules lower-cased; a pattern written with capitals still matches them."""
    intent = parse_intent(GOOD.replace("'\\bhow many\\b'", pattern), "intents/count.yaml")
    assert intent.rules[0].pattern.search(normalize("HOW MANY signups?"))


@pytest.mark.parametrize(
    ("edit", "line", "key", "message"),
    [
        (("description: one number", "description: one number\ncolour: red"), 3, "colour", "unknown key"),
        (("id: count", "id: Count Things"), 1, "id", "not a family id"),
        (("weight: 0.8", "weight: 3"), 4, "weight", "(0, 1]"),
        (("'\\bhow many\\b'", "'(unclosed'"), 4, "pattern", "does not compile"),
        (("type: event,", "type: gadget,"), 7, "type", "unknown type"),
        (("template: count_events", "template: {by: nothing, cases: {a: b}}"), 8, "by", "not a slot"),
        (
            ('prompt: "Which event?"}', 'prompt: "Which event?", default_with: [[nothing, all time]]}'),
            6,
            "slots",
            "default_with names 'nothing'",
        ),
    ],
)
def test_broken_file_names_file_line_and_key(edit: tuple[str, str], line: int, key: str, message: str) -> None:
    text = GOOD.replace(*edit)
    with pytest.raises(CatalogError) as err:
        parse_intent(text, "intents/count.yaml")
    assert err.value.path == "intents/count.yaml"
    assert err.value.key == key
    assert err.value.line == line
    assert message in str(err.value)


def test_too_few_examples_and_bad_yaml() -> None:
    few = GOOD.replace(", ".join(f"'how many things {i}'" for i in range(25)), "'one', 'two'")
    with pytest.raises(CatalogError, match="at least 25"):
        parse_intent(few, "intents/count.yaml")
    with pytest.raises(CatalogError, match="not valid YAML") as err:
        parse_intent("id: count\n  bad: : indent", "intents/count.yaml")
    assert err.value.line is not None


def test_a_key_given_twice_is_an_error_naming_both_lines() -> None:
    """YAML keeps the last of two equal keys without a word: a merge that leaves two ``reads:`` would drop one."""
    twice = GOOD.replace("id: count\n", "id: count\ndescription: twice\n", 1)
    with pytest.raises(CatalogError, match="'description' appears twice") as err:
        parse_intent(twice, "intents/count.yaml")
    assert err.value.line is not None and err.value.line > 2


def test_file_name_must_match_id() -> None:
    with pytest.raises(CatalogError, match="must equal the file name"):
        parse_intent(GOOD, "intents/trend.yaml")


def test_unknown_rule_key_names_the_key() -> None:
    text = GOOD.replace("weight: 0.8, note: count}", "weight: 0.8, note: count, colour: red}")
    with pytest.raises(CatalogError, match="unknown rule key 'colour'") as err:
        parse_intent(text, "intents/count.yaml")
    assert err.value.key == "colour"
