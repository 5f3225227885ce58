"""The guard refuses what must not run, says what and where, and lets real analytics through."""

from __future__ import annotations

import pytest
from askhog.errors import HogQLSyntaxError, UnsafeQueryError
from askhog.hogql import parse, validate
from askhog.hogql.functions import allow_lists

REJECTED: list[tuple[str, str]] = [
    ("DROP TABLE events", "write_statement"),
    ("INSERT INTO events SELECT * FROM events", "write_statement"),
    ("ALTER TABLE events DELETE WHERE 1", "write_statement"),
    ("DELETE FROM events WHERE 1", "write_statement"),
    ("UPDATE events SET event = 'x' WHERE 1", "write_statement"),
    ("CREATE TABLE t AS SELECT 1", "write_statement"),
    ("TRUNCATE TABLE events", "write_statement"),
    ("WITH x AS (INSERT INTO t VALUES (1)) SELECT 1", "write_statement"),
    ("SYSTEM SHUTDOWN", "command"),
    ("SHOW TABLES", "command"),
    ("ATTACH TABLE t", "command"),
    ("DESCRIBE events", "not_select"),
    ("SET max_threads = 1", "write_statement"),
    ("SELECT 1; DROP TABLE events", "multiple_statements"),
    ("SELECT 1; SELECT 2", "multiple_statements"),
    ("SELECT count() FROM events;", "trailing_semicolon"),
    ("SELECT * FROM url('http://evil/x', CSV)", "table_function"),
    ("SELECT * FROM file('/etc/passwd')", "table_function"),
    ("SELECT * FROM remote('host', default.events)", "table_function"),
    ("SELECT * FROM s3('https://bucket/x')", "table_function"),
    ("SELECT number FROM numbers(1000000000)", "table_function"),
    ("SELECT * FROM events e JOIN url('x') u ON e.uuid = u.id", "table_function"),
    ("SELECT * FROM system.tables", "table_not_allowed"),
    ("SELECT * FROM secrets", "table_not_allowed"),
    ("SELECT event FROM events WHERE person_id IN (SELECT id FROM users)", "table_not_allowed"),
    ("SELECT file('x')", "function_not_allowed"),
    ("SELECT hostName()", "function_not_allowed"),
    ("SELECT count() FROM events WHERE evil_udf(event) = 1", "function_not_allowed"),
    ("SELECT count() FROM events SETTINGS max_execution_time = 1000", "settings"),
    ("SELECT count() FROM events FORMAT JSON", "format"),
    ("SELECT {{ event }} FROM events", "template_braces"),
    ("SELECT count(*) FROM events", "count_star"),
    ("SELECT toInt64(properties.x) FROM events", "width_cast"),
    ("SELECT toFloat64(properties.x) FROM events", "width_cast"),
    ("SELECT toDateTime64(timestamp, 6) FROM events", "width_cast"),
    ("SELECT lag(timestamp) OVER (ORDER BY timestamp) FROM events", "lag_lead"),
    ("SELECT LEAD(timestamp) OVER (ORDER BY timestamp) FROM events", "lag_lead"),
    (
        "SELECT e.event FROM events e JOIN persons p ON e.person_id = p.id AND e.timestamp > p.created_at",
        "join_condition",
    ),
    ("SELECT e.event FROM events e JOIN sessions s ON e.timestamp < s.$end_timestamp", "join_condition"),
]

