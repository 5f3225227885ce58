"""The HogQL dialect reads what our templates write, as the trees the guard and lowering expect."""

from __future__ import annotations

import pytest
from askhog.errors import HogQLSyntaxError, UnsafeQueryError
from askhog.hogql import HogQL, parse
from askhog.hogql.dialect import PURE_PYTHON
from sqlglot import exp


def test_pure_python_sqlglot_build_is_loaded() -> None:
    assert PURE_PYTHON


@pytest.mark.parametrize(
    "text, parts",
    [
        ("properties.$browser", ["properties", "$browser"]),
        ("$session_id", ["$session_id"]),
        ("person.properties.$initial_utm_source", ["person", "properties", "$initial_utm_source"]),
        ("events.person.properties.plan", ["events", "person", "properties", "plan"]),
        ("properties.$feature_flag_response", ["properties", "$feature_flag_response"]),
        ("properties.x.y", ["properties", "x", "y"]),
    ],
)
def test_dollar_identifiers_and_property_chains_are_columns(text: str, parts: list[str]) -> None:
    column = parse(f"SELECT {text} FROM events").expressions[0]
    assert isinstance(column, exp.Column)
    assert [p.name for p in column.parts] == parts


def test_placeholders_are_placeholder_nodes_with_their_names() -> None:
    tree = parse("SELECT count() FROM events WHERE event = {event} AND x IN {value_0} AND {filters} AND y = {a.b}")
    assert sorted(p.name for p in tree.find_all(exp.Placeholder)) == ["a.b", "event", "filters", "value_0"]
    assert not list(tree.find_all(exp.VarMap, exp.Map, exp.Struct))


def test_typed_clickhouse_query_parameter_still_parses() -> None:
    placeholder = parse("SELECT {x: UInt32}").expressions[0]
    assert isinstance(placeholder, exp.Placeholder) and placeholder.args["kind"] is not None


TEMPLATE_CONSTRUCTS = [
    "SELECT count(), count(DISTINCT person_id), countIf(event = 'a'), uniqIf(person_id, event = 'b') FROM events",
    "SELECT quantile(0.9)(toFloat(properties.$load_time)) FROM events",
    "SELECT dateDiff('second', min(timestamp), max(timestamp)) FROM events",
    "SELECT toStartOfWeek(timestamp, 1), toStartOfDay(timestamp), toStartOfMonth(timestamp) FROM events",
    "SELECT count() FROM events WHERE timestamp >= now() - INTERVAL 7 DAY AND timestamp < now() - toIntervalDay(1)",
    "SELECT if(event = 'a', 1, 0), multiIf(event = 'a', 1, event = 'b', 2, 3) FROM events",
    "SELECT arrayJoin(groupArray(event)), arraySort(x -> x.1, groupArray((timestamp, event))) FROM events",
    "SELECT lagInFrame(timestamp) OVER (PARTITION BY person_id ORDER BY timestamp ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM events",
    "WITH firsts AS (SELECT person_id, min(timestamp) AS t FROM events GROUP BY person_id) SELECT count() FROM firsts",
    "SELECT count() FROM events WHERE person_id IN (SELECT id FROM persons)",
    "SELECT e.event FROM events AS e JOIN persons AS p ON e.person_id = p.id LIMIT 10",
    "SELECT windowFunnel(86400)(timestamp, event = 'a', event = 'b') AS level FROM events GROUP BY person_id",
    "SELECT argMin(event, timestamp), minIf(timestamp, event = 'a'), sumIf(1, event = 'b') FROM events",
    "SELECT event FROM events UNION ALL SELECT event FROM events",
]


@pytest.mark.parametrize("text", TEMPLATE_CONSTRUCTS)
def test_template_constructs_parse_as_one_select(text: str) -> None:
    tree = parse(text)
    assert isinstance(tree, (exp.Select, exp.Union))
    assert tree.sql(dialect=HogQL)


def test_parametric_aggregate_keeps_its_parameters() -> None:
    call = parse("SELECT windowFunnel(86400)(timestamp, event = 'a') FROM events").expressions[0]
    assert isinstance(call, exp.ParameterizedAgg)
    assert call.name == "windowFunnel" and call.expressions[0].name == "86400"


@pytest.mark.parametrize(
    "text, line, column",
    [("SELECT 'abc", 1, 8), ("SELECT a FROM\nevents WHERE ((", 2, 15)],
)
def test_syntax_errors_carry_their_position(text: str, line: int, column: int) -> None:
    with pytest.raises(HogQLSyntaxError) as caught:
        parse(text)
    assert (caught.value.line, caught.value.column) == (line, column)


def test_two_statements_are_refused() -> None:
    with pytest.raises(UnsafeQueryError) as caught:
        parse("SELECT 1; DROP TABLE events")
    assert caught.value.problems[0].code == "multiple_statements"


def test_command_fallback_is_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    assert isinstance(parse("SYSTEM SHUTDOWN"), exp.Command)
    assert not caplog.records
