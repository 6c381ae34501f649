"""Fetching feeds from a local server: storing, de-duplicating, sanitising, failing well."""

from __future__ import annotations

import logging
import socket
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import NewsFeed, NewsItem
from app.news import fetch_all_feeds
from tests.factories import make_project
from tests.news.conftest import ETAG, LAST_MODIFIED


def stored_items() -> dict[str, NewsItem]:
    return {item.link: item for item in db.session.scalars(select(NewsItem))}


def item_count() -> int:
    return db.session.scalar(select(func.count(NewsItem.id)))


def feed_row(url: str) -> NewsFeed:
    return db.session.scalar(select(NewsFeed).where(NewsFeed.url == url))


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/feed.xml"


def test_rss_and_atom_items_are_stored_as_plain_text_with_utc_dates(app, feed_server):
    rss, atom = feed_server.fixture("good_rss.xml"), feed_server.fixture("good_atom.xml")

    results = fetch_all_feeds([rss, atom])

    assert [(r.status, r.new_items) for r in results] == [("ok", 3), ("ok", 2)]
    items = stored_items()
    suspended = items["https://carbon-daily.example/news/vcs-1234-suspended"]
    assert suspended.source == "Carbon Daily"
    assert suspended.guid == "carbon-daily-1"
    assert suspended.summary == "The REDD+ project & its credits are under review."
    assert as_utc(suspended.published_at) == datetime(2026, 3, 3, 9, 30, tzinfo=UTC)
    art = items["https://registry-watch.example/art-101"]
    assert art.title == "ART101 jurisdiction issues first TREES credits"
    assert art.summary == "A first for ART."
    assert art.source == "Registry Watch"
    undated = items["https://registry-watch.example/undated"]
    assert abs(as_utc(undated.published_at) - datetime.now(UTC)).total_seconds() < 60
    assert feed_row(rss).title == "Carbon Daily"
    assert feed_row(rss).last_status == "ok"


def test_a_second_fetch_stores_nothing_twice(app, feed_server):
    rss = feed_server.fixture("good_rss.xml")
    fetch_all_feeds([rss])

    [again] = fetch_all_feeds([rss])

    assert (again.status, again.new_items, again.seen_items) == ("ok", 0, 3)
    assert item_count() == 3


def test_duplicates_by_link_or_guid_are_stored_once(app, feed_server):
    fetch_all_feeds([feed_server.fixture("good_rss.xml")])

    [result] = fetch_all_feeds([feed_server.fixture("duplicates.xml")])

    # Of five entries: one repeats a link, one a guid, one another feed's link.
    assert result.new_items == 2
    assert item_count() == 5
    echo = stored_items()
    assert echo["https://echo.example/a"].title == "Same link twice (first)"
    assert "https://echo.example/a?utm_source=feed" not in echo
    assert echo["https://carbon-daily.example/news/prices"].source == "Carbon Daily"


def test_hostile_markup_is_stripped_and_script_links_dropped(app, client, feed_server):
    [result] = fetch_all_feeds([feed_server.fixture("hostile.xml")])

    assert result.new_items == 1  # the javascript: and data: links are not stored
    [item] = db.session.scalars(select(NewsItem)).all()
    assert item.link == "https://hostile.example/story"
    assert item.title == "Breaking story"
    assert item.summary == "Read this and done"
    assert item.source == "Hostile News"
    for response in (client.get("/news"), client.get("/api/v1/news")):
        for needle in ("alert(", "<script>", "onerror", "javascript:", "<iframe", "onclick"):
            assert needle not in response.text


def test_mentions_link_items_to_the_catalogue_projects_they_name(app, feed_server):
    vcs, gold, acr = make_project("VCS1234"), make_project("GLD1001"), make_project("ACR123")
    make_project("VCS999")

    fetch_all_feeds([feed_server.fixture("good_rss.xml"), feed_server.fixture("good_atom.xml")])

    items = stored_items()
    named = {link: sorted(p.project_id for p in item.projects) for link, item in items.items()}
    assert named["https://carbon-daily.example/news/vcs-1234-suspended"] == [vcs.project_id]
    # GS1001 is Gold Standard's own form of GLD1001; CAR 999 is not in the catalogue.
    assert named["https://carbon-daily.example/news/cookstoves"] == sorted(
        [gold.project_id, acr.project_id]
    )
    assert named["https://registry-watch.example/art-101"] == []


def test_a_malformed_feed_is_recorded_and_the_others_still_load(app, feed_server):
    malformed, rss = feed_server.fixture("malformed.xml"), feed_server.fixture("good_rss.xml")

    results = fetch_all_feeds([malformed, rss])

    assert results[0].status == "error"
    assert "malformed" in results[0].error
    assert (results[1].status, results[1].new_items) == ("ok", 3)
    row = feed_row(malformed)
    assert row.last_status == "error"
    assert "malformed" in row.last_error
    assert row.last_fetched_at is not None


