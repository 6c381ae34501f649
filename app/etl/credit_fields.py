"""The credit fields derived from the raw ones (the harmonised beneficiary, the reason category),
the list of searched values (credit_search_value) and the beneficiary summary.

The load writes new rows with their derived fields already set (``with_credit_fields``:
one distinct raw value at a time, a million rows hold a few thousand distinct names):
an UPDATE after the COPY would write every row and its dozen index entries again.
``fill_credit_fields`` fills the rows still without a value (older rows; run by the full
load inside its transaction, and by ``flask --app wsgi credits-backfill``), through the
same pure steps of ``beneficiaries`` and ``reasons``, then one ``UPDATE ... FROM`` each.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sqlalchemy import Column, Connection, MetaData, Table, Text, select

from app.etl.beneficiaries import fill_beneficiary_keys
from app.etl.beneficiary_summary import rebuild_beneficiary_summary
from app.etl.reasons import CATEGORISED_KINDS, fill_reason_categories
from app.models import SEARCHED_CREDIT_COLUMNS, BeneficiaryAlias, Credit, CreditSearchValue
from app.text_search import fold

_BATCH = 5000


def _temporary(name: str, *columns: str) -> Table:
    """A temporary table of text columns (its own metadata: never part of the schema)."""
    return Table(
        name, MetaData(), *(Column(column, Text) for column in columns), prefixes=["TEMPORARY"]
    )


def confirmed_aliases(connection: Connection) -> dict[str, str]:
    """Key -> the key an admin merged it into."""
    rows = connection.execute(
        select(BeneficiaryAlias.alias_key, BeneficiaryAlias.canonical_key).where(
            BeneficiaryAlias.status == "confirmed"
        )
    )
    return dict(rows.all())


def fill_credit_fields(connection: Connection, *, refill: bool = False) -> dict[str, int]:
    """Fill ``beneficiary_key`` and ``reason_category`` where missing (every row if ``refill``);
    return how many distinct names and reasons were mapped."""
    if refill:
        connection.execute(Credit.__table__.update().values(beneficiary_key=None))
        connection.execute(Credit.__table__.update().values(reason_category=None))
    counts = {
        "beneficiary_names": _fill_beneficiary_keys(connection),
        "reasons": _fill_reason_categories(connection),
    }
    counts["search_values"] = refresh_search_values(connection)
    rebuild_beneficiary_summary(connection)
    return counts


DERIVED_COLUMNS = ("beneficiary_key", "reason_category")


def with_credit_fields(connection: Connection, credits: pd.DataFrame) -> pd.DataFrame:
    """Credit rows about to be written, with their ``beneficiary_key`` and ``reason_category``
    (what ``fill_credit_fields`` would set), each distinct value mapped once. Filling them
    before the rows are written spares an UPDATE of every row and its dozen index entries."""
    beneficiaries = credits["beneficiary"]
    names = pd.DataFrame({"beneficiary": beneficiaries.dropna().unique()}, dtype=object)
    keyed = fill_beneficiary_keys(names, confirmed_aliases(connection)) if len(names) else names
    keys = dict(zip(keyed["beneficiary"], keyed.get("beneficiary_key", []), strict=True))
    return credits.assign(
        beneficiary_key=beneficiaries.map(keys).astype(object),
        reason_category=_reason_categories(credits),
    )


REASON_FIELDS = ["kind", "reason", "cancellation_reason"]


def _reason_categories(credits: pd.DataFrame) -> pd.Series:
    """Each row's reason category, each distinct (kind, reason, cancellation reason) mapped
    once. Rows are grouped by number, not by joined text: a reconcile's 600,000 Verra rows as
    Python strings took 200 MB at the load's peak."""
    triples = credits[REASON_FIELDS]
    # As the UPDATE joins them: a missing reason and an empty one are the same.
    keys = triples.astype("string").fillna("")  # a column all missing may come as floats
    groups = keys.groupby(REASON_FIELDS, sort=False, dropna=False).ngroup().to_numpy()
    _, first_rows = np.unique(groups, return_index=True)  # groups are numbered 0, 1, 2...
    distinct = triples.iloc[first_rows].astype(object)
    categorised = fill_reason_categories(distinct.where(distinct.notna(), None))
    categories = categorised["reason_category"].to_numpy(dtype=object)
    return pd.Series(categories[groups], index=credits.index, dtype=object)


