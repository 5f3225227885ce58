"""Which functions HogQL lets a query call, and what a sqlglot node's function is called.

sqlglot turns the function names it knows into typed nodes (``toStartOfDay`` →
``TimestampTrunc``) and leaves the rest as ``exp.Anonymous``. The guard needs the
name as written, because that is what PostHog will look up: the ClickHouse
dialect keeps it in ``node.meta["clickhouse_name"]`` (the HogQL dialect extends
that to calls with dedicated parsers), and anonymous calls keep it in ``this``.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from sqlglot import exp

from .dialect import NAME_META_KEY

_NAMED_BY_THIS = (
    exp.Anonymous,
    exp.AnonymousAggFunc,
    exp.CombinedAggFunc,
    exp.ParameterizedAgg,
    exp.CombinedParameterizedAgg,
)

# Syntax rather than a call by name: CASE, CAST(x AS T) and x::T, [..] literals, AND/OR.
_SYNTAX_NODES = (exp.Case, exp.Array, exp.Connector, exp.Xor)


@lru_cache(maxsize=1)
def allow_lists() -> tuple[frozenset[str], frozenset[str]]:
    """HogQL's exposed function names, and those it also resolves lower-cased (from ``functions.txt``)."""
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
    exposed, case_insensitive = allow_lists()
    return name in exposed or name.lower() in case_insensitive


def function_name(node: exp.Func) -> str | None:
    """The name the query wrote for this call, or ``None`` for syntax such as CASE or CAST."""
    if isinstance(node, _SYNTAX_NODES) or type(node) is exp.Cast:
        return None
    if isinstance(node, exp.If):
        # if(a, b, c) is built without a name; a CASE's WHEN branches are If nodes too.
        return None if isinstance(node.parent, exp.Case) else "if"
    written = node.meta.get(NAME_META_KEY)
    if written:
        return str(written)
    if isinstance(node, _NAMED_BY_THIS):
        return node.name
    return node.sql_name().lower()
