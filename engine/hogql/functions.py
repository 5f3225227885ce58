"""Which functions HogQL lets a query call, and what a sqlglot node's function is called.

sqlglot turns the function names it knows into typed nodes (``toStartOfDay`` →
``TimestampTrunc``) and leaves the rest as ``exp.Anonymous``. The guard needs the
name as written, because that is what PostHog will look up: the ClickHouse
dialect keeps it in ``node.meta["clickhouse_name"]``, anonymous calls keep it
in ``this``, and the few nodes built by dedicated parsers are named by class.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from sqlglot import exp

from .dialect import HogQL

_NAME_META_KEY = HogQL.ORIGINAL_NAME_META_KEY or "clickhouse_name"

_NAMED_BY_THIS = (exp.Anonymous, exp.AnonymousAggFunc, exp.CombinedAggFunc, exp.ParameterizedAgg, exp.CombinedParameterizedAgg)

# Nodes that sqlglot's dedicated function parsers build without keeping the written name.
_NAME_BY_CLASS: dict[type[exp.Expr], str] = {
    exp.If: "if",
    exp.Explode: "arrayJoin",
    exp.ArgMin: "argMin",
    exp.ArgMax: "argMax",
    exp.Quantile: "quantile",
    exp.Struct: "tuple",
    exp.Trim: "trim",
    exp.Substring: "substring",
    exp.StrPosition: "position",
    exp.Floor: "floor",
    exp.Ceil: "ceil",
    exp.GroupConcat: "groupConcat",
    exp.Chr: "char",
    exp.Initcap: "initcap",
    exp.Normalize: "normalize",
}

# Nodes that are syntax rather than a call by name: CASE, CAST(x AS T), [..] literals, AND/OR.
_SYNTAX_NODES = (exp.Case, exp.Cast, exp.Array, exp.Connector, exp.Xor)


@lru_cache(maxsize=1)
def _allow_lists() -> tuple[frozenset[str], frozenset[str]]:
    sections: dict[str, set[str]] = {}
    current: set[str] | None = None
    text = resources.files("askhog.hogql").joinpath("functions.txt").read_text(encoding="utf-8")
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], set())
        elif current is not None:
            current.add(line)
    return frozenset(sections.get("exposed", ())), frozenset(sections.get("case_insensitive", ()))


def is_allowed(name: str) -> bool:
    """Whether PostHog resolves ``name`` as a HogQL function (exactly, or lower-cased where it allows)."""
    exposed, case_insensitive = _allow_lists()
    return name in exposed or name.lower() in case_insensitive


def function_name(node: exp.Func) -> str | None:
    """The name the query wrote for this call, or ``None`` for syntax such as CASE or CAST."""
    written = node.meta.get(_NAME_META_KEY)
    if written:
        return str(written)
    if isinstance(node, _NAMED_BY_THIS):
        return node.name
    if isinstance(node, exp.If) and isinstance(node.parent, exp.Case):
        return None
    if isinstance(node, _SYNTAX_NODES):
        return None
    return _NAME_BY_CLASS.get(type(node), node.sql_name().lower())
