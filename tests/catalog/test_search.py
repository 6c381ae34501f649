"""The search page over HTTP: text search, facets, sorting, pages, HTMX fragments, caching."""

from __future__ import annotations

import csv
import io
import re

from app.catalog.query import ProjectQuery
from app.catalog.search import facet_counts, search_projects
from app.extensions import db
from app.models import Project, bump_data_version
from tests.factories import make_project, make_user

RESULTS = {"HX-Request": "true", "HX-Target": "catalog-results"}


def listed_ids(html: str) -> list[str]:
    return re.findall(r'<tr data-project-id="([^"]+)"', html)


def facet_count(html: str, facet: str, value: str) -> int | None:
    section = html.split(f'id="facet-{facet}"', 1)[1].split("</fieldset>", 1)[0]
    match = re.search(
        rf'value="{re.escape(value)}"[^>]*>.*?data-count="(\d+)"', section, flags=re.S
    )
    return int(match.group(1)) if match else None


def test_id_typed_any_way_finds_the_project(client):
    make_project("VCS191", name="Kariba REDD+")
    make_project("VCS1234", name="Another")
    make_project("GLD191", registry="GLD", name="Stoves")
    for typed in ("VCS 191", "vcs191", "Vcs-191"):
        assert listed_ids(
            client.get("/projects", query_string={"q": typed}, follow_redirects=True).text
        ) == ["VCS191"]
    assert set(listed_ids(client.get("/projects?q=191", follow_redirects=True).text)) == {
        "VCS191",
        "GLD191",
    }


def test_text_search_ignores_case_and_accents_and_reads_developer_and_methodology(client):
    make_project("VCS1", name="Açaí Forest Conservation")
    make_project("VCS2", name="Wind", developer="Énergie Éolienne SA")
    make_project("VCS3", name="Landfill", methodology="ACM0001 Flaring of landfill gas")
    make_project("VCS4", name="Unrelated")
    assert listed_ids(client.get("/projects?q=ACAI forest", follow_redirects=True).text) == ["VCS1"]
    assert listed_ids(client.get("/projects?q=energie", follow_redirects=True).text) == ["VCS2"]
    assert listed_ids(client.get("/projects?q=acm0001", follow_redirects=True).text) == ["VCS3"]
    assert listed_ids(client.get("/projects?q=50%25_x", follow_redirects=True).text) == []


def test_relevance_puts_the_exact_id_first_then_names_starting_with_the_query(client):
    make_project("VCS9", name="Alpha river", developer="Grid river")
    make_project("VCS10", name="River delta")
    make_project("VCS11", name="A big river")
    assert listed_ids(client.get("/projects?q=river", follow_redirects=True).text) == [
        "VCS10",
        "VCS11",
        "VCS9",
    ]
    make_project("VCS100", name="vcs10 lookalike")
    assert listed_ids(client.get("/projects?q=vcs10", follow_redirects=True).text)[0] == "VCS10"


def test_registry_facet_filters_and_its_counts_ignore_its_own_filter(client):
    for number in range(3):
        make_project(f"VCS{number + 1}", country="Brazil")
    make_project("GLD1", registry="GLD", country="Brazil")
    make_project("GLD2", registry="GLD", country="India")
    page = client.get("/projects?registry=GLD", follow_redirects=True).text
    assert listed_ids(page) == ["GLD1", "GLD2"]
    assert facet_count(page, "registry", "VCS") == 3
    assert facet_count(page, "registry", "GLD") == 2
    assert facet_count(page, "country", "Brazil") == 1
    assert facet_count(page, "country", "India") == 1
    both = client.get(
        "/projects?registry=GLD&registry=VCS&country=Brazil", follow_redirects=True
    ).text
    assert sorted(listed_ids(both)) == ["GLD1", "VCS1", "VCS2", "VCS3"]
    assert facet_count(both, "registry", "GLD") == 1


def test_community_projects_have_their_own_registry_value(client):
    owner = make_user()
    make_project(owner=owner, name="Village biogas")
    make_project("VCS5")
    page = client.get("/projects?registry=COMMUNITY", follow_redirects=True).text
    assert [pid for pid in listed_ids(page) if pid.startswith("COMMUNITY-")] == listed_ids(page)
    assert len(listed_ids(page)) == 1
    assert "badge-community" in page
    assert facet_count(page, "registry", "COMMUNITY") == 1


