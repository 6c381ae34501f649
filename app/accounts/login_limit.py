"""At most N failed sign-ins per account and per client address in a window.

Counts live in the shared cache (Memcached in production), so every web worker
sees the same numbers. Each counter belongs to a window that starts with the
first failure; the window's start is stored with it, so "try again in N
minutes" is exact and the window ends on time whatever the cache backend.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from flask import current_app

from app.extensions import cache


def now() -> int:
    return int(time.time())


def _max_failures() -> int:
    return int(current_app.config["LOGIN_MAX_FAILURES"])


def _window() -> int:
    return int(current_app.config["LOGIN_WINDOW_SECONDS"])


def _subjects(email: str, address: str | None) -> list[str]:
    # Hashed: cache keys must be short and free of spaces, and need not reveal who.
    digest = hashlib.sha256(email.encode()).hexdigest()[:32]
    subjects = [f"login-fail:account:{digest}"]
    if address:
        subjects.append(f"login-fail:address:{hashlib.sha256(address.encode()).hexdigest()[:32]}")
    return subjects


def _window_start(subject: str) -> int | None:
    start = cache.get(f"{subject}:start")
    if start is None or now() - int(start) >= _window():
        return None
    return int(start)


@dataclass(frozen=True)
class Lockout:
    seconds: int  # until the window that locked the sign-in ends: the Retry-After value

    @property
    def minutes(self) -> int:
        """Rounded up, so "try again in N minutes" is never too early."""
        return max(1, math.ceil(self.seconds / 60))

    @property
    def message(self) -> str:
        unit = "minute" if self.minutes == 1 else "minutes"
        return f"Too many failed sign-ins. Try again in {self.minutes} {unit}."


def lockout(email: str, address: str | None) -> Lockout | None:
    """The lockout in force for this account or address, or None."""
    longest = 0
    for subject in _subjects(email, address):
        start = _window_start(subject)
        if start is None:
            continue
        failures = cache.get(f"{subject}:{start}") or 0
        if failures >= _max_failures():
            longest = max(longest, start + _window() - now())
    return Lockout(longest) if longest > 0 else None


def record_failure(email: str, address: str | None) -> None:
    """Count one failed sign-in against the account and the address."""
    window = _window()
    for subject in _subjects(email, address):
        start = _window_start(subject)
        if start is None:
            # The first of several workers failing at once opens the window for all.
            cache.add(f"{subject}:start", now(), timeout=window)
            start = _window_start(subject)
        if start is None:  # the cache still held a window that has ended
            start = now()
            cache.set(f"{subject}:start", start, timeout=window)
        counter = f"{subject}:{start}"
        cache.add(counter, 0, timeout=window)  # the window's expiry, on every backend
        cache.cache.inc(counter)


def forget_account_failures(email: str) -> None:
    """After a successful sign-in, the account starts afresh (its address does not)."""
    subject = _subjects(email, None)[0]
    start = cache.get(f"{subject}:start")
    cache.delete_many(f"{subject}:start", f"{subject}:{start}")
