"""News: fetch RSS/Atom feeds into news_item, link items to the projects they name.

Callers outside this package use: ``fetch_all_feeds()`` (the worker, hourly),
``latest_news(limit)`` (the home page), ``fetch_news_command`` (the CLI).
"""

from __future__ import annotations

import click

from app.news.fetch import FeedResult, fetch_all_feeds
from app.news.queries import NewsQuery, latest_news, news_for_project, search_news

__all__ = [
    "FeedResult",
    "NewsQuery",
    "fetch_all_feeds",
    "fetch_news_command",
    "latest_news",
    "news_for_project",
    "search_news",
]


@click.command("fetch-news")
def fetch_news_command() -> None:
    """Fetch every feed in NEWS_FEEDS once and say what each one gave."""
    results = fetch_all_feeds()
    if not results:
        click.echo("No feeds configured (NEWS_FEEDS is empty).")
    for result in results:
        click.echo(result.describe(), err=result.status == "error")
