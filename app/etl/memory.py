"""Handing freed memory back to the system between the registries of a sync.

A registry's parse or load frees hundreds of megabytes, but the allocators keep them for
reuse (glibc's heap, fragmented by millions of small strings; pyarrow's mimalloc pool), so
the process's resident size only grows: the next registry's peak then sits on the last
one's. Released between registries, a five-registry reconcile's peak fell from ~1,000 MB to
~875 MB (bench/bench_registries.py).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache

import pyarrow as pa


def release_free_memory() -> None:
    """Give the memory the allocators hold free back to the system (a no-op where the C
    library has no ``malloc_trim``)."""
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):  # not glibc (musl, macOS)
        return None
