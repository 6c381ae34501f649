"""Email digests: after a sync, each due follower gets one email of what changed for them.

Two phases, so a digest goes out once even when the worker dies half-way:

1. **Claim** (one transaction): for every due follower with new matching changes, an
   outbox row fixes the changes it tells and a stable Message-ID, and the follower's
   ``digest_change_id`` moves past them; the next digest starts after them.
2. **Send**, row by row: ``sending`` is committed just before the SMTP transaction and
   ``sent`` just after. A ``pending`` row (claimed, never handed to SMTP) is sent by the
   next run; a ``sending`` row left by a dead worker may have left already, so it is never
   sent again: it becomes ``unconfirmed``. A follower thus never gets a digest twice.

Nothing is claimed, nor sent, for a follower when nothing they follow changed.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import click
import numpy as np
import pandas as pd
from flask import current_app, render_template, url_for
from flask.cli import with_appcontext
from flask_babel import force_locale, ngettext
from flask_babel import lazy_gettext as _l
from flask_mailman import EmailMultiAlternatives
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update

from app.changes.follows import follow_condition
from app.changes.search import ChangeRow, changes_by_id, latest_change_id
from app.extensions import db, mail
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES
from app.models import DigestOutbox, Follow, FollowerSetting, ProjectChange, UserAccount, utcnow

log = logging.getLogger(__name__)

# A little under a day and a week: a daily sync that runs a few minutes early still counts.
DUE_AFTER = {"daily": timedelta(hours=20), "weekly": timedelta(days=6, hours=20)}
MAX_LINES = 50
UNSUBSCRIBE_SALT = "digest-unsubscribe"
FREQUENCY_WORDS = {"daily": _l("daily"), "weekly": _l("weekly")}


def digest_frequency_label(frequency: str) -> str:
    """'daily' or 'weekly' as the digest says it, in its language."""
    return str(FREQUENCY_WORDS.get(frequency, frequency))


@dataclass
class DigestReport:
    claimed: int = 0
    sent: int = 0
    unconfirmed: int = 0


@dataclass(frozen=True)
class Follower:
    user_id: int
    email: str
    frequency: str
    after: int  # digest_change_id: the changes above it are new to this follower


# --- who is due, and what changed for them --------------------------------------------


def due_followers(now: datetime) -> list[Follower]:
    """Followers with digests on, at least one follow, and no digest within their period."""
    last_digest = (
        select(DigestOutbox.user_account_id, func.max(DigestOutbox.created_at).label("at"))
        .group_by(DigestOutbox.user_account_id)
        .subquery()
    )
    has_follow = select(Follow.id).where(Follow.user_account_id == FollowerSetting.user_account_id)
    rows = db.session.execute(
        select(
            FollowerSetting.user_account_id,
            UserAccount.email,
            FollowerSetting.digest_frequency,
            FollowerSetting.digest_change_id,
            last_digest.c.at,
        )
        .join(UserAccount, UserAccount.id == FollowerSetting.user_account_id)
        .outerjoin(last_digest, last_digest.c.user_account_id == FollowerSetting.user_account_id)
        .where(FollowerSetting.digest_frequency.in_(tuple(DUE_AFTER)), has_follow.exists())
    ).all()
    return [
        Follower(user_id, email, frequency, after)
        for user_id, email, frequency, after, at in rows
        if at is None or _aware(at) <= now - DUE_AFTER[frequency]
    ]


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def matched_changes(followers: list[Follower], newest: int) -> dict[int, np.ndarray]:
    """Per follower, the ids of the new changes their follows match (each once, newest first).

    Set-based: one join for project follows, one for beneficiary follows, one query per
    distinct followed search, all over the window of changes new to any due follower; the
    per-follower union is numpy's."""
    if not followers:
        return {}
    after = pd.Series({follower.user_id: follower.after for follower in followers})
    window = (ProjectChange.id > int(after.min()), ProjectChange.id <= newest)
    found: dict[int, list[np.ndarray]] = defaultdict(list)
    for kind, column in (
        ("project", ProjectChange.project_id),
        ("beneficiary", ProjectChange.beneficiary_key),
    ):
        pairs = pd.DataFrame(
            db.session.execute(
                select(Follow.user_account_id, ProjectChange.id)
                .join(ProjectChange, column == Follow.target)
                .where(Follow.target_kind == kind, *window)
            ).all(),
            columns=["user", "change"],
            dtype="int64",
        )
        pairs = pairs[
            pairs["change"].to_numpy() > pairs["user"].map(after).fillna(newest).to_numpy()
        ]
        for user_id, changes in pairs.groupby("user")["change"]:
            found[int(user_id)].append(changes.to_numpy())
    searches = db.session.execute(
        select(Follow.target, Follow.user_account_id).where(Follow.target_kind == "search")
    ).all()
    by_target: dict[str, list[int]] = defaultdict(list)
    for target, user_id in searches:
        if user_id in after.index:
            by_target[target].append(user_id)
    for target, users in by_target.items():
        ids = np.asarray(
            db.session.scalars(
                select(ProjectChange.id).where(follow_condition("search", target), *window)
            ).all(),
            dtype="int64",
        )
        for user_id in users:
            found[user_id].append(ids[ids > after[user_id]])
    matched = {}
    for user_id, parts in found.items():
        ids = np.unique(np.concatenate(parts))[::-1]
        if len(ids):
            matched[user_id] = ids
    return matched


