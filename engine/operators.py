"""Read an explicit filter after a property's name: ``plan != pro``, ``amount > 1,000``, ``$os = ''``.

Each written form maps to exactly one of askhog's filter operators (which are PostHog's property
operators: ``=`` exact, ``!=`` is_not, ``>`` gt, ``contains`` icontains, ``is_set`` …). A form that
says "this is a filter" (a comparison sign, "between", "contains", "starts with", "in (…)") but whose
value cannot be read is reported as unreadable, so that the engine asks about it instead of dropping
it or reading a different filter; a form that is not a filter at all ("plan over time") is None.

Every pattern here is anchored at the start of the text after the property and bounded in length,
so reading one is linear in the question, whatever it holds.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from .english import is_english
from .types import FilterOp, PropertyFilter, PropertyRef

_MAX_VALUE = 1e15
"""The largest magnitude a number in a filter may have (the engine's own bound on numbers it is given)."""

_SET_FORMS = re.compile(
    r"^\s*(?:(?P<unset>is not set|isn'?t set|is unset|is null|is missing|does not exist|"
    r"doesn'?t exist)|(?P<set>is set|is not null|isn'?t null|exists|is present))(?![\w'])"
)
"""Set-ness: a property present or absent, whatever its value."""

_NOT_EQUAL: tuple[tuple[str, FilterOp], ...] = (
    ("is not equal to", "!="),
    ("not equal to", "!="),
    ("does not equal", "!="),
    ("doesn't equal", "!="),
    ("is other than", "!="),
    ("other than", "!="),
    ("is not", "!="),
    ("isn't", "!="),
    ("isnt", "!="),
)
""""Not equal" in words, for text and numbers alike, longest first."""

_STRING_OPS: tuple[tuple[str, FilterOp], ...] = (
    ("does not contain", "not_contains"),
    ("doesn't contain", "not_contains"),
    ("doesnt contain", "not_contains"),
    ("not containing", "not_contains"),
    ("not contains", "not_contains"),
    ("contains", "contains"),
    ("containing", "contains"),
    ("includes", "contains"),
    ("starts with", "starts_with"),
    ("starting with", "starts_with"),
    ("begins with", "starts_with"),
    ("beginning with", "starts_with"),
    *_NOT_EQUAL,
    ("!=", "!="),
    ("<>", "!="),
    ("≠", "!="),
    ("not in", "not_in"),
    ("not", "!="),
    ("in", "in"),
    ("is equal to", "="),
    ("equal to", "="),
    ("equals", "="),
    ("equal", "="),
    ("==", "="),
    ("=", "="),
    ("is", "="),
    (":", "="),
)
"""Text operators, longest form first so that "is not" is never read as "is" followed by the value "not"."""

_NUMERIC_OPS: tuple[tuple[str, FilterOp], ...] = (
    (">=", ">="),
    ("≥", ">="),
    ("=>", ">="),
    ("<=", "<="),
    ("≤", "<="),
    ("=<", "<="),
    ("!=", "!="),
    ("<>", "!="),
    ("≠", "!="),
    ("==", "="),
    (">", ">"),
    ("<", "<"),
    ("=", "="),
    *_NOT_EQUAL,
    ("not", "!="),
    ("greater than or equal to", ">="),
    ("more than or equal to", ">="),
    ("less than or equal to", "<="),
    ("at least", ">="),
    ("no less than", ">="),
    ("at most", "<="),
    ("no more than", "<="),
    ("up to", "<="),
    ("is over", ">"),
    ("is above", ">"),
    ("is under", "<"),
    ("is below", "<"),
    ("is greater than", ">"),
    ("is more than", ">"),
    ("is less than", "<"),
    ("is higher than", ">"),
    ("is lower than", "<"),
    ("greater than", ">"),
    ("more than", ">"),
    ("bigger than", ">"),
    ("larger than", ">"),
    ("higher than", ">"),
    ("over", ">"),
    ("above", ">"),
    ("exceeding", ">"),
    ("exceeds", ">"),
    ("less than", "<"),
    ("fewer than", "<"),
    ("smaller than", "<"),
    ("lower than", "<"),
    ("under", "<"),
    ("below", "<"),
    ("is equal to", "="),
    ("equal to", "="),
    ("equals", "="),
    ("exactly", "="),
    ("is", "="),
)

_SIGN = re.compile(r"^\s*(?:[<>=≠≤≥~]|![=~])")
"""A property followed by a comparison sign is a comparison being written: one that cannot be read is asked
about ("amount > abc", "$browser ~ Chrome")."""
_NEEDS_KNOWN = frozenset({"not", "other than", "is other than", "equals", "equal", "equal to", ":"})
"""Word forms that also occur in plain sentences ("plan not including free"): the value after them must be
one the property has (or be quoted)."""
_PHRASE = re.compile(r"^\s*\S+(?:\s+[^\s?;]+)?")
_FILTER_WORDS = re.compile(
    r"^\s*(?:between|contains|containing|includes|does not contain|doesn'?t contain|"
    r"not contains?|starts with|starting with|begins with|beginning with|(?:not )?in\s*\()"
    r"(?![\w'])"
)
"""Words that can only start a filter: what follows them must be read, or asked about."""

_NUMBER = re.compile(
    r"\$?\s*(?P<n>[-+]?(?:\d{1,3}(?:,\d{3})+|\d{1,16})(?:\.\d{1,12})?(?:e[-+]?\d{1,3})?)(?P<k>k)?"
    r"(?![\w.,]?\d|[\w$])"
)
"""A number as people write it in a filter: "1,000" (thousands separators, groups of three), "-5", "2.5",
"1e3", "10k", "$49". A digit right after (a comma or a point between) is not read: "1,5" is asked about,
never taken for 1."""
_QUOTED = re.compile(r"(['\"])(?P<v>[^'\"]{0,80})\1")
_BARE = re.compile(r"(?P<v>[^\s,;?'\"()]{1,80})")
_BETWEEN = re.compile(r"^\s*between\s+")
_AND = re.compile(r"\s*(?:and|to|-|–)\s*")
_LIST = re.compile(r"^\s*\((?P<items>[^()]{0,200})\)")
_WORD_VALUE = re.compile(r"\w+(?:est|er)|most|least|more|less")
"""After "is", a word like these describes ("which plan is biggest"), it is not a value of the property."""


@dataclass(frozen=True)
class OperatorRead:
    """What followed a property: the filters it wrote (two for "between"), how many characters they took,
    or, when ``filters`` is empty, a filter that was being written but could not be read."""

    filters: tuple[PropertyFilter, ...]
    length: int

    @property
    def unreadable(self) -> bool:
        return not self.filters


def read_operator(
    prop: PropertyRef, values: tuple[str, ...], after: str, stopwords: frozenset[str] = frozenset()
) -> OperatorRead | None:
    """The filter written right after ``prop`` in ``after`` (the question's text that follows its name).

    ``values`` are the property's known values (a bare value is matched to one, kept whole:
    "Mac OS X"); ``stopwords`` are words that are never a bare value after "is"."""
    unset = _SET_FORMS.match(after)
    if unset is not None:
        return OperatorRead((PropertyFilter(prop, "is_not_set" if unset.group("unset") else "is_set"),), unset.end())
    read = _numeric(prop, after) if prop.type == "Numeric" else _text(prop, values, after, stopwords)
    if read is not None:
        return read
    if _SIGN.match(after) or _FILTER_WORDS.match(after):
        phrase = _PHRASE.match(after)
        return OperatorRead((), phrase.end() if phrase else 0)
    return None


def _operator(after: str, table: tuple[tuple[str, FilterOp], ...]) -> tuple[FilterOp, int] | None:
    """The longest operator of ``table`` at the start of ``after`` (a word operator ends at a word boundary)."""
    text = after.lstrip()
    offset = len(after) - len(text)
    for form, op in table:
        if text.startswith(form) and (not form[-1].isalpha() or not text[len(form) : len(form) + 1].isalnum()):
            return op, offset + len(form)
    return None


def number(text: str) -> tuple[float, int] | None:
    """The number at the start of ``text`` and its length, or None when there is none or it is not a finite
    number of a sensible size."""
    stripped = text.lstrip()
    m = _NUMBER.match(stripped)
    if m is None:
        return None
    value = float(m.group("n").replace(",", "")) * (1000 if m.group("k") else 1)
    if not math.isfinite(value) or abs(value) > _MAX_VALUE:
        return None
    return value, len(text) - len(stripped) + m.end()


def _plain(value: float) -> float | int:
    return int(value) if value.is_integer() else value


def _numeric(prop: PropertyRef, after: str) -> OperatorRead | None:
    between = _BETWEEN.match(after)
    if between is not None:
        low = number(after[between.end() :])
        if low is None:
            return None
        joined = _AND.match(after, between.end() + low[1])
        high = number(after[joined.end() :]) if joined else None
        if joined is None or high is None:
            return None
        a, b = sorted((low[0], high[0]))
        return OperatorRead(
            (PropertyFilter(prop, ">=", _plain(a)), PropertyFilter(prop, "<=", _plain(b))), joined.end() + high[1]
        )
    found = _operator(after, _NUMERIC_OPS)
    if found is None:
        return None
    op, end = found
    value = number(after[end:])
    if value is None:
        return None
    return OperatorRead((PropertyFilter(prop, op, _plain(value[0])),), end + value[1])


def _text(prop: PropertyRef, values: tuple[str, ...], after: str, stopwords: frozenset[str]) -> OperatorRead | None:
    found = _operator(after, _STRING_OPS)
    if found is None:
        return None
    op, end = found
    rest = after[end:]
    skip = len(rest) - len(rest.lstrip())
    rest = rest.lstrip()
    if op in ("in", "not_in"):
        items = _LIST.match(rest)
        names = (
            tuple(
                dict.fromkeys(
                    _known(i.strip(" '\""), values) for i in items.group("items").split(",") if i.strip(" '\"")
                )
            )
            if items
            else ()
        )
        if items is None or not names:
            return None
        single: FilterOp = "=" if op == "in" else "!="
        return OperatorRead(
            (PropertyFilter(prop, op if len(names) > 1 else single, names if len(names) > 1 else names[0]),),
            end + skip + items.end(),
        )
    quoted = _QUOTED.match(rest)
    if quoted is not None:
        return OperatorRead((PropertyFilter(prop, op, _known(quoted.group("v"), values)),), end + skip + quoted.end())
    listed = _listed(rest, values)
    if listed is not None:
        return OperatorRead((PropertyFilter(prop, op, listed),), end + skip + len(listed))
    bare = _BARE.match(rest)
    value = bare.group("v").rstrip(".") if bare else ""
    if not value:
        return None
    form = after.lstrip()[: end - (len(after) - len(after.lstrip()))]
    if form in _NEEDS_KNOWN and values:
        return None  # "plan not including free": after these words only a value the property has is one
    if form[:1].isalpha() and op in ("=", "!=") and (value in stopwords or _WORD_VALUE.fullmatch(value)):
        return None  # "which category is biggest": a word, not a value
    if (
        form[:1].isalpha()
        and values
        and value.lower().endswith(("ed", "ing"))
        and value.lower() not in {v.lower() for v in values}
        and is_english(value)
    ):
        return None  # "which feature is used most": a verb form the property never holds is not its value
    return OperatorRead((PropertyFilter(prop, op, value),), end + skip + len(value))


def _listed(text: str, values: tuple[str, ...]) -> str | None:
    """The longest known value ``text`` starts with as whole words ("Mac OS X", not "Mac"), as the project
    spells it."""
    lowered = text.lower()
    found = [v for v in values if lowered.startswith(v.lower()) and not lowered[len(v) : len(v) + 1].isalnum()]
    return max(found, key=len) if found else None


def _known(value: str, values: tuple[str, ...]) -> str:
    """A value spelled as the project spells it ("chrome" is "Chrome"); an unknown one as written."""
    return next((v for v in values if v.lower() == value.lower()), value)
