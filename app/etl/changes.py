"""The diff of a sync: what changed between the stored catalogue and the new frames.

Pure steps first (dicts and frames in, change rows out), then ``record_changes``, the
one call the load makes inside its transaction: it reads the stored credit rows of the
projects whose credits changed, diffs, and inserts ``project_change`` rows.

Rules:
- a registry with no project in the stored catalogue is a first load: one ``first_load``
  summary row for it, never one ``added`` row per project; so is a source that no stored
  field came from (a registry adapter's first run): one summary, no per-field changes;
- credits are compared as totals per project, kind, vintage, beneficiary and source (the
  stored and the new rows summed together, the stored ones negated): where a total grew, the
  growth is an event: issuance
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
import pyarrow as pa
from sqlalchemy import Connection, func, select

from app.etl import columns as c
from app.etl.copy_out import copied_out
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
# The stored rows as ``_stored_credits`` reads them: the event key and the quantity.
STORED_TYPES = {
    c.PROJECT_ID: pa.int64(),
    c.KIND: pa.string(),
    c.VINTAGE: pa.int64(),
    c.BENEFICIARY: pa.string(),
    c.SOURCE: pa.string(),
    c.QUANTITY: pa.int64(),
}
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
    # Each distinct date parsed once.
    days, stamps = pd.factorize(credits[c.TRANSACTION_DATE])
    parsed = pd.to_datetime(pd.Series(stamps, dtype=object), errors="coerce").array
    dates = pd.Series(parsed.take(days, allow_fill=True))
    newest = dates.groupby(credits[c.SOURCE].to_numpy()).max().dropna()
    return {source: stamp.date() for source, stamp in newest.items()}


def _events(credits: pd.DataFrame) -> dict[str, pd.Series]:
    """The event-kind rows' key columns and quantities: missing vintages -1, missing
    beneficiaries '', quantities whole numbers."""
    chosen = credits[c.KIND].isin(EVENT_KINDS)
    rows = slice(None) if chosen.all() else chosen  # every row an event: nothing copied
    events = {name: credits[name][rows] for name in (*EVENT_KEY, c.QUANTITY)}
    whole = {
        name: pd.to_numeric(events[name], errors="coerce").fillna(missing).astype("int64")
        for name, missing in ((c.VINTAGE, -1), (c.QUANTITY, 0))
    }
    return events | whole | {c.BENEFICIARY: events[c.BENEFICIARY].fillna("")}


def _shared_codes(new: pd.Series, old: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Two columns' values as integer codes of one numbering, and the values coded: each side
    is hashed alone, then only their distinct values matched up."""
    new_codes, new_values = pd.factorize(new, use_na_sentinel=False)
    old_codes, old_values = pd.factorize(old, use_na_sentinel=False)
    distinct = np.concatenate(
        [np.asarray(new_values, dtype=object), np.asarray(old_values, dtype=object)]
    )
    joined, values = pd.factorize(distinct, use_na_sentinel=False)
    return (
        joined[: len(new_values)][new_codes],
        joined[len(new_values) :][old_codes],
        np.asarray(values, dtype=object),
    )


def _group_ids(columns: list[tuple[np.ndarray, np.ndarray, int]]) -> np.ndarray:
    """One number per row of the new rows then the old, the same for rows equal in every
    column, numbered in the order the rows first tell each combination. ``columns`` are
    each column's (new codes, old codes, how many values)."""
    sides = [np.zeros(len(codes), dtype="int64") for codes in columns[0][:2]]
    room = 1
    for *codes, count in columns:
        width = max(count, 1)
        if room * width > 2**62:  # the combinations so far numbered afresh: the key fits
            ids = pd.factorize(np.concatenate(sides))[0]
            sides, room = [ids[: len(sides[0])], ids[len(sides[0]) :]], int(ids.max()) + 1
        sides = [side * width + side_codes for side, side_codes in zip(sides, codes, strict=True)]
        room *= width
    return pd.factorize(np.concatenate(sides))[0]


