"""Each registry's freshness where users look, and one registry's sync queued by an admin
or by the worker's schedule."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import SourceState, SyncRun, utcnow
from app.worker import build_scheduler, queue_registry_sync
from tests.factories import make_project, make_user
from tests.worker.test_admin_sync import HX, sign_in

AS_OF = datetime(2026, 11, 30, 3, 10, tzinfo=UTC)


@pytest.fixture
def admin_client(client):
    sign_in(client, make_user(role="admin", email="admin@example.org"))
    return client


def states(now=None):
    now = now or utcnow()
    db.session.add_all(
        [
            SourceState(source="verra", as_of=now - timedelta(hours=2), last_success_at=now),
            SourceState(
                source="car",
                as_of=AS_OF,
                last_success_at=AS_OF,
                last_attempt_at=AS_OF + timedelta(days=1),
                last_error="CAR report 206: answered an HTML page with 200 (page: 'Home')",
            ),
        ]
    )
    db.session.commit()


def test_admin_page_says_which_registry_is_stale_since_when_and_why(admin_client):
    states()
    html = admin_client.get("/admin/sync").get_data(as_text=True)
    assert 'data-registry="car" class="freshness-stale"' in html
    assert "Stale</strong> since 30 Nov 2026, 03:10 UTC" in html
    assert "answered an HTML page with 200" in html
    assert "Sync Verra" in html
    assert "never synced" in html  # ACR has no state yet


def test_data_page_and_catalogue_show_each_registrys_freshness(client):
    states()
    data = client.get("/data").get_data(as_text=True)
    assert "registries-title" in data
    assert "CAR</th>" in data
    assert "Stale</strong> since 30 Nov 2026, 03:10 UTC" in data
    catalogue = client.get("/projects").get_data(as_text=True)
    assert "CAR: as of 30 Nov 2026, 03:10 UTC" in catalogue
    assert "(stale: CAR report 206" in catalogue


def test_a_project_page_shows_its_own_registrys_freshness(client):
    states()
    make_project("CAR1335", registry="CAR", name="Coffeyville NAP2")
    make_project("ACR586", registry="ACR", name="18 Reserves")
    html = client.get("/projects/CAR1335").get_data(as_text=True)
    assert "CAR: as of 30 Nov 2026, 03:10 UTC" in html
    assert "Verra: as of" not in html
    # ACR has no data of its own yet: nothing to say on its projects.
    assert "data-registry-freshness" not in client.get("/projects/ACR586").get_data(as_text=True)


def test_admin_queues_one_registrys_sync(admin_client):
    response = admin_client.post(
        "/admin/sync/registries/verra", headers=HX | {"HX-Target": "sync-history"}
    )
    assert response.status_code == 200
    run = db.session.scalar(sa.select(SyncRun))
    assert (run.status, run.registries, run.trigger) == ("queued", "verra", "admin")
    assert "registries: verra" in response.get_data(as_text=True)
    again = admin_client.post(
        "/admin/sync/registries/car", headers=HX | {"HX-Target": "sync-history"}
    )
    assert again.status_code == 409
    assert f"Run {run.id} is already queued" in again.get_data(as_text=True)


def test_admin_queues_without_javascript_and_unknown_registries_are_404(admin_client):
    response = admin_client.post("/admin/sync/registries/car")
    assert response.status_code == 303
    assert "CAR sync queued" in admin_client.get("/admin/sync").get_data(as_text=True)
    assert admin_client.post("/admin/sync/registries/nowhere").status_code == 404


def test_non_admins_cannot_queue_a_registry(client):
    sign_in(client, make_user(role="user"))
    assert client.post("/admin/sync/registries/verra").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SyncRun)) == 0


def test_a_failed_registry_shows_in_its_runs_row(admin_client):
    db.session.add(
        SyncRun(
            status="succeeded",
            trigger="schedule",
            registries="verra,car",
            report={
                "registries": {
                    "outcomes": {
                        "verra": {
                            "label": "Verra",
                            "status": "failed",
                            "message": "HTTP 401 'Invalid API Key'",
                        },
                        "car": {"label": "CAR", "status": "fresh", "message": "fetched whole"},
                    }
                }
            },
        )
    )
    db.session.commit()
    html = admin_client.get("/admin/sync").get_data(as_text=True)
    assert "Verra kept its last good data: HTTP 401" in html
    assert "CAR kept" not in html


def test_scheduled_registry_syncs_join_one_waiting_run(app):
    queue_registry_sync(app, "verra")
    queue_registry_sync(app, "car")
    queue_registry_sync(app, "verra,acr", reconcile=True)
    runs = db.session.scalars(sa.select(SyncRun)).all()
    assert len(runs) == 1
    assert runs[0].registries == "verra,car,acr"
    assert runs[0].reconcile is True


def test_each_registry_has_its_own_cron_and_gold_standard_waits_for_its_api(app):
    jobs = {job.id for job in build_scheduler(app).get_jobs()}
    assert {"registry-verra", "registry-acr", "registry-car", "registry-art"} <= jobs
    assert "registry-reconcile" in jobs
    assert "registry-gold_standard" not in jobs
    app.config["GOLD_STANDARD_API"] = True
    assert "registry-gold_standard" in {job.id for job in build_scheduler(app).get_jobs()}


def test_an_uploaded_gold_standard_export_is_laid_over_the_catalogue(admin_client, app):
    from app.etl.sync import execute_sync
    from tests.etl.registries.servers import EXPORTS

    folder = EXPORTS / "gold-standard"
    data = {
        "files": [
            (io.BytesIO((folder / name).read_bytes()), name)
            for name in ("projects.csv", "issuances.csv", "retirements.csv")
        ]
    }
    response = admin_client.post(
        "/admin/sync/upload",
        data=data,
        content_type="multipart/form-data",
        headers=HX | {"HX-Target": "sync-history"},
    )
    assert response.status_code == 200
    run = db.session.scalar(sa.select(SyncRun))
    finished = execute_sync(run.id)
    assert finished.status == "succeeded", finished.message
    assert finished.report["registries"]["outcomes"]["gold_standard"]["status"] == "fresh"
    html = admin_client.get("/projects/GLD23574").get_data(as_text=True)
    assert "Gold Standard: as of" in html
