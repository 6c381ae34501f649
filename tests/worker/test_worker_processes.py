"""Real worker processes against one PostgreSQL: one sync at a time, crashes, clean stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from app.models import Project, SyncRun, current_data_version
from app.sync_queue import request_sync
from app.worker import run_queued_sync
from tests.conftest import REPO, _truncate_all, base_config
from tests.worker.test_worker_sync import V1, V2

pytestmark = pytest.mark.slow
NEVER = "0 0 29 2 *"  # the scheduled jobs must not fire during a test


@pytest.fixture
def pg_app(postgres_database, tmp_path):
    config = base_config(tmp_path) | {"SQLALCHEMY_DATABASE_URI": postgres_database}
    app = create_app(config)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    _truncate_all(postgres_database)


class Workers:
    """Worker subprocesses started by a test, all stopped at its end."""

    def __init__(self, database_url: str, folder: Path):
        self.database_url, self.folder = database_url, folder
        self.processes: list[subprocess.Popen] = []

    def start(self, command: list[str], **env: str) -> subprocess.Popen:
        environment = os.environ | {
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": "test",
            "RAW_ARCHIVE_DIR": str(self.folder / "raw"),
            "SYNC_CRON": NEVER,
            "NEWS_CRON": NEVER,
            "LOG_LEVEL": "INFO",
            **env,
        }
        log = (self.folder / f"worker-{len(self.processes)}.log").open("w")
        process = subprocess.Popen(
            command, cwd=REPO, env=environment, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes.append(process)
        return process

    def scheduler(self, **env: str) -> subprocess.Popen:
        return self.start([sys.executable, "scheduler.py"], **env)

    def test_worker(self, **env: str) -> subprocess.Popen:
        return self.start([sys.executable, "-m", "tests.worker.worker_process"], **env)

    def logs(self) -> str:
        return "\n".join(path.read_text() for path in sorted(self.folder.glob("worker-*.log")))

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


@pytest.fixture
def workers(postgres_database, tmp_path):
    started = Workers(postgres_database, tmp_path)
    yield started
    started.stop_all()


def wait_for(condition: Callable[[], object], timeout: float = 60, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what or condition}")


def run_status(run_id: int) -> str:
    db.session.expire_all()
    status = db.session.get(SyncRun, run_id).status
    db.session.commit()  # end the read transaction: let the workers' writes through
    return status


def project_ids() -> set[str]:
    ids = set(db.session.scalars(sa.select(Project.project_id)))
    db.session.commit()
    return ids


def test_two_workers_run_a_sync_queued_twice_exactly_once(pg_app, workers):
    first = workers.scheduler(SYNC_SOURCE_DIR=str(V1))
    second = workers.scheduler(SYNC_SOURCE_DIR=str(V1))
    wait_for(lambda: workers.logs().count(" started: sync ") == 2, what="both workers up")

    run, created = request_sync(trigger="admin")
    again, created_again = request_sync(trigger="admin")
    assert (created, created_again, again.id) == (True, False, run.id)

    wait_for(lambda: run_status(run.id) in ("succeeded", "failed"), what="the run to end")
    time.sleep(2)  # a few more polls of both workers: nothing else may run

    runs = db.session.scalars(sa.select(SyncRun)).all()
    assert [(r.id, r.status) for r in runs] == [(run.id, "succeeded")]
    assert current_data_version() == 1
    assert workers.logs().count(f"sync run {run.id} started by") == 1
    assert first.poll() is None
    assert second.poll() is None  # the other worker idled; it did not crash


def test_a_worker_killed_mid_load_leaves_the_old_data_and_the_next_run_succeeds(
    pg_app, workers, tmp_path
):
    pg_app.config["SYNC_SOURCE_DIR"] = str(V1)
    request_sync(trigger="cli")
    assert run_queued_sync().status == "succeeded"
    old_ids = project_ids()
    marker = tmp_path / "inside-load"

    doomed = workers.test_worker(
        SYNC_SOURCE_DIR=str(V2), TEST_STALL_MARKER=str(marker), TEST_HEARTBEAT_TIMEOUT="3"
    )
    crashed, _ = request_sync(trigger="admin")
    wait_for(marker.exists, what="the worker to be inside the load transaction")
    assert run_status(crashed.id) == "running"
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)

    assert project_ids() == old_ids  # the half-done load was rolled back
    assert current_data_version() == 1
    db.session.commit()

    workers.test_worker(SYNC_SOURCE_DIR=str(V2), TEST_HEARTBEAT_TIMEOUT="3")
    wait_for(lambda: run_status(crashed.id) == "failed", timeout=30, what="the reaper")
    db.session.expire_all()
    assert db.session.get(SyncRun, crashed.id).message == (
        "worker stopped responding (no heartbeat for 3 s)"
    )

    next_run, _ = request_sync(trigger="admin")
    wait_for(lambda: run_status(next_run.id) in ("succeeded", "failed"), what="the next run")
    assert run_status(next_run.id) == "succeeded"
    ids = project_ids()
    assert "ACR905" in ids
    assert "ACR1042" not in ids
    assert current_data_version() == 2


def test_sigterm_lets_a_running_sync_commit_before_the_worker_exits(pg_app, workers, tmp_path):
    marker = tmp_path / "inside-load"
    worker = workers.test_worker(
        SYNC_SOURCE_DIR=str(V1), TEST_STALL_MARKER=str(marker), TEST_STALL_SECONDS="3"
    )
    run, _ = request_sync(trigger="admin")
    wait_for(marker.exists, what="the worker to be inside the load transaction")

    worker.send_signal(signal.SIGTERM)

    assert worker.wait(timeout=60) == 0
    assert run_status(run.id) == "succeeded"
    assert "ACR1042" in project_ids()
    assert "stopped" in workers.logs()


def test_sigterm_stops_an_idle_worker_at_once(workers):
    worker = workers.scheduler()
    wait_for(lambda: " started: sync " in workers.logs(), what="the worker to start")
    started = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=20) == 0
    assert time.monotonic() - started < 10
