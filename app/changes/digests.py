"""Email digests: after a sync, each due follower gets one email of what changed for them.

Two phases, so a digest goes out once even when the worker dies half-way:

1. **Claim** (one transaction): for every due follower with new matching changes, an
   outbox row fixes the changes it tells and a stable Message-ID, and the follower's
   ``digest_change_id`` moves past them; the next digest starts after them.
2. **Send**, a batch at a time over a few SMTP connections: ``sending`` is committed for
   the batch just before its SMTP transactions and ``sent`` just after. A ``pending`` row
   (claimed, never handed to SMTP) is sent by the next run; a ``sending`` row left by a
   dead worker may have left already, so it is never sent again: it becomes
   ``unconfirmed``. A follower thus never gets a digest twice.

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
from flask import current_app, render_template, url_for
from flask.cli import with_appcontext
from flask_babel import force_locale, ngettext
from flask_babel import lazy_gettext as _l
from flask_mailman import EmailMultiAlternatives
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import String, cast, func, select, update

from app.changes.follows import follow_condition
from app.changes.search import ChangeRow, changes_by_id, latest_change_id
from app.changes.smtp_pool import SmtpPool
from app.extensions import db
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES
from app.models import DigestOutbox, Follow, FollowerSetting, ProjectChange, UserAccount, utcnow

log = logging.getLogger(__name__)

# A little under a day and a week: a daily sync that runs a few minutes early still counts.
DUE_AFTER = {"daily": timedelta(hours=20), "weekly": timedelta(days=6, hours=20)}
MAX_LINES = 50
# Connections to the mail server used at once, and digests recorded per commit: a dying
# worker leaves at most one batch unconfirmed.
SMTP_CONNECTIONS = 4
SEND_BATCH = 100
MAX_KEPT_LINES = 200_000
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


@dataclass(frozen=True)
class Matched:
    """What one follower's digest tells: how many changes, the first and last, the newest lines."""

    count: int
    first: int
    last: int
    newest: list[int]  # at most MAX_LINES ids, newest first


# Followers whose matches are united at once: bounds the memory of the union (a few tens of MB).
FOLLOWERS_PER_BLOCK = 2_000


def matched_changes(followers: list[Follower], newest: int) -> dict[int, Matched]:
    """Per follower with news, what their follows match among the changes new to them
    (each change once).

    Set-based: one grouped join for the project follows, one for the beneficiary follows,
    one query per distinct followed search, over the window of changes new to any due
    follower. The per-follower union is one sorted array of (follower, change) keys per
    block of followers, never a Python object per pair: 10,000 followers of 50 follows
    each match some 14 million pairs."""
    if not followers:
        return {}
    users = np.array(sorted(follower.user_id for follower in followers), dtype=np.int64)
    after_of = {follower.user_id: follower.after for follower in followers}
    after = np.array([after_of[user] for user in users.tolist()], dtype=np.int64)
    low = int(after.min())
    window = (ProjectChange.id > low, ProjectChange.id <= newest)
    subjects = [
        _subject_pairs(users, kind, column, window)
        for kind, column in (
            ("project", ProjectChange.project_id),
            ("beneficiary", ProjectChange.beneficiary_key),
        )
    ]
    searches = _search_matches(users, window)
    matched: dict[int, Matched] = {}
    for block in range(0, len(users), FOLLOWERS_PER_BLOCK):
        span = (block, min(block + FOLLOWERS_PER_BLOCK, len(users)))
        followers_of, changes = _union(span, subjects, searches, after, newest)
        matched.update(_summaries(users, followers_of, changes))
    return matched


def _subject_pairs(users: np.ndarray, kind: str, column, window) -> tuple[np.ndarray, np.ndarray]:
    """(follower index, change id) pairs of the project or beneficiary follows.

    Each follower's ids come as one string: a million pairs, ten thousand rows."""
    rows = db.session.execute(
        select(Follow.user_account_id, func.aggregate_strings(cast(ProjectChange.id, String), ","))
        .join(ProjectChange, column == Follow.target)
        .where(Follow.target_kind == kind, *window)
        .group_by(Follow.user_account_id)
    ).all()
    rows = [(user, text) for user, text in rows if text]
    if not rows:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    followers = np.array([user for user, _ in rows], dtype=np.int64)
    lengths = [text.count(",") + 1 for _, text in rows]
    changes = np.fromstring(",".join(text for _, text in rows), dtype=np.int64, sep=",")
    indexes = np.searchsorted(users, followers)
    known = (indexes < len(users)) & (users[np.minimum(indexes, len(users) - 1)] == followers)
    return np.repeat(np.where(known, indexes, -1), lengths), changes


