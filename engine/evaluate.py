"""Batch evaluation against labelled question sets (shared/spec/intents.md's format).

Reports what matters for trusting the engine on questions it has never seen:
intent accuracy (per split, when cases carry ``split``), per-family precision,
recall and F1, the confusion pairs, whether the engine asked exactly when it
should have, slot accuracy where the intent was right (time ranges compared by
their resolved bounds, not their text), and latency percentiles.
"""

from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .answer import Answer
from .catalog import FAMILIES
from .clock import aware_utc
from .engine import Engine
from .errors import AskhogError, CatalogError
from .latency import percentile
from .meaning import Breakdown
from .timerange import from_spec
from .types import EventRef, PropertyFilter, PropertyRef, TimeRange
from .yamlfiles import load_list_file


@dataclass(frozen=True)
class Case:
    question: str
    intent: str
    clarify: bool = False
    slots: Mapping[str, Any] = field(default_factory=dict)
    split: str = "all"
    source: str = ""


@dataclass
class Outcome:
    case: Case
    intent: str
    asked: bool
    has_query: bool
    slot_hits: dict[str, bool]
    seconds: float
    error: str | None = None


_LABEL_CHECK_NOW = datetime(2100, 1, 1, tzinfo=UTC)
"""Labels are only checked for shape when loaded: far enough ahead that no dated label is in its future."""


def _bad_label() -> None:
    raise AskhogError("a time_range label is a mapping such as {last: 7, unit: day}")


def load_cases(paths: Iterable[str | Path]) -> list[Case]:
    cases: list[Case] = []
    for path in paths:
        path = Path(path)
        data = load_list_file(path, "a labelled set is a list of {question, intent, ...} cases")
        for i, raw in enumerate(data):
            if not isinstance(raw, dict) or "question" not in raw or "intent" not in raw:
                raise CatalogError(str(path), f"case #{i + 1} needs 'question' and 'intent'")
            if raw["intent"] not in FAMILIES:
                raise CatalogError(str(path), f"case #{i + 1}: unknown intent {raw['intent']!r}", key="intent")
            if not isinstance(raw.get("slots") or {}, dict):
                raise CatalogError(
                    str(path), f"case #{i + 1}: 'slots' must be a mapping of slot names to values", key="slots"
                )
            time_label = (raw.get("slots") or {}).get("time_range")
            if time_label is not None:
                try:
                    from_spec(time_label, _LABEL_CHECK_NOW) if isinstance(time_label, dict) else _bad_label()
                except AskhogError as exc:
                    raise CatalogError(
                        str(path), f"case #{i + 1}: time_range label {time_label!r}: {exc}", key="time_range"
                    ) from None
            cases.append(
                Case(
                    str(raw["question"]),
                    raw["intent"],
                    bool(raw.get("clarify", False)),
                    dict(raw.get("slots") or {}),
                    str(raw.get("split", "all")),
                    str(path),
                )
            )
    return cases


# --- slot matching ------------------------------------------------------------------------------


def slot_matches(expected: Any, actual: Any, now: datetime) -> bool:
    """Does the engine's slot value mean what the label says?"""
    if actual is None:
        return False
    if isinstance(actual, TimeRange):
        if not isinstance(expected, Mapping):
            return False
        try:
            want = from_spec(expected, now)
        except AskhogError:
            return False
        return want.start == actual.start and want.end == actual.end
    if isinstance(actual, EventRef):
        return expected == actual.name or (isinstance(expected, Mapping) and expected.get("event") == actual.name)
    if isinstance(actual, Breakdown) and actual.property is not None and not actual.values:
        actual = actual.property  # a split by the property whose empty rows make a group of their own ("direct")
    if isinstance(actual, PropertyRef):
        return str(expected).lstrip("$") == actual.name.lstrip("$")
    if isinstance(actual, tuple) and actual and isinstance(actual[0], EventRef):
        return isinstance(expected, list) and [e for e in expected] == [a.name for a in actual]
    if isinstance(actual, tuple) and actual and isinstance(actual[0], PropertyFilter):
        return isinstance(expected, list) and all(
            any(f.prop.name == e.get("property") and str(f.value) == str(e.get("value")) for f in actual)
            for e in expected
            if isinstance(e, Mapping)
        )
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return float(expected) == float(actual)
    return str(expected) == str(actual)


# --- running -------------------------------------------------------------------------------------


