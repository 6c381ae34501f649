"""What users see of the links: "also listed as", the review queue, de-duplicated totals.

Issuance by vintage decides where two linked records counted the same tonnes: VROD's
issued-by-vintage figures where loaded (project_yearly_figure), else issuance credit rows
with a vintage, else the project's total spread evenly over its first..last vintage
(an estimate, and said so).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, union
from sqlalchemy.orm import selectinload

from app.catalog.search import cache_key
from app.extensions import cache, db
from app.models import COMMUNITY, Credit, CreditSummary, Project, ProjectLink, ProjectYearlyFigure

QUEUE_PER_PAGE = 20
KIND_LABELS = {
    "stated": _l("stated by public sources"),
    "shared_arb_id": _l("same ARB / WA id"),
    "shared_poa_id": _l("same PoA id"),
    "confirmed": _l("confirmed by an admin"),
    "suggested": _l("suggested by the matcher"),
}
EVIDENCE_LABELS = {
    "name": _l("name"),
    "developer": _l("developer"),
    "type": _l("project type"),
    "location": _l("location"),
    "period": _l("vintages or crediting periods overlap or follow on"),
    "registry_statement": _l("registry says units came from another programme"),
    "different_numbers": _l("names carry different numbers"),
    "arb_id": _l("ARB / WA id"),
    "poa_id": _l("PoA id"),
    "stated_by": _l("stated by"),
}


@dataclass(frozen=True)
class LinkedRecord:
    link_id: int
    project_id: str
    name: str | None
    registry: str
    kind: str
    kind_label: str
    review_state: str
    score: float | None
    both_issued: list[int]
    overlap_quantity: int
    estimated: bool


@dataclass(frozen=True)
class MarketTotals:
    plain: int
    deduplicated: int
    removed: int
    confirmed_pairs: int
    projects_in_pairs: int
    estimated: bool

    @property
    def removed_share(self) -> float:
        return self.removed / self.plain if self.plain else 0.0


@dataclass(frozen=True)
class QueuePage:
    items: list[ProjectLink]
    total: int
    page: int
    pages: int


def _issued_by_vintage(project_pks: list[int]) -> tuple[dict[int, dict[int, int]], set[int]]:
    """Per project, issuance per vintage, and the projects whose figures are estimated."""
    profiles: dict[int, dict[int, int]] = defaultdict(dict)
    figures = db.session.execute(
        select(
            ProjectYearlyFigure.project_id,
            ProjectYearlyFigure.year,
            func.sum(ProjectYearlyFigure.quantity),
        )
        .where(
            ProjectYearlyFigure.project_id.in_(project_pks),
            ProjectYearlyFigure.block == "issued_by_vintage",
            ProjectYearlyFigure.year.is_not(None),
        )
        .group_by(ProjectYearlyFigure.project_id, ProjectYearlyFigure.year)
    )
    for pk, vintage, quantity in figures:
        profiles[pk][vintage] = int(quantity or 0)
    rest = [pk for pk in project_pks if pk not in profiles]
    if rest:
        rows = db.session.execute(
            select(Credit.project_id, Credit.vintage, func.sum(Credit.quantity))
            .where(
                Credit.project_id.in_(rest), Credit.kind == "issuance", Credit.vintage.is_not(None)
            )
            .group_by(Credit.project_id, Credit.vintage)
        )
        for pk, vintage, quantity in rows:
            profiles[pk][vintage] = int(quantity or 0)
    rest = [pk for pk in project_pks if pk not in profiles]
    estimated = set()
    if rest:
        rows = db.session.execute(
            select(Project.id, Project.issued, Project.first_vintage, Project.last_vintage).where(
                Project.id.in_(rest), Project.issued > 0
            )
        )
        for pk, issued, first, last in rows:
            first = first or last
            last = last or first
            if first is None:
                continue
            years = range(first, max(first, last) + 1)
            for vintage in years:
                profiles[pk][vintage] = issued / len(years)
            estimated.add(pk)
    return {pk: {v: q for v, q in p.items() if q > 0} for pk, p in profiles.items()}, estimated


def _double_counted(
    members: list[int], profiles: dict[int, dict[int, int]]
) -> tuple[list[int], int]:
    """Vintages two or more members issued, and the tonnes counted more than once there
    (each vintage's sum less its largest member: the same tonnes counted once)."""
    by_vintage: dict[int, list[float]] = defaultdict(list)
    for pk in members:
        for vintage, quantity in profiles.get(pk, {}).items():
            by_vintage[vintage].append(quantity)
    shared = sorted(v for v, quantities in by_vintage.items() if len(quantities) > 1)
    extra = sum(sum(by_vintage[v]) - max(by_vintage[v]) for v in shared)
    return shared, round(extra)


def _links_of(project_pk: int) -> list[ProjectLink]:
    return db.session.scalars(
        select(ProjectLink)
        .options(selectinload(ProjectLink.project_a), selectinload(ProjectLink.project_b))
        .where(
            or_(ProjectLink.project_a_id == project_pk, ProjectLink.project_b_id == project_pk),
            ProjectLink.review_state != "rejected",
        )
        .order_by(ProjectLink.review_state, ProjectLink.score.desc(), ProjectLink.id)
    ).all()


def _also_listed_as(project_pk: int) -> list[LinkedRecord]:
    links = _links_of(project_pk)
    if not links:
        return []
    profiles, estimated = _issued_by_vintage(
        [project_pk, *(link.other(project_pk).id for link in links)]
    )
    records = []
    for link in links:
        other = link.other(project_pk)
        both, extra = _double_counted([project_pk, other.id], profiles)
        records.append(
            LinkedRecord(
                link_id=link.id,
                project_id=other.project_id,
                name=other.name,
                registry=other.registry,
                kind=link.kind,
                kind_label=str(KIND_LABELS[link.kind]),
                review_state=link.review_state,
                score=link.score,
                both_issued=both,
                overlap_quantity=extra,
                estimated=bool({project_pk, other.id} & estimated),
            )
        )
    return records


def also_listed_as(project: Project) -> list[LinkedRecord]:
    """The project's other records (confirmed first, then suggestions), with where both
    issued for the same vintages. Cached by data version."""
    if project.registry == COMMUNITY:
        return []
    key = cache_key("also-listed", str(project.id))
    value = cache.get(key)
    if value is None:
        value = _also_listed_as(project.id)
        cache.set(key, value)
    return value


def _components(pairs: list[tuple[int, int]]) -> list[list[int]]:
    parent: dict[int, int] = {}

    def root(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        parent[root(a)] = root(b)
    groups: dict[int, list[int]] = defaultdict(list)
    for x in list(parent):
        groups[root(x)].append(x)
    return list(groups.values())


def _market_totals() -> MarketTotals:
    # The same figure as the statistics' "credits issued": every issuance credit row.
    plain = db.session.execute(
        select(func.coalesce(func.sum(CreditSummary.quantity), 0)).where(
            CreditSummary.kind == "issuance"
        )
    ).scalar_one()
    pairs = db.session.execute(
        select(ProjectLink.project_a_id, ProjectLink.project_b_id).where(
            ProjectLink.review_state == "confirmed"
        )
    ).all()
    groups = _components([(a, b) for a, b in pairs])
    members = [pk for group in groups for pk in group]
    profiles, estimated = _issued_by_vintage(members) if members else ({}, set())
    removed = sum(_double_counted(group, profiles)[1] for group in groups)
    return MarketTotals(
        plain=int(plain),
        deduplicated=int(plain) - removed,
        removed=removed,
        confirmed_pairs=len(pairs),
        projects_in_pairs=len(members),
        estimated=bool(estimated),
    )


def market_totals() -> MarketTotals:
    """Credits issued by every registry added up, and counted once across confirmed
    double listings. Cached by data version (a review bumps it)."""
    key = cache_key("market-totals", "issued")
    value = cache.get(key)
    if value is None:
        value = _market_totals()
        cache.set(key, value)
    return value


def review_queue(page: int, per_page: int = QUEUE_PER_PAGE) -> QueuePage:
    """Suggestions waiting for an admin, best score first; a page past the end clamps."""
    waiting = ProjectLink.review_state == "suggested"
    total = db.session.execute(select(func.count()).where(waiting)).scalar_one()
    pages = max(1, math.ceil(total / per_page))
    page = min(max(page, 1), pages)
    items = db.session.scalars(
        select(ProjectLink)
        .options(selectinload(ProjectLink.project_a), selectinload(ProjectLink.project_b))
        .where(waiting)
        .order_by(ProjectLink.score.desc().nulls_last(), ProjectLink.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return QueuePage(items, total, page, pages)


def listed_pairs(review_state: str, limit: int | None = None) -> list[ProjectLink]:
    """Links in one review state, best first (for the Data page and its CSV)."""
    statement = (
        select(ProjectLink)
        .options(selectinload(ProjectLink.project_a), selectinload(ProjectLink.project_b))
        .where(ProjectLink.review_state == review_state)
        .order_by(ProjectLink.score.desc().nulls_last(), ProjectLink.id)
    )
    if limit is not None:
        statement = statement.limit(limit)
    return db.session.scalars(statement).all()


def count_by_state() -> dict[str, int]:
    rows = db.session.execute(
        select(ProjectLink.review_state, func.count()).group_by(ProjectLink.review_state)
    )
    return {"suggested": 0, "confirmed": 0, "rejected": 0} | dict(rows.all())


def linked_project_ids():
    """A subquery of the projects with a confirmed link: listed in more than one registry."""
    confirmed = ProjectLink.review_state == "confirmed"
    return union(
        select(ProjectLink.project_a_id).where(confirmed),
        select(ProjectLink.project_b_id).where(confirmed),
    )


def evidence_items(evidence: dict) -> list[tuple[str, str]]:
    """The evidence as (label, shown value) pairs, in a fixed order."""
    shown = []
    for field, label in EVIDENCE_LABELS.items():
        if field not in (evidence or {}):
            continue
        value = evidence[field]
        if field in ("type", "period"):
            value = _("yes") if value else _("no")
        elif isinstance(value, float):
            value = f"{value:.0%}"
        elif isinstance(value, list):
            value = " vs ".join(", ".join(map(str, part)) for part in value)
        shown.append((str(label), str(value)))
    return shown