ACCEPTED: list[str] = [
    "SELECT count() FROM events WHERE timestamp >= now() - INTERVAL 7 DAY",
    "SELECT event, count() AS c FROM events WHERE timestamp >= now() - INTERVAL 30 DAY GROUP BY event ORDER BY c DESC LIMIT 20",
    "SELECT count(DISTINCT person_id) FROM events WHERE event = {event} AND timestamp > now() - toIntervalDay(14)",
    "SELECT toStartOfDay(timestamp) AS day, uniq(person_id) FROM events WHERE event = '$pageview' AND timestamp >= now() - INTERVAL 30 DAY GROUP BY day ORDER BY day",
    "SELECT toStartOfWeek(timestamp, 1) AS week, countIf(event = 'signed_up') FROM events WHERE timestamp >= now() - INTERVAL 12 WEEK GROUP BY week",
    "SELECT properties.$browser AS browser, count() FROM events WHERE event = '$pageview' AND timestamp >= now() - INTERVAL 7 DAY GROUP BY browser LIMIT 10",
    "SELECT person.properties.$initial_utm_source, count() FROM events WHERE timestamp > now() - INTERVAL 1 MONTH GROUP BY 1 LIMIT 50",
    "SELECT quantile(0.9)(toFloat(properties.$load_time)) FROM events WHERE event = 'page_loaded' AND timestamp >= now() - INTERVAL 7 DAY",
    "SELECT dateDiff('second', min(timestamp), max(timestamp)) AS d FROM events WHERE timestamp >= now() - INTERVAL 1 DAY GROUP BY $session_id LIMIT 100",
    "SELECT if(event = 'a', 1, 0), multiIf(event = 'a', 1, event = 'b', 2, 3) FROM events WHERE timestamp > now() - INTERVAL 1 DAY LIMIT 5",
    "SELECT person_id, windowFunnel(86400)(timestamp, event = 'viewed', event = 'paid') AS level FROM events WHERE timestamp >= now() - INTERVAL 30 DAY GROUP BY person_id LIMIT 1000",
    "SELECT lagInFrame(timestamp) OVER (PARTITION BY person_id ORDER BY timestamp ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM events LIMIT 10",
    "WITH firsts AS (SELECT person_id, min(timestamp) AS first_seen FROM events GROUP BY person_id) SELECT toStartOfMonth(first_seen), count() FROM firsts GROUP BY 1",
    "SELECT count() FROM events WHERE person_id IN (SELECT id FROM persons WHERE properties.plan = 'pro') AND timestamp >= now() - INTERVAL 7 DAY",
    "SELECT e.event, p.properties.email FROM events e JOIN persons p ON e.person_id = p.id WHERE e.timestamp >= now() - INTERVAL 7 DAY LIMIT 10",
    "SELECT e.event FROM events AS e LEFT JOIN person_distinct_ids AS pdi ON e.distinct_id = pdi.distinct_id LIMIT 10",
    "SELECT argMin(event, timestamp), minIf(timestamp, event = 'a'), sumIf(1, event = 'b') FROM events WHERE timestamp > now() - INTERVAL 2 DAY",
    "SELECT arrayJoin(groupArray(event)) FROM events WHERE timestamp > now() - INTERVAL 1 DAY LIMIT 10",
    "SELECT arraySort(x -> x.1, groupArray((timestamp, event))) FROM events WHERE timestamp > now() - INTERVAL 1 DAY GROUP BY person_id LIMIT 10",
    "SELECT event FROM events WHERE timestamp > now() - INTERVAL 1 DAY UNION ALL SELECT event FROM events WHERE timestamp > now() - INTERVAL 2 DAY",
    "SELECT avg($session_duration) FROM sessions WHERE $start_timestamp >= now() - INTERVAL 7 DAY",
    "SELECT countIf($is_bounce) / count() FROM sessions WHERE $start_timestamp >= now() - INTERVAL 30 DAY",
    "SELECT properties.$feature_flag_response AS variant, count() FROM events WHERE event = '$feature_flag_called' AND properties.$feature_flag = {flag} AND timestamp > now() - INTERVAL 14 DAY GROUP BY variant",
    "SELECT uniqIf(person_id, event = 'a'), uniqIf(person_id, event = 'b') FROM events WHERE timestamp >= now() - INTERVAL 7 DAY",
    "SELECT toString(properties.plan), coalesce(properties.country, 'unknown') FROM events WHERE timestamp > now() - INTERVAL 1 DAY LIMIT 10",
    "SELECT COUNT(), IF(1 = 1, 'y', 'n'), NOW() FROM events WHERE timestamp > now() - INTERVAL 1 HOUR",
    "SELECT toInt(properties.amount), toFloat(properties.price), toDateTime(properties.at) FROM events WHERE timestamp > now() - INTERVAL 1 DAY LIMIT 1",
    "SELECT CASE WHEN event = 'a' THEN 1 ELSE 0 END, CAST(1 AS String) FROM events WHERE timestamp > now() - INTERVAL 1 DAY LIMIT 1",
    "SELECT count() FROM events WHERE event IN ('a', 'b') AND timestamp BETWEEN '2024-01-01' AND '2024-02-01'",
    "SELECT round(avg(toFloat(properties.amount)), 2), median(toFloat(properties.amount)) FROM events WHERE event = 'purchase' AND timestamp >= now() - INTERVAL 7 DAY",
    "(SELECT count() FROM events WHERE timestamp >= now() - INTERVAL 7 DAY)",
    "SELECT count() FROM events WHERE timestamp >= now() - INTERVAL 7 DAY AND {filters}",
]


