"""TF-IDF features of a question: word 1–2-grams and character 2–5-grams.

The same features scikit-learn's ``TfidfVectorizer`` computes (smoothed idf,
sublinear tf, each block L2-normalized), written out so that scoring one
question is a handful of dictionary look-ups and one small matrix product:
the engine answers in well under a millisecond instead of paying sklearn's
per-call validation, and a trained model can be reloaded without importing
sklearn at all.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

import numpy as np

_WORD = re.compile(r"[$\w][\w$']*")
CHAR_RANGE = (2, 5)


def word_grams(text: str) -> list[str]:
    words = _WORD.findall(text)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:])]


def char_grams(text: str) -> list[str]:
    """Character n-grams inside word boundaries, padded with spaces (sklearn's ``char_wb``)."""
    grams: list[str] = []
    lo, hi = CHAR_RANGE
    for word in text.split():
        padded = f" {word} "
        length = len(padded)
        for n in range(lo, hi + 1):
            if n > length:
                break
            grams.extend(padded[i : i + n] for i in range(length - n + 1))
    return grams


@dataclass
class Block:
    """One vocabulary (words or chars) with its idf weights."""

    vocab: dict[str, int]
    idf: np.ndarray
    offset: int


class Featurizer:
    """Fitted on the catalog's examples; ``transform`` maps one question to (indices, values)."""

    def __init__(self, blocks: Sequence[Block]):
        self.blocks = list(blocks)
        self.size = sum(len(b.vocab) for b in self.blocks)
        self._words_by_index = {i: t for t, i in self.blocks[0].vocab.items()}

    @classmethod
    def fit_transform(cls, texts: Sequence[str], min_df_chars: int = 2):  # type: ignore[no-untyped-def]
        """Learn the vocabularies and idf from ``texts`` and return them with the texts' CSR matrix.

        Each text's n-grams are counted once and reused for both, which halves start-up training.
        """
        from scipy.sparse import csr_matrix

        counted = [(Counter(word_grams(t)), Counter(char_grams(t))) for t in texts]
        n = len(texts)
        blocks: list[Block] = []
        offset = 0
        for which, min_df in ((0, 1), (1, min_df_chars)):
            df: Counter[str] = Counter()
            for counts in counted:
                df.update(counts[which].keys())
            terms = sorted(term for term, count in df.items() if count >= min_df)
            vocab = {term: i for i, term in enumerate(terms)}
            idf = np.array([math.log((1 + n) / (1 + df[t])) + 1.0 for t in terms])
            blocks.append(Block(vocab, idf, offset))
            offset += len(vocab)
        featurizer = cls(blocks)
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for row, counts in enumerate(counted):
            for block, grams in zip(blocks, counts):
                kept = [(block.vocab[g], c) for g, c in grams.items() if g in block.vocab]
                if not kept:
                    continue
                weights = [(1.0 + math.log(c)) * block.idf[i] for i, c in kept]
                norm = math.sqrt(sum(w * w for w in weights))
                rows.extend([row] * len(kept))
                cols.extend(i + block.offset for i, _ in kept)
                vals.extend(w / norm for w in weights)
        return featurizer, csr_matrix((vals, (rows, cols)), shape=(n, featurizer.size))

    def transform_one(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        indices: list[int] = []
        values: list[float] = []
        for block, extract in zip(self.blocks, (word_grams, char_grams)):
            counts = Counter(g for g in extract(text) if g in block.vocab)
            if not counts:
                continue
            idx = np.fromiter((block.vocab[g] for g in counts), dtype=np.int64, count=len(counts))
            tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
            w = tf * block.idf[idx]
            w /= np.sqrt(np.dot(w, w))
            indices.extend((idx + block.offset).tolist())
            values.extend(w.tolist())
        return np.asarray(indices, dtype=np.int64), np.asarray(values, dtype=np.float64)

    def word_of(self, index: int) -> str | None:
        """The word n-gram behind a feature index (None for character n-grams)."""
        return self._words_by_index.get(index)
