"""Who retired what: the largest retirers, and one beneficiary's retirements broken down.

A beneficiary is a harmonised key (``credit.beneficiary_key``, see app/etl/beneficiaries.py);
its display name is the raw text most of its records carry, and its raw spellings are shown
beside it. "Retired" counts retirements and cancellations, as the rest of the site does.
The list and each page's heading read ``beneficiary_summary`` (rebuilt by every load); a
page's breakdowns are one statement on the ``beneficiary_key`` index; all cached by data
version.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from sqlalchemy import String, cast, func, literal, select, union_all

from app.catalog.search import _like_pattern, cached
from app.credits.labels import LABEL_VALUE_NAMES, label_masks, per_label
from app.etl.beneficiaries import fold
from app.etl.reasons import REASON_LABELS
from app.extensions import db
from app.models import RETIRED_KINDS, BeneficiarySummary, Credit, Project

PER_PAGE = 50
MAX_PAGE = 200
# A big retirer draws on thousands of projects: its page lists the largest (CSV has all).
PROJECTS_SHOWN = 100


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
    # The PROJECTS_SHOWN largest of its ``project_count`` projects.
    projects: list[ProjectShare]
    project_count: int
    by_type: list[tuple[str, int, int]]
    by_registry: list[tuple[str, int, int]]
    by_reason: list[tuple[str, int, int]]
    raw_names: list[tuple[str, int]]
    # (label facet value, quantity, records): retirements carrying each label (a record may
    # carry several, so the rows can sum to more than the total).
    by_label: list[tuple[str, int, int]]

    @property
    def by_label_named(self) -> list[tuple[str, str, int, int]]:
        """``by_label`` as (value, name in the request's language, quantity, records)."""
        return [(v, str(LABEL_VALUE_NAMES[v]), qty, n) for v, qty, n in self.by_label]


def _digest(text: str) -> str:
    """A cache-key-safe token of free text (Memcached keys hold no spaces, at most 250 bytes)."""
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def search_conditions(q: str) -> list:
    """Each word of ``q`` (folded as keys are) must appear in the beneficiary's key."""
    words = fold(q).replace("-", " ").split()
    return [BeneficiarySummary.key.like(_like_pattern(word), escape="\\") for word in words]


def retirers_page(conditions: list, page: int, per_page: int) -> BeneficiaryPage:
    """One page of the beneficiaries meeting ``conditions``, by credits retired."""
    summary = BeneficiarySummary
    total = db.session.execute(
        select(func.count()).select_from(summary).where(*conditions)
    ).scalar_one()
    pages = max(1, math.ceil(total / per_page))
    page = min(page, pages)
    rows = db.session.execute(
        select(
            summary.key,
            summary.name,
            summary.quantity,
            summary.records,
            summary.projects,
            summary.first_year,
            summary.last_year,
        )
        .where(*conditions)
        .order_by(summary.quantity.desc(), summary.key)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return BeneficiaryPage([BeneficiaryRow(*row) for row in rows], total, page, pages, per_page)


def largest_retirers(q: str = "", page: int = 1, per_page: int = PER_PAGE) -> BeneficiaryPage:
    """Beneficiaries by credits retired, largest first; ``q`` narrows by name (cached)."""
    token = f"{_digest(fold(q))}:{page}:{per_page}"
    return cached(
        "beneficiaries",
        token,
        lambda: retirers_page(search_conditions(q), page, per_page),
    )


def _breakdown_statement(key: str):
    """Every breakdown of one beneficiary's retirements in one statement: a UNION ALL of
    GROUP BYs over its rows, read once (from ix_credit_beneficiary_key alone on
    PostgreSQL), and over its projects, joined once.
    Rows: (dimension, label, quantity, records, name, registry, type, country)."""
    retired = (Credit.beneficiary_key == key, Credit.kind.in_(RETIRED_KINDS))
    mine = (
        select(
            Credit.project_id, Credit.vintage, Credit.year, Credit.reason_category, Credit.quantity
        )
        .where(*retired)
        .cte("mine")
    )
    # Summed straight from the index (not from ``mine``), so the planner knows how many
    # projects to expect and joins them by hash rather than one lookup each.
    sums = (
        select(
            Credit.project_id,
            func.sum(Credit.quantity).label("quantity"),
            func.count().label("records"),
        )
        .where(*retired)
        .group_by(Credit.project_id)
        .subquery("sums")
    )
    projects = (
        select(
            Project.project_id,
            sums.c.quantity,
            sums.c.records,
            Project.name,
            Project.registry,
            Project.project_type,
            Project.country,
        )
        .join_from(sums, Project, Project.id == sums.c.project_id)
        .cte("projects")
    )
    largest = (
        select(projects)
        .order_by(projects.c.quantity.desc(), projects.c.project_id)
        .limit(PROJECTS_SHOWN)
        .subquery("largest")
    )
    no_text = literal(None, String)
    masks = label_masks(mine)

    def grouped(dimension: str, source, column, quantity, records):
        return select(
            literal(dimension), cast(column, String), func.sum(quantity), func.sum(records),
            no_text, no_text, no_text, no_text,
        ).select_from(source).group_by(column)  # fmt: skip

    return union_all(
        grouped("year", mine, mine.c.year, mine.c.quantity, 1),
        grouped("reason", mine, mine.c.reason_category, mine.c.quantity, 1),
        select(literal("project"), *largest.c),
        grouped("type", projects, projects.c.project_type, projects.c.quantity, projects.c.records),
        grouped("registry", projects, projects.c.registry, projects.c.quantity, projects.c.records),
        select(literal("label"), *masks.c, *[no_text] * 4),  # (kinds, quantity, records)
    )


def _largest_first(rows: list[tuple]) -> list[tuple]:
    return sorted(rows, key=lambda row: (-row[1], row[0] or ""))


def _profile(key: str) -> BeneficiaryProfile | None:
    summary = db.session.get(BeneficiarySummary, key)
    if summary is None:
        return None
    groups: dict[str, list] = {
        dimension: [] for dimension in ("year", "reason", "project", "type", "registry", "label")
    }
    for dimension, label, quantity, records, *project in db.session.execute(
        _breakdown_statement(key)
    ):
        groups[dimension].append((label, int(quantity or 0), int(records), *project))
    projects = [
        ProjectShare(label, name, registry, project_type, country, quantity, records)
        for label, quantity, records, name, registry, project_type, country in _largest_first(
            groups["project"]
        )
    ]
    return BeneficiaryProfile(
        key=key,
        name=summary.name,
        quantity=summary.quantity,
        records=summary.records,
        by_year=sorted((int(year), qty) for year, qty, *_ in groups["year"] if year is not None),
        projects=projects,
        project_count=summary.projects,
        by_type=[row[:3] for row in _largest_first(groups["type"])],
        by_registry=[row[:3] for row in _largest_first(groups["registry"])],
        by_reason=[
            (REASON_LABELS.get(category or "unknown", category), qty, n)
            for category, qty, n, *_ in _largest_first(groups["reason"])
        ],
        raw_names=[(raw, records) for raw, records in summary.spellings],
        by_label=per_label(row[:3] for row in groups["label"]),
    )


def beneficiary_profile(key: str) -> BeneficiaryProfile | None:
    """One beneficiary's retirements by year, project, project type, registry, reason and
    label;
    None when no retirement carries this key."""
    return cached("beneficiary-profile", _digest(key), lambda: _profile(key))
