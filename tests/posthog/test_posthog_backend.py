from __future__ import annotations

from datetime import UTC, datetime

import pytest
from askhog.backends.base import Backend
from askhog.backends.posthog import ExperimentNotFound, PostHogBackend
from askhog.backends.posthog.taxonomy import sample_values_query
from askhog.errors import BackendError, ConnectError, PostHogAPIError
from askhog.hogql.posthog_parser import assert_posthog_parses
from fake_posthog import Reply, check, hogql_response, metadata_response, page

P = "/api/projects/1/"
QUERY = P + "query/"
NOW = datetime(2026, 11, 26, tzinfo=UTC)
RECENT = "2026-11-20T10:00:00Z"
OLD = "2025-01-01T00:00:00Z"


@pytest.fixture
def backend(make_client) -> PostHogBackend:
    return PostHogBackend(make_client(), now=lambda: NOW)


def _definitions(fake) -> None:
    events = P + "event_definitions/"
    fake.script(
        "GET",
        events,
        Reply(
            200,
            page(
                [
                    {"name": "$pageview", "last_seen_at": RECENT, "description": "A page view"},
                    {"name": "old_event", "last_seen_at": OLD},
                    {"name": "hidden_event", "last_seen_at": RECENT, "hidden": True},
                    {"name": "verified_old", "last_seen_at": OLD, "verified": True},
                ],
                fake.url + events + "?limit=500&offset=4",
            ),
        ),
        Reply(200, page([{"name": "signed_up", "last_seen_at": None}])),
    )

    properties = {
        "event": [
            {"name": "$browser", "property_type": "String"},
            {"name": "amount", "property_type": "Numeric"},
            {"name": "plan", "property_type": None, "is_numerical": False},
            {"name": "secret_prop", "hidden": True},
        ],
        "person": [{"name": "plan", "property_type": "String"}, {"name": "age", "is_numerical": True}],
        "session": [{"name": "$session_duration", "property_type": "Numeric"}],
    }
    fake.default("GET", P + "property_definitions/", lambda r: Reply(200, page(properties[r.query["type"][0]])))
    fake.default(
        "GET",
        P + "actions/",
        Reply(
            200,
            page(
                [
                    {
                        "id": 1,
                        "name": "Pricing visit",
                        "steps": [
                            {"event": "$pageview", "url": "/pricing", "url_matching": "contains", "selector": None}
                        ],
                    },
                    {"id": 2, "name": "Deleted", "deleted": True, "steps": []},
                ]
            ),
        ),
    )
    fake.default(
        "GET",
        P + "feature_flags/",
        Reply(
            200,
            page(
                [
                    {
                        "key": "new-checkout",
                        "filters": {"multivariate": {"variants": [{"key": "control"}, {"key": "test"}]}},
                    },
                    {"key": "dark-mode", "filters": {"groups": []}},
                    {"key": "gone", "deleted": True, "filters": {}},
                ]
            ),
        ),
    )

    def sample(request):
        assert request.body["name"] == "askhog taxonomy sample values"
        return Reply(
            200,
            hogql_response(
                ["scope", "property", "value", "n"],
                ["String", "String", "String", "UInt64"],
                [
                    ["event", "$browser", "Chrome", 90],
                    ["event", "$browser", "Safari", 40],
                    ["person", "plan", "pro", 12],
                    ["event", "plan", "team", 3],
                ],
            ),
        )

    fake.default("POST", QUERY, sample)


def test_backend_satisfies_the_protocol(backend):
    assert isinstance(backend, Backend) and backend.name == "posthog"


def test_taxonomy_from_definitions_skips_hidden_and_stale(fake, backend):
    _definitions(fake)
    tax = backend.taxonomy()
    assert sorted(tax.events) == ["$pageview", "signed_up", "verified_old"]
    assert tax.events["$pageview"].description == "A page view"
    assert sorted(tax.event_properties) == ["$browser", "amount", "plan"]
    assert tax.is_numeric("amount") and tax.is_numeric("age", "person")
    assert tax.property("$session_duration", "session").type == "Numeric"
    assert tax.property("$browser").values == ("Chrome", "Safari")
    assert tax.property("plan", "person").values == ("pro",) and tax.property("plan", "event").values == ("team",)
    assert "$browser" in tax.event_property_names("signed_up")
    assert tax.flags == {"new-checkout": ("control", "test"), "dark-mode": ("true", "false")}
    assert list(tax.actions) == ["Pricing visit"]
    assert tax.actions["Pricing visit"].steps == (
        {"event": "$pageview", "url": "/pricing", "url_matching": "contains"},
    )
    sent = fake.calls("POST", QUERY)[0].body["query"]
    assert sent["values"] == {"p0": "$browser", "p1": "plan", "p2": "plan"}


def test_taxonomy_is_cached_until_its_ttl(fake, backend, clock):
    _definitions(fake)
    backend.taxonomy()
    before = len(fake.requests)
    backend.taxonomy()
    assert len(fake.requests) == before
    clock.now += backend.client.config.taxonomy_ttl
    _definitions(fake)  # re-script the paginated event definitions
    backend.taxonomy()
    assert len(fake.requests) > before