def _search_matches(users: np.ndarray, window) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per distinct followed search: (the due followers' indexes, the ids it matches)."""
    by_target: dict[str, list[int]] = defaultdict(list)
    for target, user_id in db.session.execute(
        select(Follow.target, Follow.user_account_id).where(Follow.target_kind == "search")
    ):
        by_target[target].append(user_id)
    matches = []
    for target, user_ids in by_target.items():
        followers = np.intersect1d(users, np.array(user_ids, dtype=np.int64))
        if not len(followers):
            continue
        ids = np.fromiter(
            db.session.scalars(
                select(ProjectChange.id).where(follow_condition("search", target), *window)
            ),
            dtype=np.int64,
        )
        if len(ids):
            matches.append((np.searchsorted(users, followers), ids))
    return matches


def _union(span, subjects, searches, after: np.ndarray, newest: int):
    """The distinct (follower index, change id) pairs of followers ``span``, sorted by
    follower then change, keeping only the changes after each follower's cursor."""
    first, stop = span
    parts = []
    for followers, changes in subjects:
        inside = (followers >= first) & (followers < stop)
        parts.append((followers[inside], changes[inside]))
    for followers, changes in searches:
        chosen = followers[(followers >= first) & (followers < stop)]
        if len(chosen):
            parts.append((np.repeat(chosen, len(changes)), np.tile(changes, len(chosen))))
    if not parts:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    followers = np.concatenate([part[0] for part in parts])
    changes = np.concatenate([part[1] for part in parts])
    new = changes > after[followers]
    # One sortable key per pair: follower index * (newest + 1) + change id.
    width = np.int64(newest + 1)
    keys = np.sort(followers[new] * width + changes[new])
    # Sorted, then each key once (numpy's unique hashes: many times slower on such arrays).
    keys = keys[np.r_[True, keys[1:] != keys[:-1]]] if len(keys) else keys
    return keys // width, keys % width


def _summaries(users: np.ndarray, followers: np.ndarray, changes: np.ndarray) -> dict:
    """Per follower of the sorted pairs: count, first, last and newest ids."""
    matched = {}
    if not len(followers):
        return matched
    starts = np.flatnonzero(np.r_[True, followers[1:] != followers[:-1]])
    ends = np.r_[starts[1:], len(followers)]
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        newest = changes[max(start, end - MAX_LINES) : end][::-1].tolist()
        matched[int(users[followers[start]])] = Matched(
            end - start, int(changes[start]), int(changes[end - 1]), newest
        )
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
            "first_change_id": found.first,
            "last_change_id": found.last,
            "change_count": found.count,
            # The lines the email shows; the rest are a link to the account page.
            "change_ids": found.newest,
            "message_id": message_id(follower.user_id, found.last),
            "state": "pending",
            "created_at": now,
        }
        for follower in followers
        if (found := matches.get(follower.user_id)) is not None
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


@dataclass(frozen=True)
class DigestLine:
    """One change as a digest shows it: worked out once, however many digests tell it."""

    id: int
    project_id: str | None
    project_name: str | None
    registry: str | None
    title: str
    summary: str
    url: str

    @classmethod
    def of(cls, change: ChangeRow) -> DigestLine:
        url = (
            url_for("catalog.detail", project_id=change.project_id, _external=True)
            if change.project_id
            else url_for("changes.index", _external=True)
        )
        return cls(
            change.id,
            change.project_id,
            change.project_name,
            change.registry,
            change.title,
            change.summary,
            url,
        )


def build_message(row: DigestOutbox, email: str, changes: list[DigestLine], language: str = "en"):
    """The digest email in ``language``: text and HTML parts, its Message-ID and one-click
    unsubscribe."""
    with force_locale(language):
        return _build_message(row, email, changes)


def _build_message(row: DigestOutbox, email: str, changes: list[DigestLine]):
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


def _set_state(row_ids: list[int], state: str, **values) -> None:
    """One statement for a whole batch of outbox rows (committed by the caller)."""
    for start in range(0, len(row_ids), 1000):
        db.session.execute(
            update(DigestOutbox)
            .where(DigestOutbox.id.in_(row_ids[start : start + 1000]))
            .values(state=state, **values)
        )


