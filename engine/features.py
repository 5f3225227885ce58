"""TF-IDF features of a question: word 1–2-grams and character 2–5-grams.

The same features scikit-learn's ``TfidfVectorizer`` computes (smoothed idf,
sublinear tf, each block L2-normalized), written out so that scoring one
question is a handful of dictionary look-ups and one small matrix product:
the engine answers in well under a millisecond instead of paying sklearn's
per-call validation, and a trained model can be reloaded without importing
sklearn at all.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise, repeat

import numpy as np

_WORD = re.compile(r"[$\w][\w$']*")
CHAR_RANGE = (2, 5)


def word_grams(text: str) -> list[str]:
    words = _WORD.findall(text)
    return words + [f"{a} {b}" for a, b in pairwise(words)]


def _word_char_grams(word: str) -> list[str]:
    padded = f" {word} "
    length = len(padded)
    lo, hi = CHAR_RANGE
    return [padded[i : i + n] for n in range(lo, min(hi, length) + 1) for i in range(length - n + 1)]


def char_grams(text: str) -> list[str]:
    """Character n-grams inside word boundaries, padded with spaces (sklearn's ``char_wb``)."""
    grams: list[str] = []
    for word in text.split():
        grams.extend(_word_char_grams(word))
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

        Training is on every cold start's path, so n-grams are cut once per distinct word and the
        weights are computed for the whole matrix at once rather than term by term.
        """
        from scipy.sparse import csr_matrix

        by_word: dict[str, list[str]] = {}
        counted: list[tuple[Counter[str], Counter[str]]] = []
        for text in texts:
            chars: list[str] = []
            for word in text.split():
                grams = by_word.get(word)
                if grams is None:
                    grams = by_word[word] = _word_char_grams(word)
                chars.extend(grams)
            counted.append((Counter(word_grams(text)), Counter(chars)))
        n = len(texts)
        blocks: list[Block] = []
        offset = 0
        for which, min_df in ((0, 1), (1, min_df_chars)):
            df: Counter[str] = Counter()
            for counts in counted:
                df.update(counts[which].keys())
            terms = sorted(term for term, count in df.items() if count >= min_df)
            vocab = {term: i for i, term in enumerate(terms)}
            idf = np.log((1 + n) / (1 + np.array([df[t] for t in terms], dtype=np.float64))) + 1.0
            blocks.append(Block(vocab, idf, offset))
            offset += len(vocab)
        featurizer = cls(blocks)
        # One segment per (text, block): each is L2-normalized on its own, as two TfidfVectorizers would.
        segments: list[int] = []
        cols: list[int] = []
        tfs: list[int] = []
        lookups = [block.vocab.get for block in blocks]
        for row, pair in enumerate(counted):
            for which, tally in enumerate(pair):
                segments.extend(repeat(2 * row + which, len(tally)))
                cols.extend(map(lookups[which], tally, repeat(-1)))
                tfs.extend(tally.values())
        col = np.asarray(cols, dtype=np.int64)
        segment = np.asarray(segments, dtype=np.int64)
        known = col >= 0  # character n-grams under min_df are not in the vocabulary
        segment, tf = segment[known], np.asarray(tfs, dtype=np.float64)[known]
        col = col[known] + np.array([b.offset for b in blocks])[segment % 2]
        idf_all = np.concatenate([b.idf for b in blocks])
        weights = (1.0 + np.log(tf)) * idf_all[col]
        norms = np.sqrt(np.bincount(segment, weights=weights * weights, minlength=2 * n))
        values = weights / norms[segment]
        return featurizer, csr_matrix((values, (segment // 2, col)), shape=(n, featurizer.size))

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
