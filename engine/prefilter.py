"""Which literal text a regular expression cannot match without: a cheap test before the search.

The catalog holds a few hundred rule patterns, and Python's regex engine tries each one at every
position of a question; on a 1,000-character question that alone took longer than askhog's 20 ms
budget. Most rules need a word the question does not hold ("how many", "retention", "funnel"), and a
substring test (``in``, done in C over the whole text at once) tells so far faster than the search.
``needed`` reads a pattern's parsed form (from the parser ``re`` itself compiles with) and returns one set of strings of which every match holds at
least one (RE2's "prefilter"), or None when no such set is known; skipping a search is then exact:
it only ever skips a pattern that could not have matched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

_ZERO_WIDTH = {sre_constants.AT, sre_constants.ASSERT, sre_constants.ASSERT_NOT}
_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT}


def needed(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Strings of which any match of ``pattern`` contains one (lower-case), or None: always search.

    A pattern compiled to ignore case is not prefiltered (its matches need not hold the literal as
    written), nor is one whose parse this module does not know."""
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        found = _sequence(list(sre_parse.parse(pattern.pattern, pattern.flags)))
    except (re.error, TypeError, ValueError, RecursionError):
        return None
    return frozenset(found) if found and all(found) else None


def _sequence(items: list[tuple[Any, Any]]) -> set[str] | None:
    """The most selective requirement among a sequence's pieces: runs of literal characters (zero-width
    assertions do not break a run) and the requirements of its groups, alternations and repeats."""
    candidates: list[set[str]] = []
    run: list[str] = []
    for op, av in items:
        if op == sre_constants.LITERAL:
            run.append(chr(av))
            continue
        if op in _ZERO_WIDTH:
            continue
        if run:
            candidates.append({"".join(run)})
            run = []
        inner = _item(op, av)
        if inner is not None:
            candidates.append(inner)
    if run:
        candidates.append({"".join(run)})
    if not candidates:
        return None
    return max(candidates, key=lambda c: (min(len(s) for s in c), -len(c)))


def _item(op: Any, av: Any) -> set[str] | None:
    if op == sre_constants.SUBPATTERN:
        _, add_flags, _, child = av
        return None if add_flags & re.IGNORECASE else _sequence(list(child))
    if op == sre_constants.ATOMIC_GROUP:
        return _sequence(list(av))
    if op in _REPEATS:
        low, _, child = av
        return _sequence(list(child)) if low >= 1 else None
    if op == sre_constants.BRANCH:
        union: set[str] = set()
        for branch in av[1]:
            found = _sequence(list(branch))
            if found is None:
                return None
            union |= found
        return union
    return None


class Gated:
    """A compiled pattern that is only searched when the text holds one of the strings it needs.

    A drop-in for the few methods the reader uses (``search``, ``finditer``, ``match`` at a position is not
    gated: the gate speaks of the whole text)."""

    __slots__ = ("needs", "regex")

    def __init__(self, regex: re.Pattern[str]):
        self.regex = regex
        self.needs = needed(regex)

    @property
    def pattern(self) -> str:
        return self.regex.pattern

    def possible(self, text: str) -> bool:
        return self.needs is None or any(word in text for word in self.needs)

    def search(self, text: str) -> re.Match[str] | None:
        return self.regex.search(text) if self.possible(text) else None

    def finditer(self, text: str) -> Iterator[re.Match[str]]:
        return self.regex.finditer(text) if self.possible(text) else iter(())


def gated(pattern: str | re.Pattern[str]) -> Gated:
    return Gated(pattern if isinstance(pattern, re.Pattern) else re.compile(pattern))