def _same_sources(projects: tuple, sources: tuple, count: int) -> np.ndarray:
    """Per project code: its new credits come from the sources its old ones came from (and
    it had old ones). ``projects`` and ``sources`` are the (new, old) rows' codes."""
    width = max(int(sources[0].max(initial=0)), int(sources[1].max(initial=0))) + 1
    new_pairs = np.unique(projects[0].astype("int64") * width + sources[0])
    old_pairs = np.unique(projects[1].astype("int64") * width + sources[1])
    same = np.zeros(count, dtype=bool)
    same[projects[1]] = True
    same[np.setxor1d(new_pairs, old_pairs, assume_unique=True) // width] = False
    return same


def credit_growth(old_credits: pd.DataFrame, new_credits: pd.DataFrame) -> pd.DataFrame:
    """Where event-kind credits summed per project, kind, vintage, beneficiary and source grew
    from the old rows to the new: the key and the growth (new total minus old), in the order
    the new rows first tell each key. Projects whose credits now come from other sources, or
    that had none, have none. Missing vintages are -1, missing beneficiaries ''.

    Both sides' keys are coded in one numbering and summed in one pass over integers, the new
    rows first: the keys the new rows tell are numbered 0, 1, ... before any other."""
    old, new = _events(old_credits), _events(new_credits)
    keys = {name: _shared_codes(new[name], old[name]) for name in EVENT_KEY}
    group = _group_ids([(told, kept, len(values)) for told, kept, values in keys.values()])
    totals = np.zeros(int(group.max(initial=-1)) + 1, dtype="int64")
    signed = np.concatenate([new[c.QUANTITY].to_numpy(), -old[c.QUANTITY].to_numpy()])
    np.add.at(totals, group, signed)
    # The first new row of each key the new rows tell: keys 0, 1, ... in order.
    first = pd.Series(group[: len(new[c.QUANTITY])]).drop_duplicates().index.to_numpy()
    growth = totals[: len(first)]
    projects, sources = keys[c.PROJECT_ID], keys[c.SOURCE]
    same = _same_sources(projects[:2], sources[:2], len(projects[2]))
    kept = (growth > 0) & same[projects[0][first]]
    rows = first[kept]
    return pd.DataFrame(
        {name: values[codes[rows]] for name, (codes, _, values) in keys.items()}
        | {"growth": growth[kept]}
    )


def credit_events(
    old_credits: pd.DataFrame,
    new_credits: pd.DataFrame,
    projects: dict[str, dict],
    as_of: dict[str, date],
    today: date,
) -> list[dict]:
    """Issuance, retirement and cancellation events from the stored and the new credit rows:
    where a project's total per kind, vintage and beneficiary grew (``credit_growth``), the
    growth is the event (a beneficiary is keyed by its folded name)."""
    grown = credit_growth(old_credits, new_credits)
    folded = {name: fold(name) or None for name in grown[c.BENEFICIARY].unique()}
    changes = []
    for pid, kind, vintage, beneficiary, source, quantity in grown.itertuples(
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
                "beneficiary_key": folded[beneficiary] if spend else None,
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
    old_credits: pd.DataFrame,
    new_credits: pd.DataFrame,
    today: date,
    labels: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> list[dict]:
    """Every change between two catalogues. ``old_credits`` are the stored credit rows and
    ``new_credits`` the new ones, both of only the projects whose credits changed; ``labels``
    the (old, new) frames of (project_id, label) pairs when the load has them."""
    as_of = source_as_of(new_credits)
    changes = first_load_summaries(old_rows, new_rows, today)
    changes += project_changes(old_rows, new_rows, as_of, today)
    changes += credit_events(old_credits, new_credits, new_rows, as_of, today)
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
    old_credits = _stored_credits(connection, keys)
    needed = [*EVENT_KEY, c.QUANTITY, c.TRANSACTION_DATE]
    new_credits = credits.loc[credits[c.PROJECT_ID].isin(changed_credits), needed]
    changes = diff_catalogue(old_rows, new_rows, old_credits, new_credits, today)
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


def _stored_credits(connection: Connection, keys: dict[int, str]) -> pd.DataFrame:
    """The stored event-kind credit rows of the projects ``keys`` names (by their canonical
    ids), missing vintages -1 and beneficiaries '': what ``credit_growth`` compares."""
    from app.models import Credit

    table = Credit.__table__
    columns = (
        table.c.project_id,
        table.c.kind,
        func.coalesce(table.c.vintage, -1),
        func.coalesce(table.c.beneficiary, ""),
        table.c.source,
        table.c.quantity,
    )

    def rows_of(ids: list[int]):
        return select(*columns).where(table.c.kind.in_(EVENT_KINDS), table.c.project_id.in_(ids))

    ids = list(keys)
    if not ids:
        frame = pd.DataFrame(columns=list(STORED_TYPES))
    elif connection.dialect.name == "postgresql":
        frame = copied_out(connection, rows_of(ids), STORED_TYPES)
    else:
        found = [
            tuple(row) for chunk in _chunks(ids, 1000) for row in connection.execute(rows_of(chunk))
        ]
        frame = pd.DataFrame(found, columns=list(STORED_TYPES))
    codes, stored = pd.factorize(frame[c.PROJECT_ID])
    canonical = pd.Categorical.from_codes(codes, [keys[int(key)] for key in stored])
    return frame.assign(**{c.PROJECT_ID: canonical})
