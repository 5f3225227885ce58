"""Generated queries against hand-written ClickHouse, per family, on the embedded store.

For each family with a reference query in bench_embedded.REFERENCE_QUERIES, a
question asking the same thing goes through the engine (recognize → slots →
template → lowering) and both queries run on chDB; the script prints the p50 of
each and the ratio generated / reference (issue 4's target: at most 2×).

    .venv/bin/python bench/bench_templates.py --events 1000000
    .venv/bin/python bench/bench_templates.py --home DIR --reuse     # query a store generated before
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from askhog.backends.embedded import EmbeddedBackend
from askhog.demo.generate import generate_demo
from askhog.engine import Engine
from bench_embedded import REFERENCE_QUERIES

# The question whose generated query computes what the family's reference query computes.
QUESTIONS = {
    "count": "how many signups in the last 7 days?",
    "trend": "daily pageviews over the last 30 days",
    "breakdown": "unique purchasers by browser in the last 30 days",
    "funnel": "conversion from signup to onboarding completed to purchase within 14 days over the last 90 days",
    "retention": "weekly retention of users who signed up in the last 12 weeks",
    "sessions": "average session duration per day over the last 30 days",
    "experiment": "did the new-checkout experiment improve purchases in the last 90 days?",
    "revenue": "revenue by channel in the last 90 days",
    "churn_risk": "who's at risk of churning?",
    "engagement": "daily active users over the last 30 days",
}


def p50(run, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--reuse", action="store_true", help="query the store already in --home")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = args.home or Path(tmp) / "home"
        if not (args.reuse and args.home):
            info = generate_demo(args.events, args.seed, home)
            print(f"generated {info.events:,} events in {info.seconds:.1f} s")
        backend = EmbeddedBackend(home, generate=False)
        engine = Engine(backend, cache_dir=str(home))
        print(f"store: {int(backend.info()['events']):,} events; p50 of {args.repeat} runs")
        print(f"  {'family':<12} {'template':<22} {'generated':>10} {'reference':>10} {'ratio':>6}")
        for family, question in QUESTIONS.items():
            answer = engine.ask(question)
            if answer.intent != family or answer.hogql is None:
                print(f"  {family:<12} question read as {answer.intent}: {question!r}")
                continue
            generated = p50(lambda answer=answer: backend.run(answer.hogql or "", answer.values), args.repeat)
            reference = p50(lambda family=family: backend.run_sql(REFERENCE_QUERIES[family]), args.repeat)
            print(
                f"  {family:<12} {answer.template:<22} {generated:8.1f}ms {reference:8.1f}ms "
                f"{generated / reference:5.2f}x"
            )


if __name__ == "__main__":
    main()
