"""The chat operations behind ``askhog mcp``, without the protocol: conversations kept in a bounded LRU with an
idle expiry, clarifications and replies, describing the data, and errors with a person's message."""

from __future__ import annotations

import pytest
from askhog.chat import ChatTools, _cell
from askhog.conversations import ConversationStore
from askhog.engine import Engine
from askhog.errors import AskhogError, QuestionError


class Ticks:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_store_keeps_the_most_recently_used_and_forgets_idle_ones(engine: Engine) -> None:
    ticks = Ticks()
    store = ConversationStore(engine, capacity=2, idle_seconds=60, clock=ticks)
    a, conv_a = store.open()
    b, _ = store.open()
    assert a != b and len(store) == 2
    ticks.now += 10
    assert store.get(a) is conv_a  # a is now the most recently used
    c, _ = store.open("chat-42")  # over capacity: b, the least recently used, goes
    assert c == "chat-42" and len(store) == 2
    with pytest.raises(QuestionError, match="no conversation"):
        store.get(b)
    assert store.open(a)[1] is conv_a  # an id the store holds is the same conversation
    ticks.now += 61
    assert len(store) == 0
    with pytest.raises(QuestionError, match="forgotten after 1 minutes idle"):
        store.get(a)
    with pytest.raises(QuestionError, match="conversation_id"):
        store.open("not an id!")
    with pytest.raises(ValueError):
        ConversationStore(engine, capacity=0)


def test_clarification_then_reply(engine: Engine) -> None:
    tools = ChatTools(engine)
    asked = tools.ask("show me user engagement")
    assert asked["status"] == "needs_clarification" and asked["intent"] == "engagement"
    (question,) = asked["questions"]
    assert question["slot"] == "metric" and "dau" in question["options"]
    conversation = tools.store.get(asked["conversation_id"])
    answered = conversation.reply("2")  # what tools.reply does before running the query
    assert answered.clarification is None and answered.slots["metric"] == question["options"][1]


def test_refusals_and_errors(engine: Engine) -> None:
    tools = ChatTools(engine)
    refused = tools.ask("delete all users")
    assert refused["status"] == "message" and "read-only" in refused["message"]
    with pytest.raises(QuestionError, match="empty"):
        tools.ask("   ")
    with pytest.raises(QuestionError, match="no conversation"):
        tools.reply("c-unknown", "2")
    with pytest.raises(QuestionError, match="ask a question first"):
        tools.save(tools.store.open()[0], "x")
    with pytest.raises(AskhogError, match="POSTHOG_PERSONAL_API_KEY"):
        tools.save(refused["conversation_id"], "x")


def test_describe_data_names_events_properties_and_examples(engine: Engine) -> None:
    data = ChatTools(engine).describe_data()
    assert "signed_up" in data["events"] and "purchase" in data["events"]
    assert "$browser (String)" in data["properties"]["event"]
    assert set(data["families"]) >= {"count", "trend", "funnel", "retention"} and "out_of_scope" not in data["families"]
    assert all(family["examples"] and family["what"] for family in data["families"].values())


def test_cells_are_json() -> None:
    from datetime import UTC, datetime
    from decimal import Decimal

    row = [datetime(2026, 11, 2, tzinfo=UTC), float("nan"), Decimal("1.5"), ("a", "b"), None, 3, object]
    assert [_cell(v) for v in row][:6] == ["2026-11-02T00:00:00+00:00", None, 1.5, ["a", "b"], None, 3]
