"""Conversations: answering clarifications, follow-ups that reuse the last question, many users at once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from askhog.conversation import Conversation
from askhog.engine import Engine
from askhog.errors import QuestionError
from askhog.types import EventRef, TimeRange


def test_metric_clarification_answered_by_number(engine: Engine) -> None:
    conv = Conversation(engine)
    first = conv.ask("show me user engagement")
    assert first.clarification is not None and first.hogql is None
    options = first.clarification.questions[0].options
    answered = conv.ask(str(options.index("wau") + 1))
    assert answered.clarification is None
    assert answered.slots["metric"] == "wau" and answered.hogql is not None


def test_metric_clarification_answered_by_slot_value(engine: Engine) -> None:
    conv = Conversation(engine)
    conv.ask("show me user engagement")
    answered = conv.reply(slot="metric", value="dau")
    assert answered.slots["metric"] == "dau" and answered.hogql is not None


def test_unknown_event_answered_in_words(engine: Engine) -> None:
    conv = Conversation(engine)
    asked = conv.ask("how many widgets were exported last week")
    assert asked.clarification is not None
    answered = conv.ask("the upload event")
    assert (
        answered.slots["event"] == EventRef("file_uploaded", phrase="upload")
        or answered.slots["event"].name == "file_uploaded"
    )
    assert answered.slots["time_range"].label.startswith("last week")  # the question's range is kept
    assert answered.values["event"] == "file_uploaded"


def test_follow_up_adds_a_breakdown(engine: Engine) -> None:
    conv = Conversation(engine)
    first = conv.ask("how many signups last week")
    follow = conv.ask("and by browser?")
    assert follow.intent == "breakdown"
    assert follow.slots["event"].name == "signed_up"
    assert follow.slots["breakdown"].name == "$browser"
    assert follow.slots["time_range"] == first.slots["time_range"]


def test_follow_up_changes_the_period(engine: Engine) -> None:
    conv = Conversation(engine)
    first = conv.ask("daily purchases for the last 30 days")
    follow = conv.ask("what about last week?")
    assert follow.intent == "trend"
    assert follow.slots["event"].name == "purchase"
    assert follow.slots["time_range"] != first.slots["time_range"]
    assert follow.slots["time_range"].spec == {"previous": "week"}


def test_follow_up_adds_a_filter(engine: Engine) -> None:
    conv = Conversation(engine)
    conv.ask("how many purchases last month")
    follow = conv.ask("only Safari users")
    assert any(f.prop.name == "$browser" and f.value == "Safari" for f in follow.slots["filters"])
    assert follow.slots["event"].name == "purchase"


def test_intent_clarification_affirm_and_deny(engine: Engine) -> None:
    conv = Conversation(engine)
    asked = conv.ask("what share of users purchase after signing up")
    # a close call between families (funnel, time to event): if the engine grows sure of it, pick another
    assert asked.clarification is not None and asked.clarification.kind == "intent", asked.explain()
    top = asked.clarification.questions[0].options[0]
    picked = conv.ask("yes")
    assert picked.intent == top
    conv2 = Conversation(engine)
    conv2.ask("what share of users purchase after signing up")
    denied = conv2.ask("no")
    assert denied.clarification is not None and denied.clarification.kind == "rephrase"


def test_reply_without_pending_clarification_is_an_error(engine: Engine) -> None:
    with pytest.raises(QuestionError, match="no pending clarification"):
        Conversation(engine).reply("yes")


def test_one_engine_many_threads(engine: Engine) -> None:
    questions = [
        "how many signups last week?",
        "signups by country",
        "show me user engagement",
        "where do users drop off between signup and purchase?",
    ] * 25
    expected = {q: engine.ask(q) for q in set(questions)}

    def ask(q: str):
        return q, Conversation(engine).ask(q)

    with ThreadPoolExecutor(max_workers=8) as pool:
        for q, answer in pool.map(ask, questions):
            assert answer.intent == expected[q].intent
            assert answer.hogql == expected[q].hogql
            assert answer.values == expected[q].values


def test_picking_a_time_reading_keeps_that_reading(engine: Engine) -> None:
    conv = Conversation(engine)
    asked = conv.ask("how many signups in Q4")
    options = asked.clarification.questions[0].options
    picked = conv.ask(str(next(i for i, o in enumerate(options, 1) if "2025" in o)))
    assert picked.slots["time_range"].start.year == 2025 and picked.slots["time_range"].spec == {
        "quarter": 4,
        "year": 2025,
    }


def test_a_refusal_is_not_followed_up(engine: Engine) -> None:
    conv = Conversation(engine)
    conv.ask("what's the weather?")
    answer = conv.ask("last week's signups by browser")
    assert answer.intent == "breakdown" and answer.hogql is not None


def test_a_new_analysis_is_not_a_follow_up(engine: Engine) -> None:
    conv = Conversation(engine)
    conv.ask("how many signups last week")
    assert conv.ask("for pro users, what is the retention?").intent == "retention"


def test_only_replaces_a_filter_on_the_same_property(engine: Engine) -> None:
    conv = Conversation(engine)
    conv.ask("how many signups last week")
    conv.ask("only safari users")
    filters = conv.ask("only chrome users").slots["filters"]
    assert [(f.prop.name, f.value) for f in filters] == [("$browser", "Chrome")]


def test_words_after_an_ordinal_are_an_answer_not_a_pick(engine: Engine) -> None:
    conv = Conversation(engine)
    conv.ask("how many widgets were exported")
    assert conv.ask("the first purchase").slots["event"].name == "purchase"


def test_slot_values_in_code_are_checked(engine: Engine) -> None:
    conv = Conversation(engine)
    conv.ask("show me user engagement")
    for bad in (42, "zzzz"):
        with pytest.raises(QuestionError, match="metric"):
            conv.reply(slot="metric", value=bad)
    with pytest.raises(QuestionError, match="no slot"):
        conv.reply(slot="nope", value=1)
    conv2 = Conversation(engine)
    conv2.ask("why did conversion drop?")  # the diagnose workflow asks for the steps
    answered = conv2.reply(slot="steps", value=["checkout_started", "purchase"])
    assert [e.name for e in answered.slots["steps"]] == ["checkout_started", "purchase"]
    assert answered.clarification is None and answered.workflow == "diagnose"
    assert engine.ask("how many signups", given={"event": "purchase"}).slots["event"].name == "purchase"


def test_a_naive_moment_from_the_caller_is_read_as_utc(engine: Engine, now: datetime) -> None:
    """``ask(now=...)`` and a ``given`` range are the public doors: naive moments there mean UTC."""
    aware = engine.ask("how many signups last week", now=now)
    naive = engine.ask("how many signups last week", now=now.replace(tzinfo=None))
    assert naive.values == aware.values and naive.now == now
    week = TimeRange(datetime(2026, 11, 2, tzinfo=UTC), datetime(2026, 11, 9, tzinfo=UTC), "first week")
    naive_week = TimeRange(week.start.replace(tzinfo=None), week.end.replace(tzinfo=None), "first week")
    given = engine.ask("how many signups", given={"time_range": naive_week}, now=now)
    assert given.slots["time_range"] == week
    assert (given.values["date_from"], given.values["date_to"]) == ("2026-11-02 00:00:00", "2026-11-09 00:00:00")


def test_typed_errors_for_misuse(engine: Engine) -> None:
    with pytest.raises(QuestionError, match="unknown intent"):
        engine.ask("anything", intent="bogus")
    with pytest.raises(QuestionError, match="datetime"):
        engine.ask("how many signups", now="2026-01-01")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("question", "prompt", "reply", "prop", "value"),
    [
        (
            "how much money did the campaign bring in?",
            "Which campaign",
            "spring_promo",
            "$initial_utm_campaign",
            "spring_promo",
        ),
        ("how's the new feature doing?", "Which feature", "2", "feature_name", "comments"),
    ],
)
def test_an_unnamed_referent_is_asked_about_and_the_answer_filters(
    engine: Engine, question: str, prompt: str, reply: str, prop: str, value: str
) -> None:
    conv = Conversation(engine)
    first = conv.ask(question)
    assert first.hogql is None and first.clarification is not None
    asked = first.clarification.questions[0]
    assert asked.slot == "filters" and prompt in asked.prompt
    assert f"{prop} = {value}" in asked.options
    answered = conv.ask(reply)
    assert answered.clarification is None and answered.hogql is not None
    assert [(f.prop.name, f.value) for f in answered.slots["filters"]] == [(prop, value)]
    assert value in answered.values.values()


def _asks_for_filters(answer: object) -> bool:
    clarification = answer.clarification
    return clarification is not None and any(q.slot == "filters" for q in clarification.questions)


def test_a_named_or_filtered_referent_is_not_asked_about(engine: Engine) -> None:
    assert _asks_for_filters(engine.ask("revenue for the campaign"))
    assert not _asks_for_filters(engine.ask("revenue for the campaign where utm campaign is launch"))
    assert not _asks_for_filters(engine.ask("what do users do after clicking the promo banner?"))
    assert not _asks_for_filters(engine.ask("revenue by campaign"))


def test_context_words_ask_alone_and_follow_up_in_a_conversation(engine: Engine) -> None:
    alone = engine.ask("same but by country")
    assert alone.hogql is None and alone.clarification is not None
    conv = Conversation(engine)
    conv.ask("daily signups last 30 days")
    followed = conv.ask("same but by country")
    assert followed.hogql is not None and followed.slots["event"].name == "signed_up"
    assert followed.slots["breakdown"].name == "$geoip_country_code"
