"""schemathesis against GET /api/v1/news: no 500, every response fits the OpenAPI document."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.news.news_factories import make_news_item


def test_news_endpoint_conforms_to_its_openapi_description(sqlite_app):
    make_news_item("Cookstoves", source="Carbon Daily", summary="A summary")
    make_news_item("Forests", source="Registry Watch")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", sqlite_app)
    operation = schema["/news"]["GET"]

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def check(case):
        case.call_and_validate()

    check()
