"""The diff of a sync: what changed between the stored catalogue and the new frames.

Pure steps first (dicts and frames in, change rows out), then ``record_changes``, the
one call the load makes inside its transaction: it sums the stored credits of the
projects whose credits changed, diffs, and inserts ``project_change`` rows.

Rules:
- a registry with no project in the stored catalogue is a first load: one ``first_load``
  summary row for it, never one ``added`` row per project; so is a source that no stored
  field came from (a registry adapter's first run): one summary, no per-field changes;
- credits are compared as totals per project, kind, vintage, beneficiary and source (summed
  in SQL for the stored rows): where a total grew, the growth is an event: issuance
  (vintage, quantity), retirement or cancellation (quantity, beneficiary);
- a project whose credit rows now come from another source (the merge takes a project's
  rows from one source as a set) records no credit events: the rows are the same credits
  told again, not new ones;
- totals that shrank (registry corrections) record nothing.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from app.etl import columns as c
from app.text_search import fold

ADDED = "added"
REMOVED = "removed"
STATUS_CHANGE = "status"
FIELD_CHANGE = "field"
LABEL_GAINED = "label_gained"
LABEL_LOST = "label_lost"
FIRST_LOAD = "first_load"
EVENT_KINDS = (c.ISSUANCE, c.RETIREMENT, c.CANCELLATION)

# Fields whose change a follower wants to hear of; totals are told by the credit events,
# and long or derived text (description, search text, provenance) would only be noise.
TRACKED_FIELDS = (
    c.NAME,
    c.COUNTRY,
    c.REGION,
    c.STATE,
    c.SCOPE,
    c.PROJECT_TYPE,
    c.CATEGORY,
    c.METHODOLOGY,
    c.DEVELOPER,
    c.LISTED_AT,
    c.IS_COMPLIANCE,
)
# What a credit event is summed over; new minus stored, where positive, is the event.
EVENT_KEY = (c.PROJECT_ID, c.KIND, c.VINTAGE, c.BENEFICIARY, c.SOURCE)
# Past this many projects with changed credits, the stored totals are summed in one pass.
WHOLE_TABLE_FROM = 2000
CHANGE_COLUMNS = (
    "project_id",
    "project_name",
    "registry",
    "country",
    "project_type",
    "kind",
    "field",
    "old_value",
    "new_value",
    "vintage",
    "quantity",
    "beneficiary",
    "beneficiary_key",
    "as_of",
)


def first_load_registries(old_rows: dict[str, dict], new_rows: dict[str, dict]) -> set[str]:
    """Registries the new catalogue has and the stored one has none of."""
    stored = {row[c.REGISTRY] for row in old_rows.values()}
    return {row[c.REGISTRY] for row in new_rows.values()} - stored


def _about(row: dict) -> dict:
    """The project's identity as a change row keeps it."""
    return {
        "project_id": row[c.PROJECT_ID],
        "project_name": row.get(c.NAME),
        "registry": row.get(c.REGISTRY),
        "country": row.get(c.COUNTRY),
        "project_type": row.get(c.PROJECT_TYPE),
    }


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _field_source(row: dict, field: str) -> str | None:
    provenance = row.get(c.PROVENANCE) or {}
    return provenance.get(field) or row.get(c.SOURCE)


def _sources(rows: dict[str, dict]) -> set[str]:
    return {source for row in rows.values() for source in (row.get(c.PROVENANCE) or {}).values()}


def first_load_sources(old_rows: dict[str, dict], new_rows: dict[str, dict]) -> set[str]:
    """Sources the new catalogue's fields come from that no stored field came from.

    Their first data rewrites fields of projects already known: that is a first load too,
    told in one summary, not in a change per field."""
    if not old_rows:
        return set()
    return _sources(new_rows) - _sources(old_rows)


