"""Fixtures every test folder may use."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run: a test that passes once passes in CI (no flaky seeds);
# widening what they explore is done by raising max_examples, not by chance.
settings.register_profile("askhog", derandomize=True, deadline=None)
settings.load_profile("askhog")


@pytest.fixture(scope="session")
def model_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An askhog home for the session's engines (``Engine(cache_dir=...)``): the first one trains the recognizer
    and caches it under ``models/``; every later one, in any folder or subprocess, starts warm from it."""
    return tmp_path_factory.mktemp("askhog-cache")