@pytest.mark.parametrize(
    ("path", "expected"), [("down", "HTTP 404"), ("flaky", "HTTP 503 Service Unavailable")]
)
def test_a_failing_feed_says_its_http_status(app, feed_server, path, expected):
    [result] = fetch_all_feeds([feed_server.url(path)])
    assert result.status == "error"
    assert result.error.startswith(expected)


def test_an_unreachable_feed_is_an_error_not_a_crash(app):
    [result] = fetch_all_feeds([closed_port_url()])
    assert result.status == "error"
    assert "cannot reach" in result.error


def test_a_slow_feed_times_out_and_the_others_still_load(app, feed_server):
    app.config["NEWS_TIMEOUT_SECONDS"] = 0.5
    started = time.monotonic()

    results = fetch_all_feeds([feed_server.url("slow"), feed_server.fixture("good_atom.xml")])

    assert time.monotonic() - started < 2.5
    assert results[0].status == "error"
    assert "timed out" in results[0].error
    assert (results[1].status, results[1].new_items) == ("ok", 2)


def test_a_feed_that_trickles_in_times_out_as_a_whole(app, feed_server):
    app.config["NEWS_TIMEOUT_SECONDS"] = 0.5
    started = time.monotonic()

    [result] = fetch_all_feeds([feed_server.url("trickle")])

    assert time.monotonic() - started < 3
    assert result.status == "error"
    assert "timed out" in result.error


@pytest.mark.parametrize("path", ["huge", "huge-declared"])
def test_a_huge_feed_is_refused(app, feed_server, path):
    app.config["NEWS_MAX_BYTES"] = 200_000

    [result] = fetch_all_feeds([feed_server.url(path)])

    assert result.status == "error"
    assert "larger than 200000 bytes" in result.error
    assert item_count() == 0


def test_an_unchanged_feed_answers_304_and_is_spared(app, feed_server):
    url = feed_server.url("etag")
    fetch_all_feeds([url])
    assert feed_row(url).etag == ETAG

    [again] = fetch_all_feeds([url])

    assert again.status == "not_modified"
    _, headers = feed_server.requests[-1]
    assert headers["If-None-Match"] == ETAG
    assert headers["If-Modified-Since"] == LAST_MODIFIED
    row = feed_row(url)
    assert (row.last_status, row.last_error, row.etag) == ("not_modified", None, ETAG)
    assert item_count() == 3


def test_a_failed_feed_is_retried_on_the_next_fetch(app, feed_server):
    url = feed_server.url("flaky")
    [first] = fetch_all_feeds([url])
    assert first.status == "error"

    [second] = fetch_all_feeds([url])

    assert (second.status, second.new_items) == ("ok", 3)
    row = feed_row(url)
    assert (row.last_status, row.last_error) == ("ok", None)


def test_feeds_come_from_news_feeds_and_the_cli_prints_a_line_each(app, feed_server):
    good, bad = feed_server.fixture("good_rss.xml"), feed_server.fixture("malformed.xml")
    app.config["NEWS_FEEDS"] = [good, bad, ""]

    result = app.test_cli_runner().invoke(args=["fetch-news"])

    assert result.exit_code == 0, result.output
    assert f"{good}: 3 new, 0 known" in result.output
    assert f"{bad}: error: malformed feed" in result.output
    assert "2 feeds: 1 fetched, 1 failed; 3 new items." in result.output
    assert result.output.count(f"{good}:") == 1
    assert db.session.scalar(select(func.count(NewsFeed.id))) == 2


def test_the_cli_fails_when_every_feed_fails(app, feed_server, caplog):
    app.config["NEWS_FEEDS"] = [feed_server.fixture("malformed.xml"), closed_port_url()]

    with caplog.at_level(logging.INFO, logger="app.news.fetch"):
        result = app.test_cli_runner().invoke(args=["fetch-news"])

    assert result.exit_code == 1
    assert "2 feeds: 0 fetched, 2 failed; 0 new items." in result.output
    # The CLI prints each feed's line once; it is not logged a second time.
    assert not [
        r for r in caplog.records if r.name == "app.news.fetch" and "malformed" in r.getMessage()
    ]


def test_only_http_feeds_are_fetched(app, tmp_path):
    secret = tmp_path / "secret.xml"
    secret.write_text("<rss/>")
    [result] = fetch_all_feeds([secret.as_uri()])
    assert result.status == "error"
    assert "only http and https" in result.error


def test_items_fetched_before_their_project_exists_are_linked_later(app, feed_server):
    rss = feed_server.fixture("good_rss.xml")
    fetch_all_feeds([rss])
    assert not any(item.projects for item in stored_items().values())

    make_project("VCS1234")
    fetch_all_feeds([rss])
    fetch_all_feeds([rss])  # a second pass adds no duplicate link

    item = stored_items()["https://carbon-daily.example/news/vcs-1234-suspended"]
    assert [project.project_id for project in item.projects] == ["VCS1234"]
