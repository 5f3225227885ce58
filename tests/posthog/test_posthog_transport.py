"""The retry transport alone, and the client over an ``httpx.MockTransport``: no server, no wall clock.

``RetryTransport`` is driven through ``handle_request`` with a scripted ``MockTransport`` under it and the
conftest's fake clock as both its ``Budget``'s clock and its sleep, so every wait is an exact number and
"the deadline" is a point on that clock. The client tests check what the one configured ``httpx.Client``
sends and what its errors carry; the loopback server (``fake_posthog.py``) keeps the end-to-end and CLI
tests.
"""

from __future__ import annotations

import gc
import logging
import weakref
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from askhog.backends.posthog.cache import query_hash
from askhog.backends.posthog.client import PostHogClient
from askhog.backends.posthog.config import ConfigError, PostHogConfig
from askhog.backends.posthog.transport import IDEMPOTENT, Budget, DeadlinePassed, RetryTransport
from askhog.errors import (
    AuthenticationError,
    BackendError,
    ConnectError,
    MalformedResponse,
    PostHogAPIError,
    PostHogError,
    ProjectNotFound,
    QueryError,
    QueryTimeout,
    RateLimited,
    ServerError,
    TransportError,
)
from fake_posthog import API_KEY, client_on_clock, hogql_response, metadata_response, query_status

HOST = "https://posthog.example"
QUERY = "/api/projects/1/query/"
TIMEOUTS = {"connect": 5.0, "read": 60.0, "write": 60.0, "pool": 60.0}

Reply = httpx.Response | Exception


