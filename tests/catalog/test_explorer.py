"""The explorer around the results: canonical URLs, sort headers, the overview, the map."""

from __future__ import annotations

import re

from app.catalog.overview import search_overview
from app.catalog.query import ProjectQuery
from app.extensions import db
from app.models import bump_data_version
from app.world_map import atlas_key, by_atlas_key
from tests.catalog.test_search import RESULTS, listed_ids
from tests.factories import make_credit, make_project

# What htmx sends when the results region loads its chart and map.
PICTURES = {"HX-Request": "true", "HX-Target": "overview-pictures"}


def test_a_plain_form_with_empty_fields_redirects_to_the_canonical_url(client):
    make_project("VCS1", country="Peru")
    response = client.get(
        "/projects?q=&country=Peru&sort=&issued_min=&issued_max=&vintage_from=&vintage_to="
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/projects?country=Peru"
    assert client.get("/projects?country=Peru").status_code == 200
    # The menu's one value for sort and direction becomes the two parameters links use.
    menu = client.get("/projects?sort=issued-asc")
    assert menu.headers["Location"] == "/projects?sort=issued&order=asc"


def test_a_bad_parameter_is_shown_not_redirected_and_the_canonical_url_pushed(client):
    make_project("VCS1")
    page = client.get("/projects?sort=bogus&q=")
    assert page.status_code == 200
    assert "Ignored unknown sort" in page.text
    fragment = client.get("/projects?sort=bogus", headers=RESULTS)
    assert fragment.status_code == 200
    assert fragment.headers["HX-Push-Url"] == "/projects"


def test_column_headers_sort_and_a_second_click_reverses(client):
    make_project("VCS1", name="Small", issued=5)
    make_project("VCS2", name="Large", issued=500)
    page = client.get("/projects").text
    link = re.search(r'<a href="([^"]+)" class="sort-link" id="sort-issued"', page).group(1)
    assert link == "/projects?sort=issued"
    by_issued = client.get(link)
    assert listed_ids(by_issued.text) == ["VCS2", "VCS1"]
    assert 'aria-sort="descending"' in by_issued.text
    reverse = re.search(
        r'<a href="([^"]+)" class="sort-link sort-active" id="sort-issued"', by_issued.text
    ).group(1)
    assert reverse == "/projects?sort=issued&amp;order=asc"
    assert listed_ids(client.get(reverse.replace("&amp;", "&")).text) == ["VCS1", "VCS2"]


def test_sort_menu_uses_plain_words(client):
    make_project("VCS1")
    page = client.get("/projects").text
    labels = ("Name, A to Z", "Most credits issued", "Newest vintage", "Fewest credits retired")
    for label in labels:
        assert f">{label}</option>" in page
    assert "Natural" not in page
    assert "Relevance (name" not in page
    assert ">Best match</option>" in client.get("/projects?q=x").text


def test_the_filters_button_counts_the_active_filters(client):
    make_project("VCS1", country="Peru")
    page = client.get("/projects?country=Peru&registry=VCS&issued_min=1").text
    assert re.search(r'class="[^"]*filters-toggle">Filters \(3\)</summary>', page)
    assert "Filters</summary>" in client.get("/projects").text


def test_overview_totals_and_years_follow_exactly_the_filters(client):
    peru = make_project("VCS1", country="Peru", issued=300, retired=100)
    chile = make_project("VCS2", country="Chile", issued=5000, retired=0)
    make_credit(peru, kind="issuance", quantity=200, year=2019)
    make_credit(peru, kind="issuance", quantity=100, year=2021)
    make_credit(peru, kind="retirement", quantity=60, year=2021)
    make_credit(peru, kind="cancellation", quantity=40, year=2022)
    make_credit(chile, kind="issuance", quantity=5000, year=2021)
    overview = search_overview(ProjectQuery(country=("Peru",)))
    assert (overview.projects, overview.issued, overview.retired) == (1, 300, 100)
    assert overview.years == (2019, 2021, 2022)
    assert overview.issued_by_year == (200, 100, 0)
    assert overview.retired_by_year == (0, 60, 40)
    everything = search_overview(ProjectQuery())
    assert everything.issued_by_year == (200, 5100, 0)

    page = client.get("/projects?country=Peru").text
    assert 'data-total="issued"><span class="total-full">300</span>' in page
    assert re.search(r'data-total="retired">.*100</span>.*\(33%\)</span></dd>', page)
    # The chart and the map follow the results: loaded into the region, or a page of their own.
    assert 'hx-get="/projects/overview?country=Peru" hx-trigger="load"' in page
    assert 'id="overview-chart-svg"' not in page
    pictures = client.get("/projects/overview?country=Peru", headers=PICTURES).text
    assert 'id="overview-pictures"' in pictures
    assert 'id="overview-chart-svg"' in pictures
    assert "2021 — Retired: 60" in pictures
    assert "<html" not in pictures


def test_an_empty_search_shows_zero_totals_and_no_chart(client):
    make_project("VCS1", country="Peru")
    page = client.get("/projects?country=Chile").text
    assert 'data-total="projects">0<' in page
    assert "/projects/overview" not in page  # nothing to draw: no second request
    pictures = client.get("/projects/overview?country=Chile", headers=PICTURES).text
    assert 'id="overview-chart-svg"' not in pictures
    assert "No project matches" in page


def test_map_shades_countries_and_each_links_to_add_its_filter(client):
    make_project("VCS1", country="Peru", issued=10)
    make_project("VCS2", country="Peru", issued=10)
    make_project("VCS3", country="Chile", issued=1_000_000)
    make_project("VCS4", country="DRC", country_code="CD", issued=5)
    page = client.get("/projects/overview?registry=VCS", headers=PICTURES).text
    svg = page.split('id="world-map"', 1)[1].split("</svg>", 1)[0]
    assert "<title>Peru: 2 projects</title>" in svg
    assert "<title>Dem. Rep. Congo: 1 project</title>" in svg
    peru_link = re.search(r'<a href="([^"]+)" aria-label="Peru: 2 projects"', svg).group(1)
    assert peru_link == "/projects?registry=VCS&amp;country=Peru"
    by_credits = client.get("/projects/overview?registry=VCS&map=credits", headers=PICTURES).text
    assert "<title>Chile: 1,000,000 credits issued</title>" in by_credits
    # Chosen countries stay on the map (every filter but country), outlined.
    chosen = client.get("/projects/overview?country=Peru", headers=PICTURES).text
    assert re.search(r'data-country="Peru" class="selected"', chosen)
    assert "<title>Chile: 1 project</title>" in chosen


def test_country_names_and_iso_codes_meet_on_one_atlas_shape():
    assert atlas_key("Brazil") == atlas_key(None, "BR") == atlas_key(None, "BRA") == "076"
    assert atlas_key("DRC") == atlas_key("Congo, The Democratic Republic of the") == "180"
    assert atlas_key("Kosovo") == "Kosovo"
    assert atlas_key("International") is None
    folded = by_atlas_key([("Viet Nam", None, 2), ("Vietnam", "VN", 3), ("Nowhere", None, 9)])
    assert list(folded) == ["704"]
    assert folded["704"].names == ("Viet Nam", "Vietnam")
    assert folded["704"].value == 5


def test_without_javascript_the_chart_and_map_are_a_page_of_their_own(client):
    make_project("VCS1", country="Peru", issued=10)
    make_project("VCS2", country="Chile", issued=10)
    page = client.get("/projects/overview?registry=VCS&map=credits").text
    assert "<html" in page
    assert 'href="/projects?registry=VCS&amp;map=credits">' in page
    assert "Back to the 2 projects of this search" in page
    assert 'id="world-map"' in page
    # The measure switches on this page (a plain link), not in a search region it has not.
    assert 'href="/projects/overview?registry=VCS" class="map-measure-link">Projects' in page
    assert 'hx-target="#catalog-results"' not in page
    # In the search, the same switch swaps the results region like its other links.
    pictures = client.get("/projects/overview?registry=VCS&map=credits", headers=PICTURES).text
    assert 'hx-get="/projects?registry=VCS" hx-target="#catalog-results"' in pictures


def test_the_chart_and_map_are_cached_until_the_data_version_changes(client):
    make_project("VCS1", country="Peru", issued=10)
    url = "/projects/overview?registry=VCS"
    assert "<title>Peru: 1 project</title>" in client.get(url, headers=PICTURES).text
    make_project("VCS2", country="Peru", issued=10)
    assert "<title>Peru: 1 project</title>" in client.get(url, headers=PICTURES).text
    bump_data_version()
    db.session.commit()
    assert "<title>Peru: 2 projects</title>" in client.get(url, headers=PICTURES).text
