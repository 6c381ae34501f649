"""Every field a source gives, grouped on the project page; honest totals; the chart's views."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from app.extensions import db
from app.models import ProjectYearlyFigure
from tests.factories import make_credit, make_project

CHART = {"HX-Request": "true", "HX-Target": "credit-chart"}


def group_of(page: str, key: str) -> str:
    return page.split(f'id="fields-{key}"', 1)[1].split("</section>", 1)[0]


def field_text(page: str, name: str) -> str:
    match = re.search(rf'data-field="{name}">(.*?)</dd>', page, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip() if match else ""


def add_figures(project, block: str, figures: dict) -> None:
    for year, quantity in figures.items():
        db.session.add(
            ProjectYearlyFigure(
                project_id=project.id, block=block, year=year, quantity=quantity, source="vrod"
            )
        )
    db.session.commit()


def full_project():
    return make_project(
        "CAR1480",
        registry="CAR",
        name="Forest Carbon",
        source="vrod",
        status="Registered",
        status_canonical="registered",
        country="United States",
        country_code="US",
        state="CALIFORNIA",
        site_location="Mendocino County",
        methodology="Forest Project Protocol",
        methodology_version="v5.0",
        reduction_removal="Impermanent Removal",
        estimated_annual_reductions=120000,
        developer="Blue Source",
        project_owner="Timber Co",
        operator="Timber Ops",
        designee="Carbon Agent",
        verifier="SCS Global Services",
        buffer_deposits=45000,
        reversals_covered=1200,
        reversals_not_covered=0,
        buffer_released=300,
        arb_project="Yes",
        arb_id="CAFR5480",
        arb_status="Active",
        poa_id="POA-12",
        listed_at=date(2015, 3, 1),
        registered_at=date(2016, 5, 2),
        date_added=date(2019, 1, 1),
        certifications="CCB-Gold; ICVCM CCP-Approved",
        registry_notes="Transferred from ARB.\n\nSecond note.",
        berkeley_notes="Checked against the registry.",
        registry_project_type="Improved Forest Management",
        issued=1000,
        retired=400,
    )


def test_page_shows_every_field_in_its_group(client):
    full_project()
    page = client.get("/projects/CAR1480").text
    assert "Mendocino County" in group_of(page, "location")
    assert field_text(page, "state").startswith("California")
    assert field_text(page, "methodology_version").startswith("v5.0")
    assert "Impermanent Removal" in group_of(page, "methodology")
    for name in ("Timber Co", "Timber Ops", "Carbon Agent", "SCS Global Services"):
        assert name in group_of(page, "parties")
    assert "2016-05-02" in group_of(page, "dates")
    assert field_text(page, "buffer_deposits").startswith("45,000")
    assert field_text(page, "reversals_not_covered").startswith("0")
    assert re.findall(r"<li>([^<]+)</li>", group_of(page, "certifications")) == [
        "CCB-Gold",
        "ICVCM CCP-Approved",
    ]
    notes = group_of(page, "notes")
    assert "<p>Transferred from ARB.</p><p>Second note.</p>" in notes
    assert 'id="fields-identity"' in page


def test_empty_fields_and_groups_are_left_out(client):
    make_project("VCS7", name="Bare", country="Peru")
    page = client.get("/projects/VCS7").text
    assert 'id="fields-location"' in page
    for key in ("buffer", "parties", "certifications", "notes", "dates"):
        assert f'id="fields-{key}"' not in page
    assert 'data-field="verifier"' not in page


def test_description_shows_as_escaped_paragraphs(client):
    make_project("VCS8", description="First line <b>bold</b>\nSecond line\n\n\nThird")
    page = client.get("/projects/VCS8").text
    block = page.split('class="project-description">', 1)[1].split("</div>", 1)[0]
    assert re.findall(r"<p>(.*?)</p>", block) == [
        "First line &lt;b&gt;bold&lt;/b&gt;",
        "Second line",
        "Third",
    ]


def test_more_retired_than_issued_is_said_and_never_a_negative_remaining(client):
    make_project(
        "ACR869", registry="ACR", issued=0, retired=25392, flags={"retired_exceeds_issued": True}
    )
    page = client.get("/projects/ACR869").text
    assert "the registry reports more retired than issued" in page
    assert "-25,392" not in page
    assert 'id="total-remaining">—<' in page
    api = client.get("/api/v1/projects/ACR869").json
    assert api["remaining"] is None
    assert api["retired_exceeds_issued"] is True


def test_status_shows_the_registry_label_and_the_canonical_status_where_they_differ(client):
    make_project(
        "VCS9",
        status="Registration and verification approval requested",
        status_canonical="registration_requested",
    )
    make_project("VCS10", status="Registered", status_canonical="registered")
    page = client.get("/projects/VCS9").text
    assert "Registration and verification approval requested" in page
    assert "canonical status: Registration requested" in page
    assert "canonical status" not in client.get("/projects/VCS10").text


def test_country_shows_by_name_even_when_only_the_code_is_known(client):
    make_project("VCS11", country="Viet Nam".replace("Viet Nam", "Vietnam"), country_code="VN")
    make_project("VCS12", country=None, country_code="KE")
    assert field_text(client.get("/projects/VCS11").text, "country").startswith("Vietnam")
    assert field_text(client.get("/projects/VCS12").text, "country").startswith("Kenya")


def test_the_user_picks_a_yearly_block_for_the_chart(client):
    project = make_project("GLD5", registry="GLD", issued=600, retired=700)
    make_credit(project, year=2020, quantity=600)
    add_figures(project, "issued_by_vintage", {2018: 400, 2019: 200})
    add_figures(project, "retired_by_year", {2021: 500, None: 200})
    add_figures(project, "remaining_by_vintage", {2018: -100, 2019: 0})
    page = client.get("/projects/GLD5").text
    views = re.findall(
        r'data-view="(\w+)"', page.split('class="chart-views"', 1)[1].split("</nav>", 1)[0]
    )
    assert views == ["activity", "issued_by_vintage", "retired_by_year", "remaining_by_vintage"]
    fragment = client.get("/projects/GLD5/chart?chart=retired_by_year", headers=CHART).text
    assert fragment.lstrip().startswith('<div id="credit-chart">')
    assert re.findall(r'class="bar-group" data-label="([^"]+)"', fragment) == [
        "2021",
        "Year unknown",
    ]
    by_vintage = client.get("/projects/GLD5?chart=issued_by_vintage").text
    assert '<figure class="chart credit-chart" data-view="issued_by_vintage">' in by_vintage
    assert re.findall(r'class="bar-group" data-label="(\d+)"', by_vintage) == ["2018", "2019"]
    remaining = client.get("/projects/GLD5/chart?chart=remaining_by_vintage").text
    assert "more retired than issued" in remaining
    assert "-100" not in remaining.split("<table>", 1)[1]


def test_an_unknown_chart_view_is_a_400_with_the_default_view(client):
    project = make_project("GLD6", registry="GLD")
    make_credit(project, year=2020, quantity=10)
    response = client.get("/projects/GLD6?chart=bogus")
    assert response.status_code == 400
    assert "There is no chart view “bogus”" in response.text
    assert 'data-view="activity"' in response.text


def test_the_api_resource_carries_every_field_and_the_yearly_blocks(client):
    project = full_project()
    add_figures(project, "issued_by_year", {2019: 600, 2020: 400})
    body = client.get("/api/v1/projects/CAR1480").json
    assert body["verifier"] == "SCS Global Services"
    assert body["buffer_deposits"] == 45000
    assert body["registered_at"] == "2016-05-02"
    assert body["certifications"] == "CCB-Gold; ICVCM CCP-Approved"
    assert body["status_canonical"] == "registered"
    assert body["remaining"] == 600
    assert body["yearly_figures"]["issued_by_year"] == [
        {"year": 2019, "quantity": 600},
        {"year": 2020, "quantity": 400},
    ]
    summary = client.get("/api/v1/projects?q=CAR1480").json["items"][0]
    assert summary["reduction_removal"] == "Impermanent Removal"


def test_the_csv_export_carries_every_field_and_no_negative_remaining(client):
    full_project()
    make_project("ACR869", registry="ACR", issued=0, retired=25392)
    text = client.get("/projects/export.csv").text
    rows = {row["project_id"]: row for row in csv.DictReader(io.StringIO(text))}
    forest = rows["CAR1480"]
    assert forest["verifier"] == "SCS Global Services"
    assert forest["buffer_released"] == "300"
    assert forest["registered_at"] == "2016-05-02"
    assert forest["remaining"] == "600"
    assert rows["ACR869"]["remaining"] == ""
    assert rows["ACR869"]["retired_exceeds_issued"] == "True"


def test_crediting_period_renewals_show_next_to_the_crediting_period(client):
    make_project(
        "CAR2131",
        registry="CAR",
        crediting_period_start=date(2015, 1, 1),
        crediting_period_end=date(2024, 12, 31),
        crediting_period_renewals=1,
    )
    make_project("CAR2132", registry="CAR", crediting_period_start=date(2015, 1, 1))
    page = client.get("/projects/CAR2131").text
    dates_group = page.split('id="fields-dates"', 1)[1]
    assert field_text(page, "crediting_period_renewals").split()[0] == "1"
    assert dates_group.index('data-field="crediting_period_end"') < dates_group.index(
        'data-field="crediting_period_renewals"'
    )
    # No count given: no line at all (never a misleading 0).
    assert 'data-field="crediting_period_renewals"' not in client.get("/projects/CAR2132").text


def test_the_renewal_count_is_in_the_csv_export_and_the_api(client):
    make_project("CAR2131", registry="CAR", crediting_period_renewals=2)
    make_project("CAR2132", registry="CAR")
    rows = {
        row["project_id"]: row
        for row in csv.DictReader(io.StringIO(client.get("/projects/export.csv").text))
    }
    assert rows["CAR2131"]["crediting_period_renewals"] == "2"
    assert rows["CAR2132"]["crediting_period_renewals"] == ""
    assert client.get("/api/v1/projects/CAR2131").json["crediting_period_renewals"] == 2
    assert client.get("/api/v1/projects/CAR2132").json["crediting_period_renewals"] is None
