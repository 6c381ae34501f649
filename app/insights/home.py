"""The home page's figures, and what other features lend it (proposals, news), when present."""

from __future__ import annotations

import importlib

from app.extensions import cache
from app.insights.filters import StatsFilters
from app.insights.stats import _market_stats
from app.insights.sync_report import last_synced_at
from app.models import current_data_version

HOME_LIST_LENGTH = 5


@cache.memoize()
def _home_figures(data_version: int) -> dict:
    stats = _market_stats(data_version, StatsFilters())
    return {
        "totals": stats["totals"],
        "by_registry": stats["by_registry"],
        "by_year": stats["by_year"],
        "last_synced_at": last_synced_at(),
    }


def home_figures() -> dict:
    """Headline figures by registry, issuance per year and the last sync time, per data version."""
    return _home_figures(current_data_version())


def _borrowed(module_name: str, function_name: str):
    """A function another feature provides, or None while that feature is not installed."""
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return getattr(module, function_name, None)


def most_supported_proposals() -> list | None:
    """[(project, supporters)], or None when the proposals feature is not there."""
    top_proposals = _borrowed("app.proposals.queries", "top_proposals")
    return top_proposals(limit=HOME_LIST_LENGTH) if top_proposals else None


def latest_news_items() -> list | None:
    """The newest news items, or None when the news feature is not there."""
    latest_news = _borrowed("app.news", "latest_news")
    return latest_news(limit=HOME_LIST_LENGTH) if latest_news else None
