from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from askhog.backends.posthog.cache import TTLCache, jsonable, normalize_query, query_hash
from askhog.backends.posthog.config import QueryLimits
from askhog.backends.posthog.limiter import QueryRateLimiter
from askhog.backends.posthog.metrics import QueryMetrics
from askhog.errors import BackendError, QueryError, RateLimited
from fake_posthog import Reply, hogql_response, metadata_response

QUERY = "/api/projects/1/query/"


# -- limiter ---------------------------------------------------------------------------------


def test_limiter_waits_exactly_until_the_minute_window_frees(clock):
    limiter = QueryRateLimiter(QueryLimits(per_minute=3, per_hour=100, concurrent=1), clock=clock, sleep=clock.sleep)
    for _ in range(3):
        assert limiter.admit(deadline=clock.now + 600) == 0
        clock.now += 1
    assert limiter.admit(deadline=clock.now + 600) == 1
    assert clock.sleeps == [57.0]  # the first request (t=0) leaves the window at t=60; now is t=3


def test_limiter_honours_the_hour_window_too(clock):
    limiter = QueryRateLimiter(QueryLimits(per_minute=100, per_hour=2, concurrent=1), clock=clock, sleep=clock.sleep)
    limiter.admit(clock.now + 7200)
    clock.now += 120
    limiter.admit(clock.now + 7200)
    limiter.admit(clock.now + 7200)
    assert clock.sleeps == [3600.0 - 120.0]


def test_limiter_refuses_a_wait_past_the_deadline(clock):
    limiter = QueryRateLimiter(QueryLimits(per_minute=1, per_hour=100, concurrent=1), clock=clock, sleep=clock.sleep)
    limiter.admit(clock.now + 10)
    with pytest.raises(RateLimited, match="client-side") as info:
        limiter.admit(clock.now + 10)
    assert info.value.retry_after == 60.0 and clock.sleeps == []


