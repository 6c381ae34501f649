"""An admin's decision on a suggested link: confirm it or reject it, with a reason."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.extensions import db
from app.models import ProjectLink, UserAccount, bump_data_version, utcnow

DECISIONS = {"confirm": "confirmed", "reject": "rejected"}
REVIEW_STATE_LABELS = {
    "suggested": _l("suggested"),
    "confirmed": _l("confirmed"),
    "rejected": _l("rejected"),
}
MAX_REASON = 1000


class ReviewError(Exception):
    """A decision that cannot be taken; ``status`` is the HTTP status that says why."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Decision:
    decision: str
    reason: str


def parse_decision(form) -> Decision:
    """The decision and reason a form sends; ReviewError(422) when either is unusable."""
    decision = (form.get("decision") or "").strip().lower()
    reason = " ".join((form.get("reason") or "").split())
    if decision not in DECISIONS:
        raise ReviewError(422, _("Choose confirm or reject."))
    if decision == "reject" and not reason:
        raise ReviewError(422, _("Say why the two records are not the same project."))
    if len(reason) > MAX_REASON:
        raise ReviewError(422, _("Keep the reason under %(count)s characters.", count=MAX_REASON))
    return Decision(decision, reason)


def review_link(link_id: int, decision: Decision, reviewer: UserAccount) -> ProjectLink:
    """Record the decision on a waiting suggestion. A confirmed link becomes kind
    'confirmed'; a rejected pair stays stored so no later match brings it back."""
    link = db.session.get(ProjectLink, link_id)
    if link is None:
        raise ReviewError(404, _("There is no such link; it may have been removed by a sync."))
    if link.review_state != "suggested":
        who = _("admin #%(id)s", id=link.reviewer_id) if link.reviewer_id else _("a sync")
        state = str(REVIEW_STATE_LABELS.get(link.review_state, link.review_state))
        raise ReviewError(
            409, _("This link was already %(state)s (by %(who)s).", state=state, who=who)
        )
    link.review_state = DECISIONS[decision.decision]
    if decision.decision == "confirm":
        link.kind = "confirmed"
    link.reason = decision.reason or None
    link.reviewer_id = reviewer.id
    link.reviewed_at = utcnow()
    bump_data_version()
    db.session.commit()
    return link
