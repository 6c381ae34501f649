"""Catalogue search: one page of projects and the facet counts, cached by data version.

Rows come back as small frozen ``ProjectRow`` values (no ORM objects): they are
cheap to build, to pickle into Memcached and to render. Cache keys hold the
data version, so a sync (which bumps it) makes every cached search stale at once.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TypeVar

from flask import has_request_context, request
from sqlalchemy import Text, case, cast, func, literal, select, tuple_, union_all

from app.catalog.labels import (
    LABEL_FACETS,
    Badge,
    label_condition,
    label_counts_branches,
    project_badges,
)
from app.catalog.multi_values import (
    state_condition,
    state_counts,
    state_group_value,
)
from app.catalog.quality import crediting_column, today
from app.catalog.query import FACET_COLUMNS, FACETS, RANGES, ProjectQuery
from app.catalog.totals import remaining_credits, retired_exceeds_issued
from app.extensions import cache, db
from app.models import (
    SORT_NAME,
    DataVersion,
    Project,
    current_data_version,
)
from app.models import ProjectFacetGroup as Group

PER_PAGE = 50
CACHE_LAYOUT = 6
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
    status_canonical: str | None
    country_code: str | None
    state: str | None
    reduction_removal: str | None
    verifier: str | None
    certifications: str | None
    flags: dict | None
    # The project-level quality labels (app/catalog/labels.py), filled after the row is read.
    labels: tuple[Badge, ...] = ()

    @property
    def remaining(self) -> int | None:
        """Issued minus retired; None where the source reports more retired than issued."""
        return remaining_credits(self)

    @property
    def retired_exceeds_issued(self) -> bool:
        return retired_exceeds_issued(self)

    @property
    def is_community(self) -> bool:
        return self.registry == "COMMUNITY"


ROW_COLUMNS = tuple(
    getattr(Project, name) for name in ProjectRow.__dataclass_fields__ if name != "labels"
)


class PageWindow:
    """Where a page of results sits among all of them (``items``, ``page``, ``pages``,
    ``per_page`` are the result's own fields): what every pager reads."""

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


@dataclass(frozen=True)
class SearchResult(PageWindow):
    items: list[ProjectRow]
    total: int
    page: int
    pages: int
    per_page: int
    message: str | None = None
    warnings: list[str] = field(default_factory=list)
    # The matching projects' own totals: unfiltered, the market's figures (as home and /stats).
    issued: int = 0
    retired: int = 0

    @property
    def retired_share(self) -> float | None:
        return self.retired / self.issued if self.issued > 0 else None


def _like_pattern(text: str, prefix: str = "%", suffix: str = "%") -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{prefix}{escaped}{suffix}"


def facet_column(facet: str):
    """The SQL a facet counts and filters on: a project column, or for ``listed`` whether
    the project has a confirmed link to a record in another registry ('multiple')."""
    if facet == "listed":
        from app.links.queries import linked_project_ids

        return case((Project.id.in_(linked_project_ids()), literal("multiple")), else_=None)
    if facet == "crediting_period":
        return crediting_column()
    return getattr(Project, FACET_COLUMNS[facet])


def filter_conditions(query: ProjectQuery, exclude: str | None = None) -> list:
    """SQL conditions for every active filter (but ``exclude``, a facet name)."""
    conditions = [
        Project.search_text.like(_like_pattern(term), escape="\\") for term in query.terms
    ]
    for facet in FACETS:
        values = query.facet_values(facet)
        if values and facet != exclude:
            conditions.append(_facet_condition(facet, values))
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


def _facet_condition(facet: str, values: tuple[str, ...]):
    """Projects with any of ``values`` in the facet."""
    if facet == "state":
        return state_condition(values)
    if facet in LABEL_FACETS:
        return label_condition(facet, values)
    return in_values(facet_column(facet), values)


def in_values(column, values):
    """A facet's chosen values as a condition: plain equality for one (the common case,
    which the planner estimates best)."""
    return column == values[0] if len(values) == 1 else column.in_(values)


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
    # The day: the crediting-period facet ("ends within 12 months") moves with it.
    day = today().isoformat()
    return f"catalog:{kind}:l{CACHE_LAYOUT}:v{current_data_version()}:{day}:{token}"


def cached(kind: str, token: str, compute: Callable[[], T]) -> T:
    key = cache_key(kind, token)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value)
    return value


def counts_from_groups(query: ProjectQuery) -> bool:
    """Whether this search's totals and column facets can be counted over the facet groups
    (project_facet_group): no text, no range and no label filter, which the groups lack."""
    return (
        not query.terms
        and all(getattr(query, name) is None for name in RANGES)
        and not any(query.facet_values(facet) for facet in LABEL_FACETS)
    )


_GROUPS_CURRENT = "carbonscope.facet_groups_current"


