"""Credit search: one page of records, the totals, the quantity by year and the facet counts.

Text search: every typed word must appear (accents and case folded) in one field of a record:
its harmonised beneficiary, beneficiary, reason, note, account or cancellation reason. The
words are first looked up among the distinct values of those columns (``credit_search_value``,
trigram index), then the records holding the matched values are found by index (on
PostgreSQL: the harmonised key's and the raw beneficiary's covering indexes, ``md5(column)``
for the other fields). Results are cached by data version with the catalogue's keys.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from flask import has_request_context, request
from sqlalchemy import (
    BigInteger,
    String,
    and_,
    cast,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    tuple_,
    union_all,
)

from app.catalog.search import PageWindow, _like_pattern, cached, in_values
from app.credits.labels import carries_label, label_masks, per_label
from app.credits.query import FACETS, CreditQuery
from app.extensions import db
from app.models import (
    DIGESTED_CREDIT_COLUMNS,
    INDEXED_BENEFICIARY_BYTES,
    Credit,
    CreditSearchValue,
    Project,
)

# Core tables, not the ORM classes: a keystroke builds its statement anew, and an ORM
# attribute is translated to its column each time it is used.
credit, project = Credit.__table__, Project.__table__
PER_PAGE = 50
# Words found in more distinct values than this ("retired", "bank") are matched by scanning
# the records instead: an IN list of thousands of values helps no index.
MAX_MATCHED_VALUES = 2000
_TERM_MEMO = "carbonscope.credit_term_values"
_STATS_MEMO = "carbonscope.credit_stats"
# Facet name -> the column it counts; the label facet has none (see app/credits/labels.py).
FACET_COLUMNS = {
    "kind": credit.c.kind,
    "reason": credit.c.reason_category,
    "registry": project.c.registry,
    "country": project.c.country,
    "type": project.c.project_type,
}
_PROJECT_FILTERS = ("registry", "country", "type", "project")
LABEL = "label"
# The facets the search's figures count; the label facet's counts are a query of their own
# (label_counts), asked for after the results.
COUNTED_FACETS = tuple(facet for facet in FACETS if facet != LABEL)


@dataclass(frozen=True)
class CreditRow:
    """What the results, the API and the CSV show of a credit record."""

    id: int
    project_id: str
    project_name: str | None
    registry: str
    country: str | None
    project_type: str | None
    kind: str
    vintage: int | None
    transaction_date: date | None
    year: int | None
    quantity: int
    source: str
    serial_range: str | None
    beneficiary: str | None
    beneficiary_key: str | None
    reason: str | None
    reason_category: str | None
    note: str | None
    account: str | None
    cancellation_reason: str | None


ROW_COLUMNS = (
    credit.c.id,
    project.c.project_id,
    project.c.name.label("project_name"),
    project.c.registry,
    project.c.country,
    project.c.project_type,
    *(
        credit.c[name]
        for name in CreditRow.__dataclass_fields__
        if name not in ("id", "project_id", "project_name", "registry", "country", "project_type")
    ),
)


@dataclass(frozen=True)
class CreditResult(PageWindow):
    items: list[CreditRow]
    total: int
    quantity: int
    page: int
    pages: int
    per_page: int
    message: str | None = None


def filter_conditions(query: CreditQuery, exclude: str | None = None, text=None) -> list:
    """SQL conditions for every active filter (but ``exclude``, a facet name); ``text``, one
    of ``disjoint_text_conditions``, in place of the whole text condition."""
    terms = tuple(query.terms)
    conditions = [text_condition(terms) if text is None else text] if terms else []
    for facet in FACETS:
        values = query.facet_values(facet)
        if values and facet != exclude:
            conditions.append(_facet_condition(facet, values))
    if query.project:
        conditions.append(project.c.project_id.in_(query.project))
    if query.vintage_from is not None:
        conditions.append(credit.c.vintage >= query.vintage_from)
    if query.vintage_to is not None:
        conditions.append(credit.c.vintage <= query.vintage_to)
    if query.date_from is not None:
        conditions.append(credit.c.transaction_date >= query.date_from)
    if query.date_to is not None:
        conditions.append(credit.c.transaction_date <= query.date_to)
    return conditions


def _facet_condition(facet: str, values: tuple[str, ...]):
    return carries_label(values) if facet == LABEL else in_values(FACET_COLUMNS[facet], values)


def _matched_values(terms: tuple[str, ...]) -> list[tuple[str, str]]:
    """(column, value) of every distinct searched value holding all ``terms``; looked up once
    per request (a page asks for it for its count, rows, facets and chart)."""
    memo = request.environ.setdefault(_TERM_MEMO, {}) if has_request_context() else {}
    if terms not in memo:
        memo[terms] = db.session.execute(term_lookup(terms)).all()
    return memo[terms]


def term_lookup(terms: tuple[str, ...]):
    """The searched values holding every term (one more than the most an IN list takes)."""
    return (
        select(CreditSearchValue.column, CreditSearchValue.value)
        .where(*(CreditSearchValue.folded.like(_like_pattern(term), escape="\\") for term in terms))
        .limit(MAX_MATCHED_VALUES + 1)
    )


def _md5(value: str) -> str:
    return hashlib.md5(value.encode(), usedforsecurity=False).hexdigest()


def _scan_condition(terms: tuple[str, ...]):
    """Every term in one of the record's fields, checked row by row (no index helps)."""
    columns = (credit.c.beneficiary_key, *(credit.c[n] for n in DIGESTED_CREDIT_COLUMNS))
    return or_(
        *(
            and_(*(func.lower(column).like(_like_pattern(t), escape="\\") for t in terms))
            for column in columns
        )
    )


