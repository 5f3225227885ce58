"""Normalization: what every stage reads, so chat shorthand means the same as the words it stands for."""

from __future__ import annotations

import pytest
from askhog.engine import Engine
from askhog.text import normalize, stem, tokenize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Sess/User last wk", "sessions/user last week"),
        ("d7 ret for new signups", "d7 retention for new signups"),
        ("# of purchases, pls", "number of purchases, please"),
        ("signups w/o an invite", "signups without an invite"),
        ("rev by plan this yr", "revenue by plan this year"),
        ("visits to /pricing", "visits to /pricing"),  # paths are not shorthand
        ("an a/b test", "an a/b test"),
        ("preview the revision", "preview the revision"),  # only whole words are expanded
    ],
)
def test_shorthand_is_spelled_out(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("question", "family"),
    [
        ("# of purchases last 7 days?", "count"),
        ("rev per channel this qtr", "revenue"),
        ("avg sess length last wk", "sessions"),
    ],
)
def test_shorthand_questions_reach_their_family(engine: Engine, question: str, family: str) -> None:
    assert engine.ask(question).intent == family


def test_refusal_cue_denied_by_the_asker_is_ignored(engine: Engine) -> None:
    answer = engine.ask("no forecast needed, just how many users signed up last week?")
    assert answer.intent == "count" and answer.hogql is not None


def test_inflections_of_known_words_are_not_respelled(engine: Engine) -> None:
    assert "channels" in engine.recognizer.correct("top channels by signups")
    assert "retention" in engine.recognizer.correct("retnetion by week")


def test_one_ask_normalizes_the_question_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The recognizer's checks, its classifier and the reader share one normalized ``Question`` (issue 15: the
    question used to be normalized five times on its way through one ``ask()``)."""
    from datetime import UTC, datetime

    from askhog import text
    from askhog.engine import Engine

    engine = Engine()
    engine.ask("warm up", now=datetime(2026, 11, 26, 12, tzinfo=UTC))  # training and caches normalize their own texts
    calls: list[str] = []
    real = text.normalize
    monkeypatch.setattr(text, "normalize", lambda s: calls.append(s) or real(s))
    answer = engine.ask("How many users signed up last week?", now=datetime(2026, 11, 26, 12, tzinfo=UTC))
    assert answer.intent == "count" and calls == ["How many users signed up last week?"]


def test_a_verb_in_scribe_and_its_noun_in_scription_share_a_stem() -> None:
    """ "haven't subscribed" meets ``subscription_started``; other nouns in -ption keep theirs ("adoption")."""
    assert stem("subscribed") == stem("subscriptions") == stem("subscribe") == "subscrib"
    assert stem("described") == stem("description")
    assert stem("adoption") != stem("adobe")


def test_a_phrasal_verb_has_the_stem_of_the_verb_it_means() -> None:
    """ "Invoices went out", "got an invoice out": sent (they were read as drafted invoices); "went to" is not."""
    assert [t.stem for t in tokenize("invoices went out")] == ["invoic", "send", "out"]
    assert tokenize("got an invoice out")[0].stem == "send"
    assert tokenize("went to the pricing page")[0].stem == "went"
    assert tokenize("got a reply then logged out two days later")[0].stem == "got"
