"""What the /changes page shows of its filters: facet options and removable chips.

The option and chip values are the catalogue's (app/catalog/facets.py), so both
searches render their filters alike.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app.catalog.facets import TOP_VALUES, Chip, Facet, FacetOption
from app.changes.query import (
    DATE_LABELS,
    DATES,
    FACET_LABELS,
    FACETS,
    KIND_LABELS,
    ChangeQuery,
    facet_label,
)


def build_facets(query: ChangeQuery, counts: dict[str, list[tuple[str, int]]]) -> list[Facet]:
    """Each facet's options by count; every kind of change always listed; chosen ones shown."""
    facets = []
    for name in FACETS:
        chosen = set(query.facet_values(name))
        counted = dict(counts.get(name, []))
        values = [value for value, _ in counts.get(name, [])]
        if name == "kind":
            values += [kind for kind in KIND_LABELS if kind not in counted]
        values += sorted(chosen - set(values))
        options = [
            FacetOption(name, v, facet_label(name, v), counted.get(v, 0), v in chosen)
            for v in values
        ]
        top = len(options) if name == "kind" else TOP_VALUES
        facets.append(Facet.of(name, FACET_LABELS[name], options, top))
    return facets


def active_chips(query: ChangeQuery) -> list[Chip]:
    """One removable chip per active filter value; each links to the search without it."""
    chips = [
        Chip(f"{FACET_LABELS[name]}: {facet_label(name, value)}", query.without(name, value))
        for name in FACETS
        for value in query.facet_values(name)
    ]
    chips += [
        Chip(_("Project %(project_id)s", project_id=value), query.without("project", value))
        for value in query.project
    ]
    chips += [
        Chip(
            _("Beneficiary %(beneficiary)s", beneficiary=value), query.without("beneficiary", value)
        )
        for value in query.beneficiary
    ]
    chips += [
        Chip(f"{DATE_LABELS[name]} {getattr(query, name)}", query.without(name))
        for name in DATES
        if getattr(query, name) is not None
    ]
    return chips
