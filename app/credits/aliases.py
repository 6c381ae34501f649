"""The admins' beneficiary merges: suggested pairs of similar names, confirmed or rejected.

Suggestions compare the keys of the largest retirers with rapidfuzz: the better of the token
sort ratio (blind to word order) and the plain ratio with spaces removed (blind to spacing).
A pair already decided is never suggested again. Confirming merges the smaller into the
larger: its credit rows take the larger's key at once (the raw text stays), and every later
sync applies the same merge (app/etl/credit_fields.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from flask_babel import gettext as _
from rapidfuzz import fuzz, process
from sqlalchemy import func, or_, select

from app.credits.beneficiaries import BeneficiaryRow, retirers_page
from app.etl.beneficiary_summary import rebuild_beneficiary_summary
from app.extensions import db
from app.models import BeneficiaryAlias, Credit, bump_data_version

CANDIDATES = 400
MIN_SCORE = 85
SUGGESTIONS_SHOWN = 30


class MergeError(ValueError):
    """A merge that cannot be made; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Suggestion:
    alias: BeneficiaryRow
    canonical: BeneficiaryRow
    score: float

    @property
    def pair_id(self) -> str:
        return f"{self.alias.key}--{self.canonical.key}"


def _decided_pairs() -> set[frozenset[str]]:
    rows = db.session.execute(select(BeneficiaryAlias.alias_key, BeneficiaryAlias.canonical_key))
    return {frozenset(row) for row in rows}


def suggested_merges(limit: int = SUGGESTIONS_SHOWN) -> list[Suggestion]:
    """Pairs of similar beneficiary names among the largest retirers, most similar first."""
    candidates = retirers_page([], 1, CANDIDATES).items
    if len(candidates) < 2:
        return []
    spaced = [row.key.replace("-", " ") for row in candidates]
    joined = [row.key.replace("-", "") for row in candidates]
    # Word order ("Airlines Delta") or spacing ("Air Lines", "Airlines") alone never hides a pair.
    scores = np.maximum(
        process.cdist(spaced, spaced, scorer=fuzz.token_sort_ratio, score_cutoff=MIN_SCORE),
        process.cdist(joined, joined, scorer=fuzz.ratio, score_cutoff=MIN_SCORE),
    )
    decided = _decided_pairs()
    found = []
    for i in range(len(candidates)):
        for j in range(i + 1, len(candidates)):
            score = float(scores[i][j])
            pair = frozenset((candidates[i].key, candidates[j].key))
            if score >= MIN_SCORE and pair not in decided:
                # Ordered by quantity: the larger (i) is the name kept.
                found.append(Suggestion(candidates[j], candidates[i], round(score, 1)))
    found.sort(key=lambda s: (-s.score, -s.canonical.quantity, s.alias.key))
    return found[:limit]


def _has_records(key: str) -> bool:
    return (
        db.session.execute(select(Credit.id).where(Credit.beneficiary_key == key).limit(1)).first()
        is not None
    )


def decide_merge(alias_key: str, canonical_key: str, *, confirm: bool, user_id: int) -> int:
    """Record the decision; on confirm, move the alias's records to the canonical key.

    Returns how many credit rows moved. Raises MergeError (422 bad pair, 409 decided)."""
    if not alias_key or not canonical_key or alias_key == canonical_key:
        raise MergeError(_("Choose two different beneficiary names to merge."))
    if db.session.execute(
        select(BeneficiaryAlias.id).where(
            or_(
                (BeneficiaryAlias.alias_key == alias_key)
                & (BeneficiaryAlias.canonical_key == canonical_key),
                (BeneficiaryAlias.alias_key == canonical_key)
                & (BeneficiaryAlias.canonical_key == alias_key),
            )
        )
    ).first():
        raise MergeError(_("This pair was already decided."), status=409)
    if confirm and not (_has_records(alias_key) and _has_records(canonical_key)):
        raise MergeError(_("One of these names has no credit records any more: reload the list."))
    db.session.add(
        BeneficiaryAlias(
            alias_key=alias_key,
            canonical_key=canonical_key,
            status="confirmed" if confirm else "rejected",
            decided_by_id=user_id,
        )
    )
    moved = 0
    if confirm:
        moved = _merge(alias_key, canonical_key)
    db.session.commit()
    return moved


def _merge(alias_key: str, canonical_key: str) -> int:
    # Names merged into the alias earlier follow it into the canonical name.
    db.session.execute(
        BeneficiaryAlias.__table__.update()
        .where(
            BeneficiaryAlias.canonical_key == alias_key,
            BeneficiaryAlias.status == "confirmed",
        )
        .values(canonical_key=canonical_key)
    )
    moved = db.session.execute(
        Credit.__table__.update()
        .where(Credit.beneficiary_key == alias_key)
        .values(beneficiary_key=canonical_key)
    ).rowcount
    rebuild_beneficiary_summary(db.session.connection(), keys=(alias_key, canonical_key))
    bump_data_version()
    return moved


def decided_merges(limit: int = 50) -> list[BeneficiaryAlias]:
    """The latest decisions, newest first."""
    return list(
        db.session.scalars(
            select(BeneficiaryAlias).order_by(BeneficiaryAlias.id.desc()).limit(limit)
        )
    )


def count_decisions() -> int:
    return db.session.execute(select(func.count()).select_from(BeneficiaryAlias)).scalar_one()
