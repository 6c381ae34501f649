"""Community projects: create, edit and delete one's own, and who may do what.

Every change fills ``search_text`` and ``provenance`` the way the data load
does, and bumps the catalogue's data version in the same transaction, so cached
catalogue data is fresh on every web worker at once.
"""

from __future__ import annotations

import uuid

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import cache, db
from app.models import COMMUNITY, Project, UserAccount, bump_data_version, current_data_version
from app.text_search import build_search_text

EDITABLE_FIELDS = (
    "name",
    "description",
    "country",
    "scope",
    "project_type",
    "methodology",
    "developer",
    "website",
    "stage",
    "registered_project_id",
    "expected_annual_credits",
    "expected_first_vintage",
)
STATUS_OF_STAGE = {
    "proposed": ("Proposed", "listed"),
    "registered": ("Registered", "registered"),
    "withdrawn": ("Withdrawn", "withdrawn"),
}
METHODOLOGY_SUGGESTIONS = 20


# Who may do what -----------------------------------------------------------


def can_edit(user, project: Project) -> bool:
    """Only a community project's owner, or an admin; registry projects are read-only."""
    if not project.is_community or not getattr(user, "is_authenticated", False):
        return False
    return user.is_admin or project.owner_id == user.id


def project_for_change(project_id: str, user) -> Project:
    """The project ``user`` may edit or delete: 404 when there is no such project, 403 otherwise.

    Every community project is public whatever its stage: a withdrawn or registered one stays in
    the catalogue and keeps its page and its (now read-only) discussion, so people who supported
    or discussed it can still find it. Nothing is unlisted, so there is no "unlisted draft" to hide
    behind a 404: someone else's project is a 403, like a registry project.
    """
    project = db.session.scalar(select(Project).where(Project.project_id == project_id))
    if project is None:
        abort(404, description=_("There is no project %(project_id)s.", project_id=project_id))
    if not project.is_community:
        abort(403, description=_("Registry projects come from the registries and are read-only."))
    if not can_edit(user, project):
        abort(403, description=_("Only the person who added this project can change it."))
    return project


def projects_of(user: UserAccount) -> list[Project]:
    return list(
        db.session.scalars(
            select(Project)
            .where(Project.owner_id == user.id, Project.registry == COMMUNITY)
            .order_by(Project.updated_at.desc(), Project.id.desc())
        )
    )


# Changes ----------------------------------------------------------------------


def _apply(project: Project, fields: dict) -> None:
    for name in EDITABLE_FIELDS:
        setattr(project, name, fields.get(name))
    if project.stage != "registered":
        project.registered_project_id = None
    project.status, project.status_group = STATUS_OF_STAGE[project.stage]
    project.search_text = build_search_text(
        project.project_id, project.name, project.developer, project.methodology
    )
    project.provenance = {
        name: "community" for name in EDITABLE_FIELDS if getattr(project, name) is not None
    }


def _assign_community_id(project: Project) -> None:
    """COMMUNITY-<row id>; if an imported row already holds that id, the next free one."""
    number = project.id
    for _attempt in range(100):
        candidate = f"{COMMUNITY}-{number}"
        try:
            with db.session.begin_nested():
                project.project_id = candidate
                db.session.flush()
            return
        except IntegrityError:
            number += 1
    raise RuntimeError("no free COMMUNITY id found")  # pragma: no cover


def create_project(owner: UserAccount, fields: dict) -> Project:
    """A new community project owned by ``owner``, with its generated COMMUNITY-<n> id."""
    project = Project(
        # A unique stand-in until the row has its id, which the public id derives from.
        project_id=f"{COMMUNITY}-new-{uuid.uuid4().hex}",
        registry=COMMUNITY,
        source="community",
        owner_id=owner.id,
        stage=fields.get("stage") or "proposed",
    )
    _apply(project, {**fields, "stage": project.stage})
    db.session.add(project)
    db.session.flush()
    _assign_community_id(project)
    project.search_text = build_search_text(
        project.project_id, project.name, project.developer, project.methodology
    )
    bump_data_version()
    db.session.commit()
    return project


def update_project(project: Project, fields: dict) -> Project:
    _apply(project, fields)
    bump_data_version()
    db.session.commit()
    return project


def delete_project(project: Project) -> None:
    db.session.delete(project)
    bump_data_version()
    db.session.commit()


# What the form suggests, from the catalogue ------------------------------------


@cache.memoize()
def _distinct_values(column_name: str, version: int) -> list[str]:
    column = getattr(Project, column_name)
    rows = db.session.scalars(
        select(column).distinct().where(column.is_not(None), column != "").order_by(column)
    )
    return list(rows)


def catalogue_values(column_name: str) -> list[str]:
    """Distinct values of a catalogue column (country, scope, project_type), cached per version."""
    return _distinct_values(column_name, current_data_version())


def suggest_methodologies(typed: str | None, limit: int = METHODOLOGY_SUGGESTIONS) -> list[str]:
    """Catalogue methodologies containing what the user typed (all words, any case)."""
    words = (typed or "").lower().split()
    if not words:
        return []
    query = select(Project.methodology).distinct().where(Project.methodology.is_not(None))
    for word in words[:5]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(func.lower(Project.methodology).like(f"%{escaped}%", escape="\\"))
    return list(db.session.scalars(query.order_by(Project.methodology).limit(limit)))
