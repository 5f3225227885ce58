"""How long the HogQL guard takes: p50/p99 of validate() (parse + guard + lint) and of lower().

Run: /work/main/.venv/bin/python bench/bench_validate.py [rounds]
"""

from __future__ import annotations

import statistics
import sys
import time

from askhog.demo.products import demo_taxonomy
from askhog.hogql import lower, validate
from askhog.latency import percentile

QUERIES = [
    "SELECT count() FROM events WHERE event = {event} AND timestamp >= now() - INTERVAL 7 DAY",
    "SELECT toStartOfDay(timestamp) AS day, uniq(person_id) FROM events WHERE event = '$pageview' AND timestamp >= now() - INTERVAL 30 DAY GROUP BY day ORDER BY day",
    "SELECT properties.$browser AS browser, count() AS c FROM events WHERE event = '$pageview' AND timestamp >= now() - INTERVAL 7 DAY GROUP BY browser ORDER BY c DESC LIMIT 10",
    """SELECT person_id, windowFunnel(86400)(toDateTime(timestamp), event = 'viewed', event = 'added', event = 'paid') AS level
FROM events
WHERE timestamp >= now() - INTERVAL 30 DAY AND event IN ('viewed', 'added', 'paid')
GROUP BY person_id
LIMIT 10000""",
    """WITH firsts AS (
    SELECT person_id, min(toStartOfWeek(timestamp, 1)) AS cohort
    FROM events WHERE timestamp >= now() - INTERVAL 8 WEEK GROUP BY person_id
)
SELECT f.cohort, dateDiff('week', f.cohort, toStartOfWeek(e.timestamp, 1)) AS week, uniq(e.person_id)
FROM events e JOIN firsts f ON e.person_id = f.person_id
WHERE e.timestamp >= now() - INTERVAL 8 WEEK
GROUP BY f.cohort, week ORDER BY f.cohort, week LIMIT 100""",
    "SELECT avg($session_duration), countIf($is_bounce) / count() FROM sessions WHERE $start_timestamp >= now() - INTERVAL 30 DAY",
    """SELECT properties.$feature_flag_response AS variant, count(DISTINCT person_id), quantile(0.9)(toFloat(properties.amount))
FROM events
WHERE event = '$feature_flag_called' AND properties.$feature_flag = {flag} AND timestamp > now() - INTERVAL 14 DAY
GROUP BY variant LIMIT 10""",
]
VALUES = {"event": "$pageview", "flag": "new-checkout"}


def _percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), percentile(ordered, 99) or 0.0


def main(rounds: int) -> None:
    taxonomy = demo_taxonomy()
    for label, run in (("validate", lambda q: validate(q)), ("lower", lambda q: lower(q, VALUES, taxonomy))):
        samples = []
        for _ in range(rounds):
            for query in QUERIES:
                start = time.perf_counter()
                run(query)
                samples.append((time.perf_counter() - start) * 1000)
        p50, p99 = _percentiles(samples)
        print(
            f"{label:8} n={len(samples):5}  p50={p50:.2f} ms  p99={p99:.2f} ms  ({len(QUERIES)} queries x {rounds} rounds)"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
