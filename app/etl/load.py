"""The load: the merged catalogue into the database, in the caller's one transaction.

Registry projects are upserted by ``project_id`` (so their primary keys, and the
comments and news links that point at them, survive), projects that disappeared
are deleted, and credit rows are replaced only for projects whose rows changed.
Community projects are never read nor written. No TRUNCATE and no table locks:
on PostgreSQL readers keep seeing the old catalogue until the commit.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    MetaData,
    Table,
    any_,
    bindparam,
    func,
    select,
)
from sqlalchemy.dialects import postgresql

from app.etl import columns as c
from app.etl import identity
from app.etl.beneficiary_summary import rebuild_beneficiary_summary
from app.etl.changes import record_changes
from app.etl.copy_out import copied_out
from app.etl.credit_fields import (
    DERIVED_COLUMNS,
    add_search_values,
    fill_credit_fields,
    refresh_search_values,
    with_credit_fields,
)
from app.etl.labels import aligned_labels, certification_labels
from app.models import (
    COMMUNITY,
    Credit,
    CreditSummary,
    Label,
    Project,
    ProjectYearlyFigure,
    bump_data_version,
    rebuild_credit_summary,
    refresh_label_coverage,
    utcnow,
)

BATCH = 500
COPY_BATCH = 200_000
FIELDS = (*c.PROJECT_FIELDS, c.SOURCE, c.PROVENANCE, c.FLAGS, c.SEARCH_TEXT)
YEARLY_FIELDS = (c.BLOCK, c.YEAR, c.QUANTITY, c.SOURCE)
LABEL_FIELDS = ("kind", "value", "raw_text", "source", "as_of", "vintage", "quantity")


@dataclass
class LoadCounts:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    credit_rows: int = 0
    # The projects (keys) added or with a field the cross-registry matcher reads changed;
    # None when not followed (the matcher then looks at every project the run updated).
    relinkable: set[int] | None = None


# The fields the cross-registry matcher compares (app.etl.identity), as stored.
MATCHED_FIELDS = tuple(name for name in identity.COLUMNS if name in FIELDS)


def load_catalogue(
    connection: Connection,
    projects: pd.DataFrame,
    credits: pd.DataFrame,
    yearly: pd.DataFrame | None = None,
    run_id: int | None = None,
    labels: pd.DataFrame | None = None,
):
    """Make the database's registry projects, credits, yearly figures and labels equal to
    the frames; record what changed (for sync run ``run_id``); bump the data version. Runs
    inside ``connection``'s transaction; returns LoadCounts. Without ``labels``, the labels
    are those in the projects' certifications."""
    projects = with_every_field(projects)
    credits = credits.reindex(columns=list(c.CREDIT_RECORD_COLUMNS))
    counts = LoadCounts(credit_rows=len(credits))
    yearly = yearly if yearly is not None else pd.DataFrame(columns=list(c.YEARLY_COLUMNS))
    existing = _existing_projects(connection)
    new_rows = {row[c.PROJECT_ID]: row for row in _records(projects)}
    old_prints = _stored_credit_prints(connection)
    new_prints = credit_prints(credits)
    old_yearly = _digests(_stored_yearly(connection), YEARLY_FIELDS)
    new_yearly = _digests(yearly, YEARLY_FIELDS)

    added = [row for pid, row in new_rows.items() if pid not in existing]
    removed = [key for pid, (key, _) in existing.items() if pid not in new_rows]
    changed_fields, changed_credits = [], set()
    for pid, row in new_rows.items():
        if pid not in existing:
            continue
        key, stored = existing[pid]
        fields_differ = any(stored[name] != row[name] for name in FIELDS)
        credits_differ = old_prints.get(key) != new_prints.get(pid) or old_yearly.get(
            key
        ) != new_yearly.get(pid)
        if fields_differ:
            changed_fields.append({**row, "key": key})
        if credits_differ:
            changed_credits.add(pid)
        if not (fields_differ or credits_differ):
            counts.unchanged += 1
    counts.added = len(added)
    counts.removed = len(removed)
    counts.updated = len({row[c.PROJECT_ID] for row in changed_fields} | changed_credits)
    record_changes(
        connection, run_id=run_id, existing=existing, new_rows=new_rows,
        changed_credits=changed_credits, credits=credits, today=utcnow().date(),
    )  # fmt: skip

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
    for chunk in _chunks(stale, BATCH):
        connection.execute(
            ProjectYearlyFigure.__table__.delete().where(ProjectYearlyFigure.project_id.in_(chunk))
        )
    fresh = with_credit_fields(connection, credits[credits[c.PROJECT_ID].isin(reload_ids)])
    _insert_credits(connection, fresh.assign(**{c.PROJECT_ID: fresh[c.PROJECT_ID].map(keys)}))
    fresh_yearly = yearly[yearly[c.PROJECT_ID].isin(reload_ids)]
    _insert_yearly(
        connection, fresh_yearly.assign(**{c.PROJECT_ID: fresh_yearly[c.PROJECT_ID].map(keys)})
    )
    fill_credit_fields(connection)  # rows written before their fields were (older loads)
    if labels is None:
        labels = certification_labels(projects, as_of=utcnow().date())
    _replace_labels(connection, labels, keys, every=True)
    rebuild_credit_summary(connection)
    bump_data_version(connection)
    return counts


