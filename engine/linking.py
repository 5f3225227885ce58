"""Link the words of a question to the project's taxonomy.

"signups" → ``signed_up``, "pricing page" → ``$pageview`` where ``$pathname =
'/pricing'``, "by country" → ``$geoip_country_code``, "Safari users" →
``$browser = 'Safari'``. Only names the taxonomy has can come out, so a query
never mentions an invented event; typos are forgiven with rapidfuzz.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from itertools import pairwise
from typing import Any, Literal

from rapidfuzz import fuzz, process

from . import yamlfiles
from .nearest import Budget, Nearest
from .roles import event_named, resolve_roles
from .taxonomy import PropertyDef, Taxonomy
from .text import STOPWORDS, Token, stem, tokenize
from .types import EventRef, PropertyFilter, PropertyRef

MentionKind = Literal["event", "property", "value"]
_MAX_ALIAS_TOKENS = 4
_NAME_WORD_RANK = 5
"""A word of an event's own name that names it alone ("payments"): after every other kind of alias."""
NAME_WORD_SCORE = 99.0
"""The score of such a mention: sure of the word, not of which of the events with that noun is meant."""
_FUZZY_CUTOFF = 0.8  # Damerau-Levenshtein similarity of stems: one slip in a six-letter word
_SCATTER_WINDOW = 4
_VERB_REACH = 9  # words after a noun where the verb saying which of its events may come
_CLAUSE_BREAK = re.compile(r"[,;:?!.()]")
_QUANTITY_WORDS = frozenset({"single", "one", "any", "more", "many", "few", "several", "another"})
"""Words that say how many, not which: "sent a single invoice" still names the invoices sent."""
_COUNT_WORDS = frozenset({"a", "an", "at", "least", "most", "more", "than", "less", "fewer", "over", "under", "or"})
"""The words of a count before a noun ("sent at least 3 invoices", "sent more than 10 invoices")."""
_CLAUSE_WORDS = frozenset({"and", "or", "but", "vs", "versus", "then", "than", "compared", "while", "where"})
_VALUE_HEADS = frozenset(
    {
        "user",
        "signup",
        "visitor",
        "customer",
        "people",
        "account",
        "traffic",
        "session",
        "purchas",
        "buyer",
        "member",
        "folk",
        "ppl",
        "lead",
    }
)
"""Stems of nouns a value describes ("email signups"): before one, a word that is also a property name is the value."""
_SIZE_BAND = re.compile(r"\d+-\d+|\d+\+|\d+")
_SIZE_HEADS = ("person", "persons", "people", "employee", "employees", "staff", "seat", "seats", "ppl", "user", "users")
"""A value written only in digits ("51-200", "1") is a size band; it is linked only followed by what it counts or after
its property's name, so a date range ("2-10 nov") stays a date range and a count ("1 invoice") a count."""
_CUSTOMER_NOUNS = frozenset({"businesses", "companies", "teams", "organizations", "organisations", "orgs", "firms"})
"""Plural nouns that name a B2B product's customers themselves: never a value spelled like their singular."""
_NUMBER_WORDS = {"1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "10": "ten"}
_OWNER_BETWEEN = re.compile(r"\s*(?:(?:by|via|through|with|using|over|as|of)\s+)?")
_QUALIFIER_GAP = 3
"""How many words (filters, sizes) may stand between a word describing people and their noun."""
_PEOPLE_HEADS = frozenset({"user", "customer", "peopl", "account", "member", "folk", "ppl", "subscriber", "buyer"})
"""Stems of nouns naming people: a value before one ("business customers") describes the person, so where the
property is both the person's and an event's own (a plan bought, a person's plan), the person's is meant."""


@dataclass(frozen=True)
class Mention:
    """A span of the question linked to one taxonomy item."""

    kind: MentionKind
    start: int
    end: int
    phrase: str
    event: EventRef | None = None
    prop: PropertyRef | None = None
    filter: PropertyFilter | None = None
    score: float = 100.0


@dataclass(frozen=True)
class _Target:
    kind: MentionKind
    event: EventRef | None = None
    prop: PropertyRef | None = None
    filter: PropertyFilter | None = None
    rank: int = 0  # lower wins among targets of one alias


def _spaced(name: str) -> str:
    return name.lstrip("$").replace("_", " ").replace("-", " ")


class Linker:
    """Built once per taxonomy; ``link`` is then a dictionary walk plus a little fuzzy matching."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        lexicon: dict[str, Any] | None = None,
        known_words: frozenset[str] = frozenset(),
        roles: Mapping[str, str] | None = None,
    ):
        self.taxonomy = taxonomy
        self.known_words = known_words  # correctly spelt words: never typo-matched
        self.lexicon = lexicon if lexicon is not None else load_lexicon(taxonomy)
        self.roles = dict(roles) if roles is not None else resolve_roles(taxonomy, self.lexicon, {})
        self._index: dict[tuple[str, ...], list[_Target]] = {}
        self._build()
        contexts = self.lexicon.get("value_context") or []
        self._context_before = {w: c["property"] for c in contexts for w in c.get("before") or ()}
        self._context_after = [(tuple(w.split()), c["property"]) for c in contexts for w in c.get("after") or ()]
        self._not_followed_by = {w: set(v) for w, v in (self.lexicon.get("not_followed_by") or {}).items()}
        self._not_preceded_by = {w: set(v) for w, v in (self.lexicon.get("not_preceded_by") or {}).items()}
        self._scatter: dict[str, list[tuple[frozenset[str], _Target]]] = {}
        for name in taxonomy.events:
            stems = frozenset(t.stem for t in tokenize(_spaced(name)))
            if len(stems) >= 2:
                for st in stems:
                    self._scatter.setdefault(st, []).append((stems, _Target("event", event=EventRef(name))))
        self._nearest = Nearest(
            (" ".join(k) for k in self._index if 1 <= len(k) <= 2 and len(" ".join(k)) >= 5), _FUZZY_CUTOFF
        )
        self._stems = frozenset(st for key in self._index for st in key)
        self._cue_words = frozenset(_words_of(self.lexicon))
        self._event_names = sorted(taxonomy.events)
        self._event_choices = {e: _spaced(e) for e in self._event_names}

    def knows(self, word: str) -> bool:
        """Is ``word`` part of one of the project's names (an event, a property, a value, a lexicon phrase)?"""
        return stem(word) in self._stems

    def keeps(self, word: str) -> bool:
        """Must the spell corrector leave ``word`` as typed? The project's names, and the words the lexicon's cues
        read ("fewest"), even if the catalog's examples lack them: respelled as the nearest example word
        ("newest"), the cue would no longer fire."""
        return self.knows(word) or word in self._cue_words

    # -- index -------------------------------------------------------------------------------------

    def _add(self, phrase: str, target: _Target) -> None:
        key = tuple(t.stem for t in tokenize(phrase.lower()))
        if not key or len(key) > _MAX_ALIAS_TOKENS:
            return
        targets = self._index.setdefault(key, [])
        if target not in targets:
            targets.append(target)
            targets.sort(key=lambda t: t.rank)

    def _build(self) -> None:
        tax, lex = self.taxonomy, self.lexicon
        for name in tax.events:
            for phrase in {name, _spaced(name), name.replace("_", "")}:
                self._add(phrase, _Target("event", event=EventRef(name)))
        # last key first: a project's own words (read over the generic lexicon, so after its keys) win a phrase both
        # have ("paying customers" are subscribers where the clients' payments are the revenue event)
        for key, phrases in reversed((lex.get("events") or {}).items()):
            named = event_named(key, self.roles, tax)  # "@signup_event": the event that plays the role
            if named is not None:
                for phrase in phrases:
                    self._add(phrase, _Target("event", event=EventRef(named, phrase=phrase), rank=1))
        for phrase, name in _name_words(tax, lex.get("event_name_words") or {}).items():
            self._add(phrase, _Target("event", event=EventRef(name, phrase=phrase), rank=_NAME_WORD_RANK))
        for row in lex.get("event_phrases") or []:
            prop = tax.property(row["property"], "event")
            if row["event"] in tax.events and prop is not None:
                f = PropertyFilter(prop.ref(), "=", row["value"])
                self._add(row["phrase"], _Target("event", event=EventRef(row["event"], (f,), row["phrase"])))
        priority = {p: i for i, p in enumerate(lex.get("value_priority") or [])}
        unlinked = set(lex.get("no_value_linking") or ())
        for scope in ("event", "person", "session"):
            for name, pdef in tax.properties(scope).items():
                rank = 0 if scope == "event" else 1
                for phrase in {_spaced(name), name}:
                    self._add(phrase, _Target("property", prop=pdef.ref(), rank=rank))
                if name in unlinked:
                    continue
                for value in pdef.values:
                    if f"{name}={value}" in unlinked:
                        continue
                    f = PropertyFilter(pdef.ref(), "=", value)
                    if any(c.isalpha() for c in value) and value.lower() not in STOPWORDS:
                        for phrase in {value, _spaced(value)}:
                            self._add(phrase, _Target("value", filter=f, rank=priority.get(name, 99) * 2 + rank))
                    elif _SIZE_BAND.fullmatch(value):
                        # "51-200 person companies", "company size 11-50": a band only beside what it counts or
                        # after its property's name
                        target = _Target("value", filter=f, rank=priority.get(name, 99) * 2)
                        for head in _SIZE_HEADS:
                            self._add(f"{value} {head}", target)
                            if value in _NUMBER_WORDS:  # "one-person businesses"
                                self._add(f"{_NUMBER_WORDS[value]} {head}", target)
                        for phrase in {_spaced(name), name}:
                            self._add(f"{phrase} {value}", target)
                            self._add(f"{phrase} of {value}", target)
        for name, phrases in (lex.get("properties") or {}).items():
            for scope in ("event", "person", "session"):
                found = tax.property(name, scope)  # type: ignore[arg-type]
                if found is not None:
                    for phrase in phrases:
                        self._add(phrase, _Target("property", prop=found.ref(), rank=2 + (scope != "event")))
        for unit in lex.get("units") or []:
            measured = unit_property(tax, unit)
            if measured is not None:  # "total MB", "most data in MB": the unit names what it measures
                for phrase in unit.get("names") or ():
                    self._add(phrase, _Target("property", prop=measured.ref(), rank=3))
        for name, by_value in (lex.get("values") or {}).items():
            owner = tax.property(name) or tax.property(name, "person")
            for value, phrases in by_value.items():
                # a project without the property: any of its own that has the value ("German" for a country's DE)
                holder = owner or next(
                    (p for scope in ("event", "person") for p in tax.properties(scope).values() if value in p.values),
                    None,
                )
                if holder is None:
                    continue
                f = PropertyFilter(holder.ref(), "=", value)
                for phrase in phrases:
                    self._add(phrase, _Target("value", filter=f, rank=priority.get(holder.name, 99) * 2))

    # -- linking -----------------------------------------------------------------------------------

    def link(self, text: str) -> list[Mention]:
        """All mentions in ``text`` (normalized, lower-case), left to right, longest match first."""
        tokens = tokenize(text)
        mentions: list[Mention] = []
        budget = Budget()
        i = 0
        while i < len(tokens):
            exact = self._exact(tokens, i)
            if exact is not None and all(t.rank == _NAME_WORD_RANK for t in exact[1]):
                # "invoices were sent": the whole name, not a part; "invoices did German accounts send": the noun,
                # and the verb that says which of its events
                exact = self._scattered(text, tokens, i) or self._noun_verb(text, tokens, i, exact) or exact
            if exact is not None and exact[0] == 1:
                exact = self._qualifying(text, tokens, i, exact)
            found = exact or self._scattered(text, tokens, i) or self._fuzzy(tokens, i, budget)
            if found is None:
                i += 1
                continue
            n, targets, score = found
            span = tokens[i : i + n]
            if n == 1 and i + 1 < len(tokens) and tokens[i + 1].text in self._not_followed_by.get(span[0].text, ()):
                i += 1
                continue
            if n == 1 and i > 0 and tokens[i - 1].text in self._not_preceded_by.get(span[0].text, ()):
                i += 1
                continue
            owned = next(  # "delivered by email": the property said, then its value
                ((t, o) for t in targets if (o := self._owner_before(t, text, tokens[i].start, mentions)) is not None),
                None,
            )
            target = owned[0] if owned is not None else self._choose(targets, tokens, i, n)
            if (
                n == 1
                and target.filter is not None
                and span[0].text in _CUSTOMER_NOUNS
                and span[0].text != str(target.filter.value).lower()
            ):
                i += 1  # "solo businesses": the customers themselves, not the plan called "business"
                continue
            if target.event is not None and i + n < len(tokens):  # "payments recieved": the slip is part of the name
                verb = {stem(target.event.name.rsplit("_", 1)[-1]): target}
                if self._misspelt_verb(tokens[i + n], verb) is not None:
                    span = tokens[i : i + n + 1]
                    n += 1
            if target.filter is not None:  # "google sign-in": the words saying whose value it is are part of it
                owner, extra = self._context_after_of(tokens, i + n)
                if owner != target.filter.prop.name and i + n < len(tokens):
                    # "the pro plan", "business-plan subscribers": the property's own name after its value
                    extra = int(self._property_named(tokens[i + n]) == target.filter.prop.name)
                    owner = target.filter.prop.name if extra else owner
                if owner == target.filter.prop.name:
                    span = tokens[i : i + n + extra]
                    n += extra
            if owned is not None:
                mentions.remove(owned[1])
            start = owned[1].start if owned is not None else span[0].start
            phrase = text[start : span[-1].end]
            if target.rank == _NAME_WORD_RANK:
                score = min(score, NAME_WORD_SCORE)
            mentions.append(
                Mention(target.kind, start, span[-1].end, phrase, target.event, target.prop, target.filter, score)
            )
            i += n
        return mentions

    def _qualifying(
        self, text: str, tokens: list[Token], i: int, found: tuple[int, list[_Target], float]
    ) -> tuple[int, list[_Target], float]:
        """ "Paying German customers", "our paying 51-200 employee accounts": a word a few words before its people
        noun means what it means beside it ("paying customers"), not alone ("paying")."""
        for k in range(i + 2, min(i + 2 + _QUALIFIER_GAP, len(tokens))):
            if _CLAUSE_BREAK.search(text[tokens[k - 1].end : tokens[k].start]):
                break
            if tokens[k].stem in _PEOPLE_HEADS:
                targets = self._index.get((tokens[i].stem, tokens[k].stem))
                if targets and all(t.event is not None for t in targets):
                    return 1, targets, found[2]
                break
        return found

    def _exact(self, tokens: list[Token], i: int) -> tuple[int, list[_Target], float] | None:
        for n in range(min(_MAX_ALIAS_TOKENS, len(tokens) - i), 0, -1):
            targets = self._index.get(tuple(t.stem for t in tokens[i : i + n]))
            if targets:
                return n, targets, 100.0
        return None

    def _scattered(self, text: str, tokens: list[Token], i: int) -> tuple[int, list[_Target], float] | None:
        """An event name's words a few words apart in one clause, in any order: "projects have been created" (not
        "clients? just add up ...")."""
        reach = tokens[i : i + _SCATTER_WINDOW]
        broken = next(
            (k for k in range(1, len(reach)) if _CLAUSE_BREAK.search(text[reach[k - 1].end : reach[k].start])), None
        )
        window = [t.stem for t in reach[:broken]]
        for stems, target in self._scatter.get(tokens[i].stem, ()):
            if stems <= set(window):
                last = max(window.index(st) for st in stems)
                if any(
                    t.stem not in stems and t.text not in STOPWORDS and t.text not in _QUANTITY_WORDS
                    for t in tokens[i : i + last + 1]
                ):
                    continue  # "used the ai_assist feature": a word of its own in between is not part of the name
                return last + 1, [target], 95.0
        return None

    def _noun_verb(
        self, text: str, tokens: list[Token], i: int, found: tuple[int, list[_Target], float]
    ) -> tuple[int, list[_Target], float] | None:
        """The noun of several events ("invoices") and, in the same clause, the verb of one of them: later ("how many
        invoices did German accounts send"), or before it with only a count between ("sent at least 3 invoices"):
        that event, named by the noun's words."""
        if found[0] != 1:
            return None
        verbs = {
            next(iter(stems - {tokens[i].stem})): target
            for stems, target in self._scatter.get(tokens[i].stem, ())
            if len(stems) == 2
        }
        verb = self._verb_later(text, tokens[i : i + 1 + _VERB_REACH], verbs) or self._verb_before(
            text, tokens[max(0, i - _VERB_REACH) : i + 1], verbs
        )
        return (1, [verb], found[2]) if verb is not None else None

    def _verb_later(self, text: str, reach: list[Token], verbs: Mapping[str, _Target]) -> _Target | None:
        """The first verb of ``verbs`` after the noun (``reach[0]``) before the clause ends, typos forgiven."""
        for before, token in pairwise(reach):
            if _CLAUSE_BREAK.search(text[before.end : token.start]) or token.text in _CLAUSE_WORDS:
                return None
            if token.stem in verbs:
                return verbs[token.stem]
            typed = self._misspelt_verb(token, verbs)  # "invoices sentt"
            if typed is not None:
                return verbs[typed]
        return None

    @staticmethod
    def _verb_before(text: str, reach: list[Token], verbs: Mapping[str, _Target]) -> _Target | None:
        """A verb of ``verbs`` before the noun (``reach[-1]``) with only words of how many between."""
        for token, after in pairwise(reversed(reach)):
            if _CLAUSE_BREAK.search(text[after.end : token.start]):
                return None
            if after.stem in verbs:
                return verbs[after.stem]
            if not (after.text in _COUNT_WORDS or after.text in _QUANTITY_WORDS or after.text.isdigit()):
                return None  # "sent reminders for invoices": only words of how many stand between
        return None

    def _misspelt_verb(self, token: Token, verbs: Mapping[str, _Target]) -> str | None:
        """The verb of one of the noun's events that a word no dictionary knows is one slip away from."""
        if len(token.text) < 5 or token.text in STOPWORDS or token.text in self.known_words:
            return None
        hit = Nearest(verbs, _FUZZY_CUTOFF).closest(token.stem)
        return hit[0] if hit is not None else None

    def _fuzzy(self, tokens: list[Token], i: int, budget: Budget) -> tuple[int, list[_Target], float] | None:
        """Typos: only for words that are not ordinary English, so "users" never becomes "uses"."""
        word = tokens[i].text
        if len(word) < 5 or word in STOPWORDS or word in self.known_words or word.isdigit() or not budget.allows(word):
            return None
        for n in (2, 1):
            if i + n > len(tokens):
                continue
            hit = self._nearest.closest(" ".join(t.stem for t in tokens[i : i + n]))
            if hit is not None:
                key = tuple(hit[0].split(" "))
                return n, self._index[key], hit[1] * 100
        return None

    def _choose(self, targets: list[_Target], tokens: list[Token], i: int, n: int = 1) -> _Target:
        """The best target for an alias: a word before it may say which property a value belongs to, and a noun
        after it that a value describes ("email signups", "google users") makes it a value, not a property."""
        if len(targets) > 1 and n == 1 and tokens[i].text != tokens[i].stem and tokens[i].text.endswith("s"):
            # "with emails": a plural names the property (a value is one label), where the word is both ("viewed
            # pricing" is no plural: the pricing page, not the amount)
            prop = next((t for t in targets if t.kind == "property"), None)
            if prop is not None:
                return prop
        if len(targets) > 1:
            wanted = (self._context_before.get(tokens[i - 1].text) if i > 0 else None) or self._context_after_of(
                tokens, i + n
            )[0]
            for t in targets:
                if wanted and t.filter is not None and t.filter.prop.name == wanted:
                    return t
        if len(targets) > 1 and self._before_people(tokens, i + n, targets):
            person = next((t for t in targets if t.filter is not None and t.filter.prop.scope == "person"), None)
            if person is not None:
                return person
        if len(targets) > 1 and i + n < len(tokens) and tokens[i + n].stem in _VALUE_HEADS:
            value = next((t for t in targets if t.kind == "value"), None)
            if value is not None:
                return value
        return targets[0]

    def _owner_before(self, target: _Target, text: str, at: int, mentions: list[Mention]) -> Mention | None:
        """The mention of a value's own property right before it ("delivered by email", "paid via card"), at most
        one linking word apart (an operator between them, "plan != pro", is a filter the reader reads)."""
        if target.filter is None or not mentions:
            return None
        last = mentions[-1]
        if last.kind != "property" or last.prop is None or last.prop.name != target.filter.prop.name:
            return None
        return last if _OWNER_BETWEEN.fullmatch(text[last.end : at]) else None

    def _property_named(self, token: Token) -> str | None:
        """The property a single word names, if it names one."""
        return next((t.prop.name for t in self._index.get((token.stem,), ()) if t.kind == "property" and t.prop), None)

    def _before_people(self, tokens: list[Token], at: int, targets: list[_Target]) -> bool:
        """Is the word at ``at`` a people noun, past the name of the value's own property ("business-plan
        subscribers")?"""
        names = {t.filter.prop.name for t in targets if t.filter is not None}
        if at < len(tokens) and tokens[at].text in names:
            at += 1
        return at < len(tokens) and tokens[at].stem in _PEOPLE_HEADS

    def _context_after_of(self, tokens: list[Token], at: int) -> tuple[str | None, int]:
        """The property that the words at ``at`` say a value belongs to ("google sign-in": the sign-in method),
        and how many words say it."""
        for words, prop in self._context_after:
            if tuple(t.text for t in tokens[at : at + len(words)]) == words:
                return prop, len(words)
        return None, 0

    # -- suggestions -------------------------------------------------------------------------------

    def suggest_events(self, phrase: str, limit: int = 5) -> list[str]:
        """The real events closest to an unknown phrase, for a clarifying question."""
        if not phrase.strip():
            return self._event_names[:limit]
        hits = process.extract(
            stem(phrase) if " " not in phrase else phrase, self._event_choices, scorer=fuzz.WRatio, limit=limit
        )
        return [key for _, _, key in hits]

    def event_options(self, limit: int = 8) -> list[str]:
        """Events to offer when nothing was named: the product's main path first."""
        main = [e for e in self.lexicon.get("default_funnel") or [] if e in self.taxonomy.events]
        rest = [e for e in self._event_names if e not in main and not e.startswith("$feature")]
        return (main + rest)[:limit]


def _name_words(taxonomy: Taxonomy, words: Mapping[str, Any]) -> dict[str, str]:
    """Words of a project's own event names that name the event alone: "payments" is ``payment_received`` and
    "exports" ``report_exported`` when no other event has the word. A thing done by a plain verb ("created",
    "sent", "received") is named by its noun; a verb that says more ("cancelled", "shared") by that verb, not
    by its noun ("subscriptions" are not cancellations). Of several events with a noun, the one whose verb comes
    first in ``neutral_verbs`` ("invoices": ``invoice_created`` before ``invoice_sent``)."""
    neutral = [str(v) for v in words.get("neutral_verbs") or ()]
    skipped = {str(w) for w in words.get("never") or ()}
    nouns: dict[str, list[tuple[int, str]]] = {}
    verbs: dict[str, list[str]] = {}
    for name in taxonomy.events:
        parts = [p for p in re.split(r"[_\s-]+", name.lower()) if p]
        if name.startswith("$") or len(parts) < 2:
            continue
        noun, verb = " ".join(parts[:-1]), parts[-1]
        if verb in neutral:  # "support_ticket_created": "support tickets" and "tickets"
            for said in dict.fromkeys((noun, parts[-2])):
                nouns.setdefault(said, []).append((neutral.index(verb), name))
        else:
            verbs.setdefault(verb, []).append(name)
    found = {verb: names[0] for verb, names in verbs.items() if len(names) == 1}
    for noun, ranked in nouns.items():
        found.setdefault(noun, min(ranked)[1])
    return {phrase: name for phrase, name in found.items() if phrase not in skipped and len(phrase) > 2}


def unit_property(taxonomy: Taxonomy, unit: Mapping[str, Any]) -> PropertyDef | None:
    """The numeric property a lexicon unit measures: the one it names, else the one whose name carries the unit
    ("size_mb" for MB); none when several carry it."""
    numeric = [
        p
        for scope in ("event", "person", "session")
        for p in taxonomy.properties(scope).values()
        if p.type == "Numeric"
    ]
    named = [p for p in numeric if p.name == unit.get("property")]
    carrying = [p for p in numeric if str(unit.get("unit", "")).lower() in re.split(r"[_$\s]+", p.name.lower())]
    return next(iter(named or (carrying if len(carrying) == 1 else [])), None)


def _words_of(section: Any) -> Iterator[str]:
    """Every word of five letters or more written in a part of the lexicon (its phrases and the literal words of
    its cue patterns; a pattern's escapes such as ``\\b`` are not read as letters)."""
    if isinstance(section, str):
        yield from re.findall(r"[a-z]{5,}", re.sub(r"\\.", " ", section.lower()))
    elif isinstance(section, Mapping):
        for value in section.values():
            yield from _words_of(value)
    elif isinstance(section, list):
        for value in section:
            yield from _words_of(value)


def load_lexicon(taxonomy: Taxonomy | None = None) -> dict[str, Any]:
    """The words for any product (``engine/lexicon.yaml``), with the project's own words for its names
    (``Taxonomy.lexicon``) read over them."""
    text = resources.files("askhog").joinpath("lexicon.yaml").read_text(encoding="utf-8")
    data = yamlfiles.load(text)
    generic = data if isinstance(data, dict) else {}
    return merge_lexicon(generic, taxonomy.lexicon) if taxonomy is not None and taxonomy.lexicon else generic


def merge_lexicon(base: Mapping[str, Any], own: Mapping[str, Any]) -> dict[str, Any]:
    """``own`` read over ``base``, section by section: a mapping adds its keys (a key both have gets both lists of
    words, ``base``'s first), a list adds its rows after ``base``'s, anything else replaces."""
    merged = dict(base)
    for section, value in own.items():
        current = merged.get(section)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            joined = dict(current)
            for key, words in value.items():
                held = joined.get(key)
                joined[key] = [*held, *words] if isinstance(held, list) and isinstance(words, list) else words
            merged[section] = joined
        elif isinstance(current, list) and isinstance(value, list):
            merged[section] = [*current, *value]
        else:
            merged[section] = value
    return merged
