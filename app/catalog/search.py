"""Catalogue search: one page of projects and the facet counts, cached by data version.

Rows come back as small frozen ``ProjectRow`` values (no ORM objects): they are
cheap to build, to pickle into Memcached and to render. Cache keys hold the
data version, so a sync (which bumps it) makes every cached search stale at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import case, func, literal, select, union_all

from app.catalog.query import FACET_COLUMNS, FACETS, ProjectQuery
from app.extensions import cache, db
from app.models import SORT_NAME, Project, current_data_version

PER_PAGE = 50
CACHE_LAYOUT = 4
T = TypeVar("T")


@dataclass(frozen=True)
class ProjectRow:
    """What a results list, the API and the CSV show of a project."""

    id: int
    project_id: str
    name: str | None
    registry: str
    status: str | None
    status_group: str
    country: str | None
    region: str | None
    scope: str | None
    project_type: str | None
    category: str | None
    methodology: str | None
    developer: str | None
    issued: int
    retired: int
    first_vintage: int | None
    last_vintage: int | None
    source: str
    stage: str | None
    registry_url: str | None
    website: str | None

    @property
    def remaining(self) -> int:
        return (self.issued or 0) - (self.retired or 0)

    @property
    def is_community(self) -> bool:
        return self.registry == "COMMUNITY"


ROW_COLUMNS = tuple(getattr(Project, name) for name in ProjectRow.__dataclass_fields__)


@dataclass(frozen=True)
class SearchResult:
    items: list[ProjectRow]
    total: int
    page: int
    pages: int
    per_page: int
    message: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.items else 0

    @property
    def last_index(self) -> int:
        return (self.page - 1) * self.per_page + len(self.items)


def _like_pattern(text: str, prefix: str = "%", suffix: str = "%") -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{prefix}{escaped}{suffix}"


def filter_conditions(query: ProjectQuery, exclude: str | None = None) -> list:
    """SQL conditions for every active filter (but ``exclude``, a facet name)."""
    conditions = [
        Project.search_text.like(_like_pattern(term), escape="\\") for term in query.terms
    ]
    for facet in FACETS:
        values = query.facet_values(facet)
        if values and facet != exclude:
            column = getattr(Project, FACET_COLUMNS[facet])
            conditions.append(column == values[0] if len(values) == 1 else column.in_(values))
    if query.issued_min is not None:
        conditions.append(Project.issued >= query.issued_min)
    if query.issued_max is not None:
        conditions.append(Project.issued <= query.issued_max)
    # A vintage range keeps projects whose vintages overlap it.
    if query.vintage_from is not None:
        conditions.append(Project.last_vintage >= query.vintage_from)
    if query.vintage_to is not None:
        conditions.append(Project.first_vintage <= query.vintage_to)
    return conditions


def relevance(query: ProjectQuery):
    """0 exact id, 1 id number, 2 name starts with the query, 3 any other match."""
    terms = query.terms
    phrase = " ".join(terms)
    ranks = [(func.lower(Project.project_id) == "".join(terms), 0)]
    if phrase.isdigit():
        # search_text starts with the id's variants: 'vcs191 vcs 191 | ...'.
        ranks.append((Project.search_text.like(f"% {phrase} |%"), 1))
    ranks.append((func.lower(Project.name).like(_like_pattern(phrase, "", "%"), escape="\\"), 2))
    return case(*ranks, else_=3)


def order_by(query: ProjectQuery) -> list:
    """The ORDER BY of a search: the chosen sort, then the primary key as tie-breaker."""
    descending = query.order == "desc"
    if query.sort == "relevance" and query.terms:
        return [relevance(query), SORT_NAME.asc().nulls_last(), Project.id]
    column = {
        "name": SORT_NAME,
        "issued": Project.issued,
        "retired": Project.retired,
        "vintage": Project.last_vintage,
    }.get(query.sort, SORT_NAME)
    ordered = column.desc() if descending else column.asc()
    tie = Project.id.desc() if descending else Project.id.asc()
    if query.sort in ("name", "vintage"):
        ordered = ordered.nulls_last()
    return [ordered, tie]


def cache_key(kind: str, token: str) -> str:
    """A catalogue cache key: the kind, the layout of what is cached, the data version, the query.

    Bump ``CACHE_LAYOUT`` when a cached value's shape changes (a ProjectRow field, a
    template), so a deploy never reads values pickled by the previous code.
    """
    return f"catalog:{kind}:l{CACHE_LAYOUT}:v{current_data_version()}:{token}"


def cached(kind: str, token: str, compute: Callable[[], T]) -> T:
    key = cache_key(kind, token)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value)
    return value


def count_statement(query: ProjectQuery):
    return select(func.count()).select_from(Project).where(*filter_conditions(query))


def page_statement(query: ProjectQuery, page: int, per_page: int):
    return (
        select(*ROW_COLUMNS)
        .where(*filter_conditions(query))
        .order_by(*order_by(query))
        .limit(per_page)
        .offset((page - 1) * per_page)
    )


def _search(query: ProjectQuery, per_page: int) -> SearchResult:
    total = db.session.execute(count_statement(query)).scalar_one()
    pages = max(1, math.ceil(total / per_page))
    page, message = query.page, None
    if page > pages:
        message = f"Page {page} is past the end: showing page {pages} of {pages}."
        page = pages
    items = []
    if total:
        rows = db.session.execute(page_statement(query, page, per_page))
        items = [ProjectRow(*row) for row in rows]
    return SearchResult(items, total, page, pages, per_page, message)


def search_projects(query: ProjectQuery, per_page: int = PER_PAGE) -> SearchResult:
    """One page of matching projects, the total and the page count.

    A page past the end is clamped to the last page, with ``message`` saying so.
    """
    return cached("search", f"{query.cache_token()}:{per_page}", lambda: _search(query, per_page))


def facets_statement(query: ProjectQuery):
    """Every facet's (facet, value, count) rows in one round trip: a UNION ALL of GROUP BYs."""
    branches = []
    for facet in FACETS:
        column = getattr(Project, FACET_COLUMNS[facet])
        branches.append(
            select(literal(facet).label("facet"), column.label("value"), func.count().label("n"))
            .where(*filter_conditions(query, exclude=facet), column.is_not(None))
            .group_by(column)
        )
    return union_all(*branches)


def _facet_counts(query: ProjectQuery) -> dict[str, list[tuple[str, int]]]:
    counts: dict[str, list[tuple[str, int]]] = {facet: [] for facet in FACETS}
    for facet, value, count in db.session.execute(facets_statement(query)):
        counts[facet].append((value, count))
    for values in counts.values():
        values.sort(key=lambda item: (-item[1], item[0]))
    return counts


def facet_counts(query: ProjectQuery) -> dict[str, list[tuple[str, int]]]:
    """Per facet, (value, count) by count descending: every other filter applies, not its own."""
    return cached("facets", query.cache_token(page=False), lambda: _facet_counts(query))


def iter_project_rows(query: ProjectQuery, batch_size: int = 1000) -> Iterator[ProjectRow]:
    """Every matching project in search order, streamed (server-side cursor on PostgreSQL)."""
    statement = select(*ROW_COLUMNS).where(*filter_conditions(query)).order_by(*order_by(query))
    result = db.session.execute(statement, execution_options={"yield_per": batch_size})
    for row in result:
        yield ProjectRow(*row)
