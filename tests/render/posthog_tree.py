"""PostHog's own AST (from hogql-parser) with positions dropped, and its placeholders filled as PostHog fills them."""

from __future__ import annotations

import functools
from typing import Any

from askhog.hogql.posthog_parser import parse_select


def bare(node: Any) -> Any:
    """The AST without source positions: two texts with the same meaning give equal trees."""
    if isinstance(node, dict):
        return {k: bare(v) for k, v in node.items() if k not in ("start", "end")}
    if isinstance(node, list):
        return [bare(v) for v in node]
    return node


def filled(node: Any, values: dict[str, Any]) -> Any:
    """The AST with every ``{name}`` placeholder replaced by a constant, as PostHog's query API does with ``values``."""
    if isinstance(node, dict):
        if node.get("node") == "Placeholder":
            (name,) = node["expr"]["chain"]
            return {"node": "Constant", "value": values[name]}
        return {k: filled(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [filled(v, values) for v in node]
    return node


def constants(node: Any) -> list[Any]:
    if isinstance(node, dict):
        own = [node["value"]] if node.get("node") == "Constant" else []
        return own + [c for v in node.values() for c in constants(v)]
    if isinstance(node, list):
        return [c for v in node for c in constants(v)]
    return []


@functools.lru_cache(maxsize=512)
def posthog_tree(hogql: str) -> Any:
    """Read once per text (PostHog's parser takes 0.1-1 s a query; a stem's bound query is the same text whatever
    values it binds): the tree is shared, callers compare it and build new ones (``filled``), never change it."""
    return bare(parse_select(hogql))
