"""Fixtures every test folder may use."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def model_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An askhog home for the session's engines (``Engine(cache_dir=...)``): the first one trains the recognizer
    and caches it under ``models/``; every later one, in any folder or subprocess, starts warm from it."""
    return tmp_path_factory.mktemp("askhog-cache")
