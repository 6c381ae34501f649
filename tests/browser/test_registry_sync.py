"""An admin queues one registry's sync from /admin/sync and sees it in the history at once."""

from __future__ import annotations

from datetime import UTC, datetime

from app.extensions import db
from app.models import SourceState
from tests.factories import DEFAULT_PASSWORD, make_user


def test_admin_queues_one_registry_and_sees_its_run_and_staleness(page, live_server, browser_app):
    with browser_app.app_context():
        make_user(email="admin@example.org", role="admin")
        db.session.add(
            SourceState(
                source="car",
                as_of=datetime(2026, 11, 30, 3, 10, tzinfo=UTC),
                last_error="CAR report 206: the CSV holds 50 rows, the report page counts 53",
            )
        )
        db.session.commit()
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(live_server.url + "/admin/sync")
    page.wait_for_url("**/auth/login**")
    page.get_by_label("Email").fill("admin@example.org")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/admin/sync")

    car = page.locator("#registry-status tr[data-registry='car']")
    assert "Stale since 30 Nov 2026, 03:10 UTC" in car.inner_text()
    assert "the report page counts 53" in car.inner_text()
    page.evaluate("window.__samePage = true")

    page.get_by_role("button", name="Sync Verra now").click()
    row = page.locator("#sync-history tbody tr").first
    row.wait_for()
    assert "registries: verra" in row.inner_text()
    assert row.get_attribute("data-status") == "queued"
    assert page.evaluate("window.__samePage") is True

    page.get_by_role("button", name="Sync CAR now").click()
    page.get_by_text("is already queued; queue CAR again once it has started").wait_for()
    assert violations == []
