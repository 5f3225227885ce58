from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from askhog.backends.posthog.client import PostHogClient
from askhog.backends.posthog.config import PostHogConfig, QueryLimits
from fake_posthog import API_KEY, FakePostHog, Reply, client_on_clock, hogql_response


class FakeClock:
    """Monotonic time that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake() -> Iterator[FakePostHog]:
    server = FakePostHog().start()
    server.default("GET", "/api/users/@me/", Reply(200, {"email": "ana@example.com", "uuid": "u1"}))
    server.default("GET", "/api/projects/1/", Reply(200, {"id": 1, "name": "Paperplane"}))
    yield server
    server.stop()
    assert server.invalid_requests == [], "the client sent requests PostHog's schema rejects"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_client(fake: FakePostHog, clock: FakeClock) -> Iterator[Callable[..., PostHogClient]]:
    made: list[PostHogClient] = []

    def build(limits: QueryLimits | None = None, **settings: Any) -> PostHogClient:
        config = PostHogConfig(api_key=API_KEY, project_id="1", host=fake.url, **settings)
        client = client_on_clock(config, clock, limits)
        made.append(client)
        return client

    yield build
    for c in made:
        c.close()


@pytest.fixture
def answer_count() -> dict[str, Any]:
    """A HogQLQueryResponse with one row, for tests that only need some answer."""
    return hogql_response(["count()"], ["UInt64"], [[42]])
