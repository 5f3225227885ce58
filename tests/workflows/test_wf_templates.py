"""The workflow-only templates (templates/wf_*.hogql.j2) render to HogQL that askhog's guard and PostHog's parser accept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from askhog.demo.products import demo_taxonomy
from askhog.errors import TemplateError
from askhog.hogql.posthog_parser import assert_posthog_parses
from askhog.hogql.validate import validate
from askhog.render import Renderer
from askhog.types import EventRef, PropertyFilter, PropertyRef, TimeRange

END = datetime(2026, 3, 18, 15, tzinfo=UTC)
WINDOW = TimeRange(END - timedelta(days=28), END, "last 28 days")
STEPS = (EventRef("checkout_started"), EventRef("purchase"))
DIMENSIONS = (PropertyRef("$browser"), PropertyRef("plan", "person"))
AMOUNT = PropertyRef("amount", "event", "Numeric")
PRO = (PropertyFilter(PropertyRef("plan", "person"), "=", "pro"),)

CASES: dict[str, dict[str, Any]] = {
    "wf_daily_conversion": {"steps": STEPS, "window_days": 1, "filters": PRO, "time_range": WINDOW},
    "wf_segment_conversion": {
        "steps": STEPS,
        "window_days": 1,
        "filters": None,
        "time_range": WINDOW,
        "dimensions": DIMENSIONS,
        "new_user_event": EventRef("signed_up"),
        "new_user_days": 7,
    },
    "wf_segment_volume": {
        "event": EventRef("purchase"),
        "amount_property": AMOUNT,
        "filters": PRO,
        "time_range": WINDOW,
        "dimensions": DIMENSIONS,
    },
    "wf_flag_changes": {"time_range": WINDOW},
    "wf_activation_lift": {
        "signup_event": EventRef("signed_up"),
        "candidates": STEPS,
        "window_days": 1,
        "retention_from_day": 21,
        "retention_to_day": 28,
        "filters": None,
        "time_range": WINDOW,
    },
    "wf_high_value_behaviour": {
        "revenue_event": EventRef("purchase"),
        "amount_property": AMOUNT,
        "dimensions": DIMENSIONS,
        "quantile": 0.75,
        "filters": None,
        "time_range": WINDOW,
    },
}


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(demo_taxonomy())


@pytest.mark.parametrize("stem", sorted(CASES))
def test_workflow_template_is_valid_hogql_with_bound_values(renderer, stem):
    query = renderer.render(stem, CASES[stem])
    checked = validate(query.hogql)
    assert checked.warnings == []
    assert_posthog_parses(query.hogql)
    # Literals are bound, never spliced: no event name or date appears in the text.
    assert "'purchase'" not in query.hogql and "2026-" not in query.hogql
    assert query.values["date_from"] == "2026-02-18 15:00:00"


def test_segment_template_refuses_a_missing_property_list(renderer):
    with pytest.raises(TemplateError, match="at least one candidate property"):
        renderer.render("wf_segment_volume", {**CASES["wf_segment_volume"], "dimensions": ()})
