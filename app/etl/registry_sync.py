"""The registries' part of a sync: refresh each registry's data, all or nothing per
registry, record its state, and lay every registry's last good data over the merge.

A registry whose export or fetch fails keeps its last good data set (the store) and
its ``source_state`` row says since when and why; the other registries go on. Runs
that name registries (``--registry verra,car``, a registry's own schedule, the admin
page's per-registry button) lay them over the stored OffsetsDB + VROD merge instead of
downloading those again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from flask import current_app
from sqlalchemy import func, select

from app.etl import columns as c
from app.etl.errors import SourceError
from app.etl.http import HttpSettings, RegistryClient, user_agent
from app.etl.labels import certification_labels, loadable_labels
from app.etl.load import ProjectsLoad
from app.etl.memory import release_free_memory
from app.etl.registries import ADAPTERS, Adapter, RegistryData, adapter_for
from app.etl.registries.base import FetchSettings
from app.etl.registries.overlay import apply_registries
from app.etl.registries.registry_labels import merged_labels, only_projects, stamped
from app.etl.registries.store import RegistryStore
from app.extensions import db
from app.models import COMMUNITY, Project, SourceState, SyncRun, utcnow

log = logging.getLogger(__name__)

# Seconds between two requests to each registry (REGISTRY_PACE_SECONDS overrides all):
# Verra answered 1 request/s; GreenTrace allows ~100 calls per 10 minutes.
PACE = {"verra": 1.0, "gold_standard": 1.0, "acr": 6.0, "car": 1.0, "art": 1.0}
# A daily delta asks again for the last days too: events are sometimes dated back.
DELTA_OVERLAP = timedelta(days=3)
# How a delta's events are told apart from the stored ones.
EVENT_KEY = [c.PROJECT_ID, c.KIND, c.SERIAL_RANGE, c.TRANSACTION_DATE, c.QUANTITY]


def parse_registry_names(value: str | None) -> list[str] | None:
    """'verra, CAR' -> ['verra', 'car']; None or 'all' -> None (every registry).
    An unknown name raises ValueError naming the known ones."""
    if value is None or value.strip().lower() in ("", "all"):
        return None
    try:
        return list(
            dict.fromkeys(adapter_for(name).key for name in value.split(",") if name.strip())
        )
    except KeyError as error:
        raise ValueError(error.args[0]) from error


def store() -> RegistryStore:
    return RegistryStore(Path(current_app.config["REGISTRY_DATA_DIR"]))


def registry_inputs(folder: Path) -> list[Path]:
    """Every CSV under the folder (registry exports may sit in sub-folders)."""
    return sorted(path for path in folder.rglob("*.csv") if path.is_file())


def has_registry_exports(folder: Path) -> bool:
    paths = registry_inputs(folder)
    return any(adapter.find_exports(paths) for adapter in ADAPTERS.values())


def fetch_disabled(adapter: Adapter) -> str | None:
    """Why this registry is not fetched, or None."""
    config = current_app.config
    if adapter.key == "gold_standard" and not config["GOLD_STANDARD_API"]:
        return (
            "Gold Standard's API is off (its terms allow downloads only through its own "
            "pages): drop its manual export into SYNC_SOURCE_DIR or upload it on /admin/sync"
        )
    if not config.get(adapter.url_setting):
        return f"{adapter.url_setting} is not set"
    return None


def http_settings(adapter: Adapter) -> HttpSettings:
    config = current_app.config
    pace = config["REGISTRY_PACE_SECONDS"]
    return HttpSettings(
        user_agent=user_agent(
            config["APP_VERSION"],
            config["REGISTRY_CONTACT_URL"],
            browser=adapter.key == "gold_standard",  # Cloudflare refuses other agents
        ),
        connect_timeout=config["REGISTRY_CONNECT_TIMEOUT_SECONDS"],
        read_timeout=config["REGISTRY_READ_TIMEOUT_SECONDS"],
        max_bytes=config["REGISTRY_MAX_BYTES"],
        attempts=config["REGISTRY_RETRIES"],
        backoff=config["REGISTRY_BACKOFF_SECONDS"],
        max_wait=config["REGISTRY_MAX_WAIT_SECONDS"],
        pace=PACE[adapter.key] if pace is None else pace,
    )


def _state(key: str) -> SourceState:
    state = db.session.scalar(select(SourceState).where(SourceState.source == key))
    if state is None:
        state = SourceState(source=key)
        db.session.add(state)
    return state


def _since(adapter: Adapter, reconcile: bool) -> str | None:
    """The date a daily delta starts from, when the endpoint allows one and we hold data."""
    if reconcile or not adapter.incremental:
        return None
    state = db.session.scalar(select(SourceState).where(SourceState.source == adapter.key))
    if state is None or state.last_success_at is None or not store().has(adapter.key):
        return None
    return (state.last_success_at - DELTA_OVERLAP).date().isoformat()


def _event_hashes(credits: pd.DataFrame) -> pd.Series:
    return pd.util.hash_pandas_object(credits[EVENT_KEY], index=False)


def _same_dates(stored: pd.DataFrame, delta: pd.DataFrame) -> pd.DataFrame:
    """The stored rows dated as some delta row is: only they can be an event the delta asks
    again (the date is part of the event), and a daily delta's few dates leave out nearly
    every kept row, which need not be hashed."""
    dates = stored[c.TRANSACTION_DATE]
    return stored[dates.isin(delta[c.TRANSACTION_DATE].unique())]


def _ids(values: pd.Series) -> set[str]:
    return set(pd.unique(values.dropna()))


def _with_delta_projects(stored: pd.DataFrame, delta: RegistryData) -> pd.DataFrame:
    projects = pd.concat([delta.projects, stored], ignore_index=True)
    return projects.drop_duplicates(c.PROJECT_ID, keep="first").reset_index(drop=True)


def fields_changed_by(stored_projects: pd.DataFrame, delta: RegistryData) -> set[str]:
    """The projects whose fields a delta changes."""
    return _changed_fields(stored_projects, _with_delta_projects(stored_projects, delta))


def merge_delta(
    stored: RegistryData, delta: RegistryData, fields_changed: set[str] | None = None
) -> RegistryData:
    """The stored data set with a delta's projects replacing theirs and its new events added
    (``appended``: those not stored already, as the delta's overlap asks again).

    ``stored.credits`` need only hold the rows of the delta's projects and of those whose
    fields it changes (``fields_changed``, computed here if not given): the result's
    credits are then those projects' rows (their whole set), not every one kept."""
    projects = _with_delta_projects(stored.projects, delta)
    if fields_changed is None:
        fields_changed = _changed_fields(stored.projects, projects)
    delta_ids = _ids(delta.credits[c.PROJECT_ID])
    # Only the stored rows of the delta's projects can be asked again.
    stored_rows = stored.credits[stored.credits[c.PROJECT_ID].isin(delta_ids)]
    hashes = _event_hashes(delta.credits)
    # Arrays, not a set: a set of 400k Python ints costs seconds to build and probe.
    stored_hashes = _event_hashes(_same_dates(stored_rows, delta.credits)).to_numpy()
    new = ~np.isin(hashes.to_numpy(), stored_hashes) & ~hashes.duplicated().to_numpy()
    appended = delta.credits[new].reset_index(drop=True)
    new_rows = _ids(appended[c.PROJECT_ID])
    changed = new_rows | fields_changed
    had_rows = _ids(stored_rows.loc[stored_rows[c.PROJECT_ID].isin(new_rows), c.PROJECT_ID])
    return RegistryData(
        projects=projects,
        credits=pd.concat([stored.credits, appended], ignore_index=True),
        counts={**stored.counts, **{f"delta_{k}": v for k, v in delta.counts.items()}},
        appended=appended,
        changed=changed,
        appendable=(changed - new_rows) | had_rows,
        labels=merged_labels(stored.labels, delta.labels),
    )


def _fetch(adapter: Adapter, raw_dir: Path, reconcile: bool) -> tuple[RegistryData, str]:
    config = current_app.config
    since = _since(adapter, reconcile)
    settings = FetchSettings(
        base_url=config[adapter.url_setting],
        since=since,
        extra={
            "config_url": config["VERRA_APP_CONFIG_URL"],
            "raw_dir": str(raw_dir / adapter.key),
        },
    )
    with RegistryClient(http_settings(adapter)) as client:
        data = adapter.fetch(client, settings)
    if since is None:
        return data, "fetched whole"
    return with_kept(adapter.key, data), f"fetched the events since {since}"


def with_kept(key: str, delta: RegistryData) -> RegistryData:
    """A daily delta merged with the kept data set, of which only the credit rows of the
    projects the delta touches are read, and of them only what tells an event again and
    makes the totals (their other fields are never written again: the load only adds the
    delta's new rows to those projects)."""
    kept = store()
    fields_changed = fields_changed_by(kept.load_projects(key), delta)
    scope = _ids(delta.credits[c.PROJECT_ID]) | fields_changed
    stored, _ = kept.load(key, credit_columns=[*EVENT_KEY, c.VINTAGE], ids=scope)
    return merge_delta(stored, delta, fields_changed)


def _check(adapter: Adapter, data: RegistryData) -> None:
    if data.projects.empty:
        raise SourceError(f"{adapter.label}: no projects at all in what the registry gave")


def _keep(key: str, data: RegistryData, now) -> int:
    """Keep a registry's new data set (a delta: only what it added); its credit rows in all."""
    if data.appended is None:
        store().save(key, data, now)
        return len(data.credits)
    # The kept labels whole, the delta's (fresher) first: labels are few, so kept as one file.
    labels = merged_labels(store().load_labels(key), data.labels)
    return store().append(key, data.projects, data.appended, data.counts, now, labels=labels)


def refresh_registry(adapter: Adapter, folder: Path | None, raw_dir: Path, run, reconcile: bool):
    """Refresh one registry; its outcome for the report. Never raises for a bad source."""
    outcome = {"label": adapter.label}
    paths = registry_inputs(folder) if folder is not None else []
    if folder is not None and not adapter.find_exports(paths):
        return {
            **outcome,
            "status": "kept",
            "message": f"no {adapter.label} export in {folder}",
        }, None
    disabled = fetch_disabled(adapter) if folder is None else None
    if disabled:
        return {**outcome, "status": "kept", "message": disabled}, None
    state = _state(adapter.key)
    now = utcnow()
    state.last_attempt_at = now
    state.last_run_id = run.id
    try:
        if folder is not None:
            data, how = adapter.read_exports(paths), f"read the export files in {folder}"
        else:
            data, how = _fetch(adapter, raw_dir, reconcile)
        _check(adapter, data)
        data.labels = stamped(data.labels, adapter.key, now.date())
        credit_rows = _keep(adapter.key, data, now)
    except SourceError as error:
        state.last_error = str(error)
        db.session.commit()
        log.warning("registry %s failed, last good data kept: %s", adapter.key, error)
        return {**outcome, "status": "failed", "message": str(error)}, None
    state.as_of = now
    state.last_success_at = now
    state.last_error = None
    state.counts = {
        "projects": len(data.projects),
        "credit_rows": credit_rows,
        "registry_totals": data.counts,
    }
    state.cursor = {"since": now.date().isoformat()}
    db.session.commit()
    return {**outcome, "status": "fresh", "message": how, **state.counts}, data


def refresh_registries(
    run: SyncRun, folder: Path | None, raw_dir: Path, keys: list[str] | None
) -> tuple[dict, dict[str, RegistryData]]:
    """Refresh the named registries (all when None): each one's outcome, and the data
    sets of those refreshed."""
    outcomes, fresh = {}, {}
    for key in keys or list(ADAPTERS):
        outcomes[key], data = refresh_registry(
            ADAPTERS[key], folder, raw_dir, run, bool(run.reconcile)
        )
        if data is not None:
            fresh[key] = data
    return outcomes, fresh


def stored_datasets() -> dict[str, RegistryData]:
    datasets = {}
    for key in ADAPTERS:
        loaded = store().load(key)
        if loaded is not None:
            datasets[key] = loaded[0]
    return datasets


def lay_over(
    projects: pd.DataFrame,
    credits: pd.DataFrame,
    report: dict,
    run: SyncRun,
    folder: Path | None,
    raw_dir: Path,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """After a full merge: keep the merge for later registry-only runs, refresh every
    registry, lay each one's last good data over the merge, and report; the projects,
    credits and labels to load."""
    store().save_catalogue(projects, credits, utcnow())
    outcomes, _ = refresh_registries(run, folder, raw_dir, parse_registry_names(run.registries))
    return _apply(projects, credits, report, outcomes)


def catalogue_labels(merged: pd.DataFrame, datasets: dict[str, RegistryData]) -> pd.DataFrame:
    """The label rows to load: VROD's certifications in the merge (before any registry was
    laid over it) and each registry's own label columns, each row naming its source."""
    return loadable_labels(
        certification_labels(merged, as_of=utcnow().date()),
        *(data.labels for data in datasets.values()),
    )


def _apply(projects, credits, report, outcomes):
    """The merge with every registry's last good data laid over: projects, credits and the
    labels to load."""
    datasets = stored_datasets()
    labels = catalogue_labels(projects, datasets)
    projects, credits, summary = apply_registries(projects, credits, datasets)
    _report(report, summary, outcomes)
    if datasets:
        report["projects_by_source"] = {
            **report.get("projects_by_source", {}),
            c.REGISTRY_SOURCE: int((projects[c.SOURCE] == c.REGISTRY_SOURCE).sum()),
        }
        report["credit_rows_by_source"] = {
            **report.get("credit_rows_by_source", {}),
            c.REGISTRY_SOURCE: int((credits[c.SOURCE] == c.REGISTRY_SOURCE).sum()),
        }
    return projects, credits, labels


def _report(report: dict, summary: dict, outcomes: dict) -> None:
    report["registries"] = {**summary, "outcomes": outcomes}
    failed = [o for o in outcomes.values() if o["status"] == "failed"]
    report.setdefault("warnings", []).extend(
        f"{o['label']} not refreshed, its last good data kept: {o['message']}" for o in failed
    )


def registry_only(run: SyncRun, folder: Path | None) -> bool:
    """Whether this run refreshes registries only (over the stored merge): it names
    registries, or its folder holds registry exports and no OffsetsDB/VROD file."""
    if run.registries:
        return True
    if folder is None or not folder.is_dir():
        return False
    from app.etl import offsetsdb, vrod

    exports = {
        path for a in ADAPTERS.values() for path in a.find_exports(registry_inputs(folder)).values()
    }
    offsets = offsetsdb.find_inputs(folder)
    base = [offsets] if isinstance(offsets, Path) else list(offsets or [])
    base.append(vrod.find_input(folder))
    # A registry's own projects.csv is not OffsetsDB's, nor its CSV VROD's, whatever its name.
    return bool(exports) and all(path is None or path in exports for path in base)


def stored_catalogue(
    ids: set[str] | None = None, credit_ids: set[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The last OffsetsDB + VROD merge (only these projects of it, and the credit rows of
    ``credit_ids`` among them, if given); empty on a catalogue that has none yet. A loaded
    catalogue without a stored merge is refused: overlaying an empty one would drop it."""
    stored = store().load_catalogue(ids, credit_ids)
    if stored is not None:
        return stored
    loaded = db.session.scalar(
        select(func.count())
        .select_from(Project)
        .where(Project.registry != COMMUNITY, Project.source != c.REGISTRY_SOURCE)
    )
    if loaded:
        raise SourceError(
            "no stored OffsetsDB + VROD merge to lay the registries over: "
            "run a full sync (without --registry) once first"
        )
    from app.etl.merge import empty_credits, empty_projects

    projects = empty_projects().assign(
        **{
            c.SOURCE: pd.Series(dtype=object),
            c.PROVENANCE: pd.Series(dtype=object),
            c.SEARCH_TEXT: pd.Series(dtype=object),
        }
    )
    return projects.reindex(columns=list(c.PROJECT_COLUMNS)), empty_credits()


def registry_report(run: SyncRun) -> dict:
    """The report a registry-only run starts from: the last full run's, so the Data page
    keeps its tables."""
    last = db.session.scalar(
        select(SyncRun)
        .where(SyncRun.status == "succeeded", SyncRun.registries.is_(None), SyncRun.id != run.id)
        .order_by(SyncRun.id.desc())
        .limit(1)
    )
    report = dict(last.report or {}) if last is not None else {}
    report["warnings"] = []
    return report


def changed_projects(before: RegistryData | None, after: RegistryData) -> set[str]:
    """The projects whose registry fields or credit rows differ between two data sets."""
    from app.etl.load import credit_prints

    ids_after = _ids(after.projects[c.PROJECT_ID]) | _ids(after.credits[c.PROJECT_ID])
    if before is None:
        return ids_after
    ids_before = _ids(before.projects[c.PROJECT_ID]) | _ids(before.credits[c.PROJECT_ID])
    old, new = credit_prints(before.credits), credit_prints(after.credits)
    changed = {pid for pid in old.keys() | new.keys() if old.get(pid) != new.get(pid)}
    return changed | (ids_before ^ ids_after) | _changed_fields(before.projects, after.projects)


def _changed_fields(before: pd.DataFrame, after: pd.DataFrame) -> set[str]:
    def digests(frame: pd.DataFrame) -> pd.Series:
        frame = frame.drop_duplicates(c.PROJECT_ID).set_index(c.PROJECT_ID)
        columns = sorted(frame.columns)
        return pd.util.hash_pandas_object(frame[columns].astype("string"), index=False)

    old, new = digests(before), digests(after)
    joined = pd.concat([old.rename("old"), new.rename("new")], axis=1)
    return set(joined.index[joined["old"] != joined["new"]])


def _only(data: RegistryData, ids: set[str]) -> RegistryData:
    return RegistryData(
        projects=data.projects[data.projects[c.PROJECT_ID].isin(ids)],
        credits=data.credits[data.credits[c.PROJECT_ID].isin(ids)],
        counts=data.counts,
        labels=only_projects(data.labels, ids),
    )


def _last_load_succeeded(key: str) -> bool:
    """Whether the database holds this registry's kept data: the last run that refreshed
    it finished (a run whose load failed leaves newer kept data than the database's)."""
    state = db.session.scalar(select(SourceState).where(SourceState.source == key))
    if state is None or state.last_run_id is None:
        return False
    run = db.session.get(SyncRun, state.last_run_id)
    return run is not None and run.status == "succeeded"


def _before(key: str, delta: bool) -> RegistryData | None:
    """The kept data set before this run, to compare with; a delta tells its own changes."""
    loaded = None if delta else store().load(key)
    return loaded[0] if loaded is not None else None


def touched_projects(before: RegistryData | None, after: RegistryData, in_database: bool):
    """(projects to rebuild, those of them whose stored credit rows stay and get only the
    delta's new rows added)."""
    if not in_database:  # the kept data is newer than the database's: rebuild them all
        return changed_projects(None, after), set()
    if after.changed is not None:
        return after.changed, after.appendable or set()
    return changed_projects(before, after), set()


@dataclass
class RegistryChange:
    """What one registry's refresh changed: the projects to rebuild, those of them whose
    stored credit rows stay and only get the delta's new rows, and the data set itself when
    it is a delta's few projects (a whole data set is read back from the store when loaded,
    so that only one registry's rows are ever in memory)."""

    key: str
    touched: set[str]
    append_to: set[str]
    data: RegistryData | None = None


def registry_change(
    key: str, data: RegistryData, before: RegistryData | None, in_database: bool
) -> RegistryChange:
    if data.appended is not None and not in_database:
        # A delta over data the database never got: rebuild from the whole kept set.
        data = store().load(key)[0]
    touched, append_to = touched_projects(before, data, in_database)
    return RegistryChange(key, touched, append_to, data if data.appended is not None else None)


def rebuilt_projects(
    change: RegistryChange,
) -> tuple[pd.DataFrame, pd.DataFrame, dict, pd.DataFrame]:
    """The projects one registry changed, rebuilt from the stored merge with the registry's
    data laid over (registries never share a project): what the load writes, a summary, and
    those projects' labels."""
    data = change.data
    if data is None:
        data = store().load(change.key, ids=change.touched)[0]
    registry = _only(data, change.touched)
    # A project with registry rows takes them as a set: its merged rows are not read.
    merged_rows_kept = change.touched - _ids(registry.credits[c.PROJECT_ID])
    projects, credits = stored_catalogue(change.touched, merged_rows_kept)
    labels = catalogue_labels(projects, {change.key: registry})
    projects, credits, summary = apply_registries(projects, credits, {change.key: registry})
    if change.append_to:
        appended = data.appended
        credits = pd.concat(
            [
                credits[~credits[c.PROJECT_ID].isin(change.append_to)],
                appended[appended[c.PROJECT_ID].isin(change.append_to)],
            ],
            ignore_index=True,
        )
    return projects, credits, summary, labels


def load_changes(connection, changes: list[RegistryChange], report: dict, run_id: int):
    """Load what the registries changed, one registry at a time, in the caller's
    transaction; complete the report's registries part. Returns (LoadCounts, projects,
    credit rows)."""
    load = ProjectsLoad(connection, run_id)
    summary: dict = {}
    orphans = projects_changed = credit_rows = 0
    for change in changes:
        if not change.touched:
            continue
        release_free_memory()  # the last registry's working sets, before this one's
        projects, credits, piece, labels = rebuilt_projects(change)
        load.add(projects, credits, frozenset(change.append_to), labels)
        orphans += piece.pop("orphan_credit_rows", 0)
        summary.update(piece)
        projects_changed += len(projects)
        credit_rows += len(credits)
        del projects, credits
    counts = load.finish()
    report["registries"] = {
        **summary,
        "orphan_credit_rows": orphans,
        **report["registries"],
        "projects_changed": projects_changed,
        "projects_appended_to": sum(len(change.append_to) for change in changes),
    }
    return counts, projects_changed, credit_rows


def registry_catalogue(run: SyncRun, folder: Path | None, raw_dir: Path):
    """A registry-only run: refresh its registries one at a time (each kept on disk and let
    go before the next), and say what changed; returns the report and how to load it
    (``load_changes``: the changed projects rebuilt from the stored merge, a registry at a
    time)."""
    keys = parse_registry_names(run.registries) or list(ADAPTERS)
    stored_catalogue(set())  # refuse early when there is no merge to lay them over
    in_database = {key: _last_load_succeeded(key) for key in keys}
    outcomes, changes = {}, []
    for key in keys:
        delta = folder is None and _since(ADAPTERS[key], bool(run.reconcile)) is not None
        before = _before(key, delta)
        outcomes[key], data = refresh_registry(
            ADAPTERS[key], folder, raw_dir, run, bool(run.reconcile)
        )
        if data is not None:
            changes.append(registry_change(key, data, before, in_database[key]))
        del before, data
        release_free_memory()
    if all(o["status"] == "failed" for o in outcomes.values()):
        raise SourceError(
            "every registry of this run failed, nothing changed: "
            + "; ".join(f"{o['label']}: {o['message']}" for o in outcomes.values())
        )
    report = registry_report(run)
    _report(report, {}, outcomes)
    return report, partial(load_changes, changes=changes, report=report)