def message_id(user_id: int, last_change_id: int) -> str:
    """The digest's Message-ID: the same for the same digest, on every attempt."""
    return f"<digest-{user_id}-{last_change_id}@{_mail_domain()}>"


def _mail_domain() -> str:
    sender = current_app.config["MAIL_DEFAULT_SENDER"] or ""
    return sender.rpartition("@")[2].strip(">") or urlsplit(current_app.config["SITE_URL"]).hostname


def claim_digests(now: datetime) -> int:
    """Phase 1: one outbox row per due follower with news; cursors move past what it tells."""
    followers = due_followers(now)
    newest = latest_change_id()
    matches = matched_changes(followers, newest)
    claims = [
        {
            "user_account_id": follower.user_id,
            "frequency": follower.frequency,
            "first_change_id": int(ids[-1]),
            "last_change_id": int(ids[0]),
            "change_count": len(ids),
            # The lines the email shows; the rest are a link to the account page.
            "change_ids": [int(i) for i in ids[:MAX_LINES]],
            "message_id": message_id(follower.user_id, int(ids[0])),
            "state": "pending",
            "created_at": now,
        }
        for follower in followers
        if (ids := matches.get(follower.user_id)) is not None
    ]
    for start in range(0, len(claims), 1000):
        db.session.execute(DigestOutbox.__table__.insert(), claims[start : start + 1000])
    # Nothing they follow changed up to ``newest``: no digest, and no need to look again.
    due = [follower.user_id for follower in followers]
    for start in range(0, len(due), 1000):
        db.session.execute(
            update(FollowerSetting)
            .where(FollowerSetting.user_account_id.in_(due[start : start + 1000]))
            .where(FollowerSetting.digest_change_id < newest)
            .values(digest_change_id=newest)
        )
    db.session.commit()
    return len(matches)


# --- the email ------------------------------------------------------------------------


def unsubscribe_token(user_id: int) -> str:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT).dumps(
        {"user": user_id}
    )


def user_of_token(token: str) -> int | None:
    """The user an unsubscribe token was signed for, or None for a forged or broken one."""
    serializer = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)
    try:
        payload = serializer.loads(token)
    except BadSignature:
        return None
    user = payload.get("user") if isinstance(payload, dict) else None
    return user if isinstance(user, int) else None


def digest_language(locale: str | None) -> str:
    """The language of a follower's digest: their account's, else English."""
    return locale if locale in LANGUAGES else DEFAULT_LANGUAGE


def build_message(row: DigestOutbox, email: str, changes: list[ChangeRow], language: str = "en"):
    """The digest email in ``language``: text and HTML parts, its Message-ID and one-click
    unsubscribe."""
    with force_locale(language):
        return _build_message(row, email, changes)


def _build_message(row: DigestOutbox, email: str, changes: list[ChangeRow]):
    unsubscribe = url_for(
        "changes.unsubscribe", token=unsubscribe_token(row.user_account_id), _external=True
    )
    context = {
        "changes": changes[:MAX_LINES],
        "more": max(0, row.change_count - len(changes[:MAX_LINES])),
        "frequency": row.frequency,
        "account_url": url_for("accounts.account", _external=True),
        "unsubscribe_url": unsubscribe,
    }
    count = row.change_count
    subject = ngettext(
        "CarbonScope: %(num)d change to what you follow",
        "CarbonScope: %(num)d changes to what you follow",
        count,
    )
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_template("changes/email/digest.txt", **context),
        to=[email],
        headers={
            "Message-ID": row.message_id,
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_template("changes/email/digest.html", **context), "text/html")
    return message