def text_condition(terms: tuple[str, ...]):
    """Records with a field holding every term (a company's name typed in any order)."""
    parts = _text_parts(terms)
    return or_(*parts) if len(parts) > 1 else parts[0]


def disjoint_text_conditions(terms: tuple[str, ...]) -> list:
    """``text_condition`` as parts holding no record twice: each part takes only the records
    no earlier one holds (``IS NOT TRUE``: a missing field matches nothing). The first two
    (the harmonised key, the raw beneficiary) are read from their covering indexes alone,
    which an OR of them (a bitmap of both) could not do; their union needs no deduplication."""
    parts = _text_parts(terms)
    return [
        and_(part, or_(*parts[:index]).is_not(true())) if index else part
        for index, part in enumerate(parts)
    ]


def _text_parts(terms: tuple[str, ...]) -> list:
    """The text condition's parts, one per index that serves it: the harmonised key, the
    raw beneficiary (PostgreSQL), then the other fields' digests together."""
    matches = _matched_values(terms)
    if not matches:
        return [false()]
    if len(matches) > MAX_MATCHED_VALUES:
        return [_scan_condition(terms)]
    by_column: dict[str, set[str]] = {}
    for column, value in matches:
        by_column.setdefault(column, set()).add(value)
    if db.session.get_bind().dialect.name != "postgresql":
        return [or_(*(credit.c[name].in_(sorted(values)) for name, values in by_column.items()))]
    parts = []
    if keys := by_column.pop("beneficiary_key", None):
        parts.append(credit.c.beneficiary_key.in_(sorted(keys)))
    names = by_column.pop("beneficiary", set())
    short = sorted(name for name in names if len(name.encode()) <= INDEXED_BENEFICIARY_BYTES)
    if short:
        parts.append(and_(credit.c.beneficiary.in_(short), _beneficiary_bytes() <= _INDEXED_BYTES))
    digested = [
        func.md5(credit.c[name]).in_(sorted(_md5(value) for value in values))
        for name, values in sorted(by_column.items())
    ]
    if long := names.difference(short):
        digested.append(
            and_(
                func.md5(credit.c.beneficiary).in_(sorted(_md5(name) for name in long)),
                _beneficiary_bytes() > _INDEXED_BYTES,
            )
        )
    if digested:
        parts.append(or_(*digested))
    return parts


# Written into the statement (not bound): the planner must see the beneficiary indexes'
# conditions to use them.
_INDEXED_BYTES = literal_column(str(INDEXED_BENEFICIARY_BYTES))


def _beneficiary_bytes():
    return func.octet_length(credit.c.beneficiary)