def project_changes(
    old_rows: dict[str, dict],
    new_rows: dict[str, dict],
    as_of: dict[str, date],
    today: date,
) -> list[dict]:
    """Added, removed, status and field changes (project rows keyed by canonical id)."""
    first = first_load_registries(old_rows, new_rows)
    fresh = first_load_sources(old_rows, new_rows)
    changes = []
    for pid, row in new_rows.items():
        old = old_rows.get(pid)
        if old is None:
            if row[c.REGISTRY] not in first:
                changes.append(
                    {**_about(row), "kind": ADDED, "as_of": as_of.get(row[c.SOURCE], today)}
                )
            continue
        for name in (c.STATUS, *TRACKED_FIELDS):
            if old.get(name) == row.get(name) or _field_source(row, name) in fresh:
                continue
            changes.append(
                {
                    **_about(row),
                    "kind": STATUS_CHANGE if name == c.STATUS else FIELD_CHANGE,
                    "field": name,
                    "old_value": _text(old.get(name)),
                    "new_value": _text(row.get(name)),
                    "as_of": as_of.get(_field_source(row, name), today),
                }
            )
    for pid, old in old_rows.items():
        if pid not in new_rows:
            changes.append({**_about(old), "kind": REMOVED, "as_of": today})
    return changes


def first_load_summaries(
    old_rows: dict[str, dict], new_rows: dict[str, dict], today: date
) -> list[dict]:
    """One ``first_load`` row per registry loaded for the first time (how many projects came)
    and per source loaded for the first time (how many projects it supplies fields of)."""
    first = first_load_registries(old_rows, new_rows)
    counts = pd.Series([row[c.REGISTRY] for row in new_rows.values()], dtype=object)
    counts = counts[counts.isin(first)].value_counts()
    summaries = [
        {"registry": registry, "kind": FIRST_LOAD, "quantity": int(count), "as_of": today}
        for registry, count in sorted(counts.items())
    ]
    for source in sorted(first_load_sources(old_rows, new_rows)):
        supplied = sum(
            source in (row.get(c.PROVENANCE) or {}).values() for row in new_rows.values()
        )
        summaries.append(
            {
                "kind": FIRST_LOAD,
                "field": "source",
                "new_value": source,
                "quantity": supplied,
                "as_of": today,
            }
        )
    return summaries


def source_as_of(credits: pd.DataFrame) -> dict[str, date]:
    """Per credit source, the date its newest transaction reaches: how fresh it is."""
    if credits.empty:
        return {}
    dates = pd.to_datetime(credits[c.TRANSACTION_DATE], errors="coerce")
    newest = dates.groupby(credits[c.SOURCE]).max().dropna()
    return {source: stamp.date() for source, stamp in newest.items()}


def credit_totals(credits: pd.DataFrame) -> pd.DataFrame:
    """Event-kind credits summed per project, kind, vintage, beneficiary and source.

    Missing vintages are -1 and missing beneficiaries '', so stored and new totals join.
    Text keys are factorized once and grouped as integer codes: a million rows in a second."""
    events = credits[credits[c.KIND].isin(EVENT_KINDS)]
    texts = {
        name: pd.factorize(events[name].fillna("") if name == c.BENEFICIARY else events[name])
        for name in (c.PROJECT_ID, c.KIND, c.BENEFICIARY, c.SOURCE)
    }
    codes = pd.DataFrame({name: found[0] for name, found in texts.items()})
    codes[c.VINTAGE] = (
        pd.to_numeric(events[c.VINTAGE], errors="coerce").fillna(-1).astype("int64").to_numpy()
    )
    codes[c.QUANTITY] = (
        pd.to_numeric(events[c.QUANTITY], errors="coerce").fillna(0).astype("int64").to_numpy()
    )
    sums = codes.groupby(list(EVENT_KEY), sort=False, as_index=False)[c.QUANTITY].sum()
    for name, (_, values) in texts.items():
        sums[name] = np.asarray(values, dtype=object)[sums[name].to_numpy()]
    return sums[[*EVENT_KEY, c.QUANTITY]]


