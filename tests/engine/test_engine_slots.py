"""Slot filling: events, steps, breakdowns, filters, numbers, choices and defaults, linked to the taxonomy."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from askhog.engine import Engine
from askhog.meaning import Breakdown
from askhog.types import EventRef, PropertyFilter, TimeRange


def slots(engine: Engine, question: str) -> dict:
    return engine.ask(question).slots


def names(value) -> list[str]:
    return [e.name for e in value]


@pytest.mark.parametrize(
    ("question", "event"),
    [
        ("how many signups last week?", "signed_up"),
        ("how many singups last week?", "signed_up"),  # typo
        ("how many uplaods yesterday", "file_uploaded"),  # transposition
        ("total purchses this month", "purchase"),
        ("how many projects have been created this year so far?", "project_created"),  # words apart
        ("number of invites sent in october 2026", "invite_sent"),
        ("count of people who completed onbording", "onboarding_completed"),
    ],
)
def test_events_link_to_the_taxonomy_with_typos(engine: Engine, question: str, event: str) -> None:
    assert slots(engine, question)["event"].name == event


def test_pricing_page_is_a_filtered_pageview(engine: Engine) -> None:
    event = slots(engine, "how many pricing page views last week")["event"]
    assert event.name == "$pageview"
    assert event.filters[0].prop.name == "$pathname" and event.filters[0].value == "/pricing"


@pytest.mark.parametrize(
    ("question", "steps"),
    [
        ("conversion from signup to purchase", ["signed_up", "purchase"]),
        ("funnel signed_up -> file_uploaded -> purchase", ["signed_up", "file_uploaded", "purchase"]),
        ("signups, then uploads, then purchases: where do users drop off?", ["signed_up", "file_uploaded", "purchase"]),
        ("of users who started checkout, how many then purchased?", ["checkout_started", "purchase"]),
        ("what share of users purchase after signing up", ["signed_up", "purchase"]),
        ("checkout conversion last week", ["checkout_started", "purchase"]),
    ],
)
def test_funnel_steps_in_order(engine: Engine, question: str, steps: list[str]) -> None:
    assert names(engine.ask(question, intent="funnel").slots["steps"]) == steps


@pytest.mark.parametrize(
    ("question", "prop", "scope"),
    [
        ("signups by country", "$geoip_country_code", "person"),
        ("purchases per browser last month", "$browser", "event"),
        ("file uploads split by file type", "file_type", "event"),
        ("which plan has the most purchases?", "plan", "event"),
        ("revenue by channel", "$initial_utm_source", "person"),
    ],
)
def test_breakdown_property(engine: Engine, question: str, prop: str, scope: str) -> None:
    breakdown = slots(engine, question)["breakdown"]
    grouped = breakdown.property if isinstance(breakdown, Breakdown) else breakdown  # "channel": direct is a group
    assert (grouped.name, grouped.scope) == (prop, scope)


@pytest.mark.parametrize(
    ("question", "prop", "value"),
    [
        ("how many Safari users signed up last week", "$browser", "Safari"),
        ("purchases on mobile this month", "$device_type", "Mobile"),
        ("signups from Germany in the last 7 days", "$geoip_country_code", "DE"),
        ("how many pdf uploads this week", "file_type", "pdf"),
        ("how many signups where plan is pro", "plan", "pro"),
    ],
)
def test_filters_from_values(engine: Engine, question: str, prop: str, value: str) -> None:
    filled = slots(engine, question)
    found = list(filled.get("filters", ()))
    found += [f for f in getattr(filled.get("event"), "filters", ())]
    assert any(f.prop.name == prop and f.value == value for f in found), filled


def test_numeric_filter_and_threshold(engine: Engine) -> None:
    filled = slots(engine, "list users who purchased with amount over 100")
    f = next(f for f in filled["filters"] if f.prop.name == "amount")
    assert (f.op, f.value) == (">", 100.0)
    assert slots(engine, "who uploaded at least 5 times this month")["min_count"] == 5


def test_numbers_know_what_they_count(engine: Engine) -> None:
    assert slots(engine, "top 5 countries by signups")["limit"] == 5
    assert slots(engine, "conversion from signup to purchase within 3 days")["window_days"] == 3
    assert slots(engine, "who has been inactive for 30 days")["silent_days"] == 30
    assert slots(engine, "what are the 4 step paths after signing up")["path_length"] == 4


@pytest.mark.parametrize(
    ("question", "slot", "value"),
    [
        ("how many unique users purchased last week", "measure", "users"),
        ("how many purchases last week", "measure", "events"),
        ("average purchase amount last month", "measure", "avg"),
        ("weekly signups since September", "interval", "week"),
        ("hourly pageviews yesterday", "interval", "hour"),
        ("what do users do before purchasing?", "direction", "before"),
        ("monthly retention of new signups", "period", "month"),
        ("what's our DAU/MAU ratio", "metric", "dau_mau"),
        ("what's the bounce rate this week", "metric", "bounce_rate"),
        ("which properties predict a purchase", "candidate", "properties"),
    ],
)
def test_choice_slots(engine: Engine, question: str, slot: str, value: str) -> None:
    assert slots(engine, question)[slot] == value


def test_revenue_metric_words(engine: Engine) -> None:
    filled = slots(engine, "revenue over time, monthly")
    assert filled["event"].name == "purchase" and filled["measure"] == "sum" and filled["property"].name == "amount"


def test_defaults_are_stated(engine: Engine) -> None:
    answer = engine.ask("where do users drop off between signup and purchase?")
    assert answer.slots["window_days"] == 14 and "window_days" in answer.defaulted
    tr = answer.slots["time_range"]
    assert isinstance(tr, TimeRange) and tr.default and tr.days == pytest.approx(30)
    assert "(default)" in answer.explain()


def test_interval_follows_the_range(engine: Engine) -> None:
    assert slots(engine, "signups over time in the last 24 hours")["interval"] == "hour"
    assert slots(engine, "signups over time in the last 14 days")["interval"] == "day"
    assert slots(engine, "signups over time in the last 8 weeks")["interval"] == "week"
    assert slots(engine, "signups over time in the last 6 months")["interval"] == "month"
    assert slots(engine, "signups over time in the last 45 days")["interval"] == "day"
    assert slots(engine, "signups over time in the last 3 months")["interval"] == "week"


def test_calendar_and_rolling_ranges(engine: Engine, now: datetime) -> None:
    last_month = slots(engine, "how many signups last month")["time_range"]
    assert (last_month.start, last_month.end) == (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
    rolling = slots(engine, "how many signups in the last 30 days")["time_range"]
    assert rolling.end == now and (now - rolling.start).days == 30


def test_exclusion_and_experiment_slots(engine: Engine) -> None:
    filled = slots(engine, "users who uploaded a file but never shared one")
    assert filled["event"].name == "file_uploaded" and filled["exclude_event"].name == "file_shared"
    exp = slots(engine, "did the new checkout experiment improve purchases?")
    assert exp["flag"] == "new-checkout" and exp["goal_event"].name == "purchase"


def test_unknown_event_asks_with_real_options(engine: Engine) -> None:
    answer = engine.ask("how many widgets were exported last week")
    assert answer.clarification is not None and answer.hogql is None
    question = answer.clarification.questions[0]
    assert question.slot == "event"
    assert "widgets" in question.prompt
    assert question.options and all(o in engine.taxonomy.events for o in question.options)


def test_ambiguous_quarter_asks_with_both_readings(engine: Engine) -> None:
    answer = engine.ask("how many signups in Q4")
    question = answer.clarification.questions[0]
    assert question.slot == "time_range" and len(question.options) == 2
    assert any("2026" in o for o in question.options) and any("2025" in o for o in question.options)


def test_engagement_without_a_metric_offers_the_seed_choices(engine: Engine) -> None:
    answer = engine.ask("show me user engagement")
    question = answer.clarification.questions[0]
    assert question.slot == "metric"
    assert set(question.options) == {"active", "dau", "wau", "mau", "dau_mau", "events_per_user"}


def test_filters_are_typed_values(engine: Engine) -> None:
    filters = slots(engine, "purchases by plan for Safari users on desktop")["filters"]
    assert all(isinstance(f, PropertyFilter) for f in filters)
    assert {(f.prop.name, f.value) for f in filters} == {("$browser", "Safari"), ("$device_type", "Desktop")}
    assert isinstance(slots(engine, "purchases by plan")["event"], EventRef)


@pytest.mark.parametrize(
    ("question", "slot"),
    [
        ("top 0 browsers by signups", "limit"),
        ("weekly retention of signups for 9999 weeks", "periods"),
        ("conversion from signup to purchase within 0 days", "window_days"),
    ],
)
def test_numbers_out_of_range_are_asked_about(engine: Engine, question: str, slot: str) -> None:
    answer = engine.ask(question)
    assert answer.hogql is None
    question_asked = next(q for q in answer.clarification.questions if q.slot == slot)
    assert "does not work here" in question_asked.prompt


def test_several_values_of_one_property_mean_either(engine: Engine) -> None:
    filters = slots(engine, "how many users where plan is pro and plan is free who signed up")["filters"]
    assert [(f.prop.name, f.op, f.value) for f in filters] == [("plan", "in", ("pro", "free"))]


@pytest.mark.parametrize("phrase", ["next week", "last 0 days", "in Q5", "since tomorrow", "last 99999 days"])
def test_a_period_that_cannot_be_used_is_asked_about(engine: Engine, phrase: str) -> None:
    answer = engine.ask(f"how many signups {phrase}", intent="count")
    assert answer.hogql is None
    question = answer.clarification.questions[0]
    assert question.slot == "time_range" and "could not use the period" in question.prompt
    assert "last 30 days" in question.options


def test_comparisons_are_not_unreadable_periods(engine: Engine) -> None:
    answer = engine.ask("how many signups this week vs last week", intent="count")
    assert answer.clarification is None and answer.slots["time_range"].spec == {"this": "week"}


def test_where_users_drop_off_between_two_ends_takes_the_main_path(engine: Engine) -> None:
    answer = engine.ask("where do users drop off between signup and purchase?")
    assert names(answer.slots["steps"]) == [
        "signed_up",
        "onboarding_completed",
        "project_created",
        "file_uploaded",
        "checkout_started",
        "purchase",
    ]
    assert any("main path" in n for n in answer.notes)
    assert names(engine.ask("conversion from signup to purchase").slots["steps"]) == ["signed_up", "purchase"]


def test_people_active_in_a_range_are_counted_over_all_events(engine: Engine) -> None:
    answer = engine.ask("how many users were active last week")
    assert answer.hogql is not None and answer.meaning is not None
    series = answer.meaning.series[0]
    assert answer.intent == "count" and series.event is None and series.unit == "users"
    assert "any event" in answer.meaning.describe() and not answer.caveats


@pytest.mark.parametrize("question", ["how many events did we get today", "number of users this month"])
def test_a_count_of_people_or_events_without_an_event_covers_all_events(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.clarification is None and answer.hogql is not None
    assert "event" not in answer.values and "counting all events" in " ".join(answer.notes)


@pytest.mark.parametrize(
    "question",
    ["how many widgets were exported last week", "How many did we get yesterday?", "show me how things are trending"],
)
def test_without_a_countable_noun_the_engine_asks_for_the_event(engine: Engine, question: str) -> None:
    answer = engine.ask(question)
    assert answer.hogql is None and answer.clarification.questions[0].slot == "event"


@pytest.mark.parametrize(
    ("question", "asks"),
    [
        ("what predicts success?", True),
        ("which properties predict a good outcome?", True),
        ("what's correlated with a successful checkout?", False),
        ("which events predict a purchase?", False),
    ],
)
def test_success_without_an_event_is_asked_about(engine: Engine, question: str, asks: bool) -> None:
    answer = engine.ask(question)
    assert answer.intent == "correlation"
    asked = answer.clarification is not None and any(q.slot == "target_event" for q in answer.clarification.questions)
    assert asked is asks


@pytest.mark.parametrize(
    ("question", "prop", "op", "value"),
    [
        ("count of pdf uploads over 10 MB in october", "size_mb", ">", 10),
        ("uploads bigger than 1 GB this month", "size_mb", ">", 1024),
        ("how many uploads under 500kb last week", "size_mb", "<", 500 / 1024),
        ("how many purchases were at the $490 price point last month?", "amount", "=", 490),
        ("revenue from purchases above $1,500 last month", "amount", ">", 1500),
        ("purchases of more than 100 dollars this month", "amount", ">", 100),
    ],
)
def test_a_number_with_a_unit_filters_on_the_property_it_measures(
    engine: Engine, question: str, prop: str, op: str, value: float
) -> None:
    answer = engine.ask(question)
    found = [f for f in answer.meaning.filters if f.prop.name == prop]
    assert len(found) == 1 and found[0].op == op and found[0].value == pytest.approx(value)
    assert not answer.caveats  # every word was used


@pytest.mark.parametrize(
    ("question", "prop", "value"),
    [
        ("purchases not made on Chrome in the past 30 days", "$browser", "Chrome"),
        ("support tickets last month that weren't billing related", "category", "billing"),
        ("signups not from google last month", "$initial_utm_source", "google"),
        (
            "how many signups were there, not counting the ones from twitter, last month",
            "$initial_utm_source",
            "twitter",
        ),
    ],
)
def test_a_negated_value_is_a_not_equal_filter(engine: Engine, question: str, prop: str, value: str) -> None:
    filters = engine.ask(question).meaning.filters
    assert [(f.prop.name, f.op, f.value) for f in filters] == [(prop, "!=", value)]


def test_a_threshold_on_the_counted_event_reads_within_the_range(engine: Engine) -> None:
    answer = engine.ask("How many users filed 2 or more support tickets last month?")
    (condition,) = answer.meaning.conditions
    assert condition.kind == "did" and condition.event.name == "support_ticket_created"
    assert condition.min_count == 2 and condition.in_range
    assert "at least 2 times in the range" in answer.meaning.describe()


def test_at_least_is_a_threshold_not_an_order(engine: Engine) -> None:
    answer = engine.ask("people who uploaded at least 3 files last week")
    assert answer.values["min_count"] == 3 and answer.values.get("order", "desc") == "desc"
    assert "at least 3 times" in answer.meaning.describe()


def test_a_days_active_threshold_makes_an_active_user_count_a_stickiness_question(engine: Engine) -> None:
    answer = engine.ask("how many users were active 5+ days last week?")
    assert answer.intent == "stickiness" and not answer.caveats


def test_people_described_by_an_event_are_counted_or_select_who_is_read(engine: Engine) -> None:
    counted = engine.ask("paying customers by country for september - top 3?").meaning
    assert counted.primary.event.name == "purchase" and counted.primary.math == "dau" and not counted.conditions
    selected = engine.ask("DAU of paying customers last week").meaning
    assert [(c.kind, c.event.name) for c in selected.conditions] == [("did", "purchase")]


def test_the_anchor_of_a_first_days_window_is_who_is_read_not_what_is_compared(engine: Engine) -> None:
    answer = engine.ask(
        "September signups: purchase rate for people who shared a file within 7 days of signing up vs people who didn't"
    )
    assert answer.slots["cohort_event"].name == "file_shared" and answer.slots["metric_event"].name == "purchase"
    (within,) = answer.meaning.conditions
    assert within.kind == "within" and within.anchor.name == "signed_up" and within.days == 7
    assert not answer.caveats


def test_the_other_side_of_a_behavioural_split_is_not_a_condition(engine: Engine) -> None:
    answer = engine.ask("purchase rate of people who share a file vs those who don't share, last month")
    assert answer.slots["cohort_event"].name == "file_shared"
    assert not [c for c in answer.meaning.conditions if c.kind == "did_not"]


def test_a_condition_that_contradicts_the_counted_event_is_flagged(engine: Engine) -> None:
    answer = engine.ask("how many people uploaded a file but never uploaded again")
    assert any(w.code == "assumption" and "nobody" in w.message for w in answer.caveats)


def test_quiet_the_longest_ranks_by_silence_over_all_time_for_a_named_population(engine: Engine) -> None:
    answer = engine.ask("which paying customers have gone quiet the longest? top 3")
    assert answer.slots["rank"] == "silence" and answer.slots["limit"] == 3
    assert answer.slots["time_range"].spec == {"all": True}
    plain = engine.ask("who is at risk of churning?")
    assert plain.slots["rank"] == "activity" and plain.slots["time_range"].days == pytest.approx(60)


def test_a_part_of_the_question_the_template_cannot_apply_is_reported(engine: Engine) -> None:
    """The renderer notes which parts of the meaning a template read: one it never read is said, not dropped."""
    answer = engine.ask("DAU/MAU for chrome vs safari last month")
    assert answer.template == "engagement_dau_mau"
    assert any("cannot apply the split by segment" in w.message for w in answer.caveats)
    split = engine.ask("DAU chrome vs safari last week")
    assert "GROUP BY period, breakdown" in split.hogql and not split.caveats


@pytest.mark.parametrize(
    ("question", "in_range"),
    [
        ("how many people started a checkout in october but have never bought anything", False),
        ("ppl who looked at /pricing in the last 30 days but have never started a checkout - how many?", False),
        ("how many users filed a ticket this month without viewing /docs", True),
    ],
)
def test_never_is_at_any_time_and_without_is_within_the_range(engine: Engine, question: str, in_range: bool) -> None:
    answer = engine.ask(question)
    (condition,) = [c for c in answer.meaning.conditions if c.kind == "did_not"]
    assert condition.in_range is in_range
    assert answer.meaning.primary.math == "dau"  # people, counted once each


@pytest.mark.parametrize(
    ("question", "bucket"),
    [
        ("trend of signups over the last 45 days", "toStartOfDay"),  # daily up to 62 days (templates/README.md)
        ("trend of signups over the last 62 days", "toStartOfDay"),
        ("trend of signups over the last 90 days", "toStartOfWeek"),
    ],
)
def test_chart_interval_follows_the_documented_ranges(engine: Engine, question: str, bucket: str) -> None:
    """One place chooses a range's interval (``timerange.default_interval``); the rendered query uses it."""
    answer = engine.ask(question)
    assert answer.slots["interval"] == bucket.removeprefix("toStartOf").lower()
    assert f"{bucket}(timestamp" in answer.hogql


@pytest.mark.parametrize("question", ["which browser has the most errors", "which browser has the worst error count"])
def test_a_counted_thing_the_project_does_not_track_is_asked_about_not_read_as_every_event(
    engine: Engine, question: str
) -> None:
    """A breakdown counts every event when none is named: "the most errors" in a project without errors was every
    event by browser, silently."""
    asked = engine.ask(question)
    assert asked.clarification is not None and "no event called" in asked.clarification.text()
    assert engine.ask("which browser has the most events").clarification is None


@pytest.mark.parametrize(
    "question",
    [
        "list the users who cancelled their subscription in october",
        "which users subscribed in october and cancelled?",
    ],
)
def test_a_period_after_one_of_two_actions_of_the_same_people_stays_the_range(engine: Engine, question: str) -> None:
    """The object of the action ("cancelled their subscription in October") or a second action joined by "and"
    is no second thing measured of people named by the first: the period is the question's range, no condition
    moves it to all time."""
    asked = engine.ask(question)
    assert asked.slots["time_range"].label.startswith("October")
    assert not [c for c in asked.slots.get("conditions", ()) if c.window is not None]
