"""How long a full diagnose report takes on the default demo dataset (target: at most 3 s on 2 cores).

    .venv/bin/python bench/bench_diagnose.py [--events 200000] [--repeat 5] [--home DIR] [--question TEXT]

Generates the demo into a temporary home (or reuses ``--home``), warms the
store up with one run, then times ``repeat`` runs of the diagnose workflow
from slots and one ``Engine.ask`` + run from the question. Prints per-step
times of the last run so a slow query stands out.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from askhog.backends.embedded import EmbeddedBackend
from askhog.demo.generate import DEFAULT_EVENTS, generate_demo
from askhog.engine import Engine
from askhog.render import Renderer
from askhog.types import EventRef
from askhog.workflows import Report, run_workflow

SLOTS = {"metric": "conversion", "steps": (EventRef("checkout_started"), EventRef("purchase"))}


def _timed(fn) -> tuple[float, Report]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    report = fn()
    return time.perf_counter() - started, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--home", type=Path)
    parser.add_argument("--question", default="why did checkout conversion drop?")
    args = parser.parse_args()

    home = args.home or Path(tempfile.mkdtemp(prefix="askhog-bench-diagnose-"))
    started = time.perf_counter()
    info = generate_demo(args.events, home=home)
    print(f"demo: {info.events:,} events, {info.persons:,} persons, generated in {time.perf_counter() - started:.2f} s")

    backend = EmbeddedBackend(home, generate=False, progress=None)
    taxonomy = backend.taxonomy()
    renderer = Renderer(taxonomy)
    now = datetime.fromisoformat(backend.info()["end"])

    def from_slots() -> Report:
        return run_workflow("diagnose", SLOTS, backend=backend, renderer=renderer, taxonomy=taxonomy, now=now)

    cold, _ = _timed(from_slots)
    times = []
    for _ in range(args.repeat):
        seconds, report = _timed(from_slots)
        times.append(seconds)
    print(
        f"diagnose from slots: first run {cold:.2f} s; then median {statistics.median(times):.2f} s, "
        f"min {min(times):.2f} s, max {max(times):.2f} s over {args.repeat} runs"
    )
    print(f"finding: {report.finding}")
    for step in report.steps:
        state = "failed" if step.error else "skipped" if step.skipped else "ok"
        print(f"  {step.id:<10} {step.elapsed_ms:7.0f} ms  {state}")

    engine = Engine(backend=backend)
    seconds, report = _timed(lambda: engine.run_workflow(engine.ask(args.question, now=now)))
    print(f"ask + diagnose {args.question!r}: {seconds:.2f} s")
    print(f"finding: {report.finding}")


if __name__ == "__main__":
    main()