def test_status_scope_type_methodology_facets_filter(client):
    make_project("VCS1", status_group="completed", scope="Forestry", project_type="REDD+")
    make_project("VCS2", status_group="registered", scope="Forestry", project_type="ARR")
    make_project("VCS3", status_group="completed", scope="Energy", methodology="AMS-I.D")
    assert listed_ids(
        client.get("/projects?status=completed&scope=Forestry", follow_redirects=True).text
    ) == ["VCS1"]
    assert listed_ids(client.get("/projects?type=ARR", follow_redirects=True).text) == ["VCS2"]
    assert listed_ids(client.get("/projects?methodology=AMS-I.D", follow_redirects=True).text) == [
        "VCS3"
    ]


def test_ranges_keep_projects_within_issued_and_overlapping_vintages(client):
    make_project("VCS1", issued=100, first_vintage=2005, last_vintage=2010)
    make_project("VCS2", issued=5000, first_vintage=2012, last_vintage=2020)
    make_project("VCS3", issued=90000, first_vintage=2021, last_vintage=2023)
    assert listed_ids(
        client.get("/projects?issued_min=1000&issued_max=10000", follow_redirects=True).text
    ) == ["VCS2"]
    assert listed_ids(
        client.get("/projects?vintage_from=2009&vintage_to=2012", follow_redirects=True).text
    ) == [
        "VCS1",
        "VCS2",
    ]


def test_name_sort_ignores_leading_quotes_and_case(client):
    make_project("VCS1", name='"Zebra grasslands"')
    make_project("VCS2", name="alpine meadows")
    make_project("VCS3", name="*Mangroves of the delta")
    make_project("VCS4", name="Birch woods")
    assert listed_ids(client.get("/projects?sort=name", follow_redirects=True).text) == [
        "VCS2",
        "VCS4",
        "VCS3",
        "VCS1",
    ]


def test_sorts_use_the_primary_key_as_tie_breaker(client):
    make_project("VCS1", name="B", issued=10, last_vintage=2010)
    make_project("VCS2", name="A", issued=30, last_vintage=None)
    make_project("VCS3", name="C", issued=10, last_vintage=2020)
    assert listed_ids(client.get("/projects", follow_redirects=True).text) == [
        "VCS2",
        "VCS1",
        "VCS3",
    ]
    assert listed_ids(client.get("/projects?sort=issued", follow_redirects=True).text) == [
        "VCS2",
        "VCS3",
        "VCS1",
    ]
    assert listed_ids(
        client.get("/projects?sort=issued&order=asc", follow_redirects=True).text
    ) == [
        "VCS1",
        "VCS3",
        "VCS2",
    ]
    assert listed_ids(client.get("/projects?sort=vintage", follow_redirects=True).text) == [
        "VCS3",
        "VCS1",
        "VCS2",
    ]
    assert listed_ids(client.get("/projects?sort=name&order=desc", follow_redirects=True).text) == [
        "VCS3",
        "VCS1",
        "VCS2",
    ]


def _many_projects(count: int) -> None:
    db.session.add_all(
        Project(
            project_id=f"ACR{n}",
            name=f"Project {n:03d}",
            registry="ACR",
            source="offsetsdb",
            search_text=f"acr{n} acr {n} | project {n:03d}",
            provenance={},
        )
        for n in range(count)
    )
    db.session.commit()


def test_fifty_a_page_with_total_and_first_prev_next_last(client):
    _many_projects(120)
    page = client.get("/projects?registry=ACR&page=2", follow_redirects=True).text
    assert len(listed_ids(page)) == 50
    assert listed_ids(page)[0] == "ACR50"
    assert "120 projects" in page
    assert "Page 2 of 3" in page
    labels = (("« First", None), ("\u2039 Previous", None), ("Next \u203a", 3), ("Last »", 3))
    for label, number in labels:
        link = re.search(rf'<a href="([^"]+)"[^>]*>{re.escape(label)}</a>', page)
        assert link, label
        assert "registry=ACR" in link.group(1)
        assert (f"page={number}" in link.group(1)) if number else ("page=" not in link.group(1))


def test_a_page_past_the_end_shows_the_last_page_and_says_so(client):
    _many_projects(60)
    response = client.get("/projects?page=9", follow_redirects=True)
    assert response.status_code == 200
    assert "Page 9 is past the end" in response.text
    assert len(listed_ids(response.text)) == 10


def test_bad_filters_are_named_and_the_rest_still_apply(client):
    make_project("VCS1", country="Peru")
    make_project("VCS2", country="Chile")
    response = client.get(
        "/projects?registry=XYZ&issued_min=abc&page=-3&sort=bogus&country=Peru&vintage_from=1"
    )
    assert response.status_code == 200
    notice = response.text.split('id="search-notice"', 1)[1].split("</div>", 1)[0]
    for named in ("XYZ", "issued_min", "page", "bogus", "vintage_from"):
        assert named in notice
    assert listed_ids(response.text) == ["VCS1"]