def with_every_field(projects: pd.DataFrame) -> pd.DataFrame:
    """Sources that lack a field (an older export, a registry's own project) load it empty;
    JSON fields load as an empty object, never as NaN."""
    projects = projects.reindex(columns=list(dict.fromkeys([*projects.columns, *FIELDS])))
    empty_objects = {
        name: projects[name].map(lambda value: value if isinstance(value, dict) else {})
        for name in (c.FLAGS, c.PROVENANCE)
    }
    return projects.assign(**empty_objects)


def _replace_labels(
    connection: Connection, labels: pd.DataFrame, keys: dict[str, int], every: bool = False
) -> None:
    """The labels of the projects in ``keys`` (of every registry project with ``every``),
    replaced. Rows may carry a ``vintage`` and ``quantity`` (a registry's credit-level
    labels, summed by vintage).

    For some projects only the rows that differ are written: a daily delta's few thousand
    projects keep nearly all of their ~100,000 label rows, and rewriting them all took
    most of a delta's time."""
    wanted = _label_frame(labels[labels["project_id"].isin(keys.keys())], keys)
    if every:
        registry_ids = select(Project.id).where(Project.registry != COMMUNITY)
        connection.execute(Label.__table__.delete().where(Label.project_id.in_(registry_ids)))
        _insert_labels(connection, wanted)
        refresh_label_coverage(connection)
        return
    stored = _stored_labels(connection, list(keys.values()))
    gone, wanted = _label_changes(stored, wanted)
    _delete_labels(connection, gone)
    _insert_labels(connection, wanted)
    changed = {*stored.loc[gone, "project_id"].dropna(), *wanted["project_id"].dropna()}
    refresh_label_coverage(connection, sorted(int(key) for key in changed))


def _delete_labels(connection: Connection, ids: list[int]) -> None:
    """Label rows by id: on PostgreSQL in one statement (tens of thousands of ids bound as
    one array, not a round trip per few hundred)."""
    table = Label.__table__
    if connection.dialect.name == "postgresql":
        bound = bindparam("ids", ids, type_=postgresql.ARRAY(BigInteger))
        connection.execute(table.delete().where(table.c.id == any_(bound)))
        return
    for chunk in _chunks(ids, BATCH):
        connection.execute(table.delete().where(table.c.id.in_(chunk)))


LABEL_ROW = ["project_id", *LABEL_FIELDS]
LABEL_TYPES = {
    "id": pa.int64(),
    "project_id": pa.int64(),
    **dict.fromkeys(("kind", "value", "raw_text", "source"), pa.string()),
    "as_of": pa.date32(),
    "vintage": pa.int64(),
    "quantity": pa.int64(),
}
# Stand-ins for missing values (of each column's type), so that rows compare as values.
_LABEL_BLANKS = {
    "vintage": -1,
    "quantity": -1,
    "as_of": pd.Timestamp(0),
    **dict.fromkeys(("kind", "value", "raw_text", "source"), ""),
}


def _label_frame(labels: pd.DataFrame, keys: dict[str, int] | None = None) -> pd.DataFrame:
    """Label rows as the table holds them (project ids turned into the projects' ``keys``),
    one type per column."""
    frame = aligned_labels(labels, LABEL_ROW)
    project_keys = frame["project_id"] if keys is None else frame["project_id"].map(keys)
    return frame.assign(project_id=project_keys.astype("Int64")).reset_index(drop=True)


