"""Render + validate latency over every template stem (target: p99 at most 5 ms).

    .venv/bin/python bench/bench_render.py [--repeat 50]

Renders each stem with its five slot combinations from the rendering tests
(tests/render/render_cases.py, built from the demo taxonomy), ``repeat`` times
each after one warm-up, and validates every result with ``askhog.hogql.validate``.
Prints p50/p99/max of render alone, validate alone and the two together, overall
and for the slowest stems. One Renderer serves all renders, as in the engine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "render"))

from askhog.hogql import validate
from askhog.latency import percentile
from askhog.render import Renderer
from render_cases import TAXONOMY, cases, stem_families


def p99(samples: list[float]) -> float:
    return percentile(sorted(samples), 99) or 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    renderer = Renderer(TAXONOMY)
    render_ms: list[float] = []
    validate_ms: list[float] = []
    total_ms: list[float] = []
    by_stem: dict[str, list[float]] = {}
    for stem, family in sorted(stem_families().items()):
        for slots in cases(stem, family):
            validate(renderer.render(stem, slots).hogql)  # warm-up: template compile, dialect caches
            for _ in range(args.repeat):
                started = time.perf_counter()
                query = renderer.render(stem, slots)
                rendered = time.perf_counter()
                validate(query.hogql)
                done = time.perf_counter()
                render_ms.append((rendered - started) * 1000)
                validate_ms.append((done - rendered) * 1000)
                total_ms.append((done - started) * 1000)
                by_stem.setdefault(stem, []).append((done - started) * 1000)

    print(f"{len(by_stem)} stems x 5 slot combinations x {args.repeat} runs = {len(total_ms)} renders")
    for name, samples in (("render", render_ms), ("validate", validate_ms), ("render+validate", total_ms)):
        print(
            f"{name:>16}: p50 {statistics.median(samples):6.2f} ms   p99 {p99(samples):6.2f} ms"
            f"   max {max(samples):6.2f} ms"
        )
    print("slowest stems (render+validate p99):")
    for stem, samples in sorted(by_stem.items(), key=lambda kv: -p99(kv[1]))[:5]:
        print(f"  {stem:<28} p50 {statistics.median(samples):6.2f} ms   p99 {p99(samples):6.2f} ms")


if __name__ == "__main__":
    main()
