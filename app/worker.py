"""The background worker: scheduled and queued syncs, news, one sync at a time.

``python scheduler.py`` and ``flask --app wsgi worker`` both call :func:`run_worker`.
Jobs (APScheduler, each inside an app context):

- ``sync``: on ``SYNC_CRON`` (UTC), queue a run with trigger ``schedule``;
- ``registry-<key>``: on each registry's own cron (``VERRA_CRON``, ...), queue a run of
  that registry alone (a daily delta where its endpoint allows one);
- ``registry-reconcile``: on ``REGISTRY_RECONCILE_CRON`` (weekly), every registry whole;
- ``news``: on ``NEWS_CRON``, ``app.news.fetch_all_feeds()``;
- ``poll``: every ``SYNC_POLL_SECONDS`` (2 s), reap runs whose worker died, then,
  if this worker takes the one-sync lock, claim the oldest queued run and execute it.

Every sync goes through the queue, so the lock and the claim guard all of them.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import update

from app.archive import archive_raw_files
from app.extensions import db
from app.freshness import REGISTRY_SOURCES
from app.metrics import log_run_finished, log_step, put_run_metric
from app.models import SyncRun, utcnow
from app.sync_queue import (
    Heartbeat,
    claim_next_run,
    queued_run,
    reap_dead_runs,
    request_sync,
    sync_lock,
)

log = logging.getLogger(__name__)


ExecuteSync = Callable[..., SyncRun]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _etl_execute_sync() -> ExecuteSync:
    from app.etl.sync import execute_sync

    return execute_sync


def _mark_failed(run_id: int, message: str) -> None:
    db.session.rollback()
    db.session.execute(
        update(SyncRun)
        .where(SyncRun.id == run_id, SyncRun.status.in_(("queued", "running")))
        .values(status="failed", finished_at=utcnow(), message=message[:2000])
    )
    db.session.commit()


def execute_claimed_run(run_id: int, execute: ExecuteSync | None = None) -> SyncRun:
    """Execute a run this worker has claimed, heartbeating, archiving and reporting it."""
    execute = execute or _etl_execute_sync()
    run = db.session.get(SyncRun, run_id)
    source_dir = Path(run.source_dir) if run.source_dir else None
    interval = current_app.config["SYNC_HEARTBEAT_SECONDS"]
    log.info("sync run %s started by %s", run_id, worker_name())
    try:
        with Heartbeat(db.engine, run_id, interval):
            run = execute(
                run_id, source_dir=source_dir, on_step=log_step, archive=archive_raw_files
            )
    except Exception as error:
        # Not silent: the run records why, the traceback goes to the log, and the error
        # propagates to the scheduler. The ETL returns failed runs for bad data itself.
        log.exception("sync run %s crashed", run_id)
        _mark_failed(run_id, f"unexpected error: {error}")
        raise
    finally:
        db.session.expire_all()
    run = db.session.get(SyncRun, run_id)
    log_run_finished(run)
    put_run_metric(run)
    if run.status == "succeeded":
        from app.changes.digests import send_digests_after_sync

        send_digests_after_sync()
        db.session.refresh(run)  # the digests committed: callers read the run afterwards
    return run


def run_queued_sync(execute: ExecuteSync | None = None) -> SyncRun | None:
    """Execute the oldest queued run if this worker gets the lock; the finished run or None."""
    if queued_run() is None:
        return None
    with sync_lock() as held:
        if not held:
            log.debug("another worker holds the sync lock")
            return None
        run_id = claim_next_run(worker_name())
        if run_id is None:
            return None
        return execute_claimed_run(run_id, execute)


def poll_queue(app: Flask, execute: ExecuteSync | None = None) -> SyncRun | None:
    """One poll: reap dead runs, then run a queued one."""
    with app.app_context():
        try:
            reap_dead_runs()
            return run_queued_sync(execute)
        finally:
            db.session.remove()


def queue_scheduled_sync(app: Flask) -> None:
    with app.app_context():
        run, created = request_sync(trigger="schedule")
        log.info("scheduled sync: run %s %s", run.id, "queued" if created else "already queued")
        db.session.remove()


def queue_registry_sync(app: Flask, registry: str, reconcile: bool = False) -> None:
    """Queue one registry's (or, comma-separated, several registries') sync.

    Only one run waits in the queue: a registry-only run already waiting takes this
    registry on too, and a full run already waiting covers every registry anyway."""
    with app.app_context():
        run, created = request_sync(trigger="schedule", registries=registry, reconcile=reconcile)
        if not created and run.registries:
            wanted = [key for key in registry.split(",") if key not in run.registries.split(",")]
            if wanted:
                run.registries = ",".join([run.registries, *wanted])
            run.reconcile = run.reconcile or reconcile
            db.session.commit()
        log.info("registry sync %s: run %s %s", registry, run.id, "queued" if created else "joined")
        db.session.remove()


def fetch_news(app: Flask) -> None:
    with app.app_context():
        try:
            from app.news import fetch_all_feeds
        except ImportError:
            log.error("news: app.news.fetch_all_feeds is not available; news job skipped")
            return
        try:
            fetch_all_feeds()
        finally:
            db.session.remove()


DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def cron_trigger(expression: str) -> CronTrigger:
    """A trigger from a crontab line, in UTC, with crontab's weekday numbers.

    APScheduler 3 reads day-of-week numbers as 0 = Monday, crontab as 0 = Sunday;
    numbers are turned into day names first, so "0 3 * * 1" means Monday as in cron.
    """
    fields = expression.split()
    if len(fields) == 5:
        fields[4] = ",".join(_day_names(part) for part in fields[4].split(","))
    return CronTrigger.from_crontab(" ".join(fields), timezone=UTC)


def _day_names(part: str) -> str:
    days, _, step = part.partition("/")
    if not days.replace("-", "").isdigit():
        return part
    first, _, last = days.partition("-")
    start, end = int(first), int(last or first)
    if step or start > 7 or end > 7:
        return part  # let APScheduler report or handle it as it is
    if start == end:
        return DAY_NAMES[start]
    # Ranges may not wrap past Saturday in APScheduler: list Sunday on its own.
    names = []
    if start == 0:
        names.append("sun")
        start = 1
    if end == 7:
        names.append("sun")
        end = 6
    if start <= end:
        names.insert(0, f"{DAY_NAMES[start]}-{DAY_NAMES[end]}" if start < end else DAY_NAMES[start])
    return ",".join(names)


class _SkipBusyPollWarnings(logging.Filter):
    """While a sync runs inside the poll job, the next polls are skipped on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


