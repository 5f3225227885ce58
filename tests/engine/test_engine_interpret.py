"""Reading results: the biggest funnel drop, the trend's direction, the leading segment; slot matching in eval."""

from __future__ import annotations

from datetime import UTC, datetime

from askhog.answer import Answer
from askhog.backends.base import Table
from askhog.evaluate import slot_matches
from askhog.interpret import interpret
from askhog.meaning import Breakdown
from askhog.timerange import from_spec
from askhog.types import EventRef, PropertyRef

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def answer(template: str, **slots) -> Answer:
    return Answer(question="q", intent="x", confidence=1.0, template=template, slots=slots)


def test_funnel_names_the_biggest_drop() -> None:
    table = Table(
        ("step", "event", "users", "conversion_pct", "drop_off_pct"),
        ("", "", "", "", ""),
        ((1, "signed_up", 1000, 100.0, 0.0), (2, "file_uploaded", 800, 80.0, 20.0), (3, "purchase", 200, 20.0, 75.0)),
    )
    text = interpret(answer("funnel"), table).text()
    assert text.startswith("20.0% (200 of 1,000 users) converted: q.")
    assert "Biggest drop: file_uploaded → purchase, where 75.0%" in text
    assert "█" in text  # a chart


def test_trend_direction_and_size() -> None:
    rows = tuple((f"2026-11-{d:02d}", v) for d, v in zip(range(1, 10), [10, 10, 10, 15, 15, 15, 20, 20, 20]))
    head = interpret(answer("trend", event=EventRef("signed_up")), Table(("period", "value"), ("", ""), rows)).headline
    assert "up 100%" in head and "peak 20" in head


def test_leading_segment_and_empty_results() -> None:
    table = Table(("breakdown", "value"), ("", ""), (("Chrome", 60), ("Safari", 30), ("Firefox", 10)))
    assert interpret(answer("breakdown"), table).headline == "q: Chrome leads with 60 (60% of those shown)."
    empty = interpret(answer("funnel"), Table(("step", "users"), ("", ""), ()))
    assert empty.headline.startswith("No matching data")


def test_experiment_reading_has_lift_and_p_value() -> None:
    table = Table(
        ("variant", "exposures", "conversions", "conversion_pct"),
        ("", "", "", ""),
        (("control", 1000, 100, 10.0), ("test", 1000, 150, 15.0)),
    )
    text = interpret(answer("experiment"), table).text()
    assert "test vs control: relative lift +50.0%" in text and "(significant at 95%)" in text


def test_slot_matching_compares_meaning_not_text() -> None:
    last_week = from_spec({"previous": "week"}, NOW)
    assert slot_matches({"previous": "week"}, last_week, NOW)
    assert slot_matches({"from": "2026-11-16", "to": "2026-11-22"}, last_week, NOW)  # same days, other words
    assert not slot_matches({"last": 7, "unit": "day"}, last_week, NOW)
    assert slot_matches("signed_up", EventRef("signed_up", phrase="signups"), NOW)
    assert slot_matches(["signed_up", "purchase"], (EventRef("signed_up"), EventRef("purchase")), NOW)
    assert slot_matches("$browser", PropertyRef("$browser"), NOW)
    assert not slot_matches("plan", None, NOW)


def test_a_split_whose_empty_rows_make_a_group_scores_as_its_property() -> None:
    """A breakdown by utm source with the sourceless as "direct" is still the label's property (slot accuracy fell
    for every channel question when the split became a Breakdown)."""
    source = PropertyRef("$initial_utm_source", "person", "String")
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    assert slot_matches("$initial_utm_source", Breakdown(source, empty="direct"), now)
    assert not slot_matches("$browser", Breakdown(source, empty="direct"), now)
