"""The site's icons: /favicon.ico and the app icons answer, and every page names them."""

from __future__ import annotations

from tests.factories import make_project


def test_favicon_and_app_icons_answer(client):
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 200
    assert favicon.mimetype == "image/x-icon"
    assert favicon.data[:4] == b"\x00\x00\x01\x00"  # an icon directory
    assert client.get("/apple-touch-icon.png").data[:8] == b"\x89PNG\r\n\x1a\n"
    manifest = client.get("/site.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    for icon in manifest.json["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_every_page_links_its_icons(client):
    page = client.get("/").text
    assert 'rel="icon" href="/static/icons/icon.svg" type="image/svg+xml"' in page
    assert 'rel="apple-touch-icon"' in page


def test_the_map_outlines_are_one_cached_document_every_map_references(client):
    geometry = client.get("/map/countries.svg")
    assert geometry.mimetype == "image/svg+xml"
    assert '<path id="c-076" d="M' in geometry.text  # Brazil
    assert geometry.cache_control.max_age >= 86400
    again = client.get("/map/countries.svg", headers={"If-None-Match": geometry.headers["ETag"]})
    assert again.status_code == 304
    make_project("VCS1", country="Brazil")
    # The map comes with the search's overview (loaded after its results).
    page = client.get("/projects/overview").text
    assert '<use href="/map/countries.svg#c-076" fill="#1f6f4a" data-country="Brazil"' in page
