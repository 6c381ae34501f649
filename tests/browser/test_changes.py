"""What changed, in the browser: filter /changes by facets; follow and unfollow in place."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_proposals import assert_not_reloaded, mark_the_page, sign_in
from tests.changes.conftest import make_change
from tests.factories import make_project, make_user


@pytest.fixture
def market(live_server):
    with live_server.app.app_context():
        kenya = make_project("VCS100", name="Kenya Stoves", country="Kenya")
        peru = make_project("GLD200", registry="GLD", name="Peru Forest", country="Peru")
        make_change(kenya, "issuance", quantity=5000, vintage=2023)
        make_change(peru, "status", field="status", old_value="Listed", new_value="Registered")
        make_change(kenya, "retirement", quantity=70, beneficiary="Acme", beneficiary_key="acme")
        make_user(email="reader@example.org")


def shown_summaries(page) -> list[str]:
    return [text.strip() for text in page.locator("#change-list .change-summary").all_inner_texts()]


@pytest.mark.usefixtures("market")
def test_facets_filter_changes_in_place_and_the_url_keeps_them(page, live_server):
    page.goto(f"{live_server.url}/changes")
    mark_the_page(page)
    assert len(shown_summaries(page)) == 3
    page.locator("#facet-kind").get_by_label("Status changed").check()
    page.wait_for_url(re.compile(r"/changes\?kind=status$"))
    page.locator("#change-list .change").first.wait_for()
    page.wait_for_function("document.querySelectorAll('#change-list .change').length === 1")
    assert shown_summaries(page) == ["Status Listed → Registered"]
    assert_not_reloaded(page)
    # The chip removes the filter again.
    page.get_by_role("link", name=re.compile("Kind of change: Status changed")).click()
    page.wait_for_url(re.compile(r"/changes$"))
    page.wait_for_function("document.querySelectorAll('#change-list .change').length === 3")
    page.locator("#facet-country").get_by_label("Kenya").check()
    page.wait_for_url(re.compile(r"/changes\?country=Kenya$"))
    page.wait_for_function("document.querySelectorAll('#change-list .change').length === 2")
    # A pushed URL answers a full page: reload shows the same filtered list.
    page.reload()
    assert shown_summaries(page) == [
        "Retired 70 credits for Acme",
        "Issued 5,000 credits of vintage 2023",
    ]


@pytest.mark.usefixtures("market")
def test_follow_and_unfollow_a_project_without_a_reload(page, live_server):
    sign_in(page, live_server, "reader@example.org", "/projects/VCS100")
    page.wait_for_url(re.compile(r"/projects/VCS100$"))
    mark_the_page(page)
    history = page.locator("#history")
    history.get_by_role("button", name="Follow").click()
    history.get_by_role("button", name=re.compile("Following")).wait_for()
    assert_not_reloaded(page)
    page.goto(f"{live_server.url}/account")
    assert "VCS100" in page.locator("#follow-list").inner_text()
    page.goto(f"{live_server.url}/projects/VCS100")
    mark_the_page(page)
    page.locator("#history").get_by_role("button", name=re.compile("Following")).click()
    page.locator("#history").get_by_role("button", name="Follow", exact=True).wait_for()
    assert_not_reloaded(page)
    page.goto(f"{live_server.url}/account")
    assert page.locator("#follow-list").count() == 0


@pytest.mark.usefixtures("market")
def test_follow_a_search_from_the_changes_page(page, live_server):
    sign_in(page, live_server, "reader@example.org", "/changes?country=Kenya")
    page.wait_for_url(re.compile(r"/changes\?country=Kenya$"))
    page.get_by_role("button", name="Follow this search").click()
    page.get_by_role("button", name=re.compile("Following")).wait_for()
    page.goto(f"{live_server.url}/account")
    assert "Changes: Country: Kenya" in page.locator("#follow-list").inner_text()
