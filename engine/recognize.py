"""Recognize which analysis a question asks for.

Two sources of evidence, one score: the catalog's rule phrases (precise, from
the seed's decision tree) and a linear SVM over TF-IDF word and character
n-grams, trained on the catalog's examples (broad, forgiving). The SVM's
margins, times one temperature (``SCALE``), are read as log-odds; rules add to
them, so a rule tips a close call but cannot overrule overwhelming evidence. When the top family is weak or the top two are within ``margin``
(Rasa's fallback rule), the engine asks instead of guessing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .catalog import Catalog
from .errors import QuestionError
from .features import CHAR_RANGE, Block, Featurizer, word_grams
from .nearest import Budget, Nearest
from .prefilter import needed
from .text import STOPWORDS, Question, normalize, stem
from .timerange import MONTHS

RULE_BOOST = 4.0
"""How many nats a fully confident rule adds to its family's log-odds."""
TYPO_SIMILARITY = 0.8
"""Damerau-Levenshtein similarity for respelling an unknown word: one slip in a five-letter word."""
VETO = 0.95
"""An out_of_scope rule this sure (writes, code, definitions) decides alone."""
REFUSE_AT = 0.15
"""The out-of-scope operating point, when the catalog does not set one (``refuse_at`` in
``intents/out_of_scope.yaml`` does): a refusal at least this probable is acted on: it refuses when it is the
top reading, and when an analysis leads, the analysis is confirmed before querying (a query for a question
that was not an analytics question is the one mistake askhog must not make). A refusal less probable than
this is not a reading: the best analysis is read instead. ``askhog eval --oos-curve`` sweeps it."""
REFUSAL_RULE = 0.9
"""An out_of_scope rule this sure that lost to an analysis still stops the query: the engine asks first."""
FOREIGN_MIN_WORDS = 4
FOREIGN_SHARE = 0.3
"""A question of 4+ words of which under 30% are known is read as another language: no English
analytics question of the dev sets falls under it; the German, French and Spanish ones do."""
THRESHOLD = 0.40
"""Below this confidence the engine asks which analysis was meant."""
MARGIN = 0.10
"""Top two families closer than this are too close to call."""
C = 1.0
"""Regularization of the linear SVM (a linear SVM beat logistic regression on the dev split, 5x faster to train)."""
TOL = 1e-3
"""liblinear's stopping tolerance: 1e-3 instead of sklearn's 1e-4 trains in 85% of the time and changes no
prediction on the dev sets (its largest coefficient change is 1e-4)."""
SCALE = 6.0
"""Temperature: SVM margins times SCALE are treated as log-odds. 6 minimizes the negative log-likelihood
of 5-fold cross-validated predictions on the catalog (``askhog eval --cv 5`` reports those folds' accuracy)."""
MODEL_VERSION = 2
"""Bump when the featurizer or the training code change; C, TOL, SCALE and the n-gram range are part of the
cache key already, so tuning them never picks up a model trained with other values."""


Tracked = Callable[[str, int, int], bool]

_DATE_TOKEN = re.compile(
    rf"\b(\d[\d/:.,-]*(st|nd|rd|th)?|({'|'.join(sorted(MONTHS, key=len, reverse=True))})\.?)"
    r"(?=\s|$|[?!.,;:)])"
)


def _mask_dates(text: str) -> str:
    """Numbers and month names say when, never which analysis: the classifier does not see them (rules
    and slot filling still do). Measured on the dev sets: +5 questions right of 2,285, CV unchanged."""
    return _DATE_TOKEN.sub(" ", text)


@dataclass(frozen=True)
class RuleHit:
    intent: str
    pattern: str
    weight: float
    note: str


