"""Admin: the data sync's history, "Resync now", live progress, offline upload."""

from __future__ import annotations

import shutil
import uuid
from functools import wraps
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.utils import secure_filename

from app.archive_limits import UnpackLimits, unpack_problem
from app.extensions import db, login_manager
from app.freshness import REGISTRY_SOURCES
from app.models import SyncRun
from app.sync_queue import ACTIVE_STATUSES, request_sync

bp = Blueprint("admin", __name__)

HISTORY_LIMIT = 50
# The ETL's steps, in order (a run either downloads or reads local files first).
SYNC_STEPS = ("download or read", "parse", "merge", "registries", "load")
STEP_POSITION = {"download": 0, "read": 0, "parse": 1, "merge": 2, "registries": 3, "load": 4}
UPLOAD_SUFFIXES = (".zip", ".csv", ".xlsx", ".parquet")
REGISTRY_KEYS = {key: label for key, label, _ in REGISTRY_SOURCES}
# htmx stops an `every 2s` poll when the response has this status.
STOP_POLLING = 286


def admin_required(view):
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_admin:
            abort(403, description="This page is for administrators.")
        return view(*args, **kwargs)

    return wrapped


def recent_runs(limit: int = HISTORY_LIMIT) -> list[SyncRun]:
    return db.session.scalars(
        select(SyncRun)
        .options(selectinload(SyncRun.requested_by))
        .order_by(SyncRun.id.desc())
        .limit(limit)
    ).all()


def step_position(run: SyncRun) -> int:
    """How many steps are done, for the progress bar (all of them once it ended)."""
    if run.status not in ACTIVE_STATUSES:
        return len(SYNC_STEPS)
    return STEP_POSITION.get(run.step or "", 0)


def duration(run: SyncRun) -> str:
    """'1 min 5 s' from start to end (or to the last heartbeat while running)."""
    end = run.finished_at or run.heartbeat_at
    if not run.started_at or not end:
        return ""
    seconds = max(0, round((end - run.started_at).total_seconds()))
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def progress_counts(run: SyncRun) -> list[tuple[str, int]]:
    """The row counts the ETL reported so far, as (label, number) pairs."""
    progress = run.progress or {}
    return [
        (str(name).replace("_", " "), value)
        for name, value in progress.items()
        if isinstance(value, int) and not isinstance(value, bool) and value
    ]


@bp.context_processor
def sync_helpers() -> dict:
    return {
        "steps": SYNC_STEPS,
        "step_position": step_position,
        "duration": duration,
        "progress_counts": progress_counts,
        "active_statuses": ACTIVE_STATUSES,
        "upload_suffixes": UPLOAD_SUFFIXES,
    }


def _vary(response):
    response.headers["Vary"] = "HX-Request, HX-Target"
    return response


def _history_page(status: int = 200, error: str | None = None):
    target = request.htmx.target if request.htmx else None
    template = "admin/_history.html" if target == "sync-history" else "admin/sync.html"
    html = render_template(template, runs=recent_runs(), error=error)
    return _vary(make_response(html, status))


@bp.get("/admin/sync")
@admin_required
def sync():
    return _history_page()


@bp.post("/admin/sync")
@admin_required
def resync():
    """Queue a run (or find the one already queued) and show it at once."""
    run, created = request_sync(trigger="admin", requested_by_id=current_user.id)
    if not request.htmx:
        flash(
            f"Resync queued (run {run.id})." if created else f"Run {run.id} is already queued.",
            "success" if created else "info",
        )
        return redirect(url_for("admin.sync"), code=303)
    return _history_page()


@bp.post("/admin/sync/registries/<registry>")
@admin_required
def resync_registry(registry: str):
    """Queue one registry's sync (laid over the last merge), or say what waits already."""
    if registry not in REGISTRY_KEYS:
        abort(404, description=f"No registry {registry!r}.")
    label = REGISTRY_KEYS[registry]
    run, created = request_sync(
        trigger="admin", requested_by_id=current_user.id, registries=registry
    )
    if not created:
        waiting = f"Run {run.id} is already queued; queue {label} again once it has started."
        if not request.htmx:
            flash(waiting, "info")
            return redirect(url_for("admin.sync"), code=303)
        return _history_page(409, waiting)
    if not request.htmx:
        flash(f"{label} sync queued (run {run.id}).", "success")
        return redirect(url_for("admin.sync"), code=303)
    return _history_page()


@bp.post("/admin/sync/upload")
@admin_required
def upload():
    """Queue an offline resync from uploaded source files (zip, csv, xlsx, parquet)."""
    files = [file for file in request.files.getlist("files") if file and file.filename]
    error = _upload_error(files)
    if error:
        return _history_page(422, error)
    folder = Path(current_app.instance_path) / "uploads" / uuid.uuid4().hex
    folder.mkdir(parents=True)
    for file in files:
        file.save(folder / secure_filename(file.filename))
    run, created = request_sync(
        trigger="admin", requested_by_id=current_user.id, source_dir=str(folder)
    )
    if not created:
        shutil.rmtree(folder)
        return _history_page(
            409, f"Run {run.id} is already queued; upload again once it has started."
        )
    if not request.htmx:
        flash(f"Resync from {len(files)} uploaded file(s) queued (run {run.id}).", "success")
        return redirect(url_for("admin.sync"), code=303)
    return _history_page()


def _upload_error(files) -> str | None:
    if not files:
        return "Choose at least one source file to upload."
    for file in files:
        name = secure_filename(file.filename)
        suffix = Path(name).suffix.lower()
        if not name or suffix not in UPLOAD_SUFFIXES:
            allowed = ", ".join(UPLOAD_SUFFIXES)
            return f"{file.filename}: only {allowed} files can be uploaded."
        if not _content_matches(file, suffix):
            return f"{file.filename}: the content is not a {suffix} file."
        if suffix in (".zip", ".xlsx"):
            problem = unpack_problem(file.stream, UnpackLimits.from_config(current_app.config))
            file.stream.seek(0)
            if problem:
                return f"{file.filename} is refused: {problem}."
    return None


def _content_matches(file, suffix: str) -> bool:
    """The file's first bytes agree with its name (xlsx files are zips; CSV is text)."""
    head = file.stream.read(1024)
    file.stream.seek(0)
    if suffix in (".zip", ".xlsx"):
        return head.startswith(b"PK\x03\x04")
    if suffix == ".parquet":
        return head.startswith(b"PAR1")
    return bool(head) and b"\x00" not in head


@bp.get("/admin/sync/runs/<int:run_id>")
@admin_required
def sync_run(run_id: int):
    """One run: its row (polled while it is active) or, on a plain request, its page."""
    run = db.session.get(SyncRun, run_id) or abort(404, description="No such sync run.")
    if request.htmx and request.htmx.target == f"sync-run-{run_id}":
        response = make_response(render_template("admin/_run_row.html", run=run))
        if run.status not in ACTIVE_STATUSES:
            response.status_code = STOP_POLLING
        return _vary(response)
    return _vary(make_response(render_template("admin/run.html", run=run)))
