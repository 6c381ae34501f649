"""Template filters and globals shared by every blueprint's templates."""

from __future__ import annotations

from datetime import datetime

from flask import Flask

from app.charts import short_number


def format_number(value) -> str:
    """12345678 -> '12,345,678'; empty for a missing value."""
    if value is None or value == "":
        return ""
    return f"{int(value):,}"


def format_datetime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M UTC") -> str:
    return value.strftime(fmt) if value else ""


def format_as_of(value: datetime | None) -> str:
    """'30 Nov 2026, 03:10 UTC': how the pages say how fresh a registry's data is."""
    return f"{value.day} {value.strftime('%b %Y, %H:%M')} UTC" if value else ""


def init_templating(app: Flask) -> None:
    from app.freshness import freshness_for, registry_freshness

    app.add_template_filter(format_number, "number")
    app.add_template_filter(short_number, "short_number")
    app.add_template_filter(format_datetime, "datetime")
    app.add_template_filter(format_as_of, "as_of")
    app.add_template_global(registry_freshness)
    app.add_template_global(freshness_for)
