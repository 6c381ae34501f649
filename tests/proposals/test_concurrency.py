"""Support under concurrency, on PostgreSQL: the unique constraint keeps one vote per user."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from app import create_app
from app.extensions import db
from app.proposals.queries import support_count
from tests.conftest import _truncate_all, base_config
from tests.factories import make_project, make_user
from tests.proposals.helpers import HTMX, support_rows

USERS = 50
CLICKS_PER_USER = 2


@pytest.fixture
def postgres_app(postgres_database, tmp_path):
    config = base_config(tmp_path)
    config["SQLALCHEMY_DATABASE_URI"] = postgres_database
    # Enough connections that many requests really overlap in the database.
    config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_size": 10, "max_overflow": 15, "pool_timeout": 60}
    app = create_app(config)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    _truncate_all(postgres_database)


def click_all_at_once(app, project_id: str, user_ids: list[str], action: str) -> list[int]:
    """Every user clicks CLICKS_PER_USER times, all released together; the status codes."""
    clicks = [user_id for user_id in user_ids for _ in range(CLICKS_PER_USER)]
    barrier = threading.Barrier(len(clicks))

    def click(user_id: str) -> int:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user_id
            session["_fresh"] = True
        barrier.wait(timeout=30)
        response = client.post(
            f"/projects/{project_id}/support", data={"action": action}, headers=HTMX
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=len(clicks)) as pool:
        return list(pool.map(click, clicks))


@pytest.mark.slow
def test_fifty_users_double_clicking_at_once_count_fifty_then_zero(postgres_app):
    with postgres_app.app_context():
        project = make_project(owner=make_user(), name="Crowded proposal")
        user_ids = [make_user().get_id() for _ in range(USERS)]
        project_id = project.project_id
        db.session.remove()

    statuses = click_all_at_once(postgres_app, project_id, user_ids, "support")
    assert statuses == [200] * (USERS * CLICKS_PER_USER)
    with postgres_app.app_context():
        project = db.session.scalar(db.select(type(project)).filter_by(project_id=project_id))
        assert support_rows(project) == USERS
        assert support_count(project) == USERS
        page = postgres_app.test_client().get("/proposals").text
        assert f'support-count-{project.id}">{USERS}<' in page
        db.session.remove()

    statuses = click_all_at_once(postgres_app, project_id, user_ids, "withdraw")
    assert statuses == [200] * (USERS * CLICKS_PER_USER)
    with postgres_app.app_context():
        project = db.session.scalar(db.select(type(project)).filter_by(project_id=project_id))
        assert support_rows(project) == 0
        assert support_count(project) == 0
        db.session.remove()
