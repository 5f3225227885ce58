"""The trained recognizer is cached on disk, keyed by everything that shapes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from askhog import recognize
from askhog.catalog import Catalog
from askhog.engine import Engine
from askhog.recognize import Recognizer

CATALOG = Catalog.load()


def _no_training(*_: object) -> None:
    raise AssertionError("the cached model should have been used")


def test_second_start_reuses_the_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = Recognizer(CATALOG, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("recognizer-*.npz"))) == 1
    monkeypatch.setattr(recognize, "_train", _no_training)
    second = Recognizer(CATALOG, cache_dir=tmp_path)
    for question in ("where do users drop off between signup and purchase?", "delete all users"):
        a, b = first.recognize(question), second.recognize(question)
        assert (a.intent, round(a.confidence, 6)) == (b.intent, round(b.confidence, 6))


def test_changed_hyperparameters_retrain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Recognizer(CATALOG, cache_dir=tmp_path)
    monkeypatch.setattr(recognize, "C", recognize.C * 2)
    Recognizer(CATALOG, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("recognizer-*.npz"))) == 2


def test_refusal_words_do_not_pass_for_project_names(engine: Engine) -> None:
    """'calendar' appears in a refusal example; it is still no event or feature of the demo project."""
    assert "calendar" in engine.recognizer._word_set  # the classifier has seen it, in a refusal
    assert "calendar" not in engine.recognizer.vocabulary()
    answer = engine.ask("how many people use the calendar feature?")
    assert answer.clarification is not None
    assert "calendar" in answer.clarification.questions[0].prompt
