"""Ids typed as aliases: search finds the project; pages and the API move to the canonical id."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_project


def listed_ids(html: str) -> list[str]:
    return re.findall(r'<tr data-project-id="([^"]+)"', html)


@pytest.fixture
def projects(app):
    make_project("GLD561", registry="GLD", name="Cookstoves Ghana")
    make_project("GLD1561", registry="GLD", name="Wind Turkey")
    make_project("VCS561", name="Hydro Peru")
    make_project("VCS191", name="Kariba REDD+")


@pytest.mark.parametrize("typed", ["GS561", "GS 561", "gs-561", "gld 561"])
def test_gold_standard_aliases_find_the_project(client, projects, typed):
    assert listed_ids(client.get("/projects", query_string={"q": typed}).text) == ["GLD561"]


@pytest.mark.parametrize("typed", ["VCS 191", "VCS-191", "vcs191"])
def test_verra_aliases_find_the_project(client, projects, typed):
    assert listed_ids(client.get("/projects", query_string={"q": typed}).text) == ["VCS191"]


def test_a_bare_number_with_its_registry_filter_finds_the_project_first(client, projects):
    page = client.get("/projects", query_string={"q": "561", "registry": "GLD"}).text
    assert listed_ids(page) == ["GLD561", "GLD1561"]


@pytest.mark.parametrize("typed", ["GS561", "gs-561", "gld561", "GS%20561"])
def test_an_alias_address_moves_permanently_to_the_canonical_page(client, projects, typed):
    response = client.get(f"/projects/{typed}?credits_page=2")
    assert response.status_code == 301
    assert response.headers["Location"] == "/projects/GLD561?credits_page=2"
    assert client.get("/projects/GLD561").status_code == 200


def test_the_chart_fragment_of_an_alias_moves_too(client, projects):
    response = client.get("/projects/gs561/chart")
    assert response.status_code == 301
    assert response.headers["Location"] == "/projects/GLD561/chart"


def test_an_alias_of_no_project_is_a_404(client, projects):
    assert client.get("/projects/GS999").status_code == 404


def test_the_api_redirects_an_alias_to_the_canonical_resource(client, projects):
    response = client.get("/api/v1/projects/GS%20561")
    assert response.status_code == 301
    assert response.headers["Location"] == "/api/v1/projects/GLD561"
    followed = client.get("/api/v1/projects/GS561", follow_redirects=True)
    assert followed.json["project_id"] == "GLD561"
    assert client.get("/api/v1/projects/GS999").status_code == 404


def test_the_openapi_document_says_aliases_redirect(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/projects/{project_id}"]["get"]
    assert "301" in operation["responses"]
    assert "GS561" in operation["parameters"][0]["description"]
