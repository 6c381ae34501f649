"""Reading proposals, their support and their discussion: every count is a SQL COUNT of rows."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import COMMUNITY, Comment, Project, Support
from app.request_input import ascii_int
from app.text_search import query_terms

PAGE_SIZE = 20
COMMENTS_PAGE_SIZE = 20
LATEST_COMMENTS = 3
SORTS = {
    "support": _l("Most supported"),
    "newest": _l("Newest"),
    "discussed": _l("Most discussed"),
}
COMMENT_ORDERS = {"newest": _l("Newest first"), "oldest": _l("Oldest first")}
MAX_FILTER_LENGTH = 200
MAX_PAGE = 10_000


class BadQuery(ValueError):
    """A parameter a user sent that we cannot use; the message says which and why."""


def _page_number(value: str | None, name: str = "page") -> int:
    if value in (None, ""):
        return 1
    number = ascii_int(value)
    if number is None or not 1 <= number <= MAX_PAGE:
        raise BadQuery(
            _(
                "'%(name)s' must be a whole number from 1 to %(last)s.",
                name=name,
                last=format_number(MAX_PAGE),
            )
        )
    return number


def _text(args, name: str) -> str:
    value = (args.get(name) or "").strip()
    if len(value) > MAX_FILTER_LENGTH:
        raise BadQuery(
            _("'%(name)s' can be at most %(count)s characters.", name=name, count=MAX_FILTER_LENGTH)
        )
    return value


@dataclass(frozen=True)
class ProposalQuery:
    """What /proposals was asked for: search, filters, sort and page."""

    q: str = ""
    country: str = ""
    scope: str = ""
    type: str = ""
    sort: str = "support"
    page: int = 1

    @classmethod
    def from_args(cls, args) -> ProposalQuery:
        sort = args.get("sort") or "support"
        if sort not in SORTS:
            choices = ", ".join(SORTS)
            raise BadQuery(
                _(
                    "'sort' must be one of %(choices)s; '%(sort)s' isn't.",
                    choices=choices,
                    sort=sort[:40],
                )
            )
        return cls(
            q=_text(args, "q"),
            country=_text(args, "country"),
            scope=_text(args, "scope"),
            type=_text(args, "type"),
            sort=sort,
            page=_page_number(args.get("page")),
        )

    def args(self, **changes) -> dict:
        """The query string of this query (with changes), leaving out defaults."""
        values = {
            "q": self.q,
            "country": self.country,
            "scope": self.scope,
            "type": self.type,
            "sort": self.sort,
            "page": self.page,
        }
        values.update(changes)
        defaults = {"sort": "support", "page": 1}
        return {k: v for k, v in values.items() if v not in ("", None) and defaults.get(k) != v}

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.country or self.scope or self.type)


@dataclass(frozen=True)
class ProposalRow:
    project: Project
    supporters: int
    comments: int


@dataclass(frozen=True)
class Page:
    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass(frozen=True)
class Facets:
    countries: list[str] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)


def _support_counts():
    return (
        select(Support.project_id, func.count(Support.id).label("n"))
        .group_by(Support.project_id)
        .subquery("support_counts")
    )


def _comment_counts():
    return (
        select(Comment.project_id, func.count(Comment.id).label("n"))
        .group_by(Comment.project_id)
        .subquery("comment_counts")
    )


def _is_proposal():
    return and_(Project.registry == COMMUNITY, Project.stage == "proposed")


def _filtered(statement: Select, query: ProposalQuery) -> Select:
    statement = statement.where(_is_proposal())
    if query.country:
        statement = statement.where(Project.country == query.country)
    if query.scope:
        statement = statement.where(Project.scope == query.scope)
    if query.type:
        statement = statement.where(Project.project_type == query.type)
    for term in query_terms(query.q):
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(Project.search_text.like(f"%{escaped}%", escape="\\"))
    return statement


def list_proposals(query: ProposalQuery) -> Page:
    """One page of proposals with their support and comment counts (two queries)."""
    supports, comments = _support_counts(), _comment_counts()
    supporters = func.coalesce(supports.c.n, 0)
    discussed = func.coalesce(comments.c.n, 0)
    order = {
        "support": (supporters.desc(), Project.created_at.desc(), Project.id.desc()),
        "newest": (Project.created_at.desc(), Project.id.desc()),
        "discussed": (discussed.desc(), supporters.desc(), Project.id.desc()),
    }[query.sort]
    total = db.session.scalar(_filtered(select(func.count(Project.id)), query))
    statement = _filtered(
        select(Project, supporters, discussed)
        .outerjoin(supports, supports.c.project_id == Project.id)
        .outerjoin(comments, comments.c.project_id == Project.id),
        query,
    )
    rows = db.session.execute(
        statement.order_by(*order).limit(PAGE_SIZE).offset((query.page - 1) * PAGE_SIZE)
    ).all()
    items = [ProposalRow(project, support_n, comment_n) for project, support_n, comment_n in rows]
    return Page(items=items, total=total or 0, page=query.page, per_page=PAGE_SIZE)


def proposal_facets() -> Facets:
    """The countries, scopes and types that open proposals have, for the filter menus."""

    def values(column) -> list[str]:
        statement = select(column).where(_is_proposal(), column.is_not(None)).distinct()
        return sorted(value for value in db.session.scalars(statement) if value)

    return Facets(
        countries=values(Project.country),
        scopes=values(Project.scope),
        types=values(Project.project_type),
    )


def top_proposals(limit: int = 5) -> list[tuple[Project, int]]:
    """The most supported proposals (ties: newest first), with their support counts."""
    supports = _support_counts()
    supporters = func.coalesce(supports.c.n, 0)
    statement = (
        select(Project, supporters)
        .outerjoin(supports, supports.c.project_id == Project.id)
        .where(_is_proposal())
        .order_by(supporters.desc(), Project.created_at.desc(), Project.id.desc())
        .limit(limit)
    )
    return [(project, count) for project, count in db.session.execute(statement).all()]


def support_count(project: Project) -> int:
    statement = select(func.count(Support.id)).where(Support.project_id == project.id)
    return db.session.scalar(statement) or 0


def comment_count(project: Project) -> int:
    statement = select(func.count(Comment.id)).where(Comment.project_id == project.id)
    return db.session.scalar(statement) or 0


def is_supporting(project: Project, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    statement = select(Support.id).where(
        Support.project_id == project.id, Support.user_account_id == user.id
    )
    return db.session.scalar(statement) is not None


def comments_page(project: Project, order: str = "newest", page: int = 1) -> Page:
    """One page of a project's comments with their authors, newest or oldest first."""
    direction = (
        (Comment.created_at.desc(), Comment.id.desc())
        if order == "newest"
        else (Comment.created_at.asc(), Comment.id.asc())
    )
    total = comment_count(project)
    statement = (
        select(Comment)
        .where(Comment.project_id == project.id)
        .options(joinedload(Comment.author))
        .order_by(*direction)
        .limit(COMMENTS_PAGE_SIZE)
        .offset((page - 1) * COMMENTS_PAGE_SIZE)
    )
    items = list(db.session.scalars(statement))
    return Page(items=items, total=total, page=page, per_page=COMMENTS_PAGE_SIZE)


