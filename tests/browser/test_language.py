"""Switching the interface's language in a real browser: the same page, the same search, and
the HTMX swaps that follow speak the chosen language."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.factories import make_project

ROWS = "#catalog-results .results-table tbody tr"


def test_switching_to_korean_keeps_the_search_and_swaps_stay_korean(page, live_server):
    with live_server.app.app_context():
        make_project("VCS191", name="Kariba Forest", country="Zimbabwe")
        make_project("VCS192", name="Mai Ndombe Forest", country="Congo")
        make_project("GLD561", registry="GLD", name="Cookstoves", country="Kenya")
    page.goto(f"{live_server.url}/projects?q=forest")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Projects")
    expect(page.locator(ROWS)).to_have_count(2)

    page.get_by_role("button", name="한국어").click()
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    expect(page).to_have_url(re.compile(r"/projects\?q=forest$"))
    expect(page.locator("h1")).to_have_text("프로젝트")
    expect(page.locator("#search-q")).to_have_value("forest")
    expect(page.locator(ROWS)).to_have_count(2)
    expect(page.locator("#results-heading")).to_contain_text("프로젝트 2개")

    page.locator('#facet-country input[value="Zimbabwe"]').check()
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/projects\?q=forest&country=Zimbabwe$"))
    expect(page.locator(".chips")).to_contain_text("국가: Zimbabwe")
    expect(page.locator("#results-heading")).to_contain_text("프로젝트 1개")
    expect(page.locator(".facets")).not_to_contain_text("Credits and vintages")

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/projects\?q=forest&country=Zimbabwe$"))
    expect(page.locator("h1")).to_have_text("Projects")
    expect(page.locator(".chips")).to_contain_text("Country: Zimbabwe")
    expect(page.locator(ROWS)).to_have_count(1)
