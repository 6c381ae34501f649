"""Failed sign-ins limited per client address and per account and address (Flask-Limiter).

Failures from one client never lock another client out, whatever proxy both come through.
"""

from __future__ import annotations

import math
import re
import time

import pytest

from app.extensions import db
from tests.accounts.helpers import sign_in
from tests.conftest import base_config, create_test_app
from tests.factories import DEFAULT_PASSWORD, make_user

ATTACKER = "203.0.113.9"
OWNER = "198.51.100.1"
PROXY = "10.0.0.254"
WRONG_PASSWORD = "wrong password!"


def attempt(client, email, password=WRONG_PASSWORD, address=ATTACKER, **headers):
    return client.post(
        "/auth/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )


def fail(client, email, times, address=ATTACKER, **headers):
    for _ in range(times):
        assert attempt(client, email, address=address, **headers).status_code == 401


def test_tenth_failure_locks_that_address_out_of_that_account(client):
    user = make_user("ana@example.org")
    fail(client, user.email, 10)

    response = attempt(client, user.email, DEFAULT_PASSWORD)

    assert response.status_code == 429
    # The window runs from the first failure: on a loaded machine the ten failures may take
    # a while, so the page's minutes are checked against the header, never too early.
    wait = int(response.headers["Retry-After"])
    assert 0 < wait <= 900
    minutes = re.search(r"Too many failed sign-ins\. Try again in (\d+) minutes?\.", response.text)
    assert minutes, "the page says how long to wait"
    assert int(minutes.group(1)) == math.ceil(wait / 60)
    assert response.headers["RateLimit-Remaining"] == "0"
    assert response.headers["RateLimit-Limit"] == "10"
    assert client.get("/account/projects").status_code == 302


def test_failures_from_one_client_never_lock_out_another_clients_right_password(client):
    user = make_user("ana@example.org")
    fail(client, user.email, 10, address=ATTACKER)
    assert attempt(client, user.email, DEFAULT_PASSWORD, address=ATTACKER).status_code == 429

    assert attempt(client, user.email, DEFAULT_PASSWORD, address=OWNER).status_code == 302


@pytest.fixture
def behind_one_proxy(tmp_path):
    config = base_config(tmp_path)
    config.update(
        TRUSTED_PROXY_COUNT=1, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'proxy.db'}"
    )
    app = create_test_app(config)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_behind_the_shipped_proxy_clients_are_told_apart(behind_one_proxy):
    client = behind_one_proxy.test_client()
    user = make_user("ana@example.org")
    # The attacker also forges an X-Forwarded-For of the owner's: only the proxy's own hop counts.
    forged = {"X-Forwarded-For": f"{OWNER}, {ATTACKER}"}
    fail(client, user.email, 10, address=PROXY, **forged)
    assert attempt(client, user.email, DEFAULT_PASSWORD, PROXY, **forged).status_code == 429

    owner = attempt(client, user.email, DEFAULT_PASSWORD, PROXY, **{"X-Forwarded-For": OWNER})

    assert owner.status_code == 302


def test_one_address_trying_many_accounts_is_locked(app, client):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 5
    user = make_user("ana@example.org")
    for number in range(5):
        fail(client, f"guess{number}@example.org", 1)

    assert attempt(client, user.email, DEFAULT_PASSWORD).status_code == 429
    assert attempt(client, user.email, DEFAULT_PASSWORD, address=OWNER).status_code == 302


def test_the_lockout_ends_with_its_window(app, client):
    app.config.update(LOGIN_WINDOW_SECONDS=3, LOGIN_MAX_FAILURES=2)
    user = make_user("ana@example.org")
    fail(client, user.email, 2)
    locked = attempt(client, user.email, DEFAULT_PASSWORD)
    assert locked.status_code == 429
    assert "Try again in 1 minute." in locked.text

    time.sleep(4)  # Memcached expires keys on whole seconds

    assert attempt(client, user.email, DEFAULT_PASSWORD).status_code == 302


def test_a_right_password_costs_nothing(client):
    user = make_user("ana@example.org")
    for _ in range(12):
        assert sign_in(client, user.email).status_code == 302
        client.post("/auth/logout")


def test_check_email_is_rate_limited_per_address(app, client):
    app.config["CHECK_EMAIL_RATE_LIMIT"] = "3 per minute"
    make_user("ana@example.org")

    def check(address):
        return client.post(
            "/auth/check-email",
            data={"email": "ana@example.org"},
            environ_base={"REMOTE_ADDR": address},
        )

    for _ in range(3):
        assert "already exists" in check(ATTACKER).text
    refused = check(ATTACKER)
    assert refused.status_code == 429
    assert "already exists" not in refused.text
    assert int(refused.headers["Retry-After"]) > 0
    assert check(OWNER).status_code == 200


def test_the_api_has_a_documented_rate_limit(app, client):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    document = client.get("/api/v1/openapi.json", environ_base={"REMOTE_ADDR": OWNER}).json
    assert "3 per minute" in document["info"]["description"]
    assert "429" in document["paths"]["/projects"]["get"]["responses"]

    statuses = [
        client.get("/api/v1/projects", environ_base={"REMOTE_ADDR": ATTACKER}) for _ in range(4)
    ]

    assert [response.status_code for response in statuses] == [200, 200, 200, 429]
    assert statuses[0].headers["RateLimit-Limit"] == "3"
    assert statuses[0].headers["RateLimit-Remaining"] == "2"
    refused = statuses[-1]
    assert refused.mimetype == "application/problem+json"
    assert refused.json["status"] == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/projects", environ_base={"REMOTE_ADDR": OWNER}).status_code == 200
