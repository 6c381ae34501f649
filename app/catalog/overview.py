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


def _by_year(query: ProjectQuery) -> list[tuple[int, int, int]]:
    rows = db.session.execute(by_year_statement(query))
    return [(year, int(i or 0), int(r or 0)) for year, i, r in rows]


def by_country_statement(query: ProjectQuery):
    """Projects, credits issued and retired per country: every filter but the country's own
    (what the map shows), from which the totals of the search itself also follow."""
    return (
        select(
            Project.country,
            Project.country_code,
            func.count(),
            func.coalesce(func.sum(Project.issued), 0),
            func.coalesce(func.sum(Project.retired), 0),
        )
        .where(*filter_conditions(query, exclude="country"))
        .group_by(Project.country, Project.country_code)
    )


CountryRow = tuple[str | None, str | None, int, int, int]


def _country_rows(query: ProjectQuery) -> list[CountryRow]:
    def compute() -> list[CountryRow]:
        rows = db.session.execute(by_country_statement(query))
        return [(name, code, int(n), int(i), int(r)) for name, code, n, i, r in rows]

    return cached("countries", query.filters_token(), compute)


def country_figures(query: ProjectQuery) -> list[tuple[str, str | None, int, int]]:
    """(country, ISO code, projects, credits issued) for the map: every filter but the
    country's own, like the facet counts, so the map shows where else to look."""
    return [(name, code, n, i) for name, code, n, i, _r in _country_rows(query) if name]


def _overview(query: ProjectQuery) -> Overview:
    chosen = set(query.country)
    matching = [row for row in _country_rows(query) if not chosen or row[0] in chosen]
    projects = sum(row[2] for row in matching)
    rows = _by_year(query) if projects else []
    return Overview(
        projects,
        sum(row[3] for row in matching),
        sum(row[4] for row in matching),
        tuple(year for year, _i, _r in rows),
        tuple(i for _y, i, _r in rows),
        tuple(r for _y, _i, r in rows),
    )


def search_overview(query: ProjectQuery) -> Overview:
    """Totals and credits by year of every project the search matches (all pages)."""
    return cached("overview", query.filters_token(), lambda: _overview(query))
