"""The market's figures, computed by aggregate SQL and cached per data version and filters.

Every credit figure is a ``sum(quantity)`` grouped in the database over
``credit_summary`` (the credit rows pre-grouped by each sync); only the grouped rows
(a few thousand at most) reach Python. Community projects are not part of the
market's statistics: they have no registry credits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import cache, db
from app.insights.filters import StatsFilters
from app.insights.label_stats import buffer_by_registry, market_by_label
from app.models import (
    COMMUNITY,
    REGISTRIES,
    STATUS_GROUPS,
    CreditSummary,
    Project,
    current_data_version,
)

TOP_COUNTRIES = 15
ISSUANCE = "issuance"
# Retired means taken off the market: retirements and cancellations, as VROD's
# "retired or cancelled" figures and the projects' own totals count them.
MARKET_KINDS = ("issuance", "retirement", "cancellation")
NOT_STATED = _l("Not stated")
RETIRED_KINDS = ("retirement", "cancellation")
UNKNOWN_REASON = "unknown"


def market_stats(filters: StatsFilters | None = None) -> dict:
    """The statistics page's figures for ``filters`` (JSON-ready; the API returns it as is)."""
    return _market_stats(current_data_version(), filters or StatsFilters())


@cache.memoize()
def _market_stats(data_version: int, filters: StatsFilters) -> dict:
    credit_rows = _credits_by_registry_year_vintage(filters)
    projects_rows = _projects_by_registry_and_status(filters)
    by_registry = _by_registry(
        projects_rows, credit_rows, use_project_totals=not filters.has_year_range
    )
    by_year = _by_year(credit_rows)
    return {
        "data_version": data_version,
        "filters": filters.as_dict(),
        "totals": _totals(by_registry),
        "by_registry": by_registry,
        "by_year": by_year,
        "top_countries": _top_countries(filters),
        "by_scope": _by_scope(filters),
        "projects_by_status": _projects_by_status(projects_rows),
        "retirement_ratio_by_vintage": _ratio_by_vintage(_vintage_rows(filters, credit_rows)),
        "retired_by_reason": _retired_by_reason(filters),
        "buffer_by_registry": buffer_by_registry(_project_conditions(filters)),
        "by_label": market_by_label(_project_conditions(filters), filters, by_year),
    }


# --- the SQL --------------------------------------------------------------------------


def _project_conditions(filters: StatsFilters) -> list:
    conditions = [Project.registry != COMMUNITY]
    if filters.registry:
        conditions.append(Project.registry.in_(filters.registry))
    if filters.scope:
        conditions.append(Project.scope.in_(filters.scope))
    if filters.country:
        conditions.append(Project.country.in_(filters.country))
    return conditions


def _credit_conditions(
    filters: StatsFilters, kinds: tuple[str, ...], year_column=CreditSummary.year
) -> list:
    """The filters on credit_summary; the year range applies to ``year_column``: the
    transaction year, or the vintage for the retirement ratio by vintage."""
    summary = CreditSummary
    conditions = [summary.kind.in_(kinds)]
    if filters.registry:
        conditions.append(summary.registry.in_(filters.registry))
    if filters.scope:
        conditions.append(summary.scope.in_(filters.scope))
    if filters.country:
        conditions.append(summary.country.in_(filters.country))
    if filters.year_from is not None:
        conditions.append(year_column >= filters.year_from)
    if filters.year_to is not None:
        conditions.append(year_column <= filters.year_to)
    return conditions


def _credits_by_registry_year_vintage(filters: StatsFilters) -> list:
    """(registry, year, vintage, kind, quantity): one scan feeds headline, years and vintages."""
    summary = CreditSummary
    groups = (summary.registry, summary.year, summary.vintage, summary.kind)
    statement = (
        select(*groups, func.sum(summary.quantity))
        .where(*_credit_conditions(filters, MARKET_KINDS))
        .group_by(*groups)
    )
    return db.session.execute(statement).all()


