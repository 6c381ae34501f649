"""The whole search page is cached for anonymous visitors, with a fresh CSRF token each time."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import bump_data_version
from tests.factories import make_project, make_user
from tests.proposals.helpers import sign_in

TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


def csrf_tokens(html: str) -> set[str]:
    return set(TOKEN.findall(html)) | set(re.findall(r'name="csrf_token" value="([^"]+)"', html))


@pytest.mark.csrf
def test_each_visitor_gets_its_own_valid_token_from_the_cached_page(app):
    make_project("VCS1", name="Kasigau Corridor")
    first, second = app.test_client(), app.test_client()
    page_one = first.get("/projects").text
    page_two = second.get("/projects").text
    assert "Kasigau Corridor" in page_two
    assert "\x00" not in page_two  # no hole left unfilled
    (token_one,), (token_two,) = csrf_tokens(page_one), csrf_tokens(page_two)
    assert token_one != token_two
    # The token in the cached page works for its own visitor's form.
    switched = second.post("/language", data={"language": "ko", "csrf_token": token_two})
    assert switched.status_code == 303
    refused = second.post("/language", data={"language": "ko", "csrf_token": "forged"})
    assert refused.status_code == 400


def test_the_cached_page_follows_the_data_and_the_language(client):
    make_project("VCS1", name="Kasigau Corridor")
    assert "Kasigau Corridor" in client.get("/projects").text
    make_project("VCS2", name="Rimba Raya")
    bump_data_version(db.session)
    db.session.commit()
    assert "Rimba Raya" in client.get("/projects").text
    korean = client.get("/projects", headers={"Accept-Language": "ko"}).text
    assert '<html lang="ko">' in korean


def test_a_signed_in_visitor_is_never_served_the_anonymous_page(app, client):
    make_project("VCS1", name="Kasigau Corridor")
    assert "Sign in" in client.get("/projects").text
    sign_in(client, make_user())
    page = client.get("/projects").text
    assert "Sign out" in page
    assert ">Sign in</a>" not in page
