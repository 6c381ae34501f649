"""Quality labels in the catalogue: their facets (ICVCM CCP, CORSIA, Article 6, ...), filters
and the badges a project shows. The label rows come from the sync (app/etl/labels.py).

A label facet filters projects that carry any chosen value of its kind; several label
facets combine like every facet (CCP and CORSIA: projects carrying both).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext
from sqlalchemy import case, func, literal, select, tuple_

from app.etl.labels import KIND_LABELS, VALUE_LABELS, label_name
from app.extensions import db
from app.models import Label, Project

# Facet name (query parameter) -> the label kind it filters.
LABEL_FACETS = {
    "ccp": "ccp",
    "corsia": "corsia",
    "article6": "article6",
    "corresponding_adjustment": "corresponding_adjustment",
    "ccb": "ccb",
    "sdg": "sdg",
    "certification": "other",
}
FACET_OF_KIND = {kind: facet for facet, kind in LABEL_FACETS.items()}
# Who gave a label, as the pages name them; a registry's adapter gives its own name.
# Who gave a label: the secondary datasets, or a registry itself (its adapter's key).
SOURCE_NAMES = {
    "vrod": "VROD (Berkeley Carbon Trading Project)",
    "offsetsdb": "OffsetsDB",
    "verra": "Verra",
    "gold_standard": "Gold Standard",
    "acr": "ACR",
    "car": "CAR",
    "art": "ART",
}
SDG_VALUES = tuple(str(number) for number in range(1, 18))
# A facet value meaning "any value of this kind" (CORSIA eligible in any phase, any CCB level).
ANY = "any"
# Kinds with one value only: "any" would repeat it.
SINGLE_VALUE_KINDS = ("ccp",)


def allowed_values(facet: str) -> tuple[str, ...]:
    kind = LABEL_FACETS[facet]
    values = SDG_VALUES if kind == "sdg" else tuple(v for (k, v) in VALUE_LABELS if k == kind)
    return values if kind in SINGLE_VALUE_KINDS else (ANY, *values)


def value_label(facet: str, value: str) -> str:
    kind = LABEL_FACETS[facet]
    if value == ANY:
        return gettext("Any")
    return f"SDG {value}" if kind == "sdg" else VALUE_LABELS.get((kind, value), value)


def facet_label(facet: str) -> str:
    return KIND_LABELS[LABEL_FACETS[facet]]


def label_condition(facet: str, values: tuple[str, ...]):
    """Projects carrying a label of the facet's kind with any of ``values``."""
    carriers = select(Label.project_id).where(Label.kind == LABEL_FACETS[facet])
    if ANY not in values:
        carriers = carriers.where(Label.value.in_(values))
    return Project.id.in_(carriers)


def label_counts_branches(facets: list[str], conditions: list, dialect: str) -> list:
    """(facet, value, projects) selects for the label facets, over the projects matching
    ``conditions``: one row per value, and one per kind for the value "any". On PostgreSQL
    one scan (GROUPING SETS (kind, value), (kind)); elsewhere two."""
    kinds = [LABEL_FACETS[facet] for facet in facets]
    facet_name = _facet_name()
    projects = func.count(func.distinct(Label.project_id)).label("n")
    base = select().join_from(Label, Project, Project.id == Label.project_id)
    base = base.where(Label.kind.in_(kinds), *conditions)
    if dialect == "postgresql":
        per_kind = func.grouping(Label.value) == 1
        value = case((per_kind, literal(ANY)), else_=Label.value).label("value")
        both = base.add_columns(facet_name, value, projects).group_by(
            func.grouping_sets(tuple_(Label.kind, Label.value), tuple_(Label.kind))
        )
        return [both.having(~(per_kind & Label.kind.in_(SINGLE_VALUE_KINDS)))]
    by_value = base.add_columns(facet_name, Label.value.label("value"), projects).group_by(
        Label.kind, Label.value
    )
    any_kinds = [kind for kind in kinds if kind not in SINGLE_VALUE_KINDS]
    if not any_kinds:
        return [by_value]
    by_kind = (
        base.add_columns(facet_name, literal(ANY).label("value"), projects)
        .where(Label.kind.in_(any_kinds))
        .group_by(Label.kind)
    )
    return [by_value, by_kind]


