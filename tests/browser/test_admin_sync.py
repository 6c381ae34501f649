"""An admin presses "Resync now": a separate worker process runs it, the page follows live."""

from __future__ import annotations

import time

import pytest

from app import create_app
from app.extensions import db
from tests.browser.conftest import LiveServer
from tests.conftest import _truncate_all, base_config
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.worker.test_worker_processes import Workers, wait_for
from tests.worker.test_worker_sync import V1


@pytest.fixture
def pg_live_server(postgres_database, tmp_path):
    """The app on PostgreSQL with CSRF on, served on a local port."""
    config = base_config(tmp_path) | {
        "SQLALCHEMY_DATABASE_URI": postgres_database,
        "WTF_CSRF_ENABLED": True,
    }
    app = create_app(config)
    server = LiveServer(app).start()
    yield server
    server.stop()
    with app.app_context():
        db.engine.dispose()
    _truncate_all(postgres_database)


@pytest.fixture
def workers(postgres_database, tmp_path):
    started = Workers(postgres_database, tmp_path)
    yield started
    started.stop_all()


def statuses_until_finished(page, timeout: float = 60) -> list[str]:
    """Every status the newest run's row showed, in order, until it ended."""
    seen: list[str] = []
    row = page.locator("#sync-history tbody tr").first
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status = row.get_attribute("data-status")
        if status and (not seen or seen[-1] != status):
            seen.append(status)
        if status in ("succeeded", "failed"):
            return seen
        time.sleep(0.1)
    pytest.fail(f"the run did not finish on the page; statuses seen: {seen}")


def test_admin_resyncs_and_watches_the_run_finish_without_reload(
    page, pg_live_server, workers, tmp_path
):
    with pg_live_server.app.app_context():
        make_user(email="admin@example.org", role="admin")
    workers.test_worker(
        SYNC_SOURCE_DIR=str(V1),
        TEST_POLL_SECONDS="2",
        TEST_STALL_MARKER=str(tmp_path / "inside-load"),
        TEST_STALL_SECONDS="4",  # long enough for the page to see "running"
    )
    wait_for(lambda: " started: sync " in workers.logs(), what="the worker to start")

    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(pg_live_server.url + "/admin/sync")
    page.wait_for_url("**/auth/login**")
    page.get_by_label("Email").fill("admin@example.org")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(pg_live_server.url + "/admin/sync")
    assert page.get_by_text("No sync has run yet.").is_visible()
    page.evaluate("window.__samePage = true")  # gone if anything reloads the page

    page.get_by_role("button", name="Resync now").click()
    statuses = statuses_until_finished(page)

    assert statuses == ["queued", "running", "succeeded"]
    assert page.evaluate("window.__samePage") is True
    row = page.locator("#sync-history tbody tr").first
    assert row.get_attribute("hx-trigger") is None  # it stopped polling
    assert "admin@example.org" in row.inner_text()
    assert page.locator("#sync-history tbody tr").count() == 1
    assert violations == []

    response = page.goto(pg_live_server.url + "/projects/ACR1042")
    assert response.status == 200
    assert page.locator("h1").inner_text() == "A-Gas 1-2024"
