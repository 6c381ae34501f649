"""Which credit records carry a quality label: the /credits label facet and a beneficiary's
retirements by label.

A record carries a label when its project does (a project-level label: VROD's list, a
registry's project page) or when its project's credits of the record's vintage do (a
credit-level label: the registry flags issuances of that vintage). Credit-level labels are
kept per vintage, summed (app/etl/labels.py), not per record: a retirement of a vintage of
which some issuances are CORSIA-eligible counts as CORSIA-eligible. The facet's values are
the catalogue's label facet names (ccp, corsia, article6, ...), so one word filters both.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, and_, cast, func, or_, select

from app.catalog.labels import FACET_OF_KIND, LABEL_FACETS
from app.etl.labels import KIND_LABELS
from app.models import Credit, Label

# The facet's values and how the interface names them (each label kind once).
LABEL_VALUES = tuple(LABEL_FACETS)
LABEL_VALUE_NAMES = {facet: KIND_LABELS[kind] for facet, kind in LABEL_FACETS.items()}


def _covers(project_id, vintage):
    """A label row that applies to the credits of ``project_id`` and ``vintage``."""
    return and_(
        Label.project_id == project_id, or_(Label.vintage.is_(None), Label.vintage == vintage)
    )


def carries_label(values: tuple[str, ...]):
    """Records carrying a label of any of the facet ``values`` (an EXISTS on ix_label_project)."""
    kinds = [LABEL_FACETS[value] for value in values]
    covering = select(Label.id).where(_covers(Credit.project_id, Credit.vintage))
    return covering.where(Label.kind.in_(kinds)).exists()


def label_totals(records):
    """Per label kind the ``records`` carry: a subquery of (kind, records, quantity).
    ``records`` has project_id, vintage and quantity columns; they are
    first summed per project and vintage (a few hundred rows for a name's retirements), so
    each label row is matched once per group, not once per record."""
    groups = (
        select(
            records.c.project_id,
            records.c.vintage,
            func.count().label("records"),
            func.sum(records.c.quantity).label("quantity"),
        )
        .group_by(records.c.project_id, records.c.vintage)
        .subquery("label_groups")
    )
    # One row per group and kind, however many label rows of that kind cover the group.
    carried = (
        select(groups, Label.kind)
        .join(Label, _covers(groups.c.project_id, groups.c.vintage))
        .distinct()
        .subquery("carried")
    )
    return (
        select(
            carried.c.kind,
            cast(func.sum(carried.c.records), BigInteger).label("records"),
            cast(func.sum(carried.c.quantity), BigInteger).label("quantity"),
        )
        .group_by(carried.c.kind)
        .subquery("label_totals")
    )


def facet_value(kind: str) -> str:
    """The facet value of a label kind as label_totals returns it."""
    return FACET_OF_KIND.get(kind, kind)
