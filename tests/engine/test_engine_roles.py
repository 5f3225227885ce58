"""Roles are found in the project's own taxonomy by the lexicon's words, or set in askhog.yaml (issue 11, item 2)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from askhog.demo.products import demo_taxonomy
from askhog.engine import Engine
from askhog.errors import CatalogError, WorkflowError
from askhog.linking import load_lexicon
from askhog.roles import resolve_roles
from askhog.settings import load_settings
from askhog.taxonomy import EventDef, Taxonomy
from askhog.workflows import fill_inputs, load_workflow

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def taxonomy(*events: tuple[str, str]) -> Taxonomy:
    return Taxonomy(events={name: EventDef(name, (), description) for name, description in events})


def test_the_demo_keeps_its_roles_because_its_names_resolve() -> None:
    assert resolve_roles(demo_taxonomy(), load_lexicon(), {}) == {
        "signup_event": "signed_up",
        "activation_event": "onboarding_completed",
        "revenue_event": "purchase",
        "feature_event": "feature_used",
    }


def test_another_products_names_resolve_by_their_words_and_descriptions() -> None:
    tax = taxonomy(
        ("invoice_sent", ""),
        ("invoice_paid", ""),
        ("account_created", ""),
        ("reminder_sent", ""),
        ("workspace_ready", "the user finished onboarding completed setup"),
    )
    assert resolve_roles(tax, load_lexicon(), {}) == {
        "signup_event": "account_created",
        "activation_event": "workspace_ready",
        "revenue_event": "invoice_paid",
    }


def test_nothing_fits_leaves_the_role_unresolved() -> None:
    assert resolve_roles(taxonomy(("page_viewed", ""), ("song_played", "")), load_lexicon(), {}) == {}


def test_settings_choose_a_role_the_names_do_not_say(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASKHOG_HOME", str(tmp_path))
    (tmp_path / "askhog.yaml").write_text("roles:\n  revenue_event: deal_won\n  signup_event: nope\n")
    settings = load_settings()
    tax = taxonomy(("deal_won", ""), ("order_completed", ""))
    # a named event the data lacks is ignored; the words still find the rest
    assert resolve_roles(tax, load_lexicon(), settings) == {"revenue_event": "deal_won"}


def test_settings_files_are_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASKHOG_HOME", str(tmp_path))
    assert load_settings() == {}  # no file, no settings
    bad = tmp_path / "bad.yaml"
    bad.write_text("roles:\n  favourite_event: x\n")
    with pytest.raises(CatalogError, match="roles map"):
        load_settings(bad)
    with pytest.raises(CatalogError, match="cannot read"):
        load_settings(tmp_path / "missing.yaml")


def test_a_workflow_default_written_as_a_role_is_the_projects_event_or_a_question() -> None:
    workflow = load_workflow("activation_drivers")
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    assert fill_inputs(workflow, {}, now, {"signup_event": "account_created"})["signup_event"] == "account_created"
    with pytest.raises(WorkflowError, match=r"signup event: which one is it\?.*askhog.yaml"):
        fill_inputs(workflow, {}, now, {})


def test_a_family_whose_default_property_the_project_lacks_asks_for_it() -> None:
    """Feature usage names its feature by a property (the demo's ``feature_name``): in a project without one, the
    question is asked with the project's own properties as options (it was a TemplateError), and so is the event."""
    import yaml
    from askhog.engine import Engine

    data = Path(__file__).resolve().parents[1] / "data" / "taxonomy_invoicing.yaml"
    invoicing = Taxonomy.from_dict(yaml.safe_load(data.read_text()))
    answer = Engine(taxonomy=invoicing).ask("which features are used most", now=datetime(2026, 11, 26, 12, tzinfo=UTC))
    assert answer.intent == "feature_usage" and answer.clarification is not None
    event, prop = answer.clarification.questions  # no event reads as feature use ($ events are PostHog's), no property
    assert event.slot == "event" and "invoice_paid" in event.options and "$feature_flag_called" not in event.options
    assert prop.slot == "feature_property" and "payment_method" in prop.options


def test_the_generic_lexicon_names_no_products_events_and_a_projects_own_words_come_with_its_taxonomy() -> None:
    """engine/lexicon.yaml holds words for any product; Paperplane's words for its own names travel with its
    taxonomy ("uploads" is file_uploaded there, and nowhere else), read over the generic words."""
    paperplane = demo_taxonomy("paperplane")
    generic = load_lexicon()
    own = {*paperplane.events, *paperplane.event_properties} - {
        *(n for n in paperplane.events if n.startswith("$")),
        *(n for n in paperplane.event_properties if n.startswith("$")),
        *demo_taxonomy("invoicing").event_properties,  # names both products have: amount, plan, currency
    }
    named = {
        *(generic.get("events") or {}),
        *(generic.get("properties") or {}),
        *(generic.get("values") or {}),
        *(n.split("=")[0] for n in (*generic.get("value_priority", ()), *generic.get("no_value_linking", ()))),
        *(row.get(k) for section in ("event_phrases", "value_events", "value_context", "referents", "units", "metrics")
          for row in generic.get(section) or () for k in ("event", "property")),
        *generic.get("default_funnel", ()),
    }  # fmt: skip
    assert not named & own
    assert "file_uploaded" not in (generic.get("events") or {})
    merged = load_lexicon(paperplane)
    assert "upload" in merged["events"]["file_uploaded"] and "@revenue_event" in merged["events"]
    assert merged["default_funnel"][0] == "signed_up"


def test_a_settings_lexicon_adds_the_projects_words(tmp_path: Path) -> None:
    settings_file = tmp_path / "askhog.yaml"
    settings_file.write_text("lexicon:\n  events:\n    deal_won: [closed deal, won deal]\n", encoding="utf-8")
    tax = taxonomy(("deal_won", ""), ("account_created", ""))
    engine = Engine(taxonomy=tax, settings=load_settings(settings_file), clock=lambda: NOW)
    assert engine.ask("how many closed deals last week").slots["event"].name == "deal_won"
    settings_file.write_text("lexicon: [1, 2]\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="lexicon maps sections"):
        load_settings(settings_file)