def give_up_interrupted() -> int:
    """``sending`` rows are from a worker that died mid-send: never send those again."""
    result = db.session.execute(
        update(DigestOutbox).where(DigestOutbox.state == "sending").values(state="unconfirmed")
    )
    db.session.commit()
    if result.rowcount:
        log.warning("digests: %s interrupted while sending, not sent again", result.rowcount)
    return result.rowcount


def _pending_batch(after_id: int, size: int) -> list[tuple[DigestOutbox, str, str | None]]:
    """The next pending digests: each with its reader's address and language."""
    return db.session.execute(
        select(DigestOutbox, UserAccount.email, UserAccount.locale)
        .join(UserAccount, UserAccount.id == DigestOutbox.user_account_id)
        .where(DigestOutbox.state == "pending", DigestOutbox.id > after_id)
        .order_by(DigestOutbox.id)
        .limit(size)
    ).all()


def send_pending(
    after_send: Callable[[DigestOutbox], None] | None = None, limit: int | None = None
) -> int:
    """Phase 2: send the pending digests (the oldest ``limit`` of them, or all) over
    ``SMTP_CONNECTIONS`` persistent connections; how many were sent.

    Batch by batch: one commit marks the batch ``sending``, its messages go out, one commit
    records each ``sent`` (or, refused, ``pending`` again). A worker dying in between leaves
    at most one batch ``sending``: unconfirmed, never sent twice. A refusal stops the run
    once its batch is recorded (the next run tries again). ``after_send`` runs for each sent
    message between the SMTP transactions and their record (tests stop there)."""
    batch = _pending_batch(0, min(SEND_BATCH, limit or SEND_BATCH))
    if not batch:
        return 0
    sent = 0
    site = current_app.config["SITE_URL"]
    with (
        current_app.test_request_context("/", base_url=site),
        SmtpPool(min(SMTP_CONNECTIONS, len(batch))) as pool,
    ):
        # Digests of one run share most of their lines (worded once per language).
        lines: dict[tuple[str, int], DigestLine] = {}
        while batch:
            last_id = batch[-1][0].id
            sent += _send_batch(batch, pool, after_send, lines)
            wanted = SEND_BATCH if limit is None else min(SEND_BATCH, limit - sent)
            batch = _pending_batch(last_id, wanted) if wanted > 0 else []
    return sent


def _send_batch(batch, pool: SmtpPool, after_send, lines: dict[tuple[str, int], DigestLine]) -> int:
    languages = [digest_language(locale) for _row, _email, locale in batch]
    rows = [row for row, _email, _locale in batch]
    _read_lines(rows, languages, lines)
    messages = [
        build_message(
            row,
            email,
            [lines[language, i] for i in row.change_ids if (language, i) in lines],
            language,
        )
        for (row, email, _locale), language in zip(batch, languages, strict=True)
    ]
    row_ids = [row.id for row in rows]
    _set_state(row_ids, "sending")
    db.session.commit()
    outcomes = pool.send(messages)
    if after_send is not None:
        for row, outcome in zip(rows, outcomes, strict=True):
            if outcome.sent:
                after_send(row)
    sent = [row_id for row_id, outcome in zip(row_ids, outcomes, strict=True) if outcome.sent]
    # Refused or never tried, so not sent: the next run sends them.
    unsent = [row_id for row_id, outcome in zip(row_ids, outcomes, strict=True) if not outcome.sent]
    _set_state(sent, "sent", sent_at=utcnow())
    _set_state(unsent, "pending")
    db.session.commit()
    refusals = [outcome.error for outcome in outcomes if outcome.error is not None]
    if refusals:
        raise refusals[0]
    return len(sent)


def _read_lines(
    rows: list[DigestOutbox], languages: list[str], lines: dict[tuple[str, int], DigestLine]
) -> None:
    """Add the lines of every change these digests tell that ``lines`` lacks, read at once
    and worded in each reader's language."""
    if len(lines) > MAX_KEPT_LINES:
        lines.clear()
    wanted: dict[str, set[int]] = defaultdict(set)
    for row, language in zip(rows, languages, strict=True):
        wanted[language].update(i for i in row.change_ids if (language, i) not in lines)
    for language, change_ids in wanted.items():
        ids = sorted(change_ids)
        with force_locale(language):
            for start in range(0, len(ids), 5000):
                for change in changes_by_id(ids[start : start + 5000]):
                    lines[language, change.id] = DigestLine.of(change)


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
