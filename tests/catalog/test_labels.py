"""Quality labels in the catalogue: facets, badges, the project page, CSV and API; crediting
periods and buffer share."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest

from app.catalog.quality import crediting_state, today
from tests.catalog.test_new_facets import RESULTS, facet_counts, listed_ids
from tests.factories import make_label, make_project

CCP = "ICVCM CCP-Approved"
CORSIA_PILOT = "CORSIA \u2013 Pilot Phase, 2021-2023 Eligible"
CORSIA_FIRST = "CORSIA - First Phase, 2024-2026 Scope"


@pytest.fixture
def labelled(app):
    make_project(
        "VCS1",
        country="Brazil",
        project_type="Forestry",
        certifications=f"{CCP}; {CORSIA_PILOT}",
        issued=1000,
        buffer_deposits=150,
    )
    make_project(
        "VCS2",
        country="Brazil",
        project_type="Forestry",
        certifications=f"{CORSIA_FIRST}; {CCP}",
    )
    make_project("VCS3", country="Brazil", project_type="Forestry", certifications=CCP)
    make_project(
        "VCS4", country="Peru", project_type="Forestry", certifications=f"{CCP}; {CORSIA_PILOT}"
    )
    make_project("VCS5", country="Brazil", project_type="Forestry")


def test_ccp_and_corsia_any_phase_in_brazilian_forestry(client, labelled):
    page = client.get("/projects?country=Brazil&type=Forestry&ccp=approved&corsia=any").text
    assert listed_ids(page) == ["VCS1", "VCS2"]


def test_label_facet_counts_respect_the_other_filters(client, labelled):
    page = client.get("/projects?country=Brazil&ccp=approved", headers=RESULTS).text
    assert facet_counts(page, "corsia") == {"any": 2, "pilot": 1, "first": 1}
    assert facet_counts(page, "ccp") == {"approved": 3}  # its own filter left out
    page = client.get("/projects?country=Brazil&corsia=pilot", headers=RESULTS).text
    assert facet_counts(page, "corsia") == {"any": 2, "pilot": 1, "first": 1}
    assert facet_counts(page, "ccp") == {"approved": 1}


def test_result_rows_show_their_badges(client, labelled):
    page = client.get("/projects?q=VCS1").text
    row = page.split('data-project-id="VCS1"', 1)[1].split("</tr>", 1)[0]
    assert ">ICVCM CCP<" in row
    assert ">CORSIA eligible: Pilot phase (2021-2023)<" in row
    assert "From VROD" in row


def test_the_project_page_shows_labels_with_source_and_raw_words(client, labelled):
    page = client.get("/projects/VCS1").text
    section = page.split('id="quality"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'data-label="([^"]+)"', section) == ["ccp:approved", "corsia:pilot"]
    assert f"“{CORSIA_PILOT}”" in section  # the source's own words
    assert 'id="labels-project-level"' in section
    assert "15.0%" in section  # buffer 150 of 1,000 issued


def test_credit_level_labels_show_by_vintage(client, app):
    project = make_project("ACR7", registry="ACR", issued=500)
    make_label(project, "ccp", "approved", source="ACR", vintage=2021, quantity=300)
    make_label(project, "ccp", "approved", source="ACR", vintage=2022, quantity=200)
    make_label(project, "ccp", "approved", source="ACR")
    page = client.get("/projects/ACR7").text
    table = page.split('id="labels-by-vintage"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", table)
    assert cells == ["2021", "ICVCM CCP", "300", "ACR", "2022", "ICVCM CCP", "200", "ACR"]
    assert 'id="labels-project-level"' not in page


def test_the_crediting_period_facet_and_page(client, app):
    now = today()
    make_project(
        "CAR1",
        registry="CAR",
        crediting_period_start=now - timedelta(days=3000),
        crediting_period_end=now - timedelta(days=1),
    )
    make_project("CAR2", registry="CAR", crediting_period_end=now + timedelta(days=100))
    make_project("CAR3", registry="CAR", crediting_period_end=now + timedelta(days=800))
    make_project("CAR4", registry="CAR")
    page = client.get("/projects", headers=RESULTS).text
    assert facet_counts(page, "crediting_period") == {"ended": 1, "ends_within_12_months": 1}
    assert listed_ids(client.get("/projects?crediting_period=ended").text) == ["CAR1"]
    detail = client.get("/projects/CAR1").text
    period = detail.split('id="crediting-period"', 1)[1].split("</dd>", 1)[0]
    assert (now - timedelta(days=3000)).isoformat() in period
    assert "Has ended" in period
    assert "Ends within 12 months" in client.get("/projects/CAR2").text
    assert crediting_state(None, now) is None


def test_the_csv_has_a_column_per_label_facet(client, labelled):
    text = client.get("/projects/export.csv?country=Brazil&ccp=approved&corsia=any").text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["project_id"] for row in rows] == ["VCS1", "VCS2"]
    assert rows[0]["label_ccp"] == "approved"
    assert rows[0]["label_corsia"] == "pilot"
    assert rows[1]["label_corsia"] == "first"
    assert rows[0]["label_ccb"] == ""


def test_the_api_filters_by_labels_and_lists_them(client, labelled):
    body = client.get("/api/v1/projects?country=Brazil&ccp=approved&corsia=pilot").json
    assert [item["project_id"] for item in body["items"]] == ["VCS1"]
    labels = body["items"][0]["labels"]
    assert [(label["kind"], label["value"], label["source"]) for label in labels] == [
        ("ccp", "approved", "vrod"),
        ("corsia", "pilot", "vrod"),
    ]
    detail = client.get("/api/v1/projects/VCS2").json
    assert [label["value"] for label in detail["labels"]] == ["approved", "first"]
    refused = client.get("/api/v1/projects?corsia=third")
    assert refused.status_code == 400
    assert "third" in refused.json["detail"]


def test_a_registry_label_names_the_registry_its_fetch_day_and_its_words(client, app):
    project = make_project("CAR888", registry="CAR")
    make_label(
        project,
        "ccp",
        "approved",
        source="car",
        raw_text="CCP Approved: Yes",
        as_of=date(2026, 8, 5),
    )
    section = client.get("/projects/CAR888").text.split('id="quality"', 1)[1]
    assert re.search(r"from <span class=\"source-tag\">CAR</span> as of 2026-08-05", section)
    assert "“CCP Approved: Yes”" in section
