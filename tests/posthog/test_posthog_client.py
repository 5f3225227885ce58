from __future__ import annotations

import socket
import time

import pytest
from askhog.backends.posthog.client import PostHogClient
from askhog.backends.posthog.config import PostHogConfig
from askhog.errors import (
    AuthenticationError,
    ConnectError,
    PostHogAPIError,
    ProjectNotFound,
    QueryError,
    QuerySyntaxError,
    QueryTimeout,
    RateLimited,
    ServerError,
)
from fake_posthog import Reply, hogql_response, metadata_response, page, query_status

QUERY = "/api/projects/1/query/"


def throttled(detail: str = "Request was throttled.", **headers: str) -> Reply:
    return Reply(429, {"type": "throttled_error", "code": "throttled", "detail": detail, "attr": None}, headers)


def test_query_sends_posthogs_request_shape_and_returns_a_table(fake, make_client, answer_count):
    fake.script("POST", QUERY, Reply(200, answer_count))
    table = make_client().query("SELECT count() FROM events WHERE event = {ev}", {"ev": "signed_up"}, name="signups")
    assert table.columns == ("count()",) and table.types == ("UInt64",) and table.rows == ((42,),)
    (call,) = fake.calls("POST", QUERY)
    assert call.headers["authorization"] == "Bearer phx_secret_KEY_0123456789abcdef"
    assert call.body["query"] == {
        "kind": "HogQLQuery",
        "query": "SELECT count() FROM events WHERE event = {ev}",
        "values": {"ev": "signed_up"},
    }
    assert call.body["name"] == "signups" and call.body["refresh"] == "blocking"
    assert call.body["client_query_id"]


@pytest.mark.parametrize("status", [401, 403])
def test_auth_errors_carry_the_reason_and_are_not_retried(fake, make_client, status):
    detail = "Invalid personal API key." if status == 401 else "API key missing required scope 'query:read'"
    fake.script("POST", QUERY, Reply(status, {"type": "authentication_error", "code": "x", "detail": detail}))
    with pytest.raises(AuthenticationError) as info:
        make_client().query("SELECT 1")
    assert detail in str(info.value) and info.value.status == status
    assert len(fake.calls("POST", QUERY)) == 1


def test_a_missing_project_is_named(fake, make_client):
    with pytest.raises(ProjectNotFound, match="no project 1"):
        make_client().query("SELECT 1")


def test_syntax_error_points_at_the_offending_text_and_is_not_retried(fake, make_client):
    hogql = "SELECT count()\nFROM events\nWHER event = 'x'"
    start = hogql.index("WHER")
    body = {
        "type": "validation_error",
        "code": "hogql_syntax_error",
        "detail": "mismatched input 'WHER'",
        "attr": None,
        "start": start,
        "end": start + 4,
    }
    fake.script("POST", QUERY, Reply(400, body))
    with pytest.raises(QuerySyntaxError) as info:
        make_client().query(hogql)
    err = info.value
    assert (err.code, err.start, err.end) == ("hogql_syntax_error", start, start + 4)
    assert "line 3, column 1" in str(err) and "WHER event = 'x'\n  ^^^^" in str(err)
    assert len(fake.calls("POST", QUERY)) == 1


def test_a_valid_query_rejected_by_posthog_is_a_query_error_with_code_and_detail(fake, make_client):
    body = {"type": "validation_error", "code": "hogql_query_error", "detail": "Unable to resolve field: nope"}
    fake.script("POST", QUERY, Reply(400, body))
    with pytest.raises(QueryError) as info:
        make_client().query("SELECT nope FROM events")
    assert not isinstance(info.value, QuerySyntaxError)
    assert info.value.code == "hogql_query_error" and "Unable to resolve field: nope" in str(info.value)


@pytest.mark.parametrize(
    ("reply", "expected_wait"),
    [
        (throttled(**{"Retry-After": "7"}), 7.0),
        (throttled("Request was throttled. Expected available in 12 seconds."), 12.0),
        (throttled(), 0.375),  # no hint: backoff 0.5s * (0.5 + jitter/2) with jitter 0.5
    ],
)
def test_429_waits_as_long_as_posthog_says_then_succeeds(fake, make_client, clock, answer_count, reply, expected_wait):
    fake.script("POST", QUERY, reply, Reply(200, answer_count))
    client = make_client()
    assert client.query("SELECT 1").rows == ((42,),)
    assert clock.sleeps == [expected_wait]
    snap = client.metrics.snapshot()
    assert snap["rate_limited"] == 1 and snap["retries"] == 1 and snap["errors"] == {}