@dataclass(frozen=True)
class Recognition:
    """The chosen family, how sure, the runners-up, and why."""

    intent: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...]
    rules: tuple[RuleHit, ...]
    words: tuple[tuple[str, float], ...]
    refuse_at: float = REFUSE_AT
    """The operating point this recognition was made at (``Recognizer.refuse_at``)."""

    @property
    def ambiguous(self) -> bool:
        second = self.alternatives[0][1] if self.alternatives else 0.0
        return self.confidence < THRESHOLD or self.confidence - second < MARGIN or self.maybe_refusal

    @property
    def maybe_refusal(self) -> bool:
        """An analysis was chosen, but a refusal is close behind or one of its strong rules fired."""
        return self.intent != "out_of_scope" and (
            any(i == "out_of_scope" and p >= self.refuse_at for i, p in self.alternatives)
            or any(h.intent == "out_of_scope" and h.weight >= REFUSAL_RULE for h in self.rules)
        )


class Recognizer:
    """Rules plus a linear classifier over word and character n-grams.

    Training uses scikit-learn's linear SVM; scoring is a sparse dot
    product with its coefficients. A trained model is cached on disk, keyed by
    the examples, so a warm start reloads it without importing scikit-learn.
    """

    def __init__(
        self, catalog: Catalog, examples: Sequence[tuple[str, str]] | None = None, cache_dir: Path | None = None
    ):
        self.catalog = catalog
        data = (
            list(examples)
            if examples is not None
            else [(ex, intent.id) for intent in catalog for ex in intent.examples]
        )
        normalized = [normalize(t) for t, _ in data]
        texts = [_mask_dates(t) for t in normalized]
        labels = [label for _, label in data]
        self._vocabulary = frozenset(
            word
            for text, label in zip(normalized, labels)
            if label != "out_of_scope"
            for word in word_grams(text)
            if " " not in word
        )
        shape = [MODEL_VERSION, C, TOL, SCALE, CHAR_RANGE]
        key = hashlib.sha256(json.dumps([texts, labels, shape]).encode()).hexdigest()[:16]
        model = _load_model(cache_dir, key) if cache_dir else None
        if model is None:
            model = _train(texts, labels)
            if cache_dir:
                _save_model(cache_dir, key, model)
        self._features, self._coef, self._intercept, self.classes = model
        self._nearest = Nearest(
            sorted(t for t in self._features.blocks[0].vocab if " " not in t and len(t) >= 5), TYPO_SIMILARITY
        )
        self._word_set = frozenset(t for t in self._features.blocks[0].vocab if " " not in t)
        self._stem_set = frozenset(stem(t) for t in self._word_set)
        # Each rule is searched on its own: a per-family alternation used as a gate was measured slower per
        # question (0.60 ms against 0.44 ms over the labelled questions) and cost its own compile at start-up.
        self._rules = [(intent.id, rule, needed(rule.pattern)) for intent in catalog for rule in intent.rules]
        """Each rule with the words it cannot match without: a substring test skips most searches."""
        self._evidence = [(intent.id, needs, weight) for intent in catalog for needs, weight in intent.evidence]
        refuse_at = catalog["out_of_scope"].refuse_at
        self.refuse_at: float = REFUSE_AT if refuse_at is None else refuse_at
        """The out-of-scope operating point (see ``REFUSE_AT``); the catalog's number, which evaluation may sweep."""

    def correct(self, text: str, keep: Callable[[str], bool] | None = None) -> str:
        """Respell words the catalog has never seen as the nearest word it has ("retnetion" → "retention"),
        so that rules and word features see what the user meant. Short words and numbers are left alone, and
        so is any word ``keep`` claims (the project's own names: "safari" is not a typo of "search")."""
        words = text.split(" ")
        budget = Budget()
        for i, word in enumerate(words):
            core = word.strip("?!.,;:'\"()")
            if (
                len(core) < 5
                or not core.isalpha()
                or core in self._word_set
                or stem(core) in self._stem_set
                or (keep is not None and keep(core))
            ):
                continue  # known, or an inflection of a known word ("channels" is not a typo of "channel")
            swapped = next(  # two letters typed the wrong way round ("whcih"): the commonest typo, taken first
                (
                    w
                    for j in range(len(core) - 1)
                    if (w := core[:j] + core[j + 1] + core[j] + core[j + 2 :]) in self._word_set
                ),
                None,
            )
            hit = (swapped, 100.0) if swapped else self._nearest.closest(core) if budget.allows(core) else None
            if hit is not None:
                words[i] = word.replace(core, hit[0])
        return " ".join(words)

    def recognize(
        self,
        question: str | Question,
        tracked: Tracked | None = None,
        facts: frozenset[str] = frozenset(),
        keep: Callable[[str], bool] | None = None,
    ) -> Recognition:
        """``tracked(text, start, end)`` says whether that span of the text names something the project
        tracks: refusal rules marked ``unless_tracked`` do not fire on such a span. ``facts`` are what the
        question's reading holds (an event, a period...), weighed by the families' ``evidence``. ``keep`` is
        ``correct``'s: the words the classifier sees as typed, as the reader does."""
        text = self.correct(Question.of(question).text, keep)
        idx, val = self._features.transform_one(_mask_dates(text))
        logits = self._coef[:, idx] @ val + self._intercept
        hits = self.rule_hits(text, tracked)
        boost: dict[str, float] = {}
        for hit in hits:  # noisy-or of a family's rules
            boost[hit.intent] = 1 - (1 - boost.get(hit.intent, 0.0)) * (1 - hit.weight)
        if facts:
            held = (
                facts
                | ({"no_rule"} if not hits else set())
                | ({"no_refusal"} if not any(h.intent == "out_of_scope" for h in hits) else set())
            )
            for intent_id, needs, weight in self._evidence:
                if needs <= held:
                    boost[intent_id] = boost.get(intent_id, 0.0) + weight
        logits = logits + np.array([RULE_BOOST * boost.get(c, 0.0) for c in self.classes])
        scores = np.exp(logits - logits.max())
        scores /= scores.sum()
        order = np.argsort(-scores)
        top = int(order[0])
        veto = next((h for h in hits if h.intent == "out_of_scope" and h.weight >= VETO), None)
        if veto is not None:  # askhog only reads: a write operation or a request for code is never analysed
            top = self.classes.index("out_of_scope")
            scores = np.where(np.arange(len(scores)) == top, 1.0, 0.0)
            order = np.argsort(-scores)
        elif self.classes[top] == "out_of_scope" and scores[top] < self.refuse_at and len(order) > 1:
            order = np.concatenate([order[1:2], order[:1], order[2:]])  # too faint to refuse: the best analysis
            top = int(order[0])
        return Recognition(
            intent=self.classes[top],
            confidence=float(scores[top]),
            alternatives=tuple((self.classes[int(i)], float(scores[int(i)])) for i in order[1:4]),
            rules=tuple(hits),
            words=self._top_words(idx, val, top),
            refuse_at=self.refuse_at,
        )

    def vocabulary(self) -> frozenset[str]:
        """Words of the analytics families' examples: words the slot filler need not ask about.

        Refusal examples are left out: "calendar" or "enterprise" in a refusal must not make
        "the calendar feature" or "enterprise accounts" pass for names the project has.
        """
        return self._vocabulary

    def known_words(self, question: str | Question) -> int:
        """How many of the question's words the classifier has seen: zero means it cannot read it."""
        vocab = self._features.blocks[0].vocab
        return sum(1 for w in Question.of(question).words if w.strip("?!.,") in vocab)

    def foreign(self, question: str | Question) -> bool:
        """Mostly words that are neither in the catalog nor plain English: another language, most likely
        ("Wie viele aktive Nutzer haben wir?"), which the classifier would only guess at."""
        vocab = self._features.blocks[0].vocab
        words = [w.strip("?!.,;:()\"'`") for w in Question.of(question).words]
        words = [w for w in words if w.isalpha()]
        known = sum(1 for w in words if w in vocab or w in STOPWORDS)
        return len(words) >= FOREIGN_MIN_WORDS and known < FOREIGN_SHARE * len(words)

    def rule_hits(self, text: str, tracked: Tracked | None = None) -> list[RuleHit]:
        hits = []
        for intent_id, rule, needs in self._rules:
            if needs is not None and not any(word in text for word in needs):
                continue
            m = rule.pattern.search(text)
            if m is None or (intent_id == "out_of_scope" and _negated(text, m.start())):
                continue
            if rule.unless_tracked and tracked is not None and tracked(text, m.start(), m.end()):
                continue
            hits.append(RuleHit(intent_id, rule.pattern.pattern, rule.weight, rule.note))
        return hits

    def _top_words(
        self, idx: np.ndarray, val: np.ndarray, class_index: int, k: int = 5
    ) -> tuple[tuple[str, float], ...]:
        """The word n-grams of the question that pushed hardest toward the chosen family."""
        words = idx < self._features.blocks[1].offset  # word n-grams come first; the rest are characters
        idx, val = idx[words], val[words]
        contributions = []
        for j, v in zip(idx.tolist(), (val * self._coef[class_index, idx]).tolist()):
            word = self._features.word_of(j)
            if word is not None and v > 0:
                contributions.append((word, round(v, 3)))
        contributions.sort(key=lambda item: -item[1])
        return tuple(contributions[:k])


