"""The 100k fuzz run (issue 14): generated questions, no crash, bounded time, flat memory.

100,000 questions (``--n``), a third each: realistic (the catalog's examples and the labelled questions,
with their periods, filters and numbers swapped and words misspelt), fuzzed (those mutated: characters
inserted, deleted and swapped; unicode, digit runs, quotes and brackets spliced in; lengths up to the
1,000-character limit and beyond it) and injection-like (SQL and HogQL injections, template braces,
comment tricks, NUL and control characters placed where a value would be read). Every tenth question is
a reply in a ``Conversation`` after a clarification; an answered injection-like question also builds its
``inline`` text. Reported: unhandled exceptions (anything that is not an ``AskhogError``), the maximum and
p99 time per question (the calling thread's CPU time, and wall time, which on this shared machine also
measures the neighbours), and how much the resident memory grew after the first 10,000 questions.
Before the run, every example of the catalog is asked once, untimed: one-time costs (the statistics
library a diagnosis imports, the English word list, each family's first query shape) are start-up, not
a question's. Then the objects built so far are frozen out of the garbage collector (``gc.freeze()``, as a
long-running server would after start-up), so that a full collection of the engine's ~150 MB of tables is
not charged to whichever question triggers it. The run is deterministic (``--seed``).

    .venv/bin/python bench/bench_fuzz.py [--n 100000] [--seed 14]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import time
import traceback
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from askhog.conversation import Conversation
from askhog.engine import Engine
from askhog.errors import AskhogError
from askhog.evaluate import load_cases
from askhog.limits import MAX_QUESTION_CHARS

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 11, 26, 12, 0, 0, tzinfo=UTC)
WARMUP = 10_000
"""Questions before memory is measured: caches fill up to their bounds by then."""

PERIODS = (
    "last week",
    "last 30 days",
    "this month",
    "in October",
    "yesterday",
    "since Nov 1",
    "Q3",
    "between Oct 1 and Oct 15",
    "over the last 90 days",
    "today",
    "last quarter",
    "this year",
    "",
)
FILTERS = (
    "where plan != pro",
    "where plan is not team",
    "where amount > 1,000",
    "where amount between 10 and 50",
    "on Chrome",
    "not on Safari",
    "from the US",
    "where $os = ''",
    "where $current_url contains pricing",
    "for pro users",
    "excluding mobile",
    "where amount > -5",
    "where amount > 1e3",
    "",
)
TYPOS = {
    "signups": "sigups",
    "retention": "retnetion",
    "purchases": "purchses",
    "conversion": "converison",
    "users": "usres",
    "funnel": "funel",
    "weekly": "weekyl",
    "browser": "broswer",
}
INJECTIONS = (
    "'; DROP TABLE events; --",
    "' OR 1=1 --",
    '" OR "1"="1',
    "1; DELETE FROM persons",
    "{{ 7*7 }}",
    "{% raw %}",
    "{event}",
    "}}{{",
    "') UNION SELECT * FROM system.users --",
    "/* */ SELECT 1",
    "-- comment\nSELECT",
    "values('a')",
    "x\x00y",
    "\\'",
    "`events`",
    "$(rm -rf /)",
    "<script>alert(1)</script>",
    "%s%s%s%n",
    "${jndi:ldap://x}",
    "' || sleep(10) || '",
    "p{event}",
    "f'{x}'",
    "#comment",
    "\u202eevil",
    "SELECT * FROM events",
    "INSERT INTO events VALUES (1)",
)
SPLICES = (
    "9" * 200,
    "1,000,000",
    "''''",
    '""""',
    "((((",
    "]]]]",
    "🙂🙂",
    "é́",
    "\u200b",
    "\t\n",
    "漢字",
    "ß",
    "-" * 50,
    "$$$$",
    "....",
    "?!?!",
    "  ",
    "{{",
    "%%%%",
    "\\\\",
)


def realistic(rng: random.Random, seeds: list[str]) -> str:
    question = rng.choice(seeds)
    if rng.random() < 0.4:
        question = f"{question.rstrip('?')} {rng.choice(FILTERS)} {rng.choice(PERIODS)}".strip()
    if rng.random() < 0.3:
        question = " ".join(TYPOS.get(w, w) for w in question.split())
    return question


