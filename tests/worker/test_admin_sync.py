"""/admin/sync: admins only; "Resync now" queues one run; active rows poll until they end."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import SyncRun, utcnow
from tests.factories import make_user

HX = {"HX-Request": "true"}


def sign_in(client, user) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


@pytest.fixture
def admin_client(client):
    sign_in(client, make_user(role="admin", email="admin@example.org"))
    return client


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/admin/sync")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_signed_in_users_who_are_not_admins_get_403(client):
    sign_in(client, make_user(role="user"))
    assert client.get("/admin/sync").status_code == 403
    assert client.post("/admin/sync").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SyncRun)) == 0


def test_history_lists_runs_with_counts_and_failure_message(admin_client):
    db.session.add_all(
        [
            SyncRun(
                status="succeeded",
                trigger="schedule",
                started_at=utcnow(),
                finished_at=utcnow(),
                projects_added=12345,
                projects_updated=7,
                projects_unchanged=3,
                projects_removed=1,
                credit_rows=98765,
            ),
            SyncRun(status="failed", trigger="cli", message="credits.csv: missing column quantity"),
        ]
    )
    db.session.commit()
    html = admin_client.get("/admin/sync").get_data(as_text=True)
    assert "12,345" in html
    assert "98,765" in html
    assert "credits.csv: missing column quantity" in html
    assert "Resync now" in html


def test_resync_now_queues_one_run_and_returns_it_polling(admin_client):
    headers = HX | {"HX-Target": "sync-history"}
    first = admin_client.post("/admin/sync", headers=headers)
    second = admin_client.post("/admin/sync", headers=headers)
    assert first.status_code == second.status_code == 200
    runs = db.session.scalars(sa.select(SyncRun)).all()
    assert len(runs) == 1
    run = runs[0]
    assert (run.status, run.trigger, run.requested_by.email) == (
        "queued",
        "admin",
        "admin@example.org",
    )
    html = second.get_data(as_text=True)
    assert html.lstrip().startswith('<section id="sync-history"')
    assert f'id="sync-run-{run.id}"' in html
    assert 'hx-trigger="every 2s"' in html
    assert "admin@example.org" in html


def test_resync_without_javascript_redirects_back_to_the_page(admin_client):
    response = admin_client.post("/admin/sync")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/sync")
    page = admin_client.get("/admin/sync").get_data(as_text=True)
    assert "Resync queued" in page


@pytest.mark.csrf
def test_resync_without_csrf_token_is_refused(admin_client):
    assert admin_client.post("/admin/sync").status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SyncRun)) == 0


def test_an_active_row_polls_and_a_finished_row_stops(admin_client):
    run = SyncRun(status="running", trigger="admin", step="merge", progress={"projects": 240})
    db.session.add(run)
    db.session.commit()
    headers = HX | {"HX-Target": f"sync-run-{run.id}"}
    running = admin_client.get(f"/admin/sync/runs/{run.id}", headers=headers)
    html = running.get_data(as_text=True)
    assert running.status_code == 200
    assert html.lstrip().startswith(f'<tr id="sync-run-{run.id}"')
    assert 'hx-trigger="every 2s"' in html
    assert "<progress" in html
    assert "merge" in html
    assert "projects: 240" in html

    run.status, run.finished_at, run.credit_rows = "succeeded", utcnow(), 4321
    db.session.commit()
    done = admin_client.get(f"/admin/sync/runs/{run.id}", headers=headers)
    html = done.get_data(as_text=True)
    assert done.status_code == 286  # htmx stops polling
    assert "hx-trigger" not in html
    assert "4,321" in html
    assert "HX-Target" in done.headers["Vary"]


def test_a_run_page_is_a_full_page_on_a_plain_request(admin_client):
    run = SyncRun(status="failed", trigger="cli", message="boom", report={"projects": 3})
    db.session.add(run)
    db.session.commit()
    html = admin_client.get(f"/admin/sync/runs/{run.id}").get_data(as_text=True)
    assert "<html" in html
    assert f"Sync run {run.id}" in html
    assert admin_client.get("/admin/sync/runs/999999").status_code == 404


def test_upload_queues_an_offline_run_from_the_saved_files(admin_client, app):
    data = {
        "files": [
            (io.BytesIO(b"project_id,name\nVCS1,A\n"), "projects.csv"),
            (io.BytesIO(b"project_id,quantity\n"), "credits.csv"),
        ]
    }
    response = admin_client.post(
        "/admin/sync/upload",
        data=data,
        content_type="multipart/form-data",
        headers=HX | {"HX-Target": "sync-history"},
    )
    assert response.status_code == 200
    run = db.session.scalars(sa.select(SyncRun)).one()
    assert run.status == "queued"
    saved = sorted(path.name for path in Path(run.source_dir).iterdir())
    assert saved == ["credits.csv", "projects.csv"]
    assert run.source_dir.startswith(app.instance_path)


def test_upload_refuses_other_file_types(admin_client):
    data = {"files": [(io.BytesIO(b"#!/bin/sh"), "evil.sh")]}
    response = admin_client.post(
        "/admin/sync/upload",
        data=data,
        content_type="multipart/form-data",
        headers=HX | {"HX-Target": "sync-history"},
    )
    assert response.status_code == 422
    assert "evil.sh: only .zip, .csv, .xlsx, .parquet files can be uploaded" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SyncRun)) == 0


def test_upload_larger_than_the_limit_is_refused(admin_client, app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    data = {"files": [(io.BytesIO(b"x" * 4096), "projects.csv")]}
    response = admin_client.post(
        "/admin/sync/upload", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 413
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SyncRun)) == 0


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<html>not a zip</html>", "offsets-db.csv.zip"),
        (b"project_id,name\n", "vrod.xlsx"),
        (b"PK\x03\x04 a zip", "vrod.parquet"),
        (b"PK\x03\x04\x00\x00\x00", "projects.csv"),
        (b"", "projects.csv"),
    ],
)
def test_upload_refuses_content_that_is_not_what_its_name_says(admin_client, content, name):
    data = {"files": [(io.BytesIO(content), name)]}
    response = admin_client.post(
        "/admin/sync/upload",
        data=data,
        content_type="multipart/form-data",
        headers=HX | {"HX-Target": "sync-history"},
    )
    assert response.status_code == 422
    suffix = Path(name).suffix
    assert f"{name}: the content is not a {suffix} file." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SyncRun)) == 0
