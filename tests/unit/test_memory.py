"""Freed memory handed back to the system between the registries of a sync."""

from pathlib import Path

import pytest

from app.etl.memory import _malloc_trim, release_free_memory


def resident_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    pytest.skip("no /proc: not Linux")


def test_memory_freed_between_live_blocks_goes_back_to_the_system():
    if _malloc_trim() is None:
        pytest.skip("the C library has no malloc_trim (not glibc)")
    # 200 MB in 4 KB blocks, one in 50 kept: the heap cannot shrink from its top alone.
    blocks = [bytearray(4096) for _ in range(50_000)]
    kept = blocks[::50]
    del blocks
    before = resident_mb()
    release_free_memory()
    assert before - resident_mb() > 100
    assert len(kept) == 1000
