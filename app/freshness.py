"""How fresh each registry's own data is: what the pages and the admin show.

Read from ``source_state`` (one row per registry adapter, written by every sync).
A registry is stale when its last attempt failed (it serves its last good data) or
when its last good data is older than ``REGISTRY_STALE_HOURS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import ngettext
from sqlalchemy import select

from app.extensions import cache, db
from app.models import SourceState, current_data_version, utcnow

# (adapter key, label, registry code), in the catalogue's order (app/etl/registries).
REGISTRY_SOURCES = (
    ("verra", "Verra", "VCS"),
    ("gold_standard", "Gold Standard", "GLD"),
    ("acr", "ACR", "ACR"),
    ("car", "CAR", "CAR"),
    ("art", "ART", "ART"),
)


@dataclass(frozen=True)
class Freshness:
    key: str
    label: str
    code: str
    as_of: datetime | None
    last_attempt_at: datetime | None
    last_error: str | None
    stale: bool
    why: str | None

    @property
    def has_data(self) -> bool:
        return self.as_of is not None


# (as_of, last_attempt_at, last_error) per source_state row, by source.
StateRow = tuple[datetime | None, datetime | None, str | None]
# How long the catalogue's search page may show a registry's failed attempt late; its data
# changing (a sync's load bumps the data version) shows at once.
FRESHNESS_CACHE_SECONDS = 30


def _why_stale(state: StateRow | None, now: datetime, max_age: timedelta) -> str | None:
    as_of, _attempt, last_error = state or (None, None, None)
    if as_of is None:
        return last_error or None
    if last_error:
        return last_error
    if now - _aware(as_of) > max_age:
        hours = int(max_age.total_seconds() // 3600)
        return ngettext(
            "no successful refresh for more than %(num)s hour",
            "no successful refresh for more than %(num)s hours",
            hours,
        )
    return None


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _state_rows() -> dict[str, StateRow]:
    columns = (SourceState.source, SourceState.as_of, SourceState.last_attempt_at)
    rows = db.session.execute(select(*columns, SourceState.last_error))
    return {source: (as_of, attempt, error) for source, as_of, attempt, error in rows}


def _cached_state_rows() -> dict[str, StateRow]:
    key = f"registry-freshness:v{current_data_version()}"
    rows = cache.get(key)
    if rows is None:
        rows = _state_rows()
        cache.set(key, rows, timeout=FRESHNESS_CACHE_SECONDS)
    return rows


def registry_freshness(cached: bool = False) -> list[Freshness]:
    """Every registry's freshness, in the catalogue's order (one small query; ``cached``:
    the rows from the shared cache, up to FRESHNESS_CACHE_SECONDS old, for busy pages).
    Whether a registry is stale is decided now, on every call."""
    states = _cached_state_rows() if cached else _state_rows()
    max_age = timedelta(hours=current_app.config["REGISTRY_STALE_HOURS"])
    now = utcnow()
    shown = []
    for key, label, code in REGISTRY_SOURCES:
        state = states.get(key)
        why = _why_stale(state, now, max_age)
        as_of, last_attempt_at, last_error = state or (None, None, None)
        shown.append(
            Freshness(
                key=key,
                label=label,
                code=code,
                as_of=_aware(as_of) if as_of else None,
                last_attempt_at=last_attempt_at,
                last_error=last_error,
                stale=why is not None,
                why=why,
            )
        )
    return shown


def freshness_for(registry_code: str | None) -> list[Freshness]:
    """The freshness line of one registry's projects (empty for others)."""
    return [f for f in registry_freshness() if f.code == registry_code]
