"""Compare: up to four projects side by side, the selection in the URL."""

from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

from app.catalog.compare import parse_compare_ids
from tests.factories import make_credit, make_project


def test_ids_read_comma_separated_or_repeated_without_duplicates_and_at_most_four():
    ids, notices = parse_compare_ids(MultiDict([("ids", "vcs1, GLD2"), ("ids", "VCS1 ACR3")]))
    assert ids == ["VCS1", "GLD2", "ACR3"]
    assert notices == []
    ids, notices = parse_compare_ids(MultiDict({"ids": "A1,B2,C3,D4,E5,F6"}))
    assert ids == ["A1", "B2", "C3", "D4"]
    assert notices == ["Ignored E5, F6: up to 4 projects are compared at once."]


def test_projects_side_by_side_with_totals_labels_and_charts_on_one_axis(client):
    small = make_project("VCS1", name="Small", issued=300, retired=100, certifications="CCB")
    large = make_project("GLD2", registry="GLD", name="Large", issued=90_000, retired=5)
    make_credit(small, kind="issuance", quantity=300, year=2018)
    make_credit(large, kind="issuance", quantity=90_000, year=2022)
    page = client.get("/compare?ids=VCS1,GLD2").text
    cards = re.findall(r'<article class="card compare-card" data-project-id="([^"]+)"', page)
    assert cards == ["VCS1", "GLD2"]
    assert "90,000" in page
    assert "<dd>CCB</dd>" in page
    # One axis: both charts span 2018..2022 and share the same top tick.
    for project_id in ("VCS1", "GLD2"):
        svg = page.split(f'id="compare-chart-{project_id}"', 1)[1].split("</svg>", 1)[0]
        assert 'data-label="2018"' in svg
        assert 'data-label="2022"' in svg
        assert ">100k</text>" in svg
    remove = re.search(
        r'href="([^"]+)" class="compare-remove">Remove<span class="visually-hidden"> VCS1', page
    )
    assert remove.group(1) == "/compare?ids=GLD2"


def test_unknown_ids_are_named_and_the_rest_compared(client):
    make_project("VCS1")
    response = client.get("/compare?ids=VCS1,NOPE9")
    assert response.status_code == 200
    assert "Ignored NOPE9: no such project in the catalogue." in response.text
    assert 'data-project-id="VCS1"' in response.text


def test_an_empty_selection_explains_how_to_pick(client):
    page = client.get("/compare").text
    assert "Nothing to compare yet" in page
    assert 'name="ids"' in page


def test_search_results_offer_a_compare_box_outside_the_search_form(client):
    make_project("VCS1")
    page = client.get("/projects").text
    assert '<input type="checkbox" name="ids" value="VCS1" form="compare-form">' in page
    assert '<form id="compare-form" method="get" action="/compare" hidden></form>' in page
