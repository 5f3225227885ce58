"""HogQL on sqlglot: the dialect, the parse, the guard, the lint and the lowering to chDB's ClickHouse."""

from .dialect import HogQL
from .lint import format_problems, lint
from .lower import lower
from .parsing import parse
from .posthog_parser import assert_posthog_parses
from .validate import DEFAULT_TABLES, Validated, validate

__all__ = [
    "DEFAULT_TABLES",
    "HogQL",
    "Validated",
    "assert_posthog_parses",
    "format_problems",
    "lint",
    "lower",
    "parse",
    "validate",
]
