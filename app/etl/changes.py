"""The diff of a sync: what changed between the stored catalogue and the new frames.

Pure steps first (dicts and frames in, change rows out), then ``record_changes``, the
one call the load makes inside its transaction: it reads the old credit rows of the
projects whose credits changed, diffs, and inserts ``project_change`` rows.

Rules:
- a registry with no project in the stored catalogue is a first load: one ``first_load``
  summary row for it, never one ``added`` row per project; so is a source that no stored
  field came from (a registry adapter's first run): one summary, no per-field changes;
- credits are compared as multisets of rows; a row that is new (or more often there)
  is an event: issuance (vintage, quantity), retirement or cancellation (quantity,
  beneficiary), summed per project, kind, vintage and beneficiary;
- a project whose credit rows now come from another source (the merge takes a project's
  rows from one source as a set) records no credit events: the rows are the same credits
  told again, not new ones;
- rows that disappeared (registry corrections) record nothing.
"""

from __future__ import annotations

from datetime import date

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
# What identifies a credit row when two syncs' rows are compared.
ROW_KEY = (
    c.PROJECT_ID,
    c.KIND,
    c.VINTAGE,
    c.TRANSACTION_DATE,
    c.YEAR,
    c.QUANTITY,
    c.BENEFICIARY,
    c.REASON,
    c.ACCOUNT,
)
BENEFICIARY_KEY = "beneficiary_key"
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


def _comparable(credits: pd.DataFrame) -> pd.DataFrame:
    """The rows' key columns as text, so stored rows and new frames compare alike."""
    numbers = {
        name: pd.to_numeric(credits[name], errors="coerce").astype("Int64").astype("string")
        for name in (c.VINTAGE, c.YEAR, c.QUANTITY)
    }
    dates = pd.to_datetime(credits[c.TRANSACTION_DATE], errors="coerce").dt.strftime("%Y-%m-%d")
    texts = {
        name: credits[name].astype("string")
        for name in (c.PROJECT_ID, c.KIND, c.BENEFICIARY, c.REASON, c.ACCOUNT, c.SOURCE)
    }
    return pd.DataFrame({**texts, **numbers, c.TRANSACTION_DATE: dates.astype("string")}).fillna("")


def _same_sources(old: pd.DataFrame, new: pd.DataFrame) -> pd.Series:
    """Per project of ``new``: whether its rows come from the sources its stored rows came from."""
    old_sources = old.groupby(c.PROJECT_ID)[c.SOURCE].agg(frozenset)
    new_sources = new.groupby(c.PROJECT_ID)[c.SOURCE].agg(frozenset)
    before = old_sources.reindex(new_sources.index)
    return pd.Series(
        [b is not None and b == a for b, a in zip(before, new_sources, strict=True)],
        index=new_sources.index,
        dtype=bool,
    )


def new_credit_rows(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``new`` beyond those of ``old`` (as multisets), of the event kinds.

    Both frames have the credit columns, ``project_id`` holding the canonical id. The
    result has the key columns as text and ``times``: how many more copies there are.
    """
    old_rows, new_rows = _comparable(old), _comparable(new)
    new_rows = new_rows[new_rows[c.KIND].isin(EVENT_KINDS)]
    kept = _same_sources(old_rows, new_rows)
    new_rows = new_rows[new_rows[c.PROJECT_ID].map(kept).fillna(False).astype(bool)]
    if new_rows.empty:
        return new_rows.assign(times=pd.Series(dtype="int64"))
    key = list(ROW_KEY)
    counted_new = new_rows.groupby(key).size().rename("new")
    counted_old = old_rows.groupby(key).size().rename("old")
    both = pd.concat([counted_new, counted_old], axis=1, join="outer").fillna(0)
    both = both[both["new"] > both["old"]]
    times = (both["new"] - both["old"]).astype("int64").rename("times")
    return times.reset_index()


def credit_events(
    old: pd.DataFrame,
    new: pd.DataFrame,
    projects: dict[str, dict],
    as_of: dict[str, date],
    today: date,
) -> list[dict]:
    """Issuance, retirement and cancellation events: new rows summed per project, kind,
    vintage and beneficiary (keyed by its folded name)."""
    rows = new_credit_rows(old, new)
    if rows.empty:
        return []
    sources = new.assign(**{c.PROJECT_ID: new[c.PROJECT_ID].astype("string")})
    source_of = sources.groupby(c.PROJECT_ID)[c.SOURCE].first()
    quantities = pd.to_numeric(rows[c.QUANTITY]) * rows["times"]
    events = (
        rows.assign(quantity_total=quantities)
        .groupby([c.PROJECT_ID, c.KIND, c.VINTAGE, c.BENEFICIARY], dropna=False)["quantity_total"]
        .sum()
        .reset_index()
    )
    changes = []
    for pid, kind, vintage, beneficiary, quantity in events.itertuples(index=False, name=None):
        about = _about(projects[pid]) if pid in projects else {"project_id": pid}
        changes.append(
            {
                **about,
                "kind": kind,
                "vintage": int(vintage) if vintage else None,
                "quantity": int(quantity),
                "beneficiary": (beneficiary or None) if kind != c.ISSUANCE else None,
                "beneficiary_key": (fold(beneficiary) or None) if kind != c.ISSUANCE else None,
                "as_of": as_of.get(source_of.get(pid), today),
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
    """Every change between two catalogues; credit frames hold only the projects to compare,
    ``labels`` the (old, new) frames of (project_id, label) pairs when the load has them."""
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
    from app.models import ProjectChange

    old_rows = {pid: {**stored, c.PROJECT_ID: pid} for pid, (_, stored) in existing.items()}
    keys = {existing[pid][0]: pid for pid in changed_credits}
    old_credits = _stored_credits(connection, keys)
    new_credits = credits[credits[c.PROJECT_ID].isin(changed_credits)]
    changes = diff_catalogue(old_rows, new_rows, old_credits, new_credits, today)
    if changes:
        rows = [change | {"sync_run_id": run_id} for change in changes]
        for start in range(0, len(rows), 1000):
            connection.execute(ProjectChange.__table__.insert(), rows[start : start + 1000])
    return len(changes)


def _stored_credits(connection: Connection, keys: dict[int, str]) -> pd.DataFrame:
    """The stored credit rows of the projects ``keys`` names, keyed by canonical id."""
    from app.models import Credit

    table = Credit.__table__
    names = list(c.CREDIT_COLUMNS)
    frames = []
    ids = list(keys)
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        rows = connection.execute(
            select(*(table.c[name] for name in names)).where(table.c.project_id.in_(chunk))
        ).all()
        frames.append(pd.DataFrame(rows, columns=names, dtype=object))
    if not frames:
        return pd.DataFrame(columns=names, dtype=object)
    stored = pd.concat(frames, ignore_index=True)
    return stored.assign(**{c.PROJECT_ID: stored[c.PROJECT_ID].map(keys)})
