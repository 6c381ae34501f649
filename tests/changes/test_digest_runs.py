"""A digest run for many followers: what each is told, batches over several SMTP
connections, and each digest sent once when the worker dies or the server refuses."""

from __future__ import annotations

import smtplib
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.changes import digests
from app.changes.digests import MAX_LINES, send_due_digests
from app.changes.follows import Target, follow
from app.extensions import db, mail
from app.models import DigestOutbox, FollowerSetting
from tests.changes.conftest import _free_port, make_change
from tests.factories import make_project, make_user


class WorkerDied(BaseException):
    """Stands for the process ending: not an error any code would catch."""


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(digests, "SEND_BATCH", 2)
    monkeypatch.setattr(digests, "SMTP_CONNECTIONS", 2)


def followers_of(project, count: int) -> list:
    users = [make_user(f"follower{n}@example.org") for n in range(count)]
    for user in users:
        follow(user.id, Target("project", project.project_id, project.project_id))
    return users


def arrived_per_recipient(mailbox) -> Counter:
    return Counter(message["To"] for message in mailbox.messages)


def test_a_change_matched_by_several_follows_is_told_once_and_counted_once(mailbox, app):
    kenya = make_project("VCS100", name="Kenya Stoves", country="Kenya")
    peru = make_project("VCS200", name="Peru Forest", country="Peru")
    reader = make_user("reader@example.org")
    follow(reader.id, Target("project", "VCS100", "VCS100"))
    follow(reader.id, Target("search", "/changes?country=Kenya", "Kenya"))
    follow(reader.id, Target("beneficiary", "acme", "Acme"))
    first = make_change(kenya, "retirement", quantity=5, beneficiary="Acme", beneficiary_key="acme")
    make_change(peru, "retirement", quantity=7, beneficiary="Acme", beneficiary_key="acme")
    make_change(peru, "issuance", quantity=9)  # nothing the reader follows: not counted
    for quantity in range(1, MAX_LINES + 4):
        make_change(kenya, "issuance", quantity=quantity)
    assert send_due_digests().sent == 1
    [message] = mailbox.messages
    row = db.session.scalar(select(DigestOutbox))
    assert row.change_count == 2 + MAX_LINES + 3
    assert len(row.change_ids) == MAX_LINES
    assert row.change_ids == sorted(row.change_ids, reverse=True)
    text = message.get_body(("plain",)).get_content()
    assert f"… and {row.change_count - MAX_LINES} more" in text
    assert row.first_change_id == first.id


def test_each_follower_is_told_only_what_is_new_to_them(mailbox, app):
    project = make_project("VCS100", name="Kenya Stoves")
    early, late = followers_of(project, 2)
    seen_by_late = make_change(project, "issuance", quantity=11)
    # The later follower's digests start after the first change; the earlier one's before it.
    db.session.execute(
        FollowerSetting.__table__.update()
        .where(FollowerSetting.user_account_id == late.id)
        .values(digest_change_id=seen_by_late.id)
    )
    db.session.execute(
        FollowerSetting.__table__.update()
        .where(FollowerSetting.user_account_id == early.id)
        .values(digest_change_id=0)
    )
    db.session.commit()
    make_change(project, "issuance", quantity=22)
    assert send_due_digests().sent == 2
    texts = {m["To"]: m.get_body(("plain",)).get_content() for m in mailbox.messages}
    assert "Issued 11 credits" in texts[early.email]
    assert "Issued 22 credits" in texts[early.email]
    assert "Issued 11 credits" not in texts[late.email]
    assert "Issued 22 credits" in texts[late.email]


def test_many_digests_go_out_in_batches_each_once(mailbox, small_batches):
    project = make_project("VCS100", name="Kenya Stoves")
    users = followers_of(project, 5)
    make_change(project, "issuance", quantity=3)
    report = send_due_digests()
    assert (report.claimed, report.sent) == (5, 5)
    assert arrived_per_recipient(mailbox) == Counter({user.email: 1 for user in users})
    assert set(db.session.scalars(select(DigestOutbox.state))) == {"sent"}
    ids = [message["Message-ID"] for message in mailbox.messages]
    assert len(set(ids)) == 5


def test_a_worker_dying_mid_batch_never_sends_that_batch_again(mailbox, small_batches):
    project = make_project("VCS100", name="Kenya Stoves")
    followers_of(project, 5)
    make_change(project, "issuance", quantity=3)

    def die(row):
        raise WorkerDied

    with pytest.raises(WorkerDied):
        send_due_digests(after_send=die)
    db.session.rollback()
    assert len(mailbox.messages) == 2  # the first batch left, unrecorded
    states = Counter(db.session.scalars(select(DigestOutbox.state)))
    assert states == Counter({"sending": 2, "pending": 3})
    report = send_due_digests()
    assert (report.unconfirmed, report.claimed, report.sent) == (2, 0, 3)
    assert len(mailbox.messages) == 5
    assert set(arrived_per_recipient(mailbox).values()) == {1}


class RefusingMailbox:
    """Refuses one recipient at RCPT, as a server does a full or closed mailbox."""

    def __init__(self, mailbox, refused: str):
        self.mailbox, self.refused = mailbox, refused

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == self.refused:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        return await self.mailbox.handle_DATA(server, session, envelope)


def test_a_refused_digest_stays_pending_and_the_rest_of_its_batch_is_recorded(
    app, mailbox, small_batches
):
    project = make_project("VCS100", name="Kenya Stoves")
    users = followers_of(project, 2)
    make_change(project, "issuance", quantity=3)
    port = _free_port()
    refusing = Controller(RefusingMailbox(mailbox, users[1].email), hostname="127.0.0.1", port=port)
    refusing.start()
    try:
        app.config["MAIL_PORT"] = port
        mail.init_app(app)
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            send_due_digests()
    finally:
        refusing.stop()
    states = dict(
        db.session.execute(select(DigestOutbox.user_account_id, DigestOutbox.state)).all()
    )
    assert states == {users[0].id: "sent", users[1].id: "pending"}
    app.config["MAIL_PORT"] = mailbox.port
    mail.init_app(app)
    assert send_due_digests().sent == 1
    assert arrived_per_recipient(mailbox) == Counter({users[0].email: 1, users[1].email: 1})