def fuzzed(rng: random.Random, seeds: list[str]) -> str:
    chars = list(realistic(rng, seeds))
    for _ in range(rng.randint(1, 12)):
        kind = rng.random()
        at = rng.randint(0, len(chars))
        if kind < 0.3:
            chars[at:at] = list(rng.choice(SPLICES))
        elif kind < 0.5 and chars:
            del chars[min(at, len(chars) - 1)]
        elif kind < 0.7 and len(chars) > 1:
            i = min(at, len(chars) - 2)
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        elif kind < 0.85:
            chars[at:at] = [chr(rng.randint(0x20, 0x2FFF))]
        else:
            chars[at:at] = list(" ".join(rng.choice(seeds).split()[: rng.randint(1, 6)]))
    text = "".join(chars)
    if rng.random() < 0.05:  # to the limit, and a few past it (refused as a QuestionError)
        text = (text + " ") * (MAX_QUESTION_CHARS // max(1, len(text) + 1) + rng.randint(1, 2))
        text = text[: MAX_QUESTION_CHARS + rng.choice((0, 0, 0, 1, 500))]
    return text


def injection(rng: random.Random, seeds: list[str]) -> str:
    words = realistic(rng, seeds).split()
    for _ in range(rng.randint(1, 3)):
        words.insert(rng.randint(0, len(words)), rng.choice(INJECTIONS))
    if rng.random() < 0.3:
        words.append(f"where plan = '{rng.choice(INJECTIONS)}'")
    return " ".join(words)


def rss_mb() -> float:
    """Resident memory now (not the peak), from /proc."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q / 100 * (len(values) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    engine = Engine(clock=lambda: NOW)
    files = sorted((ROOT / "tests" / "data").glob("questions*.yaml"))
    seeds = [c.question for c in load_cases(files)] + [e for i in engine.catalog.intents.values() for e in i.examples]
    for example in (e for i in engine.catalog.intents.values() for e in i.examples):  # warm-up, untimed
        engine.ask(example, now=NOW)
    gc.collect()
    gc.freeze()
    kinds: tuple[tuple[str, Callable[[random.Random, list[str]], str]], ...] = (
        ("realistic", realistic),
        ("fuzzed", fuzzed),
        ("injection", injection),
    )
    cpu: list[float] = []
    wall: list[float] = []
    texts: list[str] = []
    crashes: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    first_crash = ""
    rss_after_warmup = 0.0
    started_run = time.perf_counter()
    for i in range(args.n):
        kind, make = kinds[i % 3]
        text = make(rng, seeds)
        reply = i % 10 == 9
        conv = Conversation(engine) if reply else None
        if conv is not None:
            conv.ask("show me user engagement")  # a clarification: the text is its reply
        c0, w0 = time.thread_time(), time.perf_counter()
        try:
            answer = conv.ask(text) if conv is not None else engine.ask(text, now=NOW)
            if kind == "injection" and answer.hogql is not None:
                answer.inline  # noqa: B018 - built for the check, not used
            outcomes["clarified" if answer.clarification else "answered" if answer.hogql else "no query"] += 1
        except AskhogError:
            outcomes["AskhogError"] += 1
        except Exception as exc:
            crashes[type(exc).__name__] += 1
            first_crash = first_crash or f"{text!r}\n{traceback.format_exc()}"
        cpu.append((time.thread_time() - c0) * 1000)
        if cpu[-1] > 50:
            texts.append(f"{cpu[-1]:.0f} ms: {text[:200]!r}")
        wall.append((time.perf_counter() - w0) * 1000)
        if i + 1 == WARMUP:
            rss_after_warmup = rss_mb()
        if (i + 1) % 10_000 == 0:
            print(
                f"  {i + 1:,} questions, {time.perf_counter() - started_run:.0f} s, RSS {rss_mb():.1f} MB", flush=True
            )
    rss_end = rss_mb()
    slowest = max(range(len(cpu)), key=cpu.__getitem__)
    print(f"questions: {args.n:,} (realistic, fuzzed, injection-like: a third each; every tenth a Conversation reply)")
    print(f"outcomes: {dict(outcomes)}")
    print(f"unhandled exceptions: {sum(crashes.values())} {dict(crashes)}")
    print(f"time per question, CPU:  p50 {pct(cpu, 50):.1f} ms, p99 {pct(cpu, 99):.1f} ms, max {max(cpu):.1f} ms")
    print(f"time per question, wall: p50 {pct(wall, 50):.1f} ms, p99 {pct(wall, 99):.1f} ms, max {max(wall):.1f} ms")
    print(
        f"RSS: {rss_after_warmup:.1f} MB after {WARMUP:,}, {rss_end:.1f} MB at the end: "
        f"growth {rss_end - rss_after_warmup:+.1f} MB"
    )
    print(f"slowest (CPU): #{slowest}; over 50 ms: {len(texts)}")
    for line in texts[:10]:
        print("   ", line)
    if first_crash:
        print("first crash:", first_crash)


if __name__ == "__main__":
    main()
