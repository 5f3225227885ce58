"""Lowered HogQL runs on chDB and answers what HogQL would: checked on a handful of rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from askhog.errors import TemplateError, UnsafeQueryError, UnsupportedHogQL
from askhog.hogql import lower
from askhog.taxonomy import Taxonomy

session = pytest.importorskip("chdb.session")

# The rows sit at fixed moments before NOW, and the queries measure from NOW (bound as {now}), not the wall clock.
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
NOW_SQL = "toDateTime64('2026-11-26 12:00:00', 6, 'UTC')"

P1 = "00000000-0000-0000-0000-000000000001"
P2 = "00000000-0000-0000-0000-000000000002"

TAXONOMY = Taxonomy.from_dict(
    {
        "event_properties": {"amount": {"type": "Numeric"}, "$browser": {}, "is_trial": {"type": "Boolean"}},
        "person_properties": {"plan": {}, "seats": {"type": "Numeric"}},
    }
)

SCHEMA = [
    """CREATE TABLE events (uuid UUID, event String, distinct_id String, person_id UUID,
       timestamp DateTime64(6, 'UTC'), properties String, person_properties String,
       elements_chain String, `$session_id` String) ENGINE = MergeTree ORDER BY (event, timestamp)""",
    "CREATE TABLE persons (id UUID, created_at DateTime64(6, 'UTC'), properties String) ENGINE = MergeTree ORDER BY id",
    """CREATE TABLE sessions (session_id String, distinct_id String, person_id UUID, min_timestamp DateTime64(6, 'UTC'),
       max_timestamp DateTime64(6, 'UTC'), duration Int64, pageview_count Int64, event_count Int64,
       entry_pathname String, is_bounce UInt8) ENGINE = MergeTree ORDER BY session_id""",
    f"""INSERT INTO events VALUES
       (generateUUIDv4(), '$pageview', 'd1', '{P1}', {NOW_SQL} - INTERVAL 1 DAY,
        '{{"$browser":"Chrome","amount":"12.5","is_trial":true,"$session_id":"ignored"}}', '{{"plan":"pro","seats":3}}', '', 's1'),
       (generateUUIDv4(), 'purchase', 'd1', '{P1}', {NOW_SQL} - INTERVAL 1 DAY + INTERVAL 1 HOUR,
        '{{"$browser":"Chrome","amount":10,"note":"O\\'Brien"}}', '{{"plan":"pro","seats":3}}', '', 's1'),
       (generateUUIDv4(), '$pageview', 'd2', '{P2}', {NOW_SQL} - INTERVAL 3 DAY,
        '{{"$browser":"","is_trial":false}}', '{{}}', '', 's2'),
       (generateUUIDv4(), '$pageview', 'd2', '{P2}', {NOW_SQL} - INTERVAL 40 DAY, '{{}}', '{{}}', '', 's3')""",
    f"""INSERT INTO persons VALUES ('{P1}', '2024-01-01 00:00:00', '{{"plan":"pro","seats":3}}'),
       ('{P2}', '2024-02-01 00:00:00', '{{"plan":"free"}}')""",
    f"""INSERT INTO sessions VALUES ('s1', 'd1', '00000000-0000-0000-0000-000000000001', {NOW_SQL} - INTERVAL 1 DAY,
       {NOW_SQL} - INTERVAL 1 DAY + INTERVAL 1 HOUR, 3600, 1, 2, '/home', 0),
       ('s2', 'd2', '00000000-0000-0000-0000-000000000002', {NOW_SQL} - INTERVAL 3 DAY, {NOW_SQL} - INTERVAL 3 DAY, 0, 1, 1, '/pricing', 1)""",
]


@pytest.fixture(scope="module")
def chdb(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    s = session.Session(str(tmp_path_factory.mktemp("chdb")))
    for statement in SCHEMA:
        s.query(statement)
    yield s
    s.close()


def rows(chdb: Any, hogql: str, values: dict[str, Any] | None = None) -> list[list[str]]:
    sql = lower(hogql, {"now": NOW, **(values or {})}, TAXONOMY)
    text = str(chdb.query(sql, "TSV"))
    return [line.split("\t") for line in text.splitlines()]


def test_event_count_with_placeholder(chdb: Any) -> None:
    hogql = "SELECT count() FROM events WHERE event = {event} AND timestamp >= {now} - INTERVAL 7 DAY"
    assert rows(chdb, hogql, {"event": "$pageview"}) == [["2"]]


def test_missing_string_property_is_null_not_empty(chdb: Any) -> None:
    hogql = "SELECT countIf(properties.$browser IS NULL), countIf(properties.$browser = ''), countIf(properties.$browser = 'Chrome') FROM events"
    assert rows(chdb, hogql) == [["1", "1", "2"]]


def test_numeric_property_sums_numbers_and_numeric_strings(chdb: Any) -> None:
    assert rows(chdb, "SELECT sum(properties.amount), countIf(properties.amount IS NULL) FROM events") == [
        ["22.5", "2"]
    ]


def test_boolean_property_compares_with_true(chdb: Any) -> None:
    assert rows(
        chdb, "SELECT countIf(properties.is_trial = true), countIf(properties.is_trial = false) FROM events"
    ) == [["1", "1"]]


def test_bracket_and_nested_property_access(chdb: Any) -> None:
    hogql = "SELECT properties['$browser'] AS b FROM events WHERE event = 'purchase'"
    assert rows(chdb, hogql) == [["Chrome"]]


def test_person_properties_and_person_id_on_events(chdb: Any) -> None:
    hogql = (
        "SELECT e.person.properties.plan AS plan, person.properties.seats * 2, count(DISTINCT person.id) FROM events e "
        "WHERE e.timestamp > {now} - INTERVAL 7 DAY GROUP BY plan, 2 ORDER BY plan"
    )
    assert rows(chdb, hogql) == [["pro", "6", "1"], ["\\N", "\\N", "1"]]  # NULLs sort last


def test_session_id_property_is_the_session_column(chdb: Any) -> None:
    hogql = "SELECT DISTINCT properties.$session_id, $session_id FROM events WHERE event = 'purchase'"
    assert rows(chdb, hogql) == [["s1", "s1"]]


def test_persons_table_properties(chdb: Any) -> None:
    assert rows(chdb, "SELECT properties.plan FROM persons WHERE properties.seats > 1") == [["pro"]]


def test_join_events_to_persons(chdb: Any) -> None:
    hogql = "SELECT p.properties.plan AS plan, count() FROM events e JOIN persons p ON e.person_id = p.id GROUP BY plan ORDER BY plan"
    assert rows(chdb, hogql) == [["free", "2"], ["pro", "2"]]


def test_sessions_fields_map_to_store_columns(chdb: Any) -> None:
    hogql = "SELECT session_id, $session_duration, $is_bounce, $entry_pathname FROM sessions WHERE $start_timestamp >= {now} - INTERVAL 7 DAY ORDER BY session_id"
    assert rows(chdb, hogql) == [["s1", "3600", "0", "/home"], ["s2", "0", "1", "/pricing"]]


def test_string_values_are_escaped_literals_not_text(chdb: Any) -> None:
    assert rows(chdb, "SELECT count() FROM events WHERE properties.note = {note}", {"note": "O'Brien"}) == [["1"]]
    injection = {"event": "x' OR 1 = 1 OR event = '"}
    assert rows(chdb, "SELECT count() FROM events WHERE event = {event}", injection) == [["0"]]


def test_list_values_become_tuples_in_in_and_arrays_elsewhere(chdb: Any) -> None:
    hogql = "SELECT count(), has({events}, 'purchase') FROM events WHERE event IN {events}"
    assert rows(chdb, hogql, {"events": ["purchase", "nope"]}) == [["1", "1"]]


def test_date_and_datetime_values(chdb: Any) -> None:
    since = NOW - timedelta(days=2)
    day = since.date()
    assert rows(chdb, "SELECT count() FROM events WHERE timestamp >= {since}", {"since": since}) == [["2"]]
    assert rows(chdb, "SELECT count() FROM events WHERE toDate(timestamp) >= {day}", {"day": day}) == [["2"]]


def test_hogql_conversions_follow_posthog(chdb: Any) -> None:
    hogql = "SELECT toInt('12x'), toInt('12'), toFloat('1.5'), toDateTime('2024-01-02 03:04:05'), toDate('nope') FROM events LIMIT 1"
    assert rows(chdb, hogql) == [["\\N", "12", "1.5", "2024-01-02 03:04:05.000000", "\\N"]]


def test_date_truncation_keeps_clickhouse_names_and_types(chdb: Any) -> None:
    sql = lower("SELECT toStartOfMonth(timestamp), toStartOfDay(timestamp) FROM events", {}, TAXONOMY)
    assert "toStartOfMonth(timestamp)" in sql and "toStartOfDay(timestamp)" in sql
    (first,) = rows(chdb, "SELECT toStartOfMonth(min(timestamp)) FROM events")
    assert len(first[0]) == len("2024-01-01")


def test_funnel_and_window_functions_run(chdb: Any) -> None:
    funnel = (
        "SELECT person_id, windowFunnel(86400)(toDateTime(timestamp), event = '$pageview', event = 'purchase') AS level "
        "FROM events GROUP BY person_id ORDER BY person_id"
    )
    assert rows(chdb, funnel) == [[P1, "2"], [P2, "1"]]
    previous = (
        "SELECT event, lagInFrame(event) OVER (PARTITION BY person_id ORDER BY timestamp "
        "ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM events WHERE person_id = {p} ORDER BY timestamp"
    )
    assert rows(chdb, previous, {"p": P1}) == [["$pageview", ""], ["purchase", "$pageview"]]


def test_if_and_date_diff_run(chdb: Any) -> None:
    hogql = "SELECT if(event = 'purchase', 1, 0) AS bought, dateDiff('minute', min(timestamp), max(timestamp)) FROM events WHERE person_id = {p} GROUP BY bought ORDER BY bought"
    assert rows(chdb, hogql, {"p": P1}) == [["0", "0"], ["1", "0"]]


def test_missing_placeholder_value_names_it() -> None:
    with pytest.raises(TemplateError, match=r"\{event\}"):
        lower("SELECT count() FROM events WHERE event = {event}", {}, TAXONOMY)


def test_dotted_placeholder_reads_nested_values() -> None:
    sql = lower("SELECT count() FROM events WHERE event = {step.event}", {"step": {"event": "a"}}, TAXONOMY)
    assert sql.endswith("event = 'a'")


@pytest.mark.parametrize(
    "hogql, construct",
    [
        ("SELECT person.email FROM events", "person.email"),
        ("SELECT session.$session_duration FROM events", "session"),
        ("SELECT matchesAction('signup') FROM events", "matchesAction"),
        ("SELECT count() FROM groups", "groups"),
    ],
)
def test_unsupported_constructs_are_named(hogql: str, construct: str) -> None:
    with pytest.raises(UnsupportedHogQL, match=construct):
        lower(hogql, {}, TAXONOMY)


def test_guard_runs_before_lowering() -> None:
    with pytest.raises(UnsafeQueryError):
        lower("SELECT * FROM file('/etc/passwd')", {}, TAXONOMY)


def test_unqualified_properties_take_the_from_table_when_joining(chdb: Any) -> None:
    hogql = (
        "SELECT properties.$browser AS b, count() FROM events e JOIN persons p ON e.person_id = p.id "
        "WHERE event = 'purchase' GROUP BY b"
    )
    assert "JSONExtract(e.properties" in lower(hogql, {}, TAXONOMY)
    assert rows(chdb, hogql) == [["Chrome", "1"]]


def test_person_created_at_is_an_explicit_join(chdb: Any) -> None:
    hogql = (
        "SELECT person.properties.plan AS plan, properties.$browser AS b, min(person.created_at) FROM events e "
        "WHERE event = 'purchase' GROUP BY plan, b"
    )
    assert "LEFT JOIN persons AS __person ON __person.id = e.person_id" in lower(hogql, {}, TAXONOMY)
    assert rows(chdb, hogql) == [["pro", "Chrome", "2024-01-01 00:00:00.000000"]]
