"""The walking skeleton: settings, schema constraints, health, errors, headers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from app import create_app
from app.config import MEMCACHED_CACHE_TYPE, load_settings
from app.extensions import cache, db
from app.models import Support, bump_data_version, current_data_version
from tests.conftest import postgres_url
from tests.factories import make_project, make_user


def test_embedded_default_is_sqlite_in_instance_and_simple_cache(tmp_path, monkeypatch):
    for name in ("DATABASE_URL", "MEMCACHED_SERVERS", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings(tmp_path)
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'carbonscope.db'}"
    assert settings["CACHE_TYPE"] == "SimpleCache"


def test_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_settings(tmp_path)["SECRET_KEY"]
    second = load_settings(tmp_path)["SECRET_KEY"]
    assert first == second
    assert len(first) == 64
    assert (tmp_path / "secret_key").read_text() == first


def test_environment_switches_to_postgresql_and_memcached(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db:5432/cs")
    monkeypatch.setenv("MEMCACHED_SERVERS", "cache1:11211, cache2:11211")
    settings = load_settings(tmp_path)
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg2://u@db:5432/cs"
    assert settings["CACHE_TYPE"] == MEMCACHED_CACHE_TYPE
    assert settings["CACHE_MEMCACHED_SERVERS"] == ["cache1:11211", "cache2:11211"]


def test_healthz_reports_the_database(client, backend):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["database"] == "ok"
    assert response.json["dialect"] == backend


def test_healthz_says_503_when_the_database_is_unreachable(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg2://nobody@127.0.0.1:1/none",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unreachable"


def test_duplicate_project_id_is_refused(app):
    make_project("VCS191")
    with pytest.raises(IntegrityError):
        make_project("VCS191")
    db.session.rollback()


def test_second_support_by_the_same_user_is_refused(app):
    owner, supporter = make_user(), make_user()
    project = make_project(owner=owner)
    db.session.add(Support(project_id=project.id, user_account_id=supporter.id))
    db.session.commit()
    db.session.add(Support(project_id=project.id, user_account_id=supporter.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Support)) == 1


def test_community_project_needs_an_owner(app):
    with pytest.raises(IntegrityError):
        make_project("COMMUNITY-1", registry="COMMUNITY", source="community")
    db.session.rollback()


def test_deleting_a_project_deletes_its_supports(app):
    owner, supporter = make_user(), make_user()
    project = make_project(owner=owner)
    db.session.add(Support(project_id=project.id, user_account_id=supporter.id))
    db.session.commit()
    db.session.execute(sa.delete(type(project)).where(type(project).id == project.id))
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Support)) == 0


def test_only_one_sync_can_wait_in_the_queue(app):
    db.session.execute(sa.text("INSERT INTO sync_run (trigger) VALUES ('admin')"))
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(sa.text("INSERT INTO sync_run (trigger) VALUES ('admin')"))
    db.session.rollback()
    row = db.session.execute(sa.text("SELECT status, created_at FROM sync_run")).one()
    assert row.status == "queued"
    assert row.created_at is not None


def test_data_version_starts_at_zero_and_bumps(app):
    assert current_data_version() == 0
    bump_data_version()
    db.session.commit()
    bump_data_version()
    db.session.commit()
    assert current_data_version() == 2


def test_cache_round_trips_through_the_configured_backend(app, backend):
    expected = MEMCACHED_CACHE_TYPE if backend == "postgresql" else "SimpleCache"
    assert app.config["CACHE_TYPE"] == expected
    cache.set("greeting", {"hello": "world"})
    assert cache.get("greeting") == {"hello": "world"}
    cache.delete("greeting")
    assert cache.get("greeting") is None


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "find that page" in response.text
    assert '<nav class="site-nav"' in response.text


def test_unknown_api_path_is_problem_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == 404


def test_an_unexpected_error_is_a_friendly_500(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    # The path is not the error's message: the page's "Sign in" link carries its path back.
    @app.get("/unexpected-error-for-test")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/unexpected-error-for-test")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    assert "boom" not in response.text


def test_every_response_carries_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_base_layout_loads_htmx_from_our_static_files(client):
    page = client.get("/").text
    assert 'src="/static/vendor/htmx.min.js"' in page
    assert "<script>" not in page
    for label in ("Projects", "Proposals", "Statistics", "News", "Sign in"):
        assert f">{label}</a>" in page


def index_names(connection) -> set[str]:
    if connection.dialect.name == "sqlite":
        listed = "SELECT name FROM sqlite_master WHERE type = 'index'"
    else:
        listed = "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
    return set(connection.exec_driver_sql(listed).scalars())


@pytest.fixture
def migrated_database_url(backend, tmp_path, request):
    """An empty database built by the Alembic migrations alone (not create_all)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'migrated.db'}"
    request.getfixturevalue("postgres_database")
    # Named after the test database, so test runs on other databases never share it.
    base = make_url(postgres_url())
    url = base.set(database=f"{base.database}_migrations")
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}"')
        connection.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
    admin.dispose()
    return url.render_as_string(hide_password=False)


# SQLite cannot reflect expression indexes: Alembic skips comparing them (the test below
# checks that one exists by name instead).
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based")
@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migrations_build_the_schema_the_models_describe(migrated_database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_migrate import upgrade

    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": migrated_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection)
            assert compare_metadata(context, db.metadata) == []
            assert "ix_project_sort_name_id" in index_names(connection)
        db.engine.dispose()


def test_cache_counters_are_atomic_increments(app):
    assert cache.cache.inc("attempts") == 1
    assert cache.cache.inc("attempts") == 2
    assert cache.get("attempts") == 2


def test_cache_keys_carry_the_release(tmp_path, monkeypatch):
    monkeypatch.setenv("APP_VERSION", "1.4.0")
    monkeypatch.delenv("CACHE_KEY_PREFIX", raising=False)
    assert load_settings(tmp_path)["CACHE_KEY_PREFIX"] == "carbonscope:1.4.0:"
    monkeypatch.setenv("APP_VERSION", "1.5.0")
    assert load_settings(tmp_path)["CACHE_KEY_PREFIX"] == "carbonscope:1.5.0:"


def test_data_version_is_read_once_per_request_and_fresh_after_a_bump(app):
    statements = []

    def count(*args, **kwargs):
        statements.append(args[2])

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        with app.test_request_context("/projects"):
            assert current_data_version() == 0
            assert current_data_version() == 0
            reads = [s for s in statements if "data_version" in s and "SELECT" in s]
            assert len(reads) == 1
            bump_data_version()
            assert current_data_version() == 1
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    db.session.commit()
