"""The shortcuts that keep reading linear change no answer: a skipped search could not have matched, and
a narrowed typo look-up finds what the full one finds."""

from __future__ import annotations

import os
import random
import re
from pathlib import Path

import pytest
from askhog.engine import Engine
from askhog.evaluate import load_cases
from askhog.nearest import Budget, Nearest
from askhog.prefilter import gated, needed
from askhog.reading import NUMBER_CUES
from askhog.text import normalize
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

DATA = Path(__file__).resolve().parents[1] / "data"
FULL_SWEEP = os.environ.get("ASKHOG_FULL_SWEEP") == "1"
"""Set by bench/bench_sweeps.py: the searches below then read every labelled question, not a fixed sample."""
SAMPLED_TEXTS = 1100
"""Of the 4,300 labelled questions and catalog examples."""


@pytest.mark.parametrize(
    "pattern, words",
    [
        (r"\bhow many\b", {"how many"}),
        (r"\b(top|bottom) \d+", {"top", "bottom"}),
        (r"\bwould\b(?! you)|^what if\b", {"would", "what if"}),
        (r"x?y*", None),
        (r"(?i:abc)d", {"d"}),
        (r"(?:users?|people)\s+who\b", {"user", "people"}),
    ],
)
def test_needed_words(pattern: str, words: set[str] | None) -> None:
    found = needed(re.compile(pattern))
    assert (set(found) if found is not None else None) == words


def test_a_pattern_that_ignores_case_is_always_searched() -> None:
    assert needed(re.compile("How many", re.IGNORECASE)) is None


@pytest.fixture(scope="module")
def texts(engine: Engine) -> list[str]:
    """A fixed sample of the labelled questions and catalog examples (every one in the full sweep)."""
    questions = [c.question for c in load_cases(sorted(DATA.glob("questions*.yaml")))]
    examples = [e for i in engine.catalog.intents.values() for e in i.examples]
    texts = questions + examples
    return [normalize(t) for t in (texts if FULL_SWEEP else random.Random(15).sample(texts, SAMPLED_TEXTS))]


def test_every_rule_finds_what_its_full_search_finds(engine: Engine, texts: list[str]) -> None:
    patterns = [rule.pattern for intent in engine.catalog.intents.values() for rule in intent.rules]
    patterns += [p.regex for _, p in NUMBER_CUES]
    reader = engine.filler.reader
    patterns += [p.regex for _, _, ps in reader._details for p in ps] + [p.regex for p, _ in reader._within]
    prefiltered = sum(needed(p) is not None for p in patterns)
    assert prefiltered >= 0.9 * len(patterns)
    for pattern in patterns:
        gate = gated(pattern)
        for text in texts:
            full = pattern.search(text)
            fast = gate.search(text)
            assert (fast.span() if fast else None) == (full.span() if full else None), (pattern.pattern, text)


def test_rule_hits_are_the_same_with_and_without_the_prefilter(engine: Engine, texts: list[str]) -> None:
    recognizer = engine.recognizer
    for text in texts:
        every = [
            (i, r.pattern.pattern)
            for i, r, _ in recognizer._rules
            if r.pattern.search(text) and not (i == "out_of_scope" and _denied(text, r.pattern))
        ]
        assert [(h.intent, h.pattern) for h in recognizer.rule_hits(text)] == every, text


def _denied(text: str, pattern: re.Pattern[str]) -> bool:
    from askhog.recognize import _negated

    m = pattern.search(text)
    return m is not None and _negated(text, m.start())


def test_the_nearest_word_among_lengths_that_can_reach_the_cutoff_is_the_nearest_of_all(engine: Engine) -> None:
    words = sorted(t for t in engine.recognizer.vocabulary() if len(t) >= 5)
    nearest = Nearest(words, 0.8)
    for typo in (
        "retnetion",
        "sigups",
        "purchses",
        "converison",
        "funnell",
        "activaton",
        "weekyl",
        "dashbord",
        "xxxxxxxxxxxxx",
        "abcde",
        "reten",
        "subscriptions",
    ):
        full = process.extractOne(typo, words, scorer=DamerauLevenshtein.normalized_similarity, score_cutoff=0.8)
        assert nearest.closest(typo) == ((full[0], float(full[1])) if full else None), typo


def test_a_question_respells_a_bounded_number_of_distinct_words() -> None:
    budget = Budget(2)
    assert budget.allows("aaaaa") and budget.allows("bbbbb")
    assert budget.allows("aaaaa")  # asked before: free
    assert not budget.allows("ccccc")