def facet_groups_current() -> bool:
    """Whether project_facet_group was rebuilt for the data version in force (read once
    per request)."""
    if has_request_context() and _GROUPS_CURRENT in request.environ:
        return request.environ[_GROUPS_CURRENT]
    row = db.session.execute(
        select(DataVersion.version, DataVersion.facet_groups_version).where(DataVersion.id == 1)
    ).first()
    current = row is not None and row.version == row.facet_groups_version
    if has_request_context():
        request.environ[_GROUPS_CURRENT] = current
    return current


def reads_groups(query: ProjectQuery) -> bool:
    """Whether this search counts over the facet groups (else over the project rows)."""
    return counts_from_groups(query) and facet_groups_current()


def count_statement(query: ProjectQuery, groups: bool = False):
    """How many projects match, and their credits issued and retired, in one statement
    (``groups``: summed over the facet groups, see ``counts_from_groups``)."""
    if groups:
        return select(
            func.coalesce(func.sum(Group.projects), 0),
            func.coalesce(func.sum(Group.issued), 0),
            func.coalesce(func.sum(Group.retired), 0),
        ).where(*group_conditions(query))
    return (
        select(
            func.count(),
            func.coalesce(func.sum(Project.issued), 0),
            func.coalesce(func.sum(Project.retired), 0),
        )
        .select_from(Project)
        .where(*filter_conditions(query))
    )


def page_statement(query: ProjectQuery, page: int, per_page: int):
    return (
        select(*ROW_COLUMNS)
        .where(*filter_conditions(query))
        .order_by(*order_by(query))
        .limit(per_page)
        .offset((page - 1) * per_page)
    )


def search_totals(query: ProjectQuery) -> tuple[int, int, int]:
    """How many projects match and their credits issued and retired (one cached count for
    every order and page of the same selection)."""
    return cached(
        "totals",
        query.filters_token(),
        lambda: tuple(
            int(value)
            for value in db.session.execute(count_statement(query, reads_groups(query))).one()
        ),
    )


def _search(query: ProjectQuery, per_page: int) -> SearchResult:
    total, issued, retired = search_totals(query)
    pages = max(1, math.ceil(total / per_page))
    page, message = query.page, None
    if page > pages:
        message = f"Page {page} is past the end: showing page {pages} of {pages}."
        page = pages
    items = []
    if total:
        rows = [
            ProjectRow(*row) for row in db.session.execute(page_statement(query, page, per_page))
        ]
        badges = project_badges([row.id for row in rows])
        items = [replace(row, labels=tuple(badges[row.id])) for row in rows]
    return SearchResult(
        items, total, page, pages, per_page, message, issued=int(issued), retired=int(retired)
    )


def search_projects(query: ProjectQuery, per_page: int = PER_PAGE) -> SearchResult:
    """One page of matching projects, the total and the page count.

    A page past the end is clamped to the last page, with ``message`` saying so.
    """
    return cached("search", f"{query.cache_token()}:{per_page}", lambda: _search(query, per_page))


def facets_statement(query: ProjectQuery, dialect: str | None = None, groups: bool = False):
    """Every facet's (facet, value, count) rows in one round trip.

    A facet with a chosen value counts with every filter but its own: one GROUP BY each.
    The facets without one all share the same filters; on PostgreSQL they are counted in
    one scan with GROUPING SETS (ten facets in one pass instead of ten), elsewhere (SQLite
    has no GROUPING SETS) one GROUP BY each. Rows with a null value are the caller's to drop.
    ``groups``: the column facets summed over the facet groups (see ``counts_from_groups``),
    the same counts from a fifth of the rows; the label facets count over project as ever.
    """
    dialect = dialect or db.session.get_bind().dialect.name
    column_facets = [facet for facet in FACETS if facet not in LABEL_FACETS]
    idle = [facet for facet in column_facets if not query.facet_values(facet)]
    own = [facet for facet in column_facets if facet not in idle]
    if dialect != "postgresql":
        own, idle = column_facets, []
    rows = _group_rows(query) if groups else _project_rows(query)
    branches = [_facet_branch(rows, facet) for facet in own]
    if idle:
        branches.insert(0, _shared_facets_branch(rows, idle))
    branches += _label_branches(query, dialect)
    return union_all(*branches)


@dataclass(frozen=True)
class _CountedRows:
    """What the column facets count over: each facet's column, the filters (but one facet's),
    and how many projects a row stands for."""

    column: Callable[[str], object]
    conditions: Callable[[str | None], list]
    count: Callable[[], object]


def _project_rows(query: ProjectQuery) -> _CountedRows:
    return _CountedRows(
        _grouped_column, lambda exclude=None: filter_conditions(query, exclude), func.count
    )


