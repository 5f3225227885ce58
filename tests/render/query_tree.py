"""Reading a rendered query's meaning from its sqlglot tree (never from its text)."""

from __future__ import annotations

from typing import Any

from sqlglot import exp


def placeholders(tree: exp.Expr) -> set[str]:
    return {p.name for p in tree.find_all(exp.Placeholder)}


def output_columns(tree: exp.Expr) -> list[str]:
    """The outermost SELECT's column names, as a consumer of the result sees them."""
    return [e.alias_or_name for e in tree.expressions]


def group_by(tree: exp.Expr) -> list[str]:
    group = tree.args.get("group")
    return [e.alias_or_name for e in group.expressions] if group else []


def limit_value(tree: exp.Expr, values: dict[str, Any]) -> Any:
    limit = tree.args.get("limit")
    assert limit is not None, "the outermost SELECT has no LIMIT"
    node = limit.expression
    if isinstance(node, exp.Placeholder):
        return values[node.name]
    return int(node.name)


def _side_placeholder(node: exp.Expr) -> str | None:
    found = node.find(exp.Placeholder)
    return found.name if found else None


def bound_comparisons(tree: exp.Expr, column: str) -> list[tuple[str, str]]:
    """``(operator, placeholder)`` for every comparison of ``column`` with a bound value (IN lists each one)."""
    out = []
    for node in tree.find_all(exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE):
        left = node.this
        if isinstance(left, exp.Column) and left.name == column:
            name = _side_placeholder(node.expression)
            if name:
                out.append((type(node).__name__, name))
    for node in tree.find_all(exp.In):
        if isinstance(node.this, exp.Column) and node.this.name == column:
            out.extend(("In", p.name) for e in node.expressions for p in e.find_all(exp.Placeholder))
    return out


def events_matched(tree: exp.Expr, values: dict[str, Any]) -> set[str]:
    """The event names the query compares the ``event`` column with."""
    return {values[name] for op, name in bound_comparisons(tree, "event") if op in ("EQ", "In")}


def datetime_placeholder(node: exp.Expr) -> str | None:
    """The placeholder of ``toDateTime({name}, ...)``, also when an interval is added to or taken from it, or when
    it is the start of its calendar period (``toStartOfWeek(toDateTime({date_from}, 'UTC'), 1)``)."""
    while isinstance(node, (exp.Add, exp.Sub, exp.TimestampTrunc)) or (
        isinstance(node, exp.Anonymous) and node.name.lower().startswith("tostartof") and node.expressions
    ):
        node = node.expressions[0] if isinstance(node, exp.Anonymous) else node.this
    if isinstance(node, exp.Anonymous) and node.name.lower() == "todatetime" and node.expressions:
        first = node.expressions[0]
        return first.name if isinstance(first, exp.Placeholder) else None
    return None


def time_bounds(tree: exp.Expr, values: dict[str, Any]) -> set[tuple[str, str, Any]]:
    """``(operator, column, bound value)`` of every comparison of a time column with a bound date.

    Only ``col <op> toDateTime({date})`` (± an interval) counts: ``timestamp < anchor_at + toIntervalDay({days})``
    is a condition relative to each person, not a bound of the window."""
    out = set()
    for node in tree.find_all(exp.GTE, exp.GT, exp.LT, exp.LTE):
        left = node.this
        if isinstance(left, exp.Column) and not left.table:
            name = datetime_placeholder(node.expression)
            if name:
                out.add((type(node).__name__, left.name, values[name]))
    return out


# --- reading parts of a query ------------------------------------------------------------------


def selects(tree: exp.Expr) -> list[exp.Select]:
    """Every SELECT of the query, the outermost first."""
    return (
        [tree, *(s for s in tree.find_all(exp.Select) if s is not tree)]
        if isinstance(tree, exp.Select)
        else list(tree.find_all(exp.Select))
    )


