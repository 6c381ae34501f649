"""Template filters and globals shared by every blueprint's templates.

Numbers, dates and percentages are written the way the page's language writes them (Babel):
1,234,567 in both; 2026-11-30 in English, 2026년 11월 30일 in Korean. English keeps the
compact ISO dates the pages have always shown; other languages get their locale's own date.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, date, datetime
from urllib.parse import quote

from babel.dates import format_skeleton
from babel.numbers import format_percent, get_group_symbol
from flask import Flask, g, has_app_context, url_for
from flask_babel import format_timedelta, get_locale

from app.charts import short_number
from app.i18n import DEFAULT_LANGUAGE, current_language

# A date in the locale's own words: 'Nov 30, 2026', '2026년 11월 30일'.
LOCALE_DATE_SKELETON = "yMMMd"


def _locale():
    """The page's locale; English outside a request (the CLI, a test without an app)."""
    return get_locale() or DEFAULT_LANGUAGE


def format_number(value) -> str:
    """12345678 -> '12,345,678' (the locale's digit grouping); empty for a missing value.

    A results page writes ~250 numbers and Babel's formatter costs ~20 µs each; whole
    numbers only need the locale's group separator, looked up once per locale."""
    if value is None or value == "":
        return ""
    grouped = f"{int(value):,}"
    separator = _request_group_separator()
    return grouped if separator == "," else grouped.replace(",", separator)


def _request_group_separator() -> str:
    """The group separator of the locale in force, remembered for as long as that locale is
    (as ``request_translations``: Flask-Babel's get_locale costs more than the grouping)."""
    babel_context = getattr(g, "_flask_babel", None) if has_app_context() else None
    locale = getattr(babel_context, "babel_locale", None)
    if locale is None:
        return _group_separator(str(_locale()))
    remembered = getattr(babel_context, "carbonscope_group_separator", None)
    if remembered is None or remembered[0] is not locale:
        remembered = (locale, _group_separator(str(locale)))
        babel_context.carbonscope_group_separator = remembered
    return remembered[1]


@functools.cache
def _group_separator(locale) -> str:
    """By the Locale itself: spelling it out as text cost more than the formatting."""
    return get_group_symbol(locale=str(locale or DEFAULT_LANGUAGE))


def format_share(value, decimals: int = 0) -> str:
    """0.512 -> '51%' (or '51.2%' with decimals=1); empty for a missing value."""
    if value is None:
        return ""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return format_percent(value, pattern, locale=_locale())


def _locale_date(value: date | datetime) -> str:
    return format_skeleton(LOCALE_DATE_SKELETON, value, locale=_locale())


def format_datetime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M UTC") -> str:
    """English: ``fmt`` (strftime) as given. Other languages: the locale's date, and the time
    (24-hour, UTC) when ``fmt`` shows one."""
    if not value:
        return ""
    if current_language() == DEFAULT_LANGUAGE:
        return value.strftime(fmt)
    shown = _locale_date(value)
    if "%H" in fmt:
        shown += value.strftime(" %H:%M:%S" if "%S" in fmt else " %H:%M")
        shown += " UTC" if "UTC" in fmt else ""
    return shown


def format_date(value: date | str | None) -> str:
    """A day: ISO in English ('2026-11-30'), the locale's date elsewhere. Accepts ISO text."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if current_language() == DEFAULT_LANGUAGE:
        return value.isoformat()
    return _locale_date(value)


def format_as_of(value: datetime | None) -> str:
    """'30 Nov 2026, 03:10 UTC' ('2026년 11월 30일 03:10 UTC'): how fresh a registry's data is."""
    if not value:
        return ""
    if current_language() == DEFAULT_LANGUAGE:
        return f"{value.day} {value.strftime('%b %Y, %H:%M')} UTC"
    return f"{_locale_date(value)} {value.strftime('%H:%M')} UTC"


def format_ago(value: datetime | None, now: datetime | None = None) -> str:
    """'3 days ago' / '3일 전': how long ago ``value`` (naive UTC or aware) was."""
    if not value:
        return ""
    now = now or datetime.now(UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_timedelta(value - now, add_direction=True)


# What werkzeug's default converter leaves unquoted in a path segment (BaseConverter.to_url).
_PATH_SAFE = "!$&'()*+,/:;=@"
_PLACEHOLDER = "carbonscope-path-value"


def path_for(endpoint: str, name: str) -> Callable[[object], str]:
    """``url_for(endpoint, name=value)`` for many values: the route built once, each value
    quoted as werkzeug quotes it (a results page links each of its 50 rows twice, and
    url_for costs more than the rest of the row)."""
    prefix, _, suffix = url_for(endpoint, **{name: _PLACEHOLDER}).partition(_PLACEHOLDER)
    return lambda value: prefix + quote(str(value), safe=_PATH_SAFE) + suffix


def init_templating(app: Flask) -> None:
    from app.freshness import freshness_for, registry_freshness
    from app.vocabulary_display import credit_kind_label, status_label, vocabulary_label

    app.add_template_filter(format_number, "number")
    app.add_template_filter(format_share, "percent")
    app.add_template_filter(short_number, "short_number")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_date, "date")
    app.add_template_filter(format_as_of, "as_of")
    app.add_template_filter(format_ago, "ago")
    app.add_template_filter(vocabulary_label, "vocabulary")
    app.add_template_global(registry_freshness)
    app.add_template_global(freshness_for)
    app.add_template_global(status_label)
    app.add_template_global(credit_kind_label)
    app.add_template_global(path_for)