_NEGATION = re.compile(r"\b(not|no|don'?t|do not|without|never mind|rather than|instead of)\b[^.?!,;:]*\Z")
_NEGATION_WINDOW = 25


def _negated(text: str, start: int) -> bool:
    """ "Not asking for a forecast: how many signed up?" The refusal cue is denied by the asker."""
    return _NEGATION.search(text, max(0, start - _NEGATION_WINDOW), start) is not None


_Model = tuple[Featurizer, np.ndarray, np.ndarray, tuple[str, ...]]


def _train(texts: list[str], labels: list[str]) -> _Model:
    from sklearn.svm import LinearSVC

    features, matrix = Featurizer.fit_transform(texts)
    model = LinearSVC(C=C, tol=TOL)
    model.fit(matrix, labels)
    # Margins become log-odds through one temperature, SCALE (chosen by cross-validated log-likelihood).
    return (
        features,
        np.asarray(model.coef_) * SCALE,
        np.asarray(model.intercept_) * SCALE,
        tuple(str(c) for c in model.classes_),
    )


def _save_model(cache_dir: Path, key: str, model: _Model) -> None:
    """Best effort: a read-only cache folder only costs the next start a retraining."""
    features, coef, intercept, classes = model
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cache_dir / f".recognizer-{key}.{os.getpid()}.npz"
        blocks = [{"vocab": b.vocab, "offset": b.offset} for b in features.blocks]
        np.savez(
            tmp,
            coef=coef,
            intercept=intercept,
            idf0=features.blocks[0].idf,
            idf1=features.blocks[1].idf,
            meta=np.array(json.dumps({"classes": classes, "blocks": blocks})),
        )
        tmp.replace(cache_dir / f"recognizer-{key}.npz")
    except OSError:
        pass


