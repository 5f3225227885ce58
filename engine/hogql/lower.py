"""HogQL → ClickHouse SQL for the embedded store (chDB), as plain functions over the sqlglot tree.

PostHog runs HogQL by printing it as ClickHouse SQL against its own schema. The
embedded store keeps PostHog's shape (events with a JSON ``properties`` string,
``person_properties`` copied onto each event, a flat ``sessions`` table), so
lowering is a handful of rewrites, each a function below:

* placeholders ``{name}`` become literal nodes built from ``values`` (never
  string concatenation), so a value cannot change the query's structure;
* ``person.created_at`` on events becomes an explicit ``LEFT JOIN persons``
  (HogQL's lazy join);
* property chains (``properties.$browser``, ``person.properties.plan``,
  ``properties['x']``) become JSON extractions from the right column, typed by
  the taxonomy. ``JSONExtract(json, key, 'Nullable(String)')`` gives HogQL's
  semantics in one parse: a missing key or JSON null is NULL (not ''), strings
  are unescaped, and numbers come back as their text. Numeric properties use
  ``Nullable(Float64)`` (a numeric string converts; anything else is NULL),
  Boolean ones ``Nullable(Bool)``;
* HogQL's own names for ClickHouse functions take PostHog's mapping
  (``toInt`` → ``accurateCastOrNull(x, 'Int64')``, ``toDateTime('…')`` →
  ``parseDateTime64BestEffortOrNull``), and ``sessions``' ``$``-named fields map
  onto the store's columns.

Anything the store cannot answer (PostHog-only functions, lazy joins such as
``person.created_at``, tables the store lacks) raises ``UnsupportedHogQL``
naming the construct, before chDB ever sees the query. The guard runs first:
chDB can read local files, so a table function must never reach it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlglot import exp

from ..errors import UnsafeQueryError, UnsupportedHogQL
from ..taxonomy import Taxonomy
from .dialect import NAME_META_KEY
from .placeholders import bind_placeholders
from .validate import DEFAULT_TABLES, guard_problems

STORE_TABLES: frozenset[str] = frozenset({"events", "persons", "person_distinct_ids", "sessions"})

SESSION_COLUMNS: dict[str, str] = {
    "$start_timestamp": "min_timestamp",
    "$end_timestamp": "max_timestamp",
    "$session_duration": "duration",
    "$pageview_count": "pageview_count",
    "$is_bounce": "is_bounce",
    "$entry_pathname": "entry_pathname",
}

POSTHOG_ONLY_FUNCTIONS: frozenset[str] = frozenset(
    {
        "convertCurrency", "embedText", "explainCSPReport", "getBotName", "getBotOperator", "getBotType",
        "getSurveyResponse", "getTrafficCategory", "getTrafficType", "isLikelyBot", "lookupDomainType",
        "lookupOrganicMediumType", "lookupOrganicSourceType", "lookupPaidMediumType", "lookupPaidSourceType",
        "matchesAction", "recordingButton", "sortablesemver", "sparkline", "uniqueSurveySubmissionsFilter",
    }
)  # fmt: skip

_JSON_TYPES = {"Numeric": "Nullable(Float64)", "Boolean": "Nullable(Bool)"}
_STRING_JSON = "Nullable(String)"
_STRING_META = "askhog_string"
_PERSON_JOIN_META = "askhog_person_join"
_PERSON_JOIN_ALIAS = "__person"
_CAST_OR_NULL = {"toInt": "Int64", "toFloat": "Float64", "toUUID": "UUID"}
_RENAMED = {
    "toIntOrZero": "toInt64OrZero",
    "toFloatOrZero": "toFloat64OrZero",
    "toFloatOrDefault": "toFloat64OrDefault",
}


def lower(hogql: str, values: Mapping[str, Any], taxonomy: Taxonomy) -> str:
    """ClickHouse SQL for chDB equivalent to ``hogql`` with ``values`` bound to its placeholders."""
    errors, tree = guard_problems(hogql, DEFAULT_TABLES)
    if errors or tree is None:
        raise UnsafeQueryError(errors)
    tree = bind_placeholders(tree, values)
    _check_tables(tree)
    tree = tree.transform(lambda node: _lower_chain(node, taxonomy), copy=False)
    _add_person_joins(tree)
    tree = tree.transform(_lower_function, copy=False)
    for identifier in tree.find_all(exp.Identifier):
        if "$" in identifier.name:
            identifier.set("quoted", True)
    return tree.sql(dialect="clickhouse")


# --- tables ----------------------------------------------------------------------------------


def _check_tables(tree: exp.Expr) -> None:
    ctes = {cte.alias for cte in tree.find_all(exp.CTE)}
    for table in tree.find_all(exp.Table):
        if table.name not in ctes and table.name not in STORE_TABLES:
            raise UnsupportedHogQL(
                f"table {table.name!r} is not in the embedded store (it has {', '.join(sorted(STORE_TABLES))})"
            )


def _sources(select: exp.Select | None) -> tuple[dict[str, str | None], str | None, str | None]:
    """What a SELECT's FROM and JOINs make visible.

    Returns names and aliases mapped to their base table (None for a
    subquery), the FROM source's table, and the qualifier that rewritten
    columns take when the SELECT joins (so that ``properties`` is not ambiguous).
    """
    if select is None:
        return {}, None, None
    names: dict[str, str | None] = {}
    from_ = select.args.get("from_")
    joins = select.args.get("joins") or []
    items = ([from_.this] if from_ else []) + [j.this for j in joins]
    for source in items:
        base = source.name if isinstance(source, exp.Table) else None
        if base:
            names[base] = base
        if source.alias:
            names[source.alias] = base
    if not items:
        return names, None, None
    first = items[0]
    default = first.name if isinstance(first, exp.Table) else None
    qualifier = (first.alias or default) if joins else None
    return names, default, qualifier


# --- property chains -------------------------------------------------------------------------


def _chain(node: exp.Expr) -> list[str] | None:
    """The names of a dotted chain (``a.b.c``, ``a.b['c']``), or None when ``node`` is not one."""
    if isinstance(node, exp.Bracket):
        keys = node.expressions
        base = _chain(node.this)
        if base is None or len(keys) != 1 or not (isinstance(keys[0], exp.Literal) and keys[0].is_string):
            return None
        return [*base, keys[0].this]
    if isinstance(node, (exp.Column, exp.Dot)):
        parts = node.parts
        if not parts or not all(isinstance(p, exp.Identifier) for p in parts):
            return None
        return [p.name for p in parts]
    return None


def _lower_chain(node: exp.Expr, taxonomy: Taxonomy) -> exp.Expr:
    if isinstance(node.parent, (exp.Dot, exp.Bracket)) and _chain(node.parent) is not None:
        return node  # the outer chain is lowered as a whole
    if not isinstance(node, (exp.Column, exp.Dot, exp.Bracket)):
        return node
    chain = _chain(node)
    if chain is None:
        return node
    names, table, qualifier = _sources(node.find_ancestor(exp.Select))
    if len(chain) > 1 and chain[0] in names:
        qualifier, table, chain = chain[0], names[chain[0]], chain[1:]
    return _resolve(chain, qualifier, table, taxonomy, node)


def _column(name: str, qualifier: str | None) -> exp.Column:
    return exp.column(exp.to_identifier(name, quoted="$" in name), table=qualifier)


def _resolve(
    chain: list[str], qualifier: str | None, table: str | None, taxonomy: Taxonomy, node: exp.Expr
) -> exp.Expr:
    head, rest = chain[0], chain[1:]
    if head == "properties" and rest:
        if rest == ["$session_id"] and table in ("events", None):
            return _column("$session_id", qualifier)
        scope = "person" if table == "persons" else "event"
        return _json_property(_column("properties", qualifier), rest, scope, taxonomy)
    if head == "person" and rest:
        if rest[0] == "properties" and len(rest) > 1:
            return _json_property(_column("person_properties", qualifier), rest[1:], "person", taxonomy)
        if rest == ["id"]:
            return _column("person_id", qualifier)
        if rest == ["created_at"] and table == "events":
            return _joined_person_column(node, "created_at", qualifier)
        raise UnsupportedHogQL(
            f"person.{'.'.join(rest)}: the embedded store has person.id, person.created_at and person.properties on events"
        )
    if head in ("session", "pdi", "poe", "override", "group_0", "group_1", "group_2", "group_3", "group_4") and rest:
        raise UnsupportedHogQL(f"{'.'.join(chain)}: the lazy join '{head}' is not available in the embedded store")
    if len(chain) == 1 and table == "sessions" and head in SESSION_COLUMNS:
        return _column(SESSION_COLUMNS[head], qualifier)
    return node


def _joined_person_column(node: exp.Expr, name: str, qualifier: str | None) -> exp.Expr:
    """HogQL's lazy join to persons, made explicit: the SELECT gets ``LEFT JOIN persons`` once (see ``_add_person_joins``)."""
    select = node.find_ancestor(exp.Select)
    if select is not None:
        events = select.args["from_"].this
        select.meta[_PERSON_JOIN_META] = qualifier or events.alias or events.name
    return exp.column(name, table=_PERSON_JOIN_ALIAS)


