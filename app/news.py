"""News: fetch RSS/Atom feeds into news_item, link items to the projects they name."""

from __future__ import annotations

import click


@click.command("fetch-news")
def fetch_news_command() -> None:
    """Fetch every feed in NEWS_FEEDS once."""
    raise click.ClickException("fetch-news is not built yet (issue 7)")