def _load_model(cache_dir: Path, key: str) -> _Model | None:
    path = cache_dir / f"recognizer-{key}.npz"
    try:
        with np.load(path) as data:
            meta = json.loads(str(data["meta"]))
            idfs = [data["idf0"], data["idf1"]]
            blocks = [Block(b["vocab"], idf, b["offset"]) for b, idf in zip(meta["blocks"], idfs)]
            return Featurizer(blocks), data["coef"], data["intercept"], tuple(meta["classes"])
    except (OSError, KeyError, ValueError):
        return None


def cross_validate(catalog: Catalog, folds: int = 5, seed: int = 0) -> dict[str, object]:
    """Stratified K-fold accuracy of the recognizer on the catalog's own examples."""
    from sklearn.model_selection import StratifiedKFold

    data = [(ex, intent.id) for intent in catalog for ex in intent.examples]
    labels = [label for _, label in data]
    smallest = min(len(intent.examples) for intent in catalog)
    if not 2 <= folds <= smallest:
        raise QuestionError(f"--cv takes a number of folds from 2 to {smallest} (the smallest family's examples)")
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    per_fold: list[float] = []
    for train_idx, test_idx in splitter.split(np.zeros(len(data)), labels):
        recognizer = Recognizer(catalog, [data[i] for i in train_idx])
        correct = sum(recognizer.recognize(data[i][0]).intent == data[i][1] for i in test_idx)
        per_fold.append(correct / len(test_idx))
    return {
        "folds": folds,
        "accuracy": float(np.mean(per_fold)),
        "per_fold": per_fold,
        "stdev": float(np.std(per_fold)),
        "examples": len(data),
    }
