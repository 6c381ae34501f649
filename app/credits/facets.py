"""What the credits page shows of its filters: facet options and removable chips.

The catalogue's shapes (``Facet``, ``FacetOption``, ``Chip``) and limits, for credit facets.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from app.catalog.facets import Chip, Facet, FacetOption
from app.credits.query import (
    CLOSED_FACETS,
    FACET_LABELS,
    FACETS,
    RANGE_LABELS,
    RANGES,
    VALUE_LABELS,
    CreditQuery,
)


def value_label(facet: str, value: str) -> str:
    return str(VALUE_LABELS.get(facet, {}).get(value, value))


def build_facets(query: CreditQuery, counts: dict[str, list[tuple[str, int]]]) -> list[Facet]:
    """Each facet's options by count; chosen values always among the visible ones. A facet
    missing from ``counts`` (the label facet before its counts arrive) lists every value of
    it, uncounted."""
    return [build_facet(query, name, counts.get(name)) for name in FACETS]


def build_facet(query: CreditQuery, name: str, counts: list[tuple[str, int]] | None) -> Facet:
    options = _options(name, counts, query.facet_values(name))
    return Facet.of(name, str(FACET_LABELS[name]), options)


def _options(
    name: str, counts: list[tuple[str, int]] | None, chosen: tuple[str, ...]
) -> list[FacetOption]:
    def option(value: str, count: int | None) -> FacetOption:
        return FacetOption(name, value, value_label(name, value), count, value in chosen)

    if counts is None:
        return [option(value, None) for value in CLOSED_FACETS[name]]
    counted = dict(counts)
    return [option(value, count) for value, count in counts] + [
        option(value, 0) for value in sorted(set(chosen) - counted.keys())
    ]


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
