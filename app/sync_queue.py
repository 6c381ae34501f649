"""The sync queue: queue a run, claim it, hold the one-sync lock, reap runs whose worker died.

Any number of web processes queue runs; any number of workers poll for them, but
only the one holding the sync lock claims and executes a run. The lock lives
outside Python memory, so it holds across processes and dies with its holder:

- on PostgreSQL, a session advisory lock on a dedicated connection (it ends
  when the connection does, so a killed worker frees it);
- on SQLite, an ``flock`` on a file next to the database (it ends with the
  process).
"""

from __future__ import annotations

import fcntl
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import Engine, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app.extensions import db
from app.models import SyncRun, utcnow

log = logging.getLogger(__name__)

# Any fixed 64-bit number; every process that syncs uses the same one.
SYNC_LOCK_KEY = 0x0FF5E7C0DE
ACTIVE_STATUSES = ("queued", "running")


def request_sync(
    trigger: str = "admin",
    requested_by_id: int | None = None,
    source_dir: str | None = None,
    registries: str | None = None,
    reconcile: bool = False,
) -> tuple[SyncRun, bool]:
    """Queue a sync run; return ``(run, created)``.

    At most one run waits in the queue (the partial unique index
    ``uq_sync_run_one_queued``): when one already waits, that one is returned
    and nothing new is queued, so two admins pressing "resync" together get one run.
    """
    run = SyncRun(
        status="queued",
        trigger=trigger,
        requested_by_id=requested_by_id,
        source_dir=source_dir,
        registries=registries,
        reconcile=reconcile,
    )
    db.session.add(run)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        waiting = queued_run()
        if waiting is None:  # it was claimed between our insert and this read: queue again
            return request_sync(trigger, requested_by_id, source_dir, registries, reconcile)
        return waiting, False
    return run, True


def queued_run() -> SyncRun | None:
    return db.session.scalar(select(SyncRun).where(SyncRun.status == "queued"))


def claim_run(run_id: int, worker: str) -> bool:
    """Mark a queued run running, atomically: of two workers, exactly one gets True."""
    now = utcnow()
    claimed = db.session.execute(
        update(SyncRun)
        .where(SyncRun.id == run_id, SyncRun.status == "queued")
        .values(status="running", started_at=now, heartbeat_at=now, worker=worker)
    )
    db.session.commit()
    return claimed.rowcount == 1


def claim_next_run(worker: str) -> int | None:
    """Claim the oldest queued run; its id, or None when the queue is empty."""
    run = queued_run()
    if run is None or not claim_run(run.id, worker):
        return None
    return run.id


def heartbeat_timeout() -> int:
    return int(current_app.config["SYNC_HEARTBEAT_TIMEOUT"])


def reap_dead_runs(timeout: int | None = None) -> list[int]:
    """Mark failed every running run whose heartbeat is older than the timeout; their ids."""
    timeout = heartbeat_timeout() if timeout is None else timeout
    cutoff = utcnow() - timedelta(seconds=timeout)
    dead = db.session.scalars(
        select(SyncRun.id).where(SyncRun.status == "running", SyncRun.heartbeat_at < cutoff)
    ).all()
    reaped = []
    for run_id in dead:
        result = db.session.execute(
            update(SyncRun)
            .where(SyncRun.id == run_id, SyncRun.status == "running")
            .where(SyncRun.heartbeat_at < cutoff)
            .values(
                status="failed",
                finished_at=utcnow(),
                message=f"worker stopped responding (no heartbeat for {timeout} s)",
            )
        )
        if result.rowcount:
            reaped.append(run_id)
    db.session.commit()
    for run_id in reaped:
        log.warning("sync run %s reaped: no heartbeat for %s s", run_id, timeout)
    return reaped


def beat(engine: Engine, run_id: int) -> None:
    """Write a heartbeat for a running run, in its own short transaction."""
    with engine.begin() as connection:
        connection.execute(
            update(SyncRun)
            .where(SyncRun.id == run_id, SyncRun.status == "running")
            .values(heartbeat_at=utcnow())
        )


class Heartbeat:
    """A thread that heartbeats a run every few seconds, for steps that take long."""

    def __init__(self, engine: Engine, run_id: int, interval: float = 15.0):
        self.engine, self.run_id, self.interval = engine, run_id, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{run_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                beat(self.engine, self.run_id)
            except SQLAlchemyError as error:  # e.g. SQLite busy during the load
                log.warning("heartbeat of sync run %s failed: %s", self.run_id, error)


@contextmanager
def exclusive_run(
    trigger: str = "cli", source_dir: str | None = None, worker: str = "cli"
) -> Iterator[SyncRun | None]:
    """A run to execute right here (the CLI), outside the queue; None if a sync holds the lock.

    The row is inserted already running, so no worker can claim it, and the lock is
    held until the block ends, so no worker starts another sync meanwhile.
    """
    with sync_lock() as held:
        if not held:
            yield None
            return
        now = utcnow()
        run = SyncRun(
            status="running",
            trigger=trigger,
            source_dir=source_dir,
            started_at=now,
            heartbeat_at=now,
            worker=worker,
        )
        db.session.add(run)
        db.session.commit()
        yield run


@contextmanager
def sync_lock(engine: Engine | None = None) -> Iterator[bool]:
    """Try to take the one-sync lock without waiting; yield whether we hold it."""
    engine = engine if engine is not None else db.engine
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine) as held:
            yield held
    else:
        with _file_lock(_lock_file_for(engine)) as held:
            yield held


@contextmanager
def _advisory_lock(engine: Engine) -> Iterator[bool]:
    connection = engine.connect()
    try:
        held = connection.exec_driver_sql(f"SELECT pg_try_advisory_lock({SYNC_LOCK_KEY})").scalar()
        connection.commit()
        try:
            yield bool(held)
        finally:
            if held:
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({SYNC_LOCK_KEY})")
                connection.commit()
    finally:
        connection.close()


def _lock_file_for(engine: Engine) -> Path:
    """The lock file next to the SQLite database (in the instance folder for in-memory ones)."""
    database = make_url(str(engine.url)).database
    if database and database != ":memory:":
        return Path(database).with_name(Path(database).name + ".sync.lock")
    return Path(current_app.instance_path) / "sync.lock"


@contextmanager
def _file_lock(path: Path) -> Iterator[bool]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