def test_limiter_counts_exactly_under_concurrent_callers(clock):
    limiter = QueryRateLimiter(QueryLimits(per_minute=10_000, per_hour=10_000, concurrent=3), clock=clock)
    threads = [threading.Thread(target=lambda: [limiter.admit(clock.now + 1) for _ in range(200)]) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert limiter.in_window(60) == 1600


def test_concurrency_slots_are_capped_and_released(clock):
    limiter = QueryRateLimiter(QueryLimits(concurrent=2), clock=clock, sleep=clock.sleep)
    with (
        limiter.running(clock.now + 1),
        limiter.running(clock.now + 1),
        pytest.raises(RateLimited, match="concurrent"),
        limiter.running(clock.now),  # deadline already here: no waiting for a slot
    ):
        pass
    with limiter.running(clock.now):
        pass


def test_a_batch_throttles_itself_instead_of_getting_429s(fake, make_client, clock):
    """The fake answers 429 beyond 3 queries per (fake-clock) minute; the client must never see one."""
    seen: list[float] = []

    def respond(_request):
        seen.append(clock.now)
        if len([t for t in seen if t > clock.now - 60]) > 3:
            return Reply(429, {"type": "throttled_error", "code": "throttled", "detail": "Request was throttled."})
        return Reply(200, hogql_response(["n"], ["UInt8"], [[1]]))

    fake.default("POST", QUERY, respond)
    client = make_client(QueryLimits(per_minute=3, per_hour=2400, concurrent=3), deadline=600)
    for i in range(7):
        client.query(f"SELECT {i}")
    snap = client.metrics.snapshot()
    assert snap["rate_limited"] == 0 and snap["errors"] == {}
    assert snap["throttled_waits"] == 2 and len(seen) == 7


# -- cache -----------------------------------------------------------------------------------


def test_normalization_collapses_layout_but_not_literals():
    assert normalize_query("SELECT  1\n\tFROM events ") == "SELECT 1 FROM events"
    assert normalize_query("SELECT 'a  b'") == "SELECT 'a  b'"
    assert normalize_query("SELECT 'it''s  x',   \"c  d\"") == "SELECT 'it''s  x', \"c  d\""
    assert query_hash("SELECT  1") == query_hash("SELECT 1") != query_hash("SELECT 2")


def test_cache_expires_and_evicts_least_recently_used(clock):
    cache: TTLCache[int] = TTLCache(ttl=10, max_entries=2, clock=clock)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # a is now the most recent
    cache.put("c", 3)
    assert cache.get("b") is None and cache.get("a") == 1 and cache.get("c") == 3
    clock.now += 10
    assert cache.get("a") is None and len(cache) == 1


def test_repeated_queries_are_served_from_the_cache(fake, make_client, clock, answer_count):
    fake.default("POST", QUERY, Reply(200, answer_count))
    client = make_client(cache_ttl=300)
    client.query("SELECT count() FROM events WHERE event = {e}", {"e": "x"})
    client.query("SELECT count()\n  FROM events   WHERE event = {e}", {"e": "x"})
    assert len(fake.calls("POST", QUERY)) == 1
    client.query("SELECT count() FROM events WHERE event = {e}", {"e": "y"})  # other values
    assert len(fake.calls("POST", QUERY)) == 2
    clock.now += 301
    client.query("SELECT count() FROM events WHERE event = {e}", {"e": "x"})  # expired
    assert len(fake.calls("POST", QUERY)) == 3
    snap = client.metrics.snapshot()
    assert snap["cache_hits"] == 1 and snap["cache_hit_rate"] == 0.25


def test_the_cache_can_be_disabled(fake, make_client, answer_count):
    fake.default("POST", QUERY, Reply(200, answer_count))
    client = make_client(cache_ttl=0)
    client.query("SELECT 1")
    client.query("SELECT 1")
    assert len(fake.calls("POST", QUERY)) == 2


def test_errors_are_not_cached(fake, make_client, answer_count):
    rejected = Reply(400, {"code": "hogql_query_error", "detail": "nope"})
    fake.script("POST", QUERY, rejected, Reply(200, metadata_response()), Reply(200, answer_count))
    client = make_client()
    with pytest.raises(QueryError):
        client.query("SELECT 1")
    assert client.query("SELECT 1").rows == ((42,),)


# -- metrics and logs ------------------------------------------------------------------------


def test_metrics_percentiles_errors_and_format():
    m = QueryMetrics()
    for ms in range(1, 101):
        m.record(duration_ms=float(ms), cache_hit=False, retries=0, error=None)
    m.record(duration_ms=5, cache_hit=False, retries=2, error="ServerError")
    m.record(duration_ms=0, cache_hit=True, retries=0, error=None)
    snap = m.snapshot()
    assert snap["latency_ms"] == {"p50": 50.0, "p95": 95.0, "p99": 99.0}
    assert snap["errors"] == {"ServerError": 1} and snap["retries"] == 2 and snap["queries"] == 102
    text = m.format()
    assert "p95 95ms" in text and "ServerError=1" in text and "cache hits 1" in text


def test_empty_metrics_format_without_figures():
    assert "p50 -" in QueryMetrics().format()


def test_each_query_logs_one_key_value_line(fake, make_client, answer_count, caplog):
    fake.default("POST", QUERY, Reply(200, answer_count))
    client = make_client()
    with caplog.at_level("INFO", logger="askhog.posthog"):
        client.query("SELECT count() FROM events")
        client.query("SELECT count() FROM events")
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("posthog_query")]
    assert len(lines) == 2
    fields = dict(part.split("=", 1) for part in lines[0].split()[1:])
    assert fields["query_hash"] == query_hash("SELECT count() FROM events")
    assert (fields["rows"], fields["cache_hit"], fields["retries"], fields["error"]) == ("1", "false", "0", "none")
    assert "cache_hit=true" in lines[1]
    assert "SELECT" not in "".join(lines)  # the query text (and its values) stay out of logs


def test_values_become_json_or_a_typed_error():
    assert jsonable({"d": date(2026, 1, 2), "t": ("a", 1), "s": {"b", "a"}}) == {
        "d": "2026-01-02",
        "t": ["a", 1],
        "s": ["a", "b"],
    }
    with pytest.raises(BackendError, match="Decimal"):
        jsonable({"x": Decimal("1.5")})


def test_no_more_than_the_concurrent_limit_of_queries_run_at_once(fake, make_client):
    in_flight, peak, lock = [0], [0], threading.Lock()

    def slow(_request):
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        time.sleep(0.03)
        with lock:
            in_flight[0] -= 1
        return Reply(200, hogql_response(["n"], ["UInt8"], [[1]]))

    fake.default("POST", QUERY, slow)
    client = make_client(QueryLimits(per_minute=240, per_hour=2400, concurrent=3), cache_ttl=0)
    failures: list[BaseException] = []

    def worker(i: int) -> None:
        try:
            client.query(f"SELECT {i}")
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == [] and len(fake.calls("POST", QUERY)) == 10
    assert 2 <= peak[0] <= 3  # queries overlap, but never beyond the cap
