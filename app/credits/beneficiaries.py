"""Who retired what: the largest retirers, and one beneficiary's retirements broken down.

A beneficiary is a harmonised key (``credit.beneficiary_key``, see app/etl/beneficiaries.py);
its display name is the raw text most of its records carry, and every raw spelling is shown
beside it. "Retired" counts retirements and cancellations, as the rest of the site does.
Everything is aggregate SQL on the ``beneficiary_key`` index, cached by data version.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from sqlalchemy import func, select

from app.catalog.search import _like_pattern, cached
from app.etl.beneficiaries import display_rank, fold
from app.etl.reasons import REASON_LABELS
from app.extensions import db
from app.models import Credit, Project

RETIRED_KINDS = ("retirement", "cancellation")
PER_PAGE = 50
MAX_PAGE = 200
RAW_NAMES_SHOWN = 20


@dataclass(frozen=True)
class BeneficiaryRow:
    key: str
    name: str
    quantity: int
    records: int
    projects: int
    first_year: int | None
    last_year: int | None


@dataclass(frozen=True)
class BeneficiaryPage:
    items: list[BeneficiaryRow]
    total: int
    page: int
    pages: int
    per_page: int


@dataclass(frozen=True)
class Breakdown:
    """One way to split a beneficiary's retirements: (label, quantity, records) rows."""

    rows: list[tuple[str, int, int]]


@dataclass(frozen=True)
class ProjectShare:
    project_id: str
    name: str | None
    registry: str
    project_type: str | None
    country: str | None
    quantity: int
    records: int


@dataclass(frozen=True)
class BeneficiaryProfile:
    key: str
    name: str
    quantity: int
    records: int
    by_year: list[tuple[int, int]]
    projects: list[ProjectShare]
    by_type: list[tuple[str, int, int]]
    by_registry: list[tuple[str, int, int]]
    by_reason: list[tuple[str, int, int]]
    raw_names: list[tuple[str, int]]


def _digest(text: str) -> str:
    """A cache-key-safe token of free text (Memcached keys hold no spaces, at most 250 bytes)."""
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def _retired(*conditions):
    return [Credit.kind.in_(RETIRED_KINDS), Credit.beneficiary_key.is_not(None), *conditions]


def search_conditions(q: str) -> list:
    """Each word of ``q`` (folded as keys are) must appear in the beneficiary's key."""
    words = fold(q).replace("-", " ").split()
    return [Credit.beneficiary_key.like(_like_pattern(word), escape="\\") for word in words]


def display_names(keys: list[str]) -> dict[str, str]:
    """Each key's most frequent raw text (ties: the alphabetically first)."""
    if not keys:
        return {}
    rows = db.session.execute(
        select(Credit.beneficiary_key, Credit.beneficiary, func.count())
        .where(Credit.beneficiary_key.in_(keys))
        .group_by(Credit.beneficiary_key, Credit.beneficiary)
    ).all()
    best: dict[str, tuple] = {}
    for key, raw, count in rows:
        candidate = display_rank(raw, count)
        if key not in best or candidate < best[key]:
            best[key] = candidate
    return {key: best[key][-1] if key in best else key for key in keys}


def _totals_by_key(conditions: list, page: int, per_page: int) -> BeneficiaryPage:
    quantity = func.sum(Credit.quantity).label("quantity")
    grouped = (
        select(
            Credit.beneficiary_key,
            quantity,
            func.count().label("records"),
            func.count(func.distinct(Credit.project_id)),
            func.min(Credit.year),
            func.max(Credit.year),
        )
        .where(*_retired(*conditions))
        .group_by(Credit.beneficiary_key)
    )
    total = db.session.execute(select(func.count()).select_from(grouped.subquery())).scalar_one()
    pages = max(1, math.ceil(total / per_page))
    page = min(page, pages)
    rows = db.session.execute(
        grouped.order_by(quantity.desc(), Credit.beneficiary_key)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    names = display_names([row[0] for row in rows])
    items = [
        BeneficiaryRow(key, names[key], int(qty or 0), records, projects, first, last)
        for key, qty, records, projects, first, last in rows
    ]
    return BeneficiaryPage(items, total, page, pages, per_page)


def largest_retirers(q: str = "", page: int = 1, per_page: int = PER_PAGE) -> BeneficiaryPage:
    """Beneficiaries by credits retired, largest first; ``q`` narrows by name (cached)."""
    token = f"{_digest(fold(q))}:{page}:{per_page}"
    return cached(
        "beneficiaries",
        token,
        lambda: _totals_by_key(search_conditions(q), page, per_page),
    )


def _grouped(key: str, column, *, join: bool = False) -> list[tuple]:
    quantity = func.sum(Credit.quantity)
    statement = select(column, quantity, func.count()).select_from(Credit)
    if join:
        statement = statement.join(Project, Project.id == Credit.project_id)
    statement = (
        statement.where(*_retired(Credit.beneficiary_key == key))
        .group_by(column)
        .order_by(quantity.desc())
    )
    return [(label, int(qty or 0), count) for label, qty, count in db.session.execute(statement)]


def _projects(key: str) -> list[ProjectShare]:
    quantity = func.sum(Credit.quantity)
    columns = (
        Project.project_id,
        Project.name,
        Project.registry,
        Project.project_type,
        Project.country,
    )
    rows = db.session.execute(
        select(*columns, quantity, func.count())
        .join(Project, Project.id == Credit.project_id)
        .where(*_retired(Credit.beneficiary_key == key))
        .group_by(Project.id, *columns)
        .order_by(quantity.desc(), Project.project_id)
    ).all()
    return [ProjectShare(*row[:5], int(row[5] or 0), row[6]) for row in rows]


def _raw_names(key: str) -> list[tuple[str, int]]:
    count = func.count()
    rows = db.session.execute(
        select(Credit.beneficiary, count)
        .where(Credit.beneficiary_key == key)
        .group_by(Credit.beneficiary)
        .order_by(count.desc(), Credit.beneficiary)
        .limit(RAW_NAMES_SHOWN)
    ).all()
    return sorted(((raw, n) for raw, n in rows), key=lambda item: display_rank(*item))


def _profile(key: str) -> BeneficiaryProfile | None:
    by_year = _grouped(key, Credit.year)
    if not by_year:
        return None
    years = sorted((year, qty) for year, qty, _n in by_year if year is not None)
    by_reason = [
        (REASON_LABELS.get(category or "unknown", category), qty, n)
        for category, qty, n in _grouped(key, Credit.reason_category)
    ]
    raw_names = _raw_names(key)
    return BeneficiaryProfile(
        key=key,
        name=raw_names[0][0] if raw_names else key,
        quantity=sum(qty for _y, qty, _n in by_year),
        records=sum(n for _y, _q, n in by_year),
        by_year=years,
        projects=_projects(key),
        by_type=_grouped(key, Project.project_type, join=True),
        by_registry=_grouped(key, Project.registry, join=True),
        by_reason=by_reason,
        raw_names=raw_names,
    )


def beneficiary_profile(key: str) -> BeneficiaryProfile | None:
    """One beneficiary's retirements by year, project, project type, registry and reason;
    None when no retirement carries this key."""
    return cached("beneficiary", _digest(key), lambda: _profile(key))