def _add_person_joins(tree: exp.Expr) -> None:
    for select in list(tree.find_all(exp.Select)):
        events = select.meta.pop(_PERSON_JOIN_META, None)
        if events is not None:
            select.join(
                exp.alias_(exp.to_table("persons"), _PERSON_JOIN_ALIAS, table=True),
                on=exp.EQ(
                    this=exp.column("id", table=_PERSON_JOIN_ALIAS), expression=exp.column("person_id", table=events)
                ),
                join_type="LEFT",
                copy=False,
            )


def _json_property(column: exp.Column, keys: list[str], scope: str, taxonomy: Taxonomy) -> exp.Expr:
    prop = taxonomy.property(keys[0], scope) if len(keys) == 1 else None  # type: ignore[arg-type]
    json_type = _JSON_TYPES.get(prop.type, _STRING_JSON) if prop else _STRING_JSON
    call = exp.Anonymous(
        this="JSONExtract",
        expressions=[column, *(exp.Literal.string(k) for k in keys), exp.Literal.string(json_type)],
    )
    if json_type == _STRING_JSON:
        call.meta[_STRING_META] = True
    return call


# --- functions -------------------------------------------------------------------------------


def _is_string(node: exp.Expr) -> bool:
    return (isinstance(node, exp.Literal) and node.is_string) or bool(node.meta.get(_STRING_META))


