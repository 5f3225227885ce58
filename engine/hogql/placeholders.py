"""Binding HogQL ``{placeholders}`` to values as sqlglot literal nodes.

A value becomes a node (string, number, tuple…), never text spliced into the
query, so no value can change the query's structure. The lowering binds every
placeholder; the checklist binds the ones it is given, to judge a time range
written as ``timestamp >= toDateTime({date_from})``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlglot import exp

from ..clock import aware_utc
from ..errors import TemplateError


def bind_placeholders(tree: exp.Expr, values: Mapping[str, Any], *, strict: bool = True) -> exp.Expr:
    """Replace each ``{name}`` with a literal built from ``values[name]`` (``{a.b}`` looks in ``values['a']['b']`` too).

    ``strict`` raises ``TemplateError`` for a placeholder without a value;
    otherwise it is left in place. The tree is changed in place.
    """

    def bind(node: exp.Expr) -> exp.Expr:
        if not isinstance(node, exp.Placeholder) or node.args.get("kind") is not None:
            return node
        try:
            value = _lookup(values, node.name)
        except TemplateError:
            if strict:
                raise
            return node
        return _literal(value, node.name, in_list=isinstance(node.parent, exp.In))

    return tree.transform(bind, copy=False)


def _lookup(values: Mapping[str, Any], name: str) -> Any:
    if name in values:
        return values[name]
    current: Any = values
    for part in name.split("."):
        if not isinstance(current, Mapping) or part not in current:
            raise TemplateError(f"no value for placeholder {{{name}}}; pass it in values")
        current = current[part]
    return current


def _literal(value: Any, name: str, in_list: bool = False) -> exp.Expr:
    if isinstance(value, exp.Expr):
        return value.copy()
    if value is None:
        return exp.null()
    if isinstance(value, bool):
        return exp.true() if value else exp.false()
    if isinstance(value, (int, float)):
        return exp.Literal.number(value)
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, datetime):
        text = aware_utc(value).strftime("%Y-%m-%d %H:%M:%S.%f")  # a caller's value: naive means UTC
        return exp.Anonymous(
            this="toDateTime64",
            expressions=[exp.Literal.string(text), exp.Literal.number(6), exp.Literal.string("UTC")],
        )
    if isinstance(value, date):
        return exp.Anonymous(this="toDate", expressions=[exp.Literal.string(value.isoformat())])
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_literal(v, name) for v in (sorted(value) if isinstance(value, (set, frozenset)) else value)]
        return exp.Tuple(expressions=items) if in_list else exp.Array(expressions=items)
    raise TemplateError(
        f"placeholder {{{name}}} got a {type(value).__name__}; use a string, number, bool, date, list or None"
    )
