"""What a credit search asks for: the query string parsed into one frozen value.

The catalogue's habits (app/catalog/query.py): never raises on user input; a value it
cannot use is left out and named in a warning, and the rest of the filters still apply.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, fields, replace
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from app.catalog.query import (
    MAX_QUERY_LENGTH,
    REGISTRY_LABELS,
    VINTAGE_BOUNDS,
    _clean_text,
    _clean_values,
    _ordered_pair,
    _parse_range,
)
from app.credits.labels import LABEL_VALUE_NAMES, LABEL_VALUES
from app.etl.reasons import REASON_CATEGORIES, REASON_LABELS
from app.models import CREDIT_KINDS, REGISTRIES
from app.text_search import query_terms
from app.vocabulary_display import CREDIT_KIND_LABELS

KIND_LABELS = CREDIT_KIND_LABELS
# Facet name (query parameter) -> its label; the allowed values of the closed ones.
FACETS = ("kind", "reason", "registry", "country", "type", "label")
FACET_LABELS = {
    "kind": _l("Kind"),
    "reason": _l("Retirement reason"),
    "registry": _l("Registry"),
    "country": _l("Country"),
    "type": _l("Project type"),
    "label": _l("Label"),
}
CLOSED_FACETS = {
    "kind": CREDIT_KINDS,
    "reason": REASON_CATEGORIES,
    "registry": REGISTRIES,
    "label": LABEL_VALUES,
}
# A reason category as the interface shows it, in the request's language.
REASON_DISPLAY = {category: _l(label) for category, label in REASON_LABELS.items()}
VALUE_LABELS = {
    "kind": KIND_LABELS,
    "reason": REASON_DISPLAY,
    "registry": REGISTRY_LABELS,
    "label": LABEL_VALUE_NAMES,
}
RANGES = ("vintage_from", "vintage_to", "date_from", "date_to")
RANGE_LABELS = {
    "vintage_from": _l("Vintage from"),
    "vintage_to": _l("Vintage to"),
    "date_from": _l("Date from"),
    "date_to": _l("Date to"),
}
SORTS = ("date", "quantity")
SORT_LABELS = {"date": _l("Date"), "quantity": _l("Quantity")}
ORDERS = ("asc", "desc")
DEFAULT_SORT, DEFAULT_ORDER = "date", "desc"
# Pages beyond this are not browsed (offset paging slows down deep): narrow the filters,
# download the CSV, or follow the API's cursor.
MAX_PAGE = 200
MAX_PROJECTS = 20
_PROJECT_ID = re.compile(r"^[A-Za-z]+[-_ ]?\w*$")


@dataclass(frozen=True)
class CreditQuery:
    """One credit search, normalised: equal searches are equal values (and cache keys)."""

    q: str = ""
    kind: tuple[str, ...] = ()
    reason: tuple[str, ...] = ()
    registry: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    label: tuple[str, ...] = ()
    project: tuple[str, ...] = ()
    vintage_from: int | None = None
    vintage_to: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = DEFAULT_SORT
    order: str = DEFAULT_ORDER
    page: int = 1

    @property
    def terms(self) -> list[str]:
        return query_terms(self.q)

    @property
    def is_filtered(self) -> bool:
        return bool(self.terms) or any(
            getattr(self, name) for name in (*FACETS, "project", *RANGES)
        )

    def facet_values(self, facet: str) -> tuple[str, ...]:
        return getattr(self, facet)

    def without(self, name: str, value: str | None = None) -> CreditQuery:
        """This search without one filter value (or the whole filter), back on page 1."""
        if name in (*FACETS, "project"):
            kept = tuple(v for v in getattr(self, name) if value is not None and v != value)
            return replace(self, **{name: kept}, page=1)
        if name == "q":
            return replace(self, q="", page=1)
        return replace(self, **{name: None}, page=1)

    def cleared(self) -> CreditQuery:
        return CreditQuery()

    def with_page(self, page: int) -> CreditQuery:
        return replace(self, page=page)

    def to_args(self) -> dict[str, list[str] | str]:
        """Query-string arguments for url_for: lists repeat the key; defaults are left out."""
        args: dict[str, list[str] | str] = {}
        if self.q:
            args["q"] = self.q
        for name in (*FACETS, "project"):
            if getattr(self, name):
                args[name] = list(getattr(self, name))
        for name in RANGES:
            value = getattr(self, name)
            if value is not None:
                args[name] = value.isoformat() if isinstance(value, date) else str(value)
        if self.sort != DEFAULT_SORT:
            args["sort"] = self.sort
        if self.order != DEFAULT_ORDER:
            args["order"] = self.order
        if self.page > 1:
            args["page"] = str(self.page)
        return args

    def cache_token(self, *, page: bool = True) -> str:
        parts = [f"{f.name}={getattr(self, f.name)!r}" for f in fields(self)]
        if not page:
            parts = [part for part in parts if not part.startswith("page=")]
        return hashlib.sha1("&".join(parts).encode(), usedforsecurity=False).hexdigest()


def _parse_choices(args: MultiDict, name: str, warnings: list[str]) -> tuple[str, ...]:
    allowed = CLOSED_FACETS[name]
    fold = str.upper if name == "registry" else str.lower
    chosen, unknown = set(), []
    for value in _clean_values(args.getlist(name)):
        if fold(value) in allowed:
            chosen.add(fold(value))
        else:
            unknown.append(value)
    if unknown:
        listed = ", ".join(f"“{value}”" for value in unknown)
        warnings.append(
            _(
                "Ignored unknown %(facet)s %(values)s.",
                facet=FACET_LABELS[name].lower(),
                values=listed,
            )
        )
    return tuple(sorted(chosen))


def _parse_projects(args: MultiDict, warnings: list[str]) -> tuple[str, ...]:
    values = _clean_values(args.getlist("project"))
    valid = [value.upper().replace(" ", "") for value in values if _PROJECT_ID.match(value)]
    if len(valid) < len(values):
        warnings.append(_("Ignored a project id that is not one (such as VCS191)."))
    return tuple(sorted(set(valid))[:MAX_PROJECTS])


def _parse_date(args: MultiDict, name: str, warnings: list[str]) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        warnings.append(
            _("Ignored %(name)s=“%(value)s”: a date as YYYY-MM-DD.", name=name, value=raw[:40])
        )
        return None
    if not VINTAGE_BOUNDS[0] <= value.year <= VINTAGE_BOUNDS[1]:
        warnings.append(
            _(
                "Ignored %(name)s=%(value)s: a year between %(first)s and 2200.",
                name=name,
                value=raw,
                first=VINTAGE_BOUNDS[0],
            )
        )
        return None
    return value


def _parse_sort(args: MultiDict, warnings: list[str]) -> tuple[str, str]:
    sort = (args.get("sort") or "").strip().lower() or DEFAULT_SORT
    if sort not in SORTS:
        warnings.append(
            _("Ignored unknown sort “%(sort)s”: use date or quantity.", sort=args.get("sort"))
        )
        sort = DEFAULT_SORT
    order = (args.get("order") or "").strip().lower() or DEFAULT_ORDER
    if order not in ORDERS:
        warnings.append(_("Ignored unknown order “%(order)s”: use asc or desc.", order=order))
        order = DEFAULT_ORDER
    return sort, order


def _parse_page(args: MultiDict, warnings: list[str]) -> int:
    raw = (args.get("page") or "").strip()
    if not raw:
        return 1
    if raw.isdigit() and 1 <= int(raw) <= MAX_PAGE:
        return int(raw)
    warnings.append(
        _(
            "Ignored page=“%(page)s”: pages run from 1 to %(last)s; narrow the filters "
            "or download the CSV for more.",
            page=raw[:20],
            last=MAX_PAGE,
        )
    )
    return 1


def parse_credit_query(args: MultiDict) -> tuple[CreditQuery, list[str]]:
    """The search a query string asks for, and what in it was ignored (human-readable)."""
    warnings: list[str] = []
    closed = {name: _parse_choices(args, name, warnings) for name in CLOSED_FACETS}
    free = {name: tuple(sorted(_clean_values(args.getlist(name)))) for name in ("country", "type")}
    vintage_from, vintage_to = _ordered_pair(
        _parse_range(args, "vintage_from", warnings, VINTAGE_BOUNDS),
        _parse_range(args, "vintage_to", warnings, VINTAGE_BOUNDS),
        ("vintage_from", "vintage_to"),
        warnings,
    )
    date_from, date_to = _ordered_pair(
        _parse_date(args, "date_from", warnings),
        _parse_date(args, "date_to", warnings),
        ("date_from", "date_to"),
        warnings,
    )
    sort, order = _parse_sort(args, warnings)
    query = CreditQuery(
        q=_clean_text(args.get("q"))[:MAX_QUERY_LENGTH],
        **closed,
        **free,
        project=_parse_projects(args, warnings),
        vintage_from=vintage_from,
        vintage_to=vintage_to,
        date_from=date_from,
        date_to=date_to,
        sort=sort,
        order=order,
        page=_parse_page(args, warnings),
    )
    return query, warnings
