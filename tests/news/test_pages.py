"""The /news page, the project page's news section and latest_news()."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from app.news import latest_news
from app.project_sections import render_project_sections
from tests.factories import make_project
from tests.news.news_factories import make_news_item

HTMX_MORE = {"HX-Request": "true", "HX-Target": "news-more"}
HTMX_RESULTS = {"HX-Request": "true", "HX-Target": "news-results"}


def titles(html: str) -> list[str]:
    return re.findall(r'<h2 class="news-title"><a [^>]*>([^<]+)</a>', html)


def test_news_page_lists_newest_first_with_source_and_project_links(client):
    project = make_project("VCS1234")
    make_news_item("Older")
    make_news_item("Newer", source="Registry Watch", projects=[project])

    response = client.get("/news")

    assert response.status_code == 200
    assert titles(response.text) == ["Newer", "Older"]
    assert '<option value="Registry Watch">Registry Watch</option>' in response.text
    assert 'href="/projects/VCS1234">VCS1234</a>' in response.text
    assert "2 items." in response.text
    assert {"HX-Request", "HX-Target"} <= set(response.headers["Vary"].split(", "))


def test_news_filters_by_source_and_search_words(client):
    make_news_item("Cookstoves in Kenya", source="Carbon Daily")
    make_news_item("Cookstove prices", source="Registry Watch")
    make_news_item("Forests", source="Registry Watch", summary="REDD+ and cookstoves")

    by_source = client.get("/news?source=Registry+Watch")
    by_words = client.get("/news?q=COOKSTOVE+kenya")
    both = client.get("/news?source=Registry+Watch&q=cookstove")

    assert titles(by_source.text) == ["Forests", "Cookstove prices"]
    assert titles(by_words.text) == ["Cookstoves in Kenya"]
    assert titles(both.text) == ["Forests", "Cookstove prices"]
    assert '<option value="Registry Watch" selected>' in by_source.text


def test_search_treats_percent_and_underscore_as_plain_characters(client):
    make_news_item("Prices up 5% this week")
    make_news_item("Prices up 50 this week")

    assert titles(client.get("/news?q=5%25").text) == ["Prices up 5% this week"]
    assert titles(client.get("/news?q=_").text) == []


def test_without_javascript_pages_are_plain_links(client):
    for number in range(25):
        make_news_item(f"Item {number:02d}")

    first = client.get("/news?q=item")
    second = client.get("/news?q=item&page=2")

    assert titles(first.text)[0] == "Item 24"
    assert len(titles(first.text)) == 20
    assert 'href="/news?q=item&amp;page=2"' in first.text
    assert titles(second.text) == [f"Item {n:02d}" for n in range(4, -1, -1)]
    assert 'id="news-more"' not in second.text
    assert 'href="/news?q=item">← Newer items' in second.text


def test_load_more_answers_the_next_items_and_a_new_button_only(client):
    for number in range(45):
        make_news_item(f"Item {number:02d}")

    response = client.get("/news?page=2", headers=HTMX_MORE)

    assert "<html" not in response.text
    assert 'id="news-results"' not in response.text
    assert titles(response.text) == [f"Item {n:02d}" for n in range(24, 4, -1)]
    assert 'hx-get="/news?page=3"' in response.text
    assert 'hx-swap="outerHTML"' in response.text
    last = client.get("/news?page=3", headers=HTMX_MORE)
    assert len(titles(last.text)) == 5
    assert 'id="news-more"' not in last.text


def test_filter_form_swaps_only_the_results(client):
    make_news_item("Alpha", source="A")
    make_news_item("Beta", source="B")

    response = client.get("/news?source=B", headers=HTMX_RESULTS)

    assert response.text.lstrip().startswith('<section id="news-results"')
    assert titles(response.text) == ["Beta"]
    assert "1 item from B." in " ".join(response.text.split())


def test_boosted_navigation_gets_the_full_page(client):
    make_news_item("Alpha")
    response = client.get("/news", headers={**HTMX_RESULTS, "HX-Boosted": "true"})
    assert "<html" in response.text


def test_bad_page_number_is_a_clear_400(client):
    response = client.get("/news?page=zero")
    assert response.status_code == 400
    assert "page must be a whole number" in response.text


def test_empty_news_says_so(client):
    assert "No news yet." in client.get("/news").text
    make_news_item("Alpha")
    assert "No news matches these filters." in client.get("/news?q=zzz").text


def test_project_page_section_lists_the_projects_news_or_nothing(app):
    named, quiet = make_project("GLD1001"), make_project("VCS7")
    make_news_item("About GLD1001", projects=[named])
    make_news_item("About something else")

    with app.test_request_context("/projects/GLD1001"):
        [section] = [html for html in render_project_sections(named) if "project-news" in html]
        assert "About GLD1001" in section
        assert "About something else" not in section
        assert not [html for html in render_project_sections(quiet) if "project-news" in html]


def test_latest_news_gives_the_newest_items(app):
    make_news_item("Old", published_at=datetime(2020, 1, 1, tzinfo=UTC))
    newest = [make_news_item(f"New {n}") for n in range(6)]

    latest = latest_news(limit=5)

    assert [item.title for item in latest] == [item.title for item in reversed(newest[1:])]
