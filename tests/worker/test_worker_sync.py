"""The worker runs the real sync on the fixture sources: queue, lock, claim, archive, metrics."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import timedelta
from pathlib import Path

import boto3
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import Project, SyncRun, current_data_version, utcnow
from app.sync_queue import request_sync, sync_lock
from app.worker import poll_queue, run_queued_sync
from tests.conftest import FIXTURES
from tests.worker.moto import aws_credentials, moto_endpoint, reset_moto  # noqa: F401

V1 = FIXTURES / "worker" / "v1"
V2 = FIXTURES / "worker" / "v2"


def project_ids() -> set[str]:
    return set(db.session.scalars(sa.select(Project.project_id)))


def test_a_queued_run_is_executed_once_and_loads_the_catalogue(app):
    app.config["SYNC_SOURCE_DIR"] = str(V1)
    run, _ = request_sync(trigger="admin")
    request_sync(trigger="admin")

    finished = run_queued_sync()

    assert finished.id == run.id
    assert finished.status == "succeeded", finished.message
    assert finished.projects_added > 0
    assert finished.credit_rows > 0
    assert "ACR1042" in project_ids()
    assert current_data_version() == 1
    assert run_queued_sync() is None  # nothing left in the queue
    assert current_data_version() == 1
    archived = sorted(
        path.name for path in (Path(app.config["RAW_ARCHIVE_DIR"]) / str(run.id)).iterdir()
    )
    assert archived == ["credits.csv", "projects.csv", "vrod-projects.csv"]
    assert set(finished.checksums) >= {"credits.csv", "projects.csv", "vrod-projects.csv"}


def test_a_queued_run_reads_its_own_source_folder(app):
    app.config["SYNC_SOURCE_DIR"] = str(V1)
    request_sync()
    run_queued_sync()
    request_sync(trigger="admin", source_dir=str(V2))
    finished = run_queued_sync()
    assert finished.status == "succeeded", finished.message
    assert (finished.projects_added, finished.projects_removed) == (1, 1)
    ids = project_ids()
    assert "ACR905" in ids
    assert "ACR1042" not in ids


def test_a_worker_without_the_lock_leaves_the_run_queued(app):
    app.config["SYNC_SOURCE_DIR"] = str(V1)
    run, _ = request_sync()
    with sync_lock() as held:
        assert held
        assert run_queued_sync() is None
    assert db.session.get(SyncRun, run.id).status == "queued"
    assert project_ids() == set()


def test_a_failed_run_keeps_the_previous_catalogue(app, tmp_path):
    app.config["SYNC_SOURCE_DIR"] = str(V1)
    request_sync()
    run_queued_sync()
    before = project_ids()
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "projects.csv").write_text("project_id,name\nVCS1,only two columns\n")
    request_sync(source_dir=str(broken))
    finished = run_queued_sync()
    assert finished.status == "failed"
    assert finished.message
    assert project_ids() == before
    assert current_data_version() == 1


def test_poll_reaps_dead_runs_then_runs_the_queue(app):
    app.config.update(SYNC_SOURCE_DIR=str(V1), SYNC_HEARTBEAT_TIMEOUT=60)
    an_hour_ago = utcnow() - timedelta(hours=1)
    dead = SyncRun(
        status="running", trigger="schedule", started_at=an_hour_ago, heartbeat_at=an_hour_ago
    )
    db.session.add(dead)
    db.session.commit()
    queued, _ = request_sync()

    finished = poll_queue(app)

    assert finished.id == queued.id
    assert finished.status == "succeeded"
    db.session.expire_all()
    reaped = db.session.get(SyncRun, dead.id)
    assert reaped.status == "failed"
    assert reaped.message == "worker stopped responding (no heartbeat for 60 s)"


def test_each_step_logs_a_json_line(app, caplog):
    app.config["SYNC_SOURCE_DIR"] = str(V1)
    request_sync()
    with caplog.at_level(logging.INFO, logger="carbonscope.sync"):
        run_queued_sync()
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "carbonscope.sync"]
    steps = [line["step"] for line in lines if line["event"] == "sync_step"]
    assert steps == ["read", "parse", "merge", "registries", "load"]
    assert lines[-1]["event"] == "sync_finished"
    assert lines[-1]["status"] == "succeeded"


@pytest.mark.usefixtures("aws_credentials")
def test_with_aws_configured_raw_files_go_to_s3_and_a_metric_is_put(sqlite_app, moto_endpoint):  # noqa: F811
    reset_moto(moto_endpoint)
    bucket = f"raw-{uuid.uuid4().hex[:12]}"
    sqlite_app.config.update(
        SYNC_SOURCE_DIR=str(V1), RAW_BUCKET=bucket, AWS_ENDPOINT_URL=moto_endpoint
    )
    s3 = boto3.client("s3", region_name="eu-west-1", endpoint_url=moto_endpoint)
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    run, _ = request_sync()

    finished = run_queued_sync()

    assert finished.status == "succeeded", finished.message
    keys = sorted(item["Key"] for item in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert keys == [
        f"raw/{run.id}/{name}" for name in ("credits.csv", "projects.csv", "vrod-projects.csv")
    ]
    cloudwatch = boto3.client("cloudwatch", region_name="eu-west-1", endpoint_url=moto_endpoint)
    metrics = cloudwatch.list_metrics(Namespace="OffsetsPipeline")["Metrics"]
    assert [metric["MetricName"] for metric in metrics] == ["SyncSuccess"]
