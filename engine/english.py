"""Is a word plain English? The test behind "this project has nothing called 'webinar'".

A word the catalog never uses may still be ordinary English ("ignore", "raw", "filer"): asking the user
about it would be noise. A word that is neither the project's nor English ("webinar", "kanban", "csat")
names something the project does not track, and a question leaning on it must be asked about rather than
answered without it. The word list is Webster's Second International (public domain), through the
``english-words`` package, loaded on first use; inflections are reduced to their base form first.
"""

from __future__ import annotations

import threading
from functools import lru_cache

_lock = threading.Lock()
_words: frozenset[str] | None = None

_ENDINGS: tuple[tuple[str, str], ...] = (
    ("iest", "y"),
    ("ies", "y"),
    ("ied", "y"),
    ("ier", "y"),
    ("ily", "y"),
    ("est", ""),
    ("est", "e"),
    ("ing", ""),
    ("ing", "e"),
    ("ed", ""),
    ("ed", "e"),
    ("er", ""),
    ("er", "e"),
    ("es", ""),
    ("s", ""),
    ("ly", ""),
    ("d", ""),
)


def _load() -> frozenset[str]:
    global _words
    with _lock:
        if _words is None:
            from english_words import get_english_words_set

            _words = frozenset(get_english_words_set(["web2"], lower=True, alpha=True))
        return _words


@lru_cache(maxsize=4096)
def is_english(word: str) -> bool:
    """``word`` (lower case) or its base form ("escalated" → "escalate", "noisiest" → "noisy") is a dictionary
    word; doubled consonants are undone ("stopped" → "stop")."""
    words = _load()
    if word in words:
        return True
    for ending, base in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            stem = word[: -len(ending)] + base
            if stem in words or (len(stem) > 3 and stem[-1] == stem[-2] and stem[:-1] in words):
                return True
    return False
