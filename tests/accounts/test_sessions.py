"""Sessions that end: sign-out, a password change and "sign out everywhere" kill every copy."""

from __future__ import annotations

from app.extensions import db
from app.models import UserAccount
from tests.accounts.helpers import sign_in
from tests.factories import DEFAULT_PASSWORD, make_user

NEW_PASSWORD = "heron copper meadow"


def _cookies(client) -> dict[str, str]:
    return {
        name: client.get_cookie(name).value
        for name in ("session", "remember_token")
        if client.get_cookie(name) is not None
    }


def _client_with(app, cookies: dict[str, str]):
    other = app.test_client()
    for name, value in cookies.items():
        other.set_cookie(name, value)
    return other


def _signed_in(client) -> bool:
    return client.get("/account/projects").status_code == 200


def test_a_copied_session_cookie_dies_with_sign_out(app, client):
    make_user("ana@example.org")
    sign_in(client, "ana@example.org")
    stolen = _cookies(client)
    assert _signed_in(_client_with(app, stolen))

    client.post("/auth/logout")

    assert not _signed_in(client)
    replay = _client_with(app, stolen)
    response = replay.get("/account/projects")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_a_copied_remember_cookie_dies_with_sign_out(app, client):
    make_user("ana@example.org")
    sign_in(client, "ana@example.org", remember="y")
    remember = client.get_cookie("remember_token").value
    # Only the remember cookie, as a browser has after its session cookie expired.
    assert _signed_in(_client_with(app, {"remember_token": remember}))

    client.post("/auth/logout")

    assert not _signed_in(_client_with(app, {"remember_token": remember}))


def test_the_remember_cookie_is_new_at_each_sign_in(app):
    make_user("ana@example.org")
    values = []
    for _ in range(2):
        client = app.test_client()
        sign_in(client, "ana@example.org", remember="y")
        values.append(client.get_cookie("remember_token").value)
    assert values[0] != values[1]


def test_sign_out_everywhere_ends_every_device(app, client):
    make_user("ana@example.org")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, "ana@example.org")
    sign_in(phone, "ana@example.org", remember="y")
    assert 'id="sign-out-everywhere"' in laptop.get("/account").text

    response = laptop.post("/account/sign-out-everywhere")

    assert response.status_code == 302
    assert not _signed_in(laptop)
    assert not _signed_in(phone)
    assert not _signed_in(_client_with(app, {"remember_token": _cookies(phone)["remember_token"]}))


def test_a_password_change_ends_other_sessions_and_keeps_this_one(app):
    make_user("ana@example.org")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, "ana@example.org")
    sign_in(phone, "ana@example.org", remember="y")

    response = laptop.post(
        "/account/password",
        data={"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert _signed_in(laptop)
    assert not _signed_in(phone)
    fresh = app.test_client()
    assert sign_in(fresh, "ana@example.org").status_code == 401
    assert sign_in(fresh, "ana@example.org", NEW_PASSWORD).status_code == 302


def test_a_password_change_needs_the_current_password(client):
    user = make_user("ana@example.org")
    sign_in(client, "ana@example.org")
    token = user.session_token

    response = client.post(
        "/account/password",
        data={"current_password": "not my password", "new_password": NEW_PASSWORD},
    )

    assert response.status_code == 422
    assert "not your current password" in response.text
    db.session.expire_all()
    assert db.session.get(UserAccount, user.id).session_token == token
    assert _signed_in(client)


def test_a_weak_new_password_is_refused_with_the_reason(client):
    make_user("ana@example.org")
    sign_in(client, "ana@example.org")
    response = client.post(
        "/account/password", data={"current_password": DEFAULT_PASSWORD, "new_password": "short"}
    )
    assert response.status_code == 422
    assert "at least 10 characters" in response.text


def test_a_forged_or_old_style_session_id_is_no_account(app):
    user = make_user("ana@example.org")
    for stored in (str(user.id), f"{user.id}:wrong", f"{user.id}:", "², ", ""):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = stored
        assert not _signed_in(client), stored
