"""Registering, signing in and out, inline field checks, open redirects."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.next_url import safe_next
from app.accounts.users import AccountError, normalise_email, password_problem
from app.extensions import db
from app.models import UserAccount
from tests.accounts.helpers import sign_in
from tests.factories import DEFAULT_PASSWORD, make_user

GOOD_PASSWORD = "moss granite lantern"


def test_register_normalises_email_hashes_password_and_signs_in(client):
    response = client.post(
        "/auth/register", data={"email": "  Ana@Example.ORG ", "password": GOOD_PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/projects"
    user = db.session.scalar(select(UserAccount))
    assert user.email == "ana@example.org"
    assert user.role == "user"
    assert GOOD_PASSWORD not in user.password_hash
    assert user.password_hash.startswith("scrypt:")
    assert "ana@example.org" in client.get("/account/projects").text


def test_register_refuses_a_duplicate_email_whatever_its_case(client):
    make_user("ana@example.org")
    response = client.post(
        "/auth/register", data={"email": "ANA@example.org", "password": GOOD_PASSWORD}
    )
    assert response.status_code == 422
    assert "already exists" in response.text
    assert len(db.session.scalars(select(UserAccount)).all()) == 1


def test_register_refuses_a_short_password_next_to_the_field(client):
    response = client.post("/auth/register", data={"email": "a@example.org", "password": "short"})
    assert response.status_code == 422
    assert "Use at least 10 characters" in response.text
    assert 'id="password" ' in response.text
    assert 'aria-invalid="true"' in response.text
    assert db.session.scalar(select(UserAccount)) is None


def test_register_refuses_an_invalid_email(client):
    response = client.post(
        "/auth/register", data={"email": "not-an-email", "password": GOOD_PASSWORD}
    )
    assert response.status_code == 422
    assert "look like an email address" in response.text


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("123456789", "at least 10"),
        ("password123", "too easy"),
        ("aaaaaaaaaaaa", "too easy"),
        ("x" * 300, "at most"),
        (GOOD_PASSWORD, None),
    ],
)
def test_password_rules(password, expected):
    problem = password_problem(password)
    assert (problem is None) if expected is None else (expected in problem)


def test_password_may_not_be_the_email():
    assert "email" in password_problem("someone@example.org", "someone@example.org")


def test_email_is_trimmed_and_lower_cased():
    assert normalise_email("  Someone@Example.Org\n") == "someone@example.org"
    with pytest.raises(AccountError):
        normalise_email("someone@")


def test_inline_email_check_says_taken_or_free(client):
    make_user("taken@example.org")
    taken = client.post("/auth/check-email", data={"email": "Taken@example.org"})
    assert 'id="email-message"' in taken.text
    assert "already exists" in taken.text
    free = client.post("/auth/check-email", data={"email": "free@example.org"})
    assert "free to use" in free.text
    invalid = client.post("/auth/check-email", data={"email": "nope"})
    assert "field-error" in invalid.text


def test_inline_password_check_applies_the_submit_rule(client):
    weak = client.post("/auth/check-password", data={"password": "abc"})
    assert 'id="password-message"' in weak.text
    assert "Use at least 10 characters (3 so far)" in weak.text
    good = client.post("/auth/check-password", data={"password": GOOD_PASSWORD})
    assert "field-ok" in good.text


def test_register_page_checks_fields_as_the_user_types(client):
    page = client.get("/auth/register").text
    # Screen readers announce the password rule and the live message with the field.
    assert 'aria-describedby="password-hint password-message"' in page
    assert '<p class="field-hint" id="password-hint">At least 10 characters' in page
    assert 'hx-post="/auth/check-email"' in page
    assert 'hx-post="/auth/check-password"' in page


def test_sign_in_with_the_right_password(client):
    make_user("ana@example.org")
    response = sign_in(client, "ANA@example.org ")
    assert response.status_code == 302
    assert "ana@example.org" in client.get("/account/projects").text


def test_sign_in_with_a_wrong_password_is_refused(client):
    make_user("ana@example.org")
    response = sign_in(client, "ana@example.org", "not the password")
    assert response.status_code == 401
    assert "don&#39;t match" in response.text or "don't match" in response.text
    assert client.get("/account/projects").status_code == 302


def test_unknown_email_gets_the_same_message_as_a_wrong_password(client):
    response = sign_in(client, "nobody@example.org", "whatever it is")
    assert response.status_code == 401
    assert "match" in response.text


def test_pages_of_my_projects_need_sign_in_and_come_back_after(client):
    make_user("ana@example.org")
    response = client.get("/account/projects/new")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
    back = client.post(
        response.headers["Location"],
        data={"email": "ana@example.org", "password": DEFAULT_PASSWORD},
    )
    assert back.headers["Location"] == "/account/projects/new"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "http://evil.example/account/projects",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "evil.example",
        "///evil.example",
    ],
)
def test_next_never_leaves_the_site(client, target):
    make_user("ana@example.org")
    response = client.post(
        "/auth/login",
        query_string={"next": target},
        data={"email": "ana@example.org", "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/projects"


def test_next_with_a_control_character_is_refused_not_followed(client):
    make_user("ana@example.org")
    response = client.post(
        "/auth/login",
        query_string={"next": "/\t/evil.example"},
        data={"email": "ana@example.org", "password": DEFAULT_PASSWORD},
    )
    assert response.status_code == 400
    assert "Location" not in response.headers
    assert "control character" in response.get_data(as_text=True)


def test_safe_next_keeps_local_paths_with_their_query():
    assert safe_next("/projects?registry=COMMUNITY&page=2") == "/projects?registry=COMMUNITY&page=2"
    assert safe_next("/\\evil.example") is None


def test_logout_is_a_post_and_ends_the_session(client):
    user = make_user()
    sign_in(client, user.email)
    assert client.get("/auth/logout").status_code == 405
    response = client.post("/auth/logout")
    assert response.status_code == 302
    assert client.get("/account/projects").status_code == 302


def test_remember_me_sets_a_long_lived_cookie_only_when_asked(client):
    user = make_user()
    plain = sign_in(client, user.email)
    assert "remember_token=" not in " ".join(plain.headers.getlist("Set-Cookie"))
    client.post("/auth/logout")
    remembered = sign_in(client, user.email, remember="y")
    cookie = next(c for c in remembered.headers.getlist("Set-Cookie") if "remember_token=" in c)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Expires=" in cookie


def test_signed_out_htmx_request_sends_the_whole_page_to_sign_in_and_back(client):
    """The inline edit form is no page to come back to: the page the user was on is."""
    project_page = "/projects/COMMUNITY-7?tab=credits"
    response = client.get(
        "/account/projects/COMMUNITY-7/edit",
        headers={
            "HX-Request": "true",
            "HX-Target": "community-edit",
            "HX-Current-URL": f"http://localhost{project_page}",
        },
    )
    assert response.status_code == 401
    assert response.text == ""
    assert response.headers["HX-Redirect"] == (
        "/auth/login?next=/projects/COMMUNITY-7?tab%3Dcredits"
    )
    make_user("ana@example.org")
    back = client.post(
        response.headers["HX-Redirect"],
        data={"email": "ana@example.org", "password": DEFAULT_PASSWORD},
    )
    assert back.headers["Location"] == project_page


def test_signed_out_htmx_request_from_another_site_goes_to_sign_in_without_next(client):
    response = client.post(
        "/account/projects/COMMUNITY-7/delete",
        headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example//evil.example/x"},
    )
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/auth/login"


def test_the_sign_in_link_brings_the_user_back_to_the_page_they_were_on(client):
    page = client.get("/projects?country=Peru").text
    assert 'href="/auth/login?next=/projects?country%3DPeru"' in page
    login_page = client.get("/auth/login").text
    assert 'href="/auth/login"' in login_page
