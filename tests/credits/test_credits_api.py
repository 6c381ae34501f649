"""/api/v1/credits (cursor paging) and /api/v1/beneficiaries[/<slug>]."""

from __future__ import annotations

from tests.credits.market import seed_retirements


def test_credits_api_filters_like_the_page_and_pages_by_cursor(client):
    seed_retirements()
    first = client.get("/api/v1/credits?kind=retirement&limit=2").json
    assert len(first["items"]) == 2
    assert first["next_cursor"]
    second = client.get(first["next"]).json
    third = client.get(second["next"]).json
    seen = [item["id"] for page in (first, second, third) for item in page["items"]]
    assert len(seen) == len(set(seen)) == 5
    assert third["next_cursor"] is None
    shopify = client.get("/api/v1/credits?q=shopify").json["items"]
    assert {item["beneficiary_key"] for item in shopify} == {"shopify"}
    assert {item["beneficiary"] for item in shopify} == {
        "Shopify Inc.",
        "SHOPIFY, INC",
        "Retired on behalf of Shopify Inc. for 2024 emissions",
    }
    assert shopify[0]["beneficiary_url"] == "/api/v1/beneficiaries/shopify"


def test_credits_api_refuses_what_it_cannot_read(client):
    response = client.get("/api/v1/credits?kind=swap&limit=0&cursor=zzz")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert len(response.json["errors"]) == 3
    reversed_range = client.get("/api/v1/credits?vintage_from=2024&vintage_to=2020")
    assert reversed_range.status_code == 422


def test_beneficiaries_api_ranks_and_describes(client):
    seed_retirements()
    listing = client.get("/api/v1/beneficiaries").json
    assert [item["slug"] for item in listing["items"]] == ["delta-air-lines", "shopify"]
    assert listing["items"][1]["retired"] == 2300
    detail = client.get("/api/v1/beneficiaries/shopify").json
    assert detail["retired"] == 2300
    assert {row["project_id"] for row in detail["by_project"]} == {"VCS1340", "GLD11603"}
    assert {row["year"] for row in detail["by_year"]} == {2022, 2023, 2024}
    assert len(detail["raw_names"]) == 3
    missing = client.get("/api/v1/beneficiaries/nobody")
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"
