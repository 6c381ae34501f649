"""The load: the merged catalogue into the database, in the caller's one transaction.

Registry projects are upserted by ``project_id`` (so their primary keys, and the
comments and news links that point at them, survive), projects that disappeared
are deleted, and credit rows are replaced only for projects whose rows changed.
Community projects are never read nor written. No TRUNCATE and no table locks:
on PostgreSQL readers keep seeing the old catalogue until the commit.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
from sqlalchemy import Connection, bindparam, case, func, select

from app.etl import columns as c
from app.models import (
    COMMUNITY,
    Credit,
    Project,
    bump_data_version,
    rebuild_credit_summary,
    utcnow,
)

BATCH = 500
COPY_BATCH = 200_000
FIELDS = (*c.PROJECT_FIELDS, c.SOURCE, c.PROVENANCE, c.SEARCH_TEXT)
KIND_CODES = {c.ISSUANCE: 1, c.RETIREMENT: 2, c.CANCELLATION: 3}


@dataclass
class LoadCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    credit_rows: int = 0


def load_catalogue(connection: Connection, projects: pd.DataFrame, credits: pd.DataFrame):
    """Make the database's registry projects and credits equal to the frames; bump the
    data version. Runs inside ``connection``'s transaction; returns LoadCounts."""
    counts = LoadCounts(credit_rows=len(credits))
    existing = _existing_projects(connection)
    new_rows = {row[c.PROJECT_ID]: row for row in _records(projects)}
    old_prints = _stored_credit_prints(connection)
    new_prints = credit_prints(credits)

    added = [row for pid, row in new_rows.items() if pid not in existing]
    removed = [key for pid, (key, _) in existing.items() if pid not in new_rows]
    changed_fields, changed_credits = [], set()
    for pid, row in new_rows.items():
        if pid not in existing:
            continue
        key, stored = existing[pid]
        fields_differ = any(stored[name] != row[name] for name in FIELDS)
        credits_differ = old_prints.get(key) != new_prints.get(pid)
        if fields_differ:
            changed_fields.append({**row, "key": key})
        if credits_differ:
            changed_credits.add(pid)
        if not (fields_differ or credits_differ):
            counts.unchanged += 1
    counts.added = len(added)
    counts.removed = len(removed)
    counts.updated = len({row[c.PROJECT_ID] for row in changed_fields} | changed_credits)

    for chunk in _chunks(removed, BATCH):
        connection.execute(Project.__table__.delete().where(Project.id.in_(chunk)))
    _update_projects(connection, changed_fields)
    _insert_projects(connection, added)

    keys = dict(
        connection.execute(
            select(Project.project_id, Project.id).where(Project.registry != COMMUNITY)
        ).all()
    )
    reload_ids = changed_credits | {row[c.PROJECT_ID] for row in added}
    stale = [keys[pid] for pid in changed_credits]
    for chunk in _chunks(stale, BATCH):
        connection.execute(Credit.__table__.delete().where(Credit.project_id.in_(chunk)))
    fresh = credits[credits[c.PROJECT_ID].isin(reload_ids)]
    _insert_credits(connection, fresh.assign(**{c.PROJECT_ID: fresh[c.PROJECT_ID].map(keys)}))
    rebuild_credit_summary(connection)
    bump_data_version(connection)
    return counts


def _existing_projects(connection: Connection) -> dict[str, tuple[int, dict]]:
    table = Project.__table__
    rows = connection.execute(
        select(table.c.id, *(table.c[name] for name in (c.PROJECT_ID, *FIELDS))).where(
            table.c.registry != COMMUNITY
        )
    ).mappings()
    return {row[c.PROJECT_ID]: (row["id"], dict(row)) for row in rows}


def _records(projects: pd.DataFrame) -> Iterator[dict]:
    """Rows as plain Python values: None for missing, ints, dates, bools."""
    for row in projects.to_dict("records"):
        yield {name: _plain(name, row.get(name)) for name in (c.PROJECT_ID, *FIELDS)}


def _plain(name: str, value):
    if name == c.PROVENANCE:
        return value or {}
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if name in (c.ISSUED, c.RETIRED, c.FIRST_VINTAGE, c.LAST_VINTAGE):
        return int(value)
    if name == c.IS_COMPLIANCE:
        return bool(value)
    if name == c.LISTED_AT:
        return value.date() if isinstance(value, datetime) else value
    return value if isinstance(value, (int, date)) else str(value)


