"""The account page's language choice, and the language an account starts with."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.i18n import LANGUAGE_COOKIE
from app.models import UserAccount
from tests.accounts.helpers import sign_in_as
from tests.factories import make_user


def test_the_account_page_offers_both_languages_and_saves_the_choice(client):
    user = make_user("reader@example.org")
    sign_in_as(client, user)
    page = client.get("/account").text
    assert '<form method="post" action="/language" id="account-language">' in page
    assert '<option value="en" lang="en" selected>English</option>' in page
    assert '<option value="ko" lang="ko">한국어</option>' in page

    response = client.post("/language", data={"language": "ko", "next": "/account"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/account"
    db.session.refresh(user)
    assert user.locale == "ko"

    # In Korean, whatever the browser asks for; the choice is selected.
    page = client.get("/account", headers={"Accept-Language": "en"}).text
    assert '<html lang="ko">' in page
    assert "<h1>내 계정</h1>" in page
    assert '<option value="ko" lang="ko" selected>한국어</option>' in page

    client.post("/language", data={"language": "en", "next": "/account"})
    db.session.refresh(user)
    assert user.locale == "en"


def test_an_account_made_after_choosing_korean_keeps_korean(client):
    client.post("/language", data={"language": "ko", "next": "/auth/register"})
    assert client.get_cookie(LANGUAGE_COOKIE).value == "ko"
    response = client.post(
        "/auth/register", data={"email": "new@example.org", "password": "moss granite lantern"}
    )
    assert response.status_code == 302
    user = db.session.scalar(select(UserAccount).where(UserAccount.email == "new@example.org"))
    assert user.locale == "ko"


def test_an_account_made_without_a_choice_has_none(client):
    response = client.post(
        "/auth/register",
        data={"email": "plain@example.org", "password": "moss granite lantern"},
        headers={"Accept-Language": "ko"},
    )
    assert response.status_code == 302
    user = db.session.scalar(select(UserAccount).where(UserAccount.email == "plain@example.org"))
    assert user.locale is None  # the browser's language is no choice: digests stay English
