"""An admin works through the cross-registry suggestions: confirm one, reject another."""

from __future__ import annotations

import re

from app.links.store import refresh_links
from tests.browser.test_proposals import assert_not_reloaded, mark_the_page, sign_in
from tests.factories import make_project, make_user


def make_suggestions() -> None:
    make_project(
        "GLD3015",
        registry="GLD",
        name="Za Hung Hydropower Project",
        country="Viet Nam",
        project_type="Hydropower",
    )
    make_project(
        "VCS900", name="Za Hung Hydropower Project", country="Viet Nam", project_type="Hydropower"
    )
    make_project(
        "GLD3016",
        registry="GLD",
        name="Nam Ngan Hydropower Project",
        country="Viet Nam",
        project_type="Hydropower",
    )
    make_project(
        "VCS811", name="Nam Ngan Hydropower Project", country="Viet Nam", project_type="Wind"
    )
    refresh_links()


def test_admin_confirms_and_rejects_suggestions_in_place(page, live_server):
    with live_server.app.app_context():
        make_user(email="admin@example.org", role="admin")
        make_suggestions()
    sign_in(page, live_server, "admin@example.org", "/admin/links")
    page.wait_for_url(re.compile(r"/admin/links$"))
    mark_the_page(page)
    waiting = page.locator("#links-waiting")
    assert waiting.inner_text() == "2 suggestions waiting"

    best = page.locator(".link-suggestion").first
    assert "GLD3015" in best.inner_text()  # same type as well as same name: the better score
    best.get_by_label("Reason").fill("Same dam, registered with both")
    best.get_by_role("button", name="Confirm").click()
    decided = page.locator(".link-decided").first
    decided.wait_for()
    assert "confirmed — Same dam, registered with both" in decided.inner_text()
    page.wait_for_function(
        "t => document.querySelector('#links-waiting').textContent.includes(t)",
        arg="1 suggestion waiting",
    )

    other = page.locator(".link-suggestion").first
    other.get_by_role("button", name="Reject").click()
    error = page.locator(".link-suggestion .form-error")
    error.wait_for()
    assert "Say why" in error.inner_text()
    page.locator(".link-suggestion").first.get_by_label("Reason").fill("A wind farm, not the dam")
    page.locator(".link-suggestion").first.get_by_role("button", name="Reject").click()
    page.wait_for_function("() => document.querySelectorAll('.link-decided').length === 2")
    assert "rejected" in page.locator(".link-decided").nth(1).inner_text()
    assert waiting.inner_text() == "0 suggestions waiting"
    assert_not_reloaded(page)

    page.goto(f"{live_server.url}/projects/VCS900")
    assert "Also listed as" in page.locator("#also-listed").inner_text()
    assert "confirmed by an admin" in page.locator("#also-listed").inner_text()
    page.goto(f"{live_server.url}/projects/VCS811")
    assert page.locator("#also-listed").count() == 0