def _same_sources(old: pd.DataFrame, new: pd.DataFrame) -> pd.Index:
    """Projects of ``new`` whose credits come from the same sources as their stored ones."""
    codes, _ = pd.factorize(pd.concat([old[c.SOURCE], new[c.SOURCE]], ignore_index=True))
    bits = pd.Series(np.left_shift(1, codes.astype("int64")))

    def source_sets(totals: pd.DataFrame, flags: pd.Series) -> pd.Series:
        pairs = pd.DataFrame({"project": totals[c.PROJECT_ID].to_numpy(), "bit": flags})
        return pairs.drop_duplicates().groupby("project")["bit"].sum()

    before = source_sets(old, bits.iloc[: len(old)].reset_index(drop=True))
    after = source_sets(new, bits.iloc[len(old) :].reset_index(drop=True))
    return after.index[after.to_numpy() == before.reindex(after.index).to_numpy()]


def credit_events(
    old_totals: pd.DataFrame,
    new_totals: pd.DataFrame,
    projects: dict[str, dict],
    as_of: dict[str, date],
    today: date,
) -> list[dict]:
    """Issuance, retirement and cancellation events from ``credit_totals`` of the stored and
    the new credits: where a project's total per kind, vintage and beneficiary grew, the
    growth is the event (a beneficiary is keyed by its folded name)."""
    same = _same_sources(old_totals, new_totals)
    key = list(EVENT_KEY)
    joined = new_totals[new_totals[c.PROJECT_ID].isin(same)].merge(
        old_totals, on=key, how="left", suffixes=("", "_before")
    )
    growth = joined[c.QUANTITY] - joined[f"{c.QUANTITY}_before"].fillna(0).astype("int64")
    grown = joined.assign(growth=growth)[growth > 0]
    changes = []
    for pid, kind, vintage, beneficiary, source, quantity in grown[[*key, "growth"]].itertuples(
        index=False, name=None
    ):
        about = _about(projects[pid]) if pid in projects else {"project_id": pid}
        spend = kind != c.ISSUANCE
        changes.append(
            {
                **about,
                "kind": kind,
                "vintage": None if vintage < 0 else int(vintage),
                "quantity": int(quantity),
                "beneficiary": (beneficiary or None) if spend else None,
                "beneficiary_key": (fold(beneficiary) or None) if spend else None,
                "as_of": as_of.get(source, today),
            }
        )
    return changes


def label_changes(
    old: pd.DataFrame, new: pd.DataFrame, projects: dict[str, dict], today: date
) -> list[dict]:
    """Labels gained and lost, from frames of (project_id, label) pairs."""
    before = set(old[[c.PROJECT_ID, "label"]].itertuples(index=False, name=None))
    after = set(new[[c.PROJECT_ID, "label"]].itertuples(index=False, name=None))
    changes = []
    for kind, pairs in ((LABEL_GAINED, after - before), (LABEL_LOST, before - after)):
        for pid, label in sorted(pairs):
            if pid not in projects:
                continue
            value = {"old_value" if kind == LABEL_LOST else "new_value": label}
            changes.append(
                {**_about(projects[pid]), "kind": kind, "field": "label", **value, "as_of": today}
            )
    return changes


