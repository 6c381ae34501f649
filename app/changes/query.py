"""What a /changes search asks for: the query string parsed into one frozen value.

Like the catalogue's ``parse_project_query``, parsing never raises on user input: a value
it cannot use is left out and named in a warning. Pages are keyset pages (``before``: the
id below which to show the next, older changes): the change log only grows, and a page
deep in a million rows costs the same as the first.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields, replace
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from app.catalog.query import REGISTRY_LABELS, REGISTRY_VALUES, _clean_values
from app.models import CHANGE_KINDS

KIND_LABELS = {
    "added": _l("Project added"),
    "removed": _l("Project removed"),
    "status": _l("Status changed"),
    "field": _l("Detail changed"),
    "issuance": _l("New issuance"),
    "retirement": _l("New retirement"),
    "cancellation": _l("New cancellation"),
    "label_gained": _l("Label gained"),
    "label_lost": _l("Label lost"),
    "first_load": _l("Registry first loaded"),
}
FACETS = ("registry", "country", "type", "kind")
FACET_COLUMNS = {
    "registry": "registry",
    "country": "country",
    "type": "project_type",
    "kind": "kind",
}
FACET_LABELS = {
    "registry": _l("Registry"),
    "country": _l("Country"),
    "type": _l("Project type"),
    "kind": _l("Kind of change"),
}
# Filters that narrow to one subject, set by the project and beneficiary feeds and follows.
SUBJECTS = ("project", "beneficiary")
DATES = ("date_from", "date_to")
DATE_LABELS = {"date_from": _l("From"), "date_to": _l("To")}


@dataclass(frozen=True)
class ChangeQuery:
    """One /changes search, normalised: equal searches are equal values (and cache keys)."""

    registry: tuple[str, ...] = ()
    country: tuple[str, ...] = ()
    type: tuple[str, ...] = ()
    kind: tuple[str, ...] = ()
    project: tuple[str, ...] = ()
    beneficiary: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    before: int | None = None

    @property
    def is_filtered(self) -> bool:
        return any(getattr(self, name) for name in (*FACETS, *SUBJECTS, *DATES))

    def facet_values(self, facet: str) -> tuple[str, ...]:
        return getattr(self, facet)

    def without(self, name: str, value: str | None = None) -> ChangeQuery:
        """This search without one filter value (or the whole filter), back on the first page."""
        if name in (*FACETS, *SUBJECTS):
            kept = tuple(v for v in getattr(self, name) if value is not None and v != value)
            return replace(self, **{name: kept}, before=None)
        return replace(self, **{name: None}, before=None)

    def cleared(self) -> ChangeQuery:
        return ChangeQuery()

    def first_page(self) -> ChangeQuery:
        return replace(self, before=None)

    def older_than(self, change_id: int) -> ChangeQuery:
        return replace(self, before=change_id)

    def to_args(self) -> dict[str, list[str] | str]:
        """Query-string arguments for url_for: lists repeat the key; defaults are left out."""
        args: dict[str, list[str] | str] = {}
        for name in (*FACETS, *SUBJECTS):
            if getattr(self, name):
                args[name] = list(getattr(self, name))
        for name in DATES:
            if getattr(self, name) is not None:
                args[name] = getattr(self, name).isoformat()
        if self.before is not None:
            args["before"] = str(self.before)
        return args

    def cache_token(self) -> str:
        parts = [f"{f.name}={getattr(self, f.name)!r}" for f in fields(self)]
        return hashlib.sha1("&".join(parts).encode(), usedforsecurity=False).hexdigest()


def facet_label(facet: str, value: str) -> str:
    if facet == "registry":
        return REGISTRY_LABELS.get(value, value)
    if facet == "kind":
        return str(KIND_LABELS.get(value, value))
    return value


def _choices(args: MultiDict, name: str, allowed, warnings: list[str], fold) -> tuple[str, ...]:
    chosen, unknown = set(), []
    for value in _clean_values(args.getlist(name)):
        (chosen.add(fold(value)) if fold(value) in allowed else unknown.append(value))
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


def _date(args: MultiDict, name: str, warnings: list[str]) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        warnings.append(
            _(
                "Ignored %(name)s=“%(value)s”: a date is written YYYY-MM-DD.",
                name=name,
                value=raw[:40],
            )
        )
        return None


def parse_change_query(args: MultiDict) -> tuple[ChangeQuery, list[str]]:
    """The search a query string asks for, and what in it was ignored (human-readable)."""
    warnings: list[str] = []
    registry = _choices(args, "registry", REGISTRY_VALUES, warnings, str.upper)
    kind = _choices(args, "kind", CHANGE_KINDS, warnings, str.lower)
    free = {
        name: tuple(sorted(_clean_values(args.getlist(name))))
        for name in ("country", "type", "beneficiary")
    }
    project = tuple(sorted(value.upper() for value in _clean_values(args.getlist("project"))))
    date_from, date_to = _date(args, "date_from", warnings), _date(args, "date_to", warnings)
    if date_from and date_to and date_from > date_to:
        warnings.append(_("Swapped date_from and date_to: the first was later."))
        date_from, date_to = date_to, date_from
    before = None
    raw_before = (args.get("before") or "").strip()
    if raw_before:
        if raw_before.isdigit() and len(raw_before) <= 18:
            before = int(raw_before)
        else:
            warnings.append(
                _("Ignored before=“%(value)s”: not a change number.", value=raw_before[:40])
            )
    query = ChangeQuery(
        registry=registry,
        kind=kind,
        project=project,
        date_from=date_from,
        date_to=date_to,
        before=before,
        **free,
    )
    return query, warnings
