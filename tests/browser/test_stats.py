"""Statistics in the browser: a filter swaps the charts in place and the URL follows it."""

from __future__ import annotations

from tests.insights.market import seed_market


def test_stats_filter_swaps_charts_in_place_and_pushes_the_url(page, live_server):
    with live_server.app.app_context():
        seed_market()
    page.goto(live_server.url + "/stats")
    page.wait_for_function("typeof window.htmx === 'object'")
    assert page.locator('[data-figure="issued"]').inner_text() == "2,100"

    page.evaluate("window.__stayedOnPage = true")
    page.select_option("#filter-registry", "GLD")
    page.wait_for_url(f"{live_server.url}/stats?registry=GLD**")
    page.locator('[data-figure="issued"]', has_text="400").wait_for()

    # Swapped in place: no reload (the marker survived), and one results region.
    assert page.evaluate("window.__stayedOnPage") is True
    assert page.locator("#stats-results").count() == 1
    assert page.locator("#chart-issuance .bar-group").count() == 1  # GLD issued only in 2021
    assert "registry=GLD" in page.url

    # The pushed URL is a full page on its own.
    page.reload()
    assert page.locator('[data-figure="issued"]').inner_text() == "400"
    assert page.locator("#filter-registry").input_value() == "GLD"


def test_stats_filters_work_without_javascript(browser, live_server):
    with live_server.app.app_context():
        seed_market()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/stats")
        page.select_option("#filter-country", "India")
        page.get_by_role("button", name="Show").click()
        page.wait_for_url("**country=India**")
        assert page.locator('[data-figure="issued"]').inner_text() == "600"
    finally:
        context.close()
