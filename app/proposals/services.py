"""Changing proposals: support, withdraw, comment. Each rule lives here, below the views.

The database keeps support to one row per user and project (uq_support_project_user);
these functions never count in Python, and a double click or a race inserts nothing twice.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import format_number
from flask_babel import gettext as _
from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.extensions import db
from app.models import Comment, Project, Support, UserAccount, utcnow

MAX_COMMENT_LENGTH = 2000
EDIT_WINDOW = timedelta(minutes=15)


class ProposalError(Exception):
    """A request the rules refuse; ``status`` is the HTTP status that says why."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotAllowed(ProposalError):
    status = 403


class Closed(ProposalError):
    status = 409


class InvalidComment(ProposalError):
    status = 422


def is_open(project: Project) -> bool:
    """Only proposals take support and comments; registered or withdrawn ones are read-only."""
    return project.is_community and project.stage == "proposed"


def closed_message(project: Project) -> str:
    if project.stage == "registered":
        registry_id = project.registered_project_id
        if registry_id:
            return _(
                "This project has been registered as %(project_id)s; its support and discussion "
                "are closed.",
                project_id=registry_id,
            )
        return _("This project has been registered; its support and discussion are closed.")
    return _("This project has been withdrawn; its support and discussion are closed.")


def _insert(dialect: str):
    return postgresql_insert if dialect == "postgresql" else sqlite_insert


def support(project: Project, user: UserAccount) -> None:
    """Record the user's support; supporting again changes nothing."""
    if project.owner_id == user.id:
        raise NotAllowed(_("You can't support your own project."))
    if not is_open(project):
        raise Closed(closed_message(project))
    statement = (
        _insert(db.engine.dialect.name)(Support)
        .values(project_id=project.id, user_account_id=user.id, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["project_id", "user_account_id"])
    )
    db.session.execute(statement)
    db.session.commit()


def withdraw_support(project: Project, user: UserAccount) -> None:
    """Remove the user's support; withdrawing again changes nothing."""
    if not is_open(project):
        raise Closed(closed_message(project))
    db.session.execute(
        delete(Support).where(Support.project_id == project.id, Support.user_account_id == user.id)
    )
    db.session.commit()


def clean_comment(body: str | None) -> str:
    """The comment as stored: line endings unified, outer blank space trimmed; or InvalidComment."""
    text = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        raise InvalidComment(_("Write something before posting."))
    if len(text) > MAX_COMMENT_LENGTH:
        raise InvalidComment(
            _(
                "A comment can be at most %(maximum)s characters; this one has %(length)s.",
                maximum=format_number(MAX_COMMENT_LENGTH),
                length=format_number(len(text)),
            )
        )
    return text


def add_comment(project: Project, user: UserAccount, body: str | None) -> Comment:
    if not is_open(project):
        raise Closed(closed_message(project))
    comment = Comment(project_id=project.id, user_account_id=user.id, body=clean_comment(body))
    db.session.add(comment)
    db.session.commit()
    return comment


def _age(comment: Comment, now: datetime) -> timedelta:
    created = comment.created_at
    if created.tzinfo is None:  # SQLite hands back naive UTC timestamps
        created = created.replace(tzinfo=UTC)
    return now - created


def can_change(comment: Comment, user, now: datetime | None = None) -> bool:
    """Admins any time; the author within 15 minutes of posting, while the discussion is open."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_admin:
        return True
    return (
        comment.user_account_id == user.id
        and is_open(comment.project)
        and _age(comment, now or utcnow()) <= EDIT_WINDOW
    )


def check_can_change(comment: Comment, user) -> None:
    if can_change(comment, user):
        return
    if comment.user_account_id != user.id:
        raise NotAllowed(_("Only its author or an admin can change this comment."))
    if not is_open(comment.project):
        raise Closed(closed_message(comment.project))
    raise NotAllowed(_("You can edit or delete a comment only within 15 minutes of posting it."))


def edit_comment(comment: Comment, user: UserAccount, body: str | None) -> Comment:
    check_can_change(comment, user)
    comment.body = clean_comment(body)
    db.session.commit()
    return comment


def delete_comment(comment: Comment, user: UserAccount) -> None:
    check_can_change(comment, user)
    db.session.delete(comment)
    db.session.commit()


def was_edited(comment: Comment) -> bool:
    if not comment.updated_at or not comment.created_at:
        return False
    return (comment.updated_at - comment.created_at) > timedelta(seconds=1)
