"""Follows: a user follows a project, a search or a beneficiary; what changed for them.

A follow's ``target`` is the project's canonical id, the beneficiary's key, or the
search's canonical URL (``/changes?...`` or ``/projects?...``, as ``to_args`` writes it).
Each follow turns into one SQL condition on ``project_change``; a user's changes are the
changes matching any of them, so a change that several follows match is listed once.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from flask_babel import gettext as _
from sqlalchemy import delete, exists, func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from app.catalog.facets import active_chips
from app.catalog.query import parse_project_query
from app.changes.query import (
    DATE_LABELS,
    DATES,
    FACET_LABELS,
    FACETS,
    ChangeQuery,
    facet_label,
    parse_change_query,
)
from app.changes.search import ChangeRow, any_of, changes_matching, latest_change_id
from app.changes.search import search_condition as _search_condition
from app.extensions import db
from app.models import FOLLOW_KINDS, Credit, Follow, FollowerSetting, Project, ProjectChange, utcnow

MAX_FOLLOWS = 500
MAX_TARGET_LENGTH = 1000
CHANGES_PATH = "/changes"
PROJECTS_PATH = "/projects"


class FollowError(ValueError):
    """A follow that cannot be made; ``status`` is the HTTP status that says why."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Target:
    """What one follow button follows: kind, target and the words that name it."""

    kind: str
    target: str
    label: str


def search_target(path: str, args: MultiDict) -> Target:
    """The canonical target of a /changes or /projects search (its page number dropped)."""
    if path == PROJECTS_PATH:
        query, _warnings = parse_project_query(args)
        query = query.with_page(1)
        url = _url(PROJECTS_PATH, query.to_args())
        parts = [chip.label for chip in active_chips(query)]
        return Target(
            "search", url, _("Projects: %(search)s", search=", ".join(parts) or _("every project"))
        )
    if path == CHANGES_PATH:
        query, _warnings = parse_change_query(args)
        query = query.first_page()
        url = _url(CHANGES_PATH, query.to_args())
        return Target(
            "search",
            url,
            _("Changes: %(search)s", search=_describe_changes(query) or _("every change")),
        )
    raise FollowError(_("Only a /changes or a /projects search can be followed."), 400)


def _url(path: str, args: dict) -> str:
    from urllib.parse import urlencode

    query = urlencode(args, doseq=True)
    return f"{path}?{query}" if query else path


def _describe_changes(query: ChangeQuery) -> str:
    parts = [
        f"{FACET_LABELS[facet]}: {facet_label(facet, value)}"
        for facet in FACETS
        for value in query.facet_values(facet)
    ]
    parts += [_("project %(project_id)s", project_id=value) for value in query.project]
    parts += [_("beneficiary %(beneficiary)s", beneficiary=value) for value in query.beneficiary]
    parts += [
        f"{DATE_LABELS[name]} {getattr(query, name)}" for name in DATES if getattr(query, name)
    ]
    return ", ".join(parts)


def parse_search_target(target: str) -> tuple[ChangeQuery, object | None]:
    """The (change query, project query or None) a stored search target stands for."""
    parts = urlsplit(target)
    args = MultiDict(parse_qsl(parts.query, keep_blank_values=False))
    if parts.path == PROJECTS_PATH:
        return ChangeQuery(), parse_project_query(args)[0]
    return parse_change_query(args)[0].first_page(), None


def resolve_target(kind: str, raw_target: str) -> Target:
    """A follow target from a form: checked, canonical, named. Raises FollowError."""
    target = " ".join((raw_target or "").split())
    if kind not in FOLLOW_KINDS:
        raise FollowError(_("Follow a project, a search or a beneficiary."), 400)
    if not target or len(target) > MAX_TARGET_LENGTH:
        raise FollowError(_("Nothing to follow was given."), 400)
    if kind == "project":
        project = db.session.execute(
            select(Project.project_id, Project.name).where(Project.project_id == target.upper())
        ).first()
        if project is None:
            raise FollowError(
                _("There is no project %(project_id)s in the catalogue.", project_id=target), 404
            )
        return Target("project", project.project_id, f"{project.project_id} {project.name or ''}")
    if kind == "beneficiary":
        if not _beneficiary_known(target):
            raise FollowError(
                _("No credit names the beneficiary “%(beneficiary)s”.", beneficiary=target), 404
            )
        return Target("beneficiary", target, _("Beneficiary: %(beneficiary)s", beneficiary=target))
    parts = urlsplit(target)
    return search_target(parts.path, MultiDict(parse_qsl(parts.query)))


