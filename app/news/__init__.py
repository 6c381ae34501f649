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


def _echo(result: FeedResult) -> None:
    click.echo(result.describe(), err=result.status == "error")


def summary(results: list[FeedResult]) -> str:
    """One closing line: how many feeds answered, failed, and what was new."""
    failed = sum(result.status == "error" for result in results)
    new = sum(result.new_items for result in results)
    return (
        f"{len(results)} feed{'' if len(results) == 1 else 's'}: "
        f"{len(results) - failed} fetched, {failed} failed; "
        f"{new} new item{'' if new == 1 else 's'}."
    )


@click.command("fetch-news")
def fetch_news_command() -> None:
    """Fetch every feed in NEWS_FEEDS once and say what each one gave.

    Exits with status 1 when every feed failed (a network or configuration problem, not
    one feed having a bad day); failed feeds are retried on the next fetch."""
    results = fetch_all_feeds(report=_echo)
    if not results:
        click.echo("No feeds configured (NEWS_FEEDS is empty).")
        return
    click.echo(summary(results))
    if all(result.status == "error" for result in results):
        raise click.exceptions.Exit(1)