def _vintage_rows(filters: StatsFilters, credit_rows: list) -> list:
    """(vintage, kind, quantity), the year range read as vintages: a vintage's retirement
    ratio counts every issuance and retirement of it, whatever year they happened in."""
    if not filters.has_year_range:
        return [(vintage, kind, quantity) for _r, _y, vintage, kind, quantity in credit_rows]
    summary = CreditSummary
    groups = (summary.vintage, summary.kind)
    statement = (
        select(*groups, func.sum(summary.quantity))
        .where(*_credit_conditions(filters, MARKET_KINDS, summary.vintage))
        .group_by(*groups)
    )
    return db.session.execute(statement).all()


def _projects_by_registry_and_status(filters: StatsFilters) -> list:
    """(registry, status group, projects, their issued total, their retired total)."""
    statement = (
        select(
            Project.registry,
            Project.status_group,
            func.count(Project.id),
            func.coalesce(func.sum(Project.issued), 0),
            func.coalesce(func.sum(Project.retired), 0),
        )
        .where(*_project_conditions(filters))
        .group_by(Project.registry, Project.status_group)
    )
    return db.session.execute(statement).all()


def _top_countries(filters: StatsFilters) -> list[dict]:
    issued = func.sum(CreditSummary.quantity).label("issued")
    statement = (
        select(CreditSummary.country, issued)
        .where(*_credit_conditions(filters, (ISSUANCE,)))
        .group_by(CreditSummary.country)
        .order_by(issued.desc(), CreditSummary.country)
        .limit(TOP_COUNTRIES)
    )
    return [
        {"country": country, "issued": int(total or 0)}
        for country, total in db.session.execute(statement)
    ]


def _by_scope(filters: StatsFilters) -> list[dict]:
    statement = (
        select(CreditSummary.scope, CreditSummary.kind, func.sum(CreditSummary.quantity))
        .where(*_credit_conditions(filters, MARKET_KINDS))
        .group_by(CreditSummary.scope, CreditSummary.kind)
    )
    totals: dict[str | None, dict[str, int]] = defaultdict(lambda: {"issued": 0, "retired": 0})
    for scope, kind, quantity in db.session.execute(statement):
        totals[scope][_measure(kind)] += int(quantity or 0)
    rows = [{"scope": scope, **figures} for scope, figures in totals.items()]
    return sorted(rows, key=lambda row: (-row["issued"], row["scope"] or ""))


def _retired_by_reason(filters: StatsFilters) -> list[dict]:
    """Credits retired (retirements and cancellations) per reason category, largest first."""
    retired = func.sum(CreditSummary.quantity).label("retired")
    category = func.coalesce(CreditSummary.reason_category, UNKNOWN_REASON)
    statement = (
        select(category, retired)
        .where(*_credit_conditions(filters, RETIRED_KINDS))
        .group_by(category)
        .order_by(retired.desc(), category)
    )
    return [
        {"reason_category": name, "retired": int(total or 0)}
        for name, total in db.session.execute(statement)
    ]


# --- folding the grouped rows --------------------------------------------------------


def _measure(kind: str) -> str:
    return "issued" if kind == ISSUANCE else "retired"


def _registry_order(registry: str) -> tuple[int, str]:
    return (REGISTRIES.index(registry) if registry in REGISTRIES else len(REGISTRIES), registry)


def _by_registry(
    projects_rows: list, credit_rows: list, *, use_project_totals: bool = True
) -> list[dict]:
    """Per registry: projects, credits issued, retired and remaining, and what the credit
    records add up to (``records_issued``, ``records_retired``).

    The headline figures are the projects' own totals, as the catalogue, the project pages
    and the sources publish them; a year range can only be read from the credit records, so
    with one the figures are the records'. Where the two differ, pages show both.
    """
    empty = {"projects": 0, "issued": 0, "retired": 0, "records_issued": 0, "records_retired": 0}
    figures: dict[str, dict] = defaultdict(lambda: dict(empty))
    for registry, _status_group, count, issued, retired in projects_rows:
        figures[registry]["projects"] += count
        figures[registry]["issued"] += int(issued or 0)
        figures[registry]["retired"] += int(retired or 0)
    for registry, _year, _vintage, kind, quantity in credit_rows:
        figures[registry][f"records_{_measure(kind)}"] += int(quantity or 0)
    if not use_project_totals:
        for values in figures.values():
            values["issued"] = values["records_issued"]
            values["retired"] = values["records_retired"]
    return [
        {
            "registry": registry,
            **values,
            "remaining": values["issued"] - values["retired"],
        }
        for registry, values in sorted(figures.items(), key=lambda item: _registry_order(item[0]))
    ]


