"""Throughput through nginx: three gunicorn instances against one, at 50 concurrent clients.

For each page, 50 clients request it back to back for DURATION seconds (loopback only,
bounded by the clock): requests per second, p50/p95/p99 latency and errors (any answer but
200, or no answer). /projects gets a different filter mix on every request, so its cache
misses; project pages are drawn from 500 projects. The same runs against one instance,
and the ratio is printed. Rate limits are off (RATELIMIT_ENABLED=false): one loopback client
would otherwise hit the API's limit at once.

make bench BENCH_ARGS="scaleout"        (BENCH_SCALEOUT_SECONDS=30 by default)
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.cluster import cluster
from bench.dataset import BENCH_DATABASE_URL, _connect, ensure_bench_database
from bench.timing import percentile

CLIENTS = 50
DURATION = float(os.environ.get("BENCH_SCALEOUT_SECONDS", "30"))
WEB_CONCURRENCY = 2  # gunicorn workers per instance


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def row(self, name: str) -> str:
        p50, p95, p99 = (percentile(self.latencies_ms, share) for share in (0.5, 0.95, 0.99))
        return (
            f"{name:<34} {self.rps:8.1f} rps  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  "
            f"p99 {p99:7.1f} ms  errors {self.errors}"
        )


def _catalogue_values(url: str) -> tuple[list[str], list[str]]:
    connection = _connect(url)
    with connection, connection.cursor() as cursor:
        cursor.execute("SELECT project_id FROM project ORDER BY random() LIMIT 500")
        projects = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT DISTINCT country FROM project WHERE country IS NOT NULL")
        countries = [row[0] for row in cursor.fetchall()]
    connection.close()
    return projects, countries


def pages(projects: list[str], countries: list[str]) -> dict[str, Callable[[random.Random], str]]:
    def search(rng: random.Random) -> str:
        chosen = rng.sample(countries, 2)
        return httpx.URL(
            "/projects",
            params={
                "country": chosen,
                "vintage_from": rng.randint(2000, 2020),
                "issued_min": rng.randint(0, 1_000_000),
            },
        ).raw_path.decode()

    return {
        "/projects (cache-missing filters)": search,
        "/projects/<id>": lambda rng: f"/projects/{rng.choice(projects)}",
        "/stats": lambda rng: "/stats",
        "/api/v1/projects": lambda rng: f"/api/v1/projects?page={rng.randint(1, 100)}",
    }


async def _load(base: str, make_path: Callable[[random.Random], str], seconds: float) -> Result:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)

    async def client(number: int, http: httpx.AsyncClient) -> None:
        nonlocal errors
        rng = random.Random(number)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                response = await http.get(make_path(rng))
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append((time.perf_counter() - started) * 1000)
            errors += not ok

    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as http:
        await asyncio.gather(*(client(number, http) for number in range(CLIENTS)))
    return Result(len(latencies), errors, time.perf_counter() - started, latencies)


def run(url: str, instances: int, folder: Path) -> dict[str, Result]:
    projects, countries = _catalogue_values(url)
    settings = {
        "DATABASE_URL": url,
        "SECRET_KEY": "bench",
        "CACHE_KEY_PREFIX": f"bench-scaleout-{uuid.uuid4().hex[:8]}:",
        "RATELIMIT_ENABLED": "false",
        "SYNC_CRON": "0 0 29 2 *",
    }
    results = {}
    with cluster(folder, settings, instances=instances, web_concurrency=WEB_CONCURRENCY) as running:
        for name, make_path in pages(projects, countries).items():
            results[name] = asyncio.run(_load(running.nginx_url, make_path, DURATION))
            print(f"  {instances} instance(s): {results[name].row(name)}", flush=True)
    return results


def main() -> None:
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    url = ensure_bench_database(os.environ.get("BENCH_DATABASE_URL", BENCH_DATABASE_URL))
    print(
        f"{CLIENTS} clients, {DURATION:.0f} s per page, gunicorn {WEB_CONCURRENCY} workers/instance"
    )
    with tempfile.TemporaryDirectory() as folder:
        three = run(url, 3, Path(folder) / "three")
        one = run(url, 1, Path(folder) / "one")
    print("\nthree instances behind nginx, and the ratio to one instance:")
    for name, result in three.items():
        print(f"{result.row(name)}  ratio {result.rps / one[name].rps:4.2f}x")


if __name__ == "__main__":
    main()
