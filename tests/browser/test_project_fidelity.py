"""Issue 12 in a real browser: picking a chart view, the new facets, ids typed as aliases."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from app.extensions import db
from app.models import ProjectYearlyFigure
from tests.factories import make_credit, make_project

ROWS = "#catalog-results tbody tr"


def _add_figures(project, block: str, figures: dict) -> None:
    for year, quantity in figures.items():
        db.session.add(
            ProjectYearlyFigure(
                project_id=project.id, block=block, year=year, quantity=quantity, source="vrod"
            )
        )
    db.session.commit()


def test_picking_a_chart_view_swaps_the_chart_in_place_and_back_restores_it(page, live_server):
    with live_server.app.app_context():
        project = make_project("GLD561", registry="GLD", issued=900, retired=300)
        make_credit(project, year=2020, quantity=900)
        _add_figures(project, "issued_by_vintage", {2016: 500, 2017: 0, 2018: 400})
        _add_figures(project, "retired_by_year", {2021: 300})
    page.goto(f"{live_server.url}/projects/GLD561")
    expect(page.locator("#credit-chart figure")).to_have_attribute("data-view", "activity")
    page.evaluate("window.__marker = 'no reload'")

    page.get_by_role("link", name="Issued by vintage", exact=True).click()
    expect(page.locator("#credit-chart figure")).to_have_attribute("data-view", "issued_by_vintage")
    labels = page.locator("#credit-chart svg .bar-group").evaluate_all(
        "nodes => nodes.map(n => n.dataset.label)"
    )
    assert labels == ["2016", "2017", "2018"]
    expect(page).to_have_url(re.compile(r"/projects/GLD561\?chart=issued_by_vintage$"))
    expect(page.locator('.chart-views a[aria-current="true"]')).to_have_text("Issued by vintage")
    assert page.evaluate("window.__marker") == "no reload"

    page.get_by_role("link", name="Retired by year", exact=True).click()
    expect(page.locator("#credit-chart figure")).to_have_attribute("data-view", "retired_by_year")
    page.go_back()
    expect(page.locator("#credit-chart figure")).to_have_attribute("data-view", "issued_by_vintage")


def test_new_facets_narrow_the_results_and_recount(page, live_server):
    with live_server.app.app_context():
        make_project(
            "CAR1",
            registry="CAR",
            country="United States",
            state="OHIO",
            reduction_removal="Impermanent Removal",
            certifications="CCB-Gold; ICVCM CCP-Approved",
        )
        make_project(
            "CAR2",
            registry="CAR",
            country="United States",
            state="OHIO; TEXAS",
            reduction_removal="Reduction",
            verifier="SCS Global Services",
        )
        make_project(
            "VCS3", country="Peru", certifications="CCB-Silver", reduction_removal="Reduction"
        )
    page.goto(f"{live_server.url}/projects")
    expect(page.locator(ROWS)).to_have_count(3)
    state_ohio = page.locator('#facet-state input[value="OHIO"] ~ .facet-count')
    expect(state_ohio).to_have_text("2")

    page.locator('#facet-ccb input[value="any"]').check()
    expect(page.locator(ROWS)).to_have_count(2)
    expect(page).to_have_url(re.compile(r"ccb=any"))
    expect(page.locator(".chips")).to_contain_text("CCB: Any")
    expect(state_ohio).to_have_text("1")
    expect(
        page.locator('#facet-reduction_removal input[value="Reduction"] ~ .facet-count')
    ).to_have_text("1")

    page.locator('#facet-reduction_removal input[value="Impermanent Removal"]').check()
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator(ROWS)).to_contain_text("CAR1")


def test_an_alias_typed_in_the_search_box_finds_the_project_and_its_address_moves(
    page, live_server
):
    with live_server.app.app_context():
        make_project("GLD561", registry="GLD", name="Cookstoves Ghana")
        make_project("GLD1561", registry="GLD", name="Wind Turkey")
    page.goto(f"{live_server.url}/projects")
    page.locator("#search-q").press_sequentially("GS 561", delay=30)
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator(ROWS)).to_contain_text("GLD561")
    page.get_by_role("link", name="Cookstoves Ghana").click()
    expect(page).to_have_url(re.compile(r"/projects/GLD561$"))

    page.goto(f"{live_server.url}/projects/gs-561")
    expect(page).to_have_url(re.compile(r"/projects/GLD561$"))
    expect(page.locator("h1")).to_have_text("Cookstoves Ghana")
