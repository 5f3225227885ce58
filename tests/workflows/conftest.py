"""One default-size demo dataset for the workflow tests, pinned to a fixed end so every run sees the same rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from askhog.backends.embedded import EmbeddedBackend
from askhog.demo.generate import DEFAULT_EVENTS, generate_demo
from askhog.demo.store import Store
from askhog.render import Renderer

# A Wednesday afternoon, as in tests/embedded: the data ends here and "now" is here.
DEMO_END = datetime(2026, 3, 18, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def demo_backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedBackend]:
    home = tmp_path_factory.mktemp("askhog-workflows-home")
    generate_demo(DEFAULT_EVENTS, seed=7, home=home, end=DEMO_END, progress=None)
    # generate=False: the backend uses this exact (old) demo as it is instead of regenerating a stale one.
    backend = EmbeddedBackend(home, generate=False, progress=None)
    backend.taxonomy()
    yield backend


@pytest.fixture(scope="module", autouse=True)
def release_chdb() -> Iterator[None]:
    """chDB opens one data path per process: hand it back after each module so other suites can open theirs."""
    yield
    Store.release()


@pytest.fixture(scope="session")
def demo_renderer(demo_backend: EmbeddedBackend) -> Renderer:
    return Renderer(demo_backend.taxonomy())
