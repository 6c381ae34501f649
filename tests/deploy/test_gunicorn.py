"""The container's start-up, run here: gunicorn with gunicorn.conf.py and the image's command."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.deploy.conftest import REPO

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def image_command(dockerfile_lines: list[str]) -> list[str]:
    cmd = next(line for line in dockerfile_lines if line.startswith("CMD "))
    return json.loads(cmd.removeprefix("CMD "))


def get_health(url: str, deadline: float) -> tuple[int, dict]:
    """GET /healthz until the server answers (200 or 503) or the deadline passes."""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def start_gunicorn(dockerfile_lines, tmp_path):
    """Start the image's command from the repository root (where gunicorn.conf.py is)."""
    processes = []

    def start(settings: dict[str, str]) -> tuple[str, Path]:
        program, *args = image_command(dockerfile_lines)
        port = free_port()
        env = {
            "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
            "HOME": str(tmp_path),
            "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2",
            "SECRET_KEY": "deploy-test-secret",
            "CACHE_KEY_PREFIX": f"deploy-{uuid.uuid4().hex[:8]}:",
            "NEWS_FEEDS": "http://127.0.0.1:9/none.xml",
            "RAW_ARCHIVE_DIR": str(tmp_path / "raw"),
            **settings,
        }
        log = tmp_path / f"gunicorn-{port}.log"
        with log.open("w") as output:
            process = subprocess.Popen(
                [str(BIN / program), *args],
                cwd=REPO,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        processes.append(process)
        return f"http://127.0.0.1:{port}/healthz", log

    yield start
    for process in processes:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_container_startup_serves_healthz_on_postgresql_and_memcached(
    start_gunicorn, postgres_database, memcached
):
    database_url = postgres_database.replace("postgresql+psycopg2://", "postgresql://")
    url, log = start_gunicorn(
        {"DATABASE_URL": database_url, "MEMCACHED_SERVERS": ",".join(memcached)}
    )
    status, body = get_health(url, deadline=time.monotonic() + 60)
    assert status == 200, log.read_text()
    assert body == {"status": "ok", "database": "ok", "dialect": "postgresql"}
    booted = log.read_text().count("Booting worker")
    assert booted == 2, f"WEB_CONCURRENCY=2 should boot two workers:\n{log.read_text()}"


def test_container_startup_reports_503_without_its_database(start_gunicorn):
    closed_port = free_port()
    url, log = start_gunicorn({"DATABASE_URL": f"postgresql://nobody@127.0.0.1:{closed_port}/none"})
    status, body = get_health(url, deadline=time.monotonic() + 60)
    assert status == 503, log.read_text()
    assert body["status"] == "error"
    assert body["database"] == "unreachable"
