"""Fixtures every test folder may use."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run: a test that passes once passes in CI (no flaky seeds);
# widening what they explore is done by raising max_examples, not by chance.
settings.register_profile("askhog", derandomize=True, deadline=None)
settings.load_profile("askhog")


def _home_of_this_worker() -> None:
    """Under pytest-xdist (``-n 2`` in pyproject's addopts), each worker process gets an askhog home of its own,
    a folder of the one it was given (``$ASKHOG_HOME``, else the default): chDB opens one data path per process
    and a second process cannot open the same one, and what tests build in the default home (a scratch
    database, the execution demo) must not race. Set here, before any test module imports askhog; askhog reads
    the variable at each use, never at import."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        from askhog.paths import cache_home

        os.environ["ASKHOG_HOME"] = str(cache_home() / f"pytest-{worker}")


_home_of_this_worker()


@pytest.fixture(scope="session")
def model_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An askhog home for the session's engines (``Engine(cache_dir=...)``): the first one trains the recognizer
    and caches it under ``models/``; every later one, in any folder or subprocess, starts warm from it."""
    return tmp_path_factory.mktemp("askhog-cache")


@pytest.fixture(scope="session")
def trained_models(model_home: Path) -> Path:
    """``model_home``'s ``models/`` with the shipped catalog's recognizer in it (trained once a session)."""
    from askhog.catalog import Catalog
    from askhog.recognize import Recognizer

    Recognizer(Catalog.load(), cache_dir=model_home / "models")
    return model_home / "models"


@pytest.fixture(scope="session")
def warm_home(trained_models: Path) -> Callable[[Path], Path]:
    """Seeds an askhog home with the session's trained recognizer, so that an engine started there (the CLI's,
    a demo's) starts warm instead of training again; the cold start has its own tests (test_engine_model_cache)."""

    def seed(home: Path) -> Path:
        shutil.copytree(trained_models, Path(home) / "models", dirs_exist_ok=True)
        return Path(home)

    return seed
