"""One user's path: register, sign in, add a project, edit it inline, find it, delete it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.factories import make_project

EMAIL = "grace@example.org"
PASSWORD = "moss granite lantern"


def test_register_sign_in_create_edit_inline_find_and_delete(page, live_server):
    with live_server.app.app_context():
        make_project("VCS191", country="Kenya", methodology="VM0007 REDD+ Methodology Framework")
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    url = live_server.url

    # Register: the fields are checked as the user types.
    page.goto(url + "/auth/register")
    page.get_by_label("Email").fill(EMAIL)
    expect(page.locator("#email-message")).to_have_text("This email is free to use.")
    page.get_by_label("Password").fill("short")
    expect(page.locator("#password-message")).to_contain_text("Use at least 10 characters")
    page.get_by_label("Password").fill(PASSWORD)
    expect(page.locator("#password-message")).to_have_text("Good: that password will do.")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(url + "/account/projects")
    expect(page.get_by_text("Your account is ready")).to_be_visible()

    # Sign out, then sign in again.
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
    page.goto(url + "/auth/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#login-error")).to_contain_text("don't match")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Keep me signed in on this device").check()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/account/projects")

    # Create a project; the methodology is suggested from the catalogue as one types.
    page.get_by_role("link", name="Add a project").click()
    page.get_by_label("Project name").fill("Lake Turkana Mangroves")
    page.get_by_label("Country").select_option("Kenya")
    page.get_by_label("Methodology").press_sequentially("vm0007")
    expect(page.locator("#methodology-options option")).to_have_count(1)
    page.get_by_label("Methodology").fill("VM0007 REDD+ Methodology Framework")
    page.get_by_label("Expected annual credits").fill("12000")
    page.get_by_role("button", name="Add project").click()
    page.wait_for_url(url + "/account/projects")
    row = page.locator("#my-projects tbody tr").first
    expect(row).to_contain_text("Lake Turkana Mangroves")
    project_id = row.locator(".mono").first.inner_text().strip()
    assert re.fullmatch(r"COMMUNITY-\d+", project_id)

    # Edit it inline on its project page: the section swaps to a form and back.
    page.goto(f"{url}/projects/{project_id}")
    page.evaluate("window.__stillThisPage = true")
    section = page.locator("#community-edit")
    section.get_by_role("link", name="Edit").click()
    expect(section.get_by_label("Project name")).to_have_value("Lake Turkana Mangroves")
    section.get_by_label("Project name").fill("Lake Turkana Blue Carbon")
    section.get_by_role("button", name="Save changes").click()
    expect(page.locator("#community-edit")).to_contain_text("Saved.")
    expect(page.locator("#community-edit .project-name")).to_have_text("Lake Turkana Blue Carbon")
    assert page.evaluate("window.__stillThisPage") is True

    # Find it in the catalogue under the Community facet.
    page.goto(url + "/projects?registry=COMMUNITY")
    expect(page.get_by_role("link", name="Lake Turkana Blue Carbon")).to_be_visible()
    expect(page.get_by_text("VCS191")).to_have_count(0)

    # Delete it from the list: a confirmation, then the row goes in place.
    page.goto(url + "/account/projects")
    page.evaluate("window.__stillThisPage = true")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#my-projects").get_by_role("link", name="Delete").click()
    expect(page.locator("#my-projects tbody")).to_have_count(0)
    assert page.evaluate("window.__stillThisPage") is True
    page.reload()
    expect(page.locator("p.empty")).to_contain_text("added a project yet")

    assert violations == []
