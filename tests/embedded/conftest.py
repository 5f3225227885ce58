"""One default-size demo dataset for the whole embedded test session, in a temporary home."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from askhog.demo.generate import DEFAULT_EVENTS, DemoInfo, generate_demo
from askhog.demo.store import Store

# A fixed end keeps the data identical run to run (a Wednesday, at 15:00 UTC).
DEMO_END = datetime(2026, 3, 18, 15, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("askhog-home")


@pytest.fixture(scope="session")
def demo(demo_home: Path) -> DemoInfo:
    return generate_demo(DEFAULT_EVENTS, seed=7, home=demo_home, end=DEMO_END)


@pytest.fixture(scope="session")
def store(demo: DemoInfo) -> Store:
    return Store(demo.home)