@functools.cache
def _facet_name():
    """A label row's facet: the same expression in every search, so built once."""
    return case(
        *((Label.kind == kind, literal(facet)) for facet, kind in LABEL_FACETS.items()),
        else_=Label.kind,
    ).label("facet")


@dataclass(frozen=True)
class Badge:
    """One label a project carries, as its page and result rows show it."""

    kind: str
    value: str
    name: str
    raw_text: str | None
    source: str
    as_of: date | None
    vintage: int | None = None
    quantity: int | None = None

    @property
    def facet(self) -> str:
        return FACET_OF_KIND[self.kind]

    @property
    def source_name(self) -> str:
        return SOURCE_NAMES.get(self.source, self.source)


KIND_ORDER = {kind: index for index, kind in enumerate(FACET_OF_KIND)}


def _sort_key(badge: Badge):
    number = int(badge.value) if badge.value.isdigit() else 0
    return (KIND_ORDER.get(badge.kind, 99), number, badge.value, badge.vintage or 0)


def project_badges(project_pks: list[int]) -> dict[int, list[Badge]]:
    """Each project's project-level labels, one badge per (kind, value, source)."""
    if not project_pks:
        return {}
    rows = db.session.execute(
        select(
            Label.project_id,
            Label.kind,
            Label.value,
            func.min(Label.raw_text),
            Label.source,
            func.max(Label.as_of),
        )
        .where(Label.project_id.in_(project_pks), Label.vintage.is_(None))
        .group_by(Label.project_id, Label.kind, Label.value, Label.source)
    )
    badges: dict[int, list[Badge]] = {pk: [] for pk in project_pks}
    for pk, kind, value, raw, source, as_of in rows:
        badges[pk].append(Badge(kind, value, label_name(kind, value), raw, source, as_of))
    return {pk: sorted(found, key=_sort_key) for pk, found in badges.items()}


@dataclass(frozen=True)
class VintageLabels:
    """How many of a project's credits of one vintage carry a label, and who says so."""

    vintage: int | None
    name: str
    quantity: int
    source: str

    @property
    def source_name(self) -> str:
        return SOURCE_NAMES.get(self.source, self.source)


def labels_by_project() -> dict[int, dict[str, str]]:
    """Every project's labels per facet, their values joined ('pilot; first'): the export's
    label columns (a few thousand rows: read once per export)."""
    rows = db.session.execute(
        select(Label.project_id, Label.kind, Label.value)
        .distinct()
        .order_by(Label.project_id, Label.kind, Label.value)
    )
    found: dict[int, dict[str, str]] = {}
    for pk, kind, value in rows:
        columns = found.setdefault(pk, {})
        facet = FACET_OF_KIND[kind]
        columns[facet] = f"{columns[facet]}; {value}" if facet in columns else value
    return found


def credit_level_labels(project_pk: int) -> list[VintageLabels]:
    """The project's credit-level labels summed by vintage (registries' data only)."""
    rows = db.session.execute(
        select(
            Label.vintage,
            Label.kind,
            Label.value,
            Label.source,
            func.coalesce(func.sum(Label.quantity), 0),
        )
        .where(Label.project_id == project_pk)
        .where(Label.vintage.is_not(None))
        .group_by(Label.vintage, Label.kind, Label.value, Label.source)
        .order_by(Label.vintage, Label.kind, Label.value)
    )
    return [
        VintageLabels(vintage, label_name(kind, value), int(quantity), source)
        for vintage, kind, value, source, quantity in rows
    ]
