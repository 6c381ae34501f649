"""What the search page shows of the filters: facet options (top and "more") and chips."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from app.catalog.labels import LABEL_FACETS
from app.catalog.labels import value_label as label_value_label
from app.catalog.multi_values import state_label
from app.catalog.quality import CREDITING_LABELS
from app.catalog.query import (
    FACET_LABELS,
    FACETS,
    LISTED_LABELS,
    RANGE_LABELS,
    RANGES,
    REGISTRY_LABELS,
    STATUS_LABELS,
    ProjectQuery,
)
from app.vocabulary_display import vocabulary_label

TOP_VALUES = 8
# Beyond this many values a facet's list stops helping; text search finds the rest.
MAX_OPTIONS = 60


@dataclass(frozen=True)
class FacetOption:
    facet: str
    value: str
    label: str
    count: int | None  # None: not counted (yet)
    selected: bool

    @property
    def input_id(self) -> str:
        """A stable element id: after a swap htmx puts the keyboard focus back on it."""
        digest = hashlib.sha1(self.value.encode(), usedforsecurity=False).hexdigest()[:12]
        return f"facet-{self.facet}-{digest}"


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    top: list[FacetOption]
    more: list[FacetOption]
    unlisted: int = 0

    @property
    def selected_count(self) -> int:
        return sum(option.selected for option in (*self.top, *self.more))

    @classmethod
    def of(cls, name: str, label: str, options: list[FacetOption], top: int = TOP_VALUES):
        """A facet of ``options`` (by count): the first ``top`` and every chosen one shown, the
        rest behind "more" up to MAX_OPTIONS, and how many are not listed at all."""
        shown = options[:top] + [option for option in options[top:] if option.selected]
        more = [option for option in options[top:MAX_OPTIONS] if not option.selected]
        return cls(name, label, shown, more, max(0, len(options) - MAX_OPTIONS))


@dataclass(frozen=True)
class Chip:
    label: str
    query: ProjectQuery


def value_label(facet: str, value: str) -> str:
    if facet == "registry":
        return REGISTRY_LABELS.get(value, value)
    if facet == "status":
        return STATUS_LABELS.get(value, value)
    if facet == "listed":
        return LISTED_LABELS.get(value, value)
    if facet == "state":
        return state_label(value)
    if facet in LABEL_FACETS:
        return label_value_label(facet, value)
    if facet == "crediting_period":
        return CREDITING_LABELS.get(value, value)
    if facet == "type":
        return vocabulary_label(value)
    return value


def build_facets(
    query: ProjectQuery, counts: dict[str, list[tuple[str, int]]], top: int = TOP_VALUES
) -> list[Facet]:
    """Each facet's options by count; chosen values always among the visible top ones.

    Labels are translated here, once: a lazy label is translated again each time a
    template writes it (a results region writes several hundred)."""
    facets = []
    for name in FACETS:
        chosen = set(query.facet_values(name))
        counted = dict(counts.get(name, []))
        options = [
            FacetOption(name, value, str(value_label(name, value)), count, value in chosen)
            for value, count in counts.get(name, [])
        ]
        options += [
            FacetOption(name, value, str(value_label(name, value)), 0, True)
            for value in sorted(chosen - counted.keys())
        ]
        facets.append(Facet.of(name, str(FACET_LABELS[name]), options, top))
    return facets


def active_chips(query: ProjectQuery) -> list[Chip]:
    """One removable chip per active filter value; each links to the search without it."""
    chips = []
    if query.q:
        chips.append(Chip(f"“{query.q}”", query.without("q")))
    for name in FACETS:
        for value in query.facet_values(name):
            label = f"{FACET_LABELS[name]}: {value_label(name, value)}"
            chips.append(Chip(label, query.without(name, value)))
    for name in RANGES:
        value = getattr(query, name)
        if value is not None:
            shown = f"{value:,}" if name.startswith("issued") else str(value)
            chips.append(Chip(f"{RANGE_LABELS[name]} {shown}", query.without(name)))
    return chips
