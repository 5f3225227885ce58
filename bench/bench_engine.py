"""Start-up and per-question latency of recognition + slot filling (issue 2's targets).

Prints: cold start (import + catalog + training, no cached model) and warm start
(cached model) measured in fresh processes; then recognition + slot filling and
the whole ask() (with render + validate) per question, p50/p95/p99 over every
question of tests/data/questions.yaml, on one thread.

    .venv/bin/python bench/bench_engine.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from askhog.latency import percentile

ROOT = Path(__file__).resolve().parents[1]
STARTUP_RUNS = 7
"""Fresh processes per start-up figure: this 2-core machine varies by ±10% from run to run."""
STARTUP = (
    "import time; t = time.perf_counter(); from askhog.engine import Engine; Engine(); print(time.perf_counter() - t)"
)


def startup(home: str) -> float:
    env = {**os.environ, "ASKHOG_HOME": home}
    out = subprocess.run([sys.executable, "-c", STARTUP], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def pct(values: list[float], q: float) -> float:
    return percentile(sorted(values), q) or 0.0


def render_validate_first_pass(engine, questions, now, cache):  # type: ignore[no-untyped-def]
    """What the engine spends rendering and validating each question's query, the first time through:
    literals are placeholders, so a query text seen before is not validated again."""
    answers = [engine.ask(q, now=now) for q in questions]
    cache.clear()
    times = []
    for answer in answers:
        if answer.hogql is None:
            continue
        slots = {s.name: answer.slots.get(s.name) for s in engine.catalog[answer.intent].slots}
        started = time.perf_counter()
        cache.check(engine.renderer.render(answer.template, slots).hogql)
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> None:
    colds, warms = [], []
    for _ in range(STARTUP_RUNS):
        with tempfile.TemporaryDirectory() as home:
            colds.append(startup(home))
            warms.append(startup(home))
    print(
        f"start-up, cold (import + catalog + training): median {statistics.median(colds):.2f} s "
        f"(runs: {', '.join(f'{c:.2f}' for c in colds)})"
    )
    print(
        f"start-up, warm (cached model):                median {statistics.median(warms):.2f} s "
        f"(runs: {', '.join(f'{w:.2f}' for w in warms)})"
    )

    from askhog.engine import Engine
    from askhog.evaluate import load_cases

    engine = Engine()
    questions = [c.question for c in load_cases([ROOT / "tests" / "data" / "questions.yaml"])]
    now = engine.clock()
    per_question = render_validate_first_pass(engine, questions, now, engine.verdicts)
    for q in questions:  # warm caches (regex, validation of each template text)
        engine.ask(q)
    stages, whole = [], []
    for q in questions:  # each question's median of 5 runs, so a stray pause of the machine is not a tail
        per_stage, per_whole = [], []
        for _ in range(5):
            t0 = time.perf_counter()
            rec = engine.recognizer.recognize(q)
            engine.filler.fill(engine.catalog[rec.intent], q, now)
            t1 = time.perf_counter()
            engine.ask(q, now=now)
            t2 = time.perf_counter()
            per_stage.append((t1 - t0) * 1000)
            per_whole.append((t2 - t1) * 1000)
        stages.append(statistics.median(per_stage))
        whole.append(statistics.median(per_whole))
    print(
        f"recognition + slot filling ({len(questions)} questions, median of 5 each): p50 {pct(stages, 50):.3f} ms, "
        f"p95 {pct(stages, 95):.3f} ms, p99 {pct(stages, 99):.3f} ms"
    )
    print(
        f"render + validate per question, first pass from an empty validation cache ({len(per_question)} "
        f"queries): p50 {pct(per_question, 50):.3f} ms, p95 {pct(per_question, 95):.3f} ms, "
        f"p99 {pct(per_question, 99):.3f} ms"
    )
    print(
        f"whole ask() incl. render + validate (warm):         p50 {pct(whole, 50):.3f} ms, "
        f"p95 {pct(whole, 95):.3f} ms, p99 {pct(whole, 99):.3f} ms"
    )


if __name__ == "__main__":
    main()
