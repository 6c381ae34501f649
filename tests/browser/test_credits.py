"""Credits and beneficiaries in a real browser: typing a name, facets, paging, admin merges."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

from app.etl.credit_fields import fill_credit_fields
from app.extensions import db
from app.models import bump_data_version
from tests.credits.market import seed_labelled_retirements, seed_retirements
from tests.factories import DEFAULT_PASSWORD, make_credit, make_project, make_user

ROWS = "#credit-results .credit-records-table tbody tr"


def test_typing_a_beneficiary_shows_every_retirement_in_its_name(page, live_server):
    with live_server.app.app_context():
        seed_retirements()
    page.goto(f"{live_server.url}/credits")
    expect(page.locator(ROWS)).to_have_count(7)
    page.evaluate("window.__samePage = true")
    page.locator("#credit-q").press_sequentially("shopify", delay=40)
    expect(page.locator(ROWS)).to_have_count(3)
    expect(page.locator("#credit-total-quantity")).to_have_text("2,300")
    expect(page).to_have_url(re.compile(r"/credits\?q=shopify$"))
    expect(page.locator("#credit-q")).to_be_focused()
    assert page.evaluate("window.__samePage") is True
    expect(page.locator("#credits-by-year .bar-group")).to_have_count(3)

    # Every keystroke's search has answered: the link clicked is not swapped out under it.
    page.wait_for_load_state("networkidle")
    page.locator(ROWS).first.get_by_role("link", name=re.compile("Shopify|SHOPIFY")).click()
    expect(page.locator("h1")).to_have_text("Shopify Inc.")
    expect(page.locator("#beneficiary-projects tbody tr")).to_have_count(2)


def test_facets_narrow_in_place_and_back_restores(page, live_server):
    with live_server.app.app_context():
        seed_retirements()
    page.goto(f"{live_server.url}/credits")
    page.evaluate("window.__samePage = true")
    page.locator('#credit-facet-reason input[value="corsia"]').check()
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator(ROWS)).to_contain_text("Delta Air Lines")
    expect(page).to_have_url(re.compile(r"reason=corsia"))
    expect(page.locator(".chips")).to_contain_text("Retirement reason: CORSIA")
    page.locator('#credit-facet-reason input[value="compliance"]').check()
    expect(page.locator(ROWS)).to_have_count(2)
    expect(page).to_have_url(re.compile(r"reason=compliance&reason=corsia"))
    assert page.evaluate("window.__samePage") is True
    page.go_back()
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator('#credit-facet-reason input[value="compliance"]')).not_to_be_checked()


def test_a_label_narrows_a_name_and_the_beneficiary_page_splits_by_label(page, live_server):
    with live_server.app.app_context():
        seed_labelled_retirements()
    page.goto(f"{live_server.url}/credits?q=shopify")
    expect(page.locator(ROWS)).to_have_count(4)
    corsia = page.locator('#credit-facet-label input[value="corsia"]')
    expect(corsia.locator("xpath=..").locator(".facet-count")).to_have_text("2")
    page.evaluate("window.__samePage = true")
    corsia.check()
    expect(page.locator(ROWS)).to_have_count(2)
    expect(page.locator("#credit-total-quantity")).to_have_text("2,000")
    expect(page).to_have_url(re.compile(r"q=shopify&label=corsia"))
    expect(page.locator(".chips")).to_contain_text("Label: CORSIA eligible")
    assert page.evaluate("window.__samePage") is True

    page.goto(f"{live_server.url}/beneficiaries/shopify")
    by_label = page.locator("#by-label").locator("xpath=..")
    expect(by_label.locator("tbody tr")).to_have_count(2)
    by_label.get_by_role("link", name="CCB").click()
    expect(page.locator(ROWS)).to_have_count(1)
    expect(page.locator(ROWS)).to_contain_text("Clean Cooking Kenya")
    expect(page.locator('#credit-facet-label input[value="ccb"]')).to_be_checked()


def test_paging_through_records_keeps_the_filters(page, live_server):
    with live_server.app.app_context():
        project = make_project("VCS9", name="Many retirements")
        for day in range(1, 56):
            make_credit(
                project,
                kind="retirement",
                quantity=day,
                year=2024,
                transaction_date=date(2024, 1, 1).replace(day=min(day, 28)),
                beneficiary="Acme Corp",
            )
        make_credit(project, kind="issuance", quantity=10_000, year=2023)
        fill_credit_fields(db.session.connection())
        bump_data_version()
        db.session.commit()
    page.goto(f"{live_server.url}/credits?kind=retirement")
    expect(page.locator(ROWS)).to_have_count(50)
    page.locator("#credit-pager-next").click()
    expect(page.locator(ROWS)).to_have_count(5)
    expect(page).to_have_url(re.compile(r"kind=retirement&page=2"))
    expect(page.locator('#credit-facet-kind input[value="retirement"]')).to_be_checked()
    expect(page.locator(".pager")).to_contain_text("Page 2 of 2")


def test_admin_confirms_one_merge_and_rejects_another_inline(page, live_server):
    with live_server.app.app_context():
        make_user(email="admin@example.org", role="admin")
        project = make_project("VCS77", name="Lookalike forest")
        names = (("Delta Air Lines", 900), ("Delta Airlines", 100), ("Shopify", 80), ("Shopifi", 8))
        for raw, quantity in names:
            make_credit(project, kind="retirement", quantity=quantity, beneficiary=raw)
        fill_credit_fields(db.session.connection())
        bump_data_version()
        db.session.commit()
    page.goto(f"{live_server.url}/admin/beneficiaries")
    page.get_by_label("Email").fill("admin@example.org")
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/admin/beneficiaries$"))
    page.evaluate("window.__samePage = true")
    delta = page.locator('tr[data-pair="delta-airlines--delta-air-lines"]')
    shopify = page.locator('tr[data-pair="shopifi--shopify"]')
    expect(delta).to_contain_text("900 credits")

    delta.get_by_role("button", name=re.compile("^Confirm")).click()
    expect(page.locator("#merge-notice")).to_contain_text("Merged “delta-airlines”")
    expect(delta).to_have_count(0)
    shopify.get_by_role("button", name=re.compile("^Reject")).click()
    expect(page.locator("#merge-notice")).to_contain_text("Rejected merging “shopifi”")
    expect(page.locator("#no-suggestions")).to_be_visible()
    expect(page.locator("#merge-decisions tbody tr")).to_have_count(2)
    assert page.evaluate("window.__samePage") is True

    page.goto(f"{live_server.url}/beneficiaries/delta-air-lines")
    expect(page.locator("#beneficiary-total")).to_have_text("1,000")
    expect(page.locator(".raw-names")).to_contain_text("“Delta Airlines”")
