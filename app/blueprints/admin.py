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
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
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
STEP_LABELS = {
    "download": _l("download"),
    "read": _l("read"),
    "parse": _l("parse"),
    "merge": _l("merge"),
    "registries": _l("registries"),
    "load": _l("load"),
}
STATUS_LABELS = {
    "queued": _l("queued"),
    "running": _l("running"),
    "succeeded": _l("succeeded"),
    "failed": _l("failed"),
}
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
            abort(403, description=_("This page is for administrators."))
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
    if minutes:
        return _("%(minutes)d min %(seconds)d s", minutes=minutes, seconds=seconds)
    return _("%(seconds)d s", seconds=seconds)


def progress_counts(run: SyncRun) -> list[tuple[str, int]]:
    """The row counts the ETL reported so far, as (label, number) pairs."""
    progress = run.progress or {}
    return [
        (str(name).replace("_", " "), value)
        for name, value in progress.items()
        if isinstance(value, int) and not isinstance(value, bool) and value
    ]


def sync_status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def sync_step_label(step: str) -> str:
    return str(STEP_LABELS.get(step, step))


@bp.context_processor
def sync_helpers() -> dict:
    return {
        "sync_status_label": sync_status_label,
        "sync_step_label": sync_step_label,
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
            _("Resync queued (run %(id)s).", id=run.id)
            if created
            else _("Run %(id)s is already queued.", id=run.id),
            "success" if created else "info",
        )
        return redirect(url_for("admin.sync"), code=303)
    return _history_page()


@bp.post("/admin/sync/registries/<registry>")
@admin_required
def resync_registry(registry: str):
    """Queue one registry's sync (laid over the last merge), or say what waits already."""
    if registry not in REGISTRY_KEYS:
        abort(404, description=_("No registry %(registry)r.", registry=registry))
    label = REGISTRY_KEYS[registry]
    run, created = request_sync(
        trigger="admin", requested_by_id=current_user.id, registries=registry
    )
    if not created:
        waiting = _(
            "Run %(id)s is already queued; queue %(registry)s again once it has started.",
            id=run.id,
            registry=label,
        )
        if not request.htmx:
            flash(waiting, "info")
            return redirect(url_for("admin.sync"), code=303)
        return _history_page(409, waiting)
    if not request.htmx:
        flash(_("%(registry)s sync queued (run %(id)s).", registry=label, id=run.id), "success")
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
            409, _("Run %(id)s is already queued; upload again once it has started.", id=run.id)
        )
    if not request.htmx:
        flash(
            ngettext(
                "Resync from %(num)d uploaded file queued (run %(id)s).",
                "Resync from %(num)d uploaded files queued (run %(id)s).",
                len(files),
                id=run.id,
            ),
            "success",
        )
        return redirect(url_for("admin.sync"), code=303)
    return _history_page()


def _upload_error(files) -> str | None:
    if not files:
        return _("Choose at least one source file to upload.")
    for file in files:
        name = secure_filename(file.filename)
        suffix = Path(name).suffix.lower()
        if not name or suffix not in UPLOAD_SUFFIXES:
            allowed = ", ".join(UPLOAD_SUFFIXES)
            return _(
                "%(file)s: only %(allowed)s files can be uploaded.",
                file=file.filename,
                allowed=allowed,
            )
        if not _content_matches(file, suffix):
            return _(
                "%(file)s: the content is not a %(suffix)s file.", file=file.filename, suffix=suffix
            )
        if suffix in (".zip", ".xlsx"):
            problem = unpack_problem(file.stream, UnpackLimits.from_config(current_app.config))
            file.stream.seek(0)
            if problem:
                return _("%(file)s is refused: %(problem)s.", file=file.filename, problem=problem)
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
    run = db.session.get(SyncRun, run_id) or abort(404, description=_("No such sync run."))
    if request.htmx and request.htmx.target == f"sync-run-{run_id}":
        response = make_response(render_template("admin/_run_row.html", run=run))
        if run.status not in ACTIVE_STATUSES:
            response.status_code = STOP_POLLING
        return _vary(response)
    return _vary(make_response(render_template("admin/run.html", run=run)))