# --- phase 2: sending -------------------------------------------------------------------


def _mark(row_id: int, **values) -> None:
    db.session.execute(update(DigestOutbox).where(DigestOutbox.id == row_id).values(**values))
    db.session.commit()


def give_up_interrupted() -> int:
    """``sending`` rows are from a worker that died mid-send: never send those again."""
    result = db.session.execute(
        update(DigestOutbox).where(DigestOutbox.state == "sending").values(state="unconfirmed")
    )
    db.session.commit()
    if result.rowcount:
        log.warning("digests: %s interrupted while sending, not sent again", result.rowcount)
    return result.rowcount


def send_pending(
    after_send: Callable[[DigestOutbox], None] | None = None, limit: int | None = None
) -> int:
    """Phase 2: send the pending digests (the oldest ``limit`` of them, or all) over one SMTP
    connection; how many were sent.

    One commit a message: it marks this digest ``sending`` and the previous one ``sent``
    (a worker dying in between leaves the previous ``sending``: unconfirmed, as it should).
    ``after_send`` runs between an SMTP transaction and its record (tests stop there)."""
    rows = db.session.execute(
        select(DigestOutbox, UserAccount.email, UserAccount.locale)
        .join(UserAccount, UserAccount.id == DigestOutbox.user_account_id)
        .where(DigestOutbox.state == "pending")
        .order_by(DigestOutbox.id)
        .limit(limit)
    ).all()
    if not rows:
        return 0
    told = _changes_told([row for row, _email, _locale in rows])
    sent, previous = 0, None
    site = current_app.config["SITE_URL"]
    with current_app.test_request_context("/", base_url=site), mail.get_connection() as smtp:
        for row, email, locale in rows:
            changes = [told[i] for i in row.change_ids if i in told]
            message = build_message(row, email, changes, digest_language(locale))
            message.connection = smtp
            _mark_sending(row.id, previous)
            try:
                message.send()
            except (smtplib.SMTPException, OSError):
                _mark(row.id, state="pending")  # refused, so not sent: the next run tries again
                raise
            if after_send is not None:
                after_send(row)
            previous, sent = row.id, sent + 1
    if previous is not None:
        _mark(previous, state="sent", sent_at=utcnow())
    return sent


def _mark_sending(row_id: int, previous: int | None) -> None:
    if previous is not None:
        db.session.execute(
            update(DigestOutbox)
            .where(DigestOutbox.id == previous)
            .values(state="sent", sent_at=utcnow())
        )
    _mark(row_id, state="sending")


def _changes_told(rows: list[DigestOutbox]) -> dict[int, ChangeRow]:
    """Every change the digests tell, read at once."""
    ids = sorted({i for row in rows for i in row.change_ids})
    told = {}
    for start in range(0, len(ids), 5000):
        told.update({change.id: change for change in changes_by_id(ids[start : start + 5000])})
    return told


def send_due_digests(now: datetime | None = None, after_send=None) -> DigestReport:
    """Claim the due digests, then send every pending one."""
    report = DigestReport()
    report.unconfirmed = give_up_interrupted()
    report.claimed = claim_digests(now or utcnow())
    report.sent = send_pending(after_send)
    return report


def send_digests_after_sync() -> DigestReport | None:
    """The worker's step after a successful sync: a mail server problem is logged and
    leaves the claimed digests pending for the next run; it never fails the sync."""
    try:
        report = send_due_digests()
    except (smtplib.SMTPException, OSError):
        log.exception("digests: the mail server refused or is unreachable; will retry")
        return None
    log.info(
        "digests: %s claimed, %s sent, %s unconfirmed",
        report.claimed,
        report.sent,
        report.unconfirmed,
    )
    return report


@click.command("send-digests")
@with_appcontext
def send_digests_command() -> None:
    """Send the due email digests now (the worker does it after every successful sync)."""
    report = send_due_digests()
    click.echo(
        f"{report.claimed} digest(s) claimed, {report.sent} sent, "
        f"{report.unconfirmed} left unconfirmed by an interrupted run"
    )
