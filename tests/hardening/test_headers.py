"""HSTS over HTTPS, no-store on signed-in pages, Allow on 405."""

from __future__ import annotations

from tests.accounts.helpers import sign_in_as
from tests.factories import make_project, make_user


def test_hsts_only_over_https(client):
    make_project("VCS191")
    assert "Strict-Transport-Security" not in client.get("/projects").headers
    secure = client.get("/projects", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_signed_in_pages_are_never_stored(client):
    make_project("VCS191")
    assert "no-store" not in client.get("/projects").headers.get("Cache-Control", "")
    sign_in_as(client, make_user())
    for url in ("/projects", "/account", "/account/projects", "/projects/VCS191"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url


def test_static_files_stay_cacheable_when_signed_in(client):
    sign_in_as(client, make_user())
    assert "no-store" not in client.get("/static/css/app.css").headers.get("Cache-Control", "")


def test_405_names_the_allowed_methods(client):
    page = client.delete("/projects")
    assert page.status_code == 405
    assert set(page.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD"}
    api = client.post("/api/v1/projects")
    assert api.status_code == 405
    assert "GET" in api.headers["Allow"]
    assert api.mimetype == "application/problem+json"
