"""The data version through the shared cache: a warm page asks the database nothing, and a
bump shows at once, from another connection or another instance."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import bump_data_version
from tests.catalog.test_search import listed_ids
from tests.conftest import create_test_app
from tests.factories import make_project


def statements_of(app, call) -> list[str]:
    statements: list[str] = []

    def record(_connection, _cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        call()
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return statements


def test_a_warm_search_page_asks_the_database_nothing(app, client):
    make_project("VCS1", country="Peru")
    assert client.get("/projects?country=Peru").status_code == 200
    asked = statements_of(app, lambda: client.get("/projects?country=Peru"))
    assert asked == []


def test_a_bump_on_another_connection_shows_at_once(client):
    make_project("VCS1", country="Peru")
    assert listed_ids(client.get("/projects?country=Peru").text) == ["VCS1"]
    make_project("VCS2", country="Peru")
    assert listed_ids(client.get("/projects?country=Peru").text) == ["VCS1"]  # cached
    with db.engine.begin() as connection:  # as a sync's load does
        bump_data_version(connection)
    assert listed_ids(client.get("/projects?country=Peru").text) == ["VCS1", "VCS2"]


def test_a_bump_by_another_instance_shows_at_once(app, client, backend):
    if backend != "postgresql":
        pytest.skip("instances share Memcached and PostgreSQL; SimpleCache is per process")
    make_project("VCS1", country="Peru")
    assert listed_ids(client.get("/projects?country=Peru").text) == ["VCS1"]
    other = create_test_app(dict(app.config))
    with other.app_context():
        make_project("VCS2", country="Peru")
        bump_data_version()
        db.session.commit()
    assert listed_ids(client.get("/projects?country=Peru").text) == ["VCS1", "VCS2"]


def test_a_bump_rolled_back_leaves_the_cached_pages_as_they_were(client):
    make_project("VCS1", country="Peru")
    assert listed_ids(client.get("/projects?country=Peru").text) == ["VCS1"]
    bump_data_version()
    db.session.rollback()
    make_project("VCS2", country="Peru")  # no bump: the catalogue says it has not changed
    assert listed_ids(client.get("/projects?country=Peru").text) == ["VCS1"]
