"""A project's page: fields with their sources, totals, chart, credit records, 404."""

from __future__ import annotations

import re

from app.extensions import db
from app.models import Credit
from tests.factories import make_credit, make_project, make_user

CREDITS = {"HX-Request": "true", "HX-Target": "credit-records"}


def test_page_shows_every_field_with_its_source_and_the_totals(client):
    make_project(
        "VCS191",
        name="Kariba REDD+",
        country="Zimbabwe",
        developer="South Pole",
        source="both",
        provenance={"country": "vrod", "developer": "offsetsdb"},
        issued=1500,
        retired=500,
    )
    page = client.get("/projects/VCS191").text
    assert '<article id="project"' in page
    assert re.search(r'data-field="country">Zimbabwe <span class="source-tag"[^>]*>VROD<', page)
    assert re.search(r'data-field="developer">South Pole <span[^>]*>OffsetsDB<', page)
    assert re.search(r'data-field="name">Kariba REDD\+ <span[^>]*>OffsetsDB \+ VROD<', page)
    assert 'id="total-issued">1,500<' in page
    assert 'id="total-remaining">1,000<' in page


def test_links_go_out_only_to_http_urls_and_open_safely(client):
    make_project(
        "VCS1", registry_url="https://registry.verra.org/p/1", website="javascript:alert(1)"
    )
    page = client.get("/projects/VCS1").text
    assert 'href="https://registry.verra.org/p/1" rel="noopener noreferrer external"' in page
    assert "javascript:" not in page
    assert "website</a>" not in page


def test_chart_fragment_has_one_bar_group_per_year_with_tooltips(client):
    project = make_project("VCS1")
    make_credit(project, year=2018, quantity=300)
    make_credit(project, year=2020, quantity=200)
    make_credit(project, year=2020, quantity=50)
    make_credit(project, year=2020, kind="retirement", quantity=120)
    fragment = client.get("/projects/VCS1/chart").text
    assert fragment.lstrip().startswith('<div id="credit-chart"')
    assert re.findall(r'class="bar-group" data-label="(\d+)"', fragment) == ["2018", "2019", "2020"]
    assert "<title>2020 — Issuance: 250</title>" in fragment
    assert "<title>2020 — Retirement: 120</title>" in fragment


def test_page_draws_the_chart_in_place_for_clients_without_javascript(client):
    project = make_project("VCS1")
    make_credit(project, year=2021, quantity=10)
    page = client.get("/projects/VCS1").text
    chart = page.split('<div id="credit-chart">', 1)[1].split("</figure>", 1)[0]
    assert "<svg" in chart
    assert 'data-label="2021"' in chart


def test_a_project_without_credits_says_so(client):
    make_project("VCS1")
    assert "No credits issued or retired yet." in client.get("/projects/VCS1/chart").text
    assert "No credit records." in client.get("/projects/VCS1").text


def test_credit_records_come_25_a_page_newest_year_first(client):
    project = make_project("VCS1")
    db.session.add_all(
        Credit(project_id=project.id, kind="issuance", year=2000 + n, quantity=n + 1, source="vrod")
        for n in range(30)
    )
    db.session.commit()
    first = client.get("/projects/VCS1").text
    table = first.split('id="credit-records"', 1)[1]
    assert table.count("<tr>") == 26  # header + 25
    assert "page 1 of 2" in table
    second = client.get("/projects/VCS1?credits_page=2", headers=CREDITS)
    assert second.text.lstrip().startswith('<div id="credit-records"')
    assert "<html" not in second.text
    assert second.text.count("<tr>") == 6
    assert "<td>2000</td>" in second.text
    assert {"HX-Request", "HX-Target"} <= set(second.vary)
    # The pushed URL, pasted or reloaded, is the whole page at that page of records.
    pasted = client.get("/projects/VCS1?credits_page=2").text
    assert "<html" in pasted
    assert "page 2 of 2" in pasted
    assert 'id="credits-prev" hx-get="/projects/VCS1?credits_page=1"' in pasted


def test_unknown_project_is_a_404_page(client):
    response = client.get("/projects/VCS999999")
    assert response.status_code == 404
    assert "There is no project VCS999999" in response.text
    assert client.get("/projects/VCS999999/chart").status_code == 404


def test_lower_case_id_finds_the_project_at_its_canonical_address(client):
    make_project("GLD1001", registry="GLD", name="Stoves")
    response = client.get("/projects/gld1001")
    assert response.status_code == 301
    assert "Stoves" in client.get("/projects/gld1001", follow_redirects=True).text


def test_sections_of_other_features_follow_the_project(client, monkeypatch):
    from app import project_sections

    monkeypatch.setattr(
        project_sections,
        "_sections",
        [(1, "test", lambda project: f'<section id="extra">{project.project_id}</section>')],
    )
    make_project("VCS7")
    page = client.get("/projects/VCS7").text
    assert '<section id="extra">VCS7</section>' in page
    assert page.index('<article id="project"') < page.index('id="extra"')


def test_a_community_project_shows_its_expected_credits_not_empty_credit_sections(client):
    project = make_project(
        owner=make_user(), name="Village mangroves", expected_annual_credits=25000
    )
    page = client.get(f"/projects/{project.project_id}").text
    assert "expects 25,000 credits a year" in page
    assert 'id="credit-chart"' not in page
    assert 'id="credits-heading"' not in page
    assert 'class="source-tag"' not in page


def test_fields_show_thousands_separators_and_no_stage_repeating_the_status(client):
    project = make_project(
        owner=make_user(),
        name="Village mangroves",
        status="Proposed",
        stage="proposed",
        expected_annual_credits=15000,
        expected_first_vintage=2027,
    )
    page = client.get(f"/projects/{project.project_id}").text
    fields = page.split('class="fields', 1)[1].split("</dl>", 1)[0]
    assert re.search(r"Expected credits a year</dt>\s*<dd[^>]*>15,000<", fields)
    assert re.search(r"Expected first vintage</dt>\s*<dd[^>]*>2027<", fields)
    assert ">Stage</dt>" not in fields
