"""The facets of issue 12: reduction/removal, state and verifier; the label facets of issue 14."""

from __future__ import annotations

import re

import pytest

from app.catalog.multi_values import split_states, state_label
from tests.factories import make_project

RESULTS = {"HX-Request": "true", "HX-Target": "catalog-results"}


def listed_ids(html: str) -> list[str]:
    return re.findall(r'<tr data-project-id="([^"]+)"', html)


def facet_counts(html: str, facet: str) -> dict[str, int]:
    if f'id="facet-{facet}"' not in html:
        return {}
    section = html.split(f'id="facet-{facet}"', 1)[1].split("</fieldset>", 1)[0]
    return {
        value: int(count)
        for value, count in re.findall(
            r'value="([^"]+)"[^>]*>.*?data-count="(\d+)"', section, flags=re.S
        )
    }


def test_states_keep_only_real_subdivisions():
    assert split_states("ARKANSAS; MISSISSIPPI", "United States") == ["ARKANSAS", "MISSISSIPPI"]
    assert split_states("National", "Peru") == []
    assert split_states("10 southwestern regions", "Peru") == []
    assert split_states("Israel", "Israel") == []
    assert split_states("MISSOURI; OTHER", "United States") == ["MISSOURI"]
    assert state_label("STATE OF MÉXICO") == "State of México"
    assert state_label("Samut Prakan") == "Samut Prakan"


@pytest.fixture
def market(app):
    make_project(
        "CAR1",
        registry="CAR",
        country="United States",
        state="VIRGINIA",
        reduction_removal="Impermanent Removal",
        verifier="SCS Global Services",
        certifications="CCB-Gold; ICVCM CCP-Approved",
    )
    make_project(
        "CAR2",
        registry="CAR",
        country="United States",
        state="WEST VIRGINIA; OHIO",
        reduction_removal="Reduction",
        verifier="SCS Global Services",
        certifications="CORSIA \u2013 Pilot Phase, 2021-2023 Eligible",
    )
    make_project(
        "VCS3",
        country="Peru",
        state="National",
        reduction_removal="Reduction",
        certifications="CCB-Silver",
    )
    make_project("GLD4", registry="GLD", country="Israel", state="Israel", verifier="TÜV SÜD")


def test_new_facets_count_each_value_once_per_project(client, market):
    page = client.get("/projects").text
    assert facet_counts(page, "reduction_removal") == {"Reduction": 2, "Impermanent Removal": 1}
    assert facet_counts(page, "state") == {"OHIO": 1, "VIRGINIA": 1, "WEST VIRGINIA": 1}
    assert facet_counts(page, "verifier") == {"SCS Global Services": 2, "TÜV SÜD": 1}
    assert facet_counts(page, "ccp") == {"approved": 1}
    assert facet_counts(page, "corsia") == {"any": 1, "pilot": 1}
    assert facet_counts(page, "ccb") == {"any": 2, "gold": 1, "silver": 1}
    assert ">Ohio<" in page  # labels read as names, values stay as the source writes them


def test_a_state_matches_as_a_whole_part_not_inside_another(client, market):
    assert listed_ids(client.get("/projects?state=VIRGINIA").text) == ["CAR1"]
    assert listed_ids(client.get("/projects?state=OHIO").text) == ["CAR2"]


def test_a_label_filter_matches_any_level_or_one(client, market):
    assert listed_ids(client.get("/projects?ccb=any").text) == ["CAR1", "VCS3"]
    assert listed_ids(client.get("/projects?ccb=silver").text) == ["VCS3"]
    pilot = client.get("/projects?corsia=Pilot", follow_redirects=True)
    assert listed_ids(pilot.text) == ["CAR2"]


def test_label_filters_combine_and_unknown_values_are_named(client, market):
    assert listed_ids(client.get("/projects?ccp=approved&ccb=gold").text) == ["CAR1"]
    assert listed_ids(client.get("/projects?ccp=approved&corsia=any").text) == []
    page = client.get("/projects?corsia=third").text
    assert "Ignored unknown corsia eligible “third”" in page


def test_new_facet_counts_respect_the_other_filters_but_not_their_own(client, market):
    page = client.get("/projects?registry=CAR&ccb=any", headers=RESULTS).text
    assert listed_ids(page) == ["CAR1"]
    assert facet_counts(page, "ccb") == {"any": 1, "gold": 1}
    assert facet_counts(page, "ccp") == {"approved": 1}
    assert facet_counts(page, "corsia") == {}
    assert facet_counts(page, "state") == {"VIRGINIA": 1}
    assert facet_counts(page, "reduction_removal") == {"Impermanent Removal": 1}
    chips = page.split('class="chips"', 1)[1].split("</ul>", 1)[0]
    assert "CCB: Any" in chips


def test_a_facet_without_values_is_left_out(client, app):
    make_project("VCS9")
    page = client.get("/projects").text
    assert 'id="facet-ccp"' not in page
    assert 'id="facet-registry"' in page


def test_the_api_and_csv_take_the_new_filters(client, market):
    body = client.get("/api/v1/projects?ccb=any&state=VIRGINIA").json
    assert [item["project_id"] for item in body["items"]] == ["CAR1"]
    csv_text = client.get("/projects/export.csv?verifier=SCS+Global+Services").text
    assert csv_text.count("\r\n") == 3
