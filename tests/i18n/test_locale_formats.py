"""Numbers, dates, percentages and "3 days ago" as each language writes them (Babel)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask import url_for
from flask_babel import force_locale

from app.templating import (
    format_ago,
    format_as_of,
    format_date,
    format_datetime,
    format_number,
    format_share,
    path_for,
)

MOMENT = datetime(2026, 11, 30, 3, 10, tzinfo=UTC)


@pytest.fixture(params=["en", "ko"])
def language(request, sqlite_app):
    with sqlite_app.test_request_context("/", headers={"Accept-Language": request.param}):
        yield request.param


EXPECTED = {
    "en": {
        "number": "1,234,567",
        "share": "51.2%",
        "date": "2026-11-30",
        "datetime": "2026-11-30 03:10 UTC",
        "news_date": "30 Nov 2026",
        "as_of": "30 Nov 2026, 03:10 UTC",
        "ago": "3 days ago",
    },
    "ko": {
        "number": "1,234,567",
        "share": "51.2%",
        "date": "2026년 11월 30일",
        "datetime": "2026년 11월 30일 03:10 UTC",
        "news_date": "2026년 11월 30일",
        "as_of": "2026년 11월 30일 03:10 UTC",
        "ago": "3일 전",
    },
}


def test_each_language_writes_numbers_and_dates_its_own_way(language):
    expected = EXPECTED[language]
    assert format_number(1_234_567) == expected["number"]
    assert format_share(0.512, 1) == expected["share"]
    assert format_date(date(2026, 11, 30)) == expected["date"]
    assert format_date("2026-11-30") == expected["date"]
    assert format_datetime(MOMENT) == expected["datetime"]
    assert format_datetime(MOMENT, "%d %b %Y") == expected["news_date"]
    assert format_as_of(MOMENT) == expected["as_of"]
    assert format_ago(MOMENT, now=MOMENT + timedelta(days=3)) == expected["ago"]


def test_missing_values_show_nothing(language):
    assert format_number(None) == ""
    assert format_share(None) == ""
    assert format_date(None) == ""
    assert format_datetime(None) == ""
    assert format_ago(None) == ""


def test_digit_grouping_follows_a_locale_forced_inside_the_request(sqlite_app):
    with sqlite_app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert format_number(1_234_567) == "1,234,567"
        with force_locale("de"):
            assert format_number(1_234_567) == "1.234.567"
        assert format_number(1_234_567) == "1,234,567"


def test_path_for_quotes_each_value_as_url_for_does(sqlite_app):
    values = ["VCS-123", "GS 561", "a/b?c#d%e", "x;y=z&w+q", "한국", "..", 42]
    with sqlite_app.test_request_context("/credits"):
        project_path = path_for("catalog.detail", "project_id")
        beneficiary_path = path_for("credits.beneficiary", "slug")
        for value in values:
            assert project_path(value) == url_for("catalog.detail", project_id=value)
            assert beneficiary_path(value) == url_for("credits.beneficiary", slug=value)
