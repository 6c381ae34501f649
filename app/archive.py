"""The raw-file archive in S3: each run's source files under ``raw/<run id>/``.

The sync itself keeps the files under ``RAW_ARCHIVE_DIR/<run id>/`` with their
sha256 in ``sync_run.checksums``; when ``RAW_BUCKET`` is set, this uploads them.
"""

from __future__ import annotations

import logging
from pathlib import Path

from boto3.exceptions import S3UploadFailedError
from botocore.exceptions import BotoCoreError, ClientError
from flask import current_app

from app.metrics import aws_client

log = logging.getLogger(__name__)


def object_key(run_id: int, path: Path) -> str:
    return f"raw/{run_id}/{path.name}"


def archive_raw_files(run_id: int, files: list[Path]) -> dict | None:
    """Upload a run's raw files to s3://RAW_BUCKET/raw/<run id>/<name>; where they went.

    Returns None when no bucket is configured (the local copy is the archive). An S3
    error does not fail the sync (the local copy stays): it is logged and recorded.
    """
    bucket = current_app.config["RAW_BUCKET"]
    if not bucket:
        return None
    s3 = aws_client("s3")
    keys = []
    for path in files:
        key = object_key(run_id, Path(path))
        try:
            s3.upload_file(str(path), bucket, key)
        except (BotoCoreError, ClientError, S3UploadFailedError) as error:
            log.error("could not archive %s to s3://%s/%s: %s", path, bucket, key, error)
            return {"bucket": bucket, "keys": keys, "error": str(error)}
        keys.append(key)
        log.info("archived %s to s3://%s/%s", path, bucket, key)
    return {"bucket": bucket, "keys": keys}
