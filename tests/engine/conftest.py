from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from askhog.engine import Engine

NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def engine(model_home: Path) -> Engine:
    """One engine for the whole session (it is shared across threads in production too)."""
    return Engine(clock=lambda: NOW, cache_dir=str(model_home))


@pytest.fixture(scope="session")
def now() -> datetime:
    return NOW
