"""Execution accuracy: is the number in the answer the right one?

Intent accuracy says askhog picked the right *kind* of analysis; it does not say
the answer is right. This module scores answers the way Spider and BIRD score
text-to-SQL systems: each labelled case carries a hand-written ClickHouse
``truth`` query, both run on the same pinned demo data, and the answer is right
when what it *states* matches the truth under the case's ``match`` rule:

* ``number``: the truth is one value; the answer states it (within 1%, or 0.005).
* ``rate``: the truth is one percentage (0-100); the answer states it within 0.5 points.
* ``pair``: the truth is one row of several numbers (this week and last week,
  Chrome and Firefox); the answer states every one.
* ``top``: the truth is ranked rows (label first); the answer's ranking shows
  the same first ``k`` labels in the same order (a truth's empty label is the
  answer's group with no value: "direct", "(none)").
* ``series``: the truth is (period, value) rows; the answer's series has every
  period with the same value (a period missing from the answer counts as 0).
* ``clarify``: a good analyst asks first; the answer must be a clarification.

An answer that is wrong with no reading warning and no clarification is
*silently wrong*: the failure a user cannot see, reported on its own; a right answer that carries a
caveat is counted too (*right but warned*), so that warnings are not bought with noise.
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .backends.base import Table
from .catalog import FAMILIES
from .errors import AskhogError, CatalogError
from .yamlfiles import load_list_file

if TYPE_CHECKING:
    from .answer import Answer
    from .backends.embedded import EmbeddedBackend
    from .engine import Engine
    from .interpret import Interpretation
    from .workflows import Report

Match = Literal["number", "rate", "pair", "top", "series", "clarify"]
MATCHES: tuple[str, ...] = ("number", "rate", "pair", "top", "series", "clarify")
DETAILS: tuple[str, ...] = (
    "plain",
    "filter",
    "negation",
    "comparison",
    "first_time",
    "top_n",
    "measure",
    "time",
    "list",
    "clarify",
)

EXEC_NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
"""The moment every execution case is asked at, and where the pinned demo data ends (a Thursday)."""
EXEC_SEED = 42
EXEC_EVENTS = 200_000

RELATIVE_TOLERANCE = 0.01
ABSOLUTE_TOLERANCE = 0.005
RATE_TOLERANCE = 0.5

_CASE_KEYS = frozenset({"question", "intent", "detail", "match", "truth", "k", "note", "split"})


@dataclass(frozen=True)
class ExecCase:
    """One question with its truth query and how to compare."""

    question: str
    intent: str
    match: str
    truth: str | None = None
    k: int | None = None
    detail: str = "plain"
    split: str = "all"
    note: str = ""
    source: str = ""


@dataclass(frozen=True)
class Stated:
    """What an answer says, in the forms a truth is compared with."""

    figures: tuple[tuple[float, str], ...] = ()
    ranking: tuple[tuple[str, float | None], ...] = ()
    series: tuple[tuple[str, float], ...] = ()


@dataclass
class ExecOutcome:
    case: ExecCase
    verdict: Literal["right", "wrong", "asked", "error"]
    intent: str = ""
    warned: bool = False
    why: str = ""
    seconds: float = 0.0

    @property
    def silently_wrong(self) -> bool:
        return self.verdict == "wrong" and not self.warned


# --- loading ---------------------------------------------------------------------------------------


def load_exec_cases(paths: Iterable[str | Path]) -> list[ExecCase]:
    """Cases of one or more execution sets; every mistake names the file and the case."""
    cases: list[ExecCase] = []
    for path in paths:
        path = Path(path)
        data = load_list_file(path, "an execution set is a list of {question, intent, match, truth} cases")
        for i, raw in enumerate(data):
            where = f"case #{i + 1}"

            def fail(
                message: str, key: str | None = None, *, path: Path = path, where: str = where, raw: Any = raw
            ) -> CatalogError:
                return CatalogError(
                    str(path), f"{where}: {message}", line=getattr(raw, "lines", {}).get(key or "__self__"), key=key
                )

            if not isinstance(raw, dict) or "question" not in raw or "intent" not in raw or "match" not in raw:
                raise fail("needs 'question', 'intent' and 'match'")
            unknown = set(raw) - _CASE_KEYS
            if unknown:
                raise fail(f"unknown keys {sorted(unknown)}; allowed: {sorted(_CASE_KEYS)}", sorted(unknown)[0])
            if raw["intent"] not in FAMILIES:
                raise fail(f"unknown intent {raw['intent']!r}", "intent")
            if raw["match"] not in MATCHES:
                raise fail(f"match must be one of {', '.join(MATCHES)}", "match")
            truth = raw.get("truth")
            if raw["match"] != "clarify" and (not isinstance(truth, str) or not truth.strip()):
                raise fail("needs a 'truth' query (only clarify cases have none)", "truth")
            k = raw.get("k")
            if raw["match"] == "top" and (not isinstance(k, int) or k < 1):
                raise fail("a top case needs k, a whole number of leading rows to compare", "k")
            detail = str(raw.get("detail", "plain"))
            if detail not in DETAILS:
                raise fail(f"detail must be one of {', '.join(DETAILS)}", "detail")
            cases.append(
                ExecCase(
                    str(raw["question"]),
                    raw["intent"],
                    raw["match"],
                    truth,
                    k,
                    detail,
                    str(raw.get("split", "all")),
                    str(raw.get("note", "")),
                    str(path),
                )
            )
    return cases


# --- what an answer states -------------------------------------------------------------------------

_NUMBER_IN_TEXT = re.compile(r"(?<![\w.])-?\d[\d,]*(?:\.\d+)?(%?)")


def stated_from_interpretation(interpretation: Interpretation) -> Stated:
    figures = tuple((f.value, f.unit) for f in interpretation.figures)
    return Stated(figures, interpretation.ranking, interpretation.series)


def stated_from_report(report: Report) -> Stated:
    """A workflow's report states numbers in its finding and its steps' conclusions."""
    text = " ".join([report.finding, *(s.summary for s in report.steps)])
    figures = []
    for m in _NUMBER_IN_TEXT.finditer(text):
        try:
            figures.append((float(m.group(0).rstrip("%").replace(",", "")), "%" if m.group(1) else ""))
        except ValueError:
            continue
    return Stated(tuple(figures))


# --- comparing -------------------------------------------------------------------------------------


def close(a: float, b: float) -> bool:
    return abs(a - b) <= max(RELATIVE_TOLERANCE * abs(b), ABSOLUTE_TOLERANCE)


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    try:
        number = float(str(value).replace(",", ""))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _states_number(stated: Stated, truth: float) -> bool:
    for value, unit in stated.figures:
        candidates = [value]
        if unit == "s":  # a duration: the truth may be in seconds, minutes, hours or days
            candidates += [value / 60, value / 3600, value / 86400]
        if any(close(c, truth) for c in candidates):
            return True
    return False


def _states_rate(stated: Stated, truth: float) -> bool:
    return any(abs(value - truth) <= RATE_TOLERANCE for value, unit in stated.figures if unit == "%")


_WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _label(value: Any) -> str:
    """Labels compared the way a person reads them: case, spaces, brackets around a whole label ("(direct)"), a
    midnight time, trailing zeros and weekday abbreviations ignored."""
    if isinstance(value, datetime):
        value = value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        value = value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = re.sub(r"^\((.*)\)$", r"\1", str(value).strip().lower())
    text = re.sub(r"[t ]00:00:00(?:\.0+)?(?:z|\+00:00)?$", "", text)
    text = next((day for day in _WEEKDAY_NAMES if len(text) >= 3 and day.startswith(text)), text)
    return re.sub(r"\s+", " ", text)


_NO_VALUE = frozenset({"none", "direct"})
"""Labels an answer gives the group with no value ("(none)", and "direct" for a source, as PostHog does: the
lexicon's ``empty_groups``), which a truth query's empty label means."""


def score(case: ExecCase, stated: Stated, truth: Table) -> tuple[bool, str]:
    """Right or wrong, with a short reason a person can check."""
    if not truth.rows:
        return False, "the truth query returned no rows"
    if case.match in ("number", "rate"):
        t = _as_number(truth.rows[0][0])
        if t is None:
            return False, f"truth is not a number: {truth.rows[0][0]!r}"
        ok = _states_rate(stated, t) or _states_number(stated, t) if case.match == "rate" else _states_number(stated, t)
        return ok, f"truth {t:g}; stated {[round(v, 3) for v, _ in stated.figures][:8]}"
    if case.match == "pair":
        numbers = [n for n in (_as_number(v) for v in truth.rows[0]) if n is not None]
        missing = [n for n in numbers if not (_states_number(stated, n) or _states_rate(stated, n))]
        return not missing and bool(
            numbers
        ), f"truth {numbers}; not stated {missing}; stated {[round(v, 3) for v, _ in stated.figures][:8]}"
    if case.match == "top":
        k = min(case.k or 3, len(truth.rows))
        want = [(_label(r[0]), _as_number(r[1]) if len(r) > 1 else None) for r in truth.rows[:k]]
        got = [(_label(lab), val) for lab, val in stated.ranking[:k]]
        if len(got) != len(want) or not all(
            w == g or (w == "" and g in _NO_VALUE) for (w, _), (g, _) in zip(want, got, strict=True)
        ):
            return False, f"truth top {k} {[w for w, _ in want]}; answer {[g for g, _ in got]}"
        return True, "same leading rows"
    if case.match == "series":
        by_label = {_label(p): v for p, v in stated.series}
        wrong = []
        for row in truth.rows:
            expected = _as_number(row[1]) if len(row) > 1 else None
            if expected is None:
                continue
            have = by_label.get(_label(row[0]), 0.0)
            if not close(have, expected):
                wrong.append((_label(row[0]), expected, have))
        if not by_label:
            return False, "the answer has no series"
        return not wrong, f"{len(wrong)} of {len(truth.rows)} periods differ: {wrong[:3]}"
    return False, f"unknown match {case.match!r}"


# --- running ---------------------------------------------------------------------------------------


def pinned_backend(home: str | Path | None = None, product: str | None = None) -> EmbeddedBackend:
    """The demo every execution set of ``product`` (default: Paperplane) is written against: seed 42, 200k
    events, ending at ``EXEC_NOW``.

    Generated once into its own folder of the askhog home (a few seconds) and reused after.
    """
    from .backends.embedded import EmbeddedBackend
    from .demo import products
    from .demo.generate import generate_demo
    from .paths import cache_home

    product = product or products.DEFAULT
    named = "" if product == products.DEFAULT else f"{product}-"
    folder = Path(home) if home else cache_home() / f"exec-demo-{named}{EXEC_SEED}-{EXEC_EVENTS}-{EXEC_NOW:%Y%m%dT%H}"
    backend = EmbeddedBackend(folder, generate=False, progress=None)
    meta = backend.store.metadata() if (folder / "chdb").exists() else {}
    if (
        meta.get("end") != EXEC_NOW.isoformat()
        or meta.get("seed") != str(EXEC_SEED)
        or (meta.get("product") or products.DEFAULT) != product
    ):
        generate_demo(EXEC_EVENTS, EXEC_SEED, folder, None, end=EXEC_NOW, product=product)
    return backend


def evaluate_execution(
    engine: Engine,
    backend: EmbeddedBackend,
    cases: list[ExecCase],
    now: datetime = EXEC_NOW,
    progress: Callable[[int, int], None] | None = None,
) -> list[ExecOutcome]:
    """Ask, run and score every case; truths run on the same store as the answers."""
    outcomes = []
    for i, case in enumerate(cases, 1):
        outcomes.append(_run_case(engine, backend, case, now))
        if progress:
            progress(i, len(cases))
    return outcomes


def _run_case(engine: Engine, backend: EmbeddedBackend, case: ExecCase, now: datetime) -> ExecOutcome:
    from .workflows import Report

    started = time.perf_counter()
    try:
        answer: Answer = engine.ask(case.question, now=now)
    except AskhogError as exc:
        return ExecOutcome(case, "error", why=f"ask: {type(exc).__name__}: {exc}")
    warned = bool(answer.caveats)
    if answer.clarification is not None or answer.intent == "out_of_scope":
        verdict: Literal["right", "asked"] = "right" if case.match == "clarify" else "asked"
        prompt = answer.clarification.questions[0].prompt if answer.clarification else (answer.message or "")[:80]
        return ExecOutcome(case, verdict, answer.intent, True, f"asked: {prompt}", time.perf_counter() - started)
    if case.match == "clarify":
        return ExecOutcome(
            case,
            "wrong",
            answer.intent,
            warned,
            "answered where a clarification was needed",
            time.perf_counter() - started,
        )
    try:
        result = answer.run()
        stated = (
            stated_from_report(result)
            if isinstance(result, Report)
            else stated_from_interpretation(answer.interpret(result))
        )
        truth = backend.run_sql(case.truth or "")
    except AskhogError as exc:
        return ExecOutcome(
            case, "error", answer.intent, warned, f"run: {type(exc).__name__}: {exc}", time.perf_counter() - started
        )
    ok, why = score(case, stated, truth)
    return ExecOutcome(case, "right" if ok else "wrong", answer.intent, warned, why, time.perf_counter() - started)


# --- reporting -------------------------------------------------------------------------------------


def summarize_execution(outcomes: list[ExecOutcome]) -> dict[str, Any]:
    splits = sorted({o.case.split for o in outcomes})
    report: dict[str, Any] = {"cases": len(outcomes), "overall": _exec_metrics(outcomes)}
    if len(splits) > 1:
        report["splits"] = {s: _exec_metrics([o for o in outcomes if o.case.split == s]) for s in splits}
    return report


def _exec_metrics(outcomes: list[ExecOutcome]) -> dict[str, Any]:
    answerable = [o for o in outcomes if o.case.match != "clarify"]
    clarify = [o for o in outcomes if o.case.match == "clarify"]
    n = len(answerable)
    right = sum(o.verdict == "right" for o in answerable)
    silent = sum(o.silently_wrong for o in outcomes)
    by: dict[str, dict[str, dict[str, int]]] = {"family": defaultdict(Counter), "detail": defaultdict(Counter)}
    for o in answerable:
        for key, value in (("family", o.case.intent), ("detail", o.case.detail)):
            by[key][value][o.verdict] += 1
            by[key][value]["cases"] += 1
    return {
        "cases": len(outcomes),
        "answerable": n,
        "execution_accuracy": round(right / n, 4) if n else None,
        "right": right,
        "wrong": sum(o.verdict == "wrong" for o in answerable),
        "asked_instead": sum(o.verdict == "asked" for o in answerable),
        "errors": sum(o.verdict == "error" for o in answerable),
        "silently_wrong": silent,
        "silently_wrong_share": round(silent / len(outcomes), 4) if outcomes else None,
        "right_but_warned": sum(o.verdict == "right" and o.warned for o in answerable),
        "clarify_cases": len(clarify),
        "clarify_asked": sum(o.verdict == "right" for o in clarify),
        "intent_accuracy": round(sum(o.intent == o.case.intent for o in outcomes) / len(outcomes), 4)
        if outcomes
        else None,
        "by_family": {k: dict(v) for k, v in sorted(by["family"].items())},
        "by_detail": {k: dict(v) for k, v in sorted(by["detail"].items())},
        "misses": [
            {
                "question": o.case.question,
                "intent": o.case.intent,
                "got": o.intent,
                "verdict": o.verdict,
                "silent": o.silently_wrong,
                "why": o.why,
                "source": o.case.source,
            }
            for o in outcomes
            if o.verdict != "right"
        ],
    }


def format_execution_report(report: dict[str, Any], show_misses: bool = False) -> str:
    lines = [f"cases: {report['cases']}"]
    sections = [("overall", report["overall"]), *list((report.get("splits") or {}).items())]
    for name, m in sections:
        acc = m["execution_accuracy"]
        lines.append(f"\n== {name} ({m['cases']} cases, {m['answerable']} with a truth)")
        lines.append(
            f"execution accuracy       {acc * 100 if acc is not None else 0:6.1f}%  "
            f"({m['right']} right, {m['wrong']} wrong, {m['asked_instead']} asked instead, {m['errors']} errors)"
        )
        share = m["silently_wrong_share"] or 0.0
        lines.append(
            f"silently wrong           {share * 100:6.1f}%  ({m['silently_wrong']} wrong with no warning "
            "or clarification)"
        )
        lines.append(
            f"right but warned         {m['right_but_warned']} (a caveat on a right answer: the price of "
            "never being silently wrong)"
        )
        lines.append(f"clarify cases asked      {m['clarify_asked']} of {m['clarify_cases']}")
        lines.append(f"intent accuracy          {(m['intent_accuracy'] or 0) * 100:6.1f}%")
    m = report["overall"]
    for key in ("by_family", "by_detail"):
        lines.append(f"\n{key.replace('_', ' ')} (overall)     right / cases")
        for name, c in m[key].items():
            lines.append(
                f"  {name:22s} {c.get('right', 0):4d} / {c['cases']:<4d} {100 * c.get('right', 0) / c['cases']:5.1f}%"
            )
    if show_misses:
        lines.append("\nmisses:")
        for x in m["misses"]:
            flag = " SILENT" if x["silent"] else ""
            lines.append(f"  [{x['intent']} -> {x['got']} {x['verdict']}{flag}] {x['question']}\n      {x['why']}")
    return "\n".join(lines)
