"""What the web benchmarks share: the app on the bench database, timing, percentiles."""

from __future__ import annotations

import time
import uuid

from bench.dataset import sqlalchemy_url

MEMCACHED_SERVERS = ["127.0.0.1:11211"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def bench_app(url: str, key_prefix: str):
    """The Flask app on the bench database, with the real Memcached."""
    from app import create_app
    from app.config import MEMCACHED_CACHE_TYPE

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url),
            "SECRET_KEY": "bench",
            "CACHE_TYPE": MEMCACHED_CACHE_TYPE,
            "CACHE_MEMCACHED_SERVERS": MEMCACHED_SERVERS,
            "CACHE_KEY_PREFIX": key_prefix,
            "LOG_LEVEL": "WARNING",
        }
    )


def fresh_cache_prefix(cache) -> None:
    """Point the cache at an empty key space: every following request starts cold."""
    cache.cache.key_prefix = f"bench-{uuid.uuid4().hex[:12]}:"


def timed_ms(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def get_ok(client, url: str, headers: dict | None = None) -> None:
    response = client.get(url, headers=headers or {})
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