def _group_rows(query: ProjectQuery) -> _CountedRows:
    return _CountedRows(
        _group_column,
        lambda exclude=None: group_conditions(query, exclude),
        lambda: func.sum(Group.projects),
    )


def group_conditions(query: ProjectQuery, exclude: str | None = None) -> list:
    """``filter_conditions`` over the facet groups: the search's facet filters (it has no
    other kind: ``counts_from_groups``), but ``exclude``."""
    conditions = []
    for facet in FACETS:
        values = query.facet_values(facet)
        if values and facet != exclude:
            if facet == "state":
                conditions.append(state_condition(values, Group.state))
            else:
                conditions.append(in_values(_group_column(facet), values))
    return conditions


def _group_column(facet: str):
    """A column facet's value in the facet groups: what ``_grouped_column`` is in project."""
    if facet == "state":
        return state_group_value(Group.state, Group.country)
    if facet == "listed":
        return case((Group.listed, literal("multiple")), else_=None)
    if facet == "crediting_period":
        return crediting_column(end=Group.crediting_period_end)
    return getattr(Group, FACET_COLUMNS[facet])


def _label_branches(query: ProjectQuery, dialect: str) -> list:
    """The label facets: those without a chosen value share one branch, each other its own."""
    idle = [facet for facet in LABEL_FACETS if not query.facet_values(facet)]
    branches = label_counts_branches(idle, filter_conditions(query), dialect) if idle else []
    for facet in LABEL_FACETS:
        if facet not in idle:
            conditions = filter_conditions(query, exclude=facet)
            branches += label_counts_branches([facet], conditions, dialect)
    return branches


def _facet_branch(rows: _CountedRows, facet: str):
    column = rows.column(facet)
    return (
        select(literal(facet).label("facet"), column.label("value"), rows.count().label("n"))
        .where(*rows.conditions(facet))
        .group_by(column)
    )


def _shared_facets_branch(rows: _CountedRows, facets: list[str]):
    """The facets that share every filter, counted in one scan (PostgreSQL GROUPING SETS)."""
    facet, value, grouping_sets = _grouping_sets(rows.column, tuple(facets), today())
    return (
        select(facet, value, rows.count().label("n"))
        .where(*rows.conditions(None))
        .group_by(grouping_sets)
    )


@functools.lru_cache(maxsize=256)
def _grouping_sets(column_of: Callable[[str], object], facets: tuple[str, ...], day: date):
    """The shared branch's facet name, value and GROUPING SETS: the same for every search
    with the same idle facets on a day (``day``: the crediting-period facet's), so built once
    (they were most of the time spent building a search's statements)."""
    columns = [column_of(facet) for facet in facets]
    own = [func.grouping(column) == 0 for column in columns]
    facet = case(*((is_own, literal(f)) for is_own, f in zip(own, facets, strict=True)))
    # The value of the row's own facet only: PostgreSQL does not match the listed facet's
    # subquery to its grouping set, so a coalesce over every column read it from some row
    # of another facet's empty value (a bogus "multiple" under crediting period).
    value = case(*((is_own, cast(c, Text)) for is_own, c in zip(own, columns, strict=True)))
    grouping_sets = func.grouping_sets(*(tuple_(column) for column in columns))
    return facet.label("facet"), value.label("value"), grouping_sets


def _grouped_column(facet: str):
    """What a facet's branch groups by: its column, or the raw text of a multi-value facet."""
    if facet == "state":
        return state_group_value()
    return facet_column(facet)


_SPLIT_COUNTS = {"state": state_counts}


def _facet_counts(query: ProjectQuery) -> dict[str, list[tuple[str, int]]]:
    counts: dict[str, list[tuple[str, int]]] = {facet: [] for facet in FACETS}
    statement = facets_statement(query, groups=reads_groups(query))
    for facet, value, count in db.session.execute(statement):
        if value is not None:
            counts[facet].append((value, count))
    for facet, split in _SPLIT_COUNTS.items():
        counts[facet] = split(counts[facet])
    for values in counts.values():
        values.sort(key=lambda item: (-item[1], item[0]))
    return counts


def facet_counts(query: ProjectQuery) -> dict[str, list[tuple[str, int]]]:
    """Per facet, (value, count) by count descending: every other filter applies, not its own."""
    return cached("facets", query.filters_token(), lambda: _facet_counts(query))


def iter_project_records(
    query: ProjectQuery, names: tuple[str, ...], batch_size: int = 1000
) -> Iterator[dict]:
    """Every matching project in search order as {column: value}, streamed (a server-side
    cursor on PostgreSQL): the export's rows, with whichever project columns it asks for."""
    columns = [getattr(Project, name) for name in names]
    statement = select(*columns).where(*filter_conditions(query)).order_by(*order_by(query))
    result = db.session.execute(statement, execution_options={"yield_per": batch_size})
    for row in result:
        yield dict(zip(names, row, strict=True))