TOTAL_FIGURES = ("projects", "issued", "retired", "remaining", "records_issued", "records_retired")


def _totals(by_registry: list[dict]) -> dict:
    return {name: sum(row[name] for row in by_registry) for name in TOTAL_FIGURES}


def _by_year(credit_rows: list) -> list[dict]:
    """Issued and retired per (year, registry), years ascending; rows without a year left out."""
    figures: dict[tuple[int, str], dict] = defaultdict(lambda: {"issued": 0, "retired": 0})
    for registry, year, _vintage, kind, quantity in credit_rows:
        if year is not None:
            figures[(year, registry)][_measure(kind)] += int(quantity or 0)
    ordered = sorted(figures.items(), key=lambda item: (item[0][0], _registry_order(item[0][1])))
    return [{"year": year, "registry": registry, **values} for (year, registry), values in ordered]


def _ratio_by_vintage(vintage_rows: list) -> list[dict]:
    """Retired ÷ issued per vintage (None where nothing was issued)."""
    figures: dict[int, dict] = defaultdict(lambda: {"issued": 0, "retired": 0})
    for vintage, kind, quantity in vintage_rows:
        if vintage is not None:
            figures[vintage][_measure(kind)] += int(quantity or 0)
    return [
        {
            "vintage": vintage,
            **values,
            "ratio": round(values["retired"] / values["issued"], 4)
            if values["issued"] > 0
            else None,
        }
        for vintage, values in sorted(figures.items())
    ]


def _projects_by_status(projects_rows: list) -> list[dict]:
    counts: dict[str, int] = defaultdict(int)
    for _registry, status_group, count, _issued, _retired in projects_rows:
        counts[status_group or "unknown"] += count

    def order(group: str) -> tuple[int, str]:
        return (STATUS_GROUPS.index(group) if group in STATUS_GROUPS else len(STATUS_GROUPS), group)

    return [
        {"status_group": group, "projects": counts[group]} for group in sorted(counts, key=order)
    ]


def issuance_by_country(filters: StatsFilters) -> list[tuple[str, int]]:
    """(country, credits issued) for the map: every filter but the country's own, so the
    map shows the whole world with the chosen countries outlined."""
    return _issuance_by_country(current_data_version(), replace(filters, country=()))


@cache.memoize()
def _issuance_by_country(data_version: int, filters: StatsFilters) -> list[tuple[str, int]]:
    issued = func.sum(CreditSummary.quantity)
    statement = (
        select(CreditSummary.country, issued)
        .where(*_credit_conditions(filters, (ISSUANCE,)), CreditSummary.country.is_not(None))
        .group_by(CreditSummary.country)
    )
    return [(country, int(total or 0)) for country, total in db.session.execute(statement)]


@cache.memoize()
def _filter_choices(data_version: int) -> dict:
    market = Project.registry != COMMUNITY
    scopes = db.session.scalars(
        select(Project.scope).where(market, Project.scope.is_not(None)).distinct()
    ).all()
    countries = db.session.scalars(
        select(Project.country).where(market, Project.country.is_not(None)).distinct()
    ).all()
    first, last = db.session.execute(
        select(func.min(CreditSummary.year), func.max(CreditSummary.year))
    ).one()
    return {
        "registries": list(REGISTRIES),
        "scopes": sorted(scopes),
        "countries": sorted(countries),
        "first_year": first,
        "last_year": last,
    }


def filter_choices() -> dict:
    """What the filter form offers: the registries, scopes and countries present, the years."""
    return _filter_choices(current_data_version())
