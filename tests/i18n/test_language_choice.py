"""Which language a page speaks: the account's choice, the cookie's, the browser's, else English."""

from __future__ import annotations

import re

from app.extensions import db
from app.i18n import LANGUAGE_COOKIE
from tests.factories import make_user
from tests.proposals.helpers import sign_in


def page_language(response) -> str:
    return re.search(r'<html lang="(\w+)"', response.get_data(as_text=True)).group(1)


def test_english_without_a_choice_or_a_browser_preference(client):
    response = client.get("/")
    assert page_language(response) == "en"
    assert ">Projects</a>" in response.get_data(as_text=True)
    assert "Accept-Language" in response.headers["Vary"]


def test_the_browser_language_is_followed(client):
    response = client.get("/", headers={"Accept-Language": "ko-KR,ko;q=0.9,en;q=0.8"})
    assert page_language(response) == "ko"
    assert ">프로젝트</a>" in response.get_data(as_text=True)


def test_an_unsupported_browser_language_falls_back_to_english(client):
    response = client.get("/", headers={"Accept-Language": "fr-FR,de;q=0.8"})
    assert page_language(response) == "en"


def test_the_switch_keeps_the_choice_and_returns_to_the_same_page(client):
    response = client.post(
        "/language", data={"language": "ko", "next": "/projects?q=forest&page=2"}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/projects?q=forest&page=2"
    assert client.get_cookie(LANGUAGE_COOKIE).value == "ko"
    # The cookie outranks the browser's preference.
    assert page_language(client.get("/", headers={"Accept-Language": "en"})) == "ko"

    client.post("/language", data={"language": "en", "next": "/"})
    assert page_language(client.get("/", headers={"Accept-Language": "ko"})) == "en"


def test_the_switch_refuses_an_unknown_language_and_a_foreign_return_address(client):
    response = client.post("/language", data={"language": "xx", "next": "/"})
    assert response.status_code == 400
    assert client.get_cookie(LANGUAGE_COOKIE) is None

    response = client.post("/language", data={"language": "ko", "next": "//evil.example/"})
    assert response.headers["Location"] == "/"


def test_a_signed_in_choice_follows_the_account_to_another_browser(app, client):
    user = make_user()
    sign_in(client, user)
    client.post("/language", data={"language": "ko", "next": "/"})
    db.session.refresh(user)
    assert user.locale == "ko"

    elsewhere = app.test_client()
    sign_in(elsewhere, user)
    assert page_language(elsewhere.get("/", headers={"Accept-Language": "en"})) == "ko"
