"""Shared fixtures of the rendering tests: one Renderer (shared, as the engine shares it) and the intent specs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from askhog.render import Renderer
from render_cases import TAXONOMY, load_intents


@pytest.fixture(scope="session")
def renderer() -> Renderer:
    return Renderer(TAXONOMY)


@pytest.fixture(scope="session")
def intents() -> dict:
    return load_intents()
