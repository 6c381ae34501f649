"""The change log's queries: a page of changes, facet counts, one project's history.

Newest first is ``id`` descending, paged by keyset (``before``). Facet counts and the
total count the newest ``COUNT_LIMIT`` matching changes: exact for the searches a person
reads through, and bounded in cost however long the log grows (the page says "1,000+").
Ids grow with ``created_at`` (rows are inserted as syncs find them), so a date range
becomes an id range, read from the index on ``created_at`` once. Results are cached by
data version, which every sync bumps.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, literal, or_, select

from app.catalog.query import ProjectQuery
from app.catalog.search import cached, filter_conditions, in_values
from app.changes.query import FACET_COLUMNS, FACETS, KIND_LABELS, ChangeQuery
from app.extensions import db
from app.models import Project, ProjectChange

PER_PAGE = 50
COUNT_LIMIT = 1_000
T = TypeVar("T")

FIELD_LABELS = {
    "name": _l("Name"),
    "country": _l("Country"),
    "region": _l("Region"),
    "state": _l("State"),
    "scope": _l("Scope"),
    "project_type": _l("Project type"),
    "category": _l("Category"),
    "methodology": _l("Methodology"),
    "developer": _l("Developer"),
    "listed_at": _l("Listed on"),
    "is_compliance": _l("Compliance project"),
    "status": _l("Status"),
}


@dataclass(frozen=True)
class ChangeRow:
    """What a list, a feed and an email show of one change."""

    id: int
    sync_run_id: int | None
    project_id: str | None
    project_name: str | None
    registry: str | None
    country: str | None
    project_type: str | None
    kind: str
    field: str | None
    old_value: str | None
    new_value: str | None
    vintage: int | None
    quantity: int | None
    beneficiary: str | None
    beneficiary_key: str | None
    as_of: object
    created_at: datetime

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def title(self) -> str:
        """The project and what happened, in one line: a feed entry's or an email line's title."""
        subject = self.project_id or self.registry or "CarbonScope"
        return f"{subject}: {self.summary}"

    @property
    def summary(self) -> str:
        return describe(self)


def _credits(quantity: int | None) -> str:
    amount = quantity or 0
    # ``num`` is the plural's own argument: the shown (grouped) number is ``count``.
    return ngettext(
        "%(count)s credit", "%(count)s credits", abs(amount), count=format_number(amount)
    )


def describe(change: ChangeRow) -> str:
    """One change in words, in the request's language: 'Retired 10 credits of vintage 2019
    for Acme Inc'."""
    credits = _credits(change.quantity)
    vintage = _(" of vintage %(vintage)s", vintage=change.vintage) if change.vintage else ""
    beneficiary = (
        _(" for %(beneficiary)s", beneficiary=change.beneficiary) if change.beneficiary else ""
    )
    field = str(FIELD_LABELS.get(change.field or "", change.field or ""))
    old, new = change.old_value or "—", change.new_value or "—"
    projects = format_number(change.quantity or 0)
    return {
        "added": lambda: _(
            "New in the catalogue: %(name)s", name=change.project_name or change.project_id
        ),
        "removed": lambda: _("No longer in the registry's list"),
        "status": lambda: _("Status %(old)s → %(new)s", old=old, new=new),
        "field": lambda: _("%(field)s %(old)s → %(new)s", field=field, old=old, new=new),
        "issuance": lambda: _("Issued %(credits)s%(vintage)s", credits=credits, vintage=vintage),
        "retirement": lambda: _(
            "Retired %(credits)s%(vintage)s%(beneficiary)s",
            credits=credits,
            vintage=vintage,
            beneficiary=beneficiary,
        ),
        "cancellation": lambda: _(
            "Cancelled %(credits)s%(vintage)s%(beneficiary)s",
            credits=credits,
            vintage=vintage,
            beneficiary=beneficiary,
        ),
        "label_gained": lambda: _("Gained the label %(label)s", label=change.new_value),
        "label_lost": lambda: _("Lost the label %(label)s", label=change.old_value),
        "first_load": lambda: (
            _(
                "Source %(source)s first loaded: fields of %(count)s projects",
                source=change.new_value,
                count=projects,
            )
            if change.new_value
            else _("First loaded: %(count)s projects", count=projects)
        ),
    }.get(change.kind, lambda: change.kind_label)()


ROW_COLUMNS = tuple(getattr(ProjectChange, name) for name in ChangeRow.__dataclass_fields__)


@dataclass(frozen=True)
class ChangePage:
    items: list[ChangeRow]
    next_before: int | None  # the ``before`` of the next, older page


@dataclass(frozen=True)
class ChangeOverview:
    """How many changes match (capped) and, per facet, (value, count) among the newest."""

    total: int  # capped at COUNT_LIMIT + 1: more means "COUNT_LIMIT+"
    counts: dict[str, list[tuple[str, int]]]

    @property
    def total_capped(self) -> bool:
        return self.total > COUNT_LIMIT


