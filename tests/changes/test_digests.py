"""Email digests, sent through a real local SMTP server (aiosmtpd) and read as they arrived."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.changes.digests import send_due_digests
from app.changes.follows import Target, follow
from app.extensions import db
from app.models import DigestOutbox, FollowerSetting, utcnow
from tests.changes.conftest import make_change
from tests.factories import make_project, make_user


class WorkerDied(BaseException):
    """Stands for the process ending: not an error any code would catch."""


@pytest.fixture
def watched(app):
    project = make_project("VCS100", name="Kenya Stoves", country="Kenya")
    user = make_user("reader@example.org")
    follow(user.id, Target("project", "VCS100", "VCS100 Kenya Stoves"))
    return project, user


def states() -> list[str]:
    return list(db.session.scalars(select(DigestOutbox.state).order_by(DigestOutbox.id)))


def test_a_digest_arrives_once_with_text_html_and_unsubscribe_headers(client, mailbox, watched):
    project, user = watched
    make_change(project, "issuance", quantity=2500, vintage=2024)
    make_change(project, "status", field="status", old_value="Listed", new_value="Registered")
    report = send_due_digests()
    assert (report.claimed, report.sent) == (1, 1)
    [message] = mailbox.messages
    assert message["To"] == "reader@example.org"
    assert message["Subject"] == "CarbonScope: 2 changes to what you follow"
    assert message["Message-ID"].startswith(f"<digest-{user.id}-")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "VCS100: Issued 2,500 credits of vintage 2024" in text
    assert "Status Listed → Registered" in html
    # The one-click link works with a bare POST (no session, no CSRF token), as mail clients send.
    link = message["List-Unsubscribe"].strip().strip("<>")
    assert link.startswith("http://localhost:5000/unsubscribe/")
    assert client.post(link.removeprefix("http://localhost:5000")).status_code == 200
    setting = db.session.scalar(
        select(FollowerSetting).where(FollowerSetting.user_account_id == user.id)
    )
    db.session.refresh(setting)
    assert setting.digest_frequency == "off"


def test_nothing_is_sent_when_nothing_followed_changed(mailbox, watched):
    make_change(make_project("VCS200"), "issuance")
    report = send_due_digests()
    assert (report.claimed, report.sent) == (0, 0)
    assert mailbox.messages == []


def test_the_next_digest_tells_only_newer_changes_and_waits_for_its_period(mailbox, watched):
    project, _user = watched
    first = make_change(project, "issuance", quantity=1)
    send_due_digests()
    second = make_change(project, "issuance", quantity=2)
    assert send_due_digests().sent == 0  # weekly: not due again the same day
    later = utcnow() + timedelta(days=7)
    assert send_due_digests(now=later).sent == 1
    texts = [m.get_body(("plain",)).get_content() for m in mailbox.messages]
    assert "Issued 1 credit" in texts[0]
    assert "Issued 2 credits" not in texts[0]
    assert "Issued 2 credits" in texts[1]
    assert "Issued 1 credit " not in texts[1]
    assert first.id < second.id


def test_a_worker_dying_after_sending_never_sends_that_digest_again(mailbox, watched):
    project, _ = watched
    make_change(project, "issuance", quantity=10)

    def die(row):
        raise WorkerDied

    with pytest.raises(WorkerDied):
        send_due_digests(after_send=die)
    db.session.rollback()
    assert len(mailbox.messages) == 1
    assert states() == ["sending"]
    report = send_due_digests(now=utcnow() + timedelta(days=8))
    assert (report.unconfirmed, report.sent) == (1, 0)
    assert states() == ["unconfirmed"]
    assert len(mailbox.messages) == 1


def test_a_worker_dying_before_sending_leaves_the_digest_for_the_next_run(app, mailbox, watched):
    project, _user = watched
    make_change(project, "issuance", quantity=10)
    app.config["MAIL_PORT"] = 1  # nothing listens: the claim is made, the send fails
    from app.extensions import mail

    mail.init_app(app)
    with pytest.raises(ConnectionRefusedError):
        send_due_digests()
    assert states() == ["pending"]
    assert mailbox.messages == []
    app.config["MAIL_PORT"] = mailbox.port
    mail.init_app(app)
    report = send_due_digests()
    assert (report.claimed, report.sent) == (0, 1)
    assert states() == ["sent"]
    [message] = mailbox.messages
    row = db.session.scalar(select(DigestOutbox))
    assert message["Message-ID"] == row.message_id


def test_daily_followers_get_one_digest_a_day(mailbox, watched):
    project, _user = watched
    db.session.execute(FollowerSetting.__table__.update().values(digest_frequency="daily"))
    db.session.commit()
    make_change(project, "issuance", quantity=3)
    assert send_due_digests().sent == 1
    make_change(project, "issuance", quantity=4)
    assert send_due_digests(now=utcnow() + timedelta(hours=2)).sent == 0
    assert send_due_digests(now=utcnow() + timedelta(days=1)).sent == 1
