"""The closest known word to a typo, with a bounded cost per question.

Respelling a word the catalog does not know ("retnetion") compares it with every known word; done for
each unknown word of a 1,000-character question that took far longer than askhog's 20 ms budget. Three
bounds keep it linear and small: only known words of a length that can reach the similarity cutoff are
compared (an edit distance is at least the difference in length), each word's answer is remembered (a
bounded LRU cache), and a question respells at most ``MAX_LOOKUPS`` distinct words: one with more words
nobody has seen is not a question whose typos decide what it asks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

MAX_LOOKUPS = 12
"""Distinct words one question may respell (later ones are left as written)."""
CACHE_SIZE = 4096
"""Words whose nearest known word is remembered, least recently used dropped first."""


class Nearest:
    """The closest of a fixed list of words by Damerau-Levenshtein similarity, if at least ``cutoff``."""

    def __init__(self, words: Iterable[str], cutoff: float):
        self._words = list(words)
        self.cutoff = cutoff
        self.closest = lru_cache(maxsize=CACHE_SIZE)(self._closest)

    def _closest(self, word: str) -> tuple[str, float] | None:
        """The nearest word and its similarity. Similarity is ``1 - distance / longer length`` and a distance is at
        least the difference in length, so only lengths in ``[cutoff·n, n/cutoff]`` can reach the cutoff; the
        candidates keep the list's order, so ties are broken as a search of the whole list would."""
        n = len(word)
        low, high = math.ceil(self.cutoff * n - 1e-9), math.floor(n / self.cutoff + 1e-9)
        candidates = [w for w in self._words if low <= len(w) <= high]
        hit = process.extractOne(
            word, candidates, scorer=DamerauLevenshtein.normalized_similarity, score_cutoff=self.cutoff
        )
        return (hit[0], float(hit[1])) if hit is not None else None


class Budget:
    """How many distinct words one question may still respell; words already asked about are free."""

    def __init__(self, lookups: int = MAX_LOOKUPS):
        self._left = lookups
        self._seen: set[str] = set()

    def allows(self, word: str) -> bool:
        if word in self._seen:
            return True
        if self._left <= 0:
            return False
        self._left -= 1
        self._seen.add(word)
        return True