def _day_start(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def project_scope(projects: ProjectQuery):
    """Changes of the projects a catalogue search finds (as the projects are now)."""
    matching = select(Project.project_id).where(*filter_conditions(projects))
    return ProjectChange.project_id.in_(matching)


def change_conditions(query: ChangeQuery, exclude: str | None = None) -> list:
    """SQL conditions for every active filter (but ``exclude``, a facet name)."""
    conditions = []
    for facet in FACETS:
        values = query.facet_values(facet)
        if values and facet != exclude:
            conditions.append(in_values(getattr(ProjectChange, FACET_COLUMNS[facet]), values))
    if query.project:
        conditions.append(ProjectChange.project_id.in_(query.project))
    if query.beneficiary:
        conditions.append(ProjectChange.beneficiary_key.in_(query.beneficiary))
    if query.date_from is not None:
        conditions.append(ProjectChange.id >= _first_id_from(_day_start(query.date_from)))
    # The last day a date can name has no day after it: no upper bound then.
    if query.date_to is not None and query.date_to < date.max:
        end = _day_start(query.date_to + timedelta(days=1))
        conditions.append(ProjectChange.id <= _last_id_before(end))
    return conditions


def _first_id_from(moment: datetime):
    """The first change id at or after ``moment`` (past the newest when there is none)."""
    first = (
        select(ProjectChange.id)
        .where(ProjectChange.created_at >= moment)
        .order_by(ProjectChange.created_at, ProjectChange.id)
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(
        first, select(func.coalesce(func.max(ProjectChange.id), 0) + 1).scalar_subquery()
    )


def _last_id_before(moment: datetime):
    """The last change id before ``moment`` (0 when there is none)."""
    last = (
        select(ProjectChange.id)
        .where(ProjectChange.created_at < moment)
        .order_by(ProjectChange.created_at.desc(), ProjectChange.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(last, 0)


def search_condition(query: ChangeQuery, projects: ProjectQuery | None = None):
    """One condition for a whole search (what a followed search matches)."""
    conditions = change_conditions(query)
    if projects is not None:
        conditions.append(project_scope(projects))
    return and_(*conditions) if conditions else literal(True)


def _token(query: ChangeQuery, projects: ProjectQuery | None, *extra) -> str:
    scope = projects.cache_token(page=False) if projects is not None else "-"
    return ":".join([query.cache_token(), scope, *map(str, extra)])


def _page(query: ChangeQuery, projects: ProjectQuery | None, per_page: int) -> ChangePage:
    statement = select(*ROW_COLUMNS).where(search_condition(query, projects))
    if query.before is not None:
        statement = statement.where(ProjectChange.id < query.before)
    rows = db.session.execute(statement.order_by(ProjectChange.id.desc()).limit(per_page + 1)).all()
    items = [ChangeRow(*row) for row in rows[:per_page]]
    return ChangePage(items, items[-1].id if len(rows) > per_page else None)


def search_changes(
    query: ChangeQuery, projects: ProjectQuery | None = None, per_page: int | None = None
) -> ChangePage:
    """One page of matching changes, newest first.

    ``projects`` narrows to the changes of the projects a catalogue search finds."""
    per_page = per_page or PER_PAGE
    return cached(
        "changes-page", _token(query, projects, per_page), lambda: _page(query, projects, per_page)
    )


def _newest_values(query: ChangeQuery, exclude: str | None, limit: int) -> list[tuple]:
    """The facet columns of the newest ``limit`` changes matching (all filters but ``exclude``)."""
    columns = [getattr(ProjectChange, FACET_COLUMNS[facet]) for facet in FACETS]
    return db.session.execute(
        select(*columns)
        .where(*change_conditions(query, exclude=exclude))
        .order_by(ProjectChange.id.desc())
        .limit(limit)
    ).all()


def _counted(rows: list[tuple], facet: str) -> list[tuple[str, int]]:
    counts = Counter(row[FACETS.index(facet)] for row in rows)
    counts.pop(None, None)
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _overview(query: ChangeQuery) -> ChangeOverview:
    # One read of the newest matches gives the total and every facet whose own filter is
    # off; a facet with a filter on counts without it, in a read of its own.
    newest = _newest_values(query, None, COUNT_LIMIT + 1)
    counts = {}
    for facet in FACETS:
        rows = newest[:COUNT_LIMIT]
        if query.facet_values(facet):
            rows = _newest_values(query, facet, COUNT_LIMIT)
        counts[facet] = _counted(rows, facet)
    return ChangeOverview(len(newest), counts)


def change_overview(query: ChangeQuery) -> ChangeOverview:
    """The capped total and the facet counts of a /changes search (whatever its page)."""
    first = query.first_page()
    return cached("changes-overview", _token(first, None), lambda: _overview(first))


def changes_matching(condition, *, after: int = 0, limit: int = 100) -> list[ChangeRow]:
    """The newest changes (above id ``after``) matching a condition, newest first."""
    rows = db.session.execute(
        select(*ROW_COLUMNS)
        .where(condition, ProjectChange.id > after)
        .order_by(ProjectChange.id.desc())
        .limit(limit)
    ).all()
    return [ChangeRow(*row) for row in rows]


def changes_by_id(ids: list[int]) -> list[ChangeRow]:
    rows = db.session.execute(
        select(*ROW_COLUMNS).where(ProjectChange.id.in_(ids)).order_by(ProjectChange.id.desc())
    ).all()
    return [ChangeRow(*row) for row in rows]


def project_history(project_id: str, limit: int = 20) -> list[ChangeRow]:
    """A project's timeline, newest first (cached by data version)."""
    return cached(
        "changes-history",
        f"{project_id}:{limit}",
        lambda: changes_matching(ProjectChange.project_id == project_id, limit=limit),
    )


def latest_change_id() -> int:
    return db.session.execute(select(func.max(ProjectChange.id))).scalar() or 0


def any_of(conditions: list):
    return or_(*conditions) if conditions else literal(False)