def _update_projects(connection: Connection, rows: list[dict]) -> None:
    if not rows:
        return
    table = Project.__table__
    statement = (
        table.update()
        .where(table.c.id == bindparam("key"))
        .values({name: bindparam(name) for name in FIELDS} | {"updated_at": bindparam("now")})
    )
    now = utcnow()
    for chunk in _chunks(rows, BATCH):
        connection.execute(statement, [row | {"now": now} for row in chunk])


def _insert_projects(connection: Connection, rows: list[dict]) -> None:
    now = utcnow()
    for chunk in _chunks(rows, BATCH):
        connection.execute(
            Project.__table__.insert(),
            [row | {"created_at": now, "updated_at": now} for row in chunk],
        )


def _insert_credits(connection: Connection, credits: pd.DataFrame) -> None:
    if credits.empty:
        return
    if connection.dialect.name == "postgresql":
        _copy_credits(connection, credits)
        return
    columns = list(c.CREDIT_COLUMNS)
    statement = Credit.__table__.insert()
    for start in range(0, len(credits), 50_000):
        part = credits.iloc[start : start + 50_000]
        rows = [
            {name: _plain_credit(name, value) for name, value in zip(columns, values, strict=True)}
            for values in part[columns].itertuples(index=False, name=None)
        ]
        connection.execute(statement, rows)


def _plain_credit(name: str, value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if name == c.TRANSACTION_DATE:
        return value.date()
    if name in (c.PROJECT_ID, c.VINTAGE, c.YEAR, c.QUANTITY):
        return int(value)
    return str(value)


def _copy_credits(connection: Connection, credits: pd.DataFrame) -> None:
    """PostgreSQL's COPY, in batches of CSV text, on the transaction's own connection."""
    columns = list(c.CREDIT_COLUMNS)
    cursor = connection.connection.dbapi_connection.cursor()
    statement = f"COPY credit ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
    try:
        for start in range(0, len(credits), COPY_BATCH):
            part = credits.iloc[start : start + COPY_BATCH][columns]
            part = part.assign(
                **{c.TRANSACTION_DATE: part[c.TRANSACTION_DATE].dt.strftime("%Y-%m-%d")}
            )
            buffer = io.StringIO()
            part.to_csv(buffer, index=False, header=False, quoting=csv.QUOTE_MINIMAL)
            buffer.seek(0)
            cursor.copy_expert(statement, buffer)
    finally:
        cursor.close()


def _stored_credit_prints(connection: Connection) -> dict[int, tuple]:
    """A fingerprint of each registry project's stored credit rows, computed in SQL."""
    credit = Credit.__table__
    kind_code = case(*((credit.c.kind == kind, code) for kind, code in KIND_CODES.items()), else_=0)
    text_length = (
        func.length(func.coalesce(credit.c.beneficiary, ""))
        + func.length(func.coalesce(credit.c.reason, ""))
        + func.length(func.coalesce(credit.c.note, ""))
        + func.length(func.coalesce(credit.c.account, ""))
    )
    rows = connection.execute(
        select(
            credit.c.project_id,
            func.count(),
            func.sum(credit.c.quantity),
            func.sum(credit.c.quantity * func.coalesce(credit.c.year, 0)),
            func.sum(credit.c.quantity * func.coalesce(credit.c.vintage, 0)),
            func.sum(credit.c.quantity * kind_code),
            func.sum(text_length),
        ).group_by(credit.c.project_id)
    ).all()
    return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in rows}


def credit_prints(credits: pd.DataFrame) -> dict[str, tuple]:
    """The same fingerprint as ``_stored_credit_prints``, for the new rows."""
    if credits.empty:
        return {}
    quantity = credits[c.QUANTITY].astype("int64")
    text_length = sum(
        credits[name].astype("string").str.len().fillna(0).astype("int64")
        for name in (c.BENEFICIARY, c.REASON, c.NOTE, c.ACCOUNT)
    )
    parts = pd.DataFrame(
        {
            c.PROJECT_ID: credits[c.PROJECT_ID],
            "n": 1,
            "q": quantity,
            "qy": quantity * credits[c.YEAR].fillna(0).astype("int64"),
            "qv": quantity * credits[c.VINTAGE].fillna(0).astype("int64"),
            "qk": quantity * credits[c.KIND].map(KIND_CODES).fillna(0).astype("int64"),
            "t": text_length,
        }
    )
    sums = parts.groupby(c.PROJECT_ID).sum()
    return {
        pid: tuple(int(v) for v in values)
        for pid, values in zip(sums.index, sums.itertuples(index=False, name=None), strict=True)
    }


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