def _call(name: str, *args: exp.Expr) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _lower_function(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.TimestampTrunc) and str(node.meta.get(NAME_META_KEY, "")).startswith(
        ("toStartOf", "toMonday")
    ):
        return _call(node.meta[NAME_META_KEY], node.this, *([node.args["zone"]] if node.args.get("zone") else []))
    if not isinstance(node, exp.Anonymous):
        return node
    name, args = node.name, list(node.expressions)
    if name in POSTHOG_ONLY_FUNCTIONS:
        raise UnsupportedHogQL(f"{name}() is a PostHog function the embedded store cannot run")
    rewrite = _FUNCTION_REWRITES.get(name)
    return rewrite(args) if rewrite else node


def _cast_or_null(target: str) -> Callable[[list[exp.Expr]], exp.Expr]:
    return lambda args: _call("accurateCastOrNull", args[0], exp.Literal.string(target))


def _renamed(target: str) -> Callable[[list[exp.Expr]], exp.Expr]:
    return lambda args: _call(target, *args)


def _to_date(args: list[exp.Expr]) -> exp.Expr:
    return _call("toDateOrNull" if _is_string(args[0]) else "toDate", *args)


def _to_datetime(args: list[exp.Expr]) -> exp.Expr:
    if not _is_string(args[0]):
        return _call("toDateTime", *args)
    return _parse_datetime(args)


def _parse_datetime(args: list[exp.Expr]) -> exp.Expr:
    zone = args[1] if len(args) > 1 else exp.Literal.string("UTC")
    return _call("parseDateTime64BestEffortOrNull", args[0], exp.Literal.number(6), zone)


_FUNCTION_REWRITES: dict[str, Callable[[list[exp.Expr]], exp.Expr]] = {
    **{name: _cast_or_null(target) for name, target in _CAST_OR_NULL.items()},
    **{name: _renamed(target) for name, target in _RENAMED.items()},
    "toDate": _to_date,
    "to_date": _to_date,
    "toDateTime": _to_datetime,
    "parseDateTimeBestEffort": _parse_datetime,
}
