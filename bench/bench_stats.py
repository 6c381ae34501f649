"""The statistics page at full scale (12,000 projects, 1,000,000 credits).

Times GET /stats through the Flask app on PostgreSQL + Memcached for a mix of
filters, with a cold cache (a fresh key prefix before every request) and a warm
one (the same requests again), and prints p50/p95 against the targets.

make bench BENCH_ARGS="stats"
"""

from __future__ import annotations

from bench.dataset import ensure_bench_database
from bench.timing import bench_app, fresh_cache_prefix, get_ok, percentile, timed_ms

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


def time_stats(app) -> dict[str, list[float]]:
    from app.extensions import cache

    client = app.test_client()
    urls = [f"/stats?{query}" if query else "/stats" for query in FILTERS]
    for url in urls:  # warm the connection pool and PostgreSQL's buffers, not our cache
        get_ok(client, url)
    cold, warm = [], []
    for _ in range(COLD_ROUNDS):
        for url in urls:
            fresh_cache_prefix(cache)
            cold.append(timed_ms(lambda url=url: get_ok(client, url)))
    for _ in range(WARM_ROUNDS):
        for url in urls:
            warm.append(timed_ms(lambda url=url: get_ok(client, url)))
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
    app = bench_app(url, "bench-stats:")
    timings = time_stats(app)
    print(f"GET /stats, {len(FILTERS)} filter combinations, through the Flask app")
    print(_line("stats, cold cache", timings["cold"], TARGETS["cold_p95"]))
    print(_line("stats, warm cache", timings["warm"], TARGETS["warm_p95"]))


if __name__ == "__main__":
    main()
