"""Projects whose totals differ from what their credit records add up to, and why.

The Data page lists them, largest difference first, so anyone can see where the market's
headline figures (the projects' own totals) and the credit records part ways.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, literal, or_, select

from app.extensions import cache, db
from app.models import COMMUNITY, Credit, Project, current_data_version

PER_PAGE = 50
RETIRED_KINDS = ("retirement", "cancellation")
SOURCE_NAMES = {"offsetsdb": "OffsetsDB", "vrod": "VROD", "both": _l("OffsetsDB and VROD")}
# The project.flags key where the ETL records why a project's totals and records differ.
REASON_FLAG = "totals_reason"


@dataclass(frozen=True)
class TotalsDifference:
    project_id: str
    name: str | None
    issued: int
    records_issued: int
    retired: int
    records_retired: int
    reason: str

    @property
    def size(self) -> int:
        return abs(self.issued - self.records_issued) + abs(self.retired - self.records_retired)


@dataclass(frozen=True)
class DifferencesPage:
    items: list[TotalsDifference]
    total: int
    page: int
    pages: int
    message: str | None = None


def _record_totals():
    """Per project: credits issued and retired in its records, and the records' sources."""
    issued = func.sum(case((Credit.kind == "issuance", Credit.quantity), else_=0))
    retired = func.sum(case((Credit.kind.in_(RETIRED_KINDS), Credit.quantity), else_=0))
    return (
        select(
            Credit.project_id.label("project_pk"),
            issued.label("issued"),
            retired.label("retired"),
            func.min(Credit.source).label("first_source"),
            func.max(Credit.source).label("last_source"),
        )
        .group_by(Credit.project_id)
        .subquery()
    )


def _statements():
    records = _record_totals()
    records_issued = func.coalesce(records.c.issued, 0)
    records_retired = func.coalesce(records.c.retired, 0)
    differs = or_(Project.issued != records_issued, Project.retired != records_retired)
    size = func.abs(Project.issued - records_issued) + func.abs(Project.retired - records_retired)
    conditions = (Project.registry != COMMUNITY, differs)
    joined = Project.__table__.outerjoin(records, records.c.project_pk == Project.id)
    rows = (
        select(
            Project.project_id,
            Project.name,
            Project.issued,
            records_issued.label("records_issued"),
            Project.retired,
            records_retired.label("records_retired"),
            Project.provenance,
            Project.flags,
            records.c.first_source,
            records.c.last_source,
            records.c.project_pk.is_(None).label("no_records"),
        )
        .select_from(joined)
        .where(*conditions)
        .order_by(size.desc(), Project.project_id)
    )
    count = select(func.count(literal(1))).select_from(joined).where(*conditions)
    return rows, count


def difference_reason(
    issued: int,
    records_issued: int,
    provenance: dict | None,
    flags: dict | None,
    record_sources: tuple[str | None, str | None],
) -> str:
    """Why a project's totals and its records differ, in a sentence."""
    if (flags or {}).get(REASON_FLAG):
        return str(flags[REASON_FLAG])
    first, last = record_sources
    if first is None:
        return _l("The source gives totals but no credit records for this project.")
    totals_source = (provenance or {}).get("issued")
    records_source = first if first == last else None
    if totals_source and records_source and totals_source != records_source:
        return _l(
            "Totals from %(totals)s, credit records from %(records)s.",
            totals=SOURCE_NAMES.get(totals_source, totals_source),
            records=SOURCE_NAMES.get(records_source, records_source),
        )
    if records_issued < issued:
        return _l(
            "The credit records cover only part of the total (records missing at the source)."
        )
    if records_issued > issued:
        return _l("The credit records add up to more than the source's total.")
    return _l("Retirements in the credit records differ from the source's retired total.")


@cache.memoize()
def _differences(data_version: int, page: int, per_page: int) -> DifferencesPage:
    rows_statement, count_statement = _statements()
    total = db.session.execute(count_statement).scalar_one()
    pages = max(1, math.ceil(total / per_page))
    message = None
    if page > pages:
        message = _l(
            "Page %(page)s is past the end: showing page %(pages)s of %(pages)s.",
            page=page,
            pages=pages,
        )
        page = pages
    rows = db.session.execute(rows_statement.limit(per_page).offset((page - 1) * per_page))
    items = [
        TotalsDifference(
            project_id=row.project_id,
            name=row.name,
            issued=int(row.issued or 0),
            records_issued=int(row.records_issued or 0),
            retired=int(row.retired or 0),
            records_retired=int(row.records_retired or 0),
            reason=difference_reason(
                int(row.issued or 0),
                int(row.records_issued or 0),
                row.provenance,
                row.flags,
                (row.first_source, row.last_source),
            ),
        )
        for row in rows
    ]
    return DifferencesPage(items, total, page, pages, message)


def totals_differences(page: int = 1, per_page: int = PER_PAGE) -> DifferencesPage:
    """One page of the projects whose totals differ from their records, largest first."""
    return _differences(current_data_version(), page, per_page)
