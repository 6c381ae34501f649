"""The explorer in a real browser, at a phone's width (390 px) and a laptop's (1366 px):
results first, the filters drawer, sort headers, remembered facets, paging, the search box
racing the pager, the overview and the map, compare, the API reference, and axe-core's
accessibility check (no serious or critical violation) on every main page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import unavailable
from tests.factories import make_credit, make_project

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
ROWS = "#catalog-results .results-table tbody tr"
COUNTRIES = ("Peru", "Brazil", "India", "Kenya", "China", "United States")


@pytest.fixture
def market(live_server):
    """60 projects in six countries, with credits over a few years."""
    with live_server.app.app_context():
        for number in range(60):
            project = make_project(
                f"VCS{number + 1}",
                name=f"Project {number:02d} {'river' if number % 6 == 0 else 'forest'}",
                country=COUNTRIES[number % len(COUNTRIES)],
                issued=1000 * (number + 1),
                retired=400 * (number + 1),
                first_vintage=2018,
                last_vintage=2021,
            )
            if number < 6:
                make_credit(project, kind="issuance", quantity=1000 * (number + 1), year=2019)
                make_credit(project, kind="retirement", quantity=400 * (number + 1), year=2021)
    return live_server


def at(page, viewport: dict):
    page.set_viewport_size(viewport)
    return page


def serious_accessibility_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page (axe from npm's axe-core)."""
    if not AXE.exists():
        unavailable(f"axe-core is not installed at {AXE} (make setup)")
    # Evaluated through the DevTools protocol, so the page's strict CSP stays on.
    page.evaluate(AXE.read_text() + "\n;0")
    return page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ["violations"]});
          return result.violations
            .filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
        }"""
    )


def test_on_a_phone_results_come_first_and_filters_are_one_tap_away(page, market):
    at(page, PHONE).goto(f"{market.url}/projects")
    heading = page.locator("#results-heading").bounding_box()
    assert heading["y"] < PHONE["height"]  # the results start on the first screen
    first_card = page.locator(ROWS).first
    expect(first_card.locator('td[data-label="Issued"]')).to_be_visible()
    expect(first_card.locator('td[data-label="Retired"]')).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    expect(page.locator("#facet-country")).not_to_be_visible()
    page.get_by_text("Filters", exact=True).click()
    expect(page.locator("#facet-country")).to_be_visible()
    page.locator('#facet-country input[value="Peru"]').check()
    expect(page).to_have_url(re.compile(r"\?country=Peru$"))
    expect(page.locator(ROWS)).to_have_count(10)
    # The drawer stays open while its choices refresh the results, and counts them.
    expect(page.locator("#facet-country")).to_be_visible()
    expect(page.locator(".filters-toggle")).to_have_text("Filters (1)")


def test_on_a_laptop_the_filters_stand_beside_the_results(page, market):
    at(page, LAPTOP).goto(f"{market.url}/projects")
    expect(page.locator(".filters-toggle")).to_be_hidden()
    expect(page.locator("#facet-country")).to_be_visible()
    expect(page.locator("#overview-chart-svg")).to_be_visible()
    expect(page.locator("#world-map")).to_be_visible()
    assert page.locator("#facet-country").bounding_box()["x"] < 400
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]


def test_a_column_header_sorts_in_place_and_a_second_click_reverses(page, market):
    at(page, LAPTOP).goto(f"{market.url}/projects")
    page.evaluate("window.__marker = 'no reload'")
    page.locator("#sort-issued").click()
    expect(page).to_have_url(re.compile(r"\?sort=issued$"))
    expect(page.locator(ROWS).first).to_have_attribute("data-project-id", "VCS60")
    page.locator("#sort-issued").click()
    expect(page).to_have_url(re.compile(r"\?sort=issued&order=asc$"))
    expect(page.locator(ROWS).first).to_have_attribute("data-project-id", "VCS1")
    expect(page.locator("#sort")).to_have_value("issued-asc")
    assert page.evaluate("window.__marker") == "no reload"


def test_a_collapsed_facet_stays_collapsed_after_a_swap_and_a_reload(page, market):
    at(page, LAPTOP).goto(f"{market.url}/projects")
    page.locator('details[data-facet="country"] > summary').click()
    expect(page.locator("#facet-country")).to_be_hidden()
    page.locator('#facet-registry input[value="VCS"]').check()
    expect(page).to_have_url(re.compile(r"registry=VCS"))
    expect(page.locator("#facet-country")).to_be_hidden()
    page.reload()
    expect(page.locator("#facet-country")).to_be_hidden()
    page.locator('details[data-facet="country"] > summary').click()
    expect(page.locator("#facet-country")).to_be_visible()


def test_the_bottom_pager_brings_the_view_to_the_top_of_the_new_page(page, market):
    at(page, PHONE).goto(f"{market.url}/projects")
    page.locator("#pager-next").scroll_into_view_if_needed()
    page.locator("#pager-next").click()
    expect(page).to_have_url(re.compile(r"\?page=2$"))
    expect(page.locator(ROWS)).to_have_count(10)
    page.wait_for_function(
        "() => document.getElementById('catalog-results').getBoundingClientRect().top > -5"
    )
    assert page.locator("#catalog-results").bounding_box()["y"] < PHONE["height"] / 2


def test_typing_then_clicking_next_keeps_the_text_and_the_newest_request_wins(page, market):
    at(page, LAPTOP).goto(f"{market.url}/projects")
    page.locator("#search-q").type("river")
    page.locator("#pager-next").click()  # within the search box's 300 ms pause
    expect(page.locator("#search-q")).to_have_value("river")
    expect(page).to_have_url(re.compile(r"\?q=river$"))
    expect(page.locator(ROWS)).to_have_count(10)
    expect(page.locator("#search-q")).to_have_value("river")


def test_a_country_on_the_map_adds_its_filter(page, market):
    at(page, LAPTOP).goto(f"{market.url}/projects?registry=VCS")
    page.locator('#world-map a[aria-label^="Kenya:"]').click()
    expect(page).to_have_url(re.compile(r"\?registry=VCS&country=Kenya$"))
    expect(page.locator(ROWS)).to_have_count(10)
    expect(page.locator('#world-map use[data-country="Kenya"]')).to_have_class("selected")
    expect(page.locator('[data-total="projects"]')).to_have_text("10")


def test_the_chart_and_map_load_after_the_results_and_follow_each_search(page, market):
    at(page, LAPTOP).goto(f"{market.url}/projects")
    expect(page.locator(ROWS)).to_have_count(50)
    expect(page.locator("#overview-chart-svg")).to_be_visible()
    expect(page.locator('#world-map a[aria-label="Brazil: 10 projects"]')).to_have_count(1)
    page.locator("#search-q").fill("river")  # every river project is in Peru
    page.locator("#search-q").press("Enter")
    expect(page).to_have_url(re.compile(r"\?q=river$"))
    # The new results load their own chart and map.
    expect(page.locator('#world-map a[aria-label="Peru: 10 projects"]')).to_have_count(1)
    expect(page.locator('#world-map a[aria-label^="Brazil:"]')).to_have_count(0)
    expect(page.locator(".htmx-request")).to_have_count(0)  # every swap has settled
    page.locator(".map-measure-link").click()
    expect(page).to_have_url(re.compile(r"\?q=river&map=credits$"))
    expect(page.locator(".map-measure-current")).to_have_text("Credits issued")
    expect(page.locator(ROWS)).to_have_count(10)
    # The next search keeps the measure chosen, as it keeps the sort.
    page.locator("#search-q").fill("forest")
    page.locator("#search-q").press("Enter")
    expect(page).to_have_url(re.compile(r"\?q=forest&map=credits$"))
    expect(page.locator(ROWS)).to_have_count(50)
    expect(page.locator(".map-measure-current")).to_have_text("Credits issued")


def test_without_javascript_the_chart_and_map_are_one_link_away(browser, market):
    context = browser.new_context(java_script_enabled=False, viewport=LAPTOP)
    page = context.new_page()
    page.goto(f"{market.url}/projects?country=Peru")
    expect(page.locator(ROWS)).to_have_count(10)
    expect(page.locator("#world-map")).to_have_count(0)
    page.get_by_role("link", name="Credits by year and map of these projects").click()
    expect(page).to_have_url(re.compile(r"/projects/overview\?country=Peru$"))
    expect(page.locator("#world-map")).to_be_visible()
    page.get_by_role("link", name="Credits issued").click()
    expect(page).to_have_url(re.compile(r"/projects/overview\?country=Peru&map=credits$"))
    expect(page.locator(".map-measure-current")).to_have_text("Credits issued")
    page.get_by_role("link", name=re.compile("Back to the 10 projects")).click()
    expect(page).to_have_url(re.compile(r"/projects\?country=Peru&map=credits$"))
    context.close()


def test_tick_two_projects_and_compare_them_side_by_side(page, market):
    at(page, PHONE).goto(f"{market.url}/projects")
    page.locator('input[form="compare-form"][value="VCS1"]').check()
    page.locator('input[form="compare-form"][value="VCS2"]').check()
    expect(page).to_have_url(re.compile(r"/projects$"))  # ticking asks for no new search
    page.locator(".compare-submit").click()
    expect(page).to_have_url(re.compile(r"/compare\?ids=VCS1&ids=VCS2$"))
    expect(page.locator(".compare-card")).to_have_count(2)
    page.locator("#compare-add-id").fill("VCS3")
    page.locator("#compare-add-id").press("Enter")
    expect(page.locator(".compare-card")).to_have_count(3)
    page.get_by_role("link", name="Remove VCS1").click()
    expect(page.locator(".compare-card")).to_have_count(2)
    expect(page).to_have_url(re.compile(r"/compare\?ids=VCS2,VCS3$"))


def test_without_javascript_the_form_lands_on_the_canonical_url(browser, market):
    context = browser.new_context(java_script_enabled=False, viewport=LAPTOP)
    page = context.new_page()
    page.goto(f"{market.url}/projects")
    page.locator("#search-q").fill("river")
    page.locator("#search-q").press("Enter")
    expect(page).to_have_url(re.compile(r"/projects\?q=river$"))
    expect(page.locator(ROWS)).to_have_count(10)
    context.close()


def test_the_api_reference_renders_with_the_strict_csp(page, live_server):
    problems = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    at(page, LAPTOP).goto(f"{live_server.url}/api/v1/docs")
    expect(page.locator(".swagger-ui .opblock-summary-path").first).to_be_visible()
    expect(page.locator("details.api-endpoints")).not_to_have_attribute("open", "")
    assert problems == []


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390px", "1366px"])
def test_main_pages_have_no_serious_accessibility_violations(page, market, viewport):
    paths = [
        "/",
        "/projects",
        "/projects?country=Peru&sort=issued",
        "/projects/VCS1",
        "/compare?ids=VCS1,VCS2",
        "/stats",
        "/proposals",
        "/auth/login",
        "/api/v1/docs",
    ]
    found = {}
    for path in paths:
        at(page, viewport).goto(market.url + path, wait_until="networkidle")
        violations = serious_accessibility_violations(page)
        if violations:
            found[path] = violations
    assert found == {}, "\n".join(f"{path}: {found[path]}" for path in found)


def test_on_a_phone_the_project_chart_takes_the_width_with_readable_labels(page, market):
    at(page, PHONE).goto(f"{market.url}/projects/VCS1")
    chart = page.locator("#credit-chart-svg")
    expect(chart).to_be_visible()
    assert chart.bounding_box()["width"] >= 280
    label_height = page.evaluate(
        "() => document.querySelector('#credit-chart-svg .bar-group text')"
        ".getBoundingClientRect().height"
    )
    assert label_height >= 9  # on screen, in CSS pixels


FAILURE = "VROD: the PROJECTS sheet lacks the column 'Project ID'"


def test_the_admin_sync_history_fits_a_laptop_screen(page, live_server):
    from datetime import UTC, datetime, timedelta

    from app.extensions import db
    from app.models import SyncRun
    from tests.factories import DEFAULT_PASSWORD, make_user

    with live_server.app.app_context():
        admin = make_user(email="a.very.long.administrator.address@example.org", role="admin")
        started = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
        for number in range(3):
            db.session.add(
                SyncRun(
                    status="failed" if number else "succeeded",
                    trigger="admin",
                    requested_by_id=admin.id,
                    started_at=started,
                    finished_at=started + timedelta(seconds=754),
                    projects_added=11_069,
                    projects_updated=123_456,
                    projects_unchanged=10_975,
                    projects_removed=1_234,
                    credit_rows=1_000_000,
                    message="VROD: the PROJECTS sheet lacks the column 'Project ID'"
                    if number
                    else None,
                )
            )
        db.session.commit()
    at(page, LAPTOP).goto(f"{live_server.url}/auth/login?next=/admin/sync")
    page.get_by_label("Email").fill("a.very.long.administrator.address@example.org")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.locator("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/admin/sync$"))
    frame = page.locator("#sync-history .table-wrap")
    expect(frame.locator("tbody tr")).to_have_count(3)
    assert frame.evaluate("el => el.scrollWidth <= el.clientWidth")
