"""One project's page: the project, where each field came from, its credits by year and records."""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import func, select

from app.catalog.search import cache_key
from app.extensions import cache, db
from app.models import Credit, Project

CREDITS_PER_PAGE = 25
SOURCE_LABELS = {
    "offsetsdb": "OffsetsDB",
    "vrod": "VROD",
    "both": "OffsetsDB + VROD",
    "community": "Community",
}
# (field, label) in the order a project page lists them.
DETAIL_FIELDS = (
    ("project_id", "Project ID"),
    ("name", "Name"),
    ("registry", "Registry"),
    ("status", "Status"),
    ("country", "Country"),
    ("region", "Region"),
    ("state", "State / province"),
    ("scope", "Scope"),
    ("project_type", "Project type"),
    ("category", "Category"),
    ("methodology", "Methodology"),
    ("developer", "Developer"),
    ("listed_at", "Listed"),
    ("is_compliance", "Compliance (ARB / WA)"),
    ("first_vintage", "First vintage"),
    ("last_vintage", "Last vintage"),
    ("stage", "Stage"),
    ("registered_project_id", "Registry id"),
    ("expected_annual_credits", "Expected credits a year"),
    ("expected_first_vintage", "Expected first vintage"),
)
# Whole numbers shown as they are; every other number gets thousands separators.
YEAR_FIELDS = frozenset({"first_vintage", "last_vintage", "expected_first_vintage"})


@dataclass(frozen=True)
class DetailField:
    name: str
    label: str
    value: object
    source: str | None


@dataclass(frozen=True)
class YearlyCredits:
    years: list[int]
    issued: list[int]
    retired: list[int]


@dataclass(frozen=True)
class CreditPage:
    items: list[Credit]
    total: int
    page: int
    pages: int


def get_project(project_id: str) -> Project | None:
    """The project with this canonical id ('VCS191'); 'vcs191' finds it too."""
    if "\x00" in project_id:  # no id holds one, and PostgreSQL refuses it in a query
        return None
    found = db.session.execute(select(Project).where(Project.project_id == project_id)).scalar()
    if found is None and project_id != project_id.upper():
        found = db.session.execute(
            select(Project).where(Project.project_id == project_id.upper())
        ).scalar()
    return found


def source_label(source: str | None) -> str | None:
    return SOURCE_LABELS.get(source, source) if source else None


def detail_fields(project: Project) -> list[DetailField]:
    """The filled fields, each with its source (from provenance, else the project's own)."""
    provenance = project.provenance or {}
    shown = []
    for name, label in DETAIL_FIELDS:
        value = getattr(project, name)
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            value = "Yes" if value else "No"
        elif isinstance(value, int) and name not in YEAR_FIELDS:
            value = f"{value:,}"
        if name == "stage" and str(value).lower() == str(project.status or "").lower():
            continue  # a community project's status says its stage already
        source = provenance.get(name) or project.source
        shown.append(DetailField(name, label, value, source_label(source)))
    return shown


def safe_url(url: str | None) -> str | None:
    """The URL when it is http(s) with a host; None for anything else (javascript:, data:...)."""
    if not url:
        return None
    url = url.strip()
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def _yearly_credits(project_pk: int) -> YearlyCredits:
    rows = db.session.execute(
        select(Credit.year, Credit.kind, func.sum(Credit.quantity))
        .where(
            Credit.project_id == project_pk,
            Credit.year.is_not(None),
            Credit.kind.in_(("issuance", "retirement")),
        )
        .group_by(Credit.year, Credit.kind)
    ).all()
    if not rows:
        return YearlyCredits([], [], [])
    years = list(range(min(r[0] for r in rows), max(r[0] for r in rows) + 1))
    issued = dict.fromkeys(years, 0)
    retired = dict.fromkeys(years, 0)
    for year, kind, total in rows:
        (issued if kind == "issuance" else retired)[year] = int(total or 0)
    return YearlyCredits(years, [issued[y] for y in years], [retired[y] for y in years])


def yearly_credits(project: Project) -> YearlyCredits:
    """Credits issued and retired per year (every year from the first to the last), cached."""
    key = cache_key("yearly", str(project.id))
    value = cache.get(key)
    if value is None:
        value = _yearly_credits(project.id)
        cache.set(key, value)
    return value


def credit_page(project: Project, page: int, per_page: int = CREDITS_PER_PAGE) -> CreditPage:
    """One page of the project's credit records, newest year first; a page past the end clamps."""
    total = db.session.execute(
        select(func.count()).select_from(Credit).where(Credit.project_id == project.id)
    ).scalar_one()
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    items = (
        db.session.execute(
            select(Credit)
            .where(Credit.project_id == project.id)
            .order_by(
                Credit.year.desc().nulls_last(),
                Credit.transaction_date.desc().nulls_last(),
                Credit.id.desc(),
            )
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
        .scalars()
        .all()
    )
    return CreditPage(items, total, page, pages)