def parse_comment_view(order: str | None, page: str | None) -> tuple[str, int]:
    """The discussion's order and page from the query string (BadQuery when unusable)."""
    order = order or "newest"
    if order not in COMMENT_ORDERS:
        raise BadQuery(_("The comment order must be 'newest' or 'oldest'."))
    return order, _page_number(page, "comments_page")


def proposal_activity_for(projects) -> dict[int, dict]:
    """Supporters, comment count and latest comments of each project, in three queries."""
    ids = [project.id for project in projects]
    if not ids:
        return {}
    supporters = dict(
        db.session.execute(
            select(Support.project_id, func.count(Support.id))
            .where(Support.project_id.in_(ids))
            .group_by(Support.project_id)
        ).all()
    )
    comments = dict(
        db.session.execute(
            select(Comment.project_id, func.count(Comment.id))
            .where(Comment.project_id.in_(ids))
            .group_by(Comment.project_id)
        ).all()
    )
    rank = (
        func.row_number()
        .over(
            partition_by=Comment.project_id,
            order_by=(Comment.created_at.desc(), Comment.id.desc()),
        )
        .label("rank")
    )
    ranked = select(Comment.id, rank).where(Comment.project_id.in_(ids)).subquery()
    latest = db.session.scalars(
        select(Comment)
        .join(ranked, ranked.c.id == Comment.id)
        .where(ranked.c.rank <= LATEST_COMMENTS)
        .options(joinedload(Comment.author))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    ).all()
    activity = {
        project_id: {
            "supporters": supporters.get(project_id, 0),
            "comments": comments.get(project_id, 0),
            "latest_comments": [],
        }
        for project_id in ids
    }
    for comment in latest:
        activity[comment.project_id]["latest_comments"].append(comment)
    return activity
