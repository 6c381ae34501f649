"""The catalogue in a real browser: facets and search swap results in place; charts draw."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.factories import make_credit, make_project

ROWS = "#catalog-results .results-table tbody tr"


def _facet_count(page, facet: str, value: str):
    return page.locator(f'#facet-{facet} input[value="{value}"] ~ .facet-count')


def test_ticking_a_registry_swaps_results_in_place_and_back_restores_them(page, live_server):
    with live_server.app.app_context():
        for number in range(3):
            make_project(f"VCS{number + 1}", country="Brazil")
        make_project("GLD1", registry="GLD", country="Brazil")
        make_project("GLD2", registry="GLD", country="Kenya")
    page.goto(f"{live_server.url}/projects")
    expect(page.locator(ROWS)).to_have_count(5)
    expect(_facet_count(page, "country", "Brazil")).to_have_text("4")
    page.evaluate("window.__marker = 'still here'")

    page.locator('#facet-registry input[value="GLD"]').check()
    expect(page.locator(ROWS)).to_have_count(2)
    expect(page).to_have_url(re.compile(r"/projects\?registry=GLD$"))
    expect(_facet_count(page, "country", "Brazil")).to_have_text("1")
    expect(page.locator(".chips")).to_contain_text("Registry: Gold Standard")
    assert page.evaluate("window.__marker") == "still here"

    page.go_back()
    expect(page).to_have_url(re.compile(r"/projects$"))
    expect(page.locator(ROWS)).to_have_count(5)
    expect(page.locator('#facet-registry input[value="GLD"]')).not_to_be_checked()


def test_typing_in_the_search_box_narrows_the_results_after_a_pause(page, live_server):
    with live_server.app.app_context():
        make_project("VCS191", name="Kariba REDD+ Forest")
        make_project("VCS2", name="Wind farm")
        make_project("GLD3", registry="GLD", name="Cookstoves")
    page.goto(f"{live_server.url}/projects")
    expect(page.locator(ROWS)).to_have_count(3)
    page.evaluate("window.__marker = 1")
    page.locator("#search-q").press_sequentially("karib", delay=40)
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator(ROWS)).to_contain_text("VCS191")
    expect(page).to_have_url(re.compile(r"q=karib"))
    expect(page.locator("#search-q")).to_be_focused()
    assert page.evaluate("window.__marker") == 1


def test_a_project_page_draws_one_bar_group_per_year(page, live_server):
    with live_server.app.app_context():
        project = make_project("VCS191", name="Kariba", issued=600, retired=100)
        make_credit(project, year=2018, quantity=300)
        make_credit(project, year=2019, quantity=200)
        make_credit(project, year=2021, quantity=100)
        make_credit(project, year=2021, kind="retirement", quantity=100)
    page.goto(f"{live_server.url}/projects/VCS191")
    groups = page.locator("#credit-chart svg .bar-group")
    expect(groups).to_have_count(4)
    labels = groups.evaluate_all("nodes => nodes.map(n => n.dataset.label)")
    assert labels == ["2018", "2019", "2020", "2021"]
    expect(
        page.locator('#credit-chart svg rect[data-series="Retirement"][data-value="100"]')
    ).to_have_count(1)


def test_ticking_a_facet_with_the_keyboard_keeps_the_focus_on_it(page, live_server):
    with live_server.app.app_context():
        make_project("VCS1", country="Peru")
        make_project("GLD1", registry="GLD", country="Chile")
    page.goto(f"{live_server.url}/projects")
    checkbox = '#facet-registry input[value="GLD"]'
    page.locator(checkbox).focus()
    page.keyboard.press("Space")
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator(checkbox)).to_be_checked()
    expect(page.locator(checkbox)).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator(ROWS)).to_have_count(2)
    expect(page).to_have_url(re.compile(r"/projects$"))


def test_back_restores_the_sort_and_search_box_the_url_was_fetched_with(page, live_server):
    with live_server.app.app_context():
        make_project("VCS1", name="Kariba", issued=5)
        make_project("VCS2", name="Karibu", issued=50)
        make_project("GLD1", registry="GLD", name="Kariba stoves", issued=500)
    page.goto(f"{live_server.url}/projects")
    page.locator("#search-q").fill("kari")
    page.locator("#search-q").press("Enter")
    expect(page).to_have_url(re.compile(r"\?q=kari$"))
    page.select_option("#sort", "issued-desc")
    expect(page).to_have_url(re.compile(r"\?q=kari&sort=issued$"))
    page.locator('#facet-registry input[value="VCS"]').check()
    expect(page).to_have_url(re.compile(r"registry=VCS"))
    expect(page.locator(ROWS)).to_have_count(2)

    page.go_back()
    expect(page).to_have_url(re.compile(r"\?q=kari&sort=issued$"))
    expect(page.locator("#sort")).to_have_value("issued-desc")
    expect(page.locator("#search-q")).to_have_value("kari")
    # The next change sends the fields as shown, so the sort and search stay.
    page.locator('#facet-registry input[value="GLD"]').check()
    expect(page).to_have_url(re.compile(r"\?q=kari&registry=GLD&sort=issued$"))
    expect(page.locator(ROWS)).to_have_count(1)


def test_paging_with_the_keyboard_keeps_the_focus_on_the_pager(page, live_server):
    with live_server.app.app_context():
        for number in range(55):
            make_project(f"ACR{number + 1}", registry="ACR", name=f"Project {number:02d}")
    page.goto(f"{live_server.url}/projects")
    page.evaluate("window.__marker = 'no reload'")
    page.locator("#pager-next").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/projects\?page=2$"))
    expect(page.locator(ROWS)).to_have_count(5)
    expect(page.locator("#pager-next")).to_be_focused()
    # htmx binds the new links once the swap settles; a key pressed sooner follows the href.
    expect(page.locator(".htmx-added, .htmx-settling")).to_have_count(0)
    page.keyboard.press("Shift+Tab")  # to "Previous"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/projects$"))
    expect(page.locator("#pager-prev")).to_be_focused()
    assert page.evaluate("window.__marker") == "no reload"
