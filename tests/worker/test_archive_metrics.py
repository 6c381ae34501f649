"""S3 archive and CloudWatch metrics, against moto's standalone server."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from flask import current_app

from app.archive import archive_raw_files
from app.extensions import db
from app.metrics import log_step, put_run_metric
from app.models import SyncRun
from tests.worker.moto import aws_credentials, moto_endpoint, reset_moto  # noqa: F401

REGION = "eu-west-1"


@pytest.fixture
def aws_app(sqlite_app, moto_endpoint, aws_credentials):  # noqa: F811
    reset_moto(moto_endpoint)
    bucket = f"raw-{uuid.uuid4().hex[:12]}"
    sqlite_app.config.update(RAW_BUCKET=bucket, AWS_REGION=REGION, AWS_ENDPOINT_URL=moto_endpoint)
    s3().create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    return sqlite_app


def s3():
    return boto3.client(
        "s3", region_name=REGION, endpoint_url=current_app.config.get("AWS_ENDPOINT_URL")
    )


def cloudwatch(endpoint: str):
    return boto3.client("cloudwatch", region_name=REGION, endpoint_url=endpoint)


def test_raw_files_land_under_raw_run_id_name(aws_app, tmp_path):
    projects = tmp_path / "projects.csv"
    projects.write_text("project_id,name\nVCS1,A\n")
    workbook = tmp_path / "vrod.parquet"
    workbook.write_bytes(b"PAR1 not really")

    archived = archive_raw_files(42, [projects, workbook])

    bucket = aws_app.config["RAW_BUCKET"]
    assert archived == {"bucket": bucket, "keys": ["raw/42/projects.csv", "raw/42/vrod.parquet"]}
    listed = s3().list_objects_v2(Bucket=bucket, Prefix="raw/42/")
    assert sorted(item["Key"] for item in listed["Contents"]) == archived["keys"]
    body = s3().get_object(Bucket=bucket, Key="raw/42/projects.csv")["Body"].read()
    assert body == projects.read_bytes()


def test_without_a_bucket_nothing_is_uploaded(sqlite_app, tmp_path):
    path = tmp_path / "projects.csv"
    path.write_text("x")
    assert archive_raw_files(1, [path]) is None


def test_a_missing_bucket_is_recorded_not_raised(aws_app, tmp_path):
    aws_app.config["RAW_BUCKET"] = "no-such-bucket-here"
    path = tmp_path / "projects.csv"
    path.write_text("x")
    archived = archive_raw_files(7, [path])
    assert archived["keys"] == []
    assert "NoSuchBucket" in archived["error"]


def _finished_run(status: str) -> SyncRun:
    run = SyncRun(status=status, trigger="schedule", step="load")
    db.session.add(run)
    db.session.commit()
    return run


def test_each_run_puts_sync_success_or_failure_in_offsets_pipeline(aws_app, moto_endpoint):  # noqa: F811
    assert put_run_metric(_finished_run("succeeded")) == "SyncSuccess"
    assert put_run_metric(_finished_run("failed")) == "SyncFailure"
    assert put_run_metric(_finished_run("succeeded")) == "SyncSuccess"

    client = cloudwatch(moto_endpoint)
    names = {m["MetricName"] for m in client.list_metrics(Namespace="OffsetsPipeline")["Metrics"]}
    assert {"SyncSuccess", "SyncFailure"} <= names
    assert _sum(client, "SyncSuccess") == 2
    assert _sum(client, "SyncFailure") == 1


def _sum(client, name: str) -> float:
    now = datetime.now(UTC)
    statistics = client.get_metric_statistics(
        Namespace="OffsetsPipeline",
        MetricName=name,
        StartTime=now - timedelta(hours=1),
        EndTime=now + timedelta(minutes=5),
        Period=3600,
        Statistics=["Sum"],
    )
    return sum(point["Sum"] for point in statistics["Datapoints"])


def test_no_metric_when_aws_is_not_configured(sqlite_app):
    assert put_run_metric(_finished_run("succeeded")) is None


def test_each_step_logs_one_json_line(sqlite_app, caplog):
    run = SyncRun(status="running", trigger="admin", step="merge", progress={"projects": 9})
    db.session.add(run)
    db.session.commit()
    with caplog.at_level(logging.INFO, logger="carbonscope.sync"):
        log_step(run)
    (record,) = [r for r in caplog.records if r.name == "carbonscope.sync"]
    line = json.loads(record.getMessage())
    assert line == {
        "event": "sync_step",
        "run_id": run.id,
        "status": "running",
        "step": "merge",
        "trigger": "admin",
        "progress": {"projects": 9},
    }
