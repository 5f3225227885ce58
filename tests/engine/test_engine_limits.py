"""One length limit for every way text reaches askhog, and no crash on text that only looks like a number."""

from __future__ import annotations

import pytest
from askhog.conversation import Conversation
from askhog.engine import Engine
from askhog.errors import QuestionError
from askhog.limits import MAX_QUESTION_CHARS, checked_text
from askhog.replies import coerce_slot_value, parse_slot_value

TOO_LONG = "how many users signed up " * (MAX_QUESTION_CHARS // 10)


def test_the_limit_is_one_function_with_one_message() -> None:
    assert checked_text("  hi  ") == "hi"
    assert checked_text("x" * MAX_QUESTION_CHARS) == "x" * MAX_QUESTION_CHARS
    for bad, said in (
        (None, "must be text"),
        ("   ", "empty"),
        ("x" * (MAX_QUESTION_CHARS + 1), f"{MAX_QUESTION_CHARS:,}"),
    ):
        with pytest.raises(QuestionError, match=said):
            checked_text(bad)


def test_engine_and_conversation_refuse_the_same_long_text(engine: Engine) -> None:
    with pytest.raises(QuestionError, match="characters long"):
        engine.ask(TOO_LONG)
    with pytest.raises(QuestionError, match="characters long"):
        Conversation(engine).ask(TOO_LONG)
    with pytest.raises(QuestionError, match="characters long"):
        Conversation(engine).ask("1" * 1_000_000)


def test_a_long_reply_to_a_clarification_is_refused_and_the_clarification_stays(engine: Engine) -> None:
    conv = Conversation(engine)
    asked = conv.ask("show me user engagement")
    assert asked.clarification is not None
    with pytest.raises(QuestionError, match="reply is"):
        conv.ask("2" * (MAX_QUESTION_CHARS + 1))
    with pytest.raises(QuestionError, match="reply is"):
        conv.reply("2" * 30_000)
    assert conv.pending and conv.last is asked


def test_digit_runs_up_to_the_limit_do_not_crash(engine: Engine) -> None:
    """Python refuses int() of over 4,300 digits; a reply of digits must be an answer or a question, never that."""
    conv = Conversation(engine)
    conv.ask("show me user engagement")
    answer = conv.ask("9" * MAX_QUESTION_CHARS)
    assert answer is not None
    for text in ("²", "٣", "0", "-1", "1e999"):
        Conversation(engine).ask("show me user engagement")
        Conversation(engine).ask(text)


def test_numbers_in_replies_are_bounded(engine: Engine) -> None:
    spec = engine.catalog["breakdown"].slot("limit")
    assert spec is not None and spec.type == "int"
    context = engine.ask("signups by browser last week")
    assert parse_slot_value(engine, spec, "top 25 please", context) == 25
    assert parse_slot_value(engine, spec, "9" * 400, context) is None  # was int(float('inf')): OverflowError
    with pytest.raises(QuestionError):
        coerce_slot_value(engine, spec, "9" * 400, context)
    with pytest.raises(QuestionError, match="value is"):
        coerce_slot_value(engine, spec, "9" * (MAX_QUESTION_CHARS + 1), context)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"intent": []},
        {"intent": 5},
        {"given": [1]},
        {"now": "today"},
        {"intent": "breakdown", "given": {"limit": float("inf")}},
        {"intent": "breakdown", "given": {"limit": float("nan")}},
        {"intent": "breakdown", "given": {"limit": 10**30}},
    ],
)
def test_arguments_of_the_wrong_kind_are_question_errors(engine: Engine, kwargs: dict) -> None:
    with pytest.raises(QuestionError):
        engine.ask("signups by browser last week", **kwargs)