def select_expr(select: exp.Expr, alias: str) -> exp.Expr:
    """The expression a SELECT names ``alias`` (a bare column names itself)."""
    for e in select.expressions:
        if e.alias_or_name == alias:
            return e.this if isinstance(e, exp.Alias) else e
    raise AssertionError(f"no column {alias!r} in {[e.alias_or_name for e in select.expressions]}")


def unround(node: exp.Expr) -> exp.Expr:
    """``round(x, 2)`` → ``x``."""
    return node.this if isinstance(node, exp.Round) else node


def placeholder_value(node: exp.Expr, values: dict[str, Any]) -> Any:
    """The value bound to the one placeholder in ``node``."""
    names = {p.name for p in ([node] if isinstance(node, exp.Placeholder) else node.find_all(exp.Placeholder))}
    assert len(names) == 1, f"expected one bound value in {node.sql()}, found {sorted(names)}"
    return values[names.pop()]


def column_names(node: exp.Expr) -> set[str]:
    return {c.name for c in node.find_all(exp.Column)} | ({node.name} if isinstance(node, exp.Column) else set())


def calls(tree: exp.Expr, name: str) -> list[exp.Anonymous]:
    """Calls of a function sqlglot does not know by type (``multiIf``, ``toDayOfWeek`` is typed: see ``grain_of``)."""
    return [n for n in tree.find_all(exp.Anonymous) if n.name.lower() == name.lower()]


def grain_of(node: exp.Expr) -> str | None:
    """Which calendar bucket or time grain an expression is: hour, day, week (Monday), month, hour_of_day, day_of_week."""
    if isinstance(node, exp.TimestampTrunc):
        return str(node.args["unit"].name).lower()
    if isinstance(node, exp.Anonymous) and node.name == "toStartOfWeek":
        mode = node.expressions[1] if len(node.expressions) > 1 else None
        return "week" if mode is not None and mode.name == "1" else "week (not Monday)"
    if isinstance(node, exp.Anonymous) and node.name == "toHour":
        return "hour_of_day"
    if isinstance(node, exp.DayOfWeekIso):
        return "day_of_week"
    return None


def person_subqueries(tree: exp.Expr) -> list[tuple[bool, exp.Select]]:
    """``person_id [NOT] IN (SELECT ...)``: (negated, the subquery) for each."""
    out = []
    for node in tree.find_all(exp.In):
        query = node.args.get("query")
        if isinstance(node.this, exp.Column) and node.this.name == "person_id" and query is not None:
            out.append((isinstance(node.parent, exp.Not), query.this))
    return out


def literal_strings(tree: exp.Expr) -> set[str]:
    return {lit.this for lit in tree.find_all(exp.Literal) if lit.is_string}


def shape(tree: exp.Expr) -> str:
    """The tree with every literal and placeholder blanked: equal shapes mean equal meaning but for values."""
    blank = tree.transform(lambda n: exp.Placeholder(this="_") if isinstance(n, (exp.Placeholder, exp.Literal)) else n)
    return repr(blank)


def where_orders(tree: exp.Expr) -> list[list[str]]:
    """For every WHERE, the kind of each top-level conjunct in order: time, event, property or other."""

    def kind(node: exp.Expr) -> str:
        inner = node.unnest()
        left = inner.this if isinstance(inner, (exp.EQ, exp.In, exp.GTE, exp.LT)) else None
        if isinstance(left, exp.Column) and left.name in ("timestamp", "$start_timestamp"):
            # the window is a bound date; "within N days of the anchor" compares with each person's own time
            return "time" if isinstance(inner, exp.EQ) or datetime_placeholder(inner.expression) else "other"
        if (isinstance(left, exp.Column) and left.name == "event") or (
            isinstance(inner, exp.And) and kind(inner.left) == "event"
        ):
            return "event"
        if any(c.table == "properties" for c in node.find_all(exp.Column)):
            return "property"
        return "other"

    orders = []
    for where in tree.find_all(exp.Where):
        conjuncts = list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]
        orders.append([kind(c) for c in conjuncts])
    return orders
