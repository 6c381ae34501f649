"""News in the browser: "load more" appends in place, the source filter swaps the results."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from app.extensions import db
from tests.news.news_factories import make_news_item


def seed_news(live_server) -> None:
    with live_server.app.app_context():
        for number in range(30):
            make_news_item(f"Daily story {number:02d}", source="Carbon Daily")
        for number in range(3):
            make_news_item(f"Watch story {number}", source="Registry Watch")
        db.session.remove()


def test_load_more_appends_the_next_items_without_a_reload(page, live_server):
    seed_news(live_server)
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(live_server.url + "/news")
    page.wait_for_function("typeof window.htmx === 'object'")
    items = page.locator("#news-list article.news-item")
    assert items.count() == 20
    page.evaluate("window.__newsMarker = 'still here'")

    page.get_by_role("link", name="Load more news").click()

    expect(items).to_have_count(33)
    assert page.evaluate("window.__newsMarker") == "still here"
    assert page.url == live_server.url + "/news"
    assert page.locator("#news-more").count() == 0
    assert items.last.inner_text().startswith("Daily story 00")
    assert violations == []


def test_choosing_a_source_swaps_the_results_and_pushes_the_url(page, live_server):
    seed_news(live_server)
    page.goto(live_server.url + "/news")
    page.wait_for_function("typeof window.htmx === 'object'")
    page.evaluate("window.__newsMarker = 'still here'")

    page.get_by_label("Source").select_option("Registry Watch")

    # htmx pushes the URL with history.pushState: no navigation, no load event.
    expect(page).to_have_url(re.compile(r"/news\?.*source=Registry(%20|\+)Watch"))
    items = page.locator("#news-list article.news-item")
    expect(items).to_have_count(3)
    assert [text.split("\n")[0] for text in items.all_inner_texts()] == [
        "Watch story 2",
        "Watch story 1",
        "Watch story 0",
    ]
    assert page.evaluate("window.__newsMarker") == "still here"
    assert page.locator("#news-more").count() == 0
