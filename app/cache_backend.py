"""Flask-Caching on Memcached through pymemcache.

Flask-Caching's own Memcached backend looks only for pylibmc or python-memcached;
this hands it a pymemcache client instead (pooled, so threads can share it) and
makes ``inc`` atomic, which counters shared by several web workers need.

A cache is an optimisation: when Memcached refuses a value (over its 1 MB item
limit), a key, or is unreachable, the call answers as a miss or a failed store
and the page is computed uncached, never an error.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from flask_caching.backends.memcache import MemcachedCache
from pymemcache import serde
from pymemcache.client.hash import HashClient
from pymemcache.exceptions import MemcacheError

logger = logging.getLogger(__name__)
CACHE_FAILURES = (MemcacheError, OSError)


def _degrades_to(default):
    """On a Memcached failure, log it and answer ``default`` (a miss, a failed store)."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except CACHE_FAILURES as error:
                logger.warning("cache %s failed, serving uncached: %s", method.__name__, error)
                return default() if callable(default) else default

        return wrapper

    return decorate


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

    get = _degrades_to(None)(MemcachedCache.get)
    get_many = _degrades_to(list)(MemcachedCache.get_many)
    get_dict = _degrades_to(dict)(MemcachedCache.get_dict)
    has = _degrades_to(False)(MemcachedCache.has)
    set = _degrades_to(False)(MemcachedCache.set)
    add = _degrades_to(False)(MemcachedCache.add)
    set_many = _degrades_to(list)(MemcachedCache.set_many)
    delete = _degrades_to(False)(MemcachedCache.delete)
    delete_many = _degrades_to(list)(MemcachedCache.delete_many)

    @_degrades_to(None)
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
