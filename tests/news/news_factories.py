"""News rows for tests that are not about fetching."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from app.extensions import db
from app.models import NewsItem

_sequence = itertools.count(1)
BASE_TIME = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def make_news_item(title: str | None = None, *, source: str = "Carbon Daily", **fields):
    """One stored item; later calls are newer unless published_at is given."""
    number = next(_sequence)
    fields.setdefault("published_at", BASE_TIME + timedelta(hours=number))
    fields.setdefault("link", f"https://news.example/{number}")
    projects = fields.pop("projects", [])
    item = NewsItem(title=title or f"News item {number}", source=source, **fields)
    item.projects.extend(projects)
    db.session.add(item)
    db.session.commit()
    return item
