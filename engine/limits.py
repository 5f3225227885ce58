"""The one check every piece of user text passes before askhog reads it.

``Engine.ask``, a ``Conversation``'s replies and follow-ups, and slot values given as text all call
``checked_text``, so there is exactly one length limit and one message for it. The limit is what
keeps reading time bounded: the rules' regexes and the time grammar are run on at most this many
characters, whatever the input.
"""

from __future__ import annotations

from .errors import QuestionError

MAX_QUESTION_CHARS = 1000
"""Longest question or reply askhog reads (after surrounding whitespace is stripped). Longer text is
not a question: it is refused with a ``QuestionError`` rather than spending time on it."""


def checked_text(text: object, what: str = "question") -> str:
    """``text`` stripped, or a ``QuestionError`` when it is not a string, is empty, or is too long.

    ``what`` names the text in the message ("question", "reply", "value").
    """
    if not isinstance(text, str):
        raise QuestionError(f"a {what} must be text, not {type(text).__name__}")
    stripped = text.strip()
    if not stripped:
        raise QuestionError(f"the {what} is empty: ask something like 'how many users signed up last week?'")
    if len(stripped) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"the {what} is {len(stripped):,} characters long; askhog reads questions and replies of up to "
            f"{MAX_QUESTION_CHARS:,} characters. Ask one thing at a time."
        )
    return stripped
