"""Proposals in the browser: support, withdraw and comment in place; sign in and come back."""

from __future__ import annotations

import re

import pytest

from tests.factories import DEFAULT_PASSWORD, make_project, make_user


@pytest.fixture
def proposal(live_server):
    with live_server.app.app_context():
        owner = make_user(email="owner@example.org")
        project = make_project(owner=owner, name="Solar mini-grids in Malawi", country="Malawi")
        make_user(email="fan@example.org")
        return {"project_id": project.project_id, "id": project.id}


def sign_in(page, live_server, email: str, next_path: str) -> None:
    page.goto(f"{live_server.url}/auth/login?next={next_path}")
    fill_sign_in_form(page, email)


def fill_sign_in_form(page, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()


def mark_the_page(page) -> None:
    """A value on window that a page reload would wipe out."""
    page.evaluate("window.__proposalsMarker = 'still here'")


def assert_not_reloaded(page) -> None:
    assert page.evaluate("window.__proposalsMarker") == "still here"


def counts(page, selector: str) -> list[str]:
    return [text.strip() for text in page.locator(selector).all_inner_texts()]


def test_support_and_withdraw_without_a_reload(page, live_server, proposal):
    project_path = f"/projects/{proposal['project_id']}"
    sign_in(page, live_server, "fan@example.org", project_path)
    page.wait_for_url(re.compile(re.escape(project_path) + "$"))
    mark_the_page(page)
    support_counts = f".support-count-{proposal['id']}"
    assert counts(page, support_counts) == ["0", "0"]

    page.get_by_role("button", name="Support this proposal").click()
    withdraw = page.get_by_role("button", name="Supported — withdraw my support")
    withdraw.wait_for()
    page.wait_for_function(
        "s => [...document.querySelectorAll(s)].every(e => e.textContent.trim() === '1')",
        arg=support_counts,
    )
    assert counts(page, support_counts) == ["1", "1"]  # the button and the discussion header
    assert_not_reloaded(page)

    withdraw.click()
    page.get_by_role("button", name="Support this proposal").wait_for()
    page.wait_for_function(
        "s => [...document.querySelectorAll(s)].every(e => e.textContent.trim() === '0')",
        arg=support_counts,
    )
    assert_not_reloaded(page)


def test_add_a_comment_and_see_it_appear(page, live_server, proposal):
    problems = []
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico")
            else None
        ),
    )
    project_path = f"/projects/{proposal['project_id']}"
    sign_in(page, live_server, "fan@example.org", project_path)
    page.wait_for_url(re.compile(re.escape(project_path) + "$"))
    mark_the_page(page)

    page.get_by_label("Add a comment").fill(
        "Which villages first?\nDetails: https://example.org/plan"
    )
    page.get_by_role("button", name="Post comment").click()
    comment = page.locator(".comments .comment").first
    comment.wait_for()
    assert "Which villages first?" in comment.inner_text()
    assert comment.get_by_role("link", name="https://example.org/plan").get_attribute("rel") == (
        "nofollow noopener ugc"
    )
    assert counts(page, f".comment-count-{proposal['id']}") == ["1"]
    assert page.get_by_label("Add a comment").input_value() == ""
    assert_not_reloaded(page)
    assert problems == []  # no CSP violation, no script error


def test_anonymous_click_lands_on_sign_in_and_returns(page, live_server, proposal):
    project_path = f"/projects/{proposal['project_id']}"
    page.goto(live_server.url + project_path)
    page.get_by_role("button", name="Support this proposal").click()
    page.wait_for_url(re.compile(r"/auth/login\?next="))
    assert page.locator("h1").inner_text() == "Sign in"

    fill_sign_in_form(page, "fan@example.org")
    back = re.escape(project_path) + r"\?intent=support(#proposal-support)?$"
    page.wait_for_url(re.compile(back))
    # The click is kept: one confirm (the same CSRF-protected form) completes it.
    assert "Confirm your support" in page.locator("#proposal-support").inner_text()
    page.get_by_role("button", name="Yes, support this proposal").click()
    page.get_by_role("button", name="Supported — withdraw my support").wait_for()
    assert counts(page, f".support-count-{proposal['id']}") == ["1", "1"]
