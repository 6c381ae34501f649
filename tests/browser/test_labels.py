"""Issue 14 in a real browser: from a project page to every CCP-labelled, CORSIA-eligible
forestry project in Brazil in two clicks, then the export."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import expect

from tests.factories import make_project

ROWS = "#catalog-results tbody tr"
CCP = "ICVCM CCP-Approved"


def test_two_clicks_to_ccp_corsia_forestry_in_brazil_and_export(page, live_server):
    with live_server.app.app_context():
        forest = {"country": "Brazil", "project_type": "Forestry"}
        make_project(
            "VCS1", **forest, certifications=f"{CCP}; CORSIA - First Phase, 2024-2026 Scope"
        )
        make_project(
            "VCS2", **forest, certifications=f"CORSIA \u2013 Pilot Phase, 2021-2023 Eligible; {CCP}"
        )
        make_project("VCS3", **forest, certifications=CCP)
        make_project(
            "VCS4", country="Peru", project_type="Forestry", certifications=f"{CCP}; CORSIA pilot"
        )
        make_project("VCS5", **forest)
    page.goto(f"{live_server.url}/projects/VCS1")
    expect(page.locator("#project-labels")).to_contain_text("from VROD")

    page.locator("#project-labels a", has_text="ICVCM CCP").click()  # click 1
    expect(page.locator(ROWS)).to_have_count(3)
    page.locator('#facet-corsia input[value="any"]').check()  # click 2
    expect(page.locator(ROWS)).to_have_count(2)
    expect(page).to_have_url(re.compile(r"corsia=any"))
    ids = page.locator(ROWS).evaluate_all("rows => rows.map(r => r.dataset.projectId)")
    assert sorted(ids) == ["VCS1", "VCS2"]
    expect(page.locator(ROWS).first).to_contain_text("CORSIA eligible")

    with page.expect_download() as download:
        page.locator("a.export-link").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(row["project_id"] for row in rows) == ["VCS1", "VCS2"]
    assert {row["label_ccp"] for row in rows} == {"approved"}
