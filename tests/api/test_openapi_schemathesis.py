"""schemathesis against /api/v1/openapi.json: no 500, and every response matches the document."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.changes.conftest import make_change
from tests.credits.market import seed_retirements
from tests.insights.market import seed_market

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
OPERATIONS = [
    "/projects",
    "/projects/{project_id}",
    "/stats",
    "/news",
    "/credits",
    "/beneficiaries",
    "/beneficiaries/{slug}",
    "/changes",
]


def seed_changes() -> None:
    make_change(kind="first_load", registry="VCS", quantity=3)
    make_change(
        kind="retirement", project_id="VCS100", registry="VCS", country="Kenya", quantity=9,
        beneficiary="Shopify Inc.", beneficiary_key="shopify",
    )  # fmt: skip


@pytest.fixture
def api_schema(app):
    seed_market()
    seed_retirements()
    seed_changes()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


def test_openapi_document_describes_every_endpoint_in_3_1(client):
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    assert set(OPERATIONS) <= set(document["paths"])
    schemas = document["components"]["schemas"]
    assert {"Project", "ProjectDetail", "ProjectPage", "Stats", "Problem"} <= set(schemas)
    # 3.1 nullable types, not the 3.0 `nullable` keyword.
    assert schemas["Project"]["properties"]["name"]["type"] == ["string", "null"]
    assert "nullable" not in client.get("/api/v1/openapi.json").text


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize("path", OPERATIONS)
def test_generated_requests_get_documented_responses(api_schema, path, mode):
    operation = api_schema[path]["GET"]

    @settings(
        max_examples=30,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        case.call_and_validate(checks=CHECKS)

    check()


@pytest.mark.parametrize(
    ("path", "parameters"),
    [
        ("/projects/{project_id}", {"path_parameters": {"project_id": "VCS100"}}),
        ("/projects/{project_id}", {"path_parameters": {"project_id": "ACR300"}}),
        ("/projects", {"query": {"registry": ["VCS", "GLD"], "per_page": 2, "page": 2}}),
        ("/stats", {"query": {"country": ["India"], "year_from": 2020, "year_to": 2021}}),
        ("/stats", {"query": {"year_from": 2022, "year_to": 2020}}),
        ("/credits", {"query": {"q": "shopify", "kind": ["retirement"], "limit": 2}}),
        ("/beneficiaries", {"query": {"q": "shop"}}),
        ("/beneficiaries/{slug}", {"path_parameters": {"slug": "shopify"}}),
        ("/changes", {"query": {"kind": ["retirement"], "country": ["Kenya"], "limit": 1}}),
        ("/changes", {"query": {"date_from": "2024-02-01", "date_to": "2024-01-01"}}),
    ],
)
def test_known_requests_match_the_document(api_schema, path, parameters):
    case = api_schema[path]["GET"].Case(**parameters)
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code in (200, 422)