def _needs_project(query: CreditQuery, exclude: str | None = None) -> bool:
    return any(getattr(query, name) for name in _PROJECT_FILTERS if name != exclude)


def _from(
    statement, query: CreditQuery, *, join: bool = False, exclude: str | None = None, text=None
):
    statement = statement.select_from(credit)
    if join or _needs_project(query, exclude):
        statement = statement.join(project, project.c.id == credit.c.project_id)
    return statement.where(*filter_conditions(query, exclude, text))


def order_by(query: CreditQuery, columns=credit.c) -> list:
    """The chosen sort, newest or largest first by default, the id as tie-breaker; of the
    credit table's ``columns`` or a subquery's of the same names."""
    descending = query.order == "desc"

    def ordered(column):
        return (column.desc() if descending else column.asc()).nulls_last()

    if query.sort == "quantity":
        return [ordered(columns.quantity), ordered(columns.id)]
    return [ordered(columns.transaction_date), ordered(columns.year), ordered(columns.id)]


def page_statement(query: CreditQuery, page: int, per_page: int):
    return (
        _from(select(*ROW_COLUMNS), query, join=True)
        .order_by(*order_by(query))
        .limit(per_page)
        .offset((page - 1) * per_page)
    )


@dataclass(frozen=True)
class CreditStats:
    """The filtered set's figures: its count and quantity, by year, and the facet counts."""

    total: int
    quantity: int
    by_year: list[tuple[int, int]]
    facets: dict[str, list[tuple[str, int]]]
    # The ids of the first page's records, for a narrow search (its rows are then read by
    # key); None for a broad one, whose first page is read in index order.
    first_page: list[int] | None


def _facet_branch(query: CreditQuery, facet: str):
    """A facet's counts: every filter applies but its own (a chosen value counts the rest)."""
    column = FACET_COLUMNS[facet]
    return (
        _from(
            select(literal(facet), column, func.count(), literal(None, BigInteger)),
            query,
            join=_of_project(facet),
            exclude=facet,
        )
        .where(column.is_not(None))
        .group_by(column)
    )


def _narrow(query: CreditQuery) -> bool:
    """Whether the search reads few records (typed words, chosen projects): then they are
    read once and grouped several ways. A broad one (every record, a facet alone) groups
    hundreds of thousands: each grouping streams them itself rather than keep them all."""
    return bool(query.terms or query.project)


def stats_statement(query: CreditQuery):
    """Every figure of the filtered set in one statement: (dimension, value, records,
    quantity) rows, dimension "total" (a narrow search's kind rows add up to it when no kind
    is chosen), "year", a facet, or "first_page" (the id of one of the first page's records;
    narrow searches only). A facet with a chosen value counts in its own branch, without its
    own filter. The label facet's counts are not here: see label_counts."""
    if not _narrow(query):
        return _broad_stats_statement(query)
    idle = [facet for facet in COUNTED_FACETS if not query.facet_values(facet)]
    of_project = [facet for facet in idle if _of_project(facet)]
    of_record = [facet for facet in idle if not _of_project(facet)]
    # The matching records, read once (a CTE) and grouped several ways (UNION ALL).
    columns = select(
        credit.c.id,
        credit.c.transaction_date,
        credit.c.year,
        credit.c.quantity,
        credit.c.project_id,
        *(FACET_COLUMNS[facet].label(facet) for facet in of_record),
    )
    matched = _matching(columns, query).cte("matched")
    first_page = (
        select(matched.c.id)
        .order_by(*order_by(query, matched.c))
        .limit(PER_PAGE)
        .subquery("first_page")
    )
    nothing = literal(None, BigInteger)
    quantity = func.sum(matched.c.quantity)
    branches = [
        select(literal("year"), cast(matched.c.year, String), func.count(), quantity)
        .where(matched.c.year.is_not(None))
        .group_by(matched.c.year),
    ]
    # Every record has a kind: the kind facet's rows, with their quantities, add up to the
    # totals (one pass over the records fewer); a chosen kind counts apart, so then not.
    if "kind" not in of_record:
        branches.append(select(literal("total"), literal(None, String), func.count(), quantity))
    for facet in of_record:
        column = matched.c[facet]
        branches.append(
            select(literal(facet), column, func.count(), quantity if facet == "kind" else nothing)
            .where(column.is_not(None))
            .group_by(column)
        )
    if of_project:
        branches += _project_facet_branches(matched, of_project)
    branches += [_facet_branch(query, facet) for facet in COUNTED_FACETS if facet not in idle]
    # The first page's records (by sort order; then read by key: no second search).
    branches.append(select(literal("first_page"), cast(first_page.c.id, String), nothing, nothing))
    return union_all(*branches)


