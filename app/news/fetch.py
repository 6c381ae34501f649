"""Fetch the feeds in NEWS_FEEDS into news_item: conditional, bounded, one feed at a time.

A feed that is down, slow, malformed or huge is recorded on its news_feed row
with the error and skipped; the others still load, and the next fetch retries.
"""

from __future__ import annotations

import http.client
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.models import NewsFeed, NewsItem, Project, news_mention
from app.news.parse import (
    MAX_SOURCE_LENGTH,
    FeedEntry,
    MalformedFeed,
    parse_feed,
    project_ids_in,
    shorten,
)

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
USER_AGENT = "CarbonScope news reader (+https://github.com/carbonscope)"
_CHUNK = 64 * 1024


class FeedUnavailable(Exception):
    """The feed could not be downloaded: the reason is in the message."""


@dataclass(frozen=True)
class Download:
    status: int  # 200, or 304 when the feed is unchanged since the stored tags
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FeedResult:
    """What one fetch of one feed did, as the CLI prints it and the worker logs it."""

    url: str
    status: str  # "ok", "not_modified" or "error"
    new_items: int = 0
    seen_items: int = 0
    error: str | None = None

    def describe(self) -> str:
        if self.status == "ok":
            return f"{self.url}: {self.new_items} new, {self.seen_items - self.new_items} known"
        if self.status == "not_modified":
            return f"{self.url}: unchanged (304)"
        return f"{self.url}: error: {self.error}"