def test_htmx_form_request_gets_only_the_results_region(client):
    make_project("VCS1", name="Kariba")
    response = client.get("/projects?q=kariba&page=1", headers=RESULTS)
    assert response.text.lstrip().startswith('<div id="catalog-results"')
    assert "<html" not in response.text
    assert 'id="facet-registry"' in response.text
    assert response.headers["HX-Push-Url"] == "/projects?q=kariba"
    assert {"HX-Request", "HX-Target"} <= set(response.vary)


def test_links_swap_the_whole_form_and_boosted_or_plain_requests_get_the_page(client):
    make_project("VCS1")
    form = client.get("/projects", headers={"HX-Request": "true", "HX-Target": "project-search"})
    assert form.text.lstrip().startswith('<form id="project-search"')
    boosted = client.get("/projects", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.text
    assert "<html" in client.get("/projects", follow_redirects=True).text


def test_chips_remove_one_filter_each_and_clear_all_removes_every_one(client):
    make_project("VCS1", country="Peru")
    page = client.get(
        "/projects?q=project&registry=VCS&country=Peru&issued_min=5", follow_redirects=True
    ).text
    chips = page.split('aria-label="Active filters"', 1)[1].split("</ul>", 1)[0]
    hrefs = [href.replace("&amp;", "&") for href in re.findall(r'<a href="([^"]+)"', chips)]
    assert len(hrefs) == 5
    assert "country=Peru" not in hrefs[2]
    assert "registry=VCS" in hrefs[2]
    assert hrefs[-1] == "/projects"
    assert "Clear all" in chips


def test_facet_values_beyond_the_top_ones_hide_behind_more(client):
    for number in range(12):
        make_project(f"VCS{number + 1}", country=f"Country {number:02d}")
    page = client.get("/projects?country=Country 11", follow_redirects=True).text
    section = page.split('id="facet-country"', 1)[1].split("</fieldset>", 1)[0]
    visible, more = section.split("<details", 1)
    assert 'value="Country 11" checked' in visible
    assert '3 more<span class="visually-hidden"> country values</span>' in more


def test_search_and_facets_are_cached_until_the_data_version_changes(app):
    make_project("VCS1", country="Peru")
    query = ProjectQuery(country=("Peru",))
    assert search_projects(query).total == 1
    assert dict(facet_counts(query)["country"]) == {"Peru": 1}
    make_project("VCS2", country="Peru")
    assert search_projects(query).total == 1  # served from the cache
    assert dict(facet_counts(query)["country"]) == {"Peru": 1}
    bump_data_version()
    db.session.commit()
    assert search_projects(query).total == 2
    assert dict(facet_counts(query)["country"]) == {"Peru": 2}


def test_export_streams_the_filtered_projects_as_csv(client):
    make_project("VCS1", name="Kariba", country="Zimbabwe", issued=100, retired=40)
    make_project("VCS2", name="=HYPERLINK(1)", country="Zimbabwe")
    make_project("GLD3", registry="GLD", country="Zimbabwe")
    response = client.get(
        "/projects/export.csv?registry=VCS&country=Zimbabwe", follow_redirects=True
    )
    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Type"].endswith("charset=utf-8")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["project_id"] for row in rows] == ["VCS2", "VCS1"]
    assert rows[1]["remaining"] == "60"
    assert rows[0]["name"] == "'=HYPERLINK(1)"


def test_results_link_to_the_export_with_the_same_filters(client):
    make_project("VCS1", country="Peru")
    page = client.get("/projects?country=Peru&page=1", follow_redirects=True).text
    assert 'href="/projects/export.csv?country=Peru"' in page


def test_the_results_page_is_served_from_the_cache_until_a_sync_bumps_the_version(client):
    make_project("VCS1", country="Peru")
    assert "1 project" in client.get("/projects?country=Peru", follow_redirects=True).text
    make_project("VCS2", country="Peru")
    assert "1 project" in client.get("/projects?country=Peru", follow_redirects=True).text
    bump_data_version()
    db.session.commit()
    page = client.get("/projects?country=Peru", follow_redirects=True).text
    assert "2 projects" in page
    assert listed_ids(page) == ["VCS1", "VCS2"]


def test_an_empty_order_from_the_form_means_the_sorts_natural_order(client):
    make_project("VCS1", issued=5)
    make_project("VCS2", issued=50)
    assert listed_ids(client.get("/projects?sort=issued&order=", follow_redirects=True).text) == [
        "VCS2",
        "VCS1",
    ]
    assert listed_ids(client.get("/projects?sort=name&order=", follow_redirects=True).text) == [
        "VCS1",
        "VCS2",
    ]


def test_the_sort_menu_follows_the_search_box_until_a_sort_is_picked(client):
    make_project("VCS9", name="Alpha river")
    make_project("VCS10", name="River delta")
    page = client.get("/projects", follow_redirects=True).text
    assert '<option value="" selected>' in page
    assert 'value="relevance"' not in page
    # The form sends the menu's "" with what was typed: relevance, not name.
    typed = client.get("/projects?q=river&sort=&order=", headers=RESULTS)
    assert listed_ids(typed.text) == ["VCS10", "VCS9"]
    assert typed.headers["HX-Push-Url"] == "/projects?q=river"
    picked = client.get("/projects?q=river&sort=name", follow_redirects=True).text
    assert '<option value="name-asc" selected>Name, A to Z</option>' in picked
    assert listed_ids(picked) == ["VCS9", "VCS10"]


def test_facet_checkboxes_keep_their_ids_so_focus_survives_a_swap(client):
    make_project("VCS1", country="Peru")
    make_project("GLD1", registry="GLD", country="Peru")
    make_project("GLD2", registry="GLD", country="Côte d'Ivoire")

    def checkbox_ids(html: str) -> dict[str, str]:
        return dict(
            re.findall(r'<input type="checkbox" id="([^"]+)" name="\w+" value="([^"]+)"', html)
        )

    before = checkbox_ids(client.get("/projects", follow_redirects=True).text)
    after = checkbox_ids(client.get("/projects?registry=GLD", headers=RESULTS).text)
    assert len(set(before)) == len(before) == 5
    assert before == after


def test_a_nul_character_in_any_parameter_is_refused_with_a_clear_400_not_a_500(client):
    # One check for every request (app/request_input.py): a 400 that names the input.
    make_project("VCS1", country="Peru")
    for url in (
        "/projects?country=Pe%00ru&q=%00",
        "/projects?country=Peru%00",
        "/projects/export.csv?methodology=%00x",
        "/api/v1/projects?country=%00",
        "/projects/VCS%001",
        "/api/v1/projects/VCS%001",
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "control character" in response.text, url


def test_export_refuses_a_filter_it_cannot_read_rather_than_export_everything(client):
    make_project("VCS1", country="Peru", issued=10)
    make_project("VCS2", country="Chile", issued=5000)
    refused = client.get("/projects/export.csv?country=Peru&issued_min=lots", follow_redirects=True)
    assert refused.status_code == 400
    assert "issued_min" in refused.text
    assert "VCS" not in refused.text
    # A page number means nothing to a download; reversed bounds are swapped as on the page.
    swapped = client.get(
        "/projects/export.csv?issued_min=10000&issued_max=100&page=-3", follow_redirects=True
    )
    assert swapped.status_code == 200
    rows = list(csv.DictReader(io.StringIO(swapped.get_data(as_text=True))))
    assert [row["project_id"] for row in rows] == ["VCS2"]


def test_the_same_search_again_adds_no_history_entry(client):
    make_project("VCS1", name="Kariba")
    here = {**RESULTS, "HX-Current-URL": "http://localhost/projects?q=kariba"}
    again = client.get("/projects?q=kariba&sort=&order=", headers=here)
    assert again.headers["HX-Push-Url"] == "false"
    assert listed_ids(again.text) == ["VCS1"]
    moved = client.get("/projects?q=kariba&registry=VCS", headers=here)
    assert moved.headers["HX-Push-Url"] == "/projects?q=kariba&registry=VCS"
    assert "HX-Current-URL" in moved.vary


def test_community_edits_show_at_once_in_the_cached_catalogue_and_api(client):
    from app.accounts.community import create_project, delete_project, update_project

    make_project("VCS1", country="Peru")
    url = "/projects?registry=COMMUNITY&registry=VCS"
    assert listed_ids(client.get(url).text) == ["VCS1"]  # now cached
    owner = make_user()
    project = create_project(owner, {"name": "Village biogas", "country": "Peru"})
    page = client.get(url).text
    assert sorted(listed_ids(page)) == [project.project_id, "VCS1"]
    assert facet_count(page, "registry", "COMMUNITY") == 1
    assert facet_count(page, "country", "Peru") == 2
    api = client.get("/api/v1/projects?registry=COMMUNITY").json
    assert [(item["project_id"], item["source"]) for item in api["items"]] == [
        (project.project_id, "community")
    ]
    update_project(project, {"name": "Valley biogas", "country": "Peru", "stage": "proposed"})
    assert "Valley biogas" in client.get(url).text
    delete_project(project)
    assert listed_ids(client.get(url).text) == ["VCS1"]