def _stored_labels(connection: Connection, keys: list[int]) -> pd.DataFrame:
    """The stored label rows of these projects (by key), indexed by their ids."""
    table = Label.__table__
    columns = [table.c.id, *(table.c[name] for name in LABEL_ROW)]

    def rows_of(chunk: list[int]):
        return select(*columns).where(table.c.project_id.in_(chunk))

    if connection.dialect.name == "postgresql" and keys:
        stored = copied_out(connection, rows_of(keys), LABEL_TYPES)
    else:  # SQLite takes a few hundred parameters a statement
        frames = [pd.read_sql(rows_of(chunk), connection) for chunk in _chunks(keys, 500)]
        stored = (
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame(columns=["id", *LABEL_ROW])
        )
    return _label_frame(stored).set_index(stored["id"].astype("int64"))


def _label_changes(stored: pd.DataFrame, wanted: pd.DataFrame) -> tuple[list[int], pd.DataFrame]:
    """(ids of the stored rows no longer wanted, wanted rows not stored yet), rows compared
    as multisets of every field (by the rows' hashes, as the credit events are)."""

    def comparable(frame: pd.DataFrame) -> pd.DataFrame:
        hashes = pd.util.hash_pandas_object(frame[LABEL_ROW].fillna(_LABEL_BLANKS), index=False)
        return pd.DataFrame(
            {"row": hashes.to_numpy(), "occurrence": hashes.groupby(hashes).cumcount().to_numpy()}
        )

    both = (
        comparable(stored)
        .assign(stored_id=stored.index.to_numpy())
        .merge(
            comparable(wanted).assign(wanted_at=np.arange(len(wanted))),
            on=["row", "occurrence"],
            how="outer",
            indicator=True,
        )
    )
    gone = both.loc[both["_merge"] == "left_only", "stored_id"].astype("int64").tolist()
    new = both.loc[both["_merge"] == "right_only", "wanted_at"].astype("int64")
    return gone, wanted.iloc[np.sort(new.to_numpy())]


def _insert_labels(connection: Connection, labels: pd.DataFrame) -> None:
    if connection.dialect.name == "postgresql":
        _copy_rows(connection, "label", labels, LABEL_ROW, dates=("as_of",))
        return
    rows = [
        {name: _label_value(name, value) for name, value in row.items()}
        for row in labels.to_dict("records")
    ]
    for chunk in _chunks(rows, BATCH):
        connection.execute(Label.__table__.insert(), chunk)


def _label_value(name: str, value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if name in ("project_id", "vintage", "quantity"):
        return int(value)
    if name == "as_of":
        return value.date() if isinstance(value, datetime) else value
    return str(value)


def _existing_projects(connection: Connection) -> dict[str, tuple[int, dict]]:
    table = Project.__table__
    rows = connection.execute(
        select(table.c.id, *(table.c[name] for name in (c.PROJECT_ID, *FIELDS))).where(
            table.c.registry != COMMUNITY
        )
    ).mappings()
    return {row[c.PROJECT_ID]: (row["id"], dict(row)) for row in rows}


def _records(projects: pd.DataFrame) -> Iterator[dict]:
    """Rows as plain Python values: None for missing, ints, dates, bools (built column by
    column: a delta's thousands of projects times 60 fields)."""
    names = (c.PROJECT_ID, *FIELDS)
    columns = [_plain_values(name, projects.get(name), len(projects)) for name in names]
    for values in zip(*columns, strict=True):
        yield dict(zip(names, values, strict=True))


def _plain_values(name: str, column: pd.Series | None, length: int) -> list:
    if name in (c.PROVENANCE, c.FLAGS):
        return [value or {} for value in ([None] * length if column is None else column.tolist())]
    if column is None:
        return [None] * length
    plain = _plain_of(name)
    values, missing = column.tolist(), column.isna().tolist()
    return [None if gone else plain(value) for value, gone in zip(values, missing, strict=True)]


def _plain_of(name: str):
    if name in c.NUMBER_FIELDS:
        return int
    if name == c.IS_COMPLIANCE:
        return bool
    if name in c.DATE_FIELDS:
        return lambda value: value.date() if isinstance(value, datetime) else value
    return lambda value: value if isinstance(value, (int, date)) else str(value)


def _update_projects(connection: Connection, rows: list[dict]) -> None:
    if not rows:
        return
    if connection.dialect.name == "postgresql" and len(rows) > BATCH:
        _update_projects_by_copy(connection, rows)
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


def _update_projects_by_copy(connection: Connection, rows: list[dict]) -> None:
    """Thousands of changed projects in three statements: COPY into a temporary table,
    one UPDATE from it (an UPDATE per row costs a round trip each)."""
    names = ["key", *FIELDS]
    frame = pd.DataFrame(
        [[row[name] for name in names] for row in rows], columns=names, dtype=object
    )
    frame[c.PROVENANCE] = frame[c.PROVENANCE].map(lambda value: json.dumps(value or {}))
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
    buffer.seek(0)
    fields = ", ".join(FIELDS)
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE project_update ON COMMIT DROP AS "  # noqa: S608 (our names)
        f"SELECT id AS key, {fields} FROM project WITH NO DATA"
    )
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.copy_expert(
            f"COPY project_update (key, {fields}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
            buffer,
        )
    finally:
        cursor.close()
    connection.exec_driver_sql("ANALYZE project_update")  # else a nested loop over both
    assignments = ", ".join(f"{name} = u.{name}" for name in FIELDS)
    connection.exec_driver_sql(
        f"UPDATE project SET {assignments}, updated_at = now() "  # noqa: S608 (our names)
        "FROM project_update u WHERE project.id = u.key"
    )
    connection.exec_driver_sql("DROP TABLE project_update")