def evaluate(
    engine: Engine, cases: list[Case], now: datetime | None = None, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    now = aware_utc(now) if now is not None else engine.clock()  # the labels resolve at the moment asked at
    outcomes: list[Outcome] = []
    for i, case in enumerate(cases, 1):
        start = time.perf_counter()
        error = None
        try:
            answer: Answer | None = engine.ask(case.question, now=now)
        except AskhogError as exc:
            answer, error = None, f"{type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - start
        if answer is None:  # an error is neither a right intent nor a clarification
            outcomes.append(Outcome(case, "error", False, False, {}, seconds, error))
        else:
            hits = {name: slot_matches(value, answer.slots.get(name), now) for name, value in case.slots.items()}
            outcomes.append(
                Outcome(case, answer.intent, answer.clarification is not None, answer.hogql is not None, hits, seconds)
            )
        if progress:
            progress(i, len(cases))
    return summarize(outcomes)


def summarize(outcomes: list[Outcome]) -> dict[str, Any]:
    splits = sorted({o.case.split for o in outcomes})
    report: dict[str, Any] = {"cases": len(outcomes)}
    report["overall"] = _metrics(outcomes)
    if len(splits) > 1:
        report["splits"] = {s: _metrics([o for o in outcomes if o.case.split == s]) for s in splits}
    return report


def _metrics(outcomes: list[Outcome]) -> dict[str, Any]:
    n = len(outcomes)
    correct = sum(o.intent == o.case.intent for o in outcomes)
    families: dict[str, dict[str, float]] = {}
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    confusion: Counter[tuple[str, str]] = Counter()
    for o in outcomes:
        if o.intent == o.case.intent:
            tp[o.intent] += 1
        else:
            fp[o.intent] += 1
            fn[o.case.intent] += 1
            confusion[(o.case.intent, o.intent)] += 1
    for fam in FAMILIES:
        p = tp[fam] / (tp[fam] + fp[fam]) if tp[fam] + fp[fam] else 0.0
        r = tp[fam] / (tp[fam] + fn[fam]) if tp[fam] + fn[fam] else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if tp[fam] + fn[fam] + fp[fam]:
            families[fam] = {
                "precision": round(p, 3),
                "recall": round(r, 3),
                "f1": round(f1, 3),
                "support": tp[fam] + fn[fam],
            }
    asked_right = sum(o.asked == o.case.clarify for o in outcomes)
    should = [o for o in outcomes if o.case.clarify]
    did = [o for o in outcomes if o.asked]
    slot_total = slot_ok = 0
    slot_by_name: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for o in outcomes:
        if o.intent != o.case.intent or o.case.clarify:
            continue
        for name, ok in o.slot_hits.items():
            slot_total += 1
            slot_ok += ok
            slot_by_name[name][0] += ok
            slot_by_name[name][1] += 1
    latencies = sorted(o.seconds * 1000 for o in outcomes)
    oos_with_query = sum(1 for o in outcomes if o.case.intent == "out_of_scope" and o.has_query)
    return {
        "cases": n,
        "intent_accuracy": round(correct / n, 4) if n else 0.0,
        "clarification_accuracy": round(asked_right / n, 4) if n else 0.0,
        "clarification_precision": round(sum(o.case.clarify for o in did) / len(did), 4) if did else 1.0,
        "clarification_recall": round(sum(o.asked for o in should) / len(should), 4) if should else 1.0,
        "slot_accuracy": round(slot_ok / slot_total, 4) if slot_total else None,
        "slots_scored": slot_total,
        "slot_accuracy_by_name": {k: round(v[0] / v[1], 3) for k, v in sorted(slot_by_name.items())},
        "out_of_scope_answered_with_query": oos_with_query,
        "families": families,
        "confusions": [{"expected": a, "got": b, "count": c} for (a, b), c in confusion.most_common()],
        "errors": [{"question": o.case.question, "error": o.error} for o in outcomes if o.error],
        "latency_ms": {f"p{q}": percentile(latencies, q) or 0.0 for q in (50, 95, 99)},
        "misses": [
            {"question": o.case.question, "expected": o.case.intent, "got": o.intent}
            for o in outcomes
            if o.intent != o.case.intent
        ],
    }


def format_report(report: dict[str, Any], show_misses: bool = False) -> str:
    lines = [f"cases: {report['cases']}"]
    sections = [("overall", report["overall"]), *list((report.get("splits") or {}).items())]
    for name, m in sections:
        lines.append(f"\n== {name} ({m['cases']} cases)")
        lines.append(f"intent accuracy          {m['intent_accuracy'] * 100:6.1f}%")
        lines.append(
            f"clarification decisions  {m['clarification_accuracy'] * 100:6.1f}%  "
            f"(precision {m['clarification_precision'] * 100:.1f}%, recall {m['clarification_recall'] * 100:.1f}%)"
        )
        if m["slot_accuracy"] is not None:
            lines.append(
                f"slot accuracy            {m['slot_accuracy'] * 100:6.1f}%  ({m['slots_scored']} slots, intent right)"
            )
        lines.append(f"out_of_scope answered with a query: {m['out_of_scope_answered_with_query']}")
        lat = m["latency_ms"]
        lines.append(f"latency ms               p50 {lat['p50']:.2f}  p95 {lat['p95']:.2f}  p99 {lat['p99']:.2f}")
    m = report["overall"]
    lines.append("\nper family (overall)      precision  recall   f1   support")
    for fam, f in m["families"].items():
        lines.append(f"  {fam:22s} {f['precision']:8.2f} {f['recall']:7.2f} {f['f1']:5.2f} {f['support']:6d}")
    if m["confusions"]:
        lines.append("\nconfusions (expected -> got: count)")
        for c in m["confusions"][:15]:
            lines.append(f"  {c['expected']} -> {c['got']}: {c['count']}")
    if m["slot_accuracy_by_name"]:
        lines.append(
            "\nslot accuracy by slot: "
            + ", ".join(f"{k} {v * 100:.0f}%" for k, v in m["slot_accuracy_by_name"].items())
        )
    if show_misses:
        lines.append("\nmisses:")
        lines.extend(f"  [{x['expected']} -> {x['got']}] {x['question']}" for x in m["misses"])
    return "\n".join(lines)


# --- the out-of-scope operating point ---------------------------------------------------------------

OOS_POINTS = (0.02, 0.05, 0.10, 0.15, 0.20, 0.25, 0.30, 0.35, 0.40, 0.50, 0.60, 0.70)
"""Values of ``refuse_at`` that ``askhog eval --oos-curve`` sweeps."""


def oos_curve(
    engine: Engine,
    cases: list[Case],
    points: Iterable[float] = OOS_POINTS,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """At each refusal threshold (``refuse_at``, the catalog's one number): out-of-scope recall (refused), the
    refusals answered with a query, in-scope intent accuracy, and the share of in-scope questions that need no
    clarification but were sent to one or refused. The engine's own threshold is restored afterwards."""
    now = now or engine.clock()
    recognizer = engine.recognizer
    kept = recognizer.refuse_at
    points = list(points)
    rows = []
    try:
        for i, point in enumerate(points, 1):
            recognizer.refuse_at = point
            outcomes = []
            for case in cases:
                try:
                    answer = engine.ask(case.question, now=now)
                    outcomes.append((case, answer.intent, answer.clarification is not None, answer.hogql is not None))
                except AskhogError:
                    outcomes.append((case, "error", False, False))
            rows.append(_curve_point(point, outcomes, kept))
            if progress:
                progress(i, len(points))
    finally:
        recognizer.refuse_at = kept
    return rows


def _curve_point(point: float, outcomes: list[tuple[Case, str, bool, bool]], current: float) -> dict[str, Any]:
    refusals = [o for o in outcomes if o[0].intent == "out_of_scope"]
    in_scope = [o for o in outcomes if o[0].intent != "out_of_scope"]
    plain = [o for o in in_scope if not o[0].clarify]

    def share(part: int, whole: int) -> float:
        return round(part / whole, 4) if whole else 0.0

    return {
        "refuse_at": point,
        "current": abs(point - current) < 1e-9,
        "refusals": len(refusals),
        "in_scope": len(in_scope),
        "oos_recall": share(sum(o[1] == "out_of_scope" for o in refusals), len(refusals)),
        "oos_with_query": sum(o[3] for o in refusals),
        "in_scope_accuracy": share(sum(o[1] == o[0].intent for o in in_scope), len(in_scope)),
        "in_scope_held_back": share(sum(o[2] or o[1] == "out_of_scope" for o in plain), len(plain)),
        "intent_accuracy": share(sum(o[1] == o[0].intent for o in outcomes), len(outcomes)),
        "clarification_accuracy": share(sum(o[2] == o[0].clarify for o in outcomes), len(outcomes)),
    }


def format_oos_curve(rows: list[dict[str, Any]], label: str = "") -> str:
    """The curve as a Markdown table (the README's)."""
    first = rows[0] if rows else {"refusals": 0, "in_scope": 0}
    lines = [
        f"out-of-scope operating point{f' on {label}' if label else ''}: {first['refusals']} refusals, "
        f"{first['in_scope']} in-scope questions",
        "",
        "| refuse_at | out-of-scope recall | refusals answered with a query | in-scope accuracy "
        "| in-scope sent to a clarification or refusal | intent accuracy | clarification decisions |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        mark = " (catalog)" if r["current"] else ""
        lines.append(
            f"| {r['refuse_at']:.2f}{mark} | {r['oos_recall'] * 100:.1f}% | {r['oos_with_query']} "
            f"| {r['in_scope_accuracy'] * 100:.1f}% | {r['in_scope_held_back'] * 100:.1f}% "
            f"| {r['intent_accuracy'] * 100:.1f}% | {r['clarification_accuracy'] * 100:.1f}% |"
        )
    return "\n".join(lines)


def terminal_progress(done: int, total: int) -> None:
    """A progress bar on stderr, only when stderr is a terminal."""
    if not sys.stderr.isatty():
        return
    width = 30
    filled = int(width * done / total) if total else width
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()
