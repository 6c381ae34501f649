"""Numbers, dates, percentages and "3 days ago" as each language writes them (Babel)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.templating import (
    format_ago,
    format_as_of,
    format_date,
    format_datetime,
    format_number,
    format_share,
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
