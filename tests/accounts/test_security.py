"""CSRF on every state change, cookie flags and security headers on account pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import Project, UserAccount
from tests.accounts.helpers import csrf_token_from, sign_in_as
from tests.conftest import base_config
from tests.factories import DEFAULT_PASSWORD, make_project, make_user


@pytest.mark.csrf
def test_register_without_a_token_is_refused(client):
    response = client.post(
        "/auth/register", data={"email": "a@example.org", "password": "moss granite lantern"}
    )
    assert response.status_code == 400
    assert "CSRF" in response.text
    assert db.session.scalar(select(UserAccount)) is None


@pytest.mark.csrf
def test_register_with_the_page_token_works(client):
    token = csrf_token_from(client.get("/auth/register").text)
    response = client.post(
        "/auth/register",
        data={"email": "a@example.org", "password": "moss granite lantern", "csrf_token": token},
    )
    assert response.status_code == 302


@pytest.mark.csrf
def test_login_with_a_wrong_token_is_refused(client):
    user = make_user()
    client.get("/auth/login")
    response = client.post(
        "/auth/login",
        data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": "forged"},
    )
    assert response.status_code == 400
    assert client.get("/account/projects").status_code == 302


@pytest.mark.csrf
def test_logout_needs_a_token(client):
    user = make_user()
    sign_in_as(client, user)
    assert client.post("/auth/logout").status_code == 400
    assert client.get("/account/projects").status_code == 200


@pytest.mark.csrf
def test_htmx_delete_needs_the_header_token(client):
    owner = make_user()
    project = make_project(owner=owner)
    sign_in_as(client, owner)
    page = client.get("/account/projects").text
    headers = {"HX-Request": "true", "HX-Target": f"project-row-{project.id}"}
    url = f"/account/projects/{project.project_id}/delete"
    assert client.post(url, headers=headers).status_code == 400
    wrong = client.post(url, headers={**headers, "X-CSRFToken": "not-the-token"})
    assert wrong.status_code == 400
    assert db.session.get(Project, project.id) is not None
    right = client.post(url, headers={**headers, "X-CSRFToken": csrf_token_from(page)})
    assert right.status_code == 200
    assert db.session.scalar(select(Project)) is None


@pytest.mark.csrf
def test_create_and_inline_edit_need_a_token(client):
    owner = make_user()
    project = make_project(owner=owner, name="Before")
    sign_in_as(client, owner)
    data = {"name": "After", "stage": "proposed", "country": ""}
    assert client.post("/account/projects/new", data=data).status_code == 400
    inline = client.post(
        f"/account/projects/{project.project_id}/edit",
        data=data,
        headers={"HX-Request": "true", "HX-Target": "community-edit"},
    )
    assert inline.status_code == 400
    assert db.session.get(Project, project.id).name == "Before"


def test_account_pages_carry_the_security_headers(client):
    response = client.get("/auth/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "<script>" not in response.text
    assert 'style="' not in response.text


def _cookies_after_sign_in(app) -> list[str]:
    with app.app_context():
        db.create_all()
        user = make_user()
        client = app.test_client()
        response = client.post(
            "/auth/login",
            data={"email": user.email, "password": DEFAULT_PASSWORD, "remember": "y"},
        )
        db.session.remove()
        db.engine.dispose()
    return response.headers.getlist("Set-Cookie")


def _cookie(cookies: list[str], name: str) -> str:
    return next(cookie for cookie in cookies if cookie.startswith(f"{name}="))


def test_session_and_remember_cookies_are_httponly_lax_and_not_secure_over_http(tmp_path):
    config = base_config(tmp_path)
    config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'c.db'}"
    cookies = _cookies_after_sign_in(create_app(config))
    for name in ("session", "remember_token"):
        cookie = _cookie(cookies, name)
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie
        assert "Secure" not in cookie


def test_cookies_are_secure_when_served_over_https(tmp_path):
    config = base_config(tmp_path)
    config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'c.db'}"
    config["SESSION_COOKIE_SECURE"] = True
    cookies = _cookies_after_sign_in(create_app(config))
    for name in ("session", "remember_token"):
        cookie = _cookie(cookies, name)
        assert "Secure" in cookie
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie


def test_cookies_are_secure_over_https_even_without_the_setting(tmp_path):
    """Behind a TLS proxy the request says https: the cookies say Secure, whatever the config."""
    config = base_config(tmp_path)
    config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'c.db'}"
    app = create_app(config)
    with app.app_context():
        db.create_all()
        user = make_user()
        response = app.test_client().post(
            "/auth/login",
            base_url="https://localhost",
            data={"email": user.email, "password": DEFAULT_PASSWORD, "remember": "y"},
        )
        db.session.remove()
        db.engine.dispose()
    cookies = response.headers.getlist("Set-Cookie")
    for name in ("session", "remember_token"):
        cookie = _cookie(cookies, name)
        assert "Secure" in cookie
        assert cookie.count("Secure") == 1
        assert "HttpOnly" in cookie
