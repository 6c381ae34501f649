"""The market split by quality label (CCP-labelled or not, CORSIA-eligible or not) and the
buffer pools by registry: figures for /stats, by aggregate SQL, with the stats' filters."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from app.etl.labels import KIND_LABELS
from app.extensions import db
from app.insights.filters import StatsFilters
from app.models import Credit, Label, Project

# The labels /stats splits the market by.
SPLIT_KINDS = ("ccp", "corsia")
BUFFER_FIGURES = (
    "buffer_deposits",
    "reversals_covered",
    "reversals_not_covered",
    "buffer_released",
)
RETIRED_KINDS = ("retirement", "cancellation")


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def buffer_by_registry(conditions: list) -> list[dict]:
    """Per registry: buffer deposits, reversals covered and not, credits released, issued,
    and the deposits' share of issuance (over projects that report deposits)."""
    sums = [func.coalesce(func.sum(getattr(Project, name)), 0) for name in BUFFER_FIGURES]
    reporting = Project.buffer_deposits.is_not(None)
    statement = (
        select(
            Project.registry,
            *sums,
            func.coalesce(func.sum(Project.issued).filter(reporting), 0),
        )
        .where(*conditions)
        .group_by(Project.registry)
        .order_by(Project.registry)
    )
    rows = []
    for registry, *figures, issued_reporting in db.session.execute(statement):
        values = dict(zip(BUFFER_FIGURES, (int(v) for v in figures), strict=True))
        if not any(values.values()):
            continue
        share = _share(values["buffer_deposits"], int(issued_reporting))
        rows.append({"registry": registry, **values, "buffer_share_of_issued": share})
    return rows


def _labelled(kind: str):
    return Project.id.in_(select(Label.project_id).where(Label.kind == kind))


def _split_totals(conditions: list) -> dict[str, dict]:
    """Per split kind: its labelled projects' totals, the others', and the shares (one scan)."""
    columns = [func.count(), func.sum(Project.issued), func.sum(Project.retired)]
    for kind in SPLIT_KINDS:
        labelled = _labelled(kind)
        columns += [
            func.count().filter(labelled),
            func.sum(Project.issued).filter(labelled),
            func.sum(Project.retired).filter(labelled),
        ]
    values = [
        int(value or 0) for value in db.session.execute(select(*columns).where(*conditions)).one()
    ]
    market, splits = values[:3], {}
    for index, kind in enumerate(SPLIT_KINDS):
        projects, issued, retired = values[3 + 3 * index : 6 + 3 * index]
        splits[kind] = {
            "labelled": {"projects": projects, "issued": issued, "retired": retired},
            "other": {
                "projects": market[0] - projects,
                "issued": market[1] - issued,
                "retired": market[2] - retired,
            },
            "share_of_projects": _share(projects, market[0]),
            "share_of_issued": _share(issued, market[1]),
            "share_of_retired": _share(retired, market[2]),
        }
    return splits


def _labelled_by_year(conditions: list, filters: StatsFilters) -> dict[str, dict[int, list[int]]]:
    """Per split kind and year: [issued, retired] by its labelled projects. Reads the credit
    rows of labelled projects only (a few hundred projects, by ix_credit_project_year)."""
    issuance = Credit.kind == "issuance"
    credit_conditions = [Credit.kind.in_(("issuance", *RETIRED_KINDS)), Credit.year.is_not(None)]
    if filters.year_from is not None:
        credit_conditions.append(Credit.year >= filters.year_from)
    if filters.year_to is not None:
        credit_conditions.append(Credit.year <= filters.year_to)
    labelled = select(Label.kind, Label.project_id).where(Label.kind.in_(SPLIT_KINDS)).distinct()
    labelled = labelled.subquery()
    statement = (
        select(labelled.c.kind, Credit.year, issuance, func.sum(Credit.quantity))
        .join(Credit, Credit.project_id == labelled.c.project_id)
        .join(Project, Project.id == Credit.project_id)
        .where(*conditions, *credit_conditions)
        .group_by(labelled.c.kind, Credit.year, issuance)
    )
    found: dict[str, dict[int, list[int]]] = {
        kind: defaultdict(lambda: [0, 0]) for kind in SPLIT_KINDS
    }
    for kind, year, is_issuance, quantity in db.session.execute(statement):
        found[kind][year][0 if is_issuance else 1] += int(quantity or 0)
    return found


def _split_by_year(market_by_year: list[dict], labelled: dict[int, list[int]]) -> list[dict]:
    """Each year's labelled figures and the rest of the market's (the market's by_year less
    the labelled)."""
    market: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in market_by_year:
        market[row["year"]][0] += row["issued"]
        market[row["year"]][1] += row["retired"]
    rows = []
    for year in sorted(set(market) | set(labelled)):
        issued, retired = labelled.get(year, (0, 0))
        rows.append(
            {
                "year": year,
                "labelled_issued": issued,
                "labelled_retired": retired,
                "other_issued": market[year][0] - issued,
                "other_retired": market[year][1] - retired,
            }
        )
    return rows


def market_by_label(conditions: list, filters: StatsFilters, market_by_year: list[dict]) -> list:
    """For each split label: the labelled projects' totals, the others', their market share
    and the split per year (``market_by_year``: /stats' credits per year and registry)."""
    totals = _split_totals(conditions)
    labelled_years = _labelled_by_year(conditions, filters)
    splits = []
    for kind in SPLIT_KINDS:
        by_year = _split_by_year(market_by_year, labelled_years[kind])
        if filters.has_year_range:  # as the rest of /stats: the credit records of those years
            _totals_from_years(totals[kind], by_year)
        splits.append(
            {"kind": kind, "label": KIND_LABELS[kind], **totals[kind], "by_year": by_year}
        )
    return splits


def _totals_from_years(totals: dict, by_year: list[dict]) -> None:
    for measure in ("issued", "retired"):
        for side in ("labelled", "other"):
            totals[side][measure] = sum(row[f"{side}_{measure}"] for row in by_year)
        whole = totals["labelled"][measure] + totals["other"][measure]
        totals[f"share_of_{measure}"] = _share(totals["labelled"][measure], whole)
