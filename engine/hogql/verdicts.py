"""A bounded memory of what validation concluded, so a query text repeated across questions is checked once.

Literals are placeholders, so one template renders the same text for many questions. What is kept
per text is the *verdict* only (the checklist's warnings, or the problems that refused it), never the
sqlglot tree (tens of kilobytes per query); entries are keyed by a 128-bit BLAKE2 digest of the text
rather than the text itself, and the least recently used entry goes first once ``max_entries`` are
held. Memory is therefore flat after warm-up, whatever questions arrive.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import HogQLSyntaxError, Problem, UnsafeQueryError
from ..lru import TTLCache
from .validate import DEFAULT_TABLES, validate

VALIDATION_CACHE_SIZE = 4096
"""Verdicts an ``Engine`` remembers (a few hundred bytes each: the digest and the warnings)."""


@dataclass(frozen=True)
class Verdict:
    """Accepted (``refused`` is empty; ``warnings`` may not be) or refused (the problems, or a syntax error)."""

    warnings: tuple[Problem, ...] = ()
    refused: tuple[Problem, ...] = ()
    syntax: tuple[str, int | None, int | None] | None = None

    def raise_if_refused(self) -> None:
        """Raise a fresh exception for a refused text (a stored exception would carry an old traceback)."""
        if self.syntax is not None:
            message, line, column = self.syntax
            raise HogQLSyntaxError(message, line, column)
        if self.refused:
            raise UnsafeQueryError(list(self.refused))


class VerdictCache:
    """Thread-safe LRU of verdicts by query text; ``max_entries <= 0`` keeps nothing."""

    def __init__(self, max_entries: int = VALIDATION_CACHE_SIZE, *, tables: Iterable[str] = DEFAULT_TABLES):
        self.max_entries = max_entries
        self._tables = frozenset(tables)
        self._verdicts: TTLCache[Verdict] = TTLCache(math.inf, max_entries)  # a verdict never goes stale

    def check(self, hogql: str) -> tuple[Problem, ...]:
        """The checklist's warnings for ``hogql``; raises ``HogQLSyntaxError`` or ``UnsafeQueryError`` as
        ``validate`` does, from memory when the text was judged before."""
        key = hashlib.blake2b(hogql.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = _judge(hogql, self._tables)
            self._verdicts.put(key, verdict)
        verdict.raise_if_refused()
        return verdict.warnings

    def clear(self) -> None:
        self._verdicts.clear()

    def __len__(self) -> int:
        return len(self._verdicts)


def _judge(hogql: str, tables: frozenset[str]) -> Verdict:
    try:
        checked = validate(hogql, tables=tables)
    except HogQLSyntaxError as e:
        return Verdict(syntax=(e.reason, e.line, e.column))
    except UnsafeQueryError as e:
        return Verdict(refused=tuple(e.problems))
    return Verdict(warnings=tuple(checked.warnings))
