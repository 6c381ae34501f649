"""Small helpers for the accounts tests."""

from __future__ import annotations

import re

from tests.factories import DEFAULT_PASSWORD


def sign_in_as(client, user) -> None:
    """Put ``user`` in the client's session, as Flask-Login does after a sign-in."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def sign_in(client, email: str, password: str = DEFAULT_PASSWORD, **extra):
    return client.post("/auth/login", data={"email": email, "password": password, **extra})


def csrf_token_from(html: str) -> str:
    match = re.search(r'<meta name="csrf-token" content="([^"]+)"', html)
    assert match, "the page carries no CSRF token"
    return match.group(1)


INLINE = {"HX-Request": "true", "HX-Target": "community-edit"}
