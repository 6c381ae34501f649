"""Ten failed sign-ins per account and per address in 15 minutes, then a clear wait."""

from __future__ import annotations

import pytest

from app import create_app
from app.accounts import login_limit
from app.config import MEMCACHED_CACHE_TYPE
from tests.accounts.helpers import sign_in
from tests.conftest import base_config
from tests.factories import make_user


@pytest.fixture
def clock(monkeypatch):
    """A clock the test moves by hand; the lockout's window follows it."""
    moments = {"now": 1_800_000_000}
    monkeypatch.setattr(login_limit, "now", lambda: moments["now"])
    return moments


def fail(client, email, times, address="10.0.0.1"):
    for _ in range(times):
        client.post(
            "/auth/login",
            data={"email": email, "password": "wrong password!"},
            environ_base={"REMOTE_ADDR": address},
        )


def test_tenth_failure_locks_the_account_even_for_the_right_password(client, clock):
    user = make_user("ana@example.org")
    fail(client, user.email, 8)
    assert sign_in(client, user.email, "still wrong!!").status_code == 401
    tenth = sign_in(client, user.email, "still wrong!!")
    assert tenth.status_code == 429
    response = sign_in(client, user.email)
    assert response.status_code == 429
    assert "Too many failed sign-ins. Try again in 15 minutes." in response.text
    assert response.headers["Retry-After"] == "900"
    assert client.get("/account/projects").status_code == 302


def test_lockout_counts_down_and_ends_after_the_window(client, clock):
    user = make_user("ana@example.org")
    fail(client, user.email, 10)
    clock["now"] += 10 * 60 + 1
    response = sign_in(client, user.email)
    assert "Try again in 5 minutes." in response.text
    assert response.headers["Retry-After"] == "299"
    clock["now"] += 4 * 60 + 1
    last_minute = sign_in(client, user.email)
    assert "Try again in 1 minute." in last_minute.text
    assert last_minute.headers["Retry-After"] == "58"
    clock["now"] += 58
    assert sign_in(client, user.email).status_code == 302


def test_the_account_is_locked_from_every_address(client, clock):
    user = make_user("ana@example.org")
    for number in range(10):
        fail(client, user.email, 1, address=f"10.0.0.{number}")
    response = client.post(
        "/auth/login",
        data={"email": user.email, "password": "correct horse battery"},
        environ_base={"REMOTE_ADDR": "192.0.2.77"},
    )
    assert response.status_code == 429


def test_one_address_trying_many_accounts_is_locked(client, clock):
    user = make_user("ana@example.org")
    for number in range(10):
        fail(client, f"guess{number}@example.org", 1, address="203.0.113.9")
    blocked = client.post(
        "/auth/login",
        data={"email": user.email, "password": "correct horse battery"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert blocked.status_code == 429
    elsewhere = client.post(
        "/auth/login",
        data={"email": user.email, "password": "correct horse battery"},
        environ_base={"REMOTE_ADDR": "198.51.100.1"},
    )
    assert elsewhere.status_code == 302


def test_a_successful_sign_in_resets_the_account_count(client, clock):
    user = make_user("ana@example.org")
    fail(client, user.email, 9)
    assert sign_in(client, user.email).status_code == 302
    client.post("/auth/logout")
    fail(client, user.email, 1, address="10.9.9.9")
    assert sign_in(client, user.email).status_code == 302


def test_window_length_comes_from_config(app, client, clock):
    app.config["LOGIN_WINDOW_SECONDS"] = 60
    user = make_user("ana@example.org")
    fail(client, user.email, 10)
    assert "Try again in 1 minute." in sign_in(client, user.email).text
    clock["now"] += 61
    assert sign_in(client, user.email).status_code == 302


def test_counts_hold_across_web_workers_sharing_memcached(memcached, tmp_path, clock):
    """Two web workers are two apps on one Memcached: failures in one lock the other."""
    config = base_config(tmp_path)
    config.update(
        CACHE_TYPE=MEMCACHED_CACHE_TYPE,
        CACHE_MEMCACHED_SERVERS=memcached,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'workers.db'}",
    )
    first, second = create_app(config), create_app(config)
    with first.test_request_context():
        for _ in range(5):
            login_limit.record_failure("ana@example.org", "10.0.0.1")
    with second.test_request_context():
        for _ in range(5):
            login_limit.record_failure("ana@example.org", "10.0.0.2")
    with first.test_request_context():
        locked = login_limit.lockout("ana@example.org", "192.0.2.1")
    assert locked is not None
    assert locked.minutes == 15
