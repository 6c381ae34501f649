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

from app.extensions import db
from app.models import SourceState, utcnow

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


def _why_stale(state: SourceState | None, now: datetime, max_age: timedelta) -> str | None:
    if state is None or state.as_of is None:
        return state.last_error if state is not None and state.last_error else None
    if state.last_error:
        return state.last_error
    if now - _aware(state.as_of) > max_age:
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


def registry_freshness() -> list[Freshness]:
    """Every registry's freshness, in the catalogue's order (one small query)."""
    states = {row.source: row for row in db.session.scalars(select(SourceState)).all()}
    max_age = timedelta(hours=current_app.config["REGISTRY_STALE_HOURS"])
    now = utcnow()
    shown = []
    for key, label, code in REGISTRY_SOURCES:
        state = states.get(key)
        why = _why_stale(state, now, max_age)
        shown.append(
            Freshness(
                key=key,
                label=label,
                code=code,
                as_of=_aware(state.as_of) if state and state.as_of else None,
                last_attempt_at=state.last_attempt_at if state else None,
                last_error=state.last_error if state else None,
                stale=why is not None,
                why=why,
            )
        )
    return shown


def freshness_for(registry_code: str | None) -> list[Freshness]:
    """The freshness line of one registry's projects (empty for others)."""
    return [f for f in registry_freshness() if f.code == registry_code]