def refresh_search_values(connection: Connection) -> int:
    """Make credit_search_value list exactly the searched columns' distinct values; return
    how many values were added."""
    table = CreditSearchValue.__table__
    added = 0
    for name in SEARCHED_CREDIT_COLUMNS:
        column = Credit.__table__.c[name]
        present = set(
            connection.execute(select(column).where(column.is_not(None)).distinct()).scalars()
        )
        known = dict(
            connection.execute(
                select(table.c.value, table.c.id).where(table.c.column == name)
            ).all()
        )
        gone = [key for value, key in known.items() if value not in present]
        for start in range(0, len(gone), _BATCH):
            connection.execute(table.delete().where(table.c.id.in_(gone[start : start + _BATCH])))
        new = [
            {"column": name, "value": value, "folded": fold(value)}
            for value in present - known.keys()
        ]
        for start in range(0, len(new), _BATCH):
            connection.execute(table.insert(), new[start : start + _BATCH])
        added += len(new)
    return added


def add_search_values(connection: Connection, credits: pd.DataFrame) -> int:
    """List the searched values of rows just added (none deleted: no listed value can have
    gone) that are not listed yet; return how many. Reads only those values, where
    ``refresh_search_values`` reads every credit row."""
    table = CreditSearchValue.__table__
    added = 0
    for name in SEARCHED_CREDIT_COLUMNS:
        values = set(credits[name].dropna().unique()) if name in credits else set()
        known: set[str] = set()
        candidates = sorted(values)
        for start in range(0, len(candidates), _BATCH):
            chunk = candidates[start : start + _BATCH]
            known.update(
                connection.execute(
                    select(table.c.value).where(table.c.column == name, table.c.value.in_(chunk))
                ).scalars()
            )
        new = [{"column": name, "value": v, "folded": fold(v)} for v in sorted(values - known)]
        for start in range(0, len(new), _BATCH):
            connection.execute(table.insert(), new[start : start + _BATCH])
        added += len(new)
    return added


def _fill_beneficiary_keys(connection: Connection) -> int:
    raw = connection.execute(
        select(Credit.beneficiary)
        .where(Credit.beneficiary.is_not(None), Credit.beneficiary_key.is_(None))
        .distinct()
    ).scalars()
    names = pd.DataFrame({"beneficiary": list(raw)}, dtype=object)
    if names.empty:
        return 0
    keyed = fill_beneficiary_keys(names, confirmed_aliases(connection)).dropna()
    _update_from(
        connection,
        _temporary("beneficiary_key_map", "raw", "key"),
        keyed[["beneficiary", "beneficiary_key"]].itertuples(index=False, name=None),
        "UPDATE credit SET beneficiary_key = m.key FROM beneficiary_key_map m "
        "WHERE credit.beneficiary = m.raw AND credit.beneficiary_key IS NULL",
    )
    return len(keyed)


def _fill_reason_categories(connection: Connection) -> int:
    rows = connection.execute(
        select(Credit.kind, Credit.reason, Credit.cancellation_reason)
        .where(Credit.kind.in_(CATEGORISED_KINDS), Credit.reason_category.is_(None))
        .distinct()
    ).all()
    if not rows:
        return 0
    records = pd.DataFrame(rows, columns=["kind", "reason", "cancellation_reason"], dtype=object)
    categorised = fill_reason_categories(records)
    _update_from(
        connection,
        _temporary("reason_category_map", "kind", "reason", "cancellation_reason", "category"),
        (
            (kind, reason or "", cancellation or "", category)
            for kind, reason, cancellation, category in categorised.itertuples(
                index=False, name=None
            )
        ),
        "UPDATE credit SET reason_category = m.category FROM reason_category_map m "
        "WHERE credit.kind = m.kind AND coalesce(credit.reason, '') = m.reason "
        "AND coalesce(credit.cancellation_reason, '') = m.cancellation_reason "
        "AND credit.reason_category IS NULL",
    )
    return len(categorised)


def _update_from(connection: Connection, table: Table, rows, update: str) -> None:
    """Load ``rows`` into the temporary ``table``, run ``update`` joining it, drop the table."""
    table.create(connection)
    try:
        names = [column.name for column in table.columns]
        insert = table.insert()
        batch: list[dict] = []
        for row in rows:
            batch.append(dict(zip(names, row, strict=True)))
            if len(batch) == _BATCH:
                connection.execute(insert, batch)
                batch = []
        if batch:
            connection.execute(insert, batch)
        if connection.dialect.name == "postgresql":
            # Without statistics the planner takes the map for tiny and may nest-loop a
            # million credit rows over it.
            connection.exec_driver_sql(f"ANALYZE {table.name}")
        connection.exec_driver_sql(update)
    finally:
        table.drop(connection)
