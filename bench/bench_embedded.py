"""Embedded store figures: demo generation and load throughput, file import, reference query latency.

    .venv/bin/python bench/bench_embedded.py [--events 1000000] [--repeat 5] [--home DIR]

REFERENCE_QUERIES holds one hand-written ClickHouse query per intent family;
the template-vs-reference comparison reads the same dict.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from askhog.backends.embedded import EmbeddedBackend
from askhog.clock import utc_now
from askhog.demo import products
from askhog.demo.generate import CHUNK_PERSONS, generate_demo
from askhog.demo.load import load_file
from askhog.demo.model import Vocabulary
from askhog.demo.timeline import Timeline, end_of_data

PROP = "JSONExtractString(properties, '{}')"
REFERENCE_QUERIES: dict[str, str] = {
    "count": "SELECT count() FROM events WHERE event = 'signed_up' AND timestamp >= now() - INTERVAL 7 DAY",
    "trend": """SELECT toStartOfDay(timestamp) AS day, count() FROM events
                WHERE event = '$pageview' AND timestamp >= now() - INTERVAL 30 DAY GROUP BY day ORDER BY day""",
    "breakdown": f"""SELECT {PROP.format("$browser")} AS browser, uniq(person_id) AS users FROM events
                    WHERE event = 'purchase' AND timestamp >= now() - INTERVAL 30 DAY
                    GROUP BY browser ORDER BY users DESC""",
    "funnel": """SELECT countIf(steps >= 1), countIf(steps >= 2), countIf(steps >= 3) FROM (
                    SELECT person_id, windowFunnel(86400 * 14)(toDateTime(timestamp), event = 'signed_up',
                           event = 'onboarding_completed', event = 'purchase') AS steps
                    FROM events WHERE event IN ('signed_up', 'onboarding_completed', 'purchase')
                      AND timestamp >= now() - INTERVAL 90 DAY GROUP BY person_id)""",
    "retention": """SELECT toStartOfWeek(first_seen) AS cohort, dateDiff('week', first_seen, timestamp) AS week,
                           uniq(e.person_id) FROM events AS e INNER JOIN (
                        SELECT person_id, min(timestamp) AS first_seen FROM events WHERE event = 'signed_up'
                        GROUP BY person_id) AS s ON e.person_id = s.person_id
                    WHERE e.timestamp >= now() - INTERVAL 90 DAY GROUP BY cohort, week ORDER BY cohort, week""",
    "sessions": """SELECT toStartOfDay(min_timestamp) AS day, avg(duration), avg(is_bounce) FROM sessions
                   WHERE min_timestamp >= now() - INTERVAL 30 DAY GROUP BY day ORDER BY day""",
    "experiment": f"""SELECT variant, count() AS exposed, countIf(bought) FROM (
                        SELECT x.person_id, x.variant, countIf(p.timestamp >= x.t) > 0 AS bought FROM (
                            SELECT person_id, min(timestamp) AS t,
                                   argMin({PROP.format("$feature_flag_response")}, timestamp) AS variant
                            FROM events WHERE event = '$feature_flag_called' GROUP BY person_id) AS x
                        LEFT JOIN (SELECT person_id, timestamp FROM events WHERE event = 'purchase') AS p
                        ON p.person_id = x.person_id GROUP BY x.person_id, x.variant) GROUP BY variant""",
    "revenue": """SELECT JSONExtractString(person_properties, '$initial_utm_source') AS source,
                         sum(JSONExtractFloat(properties, 'amount')) AS revenue, uniq(person_id) AS payers
                  FROM events WHERE event = 'purchase' GROUP BY source ORDER BY revenue DESC""",
    "churn_risk": """SELECT person_id, max(timestamp) AS last_seen, uniq(toDate(timestamp)) AS days FROM events
                     WHERE timestamp >= now() - INTERVAL 90 DAY GROUP BY person_id
                     HAVING last_seen < now() - INTERVAL 14 DAY AND days >= 10 ORDER BY days DESC LIMIT 100""",
    "engagement": """SELECT toStartOfDay(timestamp) AS day, uniq(person_id) FROM events
                     WHERE timestamp >= now() - INTERVAL 30 DAY GROUP BY day ORDER BY day""",
}


def numpy_only_seconds(events: int, seed: int) -> tuple[float, int]:
    """Time to draw the same chunks as generate_demo, without ClickHouse."""
    timeline = Timeline(end_of_data(utc_now()))
    product = products.load()
    vocab = Vocabulary.from_taxonomy(products.demo_taxonomy(product.name), products.taxonomy_file(product.name))
    persons = max(100, round(events / product.events_per_person))
    started, produced = time.perf_counter(), 0
    for chunk, first in enumerate(range(0, persons, CHUNK_PERSONS)):
        rng = np.random.default_rng([seed, chunk])
        pop = product.draw(rng, min(CHUNK_PERSONS, persons - first), first, timeline, vocab)
        produced += len(product.events(rng, pop, timeline, vocab))
    return time.perf_counter() - started, produced


def report_generation(events: int, seed: int, home: Path) -> None:
    info = generate_demo(events, seed, home)
    draw_s, drawn = numpy_only_seconds(events, seed)
    load_s = max(info.seconds - draw_s, 1e-9)
    print(f"demo: {info.events:,} events, {info.persons:,} persons, {info.sessions:,} sessions")
    print(f"generate+load: {info.seconds:.2f} s  {info.events / info.seconds:,.0f} events/s")
    print(f"  numpy generation: {draw_s:.2f} s  {drawn / draw_s:,.0f} events/s")
    print(f"  chDB load (the rest): {load_s:.2f} s  {info.events / load_s:,.0f} events/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--export-rows", type=int, default=100_000, help="rows exported to JSON lines and re-imported")
    parser.add_argument("--home", type=Path, default=None, help="askhog home (default: a temporary folder)")
    parser.add_argument("--reuse", action="store_true", help="query the demo already in --home instead of generating")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = args.home or Path(tmp) / "home"
        if not (args.reuse and args.home):
            report_generation(args.events, args.seed, home)
        backend = EmbeddedBackend(home, generate=False)
        print(f"store: {int(backend.info()['events']):,} events")
        reopen = time.perf_counter()
        EmbeddedBackend(home, generate=False).run_sql("SELECT count() FROM events")
        print(f"second backend, first query: {(time.perf_counter() - reopen) * 1000:.1f} ms")

        print(f"reference queries (p50 of {args.repeat}):")
        for family, sql in REFERENCE_QUERIES.items():
            times = []
            for _ in range(args.repeat):
                started = time.perf_counter()
                rows = len(backend.run_sql(sql))
                times.append((time.perf_counter() - started) * 1000)
            print(f"  {family:<12} {statistics.median(times):8.1f} ms  ({rows} rows)")

        export = Path(tmp) / "export.jsonl"
        text = backend.store.query(
            f"SELECT toString(uuid) AS uuid, event, distinct_id, toString(person_id) AS person_id, "
            f"toString(timestamp) AS timestamp, properties, person_properties, `$session_id` FROM events "
            f"LIMIT {args.export_rows}",
            "JSONEachRow",
        )
        export.write_text(text, encoding="utf-8")
        rows = sum(1 for line in text.splitlines() if line.strip())
        started = time.perf_counter()
        report = load_file(export, home=Path(tmp) / "imported")
        seconds = time.perf_counter() - started
        print(f"load_file JSON lines: {report.loaded:,} rows in {seconds:.2f} s  {rows / seconds:,.0f} rows/s")


if __name__ == "__main__":
    main()
