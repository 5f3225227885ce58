"""One default-size demo dataset for the whole embedded test session, in a temporary home."""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from askhog.demo.generate import DEFAULT_EVENTS, DemoInfo, generate_demo
from askhog.demo.store import Store

DEMO_END = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)
"""Where the session's demo ends: a fixed moment, so no test depends on the day or the minute it runs."""


def demo_clock() -> datetime:
    """The clock of the backends that may regenerate a stale demo: it reads the demo's own end, so they keep it."""
    return DEMO_END


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("askhog-home")


@pytest.fixture(scope="session")
def demo(demo_home: Path) -> DemoInfo:
    return generate_demo(DEFAULT_EVENTS, seed=7, home=demo_home, clock=demo_clock)  # made at DEMO_END, ending there


@pytest.fixture(scope="session")
def store(demo: DemoInfo) -> Store:
    return Store(demo.home)


@pytest.fixture(scope="module", autouse=True)
def release_chdb() -> Iterator[None]:
    """chDB opens one data path per process: hand it back so other test modules can open theirs."""
    yield
    Store.release()


def rows(store: Store, sql: str) -> list[list[Any]]:
    """The rows of a hand-written truth query."""
    data: list[list[Any]] = store.json(sql)["data"]
    return data


def two_proportion_z(hits_a: int, n_a: int, hits_b: int, n_b: int) -> float:
    """How many standard errors b's rate is above a's (pooled two-proportion z-test)."""
    pooled = (hits_a + hits_b) / (n_a + n_b)
    return (hits_b / n_b - hits_a / n_a) / math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
