"""ClickHouse string literals for the statements the demo store writes itself (its own values, never a user's
query: those are bound by the HogQL layer). A module of its own so that the store, the encoder and the loader
share it without importing each other."""

from __future__ import annotations


def quote(value: str) -> str:
    """A ClickHouse string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
