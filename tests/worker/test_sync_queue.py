"""The queue: one waiting run at most, atomic claims, the one-sync lock, the reaper."""

from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import SyncRun, utcnow
from app.sync_queue import (
    beat,
    claim_next_run,
    claim_run,
    exclusive_run,
    reap_dead_runs,
    request_sync,
    sync_lock,
)


def test_resync_pressed_twice_queues_one_run(app):
    first, created_first = request_sync(trigger="admin")
    second, created_second = request_sync(trigger="admin")
    assert (created_first, created_second) == (True, False)
    assert second.id == first.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SyncRun)) == 1


def test_a_new_run_can_be_queued_once_the_waiting_one_started(app):
    first, _ = request_sync()
    assert claim_run(first.id, "worker-a")
    second, created = request_sync()
    assert created
    assert second.id != first.id


def test_a_queued_run_is_claimed_by_exactly_one_worker(app):
    run, _ = request_sync()
    assert claim_run(run.id, "worker-a") is True
    assert claim_run(run.id, "worker-b") is False
    db.session.expire_all()
    claimed = db.session.get(SyncRun, run.id)
    assert (claimed.status, claimed.worker) == ("running", "worker-a")
    assert claimed.started_at is not None
    assert claim_next_run("worker-b") is None


def test_the_sync_lock_admits_one_holder_at_a_time(app):
    with sync_lock() as first:
        assert first is True
        with sync_lock() as second:
            assert second is False
    with sync_lock() as again:
        assert again is True


def test_the_sync_lock_holds_against_another_process(app):
    """A second process cannot take the lock while this one holds it, and can afterwards."""
    url = str(db.engine.url.render_as_string(hide_password=False))
    probe = (
        "from app import create_app; from app.sync_queue import sync_lock\n"
        f"app = create_app({{'SQLALCHEMY_DATABASE_URI': {url!r}, 'SECRET_KEY': 'x'}})\n"
        "with app.app_context(), sync_lock() as held: print(held)\n"
    )

    def other_process_gets_lock() -> str:
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
        )
        return done.stdout.strip()

    with sync_lock() as held:
        assert held
        assert other_process_gets_lock() == "False"
    assert other_process_gets_lock() == "True"


def _running_run(heartbeat_age: timedelta) -> SyncRun:
    run = SyncRun(
        status="running",
        trigger="schedule",
        step="load",
        started_at=utcnow() - heartbeat_age,
        heartbeat_at=utcnow() - heartbeat_age,
    )
    db.session.add(run)
    db.session.commit()
    return run


def test_a_run_without_heartbeat_for_the_timeout_is_marked_failed(app):
    dead = _running_run(timedelta(seconds=300))
    alive = _running_run(timedelta(seconds=5))
    assert reap_dead_runs(timeout=120) == [dead.id]
    db.session.expire_all()
    dead, alive = db.session.get(SyncRun, dead.id), db.session.get(SyncRun, alive.id)
    assert dead.status == "failed"
    assert dead.message == "worker stopped responding (no heartbeat for 120 s)"
    assert dead.finished_at is not None
    assert alive.status == "running"


def test_the_heartbeat_timeout_comes_from_config(app):
    app.config["SYNC_HEARTBEAT_TIMEOUT"] = 2
    run = _running_run(timedelta(seconds=10))
    assert reap_dead_runs() == [run.id]
    assert db.session.get(SyncRun, run.id).message.endswith("(no heartbeat for 2 s)")


def test_a_heartbeat_keeps_a_run_alive(app):
    run = _running_run(timedelta(seconds=300))
    beat(db.engine, run.id)
    assert reap_dead_runs(timeout=120) == []
    db.session.expire_all()
    assert db.session.get(SyncRun, run.id).status == "running"


def test_a_cli_run_holds_the_lock_and_is_never_claimable(app):
    with exclusive_run(trigger="cli", source_dir="/data") as run:
        assert run.status == "running"
        assert claim_run(run.id, "worker-a") is False
        with sync_lock() as held:
            assert held is False
        with exclusive_run() as second:
            assert second is None
    with sync_lock() as held:
        assert held is True
