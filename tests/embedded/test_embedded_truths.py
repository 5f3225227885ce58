"""Each planted truth of shared/spec/demo-dataset.md, checked on the generated rows with plain ClickHouse SQL.

These queries are written by hand, independently of the intent templates, so a
template that misses a truth is caught by comparison, not hidden by a shared bug.
"""

from __future__ import annotations

from askhog.demo.products.paperplane import truths
from askhog.demo.store import Store

from .conftest import DEMO_END, rows, two_proportion_z

END = f"toDateTime64('{DEMO_END:%Y-%m-%d %H:%M:%S}', 6, 'UTC')"
BREAK = f"toStartOfDay({END}) - INTERVAL {truths.BREAK_DAYS_BEFORE_END} DAY"
SIGNUPS = "SELECT person_id, min(timestamp) AS signup FROM events WHERE event = 'signed_up' GROUP BY person_id"


def test_1_safari_checkout_conversion_breaks_at_the_release(store: Store) -> None:
    # One checkout visit is one session: it converts when the same session has a purchase.
    data = rows(
        store,
        f"""
        SELECT browser, after, count() AS visits, countIf(bought) AS converted FROM (
            SELECT JSONExtractString(any(properties), '$browser') AS browser,
                   min(timestamp) >= {BREAK} AS after, countIf(event = 'purchase') > 0 AS bought
            FROM events WHERE event IN ('checkout_started', 'purchase')
              AND timestamp >= {BREAK} - INTERVAL 40 DAY
            GROUP BY `$session_id`)
        GROUP BY browser, after""",
    )
    visits = {(b, bool(a)): v for b, a, v, _ in data}
    converted = {(b, bool(a)): c for b, a, _, c in data}
    rate = {k: converted[k] / visits[k] for k in visits}
    assert visits[("Safari", True)] >= 20, "too few Safari checkouts after the break to see it"
    safari_after = rate[("Safari", True)]
    assert safari_after < 0.4 * rate[("Safari", False)]

    def others(after: bool) -> float:
        keys = [k for k in visits if k[0] != "Safari" and k[1] == after]
        return sum(converted[k] for k in keys) / sum(visits[k] for k in keys)

    # The other browsers together keep their conversion, and each stays far above Safari's
    # (one small browser alone has too few checkouts in ten days to pin its own rate).
    assert others(after=True) > 0.75 * others(after=False)
    for browser in ("Chrome", "Firefox", "Edge"):
        assert rate[(browser, True)] > 2 * safari_after, f"{browser} should be unaffected"
    notes = rows(store, f"SELECT content FROM annotations WHERE date = {BREAK}")
    assert notes == [[truths.RELEASE_NOTE]]


def test_2_google_brings_most_users_and_newsletter_pays_most(store: Store) -> None:
    users = rows(
        store,
        """
        SELECT JSONExtractString(properties, '$initial_utm_source') AS source, count() FROM persons
        GROUP BY source ORDER BY count() DESC""",
    )
    assert users[0][0] == "google"
    revenue = rows(
        store,
        """
        SELECT JSONExtractString(person_properties, '$initial_utm_source') AS source,
               sum(JSONExtractFloat(properties, 'amount')) / uniq(person_id) AS per_payer
        FROM events WHERE event = 'purchase' GROUP BY source ORDER BY per_payer DESC""",
    )
    assert revenue[0][0] == "newsletter"
    assert revenue[0][1] > 1.5 * revenue[1][1]


def test_3_sharing_in_the_first_week_predicts_purchase(store: Store) -> None:
    data = rows(
        store,
        f"""
        SELECT shared, count(), countIf(bought) FROM (
            SELECT s.person_id,
                   countIf(e.event = 'file_shared' AND e.timestamp < s.signup + INTERVAL 7 DAY) > 0 AS shared,
                   countIf(e.event = 'purchase') > 0 AS bought
            FROM ({SIGNUPS}) AS s INNER JOIN events AS e ON e.person_id = s.person_id
            WHERE e.event IN ('file_shared', 'purchase') OR e.event = 'signed_up'
            GROUP BY s.person_id)
        GROUP BY shared""",
    )
    rate = {bool(s): b / n for s, n, b in data}
    assert rate[True] > 3 * rate[False]


def test_4_new_checkout_test_variant_converts_significantly_better(store: Store) -> None:
    data = rows(
        store,
        """
        SELECT variant, count(), countIf(bought) FROM (
            SELECT x.person_id, x.variant, countIf(p.timestamp >= x.exposed) > 0 AS bought
            FROM (SELECT person_id, min(timestamp) AS exposed,
                         argMin(JSONExtractString(properties, '$feature_flag_response'), timestamp) AS variant
                  FROM events WHERE event = '$feature_flag_called'
                    AND JSONExtractString(properties, '$feature_flag') = 'new-checkout'
                  GROUP BY person_id) AS x
            LEFT JOIN (SELECT person_id, timestamp FROM events WHERE event = 'purchase') AS p
                ON p.person_id = x.person_id
            GROUP BY x.person_id, x.variant)
        GROUP BY variant""",
    )
    by = {v: (n, b) for v, n, b in data}
    (n_c, b_c), (n_t, b_t) = by["control"], by["test"]
    assert b_t / n_t > b_c / n_c
    assert two_proportion_z(b_c, n_c, b_t, n_t) > 2.58  # beyond 99% two-sided


def test_5_onboarding_on_day_one_predicts_later_retention(store: Store) -> None:
    data = rows(
        store,
        f"""
        SELECT onboarded_day_one, count(), countIf(returned) FROM (
            SELECT s.person_id,
                   countIf(e.event = 'onboarding_completed' AND e.timestamp < s.signup + INTERVAL 1 DAY) > 0
                       AS onboarded_day_one,
                   countIf(e.timestamp >= s.signup + INTERVAL 14 DAY AND e.timestamp < s.signup + INTERVAL 35 DAY) > 0
                       AS returned
            FROM ({SIGNUPS}) AS s INNER JOIN events AS e ON e.person_id = s.person_id
            WHERE s.signup < {END} - INTERVAL 35 DAY
            GROUP BY s.person_id)
        GROUP BY onboarded_day_one""",
    )
    rate = {bool(o): r / n for o, n, r in data}
    assert rate[True] > 1.5 * rate[False]


def test_6_a_group_of_once_busy_users_is_silent_for_two_weeks(store: Store) -> None:
    [[silent, signed_up]] = rows(
        store,
        f"""
        SELECT countIf(busy_days >= 10 AND last_seen < {END} - INTERVAL 14 DAY), count() FROM (
            SELECT person_id, uniq(toDate(timestamp)) AS busy_days, max(timestamp) AS last_seen
            FROM events WHERE person_id IN (SELECT person_id FROM events WHERE event = 'signed_up')
            GROUP BY person_id)""",
    )
    assert silent >= 0.04 * signed_up


def test_7_weekdays_are_busier_than_weekends(store: Store) -> None:
    data = rows(
        store,
        f"""
        SELECT toDayOfWeek(day) >= 6 AS weekend, avg(n) FROM (
            SELECT toDate(timestamp) AS day, count() AS n FROM events
            WHERE timestamp >= {END} - INTERVAL 60 DAY AND timestamp < toStartOfDay({END})
            GROUP BY day)
        GROUP BY weekend""",
    )
    per_day = {bool(w): n for w, n in data}
    assert per_day[False] > 1.5 * per_day[True]
