"""PostHog's own HogQL parser as a conformance check: is our text real HogQL?

The ``hogql-parser`` wheel (PostHog's C++/ANTLR grammar, a test dependency) is
the grammar PostHog itself runs, so a template it accepts is HogQL by
definition, whatever sqlglot thinks. Version 1.3.88 exposes the JSON entry
points (``parse_select_json`` …) and, when imported, imports
``posthog.hogql.errors`` for the exception classes it raises. That module is
not on PyPI, so it is stood in for while the extension loads: three exception
classes taking ``(message, start=, end=)``. The extension keeps its own
reference to them, so the stand-in is removed from ``sys.modules`` straight
after (a real ``posthog`` package, if installed, is left untouched).

Syntax errors come back inside the JSON (``"error": true`` with an offset);
they are raised here as ``HogQLSyntaxError`` with line and column.

askhog does not need this module at runtime; tests import it.
"""

from __future__ import annotations

import importlib
import json
import sys
import types
from functools import lru_cache
from typing import Any

from ..errors import HogQLSyntaxError
from .parsing import line_column

_STAND_IN_MODULES = ("posthog", "posthog.hogql", "posthog.hogql.errors")
_ERROR_CLASSES = ("SyntaxError", "ParsingError", "NotImplementedError")


class PostHogParserError(Exception):
    """Base of the stand-in classes the extension raises (``start``/``end`` are character offsets)."""

    def __init__(self, message: str = "", *, start: int | None = None, end: int | None = None, **_: object):
        super().__init__(message)
        self.start = start
        self.end = end


def _errors_module() -> types.ModuleType:
    module = types.ModuleType("posthog.hogql.errors")
    for name in _ERROR_CLASSES:
        setattr(module, name, type(name, (PostHogParserError,), {"__module__": module.__name__}))
    return module


@lru_cache(maxsize=1)
def _extension() -> types.ModuleType:
    if "hogql_parser" in sys.modules:
        return sys.modules["hogql_parser"]
    previous = {name: sys.modules.get(name) for name in _STAND_IN_MODULES}
    stand_ins = {name: types.ModuleType(name) for name in _STAND_IN_MODULES[:2]}
    stand_ins["posthog.hogql.errors"] = _errors_module()
    for name, module in stand_ins.items():
        module.__path__ = []  # importable as a package
        if previous[name] is None:
            sys.modules[name] = module
    try:
        return importlib.import_module("hogql_parser")
    finally:
        for name, module in stand_ins.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]


def parse_select(hogql: str) -> dict[str, Any]:
    """PostHog's AST of a SELECT (as the JSON the extension returns); ``HogQLSyntaxError`` if it does not parse."""
    try:
        tree: dict[str, Any] = json.loads(_extension().parse_select_json(hogql))
    except PostHogParserError as e:
        line, column = line_column(hogql, e.start) if e.start is not None else (None, None)
        raise HogQLSyntaxError(f"PostHog's parser: {e}", line, column) from None
    if isinstance(tree, dict) and tree.get("error"):
        offset = (tree.get("start") or {}).get("offset")
        line, column = line_column(hogql, offset) if offset is not None else (None, None)
        raise HogQLSyntaxError(f"PostHog's parser: {tree.get('message')}", line, column)
    return tree


def assert_posthog_parses(hogql: str) -> dict[str, Any]:
    """For tests: fail with PostHog's message and position unless PostHog's grammar accepts ``hogql``."""
    try:
        return parse_select(hogql)
    except HogQLSyntaxError as e:
        raise AssertionError(f"{e}\n--- query ---\n{hogql}") from None
