"""The statistics page at full scale (12,000 projects, 1,000,000 credits).

Times GET /stats through the Flask app on PostgreSQL + Memcached for a mix of
filters, with a cold cache (a fresh key prefix before every request) and a warm
one (the same requests again), and prints p50/p95 against the targets.

make bench BENCH_ARGS="stats"
"""

from __future__ import annotations

import time
import uuid

from bench.dataset import ensure_bench_database, sqlalchemy_url

MEMCACHED_SERVERS = ["127.0.0.1:11211"]
COLD_ROUNDS = 5
WARM_ROUNDS = 20
TARGETS = {"cold_p95": 100.0, "warm_p95": 5.0}

FILTERS = (
    "",
    "registry=VCS",
    "registry=GLD&year_from=2015&year_to=2020",
    "country=India",
    "country=Brazil&registry=VCS",
    "scope=Forestry+%26+Land+Use",
    "year_from=2020",
    "registry=ACR&registry=CAR&year_to=2018",
)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def _make_app(url: str):
    from app import create_app
    from app.config import MEMCACHED_CACHE_TYPE

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url),
            "SECRET_KEY": "bench",
            "CACHE_TYPE": MEMCACHED_CACHE_TYPE,
            "CACHE_MEMCACHED_SERVERS": MEMCACHED_SERVERS,
            "CACHE_KEY_PREFIX": "bench-stats:",
            "LOG_LEVEL": "WARNING",
        }
    )


def _timed_get(client, url: str) -> float:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed


def time_stats(app) -> dict[str, list[float]]:
    from app.extensions import cache

    client = app.test_client()
    urls = [f"/stats?{query}" if query else "/stats" for query in FILTERS]
    for url in urls:  # warm the connection pool and PostgreSQL's buffers, not our cache
        _timed_get(client, url)
    cold, warm = [], []
    for _ in range(COLD_ROUNDS):
        for url in urls:
            cache.cache.key_prefix = f"bench-{uuid.uuid4().hex[:12]}:"
            cold.append(_timed_get(client, url))
    for _ in range(WARM_ROUNDS):
        for url in urls:
            warm.append(_timed_get(client, url))
    return {"cold": cold, "warm": warm}


def _line(name: str, values: list[float], limit: float) -> str:
    p95 = percentile(values, 0.95)
    verdict = "ok" if p95 <= limit else "MISSED"
    return (
        f"{name:<24} n={len(values):<4} p50={percentile(values, 0.5):7.1f} ms"
        f"  p95={p95:7.1f} ms  (target p95 <= {limit:g} ms: {verdict})"
    )


def main() -> None:
    url = ensure_bench_database()
    app = _make_app(url)
    timings = time_stats(app)
    print(f"GET /stats, {len(FILTERS)} filter combinations, through the Flask app")
    print(_line("stats, cold cache", timings["cold"], TARGETS["cold_p95"]))
    print(_line("stats, warm cache", timings["warm"], TARGETS["warm_p95"]))


if __name__ == "__main__":
    main()
