"""Reading news: the newest first, filtered by source and text, a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import NewsItem, news_mention
from app.request_input import ascii_int

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 10_000
MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class NewsQuery:
    """What a reader asked for: one source (or all), search words, a page."""

    source: str | None = None
    q: str | None = None
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE


@dataclass(frozen=True)
class NewsPage:
    items: list[NewsItem]
    total: int
    page: int
    per_page: int

    @property
    def has_more(self) -> bool:
        return self.page * self.per_page < self.total


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(statement: Select, query: NewsQuery) -> Select:
    if query.source:
        statement = statement.where(NewsItem.source == query.source)
    terms = (query.q or "").casefold().split()
    matches = [
        or_(
            func.lower(NewsItem.title).like(_like_pattern(term), escape="\\"),
            func.lower(func.coalesce(NewsItem.summary, "")).like(_like_pattern(term), escape="\\"),
        )
        for term in terms
    ]
    return statement.where(and_(*matches)) if matches else statement


def _newest_first(statement: Select) -> Select:
    return statement.order_by(NewsItem.published_at.desc().nulls_last(), NewsItem.id.desc())


def search_news(query: NewsQuery) -> NewsPage:
    """One page of items matching the query, newest first, with their linked projects."""
    total = db.session.scalar(_filtered(select(func.count(NewsItem.id)), query))
    items = db.session.scalars(
        _newest_first(_filtered(select(NewsItem), query))
        .options(selectinload(NewsItem.projects))
        .limit(query.per_page)
        .offset((query.page - 1) * query.per_page)
    ).all()
    return NewsPage(list(items), total or 0, query.page, query.per_page)


def news_sources() -> list[str]:
    """Every source name that has items, alphabetically: the source filter's choices."""
    return list(
        db.session.scalars(select(NewsItem.source).distinct().order_by(NewsItem.source)).all()
    )


def latest_news(limit: int = 5) -> list[NewsItem]:
    """The newest items of all sources (for the home page)."""
    return list(
        db.session.scalars(
            _newest_first(select(NewsItem)).options(selectinload(NewsItem.projects)).limit(limit)
        ).all()
    )


def news_for_project(project_key: int, limit: int = 10) -> list[NewsItem]:
    """The newest items that mention one project (by its integer key, project.id)."""
    mentioned = select(news_mention.c.news_item_id).where(news_mention.c.project_id == project_key)
    return list(
        db.session.scalars(
            _newest_first(select(NewsItem).where(NewsItem.id.in_(mentioned))).limit(limit)
        ).all()
    )


class InvalidNewsQuery(ValueError):
    """A request's news filters that cannot be read; the message says which and why."""


def _whole_number(args, name: str, default: int, maximum: int) -> int:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    value = ascii_int(raw)
    if value is None or not 1 <= value <= maximum:
        raise InvalidNewsQuery(
            gettext("%(name)s must be a whole number from 1 to %(max)s", name=name, max=maximum)
        )
    return value


def _text(args, name: str) -> str | None:
    # PostgreSQL refuses NUL characters in text; no reader means them.
    value = (args.get(name) or "").replace("\x00", "").strip()
    return value[:MAX_QUERY_LENGTH] or None


def news_query_from(args) -> NewsQuery:
    """Read source, q, page and per_page from query-string args; raise InvalidNewsQuery."""
    return NewsQuery(
        source=_text(args, "source"),
        q=_text(args, "q"),
        page=_whole_number(args, "page", 1, MAX_PAGE),
        per_page=_whole_number(args, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE),
    )


def query_args(query: NewsQuery, **changes) -> dict:
    """The query as URL arguments, without the defaults: for links that keep the filters."""
    values = {
        "source": query.source,
        "q": query.q,
        "page": query.page,
        "per_page": query.per_page,
    } | changes
    defaults = {"page": 1, "per_page": DEFAULT_PER_PAGE}
    return {
        key: value
        for key, value in values.items()
        if value not in (None, "") and defaults.get(key) != value
    }