@pytest.mark.parametrize("text, code", REJECTED)
def test_guard_rejects_with_the_expected_problem(text: str, code: str) -> None:
    with pytest.raises(UnsafeQueryError) as caught:
        validate(text)
    problems = caught.value.problems
    assert code in {p.code for p in problems}, problems
    assert all(p.severity == "error" and p.line is not None and p.column is not None and p.fix for p in problems)


@pytest.mark.parametrize("text", ACCEPTED)
def test_guard_accepts_legit_analytics(text: str) -> None:
    validated = validate(text)
    assert validated.text == text
    assert validated.tree == parse(text)


def test_table_function_is_located_at_its_source() -> None:
    text = "SELECT event\nFROM events e\nJOIN url('x') u ON e.uuid = u.id"
    with pytest.raises(UnsafeQueryError) as caught:
        validate(text)
    (problem,) = caught.value.problems
    assert (problem.code, problem.line, problem.column) == ("table_function", 3, 6)


def test_function_problem_names_the_function_and_its_place() -> None:
    with pytest.raises(UnsafeQueryError) as caught:
        validate("SELECT event,\n  hostName() FROM events")
    (problem,) = caught.value.problems
    assert "hostName" in problem.message and (problem.line, problem.column) == (2, 3)


def test_cte_names_are_allowed_tables_but_qualified_names_are_not() -> None:
    validate("WITH recent AS (SELECT event FROM events) SELECT event FROM recent")
    with pytest.raises(UnsafeQueryError):
        validate("WITH recent AS (SELECT event FROM events) SELECT event FROM other.recent")


def test_allow_list_can_be_narrowed() -> None:
    with pytest.raises(UnsafeQueryError) as caught:
        validate("SELECT id FROM persons", tables={"events"})
    assert caught.value.problems[0].code == "table_not_allowed"


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(UnsafeQueryError) as caught:
        validate("SELECT count(*), toInt64(x) FROM numbers(3) SETTINGS a = 1")
    assert {p.code for p in caught.value.problems} == {"count_star", "width_cast", "table_function", "settings"}


def test_syntax_error_is_not_an_unsafe_query() -> None:
    with pytest.raises(HogQLSyntaxError):
        validate("SELECT FROM WHERE")


def test_validated_carries_lint_warnings() -> None:
    validated = validate("SELECT * FROM events")
    assert {w.code for w in validated.warnings} == {"no_time_filter", "no_limit", "select_star"}
    assert all(w.severity == "warning" for w in validated.warnings)


def test_every_hogql_function_name_is_accepted_except_the_refused_spellings() -> None:
    exposed, _ = allow_lists()
    refused = {}
    for name in sorted(exposed):
        for args in ("x", "x, y", "x, y, z", "", "x, y, z, w"):
            try:
                validate(f"SELECT {name}({args}) FROM events")
                break
            except HogQLSyntaxError:
                continue
            except UnsafeQueryError as e:
                refused[name] = {p.code for p in e.problems}
                break
    assert refused == {"lag": {"lag_lead"}, "lead": {"lag_lead"}, "toDateTime64": {"width_cast"}}


def test_functions_with_dedicated_parsers_are_judged_by_their_written_name() -> None:
    validate("SELECT string_agg(event, ',') FROM events")
    with pytest.raises(UnsafeQueryError, match="groupConcat"):
        validate("SELECT groupConcat(event) FROM events")


def test_malformed_builtin_call_is_a_syntax_error() -> None:
    with pytest.raises(HogQLSyntaxError):
        validate("SELECT map(1) FROM events")