def _of_project(facet: str) -> bool:
    return FACET_COLUMNS[facet].table is project


def _matching(columns, query: CreditQuery, exclude: str | None = None):
    """``columns`` of the records the search matches; with typed words, found by each index
    in turn, a UNION ALL of disjoint reads (see disjoint_text_conditions)."""
    parts = disjoint_text_conditions(tuple(query.terms)) if query.terms else [None]
    reads = [_from(columns, query, exclude=exclude, text=part) for part in parts]
    return union_all(*reads) if len(reads) > 1 else reads[0]


def label_counts(query: CreditQuery) -> list[tuple[str, int]]:
    """The label facet's counts: per label, the filtered records carrying it (every filter
    applies but the label's own). A query of its own, cached: the results region asks for
    it in a second request, so a keystroke's results do not wait for it."""
    token = query.without(LABEL).cache_token(page=False)
    return cached("credits-labels", token, lambda: _label_counts(query))


def _label_counts(query: CreditQuery) -> list[tuple[str, int]]:
    columns = select(credit.c.project_id, credit.c.vintage, credit.c.quantity)
    masks = label_masks(_matching(columns, query, exclude=LABEL).subquery("records"))
    counts = [
        (value, records) for value, _, records in per_label(db.session.execute(select(masks)))
    ]
    return sorted(counts, key=lambda item: (-item[1], item[0]))


def _project_facet_branches(matched, facets: list[str]) -> list:
    """The counts of facets on the project (registry, country, type): the matching records
    counted per project, then those few hundred or thousand projects read by key (from
    ix_project_id_facets alone) and summed per value, rather than every project hashed to
    be joined to every record."""
    per_project = (
        select(matched.c.project_id, func.count().label("records"))
        .group_by(matched.c.project_id)
        .subquery("per_project")
    )
    projects = (
        select(*(FACET_COLUMNS[facet].label(facet) for facet in facets), per_project.c.records)
        .join_from(per_project, project, project.c.id == per_project.c.project_id)
        .cte("matched_projects")
    )
    records = cast(func.sum(projects.c.records), BigInteger)
    return [
        select(literal(facet), projects.c[facet], records, literal(None, BigInteger))
        .where(projects.c[facet].is_not(None))
        .group_by(projects.c[facet])
        for facet in facets
    ]


def _broad_stats_statement(query: CreditQuery):
    quantity = func.sum(credit.c.quantity)
    return union_all(
        _from(select(literal("total"), literal(None, String), func.count(), quantity), query),
        _from(select(literal("year"), cast(credit.c.year, String), func.count(), quantity), query)
        .where(credit.c.year.is_not(None))
        .group_by(credit.c.year),
        *(_facet_branch(query, facet) for facet in COUNTED_FACETS),
    )


def _stats(query: CreditQuery) -> CreditStats:
    total, quantity, by_year = 0, 0, []
    facets: dict[str, list[tuple[str, int]]] = {facet: [] for facet in COUNTED_FACETS}
    first_page: list[int] | None = [] if _narrow(query) else None
    kind_quantity, has_total = 0, False
    for dimension, value, records, summed in db.session.execute(stats_statement(query)):
        if dimension == "total":
            total, quantity, has_total = records, int(summed or 0), True
        elif dimension == "year":
            by_year.append((int(value), int(summed or 0)))
        elif dimension == "first_page":
            first_page.append(int(value))
        else:
            facets[dimension].append((value, records))
            kind_quantity += int(summed or 0) if dimension == "kind" else 0
    if not has_total:  # see stats_statement: the kind facet's rows hold the totals
        total, quantity = sum(records for _, records in facets["kind"]), kind_quantity
    for values in facets.values():
        values.sort(key=lambda item: (-item[1], item[0]))
    return CreditStats(total, quantity, sorted(by_year), facets, first_page)


