"""Each follower's digest speaks their account's language (English when they chose none)."""

from __future__ import annotations

import re

from app.changes.digests import send_due_digests
from app.changes.follows import Target, follow
from app.extensions import db
from tests.changes.conftest import make_change
from tests.factories import make_project, make_user


def test_a_korean_reader_gets_korean_and_an_english_reader_english(mailbox):
    project = make_project("VCS100", name="Kenya Stoves", country="Kenya")
    korean = make_user("ko-reader@example.org")
    korean.locale = "ko"
    english = make_user("en-reader@example.org")  # no choice: English
    db.session.commit()
    for user in (korean, english):
        follow(user.id, Target("project", "VCS100", "VCS100 Kenya Stoves"))
    make_change(project, "issuance", quantity=2500, vintage=2024)
    make_change(project, "status", field="status", old_value="Listed", new_value="Registered")

    assert send_due_digests().sent == 2
    by_reader = {message["To"]: message for message in mailbox.messages}

    korean_mail = by_reader["ko-reader@example.org"]
    # (An encoded subject may unfold with a leading space.)
    assert korean_mail["Subject"].strip() == "CarbonScope: 팔로우 항목의 변경 사항 2건"
    text = korean_mail.get_body(("plain",)).get_content()
    html = korean_mail.get_body(("html",)).get_content()
    assert "VCS100: 크레딧 2,500개 발행 (빈티지 2024)" in text
    assert "팔로우 중인 모든 항목:" in text
    assert '<html lang="ko">' in html
    assert "팔로우 항목의 변경 사항" in html
    assert "상태 Listed → Registered" in html
    assert "What changed in what you follow" not in html
    assert "Issued" not in text

    english_mail = by_reader["en-reader@example.org"]
    assert english_mail["Subject"] == "CarbonScope: 2 changes to what you follow"
    english_text = english_mail.get_body(("plain",)).get_content()
    english_html = english_mail.get_body(("html",)).get_content()
    assert "VCS100: Issued 2,500 credits of vintage 2024" in english_text
    assert '<html lang="en">' in english_html
    assert re.search(r"You get this (daily|weekly) digest", english_html)
    assert "팔로우" not in english_text + english_html
