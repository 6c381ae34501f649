"""The API's front door (/api/v1/) and its readable reference (/api/v1/docs)."""

from __future__ import annotations


def test_the_api_root_lists_every_endpoint_of_the_openapi_document(client):
    response = client.get("/api/v1/")
    assert response.status_code == 200
    body = response.json
    assert body["openapi"] == "/api/v1/openapi.json"
    assert body["docs"] == "/api/v1/docs"
    listed = {(e["method"], e["path"]) for e in body["endpoints"]}
    document = client.get("/api/v1/openapi.json").json
    expected = {
        (method.upper(), f"/api/v1{path}")
        for path, methods in document["paths"].items()
        for method in methods
    }
    assert listed == expected
    assert ("GET", "/api/v1/projects") in listed


def test_the_reference_page_loads_the_local_viewer_without_inline_script(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.text
    assert 'src="/static/vendor/swagger-ui/swagger-ui-bundle.js"' in html
    assert 'data-spec-url="/api/v1/openapi.json"' in html
    assert "<script>" not in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    # Without JavaScript the endpoint list is the reference.
    assert "<code>/api/v1/projects</code>" in html
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200
