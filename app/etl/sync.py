"""One sync run: get the inputs, parse, merge, load all or nothing, record the run.

This is the glue between the pure pipeline (offsetsdb, vrod, merge) and the
database (load); the CLI, the worker and the admin page all go through it.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path

from flask import current_app
from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from app.archive_limits import UnpackLimits, unpack_problem
from app.etl import merge, offsetsdb, registry_sync, sources, vrod
from app.etl.columns import REGISTRY_SOURCE
from app.etl.errors import SourceError
from app.etl.load import load_catalogue
from app.extensions import db
from app.links.store import refresh_after_sync
from app.models import SyncRun, utcnow

log = logging.getLogger(__name__)


class _Run:
    """The run being executed: its step bookkeeping, committed on its own."""

    def __init__(self, run: SyncRun, on_step: Callable[[SyncRun], None] | None):
        self.row = run
        self.on_step = on_step
        self.timings: dict[str, float] = {}
        self.warnings: list[str] = []

    def step(self, name: str, **progress) -> None:
        self.row.step = name
        self.row.progress = {"step": name, "rows": 0, **progress}
        self.row.heartbeat_at = utcnow()
        db.session.commit()
        if self.on_step:
            self.on_step(self.row)

    def timed(self, name: str, work: Callable, **progress):
        self.step(name, **progress)
        started = time.perf_counter()
        result = work()
        self.timings[name] = round(time.perf_counter() - started, 3)
        return result


def execute_sync(
    run_id: int,
    *,
    source_dir: Path | None = None,
    on_step: Callable[[SyncRun], None] | None = None,
    archive: Callable[[int, list[Path]], dict | None] | None = None,
) -> SyncRun:
    """Run a queued (or just claimed) sync to its end; return the recorded run.

    Queue runs with app.sync_queue.request_sync, or take one with exclusive_run.

    Never raises for a bad or missing source; an unexpected error is re-raised after
    the run is recorded as failed.
    """
    row = db.session.get(SyncRun, run_id)
    row.status = "running"
    row.started_at = utcnow()
    row.worker = f"{socket.gethostname()}:{os.getpid()}"
    row.message = None
    db.session.commit()
    run = _Run(row, on_step)
    folder = source_dir or row.source_dir or current_app.config["SYNC_SOURCE_DIR"]
    try:
        _pipeline(run, Path(folder) if folder else None, archive)
    except (SourceError, SQLAlchemyError) as error:
        _fail(run, _reason(error))
    except Exception as error:
        _fail(run, f"unexpected error: {error!r}")
        raise
    return run.row


def _pipeline(run: _Run, folder: Path | None, archive) -> None:
    run_id = run.row.id
    raw_dir = Path(current_app.config["RAW_ARCHIVE_DIR"]) / str(run_id)
    raw_dir.mkdir(parents=True, exist_ok=True)
    if registry_sync.registry_only(run.row, folder):  # registries over the stored merge
        catalogue = lambda: registry_sync.registry_catalogue(run.row, folder, raw_dir)  # noqa: E731
        report, write = run.timed("registries", catalogue)
        _finish(run, report, lambda connection: write(connection, run_id=run_id))
        return
    if folder is not None:
        inputs = run.timed("read", lambda: _local_inputs(folder, raw_dir, run.warnings))
    else:
        inputs = run.timed("download", lambda: _downloaded_inputs(raw_dir, run.warnings))
    files = [path for path in _flatten(inputs.values()) if path is not None]
    run.row.checksums = {path.name: sources.sha256(path) for path in files}
    db.session.commit()
    if archive is not None:
        archived = archive(run_id, files)
        if archived:
            run.row.checksums = {**run.row.checksums, "archive": archived}
            db.session.commit()

    parsed = run.timed("parse", lambda: _parse(inputs, run.warnings), files=len(files))
    projects, credits, yearly, report = run.timed(
        "merge",
        lambda: merge.build_catalogue(
            *parsed,
            inputs={
                name: (_label(value) if value is not None else None)
                for name, value in inputs.items()
            },
            warnings=run.warnings,
        ),
        rows=sum(len(frame) for frame in parsed if frame is not None),
    )
    projects, credits, labels = run.timed(
        "registries",
        lambda: registry_sync.lay_over(projects, credits, report, run.row, folder, raw_dir),
    )
    yearly = merge.yearly_of_laid_over_sets(yearly, credits, REGISTRY_SOURCE)

    def write(connection):
        counts = load_catalogue(connection, projects, credits, yearly, run_id=run_id, labels=labels)
        return counts, len(projects), len(credits)

    _finish(run, report, write, rows=len(projects), credit_rows=len(credits))


def _finish(run: _Run, report: dict, write: Callable, **progress) -> None:
    """Record the report, then load (``write(connection)``: LoadCounts, projects, credit
    rows; it may complete the report) and mark the run succeeded, together."""
    run_id = run.row.id
    run.row.report = report
    db.session.commit()

    def load():
        # The run is recorded succeeded in the load's own transaction: data and record
        # commit together, so a crash never leaves new data behind a "running" run.
        with db.engine.begin() as connection:
            counts, projects, credits = write(connection)
            connection.execute(
                update(SyncRun)
                .where(SyncRun.id == run_id)
                .values(report=report, **_success(counts, projects, credits, run.warnings))
            )
            return counts

    counts = run.timed("load", load, **progress)
    db.session.refresh(run.row)
    run.row.step_timings = run.timings
    db.session.commit()
    refresh_after_sync(run.row, counts.relinkable)  # cross-registry links for what changed


def _success(counts, projects: int, credits: int, warnings: list[str]) -> dict:
    finished = utcnow()
    return {
        "status": "succeeded",
        "step": "done",
        "finished_at": finished,
        "heartbeat_at": finished,
        "projects_added": counts.added,
        "projects_updated": counts.updated,
        "projects_unchanged": counts.unchanged,
        "projects_removed": counts.removed,
        "credit_rows": counts.credit_rows,
        "progress": {"step": "done", "rows": projects, "credit_rows": credits},
        "message": (
            f"{projects:,} projects ({counts.added} added, {counts.updated} updated, "
            f"{counts.removed} removed), {credits:,} credit rows"
            + (f"; {len(warnings)} warning(s)" if warnings else "")
        ),
    }


def _flatten(values) -> list:
    flat = []
    for value in values:
        flat.extend(value if isinstance(value, list) else [value])
    return flat


def _label(value) -> str:
    return ", ".join(p.name for p in value) if isinstance(value, list) else value.name


def _local_inputs(folder: Path, raw_dir: Path, warnings: list[str]) -> dict:
    if not folder.is_dir():
        raise SourceError(f"source folder {folder} does not exist")
    found = {"offsetsdb": offsetsdb.find_inputs(folder), "vrod": vrod.find_input(folder)}
    inputs = {}
    for name, value in found.items():
        if value is None:
            inputs[name] = None
            continue
        copies = sources.copy_into(value if isinstance(value, list) else [value], raw_dir)
        inputs[name] = copies if isinstance(value, list) else copies[0]
    return _check_found(inputs, warnings, where=str(folder))


def _downloaded_inputs(raw_dir: Path, warnings: list[str]) -> dict:
    config = current_app.config
    inputs = {}
    for name, url in (("offsetsdb", config["OFFSETSDB_URL"]), ("vrod", config["VROD_URL"])):
        try:
            inputs[name] = sources.download(
                url,
                raw_dir,
                timeout=config["DOWNLOAD_TIMEOUT_SECONDS"],
                max_bytes=config["DOWNLOAD_MAX_BYTES"],
            )
            _refuse_unbounded_archive(inputs[name])
        except SourceError as error:
            warnings.append(str(error))
            inputs[name] = None
    if inputs["offsetsdb"] is not None and inputs["offsetsdb"].suffix != ".zip":
        inputs["offsetsdb"] = [inputs["offsetsdb"]]
    return _check_found(inputs, warnings, where="the configured URLs")


def _refuse_unbounded_archive(path: Path) -> None:
    """A downloaded zip or workbook is checked for its unpacked size and compression ratio
    before anything reads it, as uploads are (app/archive_limits.py)."""
    if path.suffix.lower() not in (".zip", ".xlsx"):
        return
    problem = unpack_problem(str(path), UnpackLimits.from_config(current_app.config))
    if problem:
        path.unlink(missing_ok=True)
        raise SourceError(f"{path.name} is refused: {problem}")


def _check_found(inputs: dict, warnings: list[str], where: str) -> dict:
    if inputs["offsetsdb"] is None and inputs["vrod"] is None:
        raise SourceError(
            f"no input found in {where}: "
            + ("; ".join(warnings) if warnings else "neither OffsetsDB nor VROD files")
        )
    for name, label in (("offsetsdb", "OffsetsDB"), ("vrod", "VROD")):
        if inputs[name] is None:
            warnings.append(f"{label} input missing: merged the other source only")
    return inputs


def _parse(inputs: dict, warnings: list[str]) -> tuple:
    off_projects = off_credits = vrod_projects = vrod_credits = vrod_yearly = None
    if inputs["offsetsdb"] is not None:
        off_projects, off_credits = offsetsdb.read(inputs["offsetsdb"])
    if inputs["vrod"] is not None:
        vrod_projects, vrod_credits, vrod_yearly, layout_warnings = vrod.read(inputs["vrod"])
        warnings.extend(layout_warnings)
    return off_projects, off_credits, vrod_projects, vrod_credits, vrod_yearly


def _reason(error: Exception) -> str:
    if isinstance(error, SQLAlchemyError):
        original = getattr(error, "orig", None)
        return f"load failed, previous data kept: {original or error}".strip()
    return str(error)


def _fail(run: _Run, message: str) -> None:
    db.session.rollback()
    row = run.row
    step = row.step
    row.status = "failed"
    row.finished_at = utcnow()
    row.heartbeat_at = row.finished_at
    row.step_timings = run.timings
    row.message = f"{step} step: {message}" if step else message
    db.session.commit()
    log.warning("sync run %s failed: %s", row.id, row.message)