def _insert_projects(connection: Connection, rows: list[dict]) -> None:
    now = utcnow()
    for chunk in _chunks(rows, BATCH):
        connection.execute(
            Project.__table__.insert(),
            [row | {"created_at": now, "updated_at": now} for row in chunk],
        )


# What the load writes of a credit row: its record and the fields derived from it.
WRITTEN_CREDIT_COLUMNS = (*c.CREDIT_RECORD_COLUMNS, *DERIVED_COLUMNS)


def _insert_credits(connection: Connection, credits: pd.DataFrame) -> None:
    """Credit rows (with their derived fields: ``with_credit_fields``) into ``credit``."""
    if credits.empty:
        return
    if connection.dialect.name == "postgresql":
        _copy_credits(connection, credits)
        return
    columns = list(WRITTEN_CREDIT_COLUMNS)
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
    _copy_rows(
        connection, "credit", credits, list(WRITTEN_CREDIT_COLUMNS), dates=(c.TRANSACTION_DATE,)
    )


def _copy_rows(
    connection: Connection, table: str, frame: pd.DataFrame, columns: list, dates=()
) -> None:
    """PostgreSQL's COPY, in batches of CSV text (batch by batch, to spare memory), on the
    transaction's own connection; ``dates`` are written as YYYY-MM-DD."""
    cursor = connection.connection.dbapi_connection.cursor()
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
    try:
        for start in range(0, len(frame), COPY_BATCH):
            cursor.copy_expert(
                statement, _csv(frame.iloc[start : start + COPY_BATCH][columns], dates)
            )
    finally:
        cursor.close()


