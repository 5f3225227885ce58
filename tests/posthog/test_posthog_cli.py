"""The askhog command against a PostHog project (the local test server): taxonomy, query, doctor."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from askhog import cli
from fake_posthog import API_KEY, Reply, hogql_response, metadata_response, page

P = "/api/projects/1/"
QUERY = P + "query/"
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)
"""The CLI's clock in these tests (its wall clock, pinned by the fixture): the project's events were seen the day before."""
RECENT = (NOW - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def project(fake, monkeypatch: pytest.MonkeyPatch, tmp_path, warm_home):
    """A small PostHog project: two events, a few properties, one flag, and a query endpoint that counts."""
    monkeypatch.setenv("POSTHOG_PERSONAL_API_KEY", API_KEY)
    monkeypatch.setattr(cli, "utc_now", lambda: NOW)
    monkeypatch.delenv("POSTHOG_PROJECT_ID", raising=False)
    monkeypatch.delenv("POSTHOG_HOST", raising=False)
    monkeypatch.setenv("ASKHOG_HOME", str(warm_home(tmp_path)))
    fake.default(
        "GET",
        P + "event_definitions/",
        Reply(
            200,
            page(
                [
                    {"name": "signed_up", "last_seen_at": RECENT},
                    {"name": "purchase", "last_seen_at": RECENT},
                    {"name": "$pageview", "last_seen_at": RECENT},
                ]
            ),
        ),
    )
    properties = {
        "event": [{"name": "$browser", "property_type": "String"}, {"name": "amount", "property_type": "Numeric"}],
        "person": [{"name": "$geoip_country_code", "property_type": "String"}],
        "session": [],
    }
    fake.default("GET", P + "property_definitions/", lambda r: Reply(200, page(properties[r.query["type"][0]])))
    fake.default("GET", P + "actions/", Reply(200, page([])))
    fake.default("GET", P + "feature_flags/", Reply(200, page([])))
    fake.default("GET", P + "annotations/", Reply(200, page([])))

    def query(request):
        if request.body["query"]["kind"] == "HogQLMetadata":
            return Reply(200, metadata_response(warnings=[{"message": "Consider a shorter range", "fix": "7 days"}]))
        if request.body.get("name") == "askhog taxonomy sample values":
            return Reply(
                200,
                hogql_response(
                    ["scope", "property", "value", "n"],
                    ["String", "String", "String", "UInt64"],
                    [["event", "$browser", "Safari", 40]],
                ),
            )
        return Reply(200, hogql_response(["value"], ["UInt64"], [[42]]))

    fake.default("POST", QUERY, query)
    return fake


def test_ask_runs_on_the_project_with_bound_values(project, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["ask", "how many users signed up last week?", "--host", project.url, "--project", "1", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    payload = json.loads(out)
    assert payload["intent"] == "count" and payload["result"]["rows"] == [[42]]
    sent = [c for c in project.calls("POST", QUERY) if c.body.get("name") != "askhog taxonomy sample values"][-1]
    assert sent.body["query"]["kind"] == "HogQLQuery"
    assert sent.body["query"]["values"]["event"] == "signed_up"
    assert "signed_up" not in sent.body["query"]["query"]  # the literal travels in values, not in the text
    assert {k.lower(): v for k, v in sent.headers.items()}["authorization"] == f"Bearer {API_KEY}"
    assert API_KEY not in out + err


def test_unknown_event_of_the_project_is_asked_about(project, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(
        ["ask", "how many files were uploaded last week?", "--host", project.url, "--project", "1", "--json"]
    )
    payload = json.loads(capsys.readouterr().out)
    assert code == 2 and payload["hogql"] is None
    options = payload["clarification"]["questions"][0]["options"]
    assert set(options) <= {"signed_up", "purchase", "$pageview"}  # only the project's real events


def test_doctor_reports_each_check(project, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["doctor", "--host", project.url, "--project", "1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "project" in out.lower() and API_KEY not in out


def test_check_and_save(project, capsys: pytest.CaptureFixture[str]) -> None:
    project.default("GET", P + "dashboards/4/", Reply(200, {"id": 4, "name": "Growth"}))
    project.default("POST", P + "insights/", Reply(201, {"id": 99, "short_id": "AbC123"}))
    code = cli.main(
        [
            "ask",
            "how many users signed up last week?",
            "--host",
            project.url,
            "--project",
            "1",
            "--check",
            "--save",
            "Weekly signups",
            "--dashboard",
            "4",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "PostHog check:" in out and "Consider a shorter range" in out
    assert f"Saved: {project.url}/project/1/insights/AbC123" in out
    (saved,) = project.calls("POST", P + "insights/")
    assert saved.body["name"] == "Weekly signups" and saved.body["dashboards"] == [4]
    source = saved.body["query"]["source"]  # a native insight: PostHog's big number of unique signed_up users
    assert saved.body["query"]["kind"] == "InsightVizNode" and source["kind"] == "TrendsQuery"
    assert source["series"] == [{"kind": "EventsNode", "event": "signed_up", "name": "signed_up", "math": "dau"}]
    assert source["trendsFilter"]["display"] == "BoldNumber"


def test_save_needs_a_posthog_project(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path, warm_home
) -> None:
    monkeypatch.delenv("POSTHOG_PERSONAL_API_KEY", raising=False)
    monkeypatch.setenv("ASKHOG_HOME", str(warm_home(tmp_path)))
    code = cli.main(["ask", "how many users signed up last week?", "--no-run", "--save", "x"])
    assert code == 1 and "POSTHOG_PERSONAL_API_KEY" in capsys.readouterr().err