class Script:
    """A ``MockTransport`` handler answering with ``replies`` in order (an exception is raised, as a dropped
    connection would be), then with ``then``; it records each request and the timeouts it was sent with."""

    def __init__(self, *replies: Reply, then: Reply | None = None):
        self.replies = list(replies)
        self.then = then
        self.requests: list[httpx.Request] = []
        self.timeouts: list[dict[str, float]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.timeouts.append(dict(request.extensions.get("timeout", {})))
        reply = self.replies.pop(0) if self.replies else self.then
        assert reply is not None, f"unscripted {request.method} {request.url}"
        if isinstance(reply, Exception):
            raise reply
        return reply


def status(code: int, body: Any = None, **headers: str) -> httpx.Response:
    return httpx.Response(code, json=body if body is not None else {"detail": f"status {code}"}, headers=headers)


def dropped() -> httpx.RemoteProtocolError:
    return httpx.RemoteProtocolError("Server disconnected without sending a response.")


# -- the retry transport alone -----------------------------------------------------------------


@pytest.fixture
def retrying(clock) -> Callable[..., tuple[RetryTransport, Budget, list[int | None]]]:
    """A ``RetryTransport`` over ``script`` with PostHogConfig's backoff (0.5 s doubling, jitter fixed at the
    middle: waits 0.375, 0.75, 1.5 …), and the statuses it reported retrying."""

    def build(script: Script, retries: int = 4) -> tuple[RetryTransport, Budget, list[int | None]]:
        budget = Budget(clock)
        reported: list[int | None] = []
        transport = RetryTransport(
            httpx.MockTransport(script),
            budget=budget,
            retries=retries,
            backoff_base=0.5,
            backoff_cap=30.0,
            sleep=clock.sleep,
            jitter=lambda: 0.5,
            on_retry=lambda request, code: reported.append(code),
        )
        return transport, budget, reported

    return build


def send(
    transport: RetryTransport, budget: Budget | None = None, deadline: float | None = None, **request: Any
) -> httpx.Response:
    """One request through ``transport``, within ``deadline`` on ``budget``'s clock when given."""
    method = request.pop("method", "GET")
    built = httpx.Request(method, HOST + "/api/x/", extensions={"timeout": TIMEOUTS, **request})
    if budget is None or deadline is None:
        return transport.handle_request(built)
    with budget.until(deadline):
        return transport.handle_request(built)


@pytest.mark.parametrize(
    ("reply", "wait"),
    [
        (status(429, **{"Retry-After": "7"}), 7.0),
        (status(429, {"detail": "Request was throttled. Expected available in 12 seconds."}), 12.0),
        (status(429), 0.375),  # no hint: backoff
    ],
    ids=["Retry-After", "throttle message", "no hint"],
)
def test_a_429_waits_as_long_as_posthog_asked(retrying, clock, reply: httpx.Response, wait: float) -> None:
    script = Script(reply, status(200))
    transport, budget, reported = retrying(script)
    assert send(transport, budget, clock.now + 60).status_code == 200
    assert clock.sleeps == [wait] and reported == [429] and len(script.requests) == 2


def test_gateway_and_server_unavailable_are_retried_with_growing_backoff(retrying, clock) -> None:
    script = Script(status(502), status(503), status(504), status(200))
    transport, budget, reported = retrying(script)
    assert send(transport, budget, clock.now + 60).status_code == 200
    assert clock.sleeps == [0.375, 0.75, 1.5] and reported == [502, 503, 504]


@pytest.mark.parametrize("code", [400, 401, 403, 404, 500])
def test_an_answer_a_retry_cannot_change_is_returned_at_once(retrying, clock, code: int) -> None:
    script = Script(then=status(code))
    transport, budget, reported = retrying(script)
    assert send(transport, budget, clock.now + 60).status_code == code
    assert len(script.requests) == 1 and clock.sleeps == [] and reported == []


def test_retries_stop_after_the_configured_number(retrying, clock) -> None:
    script = Script(then=status(503))
    transport, budget, _ = retrying(script, retries=2)
    assert send(transport, budget, clock.now + 60).status_code == 503
    assert len(script.requests) == 3 and clock.sleeps == [0.375, 0.75]


def test_a_wait_past_the_deadline_is_not_taken(retrying, clock) -> None:
    script = Script(then=status(429, **{"Retry-After": "500"}))
    transport, budget, _ = retrying(script)
    assert send(transport, budget, clock.now + 60).status_code == 429
    assert len(script.requests) == 1 and clock.sleeps == []


def test_backoff_gives_up_when_the_next_wait_would_pass_the_deadline(retrying, clock) -> None:
    script = Script(then=status(503))
    transport, budget, _ = retrying(script)
    assert send(transport, budget, clock.now + 1.0).status_code == 503
    assert clock.sleeps == [0.375] and len(script.requests) == 2  # 0.75 more would end past the deadline


def test_no_attempt_starts_once_the_deadline_has_passed(retrying, clock) -> None:
    script = Script(then=status(429, **{"Retry-After": "5"}))
    transport, budget, _ = retrying(script)
    with pytest.raises(DeadlinePassed):
        send(transport, budget, clock.now + 5)  # the wait fits exactly, and leaves no time to send
    assert clock.sleeps == [5.0] and len(script.requests) == 1


def test_each_attempt_gets_the_timeouts_cut_to_the_time_left(retrying, clock) -> None:
    script = Script(status(429, **{"Retry-After": "7"}), status(200))
    transport, budget, _ = retrying(script)
    send(transport, budget, clock.now + 10)
    assert script.timeouts == [
        {"connect": 5.0, "read": 10.0, "write": 10.0, "pool": 10.0},
        {"connect": 3.0, "read": 3.0, "write": 3.0, "pool": 3.0},
    ]


def test_outside_a_deadline_only_the_retry_count_limits_and_timeouts_stay(retrying, clock) -> None:
    script = Script(then=status(429, **{"Retry-After": "500"}))
    transport, _, _ = retrying(script, retries=2)
    assert send(transport).status_code == 429
    assert clock.sleeps == [500.0, 500.0] and script.timeouts == [TIMEOUTS] * 3


def test_a_dropped_connection_is_retried_for_a_get(retrying, clock) -> None:
    script = Script(dropped(), status(200))
    transport, budget, reported = retrying(script)
    assert send(transport, budget, clock.now + 60).status_code == 200
    assert reported == [None] and clock.sleeps == [0.375]


def test_a_failed_connect_is_not_retried(retrying, clock) -> None:
    script = Script(then=httpx.ConnectError("Connection refused"))
    transport, budget, _ = retrying(script)
    with pytest.raises(httpx.ConnectError):
        send(transport, budget, clock.now + 60)
    assert len(script.requests) == 1


@pytest.mark.parametrize("failure", [status(502), status(503), dropped()], ids=["502", "503", "dropped"])
def test_a_post_that_may_have_happened_is_not_sent_again(retrying, clock, failure: Reply) -> None:
    script = Script(failure, status(200))
    transport, budget, _ = retrying(script)
    if isinstance(failure, Exception):
        with pytest.raises(httpx.RemoteProtocolError):
            send(transport, budget, clock.now + 60, method="POST")
    else:
        assert send(transport, budget, clock.now + 60, method="POST").status_code == failure.status_code
    assert len(script.requests) == 1 and clock.sleeps == []


@pytest.mark.parametrize("failure", [status(502), dropped()], ids=["502", "dropped"])
def test_a_post_marked_idempotent_is_sent_again(retrying, clock, failure: Reply) -> None:
    script = Script(failure, status(200))
    transport, budget, _ = retrying(script)
    assert send(transport, budget, clock.now + 60, method="POST", **{IDEMPOTENT: True}).status_code == 200
    assert len(script.requests) == 2


def test_a_post_refused_with_429_is_sent_again(retrying, clock) -> None:
    script = Script(status(429, **{"Retry-After": "1"}), status(200))
    transport, budget, _ = retrying(script)
    assert send(transport, budget, clock.now + 60, method="POST", **{IDEMPOTENT: False}).status_code == 200
    assert clock.sleeps == [1.0]


def test_a_delete_marked_not_idempotent_is_not_sent_again(retrying, clock) -> None:
    script = Script(status(503), status(200))
    transport, budget, _ = retrying(script)
    assert send(transport, budget, clock.now + 60, method="DELETE", **{IDEMPOTENT: False}).status_code == 503


# -- the client over a MockTransport ------------------------------------------------------------


@pytest.fixture
def mock_client(clock) -> Iterator[Callable[..., PostHogClient]]:
    made: list[PostHogClient] = []

    def build(script: Script, host: str = HOST, **settings: Any) -> PostHogClient:
        config = PostHogConfig(api_key=API_KEY, project_id="1", host=host, **settings)
        client = client_on_clock(config, clock, transport=httpx.MockTransport(script))
        made.append(client)
        return client

    yield build
    for client in made:
        client.close()


def test_every_request_carries_the_host_key_and_headers(mock_client) -> None:
    script = Script(then=status(200, hogql_response(["n"], ["UInt8"], [[1]])))
    client = mock_client(script, host="https://eu.example.com/posthog")  # a host under a path keeps its path
    client.get("/api/projects/1/", {"limit": 5})
    client.query("SELECT 1", {"x": 1})
    get, post = script.requests
    assert str(get.url) == "https://eu.example.com/posthog/api/projects/1/?limit=5"
    assert str(post.url) == "https://eu.example.com/posthog" + QUERY
    for request in (get, post):
        assert request.headers["authorization"] == f"Bearer {API_KEY}"
        assert (request.headers["accept"], request.headers["user-agent"]) == ("application/json", "askhog")
    assert post.extensions[IDEMPOTENT] is True  # a read query may be sent again


def test_a_next_link_to_another_host_is_followed_on_the_configured_host(mock_client) -> None:
    path = "/api/projects/1/cohorts/"
    script = Script(
        status(200, {"results": [{"id": 1}], "next": f"https://elsewhere.example{path}?offset=1"}),
        status(200, {"results": [{"id": 2}], "next": None}),
    )
    assert [item["id"] for item in mock_client(script).paginate(path)] == [1, 2]
    assert str(script.requests[1].url) == f"{HOST}{path}?offset=1"


def test_a_post_is_not_sent_again_after_a_dropped_connection_unless_idempotent(mock_client) -> None:
    script = Script(dropped(), dropped(), status(200, {"short_id": "a"}))
    client = mock_client(script)
    with pytest.raises(ConnectError, match="dropped during POST /api/projects/1/insights/"):
        client.post("/api/projects/1/insights/", {"name": "x"})
    assert client.post("/api/projects/1/insights/", {"name": "x"}, idempotent=True) == {"short_id": "a"}
    assert len(script.requests) == 3


def test_retries_and_429s_reach_the_metrics(mock_client, clock) -> None:
    throttled = status(429, **{"Retry-After": "1"})
    script = Script(throttled, status(503), throttled, then=status(200, hogql_response(["n"], ["UInt8"], [[1]])))
    client = mock_client(script, max_retries=2)
    with pytest.raises(RateLimited):  # two retries, then the third answer ends the call
        client.query("SELECT 1")
    client.query("SELECT 2")
    snap = client.metrics.snapshot()
    assert (snap["retries"], snap["rate_limited"], snap["errors"]) == (2, 2, {"RateLimited": 1})
    assert clock.sleeps == [1.0, 0.75]


def test_the_deadline_ends_retries_as_a_query_timeout(mock_client, clock) -> None:
    script = Script(then=status(429, **{"Retry-After": "10"}))
    client = mock_client(script, deadline=10)
    with pytest.raises(QueryTimeout, match="GET /api/projects/1/ did not complete within 10s"):
        client.get("/api/projects/1/")
    assert clock.sleeps == [10.0] and len(script.requests) == 1


def test_an_unclosed_client_is_freed_at_once_with_its_log_filter(clock) -> None:
    """Nothing under the client points back at it, so one dropped unclosed is freed (and its key's log
    filter removed) by reference counting, not whenever the cyclic garbage collector runs."""
    httpx_log = logging.getLogger("httpx")
    before = len(httpx_log.filters)
    gc.disable()
    try:
        client = PostHogClient(
            PostHogConfig(api_key=API_KEY, project_id="1", host=HOST), transport=httpx.MockTransport(Script())
        )
        assert len(httpx_log.filters) == before + 1
        freed = weakref.ref(client)
        del client
        assert freed() is None and len(httpx_log.filters) == before
    finally:
        gc.enable()


# -- errors: two branches, and the call they came from --------------------------------------------


def test_the_tree_splits_transport_failures_from_answers() -> None:
    for transport in (ConnectError, QueryTimeout):
        assert issubclass(transport, TransportError) and not issubclass(transport, PostHogAPIError)
    for answer in (AuthenticationError, ProjectNotFound, QueryError, RateLimited, ServerError, MalformedResponse):
        assert issubclass(answer, PostHogAPIError) and not issubclass(answer, TransportError)
    assert issubclass(ConfigError, PostHogError) and not issubclass(ConfigError, (TransportError, PostHogAPIError))
    assert issubclass(PostHogError, BackendError)


def failure(call: Callable[[], Any]) -> PostHogError:
    with pytest.raises(PostHogError) as info:
        call()
    return info.value


def test_an_answer_names_its_call(mock_client) -> None:
    script = Script(status(404))
    error = failure(lambda: mock_client(script).get("/api/projects/1/dashboards/9/?x=1"))
    assert type(error) is PostHogAPIError and error.status == 404
    assert (error.method, error.path, error.query_hash) == ("GET", "/api/projects/1/dashboards/9/", None)


def test_a_rejected_query_names_its_call_and_the_query_hash(mock_client) -> None:
    hogql = "SELECT nope FROM events"
    rejected = status(400, {"type": "validation_error", "code": "hogql_query_error", "detail": "Unable to resolve"})
    script = Script(rejected, status(200, metadata_response()))
    error = failure(lambda: mock_client(script).query(hogql))
    assert isinstance(error, QueryError) and error.code == "hogql_query_error"
    assert (error.method, error.path, error.query_hash) == ("POST", QUERY, query_hash(hogql))


def test_a_failed_poll_names_the_poll_and_the_query(mock_client) -> None:
    running = status(202, query_status("q1", complete=False))
    script = Script(running, status(500, query_status("q1", complete=True, error_message=None)))
    error = failure(lambda: mock_client(script, refresh="async").query("SELECT 1"))
    assert isinstance(error, ServerError) and "q1" in str(error)
    assert (error.method, error.path, error.query_hash) == ("GET", QUERY + "q1/", query_hash("SELECT 1"))


def test_a_transport_failure_names_its_call(mock_client) -> None:
    script = Script(then=httpx.ConnectError("Connection refused"))
    error = failure(lambda: mock_client(script).metadata("SELECT 1"))
    assert isinstance(error, ConnectError) and isinstance(error, TransportError)
    assert (error.method, error.path, error.query_hash) == ("POST", QUERY, query_hash("SELECT 1"))
    assert "POSTHOG_HOST" in str(error)


def test_the_key_is_in_no_message_and_no_attribute(mock_client) -> None:
    """A server echoing the key in its error fields, and in a ``next`` link's path, finds it redacted."""
    echo = f"Bearer {API_KEY}"
    script = Script(
        status(401, {"detail": echo, "attr": API_KEY, "code": API_KEY}),
        status(200, {"results": [], "next": f"{HOST}/api/{API_KEY}/"}),
        status(500, f"<html>{echo}</html>"),
        httpx.ConnectError(f"refused {echo}"),
    )
    client = mock_client(script, max_retries=0)
    errors = [
        failure(lambda: client.get("/api/users/@me/")),
        failure(lambda: list(client.paginate("/api/projects/1/cohorts/"))),
        failure(lambda: client.get("/api/projects/1/")),
    ]
    assert [type(e) for e in errors] == [AuthenticationError, ServerError, ConnectError]
    assert errors[1].path == "/api/[redacted]/"
    for error in errors:
        texts = [str(error), repr(error), *map(str, error.args), repr(vars(error))]
        assert all(API_KEY not in text for text in texts) and "[redacted]" in " ".join(texts)
