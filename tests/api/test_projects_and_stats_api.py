"""The JSON API: projects (the catalogue's filters), one project, stats; errors, ETag, CORS."""

from __future__ import annotations

import pytest

from tests.insights.market import seed_market


def test_projects_list_uses_the_catalogue_filters_with_total_and_pages(client):
    seed_market()
    response = client.get("/api/v1/projects?registry=VCS&per_page=1&sort=name")
    assert response.status_code == 200
    body = response.json
    assert body["total"] == 2
    assert body["pages"] == 2
    assert body["per_page"] == 1
    assert [item["project_id"] for item in body["items"]] == ["VCS100"]
    item = body["items"][0]
    assert item["issued"] == 1500
    assert item["remaining"] == 1200
    assert item["country"] == "Brazil"
    assert item["url"] == "/api/v1/projects/VCS100"
    assert "id" not in item

    second = client.get("/api/v1/projects?registry=VCS&per_page=1&sort=name&page=2").json
    assert [item["project_id"] for item in second["items"]] == ["VCS101"]

    india = client.get("/api/v1/projects?country=India").json
    assert sorted(item["project_id"] for item in india["items"]) == ["GLD200", "VCS101"]


@pytest.mark.parametrize("per_page", ["0", "501", "ten"])
def test_per_page_beyond_500_is_a_problem(client, per_page):
    response = client.get(f"/api/v1/projects?per_page={per_page}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert "per_page" in response.json["detail"]


def test_per_page_500_is_allowed(client):
    seed_market()
    assert client.get("/api/v1/projects?per_page=500").json["per_page"] == 500


def test_bad_catalogue_filter_is_a_problem_naming_it(client):
    response = client.get("/api/v1/projects?registry=NOPE&status=sleeping")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert len(response.json["errors"]) == 2
    assert [param["name"] for param in response.json["invalid-params"]] == ["registry", "status"]
    assert "NOPE" in response.json["detail"]


def test_a_page_zero_is_refused_naming_page_without_saying_ignored(client):
    response = client.get("/api/v1/projects?page=0&country=Peru")
    assert response.status_code == 400
    assert response.json["invalid-params"] == [
        {"name": "page", "reason": "page=“0”: pages are numbered from 1."}
    ]
    assert "Ignored" not in response.json["detail"]
    assert response.json["detail"].startswith("Cannot use page:")


def test_reversed_range_is_unprocessable(client):
    response = client.get("/api/v1/projects?vintage_from=2020&vintage_to=2010")
    assert response.status_code == 422
    assert response.json["status"] == 422


def test_project_detail_has_fields_and_yearly_credits(client):
    seed_market()
    response = client.get("/api/v1/projects/VCS100")
    assert response.status_code == 200
    body = response.json
    assert body["project_id"] == "VCS100"
    assert body["scope"] == "Forestry"
    assert body["provenance"] == {}
    assert body["credits"] == [
        {"year": 2019, "issued": 1000, "retired": 0},
        {"year": 2020, "issued": 500, "retired": 0},
        {"year": 2021, "issued": 0, "retired": 300},
    ]


def test_unknown_project_is_a_404_problem(client):
    response = client.get("/api/v1/projects/VCS999999")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert "VCS999999" in response.json["detail"]


def test_stats_api_gives_the_page_figures_with_the_same_filters(client):
    seed_market()
    body = client.get("/api/v1/stats").json
    assert body["totals"] == {
        "projects": 4,
        "issued": 2100,
        "retired": 700,
        "remaining": 1400,
        "records_issued": 2100,
        "records_retired": 700,
    }
    by_registry = {row["registry"]: row["issued"] for row in body["by_registry"]}
    assert by_registry == {"VCS": 1700, "GLD": 400, "ACR": 0}

    filtered = client.get("/api/v1/stats?registry=VCS&year_from=2020&year_to=2020").json
    assert filtered["filters"]["registry"] == ["VCS"]
    assert filtered["totals"]["issued"] == 700
    assert filtered["totals"]["retired"] == 0


def test_stats_api_bad_values_are_problems(client):
    bad = client.get("/api/v1/stats?registry=XYZ&year_from=soon")
    assert bad.status_code == 400
    assert bad.mimetype == "application/problem+json"
    assert len(bad.json["errors"]) == 2
    reversed_range = client.get("/api/v1/stats?year_from=2021&year_to=2019")
    assert reversed_range.status_code == 422


@pytest.mark.parametrize(
    "url", ["/api/v1/projects", "/api/v1/projects/VCS100", "/api/v1/stats", "/api/v1/openapi.json"]
)
def test_clients_revalidate_with_etag_and_get_304(client, url):
    seed_market()
    first = client.get(url)
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert "max-age=60" in first.headers["Cache-Control"]
    assert "public" in first.headers["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    changed = client.get(url, headers={"If-None-Match": '"something-else"'})
    assert changed.status_code == 200


def test_etag_changes_when_the_data_does(client):
    projects = seed_market()
    before = client.get("/api/v1/projects/VCS101").headers["ETag"]
    from app.extensions import db
    from app.models import bump_data_version
    from tests.factories import make_credit

    make_credit(projects["VCS101"], kind="retirement", year=2022, vintage=2020, quantity=5)
    bump_data_version()
    db.session.commit()
    assert client.get("/api/v1/projects/VCS101").headers["ETag"] != before


@pytest.mark.parametrize(
    "url", ["/api/v1/stats", "/api/v1/projects/NOPE", "/api/v1/stats?registry=x"]
)
def test_every_api_response_is_open_to_other_origins(client, url):
    response = client.get(url, headers={"Origin": "https://elsewhere.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response.headers["Access-Control-Expose-Headers"]


@pytest.mark.parametrize(("method", "url"), [("GET", "/api/v1/nowhere"), ("POST", "/api/v1/stats")])
def test_routing_errors_under_the_api_are_problems_open_to_other_origins(client, method, url):
    response = client.open(url, method=method, headers={"Origin": "https://elsewhere.example"})
    assert response.status_code in (404, 405)
    assert response.mimetype == "application/problem+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_pages_outside_the_api_are_not_opened_to_other_origins(client):
    assert "Access-Control-Allow-Origin" not in client.get("/stats").headers