def test_429_asking_for_longer_than_the_deadline_fails_at_once(fake, make_client, clock):
    fake.script("POST", QUERY, throttled(**{"Retry-After": "500"}))
    with pytest.raises(RateLimited) as info:
        make_client(deadline=60).query("SELECT 1")
    assert info.value.retry_after == 500 and clock.sleeps == []


def test_bad_gateway_is_retried_with_growing_backoff(fake, make_client, clock, answer_count):
    gateway = Reply(502, "<html><body><h1>502 Bad Gateway</h1></body></html>")
    fake.script("POST", QUERY, gateway, Reply(503, {"detail": "busy"}), Reply(200, answer_count))
    assert make_client().query("SELECT 1").rows == ((42,),)
    assert clock.sleeps == [0.375, 0.75]


def test_server_errors_give_up_after_max_retries(fake, make_client):
    fake.default("POST", QUERY, Reply(504, {"detail": "Gateway timeout"}))
    with pytest.raises(ServerError, match="504"):
        make_client(max_retries=2).query("SELECT 1")
    assert len(fake.calls("POST", QUERY)) == 3


def test_a_reset_connection_is_retried(fake, make_client, answer_count):
    fake.script("POST", QUERY, Reply(reset=True), Reply(200, answer_count))
    client = make_client()
    assert client.query("SELECT 1").rows == ((42,),)
    assert client.metrics.snapshot()["retries"] == 1


def test_a_non_json_error_body_still_gives_a_clear_message(fake, make_client):
    fake.script("POST", QUERY, Reply(500, "<html><title>Server Error (500)</title></html>"))
    with pytest.raises(ServerError) as info:
        make_client().query("SELECT 1")
    assert "Server Error (500)" in str(info.value) and info.value.code is None
    assert len(fake.calls("POST", QUERY)) == 1


def test_an_async_query_is_polled_until_complete(fake, make_client, clock, answer_count):
    fake.script(
        "POST", QUERY, Reply(202, {"results": [], "query_status": query_status("q1", complete=False)["query_status"]})
    )
    fake.script(
        "GET",
        QUERY + "q1/",
        Reply(202, query_status("q1", complete=False)),
        Reply(200, query_status("q1", complete=True, results=answer_count)),
    )
    table = make_client(refresh="async").query("SELECT 1")
    assert table.rows == ((42,),)
    assert len(fake.calls("GET", QUERY + "q1/")) == 2
    assert clock.sleeps == [0.25, 0.375]  # polling backs off


def test_polling_past_the_deadline_cancels_the_query(fake, make_client, clock):
    fake.script(
        "POST", QUERY, Reply(202, {"results": [], "query_status": query_status("q2", complete=False)["query_status"]})
    )
    fake.default("GET", QUERY + "q2/", Reply(202, query_status("q2", complete=False)))
    fake.default("DELETE", QUERY + "q2/", Reply(200, {"message": "cancelled"}))
    with pytest.raises(QueryTimeout, match="did not finish in time"):
        make_client(deadline=5).query("SELECT 1")
    assert len(fake.calls("DELETE", QUERY + "q2/")) == 1
    assert clock.now - 1000.0 <= 5


def test_a_failed_async_query_reports_posthogs_message(fake, make_client):
    fake.script(
        "POST", QUERY, Reply(202, {"results": [], "query_status": query_status("q3", complete=False)["query_status"]})
    )
    fake.script(
        "GET", QUERY + "q3/", Reply(400, query_status("q3", complete=True, error_message="Memory limit exceeded"))
    )
    with pytest.raises(QueryError, match="Memory limit exceeded"):
        make_client().query("SELECT 1")


