"""Every probe of issue 19 answers as it should: a clear 4xx or a notice, never a 500."""

from __future__ import annotations

import pytest

from app.extensions import cache
from tests.accounts.helpers import sign_in_as
from tests.factories import make_credit, make_project, make_user

NUL_PROBES = [
    ("get", "/proposals?country=%00", None),
    ("get", "/proposals?scope=%00", None),
    ("get", "/proposals?type=%00", None),
    ("get", "/stats?country=%00", None),
    ("get", "/api/v1/stats?country=%00", None),
    ("get", "/projects/%00/comments", None),
    ("get", "/account/methodologies?methodology=a%00b", None),
    ("get", "/projects?q=a%00", None),
    ("post", "/auth/login", {"email": "ana\x00@example.org", "password": "x"}),
    ("post", "/auth/register", {"email": "ana@example.org", "password": "moss\x00granite lamp"}),
    ("post", "/auth/check-email", {"email": "a\x00@example.org"}),
]
NEW_PROJECT_FIELDS = {
    "name": "Mangrove",
    "description": "Coast",
    "country": "India",
    "scope": "Forestry",
    "project_type": "Mangroves",
    "methodology": "VM0033",
    "developer": "Dev",
    "website": "https://example.org",
    "stage": "proposed",
}
DIGIT_PROBES = [
    "/projects?page=²",
    "/api/v1/projects?page=²",
    "/api/v1/projects?per_page=²",
    "/proposals?page=²",
    "/projects/{registry}?credits_page=²",
    "/projects/{community}?comments_page=²",
    "/projects/{community}/comments?page=²",
    "/projects?issued_min=²",
    "/stats?year_from=²",
    "/api/v1/news?page=٣",
]


@pytest.fixture
def signed_in(client):
    user = make_user("ana@example.org")
    sign_in_as(client, user)
    return user


@pytest.mark.parametrize(("method", "url", "form"), NUL_PROBES)
def test_nul_is_refused_with_a_clear_400(client, signed_in, method, url, form):
    make_project(owner=signed_in, country="India")
    response = getattr(client, method)(url, data=form)
    assert response.status_code == 400
    assert "control character" in response.get_data(as_text=True)


@pytest.mark.parametrize("field", sorted(NEW_PROJECT_FIELDS))
def test_nul_in_any_field_of_a_new_project_is_refused(client, signed_in, field):
    form = dict(NEW_PROJECT_FIELDS, **{field: NEW_PROJECT_FIELDS[field] + "\x00"})
    response = client.post("/account/projects/new", data=form)
    assert response.status_code == 400
    assert f"form field “{field}” contains a control character" in response.text


def test_nul_in_a_comment_is_refused_and_line_breaks_are_kept(client, signed_in):
    project = make_project(owner=signed_in)
    refused = client.post(f"/projects/{project.project_id}/comments", data={"body": "a\x00b"})
    assert refused.status_code == 400
    kept = client.post(
        f"/projects/{project.project_id}/comments", data={"body": "first line\r\nsecond\tline"}
    )
    assert kept.status_code in (200, 302, 303)


@pytest.mark.parametrize("url", DIGIT_PROBES)
def test_non_ascii_digits_never_500(client, signed_in, url):
    registry = make_project("VCS191")
    make_credit(registry)
    community = make_project(owner=signed_in)
    response = client.get(url.format(registry="VCS191", community=community.project_id))
    assert response.status_code in (200, 400, 422), response.status_code
    if url.startswith("/api/") and response.status_code != 200:
        assert response.json["detail"]


def test_non_ascii_page_on_the_catalogue_is_ignored_with_a_notice(client):
    make_project("VCS191")
    response = client.get("/projects?page=²")
    assert response.status_code == 200
    assert "Ignored page=“²”" in response.text


def test_huge_ids_in_the_path_are_not_found_not_errors(client, signed_in):
    for url in ("/comments/99999999999999999999", "/comments/99999999999999999999/edit"):
        assert client.get(url).status_code == 404


def test_two_hundred_countries_are_capped_and_answer(client):
    make_project("VCS191", country="India")
    query = "&".join(f"country=c{number}" for number in range(200))
    response = client.get(f"/projects?{query}")
    assert response.status_code == 200
    assert "Used the first 50 country values only." in response.text
    api = client.get(f"/api/v1/projects?{query}")
    assert api.status_code == 400


def test_a_value_over_memcacheds_item_limit_degrades_to_uncached(app, backend):
    if backend != "postgresql":
        pytest.skip("the item limit is Memcached's")
    huge = "x" * (2 * 1024 * 1024)
    assert cache.set("hardening-huge", huge) is False
    assert cache.get("hardening-huge") is None
    assert cache.set("hardening-small", "ok") is True
    assert cache.get("hardening-small") == "ok"


def test_the_api_refuses_a_query_longer_than_documented(client):
    document = client.get("/api/v1/openapi.json").json
    (q,) = [p for p in document["paths"]["/projects"]["get"]["parameters"] if p["name"] == "q"]
    longest = q["schema"]["maxLength"]
    assert client.get("/api/v1/projects", query_string={"q": "a" * longest}).status_code == 200
    refused = client.get("/api/v1/projects", query_string={"q": "a" * (longest + 1)})
    assert refused.status_code == 400
    assert f"at most {longest} characters" in refused.json["detail"]
    too_many = client.get("/api/v1/projects?" + "&".join(["registry=VCS"] * 11))
    assert too_many.status_code == 400
