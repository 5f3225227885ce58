"""The full sweeps behind the test suite's fixed samples: the same tests, run whole.

The suite keeps its time bounded by sampling its exhaustive sweeps with fixed seeds; with
``ASKHOG_FULL_SWEEP=1`` each of these tests covers everything instead, and this script runs them so:

- ``tests/embedded/test_embedded_load_faults.py``: a load interrupted at every one of its ~40 steps, in each of
  the three variants (killed while adding, Ctrl-C while adding, killed while replacing); the suite interrupts
  at every step up to the file's reading and from the build's last statement on (the swap and what follows it),
  and at every other step between (the two adding variants alternate, so between them every step is taken).
  The any-file property reads 300 generated files (the suite: 20).
- ``tests/engine/test_engine_on_demo.py::test_every_family_runs_its_examples``: every catalog example asked on
  the demo, one example of each query shape run on chDB (the suite: 8 examples a family).
- ``tests/engine/test_engine_prefilter.py``: the prefilter's shortcuts checked against the full searches on
  every labelled question and catalog example, ~4,300 texts (the suite: 1,100 of them).
- ``tests/render/test_render_stems.py``: PostHog's own parser on all five cases of every stem (the suite: two a
  stem; askhog's guard and parser read all five there too).
- ``tests/render/test_render_properties.py``: 500 typed texts in every string slot and 200 round trips through
  PostHog's parser (the suite: 100 and 40).

Prints pytest's report and the slowest tests; exits with pytest's status.

    .venv/bin/python bench/bench_sweeps.py [extra pytest arguments]
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SWEEPS = [
    "tests/embedded/test_embedded_load_faults.py::test_a_load_interrupted_at_every_step_keeps_the_old_data_or_the_new",
    "tests/embedded/test_embedded_load_faults.py::test_any_file_reads_into_rows_and_rejected_lines",
    "tests/engine/test_engine_on_demo.py::test_every_family_runs_its_examples",
    "tests/engine/test_engine_prefilter.py",
    "tests/render/test_render_stems.py::test_stem_renders_valid_hogql_that_means_what_was_asked",
    "tests/render/test_render_properties.py",
]


def main(extra: list[str]) -> int:
    env = dict(os.environ, ASKHOG_FULL_SWEEP="1")
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--durations=15", *SWEEPS, *extra]
    started = time.monotonic()
    code = subprocess.call(command, cwd=ROOT, env=env)
    print(f"full sweeps: {time.monotonic() - started:.0f} s wall, pytest exit status {code}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