def test_sample_values_query_is_real_hogql_with_names_as_values():
    hogql, values = sample_values_query([("$browser", "event"), ("plan", "person")])
    assert_posthog_parses(hogql)
    assert "$browser" not in hogql and values == {"p0": "$browser", "p1": "plan"}
    assert "person.properties[{p1}]" in hogql
    with pytest.raises(BackendError, match="session"):
        sample_values_query([("$session_duration", "session")])


def test_annotations_are_sorted_and_deleted_ones_dropped(fake, backend):
    fake.default(
        "GET",
        P + "annotations/",
        Reply(
            200,
            page(
                [
                    {"id": 2, "content": "Pricing change", "date_marker": "2026-11-10T00:00:00Z", "scope": "project"},
                    {"id": 1, "content": "Release 2.3", "date_marker": "2026-11-02T12:00:00Z", "scope": "organization"},
                    {"id": 3, "content": "oops", "date_marker": "2026-11-03T00:00:00Z", "deleted": True},
                ]
            ),
        ),
    )
    notes = backend.annotations()
    assert [(a.content, a.scope) for a in notes] == [("Release 2.3", "organization"), ("Pricing change", "project")]
    assert notes[0].date == datetime(2026, 11, 2, 12, tzinfo=UTC)


def test_experiments_are_found_by_name_or_flag_key(fake, backend):
    fake.default(
        "GET",
        P + "experiments/",
        Reply(
            200,
            page(
                [
                    {
                        "id": 7,
                        "name": "New checkout",
                        "feature_flag_key": "new-checkout",
                        "start_date": "2026-10-01T00:00:00Z",
                        "end_date": None,
                        "parameters": {"feature_flag_variants": [{"key": "control"}, {"key": "test"}]},
                    },
                    {"id": 8, "name": "Old", "feature_flag_key": "old", "archived": True},
                ]
            ),
        ),
    )
    by_key = backend.experiment("NEW-CHECKOUT")
    assert (by_key.id, by_key.variants, by_key.end) == (7, ("control", "test"), None)
    assert backend.experiment("New checkout") == by_key
    with pytest.raises(ExperimentNotFound, match="experiments: New checkout"):
        backend.experiment("pricing test")


def test_cohorts_are_read(fake, backend):
    fake.default("GET", P + "cohorts/", Reply(200, page([{"id": 3, "name": "Power users", "count": 120}])))
    (cohort,) = backend.cohorts()
    assert (cohort.name, cohort.count, cohort.is_static) == ("Power users", 120, False)


def test_save_insight_stores_a_sql_insight_on_a_dashboard(fake, backend):
    fake.default("GET", P + "dashboards/4/", Reply(200, {"id": 4, "name": "Growth"}))
    fake.default("POST", P + "insights/", Reply(201, {"id": 99, "short_id": "AbC123"}))
    url = backend.save_insight("Signups by week", "SELECT 1 WHERE x = {v}", {"v": "a"}, dashboard=4)
    assert url == f"{fake.url}/project/1/insights/AbC123"
    (post,) = fake.calls("POST", P + "insights/")
    assert post.body["dashboards"] == [4] and post.body["query"]["kind"] == "DataVisualizationNode"
    check("HogQLQuery", post.body["query"]["source"])
    assert post.body["query"]["source"]["values"] == {"v": "a"}


def test_save_insight_names_a_missing_dashboard(fake, backend):
    with pytest.raises(PostHogAPIError, match="no dashboard 5"):
        backend.save_insight("x", "SELECT 1", dashboard=5)
    assert fake.calls("POST") == []


def test_saving_is_not_retried_after_a_dropped_connection(fake, backend):
    fake.default("POST", P + "insights/", Reply(reset=True))
    with pytest.raises(ConnectError):
        backend.save_insight("x", "SELECT 1")
    assert len(fake.calls("POST", P + "insights/")) == 1


def test_check_returns_posthogs_errors_and_warnings_with_positions(fake, backend):
    hogql = "SELECT event\nFROM events WHERE properties.plan = {plan} AND nope = 1"
    start = hogql.index("nope")
    fake.default(
        "POST",
        QUERY,
        Reply(
            200,
            metadata_response(
                errors=[{"message": "Unable to resolve field: nope", "start": start, "end": start + 4}],
                warnings=[{"message": "Property 'plan' is of type String.", "fix": "toString(plan)"}],
            ),
        ),
    )
    problems = backend.check(hogql, {"plan": "pro"})
    assert [(p.severity, p.line, p.column) for p in problems] == [
        ("error", 2, hogql.index("nope") - 12),
        ("warning", None, None),
    ]
    assert problems[0].message == "Unable to resolve field: nope" and problems[1].fix == "toString(plan)"
    sent = fake.calls("POST", QUERY)[0].body["query"]
    assert sent == {"kind": "HogQLMetadata", "language": "hogQL", "query": hogql, "globals": {"plan": "pro"}}


def test_run_returns_a_table(fake, backend, answer_count):
    fake.default("POST", QUERY, Reply(200, answer_count))
    assert backend.run("SELECT count() FROM events").records() == [{"count()": 42}]
