"""An upload's problem is told in the language of the person who sent it."""

from __future__ import annotations

import io

from flask_babel import refresh

from app.archive_limits import UnpackLimits, unpack_problem

LIMITS = UnpackLimits(max_bytes=1024, max_ratio=100)


def test_an_unreadable_archive_is_refused_in_the_senders_language(sqlite_app):
    not_a_zip = io.BytesIO(b"plainly not a zip")
    # Each context chooses afresh (the app's before_request does it for real requests).
    with sqlite_app.test_request_context(headers={"Accept-Language": "ko"}):
        refresh()
        assert unpack_problem(not_a_zip, LIMITS) == "읽을 수 있는 zip 압축 파일이 아닙니다"
    with sqlite_app.test_request_context():
        refresh()
        assert unpack_problem(not_a_zip, LIMITS) == "it is not a readable zip archive"