def _read_capped(response, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FeedUnavailable(f"feed is larger than {max_bytes} bytes ({declared} declared)")
    chunks, size = [], 0
    # read1, not read: read blocks until the whole chunk arrives, so a feed sending a byte
    # now and then (each within the socket timeout) would never reach the deadline check.
    while chunk := response.read1(_CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise FeedUnavailable(f"feed is larger than {max_bytes} bytes")
        if time.monotonic() > deadline:
            raise FeedUnavailable("timed out while reading the feed")
        chunks.append(chunk)
    return b"".join(chunks)


def download_feed(
    url: str,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Download:
    """GET the feed, conditionally; raise FeedUnavailable with a readable reason."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise FeedUnavailable("only http and https feeds are fetched")
    headers = {
        "User-Agent": USER_AGENT,
        "Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (scheme checked above)
    deadline = time.monotonic() + timeout
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = _read_capped(response, max_bytes, deadline)
            return Download(
                status=200,
                body=body,
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
            )
    except urllib.error.HTTPError as error:
        if error.code == 304:
            return Download(status=304, etag=etag, last_modified=last_modified)
        raise FeedUnavailable(f"HTTP {error.code} {error.reason}") from error
    except TimeoutError as error:
        raise FeedUnavailable(f"timed out after {timeout:g} s") from error
    except urllib.error.URLError as error:
        raise FeedUnavailable(f"cannot reach the feed: {error.reason}") from error
    except (http.client.HTTPException, OSError) as error:
        raise FeedUnavailable(f"download failed: {error!r}") from error


def _insert_ignoring_duplicates(values: dict):
    """INSERT ... ON CONFLICT DO NOTHING (link or guid already stored), returning the new id."""
    dialect = db.session.get_bind().dialect.name
    dialect_insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    statement = (
        dialect_insert(NewsItem).values(**values).on_conflict_do_nothing().returning(NewsItem.id)
    )
    return db.session.execute(statement).scalar()


def link_mentions(item_id: int, project_ids: tuple[str, ...]) -> int:
    """Link a stored item to the catalogue projects it names; return how many exist."""
    if not project_ids:
        return 0
    keys = db.session.scalars(select(Project.id).where(Project.project_id.in_(project_ids))).all()
    if keys:
        db.session.execute(
            insert(news_mention), [{"news_item_id": item_id, "project_id": key} for key in keys]
        )
    return len(keys)


def relink_mentions() -> int:
    """Link every stored item to the projects it names that now exist; return links added.

    Items fetched before a project entered the catalogue (news before the first
    sync, a community project registered later) gain their links here.
    """
    named = {
        item_id: project_ids_in(f"{title} {summary or ''}")
        for item_id, title, summary in db.session.execute(
            select(NewsItem.id, NewsItem.title, NewsItem.summary)
        )
    }
    wanted_ids = {project_id for ids in named.values() for project_id in ids}
    if not wanted_ids:
        return 0
    keys = dict(
        db.session.execute(
            select(Project.project_id, Project.id).where(Project.project_id.in_(wanted_ids))
        ).all()
    )
    existing = {tuple(row) for row in db.session.execute(select(news_mention))}
    missing = [
        {"news_item_id": item_id, "project_id": keys[project_id]}
        for item_id, ids in named.items()
        for project_id in ids
        if project_id in keys and (item_id, keys[project_id]) not in existing
    ]
    if missing:
        db.session.execute(insert(news_mention), missing)
    db.session.commit()
    return len(missing)


def store_entries(feed: NewsFeed, source: str, entries: list[FeedEntry], now: datetime) -> int:
    """Store the entries not yet known by link or guid; return how many were new."""
    new = 0
    for entry in entries:
        item_id = _insert_ignoring_duplicates(
            {
                "link": entry.link,
                "guid": entry.guid,
                "feed_id": feed.id,
                "source": source,
                "title": entry.title,
                "summary": entry.summary,
                "published_at": entry.published_at,
                "fetched_at": now,
            }
        )
        if item_id is not None:
            new += 1
            link_mentions(item_id, entry.project_ids)
    return new


def _source_name(feed_title: str | None, url: str) -> str:
    return shorten(feed_title or urlsplit(url).hostname or url, MAX_SOURCE_LENGTH)


def fetch_feed(feed: NewsFeed) -> FeedResult:
    """Fetch one feed, store its new items and its state; commit. Never raises for the feed."""
    config = current_app.config
    now = datetime.now(UTC)
    try:
        download = download_feed(
            feed.url,
            etag=feed.etag,
            last_modified=feed.last_modified,
            timeout=config["NEWS_TIMEOUT_SECONDS"],
            max_bytes=config["NEWS_MAX_BYTES"],
        )
        if download.status == 304:
            result = FeedResult(feed.url, "not_modified")
        else:
            parsed = parse_feed(download.body, now)
            feed.title = parsed.title or feed.title
            source = _source_name(feed.title, feed.url)
            new = store_entries(feed, source, parsed.entries, now)
            feed.etag, feed.last_modified = download.etag, download.last_modified
            result = FeedResult(feed.url, "ok", new_items=new, seen_items=len(parsed.entries))
    except (FeedUnavailable, MalformedFeed) as error:
        result = FeedResult(feed.url, "error", error=str(error))
    except SQLAlchemyError as error:
        log.exception("storing news from %s failed", feed.url)
        db.session.rollback()
        feed = db.session.get(NewsFeed, feed.id)
        result = FeedResult(feed.url, "error", error=f"storing failed: {type(error).__name__}")
    feed.last_fetched_at = now
    feed.last_status = result.status
    feed.last_error = result.error
    db.session.commit()
    return result


def feeds_to_fetch(urls: list[str]) -> list[NewsFeed]:
    """The news_feed rows of the configured URLs, created when missing, in config order."""
    urls = list(dict.fromkeys(url.strip() for url in urls if url and url.strip()))
    known = {
        feed.url: feed
        for feed in db.session.scalars(select(NewsFeed).where(NewsFeed.url.in_(urls)))
    }
    for url in urls:
        if url not in known:
            known[url] = NewsFeed(url=url)
            db.session.add(known[url])
    db.session.commit()
    return [known[url] for url in urls]


def _log_result(result: FeedResult) -> None:
    log.info("news %s", result.describe())


def fetch_all_feeds(
    urls: list[str] | None = None, report: Callable[[FeedResult], None] = _log_result
) -> list[FeedResult]:
    """Fetch every feed (NEWS_FEEDS unless given) once; call inside an app context.

    ``report`` hears of each feed as soon as it is done (the worker logs, the CLI prints)."""
    results = []
    for feed in feeds_to_fetch(urls if urls is not None else current_app.config["NEWS_FEEDS"]):
        result = fetch_feed(feed)
        report(result)
        results.append(result)
    relink_mentions()
    return results
