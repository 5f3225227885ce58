"""Slot values cannot change a query's meaning: literals are bound, identifiers allow-listed, templates strict."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from askhog.catalog import Catalog
from askhog.errors import AskhogError, TemplateError
from askhog.hogql import parse, validate
from askhog.render import RenderedQuery, Renderer, hogql_literal, quote_identifier, select_template
from askhog.taxonomy import Taxonomy
from askhog.types import PropertyFilter, PropertyRef, TimeRange
from posthog_tree import constants, filled, posthog_tree
from query_tree import literal_strings, shape
from render_cases import RANGES, TAXONOMY, cases, ev, flt, prop, stem_families

HOSTILE = ("'; DROP TABLE events; --", '") OR 1=1', "x' OR '1'='1", "\\'; --", "{event}", "}} {{ 7*7 }}", "a\nb\tc\x07")
STEMS = stem_families()


def with_filter(stem: str, value: str) -> dict:
    slots = dict(cases(stem, STEMS[stem])[1])
    slots["filters"] = (flt("$browser", "=", value), flt("plan", "in", (value, "pro"), "person"))
    return slots


# --- injection ------------------------------------------------------------------------------


@pytest.mark.parametrize("stem", sorted(STEMS))
@pytest.mark.parametrize("hostile", HOSTILE[:2])
def test_hostile_filter_values_stay_in_one_bound_literal(renderer, stem, hostile):
    benign = renderer.render(stem, with_filter(stem, "Safari"))
    attacked = renderer.render(stem, with_filter(stem, hostile))

    assert hostile not in attacked.hogql
    assert attacked.hogql == benign.hogql
    assert [k for k, v in attacked.values.items() if v == hostile] == [
        k for k, v in benign.values.items() if v == "Safari"
    ]
    validate(attacked.hogql)
    assert shape(parse(attacked.inline())) == shape(parse(benign.inline()))
    assert hostile in literal_strings(parse(attacked.inline()))


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_event_names_and_flags_are_bound_too(renderer, hostile):
    slots = dict(cases("experiment", "experiment")[0], flag=hostile, goal_event=ev(hostile, flt("plan", "=", hostile)))
    query = renderer.render("experiment", slots)
    assert hostile not in query.hogql
    assert {k for k, v in query.values.items() if v == hostile} == {"flag", "goal_event", "value_0"}
    assert posthog_tree(query.inline()) == filled(posthog_tree(query.hogql), query.values)


# --- identifiers ------------------------------------------------------------------------------


def test_a_property_missing_from_the_taxonomy_is_refused_by_name(renderer):
    slots = dict(cases("breakdown", "breakdown")[0], breakdown=PropertyRef("made_up_prop"))
    with pytest.raises(TemplateError, match="made_up_prop"):
        renderer.render("breakdown", slots)
    slots = dict(cases("count", "count")[0], filters=(PropertyFilter(PropertyRef("evil`) OR 1=1 --"), "=", "x"),))
    with pytest.raises(TemplateError, match="not in the project's taxonomy"):
        renderer.render("count", slots)
    slots = dict(cases("count", "count")[2], property=PropertyRef("made_up_amount", type="Numeric"))
    with pytest.raises(TemplateError, match="made_up_amount"):
        renderer.render("count", slots)


def test_a_property_of_the_wrong_scope_is_refused(renderer):
    slots = dict(cases("breakdown", "breakdown")[0], breakdown=prop("$browser").__class__("plan", "session"))
    with pytest.raises(TemplateError, match="plan"):
        renderer.render("breakdown", slots)
    slots = dict(cases("breakdown", "breakdown")[0], breakdown=prop("$session_duration", "session"))
    with pytest.raises(TemplateError, match="cannot be read from the events table"):
        renderer.render("breakdown", slots)


def test_unusual_property_names_are_backtick_quoted_and_still_parse():
    taxonomy = Taxonomy.from_dict(
        {
            "events": {"purchase": {"properties": ["plan name", "odd`name"]}},
            "event_properties": {"plan name": {"type": "String"}, "odd`name": {"type": "Numeric"}},
        }
    )
    renderer = Renderer(taxonomy)
    slots = dict(cases("breakdown", "breakdown")[0], filters=None, event=ev("purchase"), measure="sum")
    slots.update(breakdown=PropertyRef("plan name"), property=PropertyRef("odd`name", type="Numeric"))
    query = renderer.render("breakdown", slots)
    assert "properties.`plan name`" in query.hogql and "properties.`odd``name`" in query.hogql
    tree = posthog_tree(query.hogql)
    chains = [n["chain"] for n in _nodes(tree) if n.get("node") == "Field"]
    assert ["properties", "plan name"] in chains and ["properties", "odd`name"] in chains
    assert quote_identifier("$browser") == "$browser" and quote_identifier("1st") == "`1st`"


def _nodes(node):
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _nodes(v)
    elif isinstance(node, list):
        for v in node:
            yield from _nodes(v)


# --- strictness and errors ------------------------------------------------------------------


def test_an_undefined_variable_fails_naming_the_template(renderer):
    # A family's stem reads its meaning (unset slots are None there); the workflows' own templates read their values
    # as plain variables, so one missing is a strict-undefined error naming the template and the variable.
    slots = {"steps": (ev("checkout_started"), ev("purchase")), "window_days": 1, "filters": None}
    with pytest.raises(TemplateError, match=r"template wf_daily_conversion\b.*time_range"):
        renderer.render("wf_daily_conversion", slots)


def test_an_unknown_stem_is_a_template_error(renderer):
    with pytest.raises(TemplateError, match="no_such_stem"):
        renderer.render("no_such_stem", {})


@pytest.mark.parametrize(
    ("slot", "value", "message"),
    [
        ("limit", "10; DROP TABLE events", "whole number"),
        ("limit", -1, "whole number"),
        ("limit", 2.5, "whole number"),
        ("measure", "mode", "unknown aggregate mode"),
        ("interval", "fortnight", "unknown interval"),
    ],
)
def test_bad_slot_values_are_template_errors_not_tracebacks(renderer, slot, value, message):
    stem = "breakdown" if slot == "limit" else "trend"
    slots = dict(cases(stem, STEMS[stem])[2], **{slot: value})  # the third case measures a property (sum of amount)
    with pytest.raises(TemplateError, match=f"^template {stem}: .*{message}"):
        renderer.render(stem, slots)


def test_a_statistic_without_a_property_and_a_non_numeric_comparison_are_refused(renderer):
    for measure in ("sum", "avg", "median", "p90"):
        with pytest.raises(TemplateError, match=f"the {measure} of what\\? a numeric property is needed"):
            renderer.render("count", dict(cases("count", "count")[0], measure=measure, property=None))
    for value in ("lots", "nan", "inf"):
        filters = (flt("amount", ">", value),)
        with pytest.raises(TemplateError, match="needs a number"):
            renderer.render("count", dict(cases("count", "count")[0], filters=filters))


def test_template_errors_belong_to_the_one_error_tree():
    assert issubclass(TemplateError, AskhogError)


# --- template choice ------------------------------------------------------------------------


def test_select_template_follows_the_spec(intents):
    spec = intents["engagement"]["template"]  # {by: metric, cases: {...}}
    assert select_template("funnel", {}) == "funnel"
    assert select_template(spec, {"metric": "wau"}) == "engagement_active_users"
    assert select_template(spec, {"metric": "dau_mau"}) == "engagement_dau_mau"
    presence = {"by": "breakdown", "cases": {"_unset": "funnel", "_set": "funnel_breakdown"}}
    assert select_template(presence, {"breakdown": None}) == "funnel"
    assert select_template(presence, {}) == "funnel"
    assert select_template(presence, {"breakdown": prop("$browser")}) == "funnel_breakdown"
    with pytest.raises(TemplateError, match="metric='median'"):
        select_template(spec, {"metric": "median"})
    with pytest.raises(TemplateError, match="by: <slot>"):
        select_template({"cases": {}}, {})


# --- binding ----------------------------------------------------------------------------------


def test_dates_are_bound_as_absolute_strings_once(renderer):
    query = renderer.render("retention_weekly", cases("retention_weekly", "retention")[0])
    assert query.values["date_from"] == RANGES[0].start.strftime("%Y-%m-%d %H:%M:%S")
    assert query.hogql.count("{date_from}") >= 2 and "date_from_1" not in query.values


def test_an_aware_time_range_is_bound_in_utc(renderer):
    paris = timezone(timedelta(hours=1))
    aware = TimeRange(datetime(2026, 11, 1, 1, 0, tzinfo=paris), datetime(2026, 11, 8, 1, 0, tzinfo=paris), "week")
    query = renderer.render("count", dict(cases("count", "count")[0], time_range=aware, compare=None))
    assert (query.values["date_from"], query.values["date_to"]) == ("2026-11-01 00:00:00", "2026-11-08 00:00:00")


def test_concurrent_renders_keep_their_own_values(renderer):
    results: dict[int, RenderedQuery] = {}

    def work(n: int) -> None:
        for _ in range(20):
            results[n] = renderer.render("count", dict(cases("count", "count")[0], event=ev(f"event-{n}")))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {n: q.values["event"] for n, q in results.items()} == {n: f"event-{n}" for n in range(8)}


# --- literals and inline() ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        (None, "NULL"),
        (True, "true"),
        (42, "42"),
        (2.5, "2.5"),
        ("it's", "'it\\'s'"),
        ("back\\slash", "'back\\\\slash'"),
        ("line\nbreak", "'line\\nbreak'"),
        (datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), "toDateTime('2026-01-02 03:04:05')"),
        (date(2026, 1, 2), "toDate('2026-01-02')"),
        (["a", 1], "['a', 1]"),
        (("a", None), "('a', NULL)"),
    ],
)
def test_hogql_literal(value, literal):
    assert hogql_literal(value) == literal


def test_values_that_are_not_literals_are_refused():
    with pytest.raises(TemplateError):
        hogql_literal(float("nan"))
    with pytest.raises(TemplateError):
        hogql_literal(object())


@pytest.mark.parametrize("hostile", HOSTILE)
def test_inline_round_trips_through_posthogs_parser(renderer, hostile):
    slots = with_filter("user_list", hostile)
    assert slots["exclude_event"] is not None  # the did-not branch: its subquery carries no filter value
    query = renderer.render("user_list", slots)
    inlined = posthog_tree(query.inline())
    assert inlined == filled(posthog_tree(query.hogql), query.values)
    assert constants(inlined).count(hostile) == 2
    assert hostile in literal_strings(parse(query.inline()))


def test_a_nul_character_is_bound_verbatim(renderer):
    """PostHog's parser drops an escaped NUL from a literal, so only the bound form keeps it (inline() cannot)."""
    query = renderer.render("count", dict(cases("count", "count")[0], filters=(flt("$browser", "=", "a\0b"),)))
    assert query.values["value_0"] == "a\0b" and "\0" not in query.hogql


def test_inline_refuses_a_placeholder_without_a_value():
    query = RenderedQuery("SELECT {missing} FROM events LIMIT 1", {}, "t")
    with pytest.raises(TemplateError, match="missing"):
        query.inline()
    assert dataclasses.is_dataclass(query) and query.template == "t"


# --- the renderer's own safety net (templates written wrongly) ------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("SELECT {{ '{{' }} 1 FROM events LIMIT 1", "unrendered Jinja markup"),
        ("SELECT {ghost} FROM events LIMIT 1", r"placeholders without a value: \['ghost'\]"),
        ("SELECT {% if %} FROM events", "syntax error at line 1"),
        ("SELECT {{ bind(event, 'Bad Hint') }} FROM events", "bad placeholder hint"),
        ("SELECT {{ bind(time_range, 'tr') }} FROM events", "bind a plain value"),
    ],
)
def test_a_wrongly_written_template_fails_with_its_name(tmp_path, source, message):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "broken.hogql.j2").write_text(source)
    renderer = Renderer(TAXONOMY, Catalog.load(extra=tmp_path))
    with pytest.raises(TemplateError, match=message) as caught:
        renderer.render("broken", {"event": "purchase", "time_range": RANGES[0]})
    assert "broken" in str(caught.value)
