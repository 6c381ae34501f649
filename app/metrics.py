"""What the worker tells operations: one JSON log line per step, CloudWatch metrics per run.

Log lines always; metrics only when AWS is configured (``RAW_BUCKET`` or
``CLOUDWATCH_ENABLED``), as ``OffsetsPipeline/SyncSuccess`` or
``OffsetsPipeline/SyncFailure`` with value 1, which the alarm in terraform watches.
"""

from __future__ import annotations

import json
import logging

import boto3
from botocore.exceptions import BotoCoreError, ClientError
from flask import current_app

from app.models import SyncRun

log = logging.getLogger("carbonscope.sync")

NAMESPACE = "OffsetsPipeline"
SUCCESS_METRIC = "SyncSuccess"
FAILURE_METRIC = "SyncFailure"


def aws_client(service: str):
    """A boto3 client for S3 or CloudWatch, honouring AWS_REGION and AWS_ENDPOINT_URL."""
    return boto3.client(
        service,
        region_name=current_app.config["AWS_REGION"],
        endpoint_url=current_app.config["AWS_ENDPOINT_URL"],
    )


def aws_configured() -> bool:
    config = current_app.config
    return bool(config["RAW_BUCKET"] or config["CLOUDWATCH_ENABLED"])


def step_record(run: SyncRun) -> dict:
    return {
        "event": "sync_step",
        "run_id": run.id,
        "status": run.status,
        "step": run.step,
        "trigger": run.trigger,
        "progress": run.progress or {},
    }


def log_step(run: SyncRun) -> None:
    """One structured line per step, for log search (CloudWatch Logs Insights, jq)."""
    log.info(json.dumps(step_record(run), default=str, sort_keys=True))


def log_run_finished(run: SyncRun) -> None:
    record = step_record(run) | {
        "event": "sync_finished",
        "message": run.message,
        "projects_added": run.projects_added,
        "projects_updated": run.projects_updated,
        "projects_unchanged": run.projects_unchanged,
        "projects_removed": run.projects_removed,
        "credit_rows": run.credit_rows,
    }
    log.info(json.dumps(record, default=str, sort_keys=True))


def metric_name(run: SyncRun) -> str:
    return SUCCESS_METRIC if run.status == "succeeded" else FAILURE_METRIC


def put_run_metric(run: SyncRun) -> str | None:
    """Put SyncSuccess or SyncFailure (value 1) when AWS is configured; the metric's name.

    A CloudWatch outage must not turn a good sync into a failed one: it is logged.
    """
    if not aws_configured():
        return None
    name = metric_name(run)
    try:
        aws_client("cloudwatch").put_metric_data(
            Namespace=NAMESPACE,
            MetricData=[{"MetricName": name, "Value": 1.0, "Unit": "Count"}],
        )
    except (BotoCoreError, ClientError) as error:
        log.error("could not put metric %s/%s for run %s: %s", NAMESPACE, name, run.id, error)
        return None
    return name
