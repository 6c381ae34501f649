"""A worker process for the fault tests: the real worker, with test-sized timings.

``python -m tests.worker.worker_process`` runs :func:`app.worker.run_worker` on an app
built with ``create_app()`` (settings from the environment, as ``scheduler.py``) plus:

- ``TEST_HEARTBEAT_TIMEOUT``: seconds without heartbeat before the reaper fails a run;
- ``TEST_POLL_SECONDS``: how often the worker looks for queued runs (0.5 s);
- ``TEST_STALL_MARKER`` / ``TEST_STALL_SECONDS``: after the load has written the new
  catalogue, still inside its transaction, touch the marker file and sleep, so a test
  can kill or stop the worker mid-load.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import app.etl.sync as etl_sync
from app import create_app
from app.worker import run_worker


def stall_inside_the_load(marker: Path, seconds: float) -> None:
    load_catalogue = etl_sync.load_catalogue

    def stalled(connection, *frames, **options):
        counts = load_catalogue(connection, *frames, **options)
        marker.touch()
        time.sleep(seconds)
        return counts

    etl_sync.load_catalogue = stalled


def main() -> None:
    if os.environ.get("TEST_STALL_MARKER"):
        stall_inside_the_load(
            Path(os.environ["TEST_STALL_MARKER"]), float(os.environ.get("TEST_STALL_SECONDS", 600))
        )
    config = {
        "SYNC_HEARTBEAT_TIMEOUT": int(os.environ.get("TEST_HEARTBEAT_TIMEOUT", 120)),
        "SYNC_POLL_SECONDS": float(os.environ.get("TEST_POLL_SECONDS", 0.5)),
        "SYNC_HEARTBEAT_SECONDS": 1,
    }
    run_worker(create_app(config))


if __name__ == "__main__":
    main()
