"""Fixtures: a fresh app and database per test, on SQLite and on PostgreSQL.

Database tests run once per backend. PostgreSQL comes from TEST_DATABASE_URL
(default postgresql://postgres@127.0.0.1:5432/carbonscope_test, created when
missing); the PostgreSQL run also uses the real Memcached on 127.0.0.1:11211
(MEMCACHED_SERVERS overrides). Unreachable services are skipped locally, and
fail the run under CI=true.
"""

from __future__ import annotations

import os
import socket
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import g
from sqlalchemy.engine import make_url

from app import create_app
from app.config import MEMCACHED_CACHE_TYPE, REGISTRY_URLS
from app.extensions import db

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
IN_CI = os.environ.get("CI", "").lower() == "true"
DEFAULT_TEST_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/carbonscope_test"


def unavailable(reason: str):
    """Skip a test whose service is missing; under CI=true, fail it instead."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true requires it)", pytrace=False)
    pytest.skip(reason)


def postgres_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_TEST_DATABASE_URL)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg2://" + url.removeprefix("postgresql://")
    # Each pytest-xdist worker (gw0, gw1, ...) has a database of its own.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        url = make_url(url)
        url = url.set(database=f"{url.database}_{worker}").render_as_string(hide_password=False)
    return url


def _ensure_postgres_database(url: str) -> str | None:
    """Create the test database when it is missing; return an error message or None."""
    target = make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": target.database},
            ).scalar()
            if not exists:
                connection.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    except sa.exc.OperationalError as error:
        return f"PostgreSQL is not reachable at {target.render_as_string()}: {error.orig}"
    finally:
        admin.dispose()
    return None


@pytest.fixture(scope="session")
def postgres_database() -> str:
    """A PostgreSQL database with a fresh schema, made once per test session."""
    url = postgres_url()
    problem = _ensure_postgres_database(url)
    if problem:
        unavailable(problem)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test"})
    with app.app_context():
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
        db.create_all()
        db.engine.dispose()
    return url


def memcached_servers() -> list[str]:
    return (os.environ.get("MEMCACHED_SERVERS") or "127.0.0.1:11211").split(",")


def memcached_reachable(server: str) -> bool:
    host, _, port = server.partition(":")
    try:
        with socket.create_connection((host, int(port or 11211)), timeout=1) as conn:
            conn.sendall(b"version\r\n")
            return conn.recv(64).startswith(b"VERSION")
    except OSError:
        return False


@pytest.fixture(scope="session")
def memcached() -> list[str]:
    """The real Memcached servers, or skip (fail under CI)."""
    servers = memcached_servers()
    if not memcached_reachable(servers[0]):
        unavailable(f"Memcached is not reachable at {servers[0]}")
    return servers


def _truncate_all(url: str) -> None:
    engine = sa.create_engine(url)
    tables = ", ".join(f'"{table.name}"' for table in db.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    engine.dispose()


def _forget_request_state() -> None:
    g.pop("_login_user", None)
    g.pop("csrf_token", None)


def create_test_app(config: dict):
    """The app as tests use it, inside one app context that outlives each request.

    The test client's requests share that context, so Flask-Login would answer every
    request with the user it cached in ``g`` on an earlier one: a sign-out that kept
    the user would go unnoticed; and Flask-WTF would hand one client the CSRF token of
    another. Each request loads its user and its token afresh from its own cookie.
    """
    app = create_app(config)
    app.before_request(_forget_request_state)
    return app


def base_config(tmp_path: Path) -> dict:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "CACHE_TYPE": "SimpleCache",
        "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}:",
        "RAW_ARCHIVE_DIR": str(tmp_path / "raw"),
        "REGISTRY_DATA_DIR": str(tmp_path / "registries"),
        # No registry is fetched unless a test points one at its local server.
        **dict.fromkeys(REGISTRY_URLS, ""),
        "NEWS_FEEDS": [],
        "SERVER_NAME": None,
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def app(request, backend, tmp_path):
    """A fresh app and an empty database, once on SQLite and once on PostgreSQL.

    Mark a test ``@pytest.mark.csrf`` to keep CSRF protection on.
    """
    config = base_config(tmp_path)
    config["WTF_CSRF_ENABLED"] = request.node.get_closest_marker("csrf") is not None
    if backend == "postgresql":
        config["SQLALCHEMY_DATABASE_URI"] = request.getfixturevalue("postgres_database")
        servers = memcached_servers()
        if memcached_reachable(servers[0]):
            config.update(CACHE_TYPE=MEMCACHED_CACHE_TYPE, CACHE_MEMCACHED_SERVERS=servers)
        else:
            unavailable(f"Memcached is not reachable at {servers[0]}")
    else:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'test.db'}"
    app = create_test_app(config)
    with app.app_context():
        if backend == "sqlite":
            db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()
    if backend == "postgresql":
        _truncate_all(config["SQLALCHEMY_DATABASE_URI"])


@contextmanager
def sqlite_app_in_context(tmp_path: Path, *, csrf: bool, database: str = "test.db"):
    """A fresh app on a new SQLite file, its schema built, inside its app context."""
    config = base_config(tmp_path)
    config["WTF_CSRF_ENABLED"] = csrf
    config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / database}"
    app = create_test_app(config)
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def sqlite_app(request, tmp_path):
    """An app on SQLite only, for tests whose subject is not the database."""
    csrf = request.node.get_closest_marker("csrf") is not None
    with sqlite_app_in_context(tmp_path, csrf=csrf) as app:
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


def pytest_configure(config):
    config.addinivalue_line("markers", "csrf: keep CSRF protection on in the app fixture")
