"""When askhog asks is one written decision: each clarification names its reason, and the README's table is the
code's table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from askhog.asking import ASK_REASONS
from askhog.engine import Engine

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_table_is_the_decision_in_the_code() -> None:
    section = README.read_text(encoding="utf-8").split("### When askhog asks", 1)[1].split("\n## ", 1)[0]
    rows = dict(re.findall(r"^\| `(\w+)` \| (.+) \|$", section, flags=re.MULTILINE))
    assert rows == ASK_REASONS


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("revenue by sales rep last month", "unknown_property"),
        ("how many users scanned receipts last week", "unknown_event"),
        ("signups by landing page last week", "session_property"),
        ("signups from the campaign last week", "referent"),
        ("how did the campaign do?", "two_families"),
        ("signups in the last 0 weeks by country, top 0", "out_of_range"),
        ("revenue from file uploads last month", "no_property"),
        ("how many purchases where amount > abc", "unreadable_filter"),
    ],
)
def test_a_clarification_says_why_it_asks(engine: Engine, question: str, reason: str) -> None:
    answer = engine.ask(question)
    assert answer.clarification is not None, question
    assert reason in {q.reason for q in answer.clarification.questions}
    assert reason in {q["reason"] for q in answer.to_json()["clarification"]["questions"]}
