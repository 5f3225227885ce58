"""`askhog load` as a user runs it: a JSON-lines export of N rows, timed as a whole command, with its peak memory.

    .venv/bin/python bench/bench_load.py [--rows 1000000] [--repeat 3] [--keep DIR]

The export is written by chDB (no per-row Python here either), shaped like PostHog's batch export: uuid, event,
distinct_id, person_id, ISO timestamp, a properties object of a dozen keys, person properties and a session id.
Each run loads it into a fresh home with ``--replace``-free defaults; rows/s counts the file's rows over the
command's wall time (interpreter start-up, checks, de-duplication, persons and sessions included), and peak RSS
is the child process's maximum resident set (``getrusage``), so a load that held the file in Python would show.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from chdb import session as chdb_session

EVENTS = (
    "$pageview",
    "$pageleave",
    "$autocapture",
    "signed_up",
    "invoice_sent",
    "invoice_paid",
    "report_exported",
    "seat_added",
    "integration_connected",
    "plan_upgraded",
)


def write_export(path: Path, rows: int) -> None:
    """``rows`` JSON lines, deterministic (derived from the row number), written by chDB in one statement."""
    names = "[" + ", ".join(f"'{e}'" for e in EVENTS) + "]"
    sql = f"""
    INSERT INTO FUNCTION file('{path}', LineAsString)
    SELECT concat('{{"uuid":"', toString(reinterpretAsUUID(sipHash128('row', number))),
                  '","event":"', {names}[number % {len(EVENTS)} + 1],
                  '","distinct_id":"user-', toString(number % 50000),
                  '","person_id":"', toString(reinterpretAsUUID(sipHash128('person', number % 50000))),
                  '","timestamp":"', formatDateTime(toDateTime('2026-01-01 00:00:00', 'UTC') + number * 7,
                                                      '%Y-%m-%dT%H:%i:%SZ', 'UTC'),
                  '","$session_id":"s-', toString(intDiv(number, 20)),
                  '","properties":{{"$browser":"', ['Chrome','Safari','Firefox'][number % 3 + 1],
                  '","$os":"', ['Mac OS X','Windows','iOS','Android'][number % 4 + 1],
                  '","$current_url":"https://example.com/p/', toString(number % 997),
                  '","$pathname":"/p/', toString(number % 997),
                  '","$device_type":"', ['Desktop','Mobile'][number % 2 + 1],
                  '","$lib":"web","amount":', toString((number % 1000) / 10),
                  ',"plan":"', ['free','team','business'][number % 3 + 1],
                  '","$referring_domain":"', ['google.com','$direct','news.ycombinator.com'][number % 3 + 1],
                  '","items":', toString(number % 7),
                  '}},"person_properties":{{"email":"user-', toString(number % 50000),
                  '@example.com","plan":"', ['free','team','business'][number % 3 + 1], '"}}}}')
    FROM numbers({rows})
    SETTINGS engine_file_truncate_on_insert = 1"""
    with tempfile.TemporaryDirectory() as scratch:
        sess = chdb_session.Session(scratch)
        try:
            sess.query(sql)
        finally:
            sess.close()


def run_load(export: Path, home: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one ``askhog load`` into ``home``."""
    env = dict(os.environ, ASKHOG_HOME=str(home))
    env.pop("POSTHOG_PERSONAL_API_KEY", None)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "askhog.cli", "load", str(export)], env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"askhog load failed ({done.returncode}): {done.stderr.strip()}")
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the export and homes here instead of a temporary folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        export = folder / "export.jsonl"
        started = time.perf_counter()
        write_export(export, args.rows)
        print(
            f"export: {args.rows:,} rows, {export.stat().st_size / 1e6:,.0f} MB, "
            f"written in {time.perf_counter() - started:.1f} s"
        )
        times = []
        peak = 0
        for run in range(args.repeat):
            seconds, peak = run_load(export, folder / f"home-{run}")
            times.append(seconds)
            print(f"  run {run + 1}: {seconds:.2f} s  {args.rows / seconds:,.0f} rows/s")
        best, median = min(times), statistics.median(times)
        print(
            f"askhog load: median {median:.2f} s ({args.rows / median:,.0f} rows/s), best {best:.2f} s "
            f"({args.rows / best:,.0f} rows/s); peak RSS {peak / 1024:,.0f} MiB"
        )


if __name__ == "__main__":
    main()
