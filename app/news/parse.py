"""Feed entries as plain, safe values: text without markup, UTC dates, project ids.

Pure functions, no Flask and no database: tests call them directly.
"""

from __future__ import annotations

import html
import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

import feedparser
import nh3

MAX_LINK_LENGTH = 2000
MAX_SUMMARY_LENGTH = 2000
MAX_SOURCE_LENGTH = 300

# `VCS 1234`, `VCS1234`, `VCS-1234`, `GS1234`, `GLD 1234`, `ACR123`, `CAR1234`, `ART101`.
_PROJECT_ID = re.compile(
    r"(?<![A-Za-z0-9])(VCS|GS|GLD|ACR|CAR|ART)[ \t]?[-#]?[ \t]?(\d{1,7})(?!\d)"
)
# Gold Standard's own short form; the catalogue's canonical prefix is OffsetsDB's.
_PREFIX_ALIASES = {"GS": "GLD"}
_SPACES = re.compile(r"\s+")


class MalformedFeed(ValueError):
    """The bytes are not an RSS or Atom feed we can read."""


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed, ready to store: plain text, an http(s) link, a UTC date."""

    link: str
    guid: str | None
    title: str
    summary: str | None
    published_at: datetime | None
    project_ids: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    entries: list[FeedEntry]


def plain_text(value: str | None) -> str:
    """All markup removed, entities decoded, white space folded: text safe in any page.

    Cleaning repeats until nothing changes, so markup hidden behind escaped
    entities (``&lt;script&gt;``) is stripped as well, not revealed.
    """
    text = value or ""
    for _ in range(8):
        cleaned = html.unescape(nh3.clean(text, tags=set()))
        if cleaned == text:
            break
        text = cleaned
    else:
        # Nested deeper than any honest feed: drop the angle brackets themselves.
        text = text.replace("<", "").replace(">", "")
    return _SPACES.sub(" ", text).strip()


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary, with an ellipsis, when longer than limit."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(" ,.;:") + "…"


def safe_link(value: str | None) -> str | None:
    """The link when it is an absolute http(s) URL of sane length, else None."""
    link = (value or "").strip()
    parts = urlsplit(link)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if len(link) > MAX_LINK_LENGTH or any(ch.isspace() or ord(ch) < 32 for ch in link):
        return None
    return link


def project_ids_in(text: str) -> tuple[str, ...]:
    """Canonical project ids named in text: 'GS 1234 and VCS-0191' -> ('GLD1234', 'VCS191')."""
    found = []
    for prefix, number in _PROJECT_ID.findall(text):
        project_id = f"{_PREFIX_ALIASES.get(prefix, prefix)}{int(number)}"
        if project_id not in found:
            found.append(project_id)
    return tuple(found)


def _utc(parsed: time.struct_time | None) -> datetime | None:
    if not parsed:
        return None
    try:
        return datetime(*parsed[:6], tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def entry_from(raw: dict, now: datetime) -> FeedEntry | None:
    """One feedparser entry as a FeedEntry, or None when it has no usable link."""
    link = safe_link(raw.get("link"))
    if link is None:
        return None
    guid = (raw.get("id") or "").strip() or None
    if guid is not None and len(guid) > MAX_LINK_LENGTH:
        guid = None
    title = plain_text(raw.get("title")) or link
    summary = plain_text(raw.get("summary") or raw.get("description"))
    published = _utc(raw.get("published_parsed") or raw.get("updated_parsed"))
    # A feed's clock may run ahead (or lie); no item is dated after its fetch.
    published_at = min(published, now) if published else now
    return FeedEntry(
        link=link,
        guid=guid,
        title=title,
        summary=shorten(summary, MAX_SUMMARY_LENGTH) or None,
        published_at=published_at,
        project_ids=project_ids_in(f"{title} {summary}"),
    )


def parse_feed(body: bytes, now: datetime | None = None) -> ParsedFeed:
    """Read RSS or Atom bytes; raise MalformedFeed when they are not a feed."""
    now = now or datetime.now(UTC)
    parsed = feedparser.parse(body)
    if parsed.get("bozo") and not parsed.entries:
        reason = parsed.get("bozo_exception") or "not a feed"
        raise MalformedFeed(f"malformed feed: {reason}")
    if not parsed.get("version") and not parsed.entries:
        raise MalformedFeed("malformed feed: no RSS or Atom document found")
    entries = [entry_from(raw, now) for raw in parsed.entries]
    title = plain_text(parsed.feed.get("title")) or None
    return ParsedFeed(
        title=shorten(title, MAX_SOURCE_LENGTH) if title else None,
        entries=[entry for entry in entries if entry is not None],
    )
