"""The beneficiary summary: one row per harmonised beneficiary, derived from the credit rows.

Rebuilt inside the caller's transaction: by every load (with the other derived credit fields,
app/etl/credit_fields.py), and for just the two names of an admin's merge. /beneficiaries,
each beneficiary page's heading and the API read it instead of grouping half a million
retirements per request.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from sqlalchemy import Connection, func, select

from app.etl.beneficiaries import display_rank
from app.models import RETIRED_KINDS, BeneficiarySummary, Credit

SPELLINGS_KEPT = 20
_BATCH = 5000


def _retired(keys: Collection[str] | None) -> list:
    conditions = [Credit.kind.in_(RETIRED_KINDS), Credit.beneficiary_key.is_not(None)]
    if keys is not None:
        conditions.append(Credit.beneficiary_key.in_(sorted(keys)))
    return conditions


def _spellings(connection: Connection, keys: Collection[str] | None) -> dict[str, list]:
    """Key -> its most used raw spellings [[text, records], ...], the display name first."""
    rows = connection.execute(
        select(Credit.beneficiary_key, Credit.beneficiary, func.count())
        .where(*_retired(keys), Credit.beneficiary.is_not(None))
        .group_by(Credit.beneficiary_key, Credit.beneficiary)
    )
    by_key: dict[str, list] = {}
    for key, raw, count in rows:
        by_key.setdefault(key, []).append((raw, count))
    return {
        key: [[raw, count] for raw, count in sorted(names, key=lambda n: display_rank(*n))][
            :SPELLINGS_KEPT
        ]
        for key, names in by_key.items()
    }


def _summary_rows(connection: Connection, keys: Collection[str] | None) -> Iterator[dict]:
    spellings = _spellings(connection, keys)
    totals = connection.execute(
        select(
            Credit.beneficiary_key,
            func.sum(Credit.quantity),
            func.count(),
            func.count(func.distinct(Credit.project_id)),
            func.min(Credit.year),
            func.max(Credit.year),
        )
        .where(*_retired(keys))
        .group_by(Credit.beneficiary_key)
    )
    for key, quantity, records, projects, first_year, last_year in totals:
        names = spellings.get(key, [])
        yield {
            "key": key,
            "name": names[0][0] if names else key,
            "quantity": int(quantity or 0),
            "records": records,
            "projects": projects,
            "first_year": first_year,
            "last_year": last_year,
            "spellings": names,
        }


def rebuild_beneficiary_summary(
    connection: Connection, keys: Collection[str] | None = None
) -> None:
    """Make beneficiary_summary equal to the credit rows: every beneficiary, or only ``keys``
    (the names a merge touched)."""
    table = BeneficiarySummary.__table__
    delete = table.delete()
    if keys is not None:
        delete = delete.where(table.c.key.in_(sorted(keys)))
    connection.execute(delete)
    batch: list[dict] = []
    for row in _summary_rows(connection, keys):
        batch.append(row)
        if len(batch) == _BATCH:
            connection.execute(table.insert(), batch)
            batch = []
    if batch:
        connection.execute(table.insert(), batch)
