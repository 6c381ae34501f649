"""One truth for the market's totals: home, /stats, the catalogue and the API agree, or say
plainly where the credit records differ; /data lists the projects that differ, and why."""

from __future__ import annotations

import re

from app.insights.differences import PER_PAGE
from tests.factories import make_credit, make_project
from tests.insights.market import seed_market


def differing_market():
    """The seeded market plus a project whose records cover part of its total, and one
    with totals and no records at all."""
    seed_market()
    partial = make_project("CAR1480", registry="CAR", issued=21_180_502, retired=1000)
    make_credit(partial, kind="issuance", year=2019, quantity=5_076_930)
    make_credit(partial, kind="retirement", year=2020, quantity=1000)
    make_project("ACR869", registry="ACR", issued=0, retired=25_392)


def test_every_page_gives_the_same_market_total(client):
    differing_market()
    expected_issued = 2100 + 21_180_502
    home = client.get("/").text
    stats = client.get("/stats").text
    catalogue = client.get("/projects").text
    api_stats = client.get("/api/v1/stats").json
    api_catalogue = client.get("/api/v1/projects").json
    assert f'data-figure="issued">{expected_issued:,}<' in home
    assert f'data-figure="issued">{expected_issued:,}<' in stats
    assert f'data-total="issued"><span class="total-full">{expected_issued:,}<' in catalogue
    assert api_stats["totals"]["issued"] == expected_issued
    assert api_catalogue["issued"] == expected_issued
    assert api_stats["totals"]["records_issued"] == 2100 + 5_076_930


def test_the_difference_is_shown_beside_the_figure_with_a_link_to_why(client):
    differing_market()
    for page in (client.get("/").text, client.get("/stats").text):
        note = page.split('data-difference="issued"', 1)[1].split("</div>", 1)[0]
        assert "credit records add up to 5,079,030" in note
        assert "16,103,572 fewer" in note
        assert 'href="/data#totals-differ"' in note


def test_no_difference_no_note(client):
    seed_market()
    assert "data-difference" not in client.get("/").text
    assert "data-difference" not in client.get("/stats").text


def test_data_lists_the_differing_projects_largest_first_with_both_figures_and_why(client):
    differing_market()
    html = client.get("/data").text
    table = html.split('id="totals-differences"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'<tr data-project-id="([^"]+)"', table) == ["CAR1480", "ACR869"]
    car = table.split('data-project-id="CAR1480"', 1)[1].split("</tr>", 1)[0]
    assert 'href="/projects/CAR1480"' in car
    assert "21,180,502" in car
    assert "5,076,930" in car
    assert "cover only part of the total" in car
    acr = table.split('data-project-id="ACR869"', 1)[1].split("</tr>", 1)[0]
    assert "no credit records" in acr
    assert "VCS100" not in table  # its totals equal its records


def test_the_differences_are_paginated(client):
    seed_market()
    for number in range(PER_PAGE + 3):
        make_project(f"ACR{1000 + number}", registry="ACR", issued=number + 1)
    first = client.get("/data").text
    assert 'id="differences-next"' in first
    assert re.findall(r'<tr data-project-id="([^"]+)"', first)[0] == f"ACR{1000 + PER_PAGE + 2}"
    second = client.get("/data?page=2").text
    assert len(re.findall(r'<tr data-project-id="ACR', second)) == 3
    assert client.get("/data?page=abc").status_code == 400
    assert "past the end" in client.get("/data?page=99").text