def test_ctrl_c_while_polling_cancels_then_reraises(fake, make_client, clock):
    fake.script(
        "POST", QUERY, Reply(202, {"results": [], "query_status": query_status("q4", complete=False)["query_status"]})
    )
    fake.default("DELETE", QUERY + "q4/", Reply(200, {"message": "cancelled"}))
    client = make_client()

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    client._sleep = interrupted
    with pytest.raises(KeyboardInterrupt):
        client.query("SELECT 1")
    assert len(fake.calls("DELETE")) == 1
    assert client.metrics.snapshot()["errors"] == {"KeyboardInterrupt": 1}


def test_a_blocking_query_slower_than_the_read_timeout_is_cancelled_by_its_client_id(fake, make_client):
    def slow(_request):
        time.sleep(0.15)
        return Reply(200, hogql_response(["x"], ["UInt8"], [[1]]))

    fake.script("POST", QUERY, slow)
    with pytest.raises(QueryTimeout):
        make_client(read_timeout=0.05).query("SELECT sleep(1)")
    (post,) = fake.calls("POST", QUERY)
    cancelled = [r.path for r in fake.calls("DELETE")]
    assert cancelled == [f"{QUERY}{post.body['client_query_id']}/"]
    assert len(fake.calls("POST", QUERY)) == 1


def test_an_unreachable_host_fails_fast_with_a_clear_message(clock):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there
    config = PostHogConfig(api_key="phx_x", project_id="1", host=f"http://127.0.0.1:{port}")
    with PostHogClient(config, clock=clock, sleep=clock.sleep) as client, pytest.raises(ConnectError) as info:
        client.query("SELECT 1")
    assert f"127.0.0.1:{port}" in str(info.value) and "POSTHOG_HOST" in str(info.value)
    assert clock.sleeps == []


def test_pagination_follows_next_but_only_on_the_configured_host(fake, make_client):
    path = "/api/projects/1/event_definitions/"
    fake.script(
        "GET",
        path,
        Reply(200, page([{"name": "a"}], "https://elsewhere.example.com" + path + "?offset=1")),
        Reply(200, page([{"name": "b"}])),
    )
    items = list(make_client().paginate(path))
    assert [i["name"] for i in items] == ["a", "b"]
    assert [r.query for r in fake.calls("GET", path)] == [{}, {"offset": ["1"]}]


def test_a_non_json_success_body_is_a_typed_error(fake, make_client):
    fake.script("GET", "/api/projects/1/annotations/", Reply(200, "<html>login</html>"))
    with pytest.raises(PostHogAPIError, match="not JSON"):
        make_client().get("/api/projects/1/annotations/")


def test_a_syntax_error_without_a_position_is_located_through_hogql_metadata(fake, make_client):
    hogql = "SELECT count(\nFROM events"
    fake.script(
        "POST",
        QUERY,
        Reply(400, {"type": "validation_error", "code": "hogql_syntax_error", "detail": "Unexpected FROM"}),
        Reply(200, metadata_response(errors=[{"message": "no viable alternative", "start": 14, "end": 18}])),
    )
    with pytest.raises(QuerySyntaxError) as info:
        make_client().query(hogql, {"x": 1})
    assert (info.value.start, info.value.end, info.value.detail) == (14, 18, "Unexpected FROM")
    assert "line 2, column 1" in str(info.value) and "FROM events\n  ^^^^" in str(info.value)
    metadata_call = fake.calls("POST", QUERY)[1].body["query"]
    assert metadata_call["kind"] == "HogQLMetadata" and metadata_call["globals"] == {"x": 1}


def test_a_query_error_stays_as_it_was_when_metadata_cannot_locate_it(fake, make_client):
    fake.script(
        "POST",
        QUERY,
        Reply(400, {"type": "validation_error", "code": "hogql_query_error", "detail": "Too many rows"}),
        Reply(200, metadata_response()),
    )
    with pytest.raises(QueryError, match="Too many rows") as info:
        make_client().query("SELECT 1")
    assert " at line" not in str(info.value)


def test_a_redirect_is_not_followed_and_names_the_host_to_configure(fake, make_client):
    fake.script(
        "GET",
        "/api/projects/1/cohorts/",
        Reply(301, "", {"Location": "https://eu.posthog.com/api/projects/1/cohorts/"}),
    )
    with pytest.raises(PostHogAPIError, match=r"redirected .* to https://eu\.posthog\.com/.*POSTHOG_HOST"):
        make_client().get("/api/projects/1/cohorts/")
    assert len(fake.requests) == 1