def diff_catalogue(
    old_rows: dict[str, dict],
    new_rows: dict[str, dict],
    old_totals: pd.DataFrame,
    new_credits: pd.DataFrame,
    today: date,
    labels: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> list[dict]:
    """Every change between two catalogues. ``old_totals`` are the stored credits'
    ``credit_totals`` and ``new_credits`` the new rows, both of only the projects whose credits
    changed; ``labels`` the (old, new) frames of (project_id, label) pairs when the load has
    them."""
    as_of = source_as_of(new_credits)
    changes = first_load_summaries(old_rows, new_rows, today)
    changes += project_changes(old_rows, new_rows, as_of, today)
    changes += credit_events(old_totals, credit_totals(new_credits), new_rows, as_of, today)
    if labels is not None:
        changes += label_changes(*labels, new_rows, today)
    return [{name: change.get(name) for name in CHANGE_COLUMNS} for change in changes]


# --- the load's one call --------------------------------------------------------------


def record_changes(
    connection: Connection,
    *,
    run_id: int | None,
    existing: dict[str, tuple[int, dict]],
    new_rows: dict[str, dict],
    changed_credits: set[str],
    credits: pd.DataFrame,
    today: date,
) -> int:
    """Diff the stored catalogue against the new frames; insert the change rows.

    Runs in the load's transaction, before the load writes. ``existing`` is the load's
    ``{project_id: (key, stored fields)}``; only ``changed_credits`` projects' credit rows
    are read and compared. Returns how many changes were recorded."""
    old_rows = {pid: {**stored, c.PROJECT_ID: pid} for pid, (_, stored) in existing.items()}
    keys = {existing[pid][0]: pid for pid in changed_credits}
    old_totals = _stored_totals(connection, keys)
    new_credits = credits[credits[c.PROJECT_ID].isin(changed_credits)]
    changes = diff_catalogue(old_rows, new_rows, old_totals, new_credits, today)
    _insert_changes(connection, [change | {"sync_run_id": run_id} for change in changes])
    return len(changes)


def _insert_changes(connection: Connection, rows: list[dict]) -> None:
    """Insert change rows in order (ids grow with it): COPY on PostgreSQL, many rows a
    statement elsewhere."""
    from app.models import ProjectChange

    if not rows:
        return
    if connection.dialect.name != "postgresql":
        for start in range(0, len(rows), 1000):
            connection.execute(ProjectChange.__table__.insert(), rows[start : start + 1000])
        return
    names = [*CHANGE_COLUMNS, "sync_run_id"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["\\N" if row[name] is None else row[name] for name in names])
    buffer.seek(0)
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.copy_expert(
            f"COPY project_change ({', '.join(names)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
            buffer,
        )
    finally:
        cursor.close()


def _chunks(items: list, size: int) -> list[list]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _stored_totals(connection: Connection, keys: dict[int, str]) -> pd.DataFrame:
    """``credit_totals`` of the stored credits of the projects ``keys`` names, summed in SQL."""
    from sqlalchemy import func

    from app.models import Credit

    table = Credit.__table__
    groups = (
        table.c.project_id,
        table.c.kind,
        func.coalesce(table.c.vintage, -1),
        func.coalesce(table.c.beneficiary, ""),
        table.c.source,
    )
    names = [*EVENT_KEY, c.QUANTITY]
    ids = list(keys)
    frames = [pd.DataFrame(columns=names)]
    if connection.dialect.name == "postgresql":
        # Room to hash the groups in memory rather than sort them on disk (this transaction).
        connection.exec_driver_sql("SET LOCAL work_mem = '64MB'")
    # Many projects: one statement (one pass over the table) beats thousands of index probes.
    chunks = [ids] if len(ids) > WHOLE_TABLE_FROM else _chunks(ids, 1000)
    for chunk in chunks:
        statement = select(*groups, func.sum(table.c.quantity)).where(
            table.c.kind.in_(EVENT_KINDS), table.c.project_id.in_(chunk)
        )
        rows = connection.execute(statement.group_by(*groups)).all()
        # Plain tuples: pandas probes each Row for namedtuple fields, 6x slower.
        frames.append(pd.DataFrame([tuple(row) for row in rows], columns=names))
    totals = pd.concat(frames, ignore_index=True)
    totals = totals[totals[c.PROJECT_ID].isin(keys)]
    return totals.assign(
        **{
            c.PROJECT_ID: totals[c.PROJECT_ID].map(keys).astype(object),
            c.VINTAGE: totals[c.VINTAGE].astype("int64"),
            c.QUANTITY: totals[c.QUANTITY].astype("int64"),
        }
    )
