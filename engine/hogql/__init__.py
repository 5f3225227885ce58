"""HogQL on sqlglot: the dialect, the parse, the guard, the lint and the lowering to chDB's ClickHouse."""

from .dialect import HogQL
from .parsing import parse

__all__ = ["HogQL", "parse"]
