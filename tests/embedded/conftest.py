"""One default-size demo dataset for the whole embedded test session, in a temporary home."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from askhog.demo.generate import DEFAULT_EVENTS, DemoInfo, generate_demo
from askhog.demo.store import Store
from askhog.demo.timeline import end_of_data

# Ends now, like a real run, so the backend does not find the demo stale; the truths must hold whatever the day.
DEMO_END = end_of_data()


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("askhog-home")


@pytest.fixture(scope="session")
def demo(demo_home: Path) -> DemoInfo:
    return generate_demo(DEFAULT_EVENTS, seed=7, home=demo_home, end=DEMO_END)


@pytest.fixture(scope="session")
def store(demo: DemoInfo) -> Store:
    return Store(demo.home)


@pytest.fixture(scope="module", autouse=True)
def release_chdb() -> Iterator[None]:
    """chDB opens one data path per process: hand it back so other test modules can open theirs."""
    yield
    Store.release()
