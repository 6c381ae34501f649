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

from collections import Counter

from sqlalchemy import String, and_, cast, func, or_, select

from app.catalog.labels import FACET_OF_KIND, LABEL_FACETS
from app.etl.labels import KIND_LABELS
from app.models import EVERY_VINTAGE, LABEL_KIND_BITS, Credit, LabelCoverage

# The facet's values and how the interface names them (each label kind once).
LABEL_VALUES = tuple(LABEL_FACETS)
LABEL_VALUE_NAMES = {facet: KIND_LABELS[kind] for facet, kind in LABEL_FACETS.items()}


def _has_any(kinds, bits: int):
    return kinds.op("&")(bits) != 0


def carries_label(values: tuple[str, ...]):
    """Records carrying a label of any of the facet ``values``: an EXISTS on
    label_coverage's key (the record's vintage, or every vintage)."""
    bits = sum(LABEL_KIND_BITS[LABEL_FACETS[value]] for value in values)
    coverage, credit = LabelCoverage.__table__.c, Credit.__table__.c
    return (
        select(coverage.project_id)
        .where(
            coverage.project_id == credit.project_id,
            or_(coverage.vintage == EVERY_VINTAGE, coverage.vintage == credit.vintage),
            _has_any(coverage.kinds, bits),
        )
        .exists()
    )


def label_masks(records):
    """The ``records`` (a selectable with project_id, vintage and quantity columns) grouped
    by the label kinds they carry: a subquery of (kinds, quantity, records), kinds a
    bitmask as text, one row per combination that occurs (a few dozen at most). Each record
    meets its vintage's coverage row and its project's (both small tables, hashed once);
    ``per_label`` reads the rows."""
    # Table aliases, not ORM ones: this is built on every keystroke.
    of_vintage = LabelCoverage.__table__.alias("of_vintage").c
    of_project = LabelCoverage.__table__.alias("of_project").c
    kinds = func.coalesce(of_vintage.kinds, 0).op("|")(func.coalesce(of_project.kinds, 0))
    covered = (
        select(kinds.label("kinds"), records.c.quantity)
        .select_from(records)
        .outerjoin(
            of_vintage.kinds.table,
            and_(
                of_vintage.project_id == records.c.project_id,
                of_vintage.vintage == records.c.vintage,
                of_vintage.vintage != EVERY_VINTAGE,
            ),
        )
        .outerjoin(
            of_project.kinds.table,
            and_(
                of_project.project_id == records.c.project_id,
                of_project.vintage == EVERY_VINTAGE,
            ),
        )
        .where(or_(of_vintage.kinds.is_not(None), of_project.kinds.is_not(None)))
        .subquery("covered")
    )
    return (
        select(
            cast(covered.c.kinds, String).label("kinds"),
            func.sum(covered.c.quantity).label("quantity"),
            func.count().label("records"),
        )
        .group_by(covered.c.kinds)
        .subquery("label_masks")
    )


def per_label(rows) -> list[tuple[str, int, int]]:
    """(facet value, quantity, records) per label kind, largest first, from label_masks'
    (kinds, quantity, records) rows: a record counts under every kind it carries."""
    quantity, records = Counter(), Counter()
    for kinds, summed, count in rows:
        for kind, bit in LABEL_KIND_BITS.items():
            if int(kinds) & bit:
                records[kind] += int(count)
                quantity[kind] += int(summed or 0)
    ordered = sorted(records, key=lambda kind: (-quantity[kind], kind))
    return [(FACET_OF_KIND[kind], quantity[kind], records[kind]) for kind in ordered]
