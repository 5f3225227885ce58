"""How long askhog takes to understand adversarial text, up to the 1,000-character limit (issue 14: ≤ 20 ms).

The inputs are built to be slow for a regex engine or a tokenizer: long digit runs (with separators),
one word repeated (every word the rules and the time grammar look for), many quotes, unicode (accents,
emoji, combining marks, right-to-left, zero-width), nested brackets, whitespace runs, each family's
examples repeated to the limit and cut one character short, and each rule's own words repeated (near
misses of the rule's pattern). Each input is asked of ``Engine.ask`` (reading, recognition, slot
filling, render and validate) and replied in a ``Conversation`` after a clarification. Each figure is the
median of ``RUNS`` runs of the calling thread's CPU time (``time.thread_time``): this machine is shared, and
wall time there measures the neighbours as much as askhog (``--wall`` measures wall time instead).

    .venv/bin/python bench/bench_adversarial.py [--limit N]
"""

from __future__ import annotations

import argparse
import contextlib
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

from askhog.conversation import Conversation
from askhog.engine import Engine
from askhog.errors import AskhogError
from askhog.limits import MAX_QUESTION_CHARS

NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
RUNS = 3
L = MAX_QUESTION_CHARS

PIECES = (
    "9",
    "1,",
    "1.",
    "1 ",
    "12,345 ",
    "-1",
    "1e9",
    "'",
    '"',
    "'a' ",
    '"a" ',
    "(",
    ")",
    "[",
    "{",
    "}",
    "{{",
    "$",
    "%",
    "-",
    "/",
    "->",
    ".",
    ",",
    "?",
    "!",
    "#",
    "*",
    "\\",
    "`",
    "é",
    "漢",
    "🙂",
    "\u0301",
    "\u200b",
    "\u202e",
    "ß",
    "ﬁ",
    "\t",
    "\n",
    "  ",
    "a",
    "x",
    "_",
    "$browser ",
    "plan != ",
    "amount > ",
    "between 1 and ",
    "not ",
    "last ",
    "last 7 days ",
    "week 1 ",
    "jan 1 ",
    "q4 ",
    "since ",
    "how many ",
    "per user ",
    "did not ",
    "in the first ",
    "of the ",
    "vs ",
    "or ",
    "by ",
    "users ",
    "signups ",
    "where ",
    "the ",
    "every ",
    "2026-11-01 ",
    "11/01/2026 ",
    "9am ",
    "monday ",
    "top 10 ",
    "more than ",
    "at least ",
    "over ",
    "'s ",
    "did x but never y ",
    "people who ",
    "weekdays only ",
    "between 9 and 10am ",
    "drop ",
    "why ",
)


def _to_limit(piece: str) -> str:
    return (piece * (L // max(1, len(piece)) + 1))[:L].strip() or "x"


def _rule_words(pattern: str) -> str:
    """A rule's literal words, in order: repeated they are near misses the rule tries at every position."""
    words = re.findall(r"[a-z][a-z' ]{2,}", re.sub(r"\\[a-zA-Z]|\(\?[:!=<]+|\[[^\]]*\]", " ", pattern))
    return " ".join(w.strip() for w in words[:6]) + " "


def inputs(engine: Engine) -> Iterator[tuple[str, str]]:
    """(name, text) pairs, every text at most the limit."""
    for piece in PIECES:
        yield f"repeat {piece!r}", _to_limit(piece)
    yield "nested brackets", ("(" * (L // 2) + ")" * (L // 2))[:L]
    yield "digits then words", "9" * 900 + " signups last week"
    yield "words then digits", "how many signups last " + "7" * 970
    yield "alternating digits", "".join(f"{i % 10}{'a' if i % 3 else ','}" for i in range(L // 2))
    yield "all pieces", "".join(PIECES)[:L]
    for intent in engine.catalog.intents.values():
        for i, example in enumerate(intent.examples[:3]):
            yield f"{intent.id} example {i} repeated", _to_limit(example + " ")
            yield f"{intent.id} example {i} repeated, cut", _to_limit(example + " ")[:-1]
        for j, rule in enumerate(intent.rules):
            yield f"{intent.id} rule {j} words", _to_limit(_rule_words(rule.pattern.pattern))


CLOCK: Callable[[], float] = time.thread_time


def timed(call: Callable[[], object]) -> float:
    """Milliseconds, median of RUNS runs; an AskhogError is an answer too (only a crash is not)."""
    times = []
    for _ in range(RUNS):
        started = CLOCK()
        with contextlib.suppress(AskhogError):
            call()
        times.append((CLOCK() - started) * 1000)
    return statistics.median(times)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="only the first N inputs (0: all)")
    parser.add_argument("--wall", action="store_true", help="wall time instead of the thread's CPU time")
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.perf_counter if args.wall else time.thread_time
    engine = Engine(clock=lambda: NOW)
    engine.ask("how many users signed up last week?")  # warm: the English word list, the first render
    cases = list(inputs(engine))
    if args.limit:
        cases = cases[: args.limit]
    assert all(len(text) <= L for _, text in cases)
    asked: list[tuple[float, str]] = []
    replied: list[tuple[float, str]] = []
    for name, text in cases:
        asked.append((timed(lambda text=text: engine.ask(text, now=NOW)), name))

        def reply(text: str = text) -> None:
            conv = Conversation(engine)
            conv.ask("show me user engagement")  # a clarification: the text below is its reply
            conv.ask(text)

        started = timed(lambda: Conversation(engine).ask("show me user engagement"))
        replied.append((max(0.0, timed(reply) - started), name))
    for label, rows in (("Engine.ask", asked), ("Conversation reply", replied)):
        values = [t for t, _ in rows]
        print(
            f"{label}: {len(values)} inputs, p50 {pct(values, 50):.1f} ms, p99 {pct(values, 99):.1f} ms, "
            f"max {max(values):.1f} ms"
        )
        for t, name in sorted(rows, reverse=True)[:5]:
            print(f"    {t:6.1f} ms  {name}")
    worst = max(t for t, _ in asked + replied)
    print(f"slowest input: {worst:.1f} ms of {'wall' if args.wall else 'CPU'} time (target ≤ 20 ms)")
    sys.exit(0)


if __name__ == "__main__":
    main()
