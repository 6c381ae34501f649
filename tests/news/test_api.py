"""GET /api/v1/news: JSON, filters, problem+json errors, ETag revalidation, CORS."""

from __future__ import annotations

import jsonschema
import pytest

from app.blueprints.api.openapi import openapi_document
from tests.factories import make_project
from tests.news.news_factories import make_news_item


def schema_of(name: str) -> dict:
    document = openapi_document()
    return {"$ref": f"#/components/schemas/{name}", "components": document["components"]}


def test_news_api_lists_items_with_their_projects(client):
    project = make_project("VCS1234", name="Forest")
    make_news_item("Older")
    make_news_item("Newer", summary="Plain text", projects=[project], link="https://n.example/x")

    response = client.get("/api/v1/news")

    assert response.status_code == 200
    body = response.json
    assert (body["total"], body["page"], body["per_page"]) == (2, 1, 20)
    first = body["items"][0]
    assert first["title"] == "Newer"
    assert first["link"] == "https://n.example/x"
    assert first["published_at"].endswith("Z")
    assert first["projects"] == [
        {"project_id": "VCS1234", "name": "Forest", "url": "/projects/VCS1234"}
    ]
    jsonschema.validate(body, schema_of("NewsPage"))


def test_news_api_filters_and_pages(client):
    for number in range(5):
        make_news_item(f"Cookstove {number}", source="A")
    make_news_item("Forest", source="B")

    page = client.get("/api/v1/news?source=A&q=cookstove&per_page=2&page=3").json

    assert page["total"] == 5
    assert [item["title"] for item in page["items"]] == ["Cookstove 0"]


@pytest.mark.parametrize(
    "query", ["page=0", "page=abc", "per_page=101", "per_page=-1", "page=99999999999999999999"]
)
def test_bad_parameters_are_problem_json_400(client, query):
    response = client.get(f"/api/v1/news?{query}")

    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 400
    assert "must be a whole number" in response.json["detail"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    jsonschema.validate(response.json, schema_of("Problem"))


def test_nul_characters_in_filters_are_refused_with_a_clear_400(client):
    make_news_item("Alpha")
    response = client.get("/api/v1/news?q=al%00pha&source=%00")
    assert response.status_code == 400
    assert "control character" in response.json["detail"]


def test_clients_can_revalidate_with_the_etag(client):
    make_news_item("Alpha")
    first = client.get("/api/v1/news")
    etag = first.headers["ETag"]
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert "public" in first.headers["Cache-Control"]
    assert "max-age=60" in first.headers["Cache-Control"]

    unchanged = client.get("/api/v1/news", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.data == b""

    make_news_item("Beta")
    changed = client.get("/api/v1/news", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_openapi_document_describes_the_news_endpoint(client):
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/news"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"source", "q", "page", "per_page"} <= names
    per_page = next(p for p in operation["parameters"] if p["name"] == "per_page")
    assert per_page["schema"]["maximum"] == 100
    assert set(operation["responses"]) == {"200", "304", "400", "429"}
