from __future__ import annotations

import logging
import socket

import pytest
from askhog.backends.posthog import (
    ConfigError,
    PostHogBackend,
    PostHogConfig,
    backend_from_settings,
    doctor,
)
from askhog.errors import AskhogError
from fake_posthog import API_KEY, Reply, hogql_response

QUERY = "/api/projects/1/query/"


# -- configuration ---------------------------------------------------------------------------


def test_from_env_reads_the_three_variables_and_flags_win():
    env = {"POSTHOG_PERSONAL_API_KEY": "phx_a", "POSTHOG_PROJECT_ID": "12", "POSTHOG_HOST": "https://eu.posthog.com/"}
    config = PostHogConfig.from_env(env)
    assert (config.host, config.project_id, config.api_key) == ("https://eu.posthog.com", "12", "phx_a")
    flagged = PostHogConfig.from_env(env, host="http://localhost:8010", project_id=7)
    assert (flagged.host, flagged.project_id) == ("http://localhost:8010", "7")
    assert (
        PostHogConfig.from_env({"POSTHOG_PERSONAL_API_KEY": "k", "POSTHOG_PROJECT_ID": "1"}).host
        == "https://us.posthog.com"
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"POSTHOG_PROJECT_ID": "1"}, "POSTHOG_PERSONAL_API_KEY is not set"),
        ({"POSTHOG_PERSONAL_API_KEY": "k"}, "POSTHOG_PROJECT_ID is not set"),
        ({"POSTHOG_PERSONAL_API_KEY": "k", "POSTHOG_PROJECT_ID": "my-project"}, "numeric project id"),
        ({"POSTHOG_PERSONAL_API_KEY": "k", "POSTHOG_PROJECT_ID": "1", "POSTHOG_HOST": "us.posthog.com"}, "http"),
    ],
)
def test_bad_settings_are_named(env, message):
    with pytest.raises(ConfigError, match=message):
        PostHogConfig.from_env(env)


def test_the_cli_gets_posthog_with_a_key_and_the_demo_without():
    assert backend_from_settings(environ={}) is None
    backend = backend_from_settings("http://127.0.0.1:9", 5, environ={"POSTHOG_PERSONAL_API_KEY": "phx_k"})
    assert isinstance(backend, PostHogBackend) and backend.client.config.project_id == "5"
    backend.close()
    with pytest.raises(ConfigError, match="POSTHOG_PROJECT_ID"):
        backend_from_settings(environ={"POSTHOG_PERSONAL_API_KEY": "phx_k"})


# -- doctor ----------------------------------------------------------------------------------


def _config(fake) -> PostHogConfig:
    return PostHogConfig(api_key=API_KEY, project_id="1", host=fake.url)


def test_doctor_passes_a_healthy_setup(fake, clock):
    fake.default("POST", QUERY, Reply(200, hogql_response(["1"], ["UInt8"], [[1]])))
    report = doctor(_config(fake), clock=clock, sleep=clock.sleep)
    assert report.ok and [c.name for c in report.checks] == ["host", "key", "project", "query"]
    assert "ana@example.com" in report.format() and "Paperplane" in report.format()


def test_doctor_blames_the_key_and_skips_what_depends_on_it(fake, clock):
    fake.default("GET", "/api/users/@me/", Reply(401, {"type": "authentication_error", "detail": "Invalid token."}))
    report = doctor(_config(fake), clock=clock, sleep=clock.sleep)
    assert [(c.name, c.ok) for c in report.checks] == [
        ("host", True),
        ("key", False),
        ("project", None),
        ("query", None),
    ]
    assert "POSTHOG_PERSONAL_API_KEY" in report.checks[1].message and not report.ok


def test_doctor_accepts_a_key_that_cannot_read_the_user_but_names_a_wrong_project(fake, clock):
    fake.default("GET", "/api/users/@me/", Reply(403, {"detail": "missing scope user:read"}))
    fake.default("GET", "/api/projects/1/", Reply(404, {"detail": "Not found."}))
    report = doctor(_config(fake), clock=clock, sleep=clock.sleep)
    key, project = report.checks[1], report.checks[2]
    assert key.ok and not project.ok and "POSTHOG_PROJECT_ID" in project.message


def test_doctor_names_a_missing_query_scope(fake, clock):
    fake.default("POST", QUERY, Reply(403, {"detail": "API key missing required scope 'query:read'"}))
    report = doctor(_config(fake), clock=clock, sleep=clock.sleep)
    assert report.checks[3].ok is False and "query:read" in report.checks[3].message


def test_doctor_reports_an_unreachable_host(clock):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    report = doctor(
        PostHogConfig(api_key=API_KEY, project_id="1", host=f"http://127.0.0.1:{port}"), clock=clock, sleep=clock.sleep
    )
    assert [c.ok for c in report.checks] == [False, None, None, None]
    assert "POSTHOG_HOST" in report.checks[0].message


# -- the key never leaks ---------------------------------------------------------------------


def test_the_key_never_appears_in_reprs_messages_or_logs(fake, make_client, caplog):
    echo = f"Invalid header: Authorization: Bearer {API_KEY}"
    fake.script(
        "POST",
        QUERY,
        Reply(401, {"type": "authentication_error", "detail": echo}),
        Reply(403, {"detail": echo}),
        Reply(400, {"type": "validation_error", "code": "hogql_syntax_error", "detail": echo}),
        Reply(500, f"<html>{echo}</html>"),
        Reply(429, {"detail": echo}, {"Retry-After": "9999"}),
    )
    client = make_client(max_retries=0)
    backend = PostHogBackend(client)
    raised: list[BaseException] = []
    with caplog.at_level(logging.DEBUG):
        for _ in range(5):
            with pytest.raises(AskhogError) as info:
                client.query("SELECT 1", use_cache=False)
            raised.append(info.value)
        with pytest.raises(ConfigError) as info:
            PostHogConfig(api_key=API_KEY, project_id="x")
        raised.append(info.value)
        report = doctor(_config(fake))
    texts = [repr(client.config), repr(client), repr(backend), report.format(), caplog.text, client.metrics.format()]
    for exc in raised:
        texts += [str(exc), repr(exc), *map(str, exc.args), str(getattr(exc, "detail", ""))]
    assert len(raised) == 6 and all(API_KEY not in t for t in texts)
    assert any("[redacted]" in str(e) for e in raised)
    for request in fake.requests:  # the key travels in the Authorization header and nowhere else
        assert request.headers["authorization"] == f"Bearer {API_KEY}"
        assert API_KEY not in request.path + str(request.query) + str(request.body)
