"""The overview above the results: the filtered set's totals and its credits by year.

Both come from aggregate SQL over exactly the search's filters, and are cached like the
results (by data version and the normalised query, the page left out).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.catalog.query import ProjectQuery
from app.catalog.search import cached, filter_conditions
from app.extensions import db
from app.models import Project, ProjectYearTotal


@dataclass(frozen=True)
class Overview:
    projects: int
    issued: int
    retired: int
    years: tuple[int, ...]
    issued_by_year: tuple[int, ...]
    retired_by_year: tuple[int, ...]

    @property
    def remaining(self) -> int:
        return self.issued - self.retired

    @property
    def retired_share(self) -> float | None:
        return self.retired / self.issued if self.issued > 0 else None


def totals_statement(query: ProjectQuery):
    return select(
        func.count(), func.coalesce(func.sum(Project.issued), 0), func.sum(Project.retired)
    ).where(*filter_conditions(query))


def by_year_statement(query: ProjectQuery):
    conditions = filter_conditions(query)
    statement = select(
        ProjectYearTotal.year, func.sum(ProjectYearTotal.issued), func.sum(ProjectYearTotal.retired)
    )
    if conditions:
        statement = statement.join(Project, Project.id == ProjectYearTotal.project_id).where(
            *conditions
        )
    return statement.group_by(ProjectYearTotal.year).order_by(ProjectYearTotal.year)


def _totals(query: ProjectQuery) -> tuple[int, int, int]:
    count, issued, retired = db.session.execute(totals_statement(query)).one()
    return int(count), int(issued or 0), int(retired or 0)


def _by_year(query: ProjectQuery) -> list[tuple[int, int, int]]:
    rows = db.session.execute(by_year_statement(query))
    return [(year, int(i or 0), int(r or 0)) for year, i, r in rows]


def _overview(query: ProjectQuery) -> Overview:
    projects, issued, retired = _totals(query)
    rows = _by_year(query) if projects else []
    return Overview(
        projects,
        issued,
        retired,
        tuple(year for year, _i, _r in rows),
        tuple(i for _y, i, _r in rows),
        tuple(r for _y, _i, r in rows),
    )


def by_country_statement(query: ProjectQuery):
    return (
        select(
            Project.country,
            Project.country_code,
            func.count(),
            func.coalesce(func.sum(Project.issued), 0),
        )
        .where(*filter_conditions(query, exclude="country"), Project.country.is_not(None))
        .group_by(Project.country, Project.country_code)
    )


def _by_country(query: ProjectQuery) -> list[tuple[str, str | None, int, int]]:
    rows = db.session.execute(by_country_statement(query))
    return [(name, code, int(n), int(i)) for name, code, n, i in rows]


def country_figures(query: ProjectQuery) -> list[tuple[str, str | None, int, int]]:
    """(country, ISO code, projects, credits issued) for the map: every filter but the
    country's own, like the facet counts, so the map shows where else to look."""
    return cached("countries", query.cache_token(page=False), lambda: _by_country(query))


def search_overview(query: ProjectQuery) -> Overview:
    """Totals and credits by year of every project the search matches (all pages)."""
    return cached("overview", query.cache_token(page=False), lambda: _overview(query))
