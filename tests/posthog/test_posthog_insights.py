"""``askhog ask ... --save`` and the chat ``save`` against the test server: PostHog receives a native insight for
every family that maps (the server checks each saved query against PostHog's insight schema) and a SQL insight,
with the reason in its description, for the rest."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from askhog import cli
from askhog.backends.posthog import PostHogBackend, PostHogClient, PostHogConfig
from askhog.chat import ChatTools
from askhog.engine import Engine
from fake_posthog import API_KEY, FakePostHog, Recorded, Reply, hogql_response, page

P = "/api/projects/1/"
NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
SEEN = "2026-11-25T10:00:00Z"
EVENTS = ["signed_up", "purchase", "$pageview", "file_uploaded"]
PROPERTIES = {
    "event": [
        {"name": "$browser", "property_type": "String"},
        {"name": "amount", "property_type": "Numeric"},
        {"name": "$pathname", "property_type": "String"},
    ],
    "person": [
        {"name": "$geoip_country_code", "property_type": "String"},
        {"name": "plan", "property_type": "String"},
        {"name": "$initial_utm_source", "property_type": "String"},
    ],
    "session": [],
}


def project(server: FakePostHog) -> FakePostHog:
    """A small PostHog project that answers every query with one number and saves insights with fresh ids."""
    server.default("GET", "/api/users/@me/", Reply(200, {"email": "ana@example.com", "uuid": "u1"}))
    server.default("GET", P, Reply(200, {"id": 1, "name": "Paperplane"}))
    server.default(
        "GET", P + "event_definitions/", Reply(200, page([{"name": e, "last_seen_at": SEEN} for e in EVENTS]))
    )
    server.default("GET", P + "property_definitions/", lambda r: Reply(200, page(PROPERTIES[r.query["type"][0]])))
    for empty in ("actions/", "feature_flags/", "annotations/"):
        server.default("GET", P + empty, Reply(200, page([])))
    server.default("GET", P + "dashboards/4/", Reply(200, {"id": 4, "name": "Growth"}))

    def query(request: Recorded) -> Reply:
        if request.body.get("name") == "askhog taxonomy sample values":
            return Reply(
                200,
                hogql_response(
                    ["scope", "property", "value", "n"],
                    ["String", "String", "String", "UInt64"],
                    [["event", "$browser", "Safari", 40], ["event", "$browser", "Chrome", 90]],
                ),
            )
        return Reply(200, hogql_response(["value"], ["UInt64"], [[42]]))

    ids = itertools.count(100)

    def insight(request: Recorded) -> Reply:
        n = next(ids)
        return Reply(201, {"id": n, "short_id": f"I{n}", "name": request.body["name"]})

    server.default("POST", P + "query/", query)
    server.default("POST", P + "insights/", insight)
    return server


@pytest.fixture(scope="module")
def server() -> Iterator[FakePostHog]:
    fake = project(FakePostHog().start())
    yield fake
    fake.stop()


@pytest.fixture
def posthog(server: FakePostHog) -> Iterator[FakePostHog]:
    """The module's server, checked after each test: nothing sent that PostHog's schemas reject."""
    sent = len(server.requests)
    yield server
    assert server.invalid_requests == [], "askhog sent what PostHog's schema rejects"
    assert len(server.requests) > sent


@pytest.fixture(scope="module")
def engine(server: FakePostHog, model_home: Path) -> Iterator[Engine]:
    client = PostHogClient(PostHogConfig(api_key=API_KEY, project_id="1", host=server.url))
    backend = PostHogBackend(client, now=lambda: NOW.replace(tzinfo=UTC))
    yield Engine(backend, clock=lambda: NOW, cache_dir=str(model_home))
    backend.close()


def saved(server: FakePostHog) -> dict[str, Any]:
    return server.calls("POST", P + "insights/")[-1].body


NATIVE = {
    "conversion from signup to purchase last 30 days": "FunnelsQuery",
    "how many Safari users purchased last week?": "TrendsQuery",
    "daily pageviews last 2 weeks by browser": "TrendsQuery",
    "top 5 countries by purchases": "TrendsQuery",
    "DAU for the last 30 days": "TrendsQuery",
    "weekly retention of signups": "RetentionQuery",
    "how sticky is file upload": "StickinessQuery",
    "lifecycle of users last 8 weeks": "LifecycleQuery",
    "what do users do after signing up": "PathsQuery",
}


@pytest.mark.parametrize("question", list(NATIVE))
def test_every_native_family_is_saved_as_its_kind(
    question: str,
    engine: Engine,
    posthog: FakePostHog,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(cli, "_engine", lambda args: engine)
    code = cli.main(["ask", question, "--no-run", "--json", "--save", "From askhog", "--dashboard", "4"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["insight_kind"] == NATIVE[question] and out["insight_reason"] is None
    body = saved(posthog)
    assert out["insight_url"] == f"{posthog.url}/project/1/insights/I{len(posthog.calls('POST', P + 'insights/')) + 99}"
    assert body["name"] == "From askhog" and body["dashboards"] == [4] and body["saved"] is True
    assert body["query"]["kind"] == "InsightVizNode" and body["query"]["source"]["kind"] == NATIVE[question]
    assert body["description"].startswith("Saved by askhog: ") and "SQL" not in body["description"]


def test_what_no_native_kind_expresses_is_saved_as_sql_saying_why(
    engine: Engine, posthog: FakePostHog, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(cli, "_engine", lambda args: engine)
    code = cli.main(["ask", "users who signed up but never purchased", "--no-run", "--save", "Never bought"])
    out = capsys.readouterr().out
    assert code == 0 and "  as a SQL insight: " in out
    body = saved(posthog)
    assert body["query"]["kind"] == "DataVisualizationNode" and body["query"]["source"]["kind"] == "HogQLQuery"
    assert body["query"]["source"]["values"] and "Saved as SQL: " in body["description"]


def test_the_chat_save_tool_saves_the_last_answer(engine: Engine, posthog: FakePostHog) -> None:
    tools = ChatTools(engine)
    answered = tools.ask("how many users signed up last week?")
    assert answered["status"] == "answered" and answered["rows"] == [[42]]
    result = tools.save(answered["conversation_id"], "Weekly signups", 4)
    assert result["native"] is True and result["kind"] == "TrendsQuery" and result["why_sql"] is None
    assert result["url"].startswith(f"{posthog.url}/project/1/insights/I")
    assert saved(posthog)["query"]["source"]["series"][0]["math"] == "dau"


def test_the_issues_funnel_command(
    posthog: FakePostHog, monkeypatch: pytest.MonkeyPatch, model_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``askhog ask "conversion from signup to purchase last 30 days" --save "Signup funnel"``, the backend chosen
    from the environment as a user runs it (``--now`` pins the clock)."""
    monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", API_KEY)
    monkeypatch.setenv("POSTHOG_PROJECT_ID", "1")
    monkeypatch.setenv("POSTHOG_HOST", posthog.url)
    monkeypatch.setenv("ASKHOG_HOME", str(model_home))
    code = cli.main(
        [
            "ask",
            "conversion from signup to purchase last 30 days",
            "--no-run",
            "--save",
            "Signup funnel",
            "--now",
            NOW.isoformat(),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "as a FunnelsQuery insight" in out
    body = saved(posthog)
    assert body["name"] == "Signup funnel" and body["query"]["kind"] == "InsightVizNode"
    source = body["query"]["source"]
    assert source["kind"] == "FunnelsQuery"
    assert [step["event"] for step in source["series"]] == ["signed_up", "purchase"]
    assert source["funnelsFilter"]["funnelWindowInterval"] == 14
