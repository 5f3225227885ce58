"""Tokens, stems and the small word lists every stage shares.

Stemming here is deliberately crude (suffix stripping): it only has to make
"uploads", "uploaded" and "uploading" meet "upload", and it runs on both the
question and the vocabulary, so consistency matters more than linguistics.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

_TOKEN = re.compile(r"[$\w/][\w$/'\-]*")
_PLURALS = (("ies", "y"), ("sses", "ss"), ("es", ""), ("s", ""))
_DERIVED = ("ation", "ion", "ing", "ed")

# Words that never name a thing in the taxonomy; typo matching skips them.
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "done",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "get",
        "gets",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "no",
        "none",
        "nothing",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "show",
        "tell",
        "give",
        "list",
        "me",
        "please",
        "many",
        "much",
        "number",
        "total",
        "count",
        "last",
        "past",
        "previous",
        "this",
        "next",
        "week",
        "weeks",
        "day",
        "days",
        "month",
        "months",
        "year",
        "years",
        "quarter",
        "hour",
        "hours",
        "today",
        "yesterday",
        "since",
        "ago",
        "per",
        "each",
        "us",
        "users",
        "user",
        "people",
        "person",
        "persons",
        "customers",
        "customer",
        "visitors",
        "visitor",
        "accounts",
        "folks",
        "did",
        "does",
        "do",
        "doing",
        "do",
        "versus",
        "vs",
        "compare",
        "compared",
        "comparing",
        "between",
        "among",
        "across",
        "top",
        "best",
        "worst",
        "most",
        "least",
        "rate",
        "rates",
        "ratio",
        "percent",
        "percentage",
        "share",
        "pct",
        "average",
        "avg",
        "mean",
        "median",
        "sum",
        "total",
        "overall",
        "trend",
        "trends",
        "over",
        "time",
        "daily",
        "weekly",
        "monthly",
        "hourly",
        "chart",
        "graph",
        "plot",
        "see",
        "look",
        "looking",
        "want",
        "need",
        "know",
        "find",
        "figure",
        "which",
        "what",
        "who",
        "whom",
        "whose",
        "why",
        "when",
        "how",
        "happen",
        "happened",
        "happening",
        "going",
        "drop",
        "dropped",
        "drops",
        "dropping",
        "spike",
        "spiked",
        "change",
        "changed",
        "changes",
        "went",
        "go",
        "goes",
        "first",
        "second",
        "third",
        "new",
        "old",
        "returning",
        "active",
        "inactive",
        "again",
        "back",
        "come",
        "came",
        "comes",
        "return",
        "returned",
        "returns",
        "than",
        "then",
        "them",
        "they",
        "more",
        "less",
        "fewer",
        "higher",
        "lower",
        "up",
        "down",
        "still",
        "ever",
        "never",
        "always",
        "usually",
        "often",
        "really",
        "actually",
        "person_id",
        "distinct_id",
        "user_id",
        "uuid",
        "timestamp",
    ]
)


# Chat shorthand and words run together, spelled out before anything reads the question ("sess/user last wk",
# "d7 ret", "atleast 3").
ABBREVIATIONS = {
    "ppl": "people",
    "usr": "user",
    "usrs": "users",
    "sess": "sessions",
    "rev": "revenue",
    "ret": "retention",
    "conv": "conversion",
    "wk": "week",
    "wks": "weeks",
    "yr": "year",
    "yrs": "years",
    "w/": "with",
    "w/o": "without",
    "b/c": "because",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "tix": "tickets",
    "atleast": "at least",
    "atmost": "at most",
    "gimme": "give me",
    "lemme": "let me",
    "wanna": "want to",
    "gonna": "going to",
    "u": "you",
    "ur": "your",
    "r": "are",
    "b4": "before",
    "btw": "by the way",
    "fyi": "for your information",
    "asap": "as soon as possible",
    "avg.": "average",
    "approx": "approximately",
    "mins": "minutes",
    "hrs": "hours",
    "secs": "seconds",
}
_ABBREVIATION = re.compile(
    r"(?<![\w$])(" + "|".join(re.escape(a) for a in sorted(ABBREVIATIONS, key=len, reverse=True)) + r")(?!\w)"
)


@dataclass(frozen=True)
class Token:
    text: str
    stem: str
    start: int
    end: int


@dataclass(frozen=True)
class Question:
    """One question as the stages read it, normalized once: the recognizer's checks (foreign, known words), its
    classifier and the reader share ``text`` instead of each normalizing the raw question again. ``text`` may
    also carry a respelling of the normalized text (the reader's: typos mended, the project's names kept)."""

    raw: str
    text: str

    @classmethod
    def of(cls, question: str | Question) -> Question:
        """``question`` itself, or the raw text normalized (the one place a stage normalizes)."""
        return question if isinstance(question, Question) else cls(question, normalize(question))

    @property
    def words(self) -> list[str]:
        return self.text.split()


def fold(text: str) -> str:
    """Compatibility forms and typographic quotes folded, spaces collapsed, case kept: the question as the form
    patterns read it ("write the HogQL for ...": the rest keeps the user's spelling of names)."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    return re.sub(r"\s+", " ", text).strip()


def normalize(text: str) -> str:
    """Lower-case, fold accents and typographic quotes/arrows, collapse spaces."""
    text = fold(text)
    text = text.replace("\u2192", " -> ").replace("\u27f6", " -> ").replace("=>", " -> ")
    text = re.sub(r"#\s*of\b", "number of", text)  # "# of purchases"
    text = re.sub(r"\s+", " ", text).strip().lower()
    return _ABBREVIATION.sub(lambda m: ABBREVIATIONS[m.group(1)], text)


_IRREGULAR = {
    **{"sent": "send", "paid": "pay", "bought": "buy", "sold": "sell", "made": "make", "spent": "spend"},
    **{"built": "build", "wrote": "write", "written": "write", "gave": "give", "given": "give", "took": "take"},
    **{"taken": "take", "began": "begin", "begun": "begin", "chose": "choose", "chosen": "choose"},
}
"""Past forms that no suffix rule reaches: "invoices we sent" meets ``invoice_sent`` and "send invoices"."""


@lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """Plural first, then one derivational suffix: "completions" and "completed" both give "complet"; an
    irregular past form is its verb ("sent" is "send")."""
    word = word.lower().strip("'-")
    if word.endswith("'s"):
        word = word[:-2]
    if word in _IRREGULAR:
        return stem(_IRREGULAR[word])
    for suffix, replacement in _PLURALS:
        if word.endswith(suffix) and not word.endswith("ss") and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)] + replacement
            break
    if word.endswith("scription"):  # "subscription" meets "subscribed", "description" "described"
        return word[: -len("ption")] + "b"
    for suffix in _DERIVED:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "aeiousl":
        word = word[:-1]  # "logg" -> "log"
    if len(word) > 4 and word.endswith("ll"):
        word = word[:-1]  # "cancell" -> "cancel"
    if len(word) >= 4 and word.endswith("e"):
        word = word[:-1]  # "purchase" -> "purchas" to meet "purchases"
    return word


_PHRASAL = {
    "out": (frozenset({"go", "goes", "going", "went", "gone", "get", "gets", "getting", "got", "gotten"}), "send")
}
"""A particle that makes its verb another one, a few words later at most: invoices "went out", "got an invoice out"
were sent."""
_PHRASAL_REACH = 4


def tokenize(text: str) -> list[Token]:
    """Tokens of an already normalized text, with character offsets; a phrasal verb's verb has the stem of the verb
    it means ("went out" is "send" + "out")."""
    tokens = [Token(m.group(0).strip("'-"), stem(m.group(0)), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    for i, token in enumerate(tokens):
        if token.text not in _PHRASAL:
            continue
        verbs, meant = _PHRASAL[token.text]
        k = next((k for k in range(i - 1, max(i - _PHRASAL_REACH, 0) - 1, -1) if tokens[k].text in verbs), None)
        if k is not None:
            tokens[k] = replace(tokens[k], stem=meant)
    return tokens
