"""Each test-client request finds the signed-in user from its own session cookie.

The `app` fixture keeps one app context open for the whole test, and the test client's requests
share it, so Flask-Login would answer every request with the user it cached in `g` on the first
one: a sign-in whose session was never stored, or a sign-out that kept the user, would go
unnoticed. Dropping the cached user before each request makes every request load it afresh.
"""

from __future__ import annotations

import pytest
from flask import g


def _forget_cached_user() -> None:
    g.pop("_login_user", None)


@pytest.fixture(autouse=True)
def user_loaded_per_request(request):
    for name in ("app", "sqlite_app"):
        if name in request.fixturenames:
            request.getfixturevalue(name).before_request(_forget_cached_user)