def _csv(frame: pd.DataFrame, dates=()) -> io.BytesIO:
    """CSV as COPY reads it (a missing value unquoted and empty: NULL), written by pyarrow:
    several times faster than pandas' writer, which took 13 s of a reconcile's 1.5M rows."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    for name in dates:
        position = table.schema.get_field_index(name)
        table = table.set_column(position, name, table[name].cast(pa.date32(), safe=False))
    buffer = io.BytesIO()
    pa_csv.write_csv(table, buffer, pa_csv.WriteOptions(include_header=False))
    buffer.seek(0)
    return buffer


def _insert_yearly(connection: Connection, yearly: pd.DataFrame) -> None:
    """Yearly figures: COPY on PostgreSQL, batched executemany on SQLite."""
    if yearly.empty:
        return
    columns = list(c.YEARLY_COLUMNS)
    if connection.dialect.name == "postgresql":
        whole = {name: yearly[name].astype("Int64") for name in (c.PROJECT_ID, c.YEAR, c.QUANTITY)}
        _copy_rows(connection, "project_yearly_figure", yearly.assign(**whole), columns)
        return
    rows = [
        {
            name: (None if pd.isna(value) else value if name in (c.BLOCK, c.SOURCE) else int(value))
            for name, value in zip(columns, values, strict=True)
        }
        for values in yearly[columns].itertuples(index=False, name=None)
    ]
    for chunk in _chunks(rows, 50_000):
        connection.execute(ProjectYearlyFigure.__table__.insert(), chunk)


def _stored_yearly(connection: Connection) -> pd.DataFrame:
    table = ProjectYearlyFigure.__table__
    names = list(c.YEARLY_COLUMNS)
    rows = connection.execute(select(*(table.c[name] for name in names))).all()
    return pd.DataFrame(rows, columns=names, dtype=object)


def _stored_credit_prints(connection: Connection) -> dict[int, tuple[int, int, int]]:
    """The digest of each registry project's stored credit rows (see ``credit_prints``),
    from the rows read back."""
    return _digests(_stored_credits(connection), c.CREDIT_RECORD_COLUMNS)


def _stored_credits(connection: Connection) -> pd.DataFrame:
    """All credit rows as text (dates as YYYY-MM-DD), keyed by ``project.id``."""
    credit = Credit.__table__
    names = list(c.CREDIT_RECORD_COLUMNS)
    if connection.dialect.name != "postgresql":
        rows = connection.execute(select(*(credit.c[name] for name in names))).all()
        frame = pd.DataFrame(rows, columns=names, dtype=object)
        dates = pd.to_datetime(frame[c.TRANSACTION_DATE])
        return frame.assign(**{c.TRANSACTION_DATE: dates.dt.strftime("%Y-%m-%d")})
    listed = [
        func.to_char(credit.c[name], "YYYY-MM-DD") if name == c.TRANSACTION_DATE else credit.c[name]
        for name in names
    ]
    types = {name: pa.int64() if name == c.PROJECT_ID else pa.string() for name in names}
    return copied_out(connection, select(*listed), types)


def credit_prints(credits: pd.DataFrame) -> dict[str, tuple[int, int, int]]:
    """Per project: (row count, two halves of the sum of its rows' hashes).

    Every column but the project counts, so any edit to any row changes the digest; the
    sum makes it independent of row order. The stored rows get the same digest."""
    if credits.empty:
        return {}
    dates = pd.to_datetime(credits[c.TRANSACTION_DATE], errors="coerce")
    return _digests(
        credits.assign(**{c.TRANSACTION_DATE: dates.dt.strftime("%Y-%m-%d")}),
        c.CREDIT_RECORD_COLUMNS,
    )


def _digests(credits: pd.DataFrame, columns: tuple[str, ...]) -> dict:
    """Per project: (row count, two halves of the sum of its rows' hashes over ``columns``)."""
    if credits.empty:
        return {}
    # Column by column, so no second copy of a million rows is ever held at once.
    hashes = np.zeros(len(credits), dtype=np.uint64)
    for name in columns:
        if name == c.PROJECT_ID:
            continue
        values = credits[name]
        values = (
            pd.to_numeric(values).astype("Int64")
            if name in (c.VINTAGE, c.YEAR, c.QUANTITY)
            else values.astype("string[pyarrow]")
        )
        column = pd.util.hash_pandas_object(values, index=False).to_numpy()
        hashes = hashes * np.uint64(1_000_003) ^ column
    parts = pd.DataFrame(
        {
            c.PROJECT_ID: credits[c.PROJECT_ID].to_numpy(),
            "n": 1,
            "low": (hashes & np.uint64(0xFFFFFFFF)).astype("int64"),
            "high": (hashes >> np.uint64(32)).astype("int64"),
        }
    )
    sums = parts.groupby(c.PROJECT_ID).sum()
    return {
        _key(pid): tuple(int(v) for v in values)
        for pid, values in zip(sums.index, sums.itertuples(index=False, name=None), strict=True)
    }


def _key(pid):
    return pid if isinstance(pid, str) else int(pid)


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def load_projects(
    connection: Connection,
    projects: pd.DataFrame,
    credits: pd.DataFrame,
    append_to: frozenset[str] = frozenset(),
    run_id: int | None = None,
    labels: pd.DataFrame | None = None,
):
    """Make just these registry projects, and all the credit rows of each, equal to the
    frames; every other project is left as it is (see ``ProjectsLoad``). With ``labels``,
    these projects' labels are replaced by them. Returns LoadCounts."""
    load = ProjectsLoad(connection, run_id)
    load.add(projects, credits, append_to, labels)
    return load.finish()


class ProjectsLoad:
    """Some registry projects loaded piece by piece (a registry at a time, so only one
    piece is in memory), inside the caller's transaction, then finished once.

    Each piece makes its projects, and all the credit rows of each, equal to its frames;
    every other project is left as it is. For runs that change a few projects (a
    registry's daily delta) no other row is read or written. For the projects in a
    piece's ``append_to`` the credit rows given are added to those stored (a delta's new
    events) instead of replacing them; with a piece's ``labels``, its projects' labels are
    replaced by them."""

    def __init__(self, connection: Connection, run_id: int | None = None):
        self.connection = connection
        self.run_id = run_id
        self.counts = LoadCounts()
        # Rows only added so far (no project added, regrouped or replaced): the summary and
        # the search values then grow by these rows instead of being rebuilt.
        self.only_added = True
        self.added_rows: list[tuple[pd.DataFrame, pd.DataFrame]] = []

    def add(
        self,
        projects: pd.DataFrame,
        credits: pd.DataFrame,
        append_to: frozenset[str] = frozenset(),
        labels: pd.DataFrame | None = None,
    ) -> None:
        connection = self.connection
        projects = with_every_field(projects)
        if list(credits.columns) != list(c.CREDIT_RECORD_COLUMNS):
            credits = credits.reindex(columns=list(c.CREDIT_RECORD_COLUMNS))
        self.counts.credit_rows += len(credits)
        rows = {row[c.PROJECT_ID]: row for row in _records(projects)}
        existing = _existing_of(connection, list(rows))
        # A delta's appended rows are new events, not the project's whole set: their changes
        # are its fields only (the full sync after it compares totals again).
        record_changes(
            connection, run_id=self.run_id, existing=existing, new_rows=rows,
            changed_credits={pid for pid in existing if pid not in append_to},
            credits=credits, today=utcnow().date(),
        )  # fmt: skip
        added = [row for pid, row in rows.items() if pid not in existing]
        changed = [
            {**row, "key": existing[pid][0]}
            for pid, row in rows.items()
            if pid in existing and any(existing[pid][1][name] != row[name] for name in FIELDS)
        ]
        _update_projects(connection, changed)
        _insert_projects(connection, added)
        keys = _keys_of(connection, existing, [row[c.PROJECT_ID] for row in added])
        replaced = [keys[pid] for pid in rows if pid not in append_to]
        for chunk in _chunks(replaced, BATCH):
            connection.execute(Credit.__table__.delete().where(Credit.project_id.in_(chunk)))
        belongs = credits[c.PROJECT_ID].isin(set(rows))
        fresh = with_credit_fields(connection, credits if belongs.all() else credits[belongs])
        del belongs, credits
        _insert_credits(connection, fresh.assign(**{c.PROJECT_ID: fresh[c.PROJECT_ID].map(keys)}))
        if labels is not None:
            _replace_labels(connection, labels, {pid: keys[pid] for pid in rows})
        regrouped = any(
            existing[pid][1][name] != rows[pid][name]
            for pid in existing
            for name in (c.REGISTRY, c.COUNTRY, c.SCOPE)
        )
        self.only_added = self.only_added and not (added or replaced or regrouped)
        self.added_rows = [*self.added_rows, (fresh, projects)] if self.only_added else []
        self.counts.added += len(added)
        self.counts.updated += len(rows) - len(added)
        self.counts.relinkable = (self.counts.relinkable or set()) | {
            keys[pid]
            for pid, row in rows.items()
            if pid not in existing
            or any(existing[pid][1][name] != row[name] for name in MATCHED_FIELDS)
        }

    def finish(self) -> LoadCounts:
        """The statistics' and beneficiaries' summaries, the searched values and the data
        version, once."""
        if self.only_added:
            touched: set[str] = set()
            for fresh, projects in self.added_rows:
                add_search_values(self.connection, fresh)
                add_to_credit_summary(self.connection, fresh, projects)
                touched.update(fresh["beneficiary_key"].dropna().unique())
            if touched:
                rebuild_beneficiary_summary(self.connection, touched)
        else:
            refresh_search_values(self.connection)  # values only deleted rows held are gone
            rebuild_credit_summary(self.connection)
            rebuild_beneficiary_summary(self.connection)
        bump_data_version(self.connection)
        return self.counts


def _existing_of(connection: Connection, ids: list[str]) -> dict[str, tuple[int, dict]]:
    """These registry projects as stored: {project_id: (key, stored fields)}."""
    table = Project.__table__
    existing = {}
    for chunk in _chunks(ids, BATCH):
        found = connection.execute(
            select(table.c.id, *(table.c[name] for name in (c.PROJECT_ID, *FIELDS))).where(
                table.c.project_id.in_(chunk), table.c.registry != COMMUNITY
            )
        ).mappings()
        existing.update({row[c.PROJECT_ID]: (row["id"], dict(row)) for row in found})
    return existing


def _keys_of(connection: Connection, existing: dict, added: list[str]) -> dict[str, int]:
    """project_id -> key of the stored projects and of those just added."""
    table = Project.__table__
    keys = {pid: key for pid, (key, _) in existing.items()}
    for chunk in _chunks(added, BATCH):
        keys.update(
            connection.execute(
                select(table.c.project_id, table.c.id).where(table.c.project_id.in_(chunk))
            ).all()
        )
    return keys


SUMMARY_GROUPS = (c.REGISTRY, c.COUNTRY, c.SCOPE, c.YEAR, c.VINTAGE, c.KIND, "reason_category")


def add_to_credit_summary(
    connection: Connection, credits: pd.DataFrame, projects: pd.DataFrame
) -> None:
    """Add new credit rows to ``credit_summary`` (their projects' groups unchanged): the
    same totals a rebuild gives, without reading the million stored rows."""
    if credits.empty:
        return
    facets = projects.drop_duplicates(c.PROJECT_ID).set_index(c.PROJECT_ID)
    rows = credits.assign(
        **{
            name: credits[c.PROJECT_ID].map(facets[name])
            for name in (c.REGISTRY, c.COUNTRY, c.SCOPE)
        }
    )
    groups = (
        rows.assign(**{c.QUANTITY: rows[c.QUANTITY].astype("int64")})
        .groupby(list(SUMMARY_GROUPS), dropna=False)[c.QUANTITY]
        .agg(["sum", "count"])
        .reset_index()
    )
    summary = CreditSummary.__table__
    delta = Table(
        "credit_summary_delta",
        MetaData(),
        *(Column(column.name, column.type) for column in summary.c if column.name != "id"),
        prefixes=["TEMPORARY"],
    )
    delta.create(connection)
    try:
        connection.execute(
            delta.insert(),
            [
                {
                    **{
                        name: _plain_summary(value)
                        for name, value in zip(SUMMARY_GROUPS, key, strict=True)
                    },
                    "quantity": int(total),
                    "credit_rows": int(count),
                }
                for *key, total, count in groups.itertuples(index=False, name=None)
            ],
        )
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("ANALYZE credit_summary_delta")
        # NULL-safe equality as plain equality of stand-ins ('' and -1 are never stored), so
        # the database can hash-join instead of comparing every pair.
        same = [_group_key(summary.c[name]) == _group_key(delta.c[name]) for name in SUMMARY_GROUPS]
        with _hash_joins(connection):
            connection.execute(
                summary.update()
                .where(*same)
                .values(
                    quantity=summary.c.quantity + delta.c.quantity,
                    credit_rows=summary.c.credit_rows + delta.c.credit_rows,
                )
            )
            names = [*SUMMARY_GROUPS, "quantity", "credit_rows"]
            missing = select(*(delta.c[name] for name in names)).where(
                ~select(summary.c.id).where(*same).exists()
            )
            connection.execute(summary.insert().from_select(names, missing))
    finally:
        delta.drop(connection)


HASH_JOIN_SETTINGS = {"work_mem": "64MB", "enable_mergejoin": "off", "jit": "off"}


@contextmanager
def _hash_joins(connection: Connection):
    """PostgreSQL told to hash-join the summary's 100,000 groups with a few thousand: over
    seven keys it guesses one matching row and sorts both sides (in its 4 MB, on disk)
    for a merge join, 2 s of a delta instead of 0.2."""
    if connection.dialect.name != "postgresql":
        yield
        return
    for name, value in HASH_JOIN_SETTINGS.items():
        connection.exec_driver_sql(f"SET LOCAL {name} = '{value}'")
    try:
        yield
    finally:
        for name in HASH_JOIN_SETTINGS:
            connection.exec_driver_sql(f"RESET {name}")


def _group_key(column):
    stand_in = -1 if column.name in (c.YEAR, c.VINTAGE) else ""
    return func.coalesce(column, stand_in)


def _plain_summary(value):
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    return int(value) if isinstance(value, (int, np.integer, float)) else str(value)
