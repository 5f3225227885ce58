"""When askhog asks instead of answering: the decision, written down once.

askhog answers only what it can state exactly: the unit, the event, the filters and the range, in words. It asks
one short question instead, with concrete options from the project's own taxonomy where there are any, when one
of the reasons below holds; a question that is merely broad gets the family's default, stated in the answer
(never asked). Each reason is one check of one stage (recognition for ``two_families``, the slot filler for the
rest), and every clarification carries its reason, so an eval or a chat app can tell why it was asked.
The table is the README's "When askhog asks" (a test keeps the two the same).
"""

from __future__ import annotations

from typing import Literal

AskReason = Literal[
    "two_families",
    "missing",
    "no_role",
    "vague",
    "referent",
    "unknown_event",
    "unknown_property",
    "unknown_value",
    "unknown_modifier",
    "unknown_measure",
    "no_property",
    "session_property",
    "ambiguous",
    "unreadable_time",
    "unreadable_filter",
    "out_of_range",
    "rephrase",
]

ASK_REASONS: dict[AskReason, str] = {
    "two_families": "the two best readings are within the margin, or the best is below the threshold: which analysis?",
    "missing": "a slot the family cannot answer without (a funnel's last step, a retention's return) is not named",
    "no_role": "the family needs an event playing a role (signup, activation, revenue) that no event of the project plays",
    "vague": 'the question names no subject or metric at all ("give me some stats")',
    "referent": 'it points at something without naming it ("the campaign", "the new feature")',
    "unknown_event": "it names an event or action the project does not track (the closest real ones are offered)",
    "unknown_property": 'it groups by a property the project does not have ("by sales rep")',
    "unknown_value": "it filters on a value no property of the project holds",
    "unknown_modifier": 'it narrows an event by something the project does not record ("clicked the upgrade banner")',
    "unknown_measure": 'it asks for a score or rate the project does not measure ("CSAT scores")',
    "no_property": 'it sums or averages a property the measured event does not carry ("revenue from uploads")',
    "session_property": "it splits events by a property of sessions, which splits only sessions",
    "ambiguous": 'a period reads two ways ("November" asked in November, "Q4")',
    "unreadable_time": 'a period that cannot be used: in the future, or not a real date ("Feb 30")',
    "unreadable_filter": 'a filter being written cannot be read ("amount > abc", "plan ~ pro")',
    "out_of_range": 'a number is outside what the slot can take ("top 0", "retention for 9999 weeks")',
    "rephrase": "a reply in a conversation could not be read as an answer to the question asked",
}
"""Each reason and the rule, in words: the README's table."""
