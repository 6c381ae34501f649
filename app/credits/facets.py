"""What the credits page shows of its filters: facet options and removable chips.

The catalogue's shapes (``Facet``, ``FacetOption``, ``Chip``) and limits, for credit facets.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from app.catalog.facets import Chip, Facet, FacetOption
from app.credits.query import FACET_LABELS, FACETS, RANGE_LABELS, RANGES, VALUE_LABELS, CreditQuery


def value_label(facet: str, value: str) -> str:
    return str(VALUE_LABELS.get(facet, {}).get(value, value))


def build_facets(query: CreditQuery, counts: dict[str, list[tuple[str, int]]]) -> list[Facet]:
    """Each facet's options by count; chosen values always among the visible ones."""
    facets = []
    labels = {facet: str(FACET_LABELS[facet]) for facet in FACETS}  # each shown several times
    for name in FACETS:
        chosen = set(query.facet_values(name))
        counted = dict(counts.get(name, []))
        options = [
            FacetOption(name, value, value_label(name, value), count, value in chosen)
            for value, count in counts.get(name, [])
        ]
        options += [
            FacetOption(name, value, value_label(name, value), 0, True)
            for value in sorted(chosen - counted.keys())
        ]
        facets.append(Facet.of(name, labels[name], options))
    return facets


def active_chips(query: CreditQuery) -> list[Chip]:
    """One removable chip per active filter value; each links to the search without it."""
    chips = []
    if query.q:
        chips.append(Chip(f"“{query.q}”", query.without("q")))
    for name in FACETS:
        for value in query.facet_values(name):
            label = f"{FACET_LABELS[name]}: {value_label(name, value)}"
            chips.append(Chip(label, query.without(name, value)))
    for project_id in query.project:
        label = _("Project: %(project_id)s", project_id=project_id)
        chips.append(Chip(label, query.without("project", project_id)))
    for name in RANGES:
        value = getattr(query, name)
        if value is not None:
            shown = value.isoformat() if isinstance(value, date) else str(value)
            chips.append(Chip(f"{RANGE_LABELS[name]} {shown}", query.without(name)))
    return chips
