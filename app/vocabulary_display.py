"""The product's own vocabulary as the pages show it, in the page's language.

The sync stores canonical statuses and categories as English display text (app/etl/vocabulary),
and the cached search results keep them so: they are translated here, when a page is rendered,
never before they are cached. Data text from the sources (a registry's own status, a project
type as a source wrote it) has no entry and shows as it is.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# The status groups of the catalogue's status facet (app.models.STATUS_GROUPS).
STATUS_GROUP_LABELS = {
    "listed": _l("Listed"),
    "registered": _l("Registered"),
    "completed": _l("Completed"),
    "withdrawn": _l("Withdrawn"),
    "unknown": _l("Unknown"),
}

# Kinds of credit records (app.models.CREDIT_KINDS).
CREDIT_KIND_LABELS = {
    "issuance": _l("Issuance"),
    "retirement": _l("Retirement"),
    "cancellation": _l("Cancellation"),
    "buffer": _l("Buffer"),
}

# Canonical statuses (app/etl/vocabulary/status.py) and project categories
# (app/etl/vocabulary/project_type.py CATEGORY_LABELS), by their English display text.
VOCABULARY_LABELS = {
    "Listed": _l("Listed"),
    "Under development": _l("Under development"),
    "Under validation": _l("Under validation"),
    "Certified design": _l("Certified design"),
    "Registration requested": _l("Registration requested"),
    "Renewal requested": _l("Renewal requested"),
    "Registered": _l("Registered"),
    "Late to verify": _l("Late to verify"),
    "Verification requested": _l("Verification requested"),
    "Requantification requested": _l("Requantification requested"),
    "Transferred in": _l("Transferred in"),
    "Transitioned": _l("Transitioned"),
    "On hold": _l("On hold"),
    "Completed": _l("Completed"),
    "Withdrawn": _l("Withdrawn"),
    "Inactive": _l("Inactive"),
    "Cancelled": _l("Cancelled"),
    "Rejected": _l("Rejected"),
    "Transferred out": _l("Transferred out"),
    "Agriculture": _l("Agriculture"),
    "Direct air capture": _l("Direct air capture"),
    "Alkalinity removal": _l("Alkalinity removal"),
    "Biomass removal": _l("Biomass removal"),
    "Carbon capture": _l("Carbon capture"),
    "Energy efficiency": _l("Energy efficiency"),
    "Forest": _l("Forest"),
    "Fuel switching": _l("Fuel switching"),
    "GHG management": _l("GHG management"),
    "Land use": _l("Land use"),
    "Renewable energy": _l("Renewable energy"),
}


def vocabulary_label(value):
    """A canonical status or category in the page's language; any other text unchanged."""
    label = VOCABULARY_LABELS.get(value)
    return str(label) if label is not None else value


def status_label(group: str | None) -> str:
    """'registered' -> 'Registered' ('등록됨')."""
    label = STATUS_GROUP_LABELS.get(group or "")
    return str(label) if label is not None else (group or "").capitalize()


def credit_kind_label(kind: str | None) -> str:
    label = CREDIT_KIND_LABELS.get(kind or "")
    return str(label) if label is not None else (kind or "").capitalize()
