"""Signing users in for HTTP tests, and reading what the proposals pages say."""

from __future__ import annotations

from flask import g
from sqlalchemy import func, select

from app.extensions import db
from app.models import Comment, Support
from app.project_sections import render_project_sections

HTMX = {"HX-Request": "true"}


def sign_in(client, user) -> None:
    """Sign a user in through Flask-Login's session (the accounts pages are built separately)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True


def sign_out(client) -> None:
    with client.session_transaction() as session:
        session.pop("_user_id", None)


def htmx_to(target: str) -> dict:
    return {**HTMX, "HX-Target": target}


def support_rows(project) -> int:
    statement = select(func.count()).select_from(Support).where(Support.project_id == project.id)
    return db.session.scalar(statement)


def comment_rows(project) -> int:
    statement = select(func.count()).select_from(Comment).where(Comment.project_id == project.id)
    return db.session.scalar(statement)


def project_sections_html(app, project, user=None, query_string: str = "") -> str:
    """The proposals' sections of a project page, as the catalogue's page will render them."""
    with app.test_request_context("/projects/" + project.project_id + query_string):
        if user is not None:
            from flask_login import login_user

            login_user(user)
        sections = render_project_sections(project)
        # This context shares the test's app context: don't leave the user signed in there.
        g.pop("_login_user", None)
        return "".join(str(section) for section in sections)
