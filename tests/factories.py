"""Small factories: each test builds exactly the rows it needs."""

from __future__ import annotations

import itertools

from werkzeug.security import generate_password_hash

from app.etl.labels import labels_from_raw
from app.extensions import db
from app.models import (
    COMMUNITY,
    Credit,
    Label,
    Project,
    UserAccount,
    rebuild_credit_summary,
    refresh_label_coverage,
)
from app.text_search import build_search_text

_sequence = itertools.count(1)
DEFAULT_PASSWORD = "correct horse battery"
# Hashing costs real time; tests share one hash of the default password.
_DEFAULT_HASH = generate_password_hash(DEFAULT_PASSWORD)


def make_user(email: str | None = None, role: str = "user", password: str | None = None):
    user = UserAccount(
        email=email or f"user{next(_sequence)}@example.org",
        password_hash=generate_password_hash(password) if password else _DEFAULT_HASH,
        role=role,
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_project(project_id: str | None = None, **fields) -> Project:
    """A registry project (VCS unless told), or a community one when given an owner."""
    owner = fields.pop("owner", None)
    number = next(_sequence)
    if owner is not None:
        fields.setdefault("registry", COMMUNITY)
        fields.setdefault("source", "community")
        fields.setdefault("stage", "proposed")
        fields["owner_id"] = owner.id
        project_id = project_id or f"COMMUNITY-{number}"
    registry = fields.setdefault("registry", "VCS")
    project_id = project_id or f"{registry}{number}"
    fields.setdefault("name", f"Project {project_id}")
    fields.setdefault("source", "offsetsdb")
    fields.setdefault("status_group", "registered")
    fields.setdefault("provenance", {})
    fields.setdefault(
        "search_text",
        build_search_text(
            project_id, fields["name"], fields.get("developer"), fields.get("methodology")
        ),
    )
    project = Project(project_id=project_id, **fields)
    db.session.add(project)
    db.session.flush()
    # As a sync does: the labels named in the certifications text.
    labels = labels_from_raw("vrod", None, fields.get("certifications"))
    for label in labels:
        db.session.add(Label(project_id=project.id, source="vrod", **label.__dict__))
    if labels:
        db.session.flush()
        refresh_label_coverage(db.session.connection(), [project.id])  # as a sync's load does
    db.session.commit()
    return project


def make_label(project: Project, kind: str, value: str, **fields) -> Label:
    """A label on a project (or, with a vintage and quantity, on some of its credits)."""
    fields.setdefault("source", "vrod")
    fields.setdefault("raw_text", f"{kind} {value}")
    label = Label(project_id=project.id, kind=kind, value=value, **fields)
    db.session.add(label)
    db.session.flush()
    refresh_label_coverage(db.session.connection(), [project.id])
    db.session.commit()
    return label


def make_credit(project: Project, **fields) -> Credit:
    fields.setdefault("kind", "issuance")
    fields.setdefault("quantity", 1000)
    fields.setdefault("source", "offsetsdb")
    fields.setdefault("year", fields.get("vintage") or 2020)
    credit = Credit(project_id=project.id, **fields)
    db.session.add(credit)
    db.session.flush()
    # As a sync does, keep the statistics' summary equal to the credit rows.
    rebuild_credit_summary(db.session)
    db.session.commit()
    return credit