def build_scheduler(app: Flask, scheduler_class=BlockingScheduler):
    """The worker's jobs on a scheduler (blocking by default; tests pass a background one)."""
    scheduler = scheduler_class(timezone=UTC)
    config = app.config
    scheduler.add_job(
        queue_scheduled_sync,
        cron_trigger(config["SYNC_CRON"]),
        args=[app],
        id="sync",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=3600,
    )
    for key, _, _ in REGISTRY_SOURCES:
        if key == "gold_standard" and not config["GOLD_STANDARD_API"]:
            continue  # read from its manual export with every sync instead (docs/DATA.md)
        scheduler.add_job(
            queue_registry_sync,
            cron_trigger(config[f"{key.upper()}_CRON"]),
            args=[app, key],
            id=f"registry-{key}",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=3600,
        )
    scheduler.add_job(
        queue_registry_sync,
        cron_trigger(config["REGISTRY_RECONCILE_CRON"]),
        args=[app, ",".join(key for key, _, _ in REGISTRY_SOURCES)],
        kwargs={"reconcile": True},
        id="registry-reconcile",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=3600,
    )
    scheduler.add_job(
        fetch_news,
        cron_trigger(config["NEWS_CRON"]),
        args=[app],
        id="news",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=600,
    )
    scheduler.add_job(
        poll_queue,
        "interval",
        seconds=config["SYNC_POLL_SECONDS"],
        args=[app],
        id="poll",
        coalesce=True,
        max_instances=1,
        next_run_time=datetime.now(UTC),
    )
    return scheduler


def run_worker(app: Flask) -> None:
    """Run the jobs until SIGTERM or SIGINT; a running sync finishes before the process ends.

    A sync's load is one transaction: it either commits before we exit, or, if the
    process is killed first, the database rolls it back and the reaper marks the run failed.
    """
    scheduler = build_scheduler(app)
    # The poll runs every 2 s: only its problems belong in the log.
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    logging.getLogger("apscheduler.scheduler").addFilter(_SkipBusyPollWarnings())
    stopper: list[threading.Thread] = []

    def request_stop(signum, frame) -> None:
        if stopper:
            return
        log.info("worker stopping (signal %s): letting a running sync finish", signum)
        # shutdown(wait=True) waits for running jobs; not from inside the signal handler.
        stopper.append(threading.Thread(target=scheduler.shutdown, kwargs={"wait": True}))
        stopper[0].start()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    log.info("worker %s started: sync %s, news %s", worker_name(), *_crons(app))
    scheduler.start()
    for thread in stopper:
        thread.join()
    log.info("worker %s stopped", worker_name())


def _crons(app: Flask) -> tuple[str, str]:
    return app.config["SYNC_CRON"], app.config["NEWS_CRON"]


@click.command("worker")
@with_appcontext
def worker_command() -> None:
    """Run the scheduler worker in the foreground (same as `python scheduler.py`)."""
    run_worker(current_app._get_current_object())
