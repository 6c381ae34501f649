"""Status: the registry's own words kept, one canonical status, one status group.

``CANONICAL_STATUS`` maps a folded registry status (lower case, white space and
underscores folded) to the canonical status; ``STATUS_GROUP`` maps each canonical
status to the facet's group. A status the table does not know keeps canonical
``None`` and group ``unknown``, and is listed in the sync report.
"""

from __future__ import annotations

import re

_SPACES = re.compile(r"[\s_]+")

# folded registry status -> canonical status (the exact phrase wins; no substring rules,
# so "Registration and verification approval requested" cannot fall into "verification")
CANONICAL_STATUS = {
    # listed: known to the registry, not yet registered
    "listed": "Listed",
    "under development": "Under development",
    "under validation": "Under validation",
    "gold standard certified design": "Certified design",
    "registration requested": "Registration requested",
    "registration and verification approval requested": "Registration requested",
    "crediting period renewal requested": "Renewal requested",
    "crediting period renewal and verification approval requested": "Renewal requested",
    # registered: may issue credits
    "registered": "Registered",
    "gold standard certified project": "Registered",
    "certified project": "Registered",
    "late to verify": "Late to verify",
    "verification approval requested": "Verification requested",
    "requantification requested": "Requantification requested",
    "units transferred from approved ghg program": "Transferred in",
    "transitioned": "Transitioned",
    "on hold - see notification letter": "On hold",
    "on hold": "On hold",
    # completed: crediting ended
    "completed": "Completed",
    # withdrawn: no longer active
    "withdrawn": "Withdrawn",
    "inactive": "Inactive",
    "canceled": "Cancelled",
    "cancelled": "Cancelled",
    "rejected by administrator": "Rejected",
    "rejected": "Rejected",
    "registration request denied": "Rejected",
    "registration and verification approval request denied": "Rejected",
    "verification approval request denied": "Rejected",
    "transfer to another ghg program": "Transferred out",
}

STATUS_GROUP = {
    "Listed": "listed",
    "Under development": "listed",
    "Under validation": "listed",
    "Certified design": "listed",
    "Registration requested": "listed",
    "Renewal requested": "registered",
    "Registered": "registered",
    "Late to verify": "registered",
    "Verification requested": "registered",
    "Requantification requested": "registered",
    "Transferred in": "registered",
    "Transitioned": "registered",
    "On hold": "registered",
    "Completed": "completed",
    "Withdrawn": "withdrawn",
    "Inactive": "withdrawn",
    "Cancelled": "withdrawn",
    "Rejected": "withdrawn",
    "Transferred out": "withdrawn",
}
UNKNOWN_GROUP = "unknown"
# What a source writes for "no status" (OffsetsDB: 'unknown'): no canonical status, not reported.
NO_STATUS = ("unknown", "n/a", "none")


def fold_status(raw) -> str:
    return _SPACES.sub(" ", str(raw)).strip().lower()


def canonical_status(raw) -> str | None:
    """'Gold Standard Certified Project' -> 'Registered'; 'listed' -> 'Listed'; unknown -> None."""
    if not isinstance(raw, str) or not raw.strip():
        return None
    folded = fold_status(raw)
    return None if folded in NO_STATUS else CANONICAL_STATUS.get(folded)


def status_group(canonical: str | None) -> str:
    if not isinstance(canonical, str):
        return UNKNOWN_GROUP
    return STATUS_GROUP.get(canonical, UNKNOWN_GROUP)