def _beneficiary_known(key: str) -> bool:
    in_changes = exists().where(ProjectChange.beneficiary_key == key)
    in_credits = exists().where(Credit.beneficiary_key == key)
    return bool(db.session.execute(select(in_changes | in_credits)).scalar())


def is_following(user_id: int, target: Target) -> bool:
    return (
        db.session.execute(
            select(Follow.id).where(
                Follow.user_account_id == user_id,
                Follow.target_kind == target.kind,
                Follow.target == target.target,
            )
        ).first()
        is not None
    )


def follow(user_id: int, target: Target) -> None:
    """Follow ``target`` (following twice keeps one follow)."""
    if is_following(user_id, target):
        return
    count = db.session.execute(
        select(func.count()).select_from(Follow).where(Follow.user_account_id == user_id)
    ).scalar_one()
    if count >= MAX_FOLLOWS:
        raise FollowError(
            _("You follow %(count)s things already: unfollow one first.", count=MAX_FOLLOWS), 409
        )
    setting_for(user_id)
    db.session.add(
        Follow(
            user_account_id=user_id,
            target_kind=target.kind,
            target=target.target,
            label=target.label.strip(),
        )
    )
    try:
        db.session.commit()
    except IntegrityError:  # a second click raced the first: the follow exists
        db.session.rollback()


def unfollow(user_id: int, target: Target) -> None:
    db.session.execute(
        delete(Follow).where(
            Follow.user_account_id == user_id,
            Follow.target_kind == target.kind,
            Follow.target == target.target,
        )
    )
    db.session.commit()


def follows_of(user_id: int) -> list[Follow]:
    return list(
        db.session.scalars(
            select(Follow).where(Follow.user_account_id == user_id).order_by(Follow.id.desc())
        )
    )


def setting_for(user_id: int) -> FollowerSetting:
    """The user's follower setting, made on first use: digests start from the newest change."""
    setting = db.session.execute(
        select(FollowerSetting).where(FollowerSetting.user_account_id == user_id)
    ).scalar_one_or_none()
    if setting is None:
        newest = latest_change_id()
        setting = FollowerSetting(
            user_account_id=user_id, seen_change_id=newest, digest_change_id=newest
        )
        db.session.add(setting)
        db.session.flush()
    return setting


def follow_condition(kind: str, target: str):
    """The SQL condition on project_change that one follow matches."""
    if kind == "project":
        return ProjectChange.project_id == target
    if kind == "beneficiary":
        return ProjectChange.beneficiary_key == target
    return _search_condition(*parse_search_target(target))


def followed_condition(follows: list[Follow]):
    return any_of([follow_condition(f.target_kind, f.target) for f in follows])


@dataclass(frozen=True)
class AccountChanges:
    new: list[ChangeRow]  # since the previous visit
    earlier: list[ChangeRow]  # the latest ones seen before
    follows: list[Follow]
    setting: FollowerSetting


def visit_account(user_id: int, limit: int = 50) -> AccountChanges:
    """What changed since the user's last visit to their account page; marks it seen."""
    setting = setting_for(user_id)
    follows = follows_of(user_id)
    condition = followed_condition(follows)
    seen = setting.seen_change_id
    new = changes_matching(condition, after=seen, limit=limit) if follows else []
    earlier = []
    if follows:
        earlier = [
            change
            for change in changes_matching(condition, limit=limit + len(new))
            if change.id <= seen
        ][:limit]
    setting.seen_change_id = max(seen, latest_change_id())
    setting.last_visit_at = utcnow()
    db.session.commit()
    return AccountChanges(new, earlier, follows, setting)
