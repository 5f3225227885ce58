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


def time_bounds(tree: exp.Expr, values: dict[str, Any]) -> set[tuple[str, str, Any]]:
    """``(operator, column, bound value)`` of every time-window comparison."""
    out = set()
    for column in ("timestamp", "$start_timestamp"):
        for op, name in bound_comparisons(tree, column):
            out.add((op, column, values[name]))
    return out


def literal_strings(tree: exp.Expr) -> set[str]:
    return {lit.this for lit in tree.find_all(exp.Literal) if lit.is_string}


def shape(tree: exp.Expr) -> str:
    """The tree with every literal and placeholder blanked: equal shapes mean equal meaning but for values."""
    blank = tree.transform(
        lambda n: exp.Placeholder(this="_") if isinstance(n, (exp.Placeholder, exp.Literal)) else n
    )
    return repr(blank)


def where_orders(tree: exp.Expr) -> list[list[str]]:
    """For every WHERE, the kind of each top-level conjunct in order: time, event, property or other."""

    def kind(node: exp.Expr) -> str:
        inner = node.unnest()
        left = inner.this if isinstance(inner, (exp.EQ, exp.In, exp.GTE, exp.LT)) else None
        if isinstance(left, exp.Column) and left.name in ("timestamp", "$start_timestamp"):
            return "time"
        if isinstance(left, exp.Column) and left.name == "event" or isinstance(inner, exp.And) and kind(inner.left) == "event":
            return "event"
        if any(c.table == "properties" for c in node.find_all(exp.Column)):
            return "property"
        return "other"

    orders = []
    for where in tree.find_all(exp.Where):
        conjuncts = list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]
        orders.append([kind(c) for c in conjuncts])
    return orders