def credit_stats(query: CreditQuery) -> CreditStats:
    """The filtered set's count, quantity, quantity by year and facet counts (cached; read
    from the cache once per request, which asks for them for its rows, chart and facets)."""
    token = query.cache_token(page=False)
    memo = request.environ.setdefault(_STATS_MEMO, {}) if has_request_context() else {}
    if token not in memo:
        memo[token] = cached("credits-stats", token, lambda: _stats(query))
    return memo[token]


def _search(query: CreditQuery, per_page: int) -> CreditResult:
    stats = credit_stats(query)
    pages = max(1, math.ceil(stats.total / per_page))
    page, message = query.page, None
    if page > pages:
        message = f"Page {page} is past the end: showing page {pages} of {pages}."
        page = pages
    items = []
    if stats.total and page == 1 and per_page == PER_PAGE and stats.first_page is not None:
        items = _rows_by_id(query, stats.first_page)
    elif stats.total:
        rows = db.session.execute(page_statement(query, page, per_page))
        items = [CreditRow(*row) for row in rows]
    return CreditResult(items, stats.total, stats.quantity, page, pages, per_page, message)


def rows_by_id_statement(query: CreditQuery, ids: list[int]):
    """The records of ``ids`` (each read by its key), in the search's order."""
    return (
        select(*ROW_COLUMNS)
        .select_from(credit)
        .join(project, project.c.id == credit.c.project_id)
        .where(credit.c.id.in_(ids))
        .order_by(*order_by(query))
    )


def _rows_by_id(query: CreditQuery, ids: list[int]) -> list[CreditRow]:
    return [CreditRow(*row) for row in db.session.execute(rows_by_id_statement(query, ids))]


def search_credits(query: CreditQuery, per_page: int = PER_PAGE) -> CreditResult:
    """One page of matching records, their count and their summed quantity (cached)."""
    token = f"{query.cache_token()}:{per_page}"
    return cached("credits-search", token, lambda: _search(query, per_page))


def quantity_by_year(query: CreditQuery) -> list[tuple[int, int]]:
    """The filtered records' quantity per year (transaction year, or the figure's year)."""
    return credit_stats(query).by_year


def facet_counts(query: CreditQuery) -> dict[str, list[tuple[str, int]]]:
    """Per facet, (value, count) by count descending: every other filter applies, not its own."""
    return credit_stats(query).facets


def iter_credit_rows(query: CreditQuery, batch_size: int = 1000) -> Iterator[CreditRow]:
    """Every matching record in search order, streamed (server-side cursor on PostgreSQL)."""
    statement = _from(select(*ROW_COLUMNS), query, join=True).order_by(*order_by(query))
    for row in db.session.execute(statement, execution_options={"yield_per": batch_size}):
        yield CreditRow(*row)


# --- the API's cursor: keyset pagination in a fixed order, newest first ------------------

_NO_DATE = date(1, 1, 1)
CURSOR_KEY = (
    func.coalesce(credit.c.year, 0),
    func.coalesce(credit.c.transaction_date, literal(_NO_DATE)),
    credit.c.id,
)


def credits_after(
    query: CreditQuery, cursor: tuple[int, date, int] | None, limit: int
) -> tuple[list[CreditRow], tuple[int, date, int] | None]:
    """Up to ``limit`` records after ``cursor`` (year, date, id), newest first, and the next
    cursor (None on the last page). Stable while rows are added: no offset to drift."""
    statement = _from(select(*ROW_COLUMNS, *CURSOR_KEY), query, join=True)
    if cursor is not None:
        statement = statement.where(tuple_(*CURSOR_KEY) < tuple_(*cursor))
    statement = statement.order_by(*(key.desc() for key in CURSOR_KEY)).limit(limit + 1)
    rows = db.session.execute(statement).all()
    items = [CreditRow(*row[: len(ROW_COLUMNS)]) for row in rows[:limit]]
    following = None
    if len(rows) > limit:
        year, day, key = rows[limit - 1][len(ROW_COLUMNS) :]
        following = (int(year), day if isinstance(day, date) else date.fromisoformat(day), key)
    return items, following
