"""The fault server: malformed answers, trickled answers, echoed keys and bad keys.

Each fault must end as one clear ``AskhogError`` naming what was wrong, within the call's deadline, with the
key in no message and no log line. These tests use the real clock (a deadline is wall time), with short
deadlines; a server that trickles forever would hang a client without a total deadline, so "it returned at
all" is what they check, and the bound they assert is generous.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from askhog import cli
from askhog.backends.posthog import PostHogBackend
from askhog.backends.posthog.client import PostHogClient
from askhog.backends.posthog.config import ConfigError, PostHogConfig, header_problem
from askhog.backends.posthog.limiter import QueryRateLimiter
from askhog.errors import AskhogError, MalformedResponse, PostHogAPIError, PostHogError, QueryError, QueryTimeout
from fake_posthog import API_KEY, FakePostHog, Reply, page, query_status

QUERY = "/api/projects/1/query/"
DEFINITIONS = "/api/projects/1/event_definitions/"
DEADLINE = 0.3
SLACK = 4.0  # far above the deadline, far below what an unbounded trickle would take


@pytest.fixture
def real_client(fake: FakePostHog) -> Iterator[Callable[..., PostHogClient]]:
    made: list[PostHogClient] = []

    def build(**settings: Any) -> PostHogClient:
        settings = {"deadline": DEADLINE, "max_retries": 0, "cache_ttl": 0.0, **settings}
        config = PostHogConfig(api_key=API_KEY, project_id="1", host=fake.url, **settings)
        client = PostHogClient(config, limiter=QueryRateLimiter(config.limits))
        made.append(client)
        return client

    yield build
    for client in made:
        client.close()


def fails(call: Callable[[], Any], expected: type[AskhogError] = AskhogError) -> AskhogError:
    """The one error ``call`` raises, which must be an ``expected``, must come within the slack and must not
    hold the key anywhere a person or a log could see it."""
    started = time.monotonic()
    with pytest.raises(AskhogError) as info:
        call()
    assert time.monotonic() - started < SLACK
    error = info.value
    assert isinstance(error, expected), f"{type(error).__name__}: {error}"
    assert_no_key(str(error), repr(error), *map(str, error.args), repr(vars(error)))
    return error


def assert_no_key(*texts: str) -> None:
    for text in texts:
        assert API_KEY not in text


# -- malformed shapes ---------------------------------------------------------------------------

GOOD = {"columns": ["n"], "types": [["n", "UInt64"]], "results": [[1]], "hasMore": False}
DEEP = 5_000

MALFORMED: list[tuple[str, Reply, str]] = [
    ("body a list", Reply(200, [GOOD]), "the body is a list, expected an object"),
    ("body a string", Reply(200, '"ok"'), "the body is a string, expected an object"),
    ("no results", Reply(200, {"columns": ["n"]}), "results is null, expected a list"),
    ("results an object", Reply(200, {**GOOD, "results": {"a": 1}}), "results is an object"),
    ("columns a string", Reply(200, {**GOOD, "columns": "n"}), "columns is a string, expected a list"),
    ("types a string", Reply(200, {**GOOD, "types": "UInt64"}), "types is a string, expected a list"),
    ("a column an object", Reply(200, {**GOOD, "columns": [{"n": 1}]}), "columns[0] is an object"),
    ("a type pair of lists", Reply(200, {**GOOD, "types": [[["n"], "UInt64"]]}), "types[0][0] is a list"),
    ("a row a string", Reply(200, {**GOOD, "results": ["1"]}), "results[0] is a string, expected a list"),
    ("a row too short", Reply(200, {**GOOD, "results": [[1], []]}), "results[1] has 0 values for 1 columns"),
    ("hasMore a string", Reply(200, {**GOOD, "hasMore": "no"}), "hasMore is a string, expected a boolean"),
    ("query_status a string", Reply(200, {**GOOD, "query_status": "done"}), "query_status is a string"),
    (
        "query_status.complete a string",
        Reply(202, {"query_status": {"id": "q", "complete": "no"}}),
        "query_status.complete is a string",
    ),
    (
        "a cell nested deep",
        Reply(200, {**GOOD, "results": [[json.loads("[" * 100 + "]" * 100)]]}),
        "results[0] is nested more than 64 levels deep",
    ),
    (
        "a body nested past the stack",
        Reply(200, raw=b'{"results": ' + b"[" * DEEP + b"]" * DEEP + b"}"),
        "nested too deeply",
    ),
    ("not JSON", Reply(200, "<html>sign in</html>"), "not JSON"),
    ("not UTF-8", Reply(200, raw=b'{"results": [["\xff\xfe"]]}'), "not JSON"),
]


@pytest.mark.parametrize(("body", "said"), [(r, s) for _, r, s in MALFORMED], ids=[n for n, _, _ in MALFORMED])
def test_a_malformed_query_answer_is_named(fake, real_client, body: Reply, said: str) -> None:
    fake.script("POST", QUERY, body)
    error = fails(lambda: real_client().query("SELECT 1"), PostHogError)
    assert said in str(error)
    assert isinstance(error, (MalformedResponse, QueryTimeout))  # a 202 polled past the deadline is a timeout


def test_a_malformed_poll_answer_is_named(fake, real_client) -> None:
    fake.script("POST", QUERY, Reply(202, query_status("q1", complete=False)))
    fake.script("GET", QUERY + "q1/", Reply(200, {"query_status": ["complete"]}))
    error = fails(lambda: real_client(deadline=5.0).query("SELECT 1"), MalformedResponse)
    assert "query_status is a list" in str(error)


def test_a_completed_poll_with_malformed_results_is_named(fake, real_client) -> None:
    fake.script("POST", QUERY, Reply(202, query_status("q1", complete=False)))
    fake.script("GET", QUERY + "q1/", Reply(200, query_status("q1", complete=True, results={"results": "x"})))
    error = fails(lambda: real_client(deadline=5.0).query("SELECT 1"), MalformedResponse)
    assert "results is a string" in str(error)


TAXONOMY_FAULTS: list[tuple[str, Any, str]] = [
    ("a page a string", '"page"', "the body is a string, expected an object"),
    ("results a string", {"results": "x", "next": None}, "results is a string"),
    ("an item a string", page(["signed_up"]), "results[0] is a string, expected an object"),  # type: ignore[list-item]
    ("a name a list", page([{"name": ["signed_up"]}]), "results[0].name is a list, expected a string"),
    ("hidden a string", page([{"name": "a", "hidden": "yes"}]), "results[0].hidden is a string"),
    ("next a number", {"results": [], "next": 5}, "next is a number"),
]


@pytest.mark.parametrize(
    ("body", "said"), [(b, s) for _, b, s in TAXONOMY_FAULTS], ids=[n for n, _, _ in TAXONOMY_FAULTS]
)
def test_malformed_taxonomy_items_are_named(fake, real_client, body: Any, said: str) -> None:
    fake.script("GET", DEFINITIONS, Reply(200, body))
    error = fails(lambda: PostHogBackend(real_client()).taxonomy(), MalformedResponse)
    assert said in str(error) and DEFINITIONS in str(error)


def test_malformed_flags_actions_and_experiments_are_named(fake, real_client) -> None:
    for suffix in ("property_definitions/", "actions/"):
        fake.default("GET", f"/api/projects/1/{suffix}", Reply(200, page([])))
    fake.default("GET", DEFINITIONS, Reply(200, page([])))
    fake.script("GET", "/api/projects/1/feature_flags/", Reply(200, page([{"key": "f", "filters": ["x"]}])))
    error = fails(lambda: PostHogBackend(real_client()).taxonomy(), MalformedResponse)
    assert "results[0].filters is a list" in str(error)
    fake.script("GET", "/api/projects/1/experiments/", Reply(200, page([{"id": "7", "name": "x"}])))
    error = fails(lambda: PostHogBackend(real_client()).experiments(), MalformedResponse)
    assert "results[0].id is a string, expected an integer" in str(error)
    fake.script("GET", "/api/projects/1/cohorts/", Reply(200, page([{"name": "no id"}])))
    error = fails(lambda: PostHogBackend(real_client()).cohorts(), MalformedResponse)
    assert "results[0].id is missing" in str(error)


def test_malformed_metadata_notices_are_named(fake, real_client) -> None:
    fake.script("POST", QUERY, Reply(200, {"errors": [{"message": "x", "start": "3"}], "warnings": [], "notices": []}))
    error = fails(lambda: PostHogBackend(real_client()).check("SELECT 1"), MalformedResponse)
    assert "errors[0].start is a string, expected an integer" in str(error)


# -- slow answers -------------------------------------------------------------------------------


@pytest.mark.parametrize("headers_too", [False, True], ids=["body", "status line and headers"])
def test_an_answer_trickled_forever_ends_at_the_deadline(fake, real_client, headers_too: bool) -> None:
    fake.script("POST", QUERY, Reply(200, GOOD, trickle=0.02, trickle_headers=headers_too, endless=True))
    error = fails(lambda: real_client().query("SELECT 1"), QueryTimeout)
    assert "did not finish in time" in str(error) or "within" in str(error)


def test_a_trickle_that_finishes_in_time_is_read(fake, real_client) -> None:
    fake.script("POST", QUERY, Reply(200, GOOD, trickle=0.001))
    table = real_client(deadline=30.0).query("SELECT 1")
    assert table.rows == ((1,),)


def test_a_server_that_never_answers_ends_at_the_deadline(fake, real_client) -> None:
    def stall(_request: Any) -> Reply:
        time.sleep(SLACK)
        return Reply(200, GOOD)

    fake.script("POST", QUERY, stall)
    fails(lambda: real_client(read_timeout=60.0).query("SELECT 1"), QueryTimeout)


# -- echoed keys --------------------------------------------------------------------------------

ECHO = f"Authorization: Bearer {API_KEY}"


def test_an_echoed_key_is_redacted_everywhere(fake, real_client, caplog: pytest.LogCaptureFixture) -> None:
    fake.script("POST", QUERY, Reply(202, query_status("q1", complete=False)))
    fake.script("GET", QUERY + "q1/", Reply(200, query_status("q1", complete=True, error_message=f"bad: {ECHO}")))
    fake.script("GET", "/api/projects/1/cohorts/", Reply(302, "", {"Location": f"https://x.example/?key={API_KEY}"}))
    fake.script("GET", "/api/projects/1/annotations/", Reply(400, {"detail": ECHO, "attr": API_KEY, "code": API_KEY}))
    fake.script("GET", "/api/users/@me/", Reply(200, {"email": "a"}, {"X-Echo": API_KEY}))
    with caplog.at_level(logging.DEBUG):
        client = real_client(deadline=5.0)
        errors = [
            fails(lambda: client.query("SELECT 1"), QueryError),
            fails(lambda: client.get("/api/projects/1/cohorts/"), PostHogAPIError),
            fails(lambda: client.get("/api/projects/1/annotations/"), PostHogAPIError),
        ]
        client.get("/api/users/@me/")  # the echoing header reaches httpcore's DEBUG log only
    assert all("[redacted]" in str(e) for e in errors)
    assert "x.example" in str(errors[1])
    assert errors[2].detail == "Authorization: Bearer [redacted]" and errors[2].attr == "[redacted]"
    assert any("X-Echo" in r.getMessage() for r in caplog.records), "httpcore's DEBUG log was not captured"
    assert_no_key(caplog.text, *(r.getMessage() for r in caplog.records))


def test_the_log_filter_goes_when_the_client_closes(fake, real_client) -> None:
    client = real_client()
    httpcore_log = logging.getLogger("httpcore.http11")
    assert any(type(f).__name__ == "RedactingFilter" for f in httpcore_log.filters)
    client.close()
    assert not any(type(f).__name__ == "RedactingFilter" for f in httpcore_log.filters)


# -- bad keys -----------------------------------------------------------------------------------

BAD_KEYS = [
    ("phx_abc\ndef", "a newline at character 8"),
    ("phx_abc\rdef", "a carriage return at character 8"),
    ("phx_abc\u2028def", "a character outside Latin-1 (U+2028)"),
    ("phx_ab\u00e9c", "a non-ASCII character (U+00E9)"),
    ("phx_abc def", "a space"),
    ("phx_abc\x00def", "a NUL character"),
    ("phx_abc\x7fdef", "a control character (U+007F)"),
]


@pytest.mark.parametrize(("key", "said"), BAD_KEYS)
def test_a_key_that_cannot_be_a_header_is_refused_at_configuration(key: str, said: str) -> None:
    with pytest.raises(ConfigError) as info:
        PostHogConfig(api_key=key, project_id="1")
    assert said in str(info.value) and "cannot be sent in an HTTP header" in str(info.value)
    assert key.strip() not in str(info.value) and "phx_ab" not in str(info.value)


def test_good_keys_pass_the_header_check() -> None:
    assert header_problem(API_KEY) is None and header_problem("phx_" + "A9_-." * 10) is None
    assert PostHogConfig(api_key=f"  {API_KEY}\n", project_id="1").api_key == API_KEY  # pasted with a newline


def test_the_cli_says_one_line_for_a_bad_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", "phx_secret\nvalue")
    monkeypatch.setenv("POSTHOG_PROJECT_ID", "1")
    assert cli.main(["doctor"]) == 1
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and "ConfigError" in err and "a newline" in err and "phx_secret" not in err + out


def test_the_cli_says_one_line_for_a_malformed_answer(
    fake, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Any, warm_home: Any
) -> None:
    monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", API_KEY)
    monkeypatch.setenv("ASKHOG_HOME", str(warm_home(tmp_path)))
    fake.default("GET", DEFINITIONS, Reply(200, page([{"name": {"not": "a name"}}])))
    code = cli.main(["ask", "how many users signed up last week?", "--host", fake.url, "--project", "1"])
    out, err = capsys.readouterr()
    assert code == 1 and err.count("\n") == 1 and "MalformedResponse" in err and "results[0].name" in err
    assert "Traceback" not in err and API_KEY not in out + err


@pytest.mark.parametrize(
    ("hogql", "values", "said"),
    [(None, None, "not NoneType"), (5, None, "not int"), ("  ", None, "empty"), ("SELECT 1", [1], "not list")],
)
def test_a_query_that_is_not_text_is_refused_before_anything_is_sent(fake, real_client, hogql, values, said) -> None:
    error = fails(lambda: real_client().query(hogql, values), QueryError)
    assert said in str(error) and fake.requests == []
