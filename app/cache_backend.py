"""Flask-Caching on Memcached through pymemcache.

Flask-Caching's own Memcached backend looks only for pylibmc or python-memcached;
this hands it a pymemcache client instead (pooled, so threads can share it) and
makes ``inc`` atomic, which counters shared by several web workers need.
"""

from __future__ import annotations

from typing import Any

from flask_caching.backends.memcache import MemcachedCache
from pymemcache import serde
from pymemcache.client.hash import HashClient


def _address(server: str) -> tuple[str, int]:
    host, _, port = server.strip().rpartition(":")
    return (host or server, int(port or 11211)) if host else (server, 11211)


class PyMemcacheCache(MemcachedCache):
    def __init__(self, servers: list[str], default_timeout: int = 300, key_prefix: str = ""):
        client = HashClient(
            [_address(server) for server in servers],
            serde=serde.pickle_serde,
            default_noreply=False,
            use_pooling=True,
            connect_timeout=2,
            timeout=2,
        )
        super().__init__(servers=client, default_timeout=default_timeout, key_prefix=key_prefix)

    @classmethod
    def factory(cls, app, config: dict[str, Any], args: list, kwargs: dict) -> PyMemcacheCache:
        return cls(
            config["CACHE_MEMCACHED_SERVERS"],
            default_timeout=config["CACHE_DEFAULT_TIMEOUT"],
            key_prefix=config["CACHE_KEY_PREFIX"],
        )

    def inc(self, key: str, delta: int = 1, timeout: int | None = None) -> int | None:
        """Add ``delta`` atomically; a missing key starts at ``delta`` (expiring after timeout)."""
        normalized = self._normalize_key(key)
        with self._client_context() as client:
            value = client.incr(normalized, delta)
            if value is not None:
                return int(value)
            if client.add(normalized, delta, self._normalize_timeout(timeout)):
                return delta
            value = client.incr(normalized, delta)
            return int(value) if value is not None else None
