"""Atom feeds of changes (feedgen): entries with ids that never change, and validators.

An entry's id is a UUID derived from the change's id, so a feed reader never sees an
entry twice. The feed's ETag is the newest change it lists (and how many), its
Last-Modified that change's time: a reader asking again gets 304 until a sync adds one.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime

from feedgen.feed import FeedGenerator
from flask_babel import gettext as _

from app.changes.search import ChangeRow
from app.models import utcnow

ENTRY_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://carbonscope/changes")
FEED_ENTRIES = 50


@dataclass(frozen=True)
class FeedLinks:
    """The feed's own URL, the page it mirrors, and how to reach a change's project."""

    self_url: str
    page_url: str
    project_url: object  # (project_id) -> absolute URL


def entry_id(change_id: int) -> str:
    return uuid.uuid5(ENTRY_NAMESPACE, f"change/{change_id}").urn


def feed_id(self_url: str) -> str:
    return uuid.uuid5(ENTRY_NAMESPACE, f"feed/{self_url}").urn


def validators(changes: list[ChangeRow], self_url: str) -> tuple[str, datetime | None]:
    """(ETag, Last-Modified) of a feed listing ``changes``: new when a newer change arrives."""
    newest = changes[0] if changes else None
    basis = f"{self_url}|{newest.id if newest else 0}|{len(changes)}"
    etag = hashlib.sha1(basis.encode(), usedforsecurity=False).hexdigest()
    return etag, newest.created_at if newest else None


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def build_feed(title: str, changes: list[ChangeRow], links: FeedLinks) -> bytes:
    """The Atom document for ``changes`` (newest first)."""
    feed = FeedGenerator()
    feed.id(feed_id(links.self_url))
    feed.title(title)
    feed.author({"name": "CarbonScope"})
    feed.link(href=links.self_url, rel="self", type="application/atom+xml")
    feed.link(href=links.page_url, rel="alternate", type="text/html")
    feed.subtitle(_("What changed in the voluntary carbon market's registries, sync by sync."))
    feed.updated(_aware(changes[0].created_at) if changes else utcnow())
    for change in reversed(changes):  # feedgen prepends: oldest first makes newest first
        entry = feed.add_entry()
        entry.id(entry_id(change.id))
        entry.title(change.title)
        entry.updated(_aware(change.created_at))
        entry.published(_aware(change.created_at))
        entry.category(term=change.kind, label=change.kind_label)
        about = f"{change.project_name or ''} ({change.registry or ''}, {change.country or ''})"
        as_of = " " + _("Source data as of %(date)s.", date=change.as_of) if change.as_of else ""
        entry.summary(f"{change.summary}. {about}.{as_of}")
        if change.project_id:
            entry.link(href=links.project_url(change.project_id), rel="alternate")
        else:
            entry.link(href=links.page_url, rel="alternate")
    return feed.atom_str(pretty=True)
