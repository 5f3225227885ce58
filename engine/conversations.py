"""Many users' conversations in one server process: a bounded LRU with an idle expiry.

A chat app talks to one long-running askhog (the MCP server) on behalf of many chats. Each chat's
``Conversation`` (its pending clarification, its last answer for follow-ups and saving) must outlive a tool call
but not the chat: the store keeps at most ``capacity`` of them, drops the least recently used first, and forgets
one left idle for ``idle_seconds``, so memory stays bounded however long the server runs.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from .conversation import Conversation
from .engine import Engine
from .errors import QuestionError

DEFAULT_CAPACITY = 256
DEFAULT_IDLE_SECONDS = 3600.0
_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")


@dataclass
class _Entry:
    conversation: Conversation
    used: float


class ConversationStore:
    """Conversations by id, thread-safe; ``clock`` is monotonic seconds (tests move it by hand)."""

    def __init__(
        self,
        engine: Engine,
        *,
        capacity: int = DEFAULT_CAPACITY,
        idle_seconds: float = DEFAULT_IDLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ):
        if capacity < 1 or idle_seconds <= 0:
            raise ValueError("a conversation store needs room for one conversation and a positive idle expiry")
        self.engine = engine
        self.capacity = capacity
        self.idle_seconds = idle_seconds
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._expire(self._clock())
            return len(self._entries)

    def open(self, conversation_id: str | None = None) -> tuple[str, Conversation]:
        """The conversation with this id, or a new one (under this id, or a fresh one when None)."""
        if conversation_id is not None:
            _check_id(conversation_id)
        with self._lock:
            now = self._clock()
            self._expire(now)
            if conversation_id is not None and conversation_id in self._entries:
                return conversation_id, self._touch(conversation_id, now)
            new_id = conversation_id or self._new_id()
            self._entries[new_id] = _Entry(Conversation(self.engine), now)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
            return new_id, self._entries[new_id].conversation

    def get(self, conversation_id: str) -> Conversation:
        """An existing conversation; a ``QuestionError`` says when it is unknown or was forgotten."""
        _check_id(conversation_id)
        with self._lock:
            now = self._clock()
            self._expire(now)
            if conversation_id not in self._entries:
                minutes = self.idle_seconds / 60
                raise QuestionError(
                    f"no conversation {conversation_id!r}: it was never started, or was forgotten "
                    f"after {minutes:g} minutes idle; ask the question again"
                )
            return self._touch(conversation_id, now)

    def _touch(self, conversation_id: str, now: float) -> Conversation:
        entry = self._entries[conversation_id]
        entry.used = now
        self._entries.move_to_end(conversation_id)
        return entry.conversation

    def _expire(self, now: float) -> None:
        """Drop idle conversations: the least recently used are first, so stop at the first one still fresh."""
        while self._entries:
            oldest = next(iter(self._entries.values()))
            if now - oldest.used < self.idle_seconds:
                break
            self._entries.popitem(last=False)

    def _new_id(self) -> str:
        while True:
            candidate = f"c-{secrets.token_hex(4)}"
            if candidate not in self._entries:
                return candidate


def _check_id(conversation_id: str) -> None:
    if not isinstance(conversation_id, str) or not _ID.match(conversation_id):
        raise QuestionError(
            "a conversation_id is 1 to 64 letters, digits, '-', '_', '.' or ':' (the id an earlier answer returned)"
        )
