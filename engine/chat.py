"""What a chat app can do with askhog, as four small operations returning plain JSON.

The MCP server (``askhog.mcp_server``) exposes exactly these as its tools; they live here, apart from the
protocol, so that they are tested without it and another transport could reuse them. Each returns a compact dict
an assistant can read in a few hundred tokens: a clarification with its options, or what was computed with the
result rows, the interpretation and the HogQL. Errors are ``AskhogError`` with a message for a person.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .answer import Answer
from .backends.base import Table
from .conversations import ConversationStore
from .engine import Engine
from .errors import QuestionError

MAX_ROWS = 50
"""Rows of a result sent back to the chat; the rest are counted, not sent (the assistant's context is small)."""
MAX_NAMES = 200
EXAMPLES_PER_FAMILY = 2

Json = dict[str, Any]


class ChatTools:
    """ask, reply, describe_data and save over one shared ``Engine`` and a store of conversations."""

    def __init__(self, engine: Engine, store: ConversationStore | None = None, *, max_rows: int = MAX_ROWS):
        self.engine = engine
        self.store = store or ConversationStore(engine)
        self.max_rows = max_rows

    def ask(self, question: str, conversation_id: str | None = None) -> Json:
        """A question, in a new conversation or in the given one (where it may also be a follow-up)."""
        conversation_id, conversation = self.store.open(conversation_id)
        return self._present(conversation_id, conversation.ask(question))

    def reply(self, conversation_id: str, answer: str) -> Json:
        """The user's reply: an option of the pending clarification, or a follow-up to the last answer."""
        conversation = self.store.get(conversation_id)
        if conversation.pending:
            return self._present(conversation_id, conversation.reply(answer))
        if conversation.last is None:
            raise QuestionError("nothing to reply to in this conversation: ask a question first")
        return self._present(conversation_id, conversation.ask(answer))

    def describe_data(self) -> Json:
        """The project's events and properties, and questions askhog answers, to phrase questions with."""
        taxonomy = self.engine.taxonomy
        properties = {
            scope: sorted(f"{p.name} ({p.type})" for p in taxonomy.properties(scope).values())[:MAX_NAMES]
            for scope in ("event", "person", "session")
        }
        own = {e.family: e.question for e in self.engine.examples()}  # made from this project's events
        families = {
            intent.id: {
                "what": intent.description,
                "examples": [own[intent.id]] if intent.id in own else list(intent.examples[:EXAMPLES_PER_FAMILY]),
            }
            for intent in self.engine.catalog
            if intent.id != "out_of_scope"
        }
        return {"events": sorted(taxonomy.events)[:MAX_NAMES], "properties": properties, "families": families}

    def save(self, conversation_id: str, name: str, dashboard: int | None = None) -> Json:
        """Save the conversation's last answer to PostHog as an insight (native where its family maps)."""
        from .insight import save_answer

        last = self.store.get(conversation_id).last
        if last is None:
            raise QuestionError("there is no answer to save in this conversation: ask a question first")
        saved = save_answer(self.engine.backend, last, name, dashboard)
        return {
            "conversation_id": conversation_id,
            "url": saved.url,
            "kind": saved.insight.kind,
            "native": saved.insight.native,
            "why_sql": saved.insight.reason,
        }

    # -- presenting an answer --------------------------------------------------------------------

    def _present(self, conversation_id: str, answer: Answer) -> Json:
        out: Json = {"conversation_id": conversation_id, "intent": answer.intent}
        if answer.clarification is not None:
            out["status"] = "needs_clarification"
            out["questions"] = [q.to_json() for q in answer.clarification.questions]
            out["next"] = "call reply with this conversation_id and the user's choice (an option or its number)"
            return out
        if answer.hogql is None and answer.workflow is None:
            out.update(status="message", message=answer.message or "askhog has no query for this question")
            if answer.examples:
                out["examples"] = [e.question for e in answer.examples]
            if answer.pasted is not None:
                out["pasted"] = answer.pasted.to_json()
                if answer.pasted.runnable:
                    out["next"] = "to run it as checked, call reply with this conversation_id and 'run it'"
            return out
        out["status"] = "answered"
        if answer.wants_query and answer.hogql is not None:  # the question asked for the query: it comes first
            out["wants_query"] = True
            out["hogql"] = answer.inline or answer.hogql
        if answer.meaning is not None:
            out["computes"] = answer.meaning.describe()
        result = answer.run()
        if isinstance(result, Table):
            out.update(self._table(result))
            out["interpretation"] = answer.interpret(result).text()
            out["hogql"] = answer.inline or answer.hogql
        else:  # a workflow's report of several queries
            out["finding"] = result.finding
            out["evidence"] = [step.title for step in result.evidence]
        notes = [*answer.notes, *(str(w) for w in answer.caveats)]
        if notes:
            out["notes"] = notes
        if answer.follow_ups:
            out["follow_ups"] = list(answer.follow_ups[:4])
        return out

    def _table(self, table: Table) -> Json:
        rows = [[_cell(v) for v in row] for row in table.rows[: self.max_rows]]
        shown: Json = {"columns": list(table.columns), "rows": rows, "row_count": len(table.rows)}
        if len(table.rows) > self.max_rows or table.has_more:
            shown["truncated"] = True
        return shown


def _cell(value: Any) -> Any:
    """A result cell as JSON: dates as ISO text, NaN as null, arrays as lists."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [_cell(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
