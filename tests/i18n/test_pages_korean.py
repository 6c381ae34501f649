"""The main pages in Korean: <html lang="ko">, the interface's own words translated, numbers and
dates written the Korean way, and cached fragments never shared between the languages."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.factories import make_credit, make_label, make_project
from tests.insights.test_home_and_data import REPORT, add_sync_run
from tests.news.news_factories import make_news_item

KOREAN = {"Accept-Language": "ko-KR,ko;q=0.9"}
# What every page shows around its content: the header, skip link and footer.
FRAME_ENGLISH = ("Skip to content", "Sign in", "About the data", "Statistics", "What changed")
FRAME_KOREAN = ("본문으로 건너뛰기", "로그인", "데이터 안내", "통계", "변경 사항")


def korean_page(client, url: str, status: int = 200) -> str:
    response = client.get(url, headers=KOREAN)
    assert response.status_code == status
    html = response.text
    assert re.search(r'<html lang="ko">', html)
    for english in FRAME_ENGLISH:
        assert f">{english}<" not in html, english
    for korean in FRAME_KOREAN:
        assert korean in html, korean
    return html


def visible_text(html: str) -> str:
    """The page's text between tags (scripts and the language switch's own names left out)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def seed_catalogue():
    forest = make_project(
        "VCS191",
        name="Kariba Forest",
        country="Zimbabwe",
        issued=1_234_567,
        retired=234_567,
        status="Registered",
        status_group="registered",
    )
    make_label(forest, "corsia", "first")
    make_credit(forest, kind="issuance", year=2021, vintage=2020, quantity=1_234_567)
    make_project("GLD561", registry="GLD", name="Cookstoves", country="Kenya", issued=5_000)
    return forest


def test_the_home_page_speaks_korean_with_korean_numbers_and_dates(client):
    seed_catalogue()
    add_sync_run(report=REPORT, finished_at=datetime(2026, 11, 30, 3, 10, tzinfo=UTC))
    html = korean_page(client, "/")
    assert "자발적 탄소시장의 모든 프로젝트를 한곳에서" in html
    assert "Every voluntary carbon market project" not in html
    assert "한눈에 보는 시장" in html
    assert 'data-figure="issued">1,239,567<' in html
    assert "데이터 마지막 동기화: 2026년 11월 30일 03:10 UTC." in html


def test_a_search_with_a_facet_is_korean_from_facets_to_chips(client):
    seed_catalogue()
    html = korean_page(client, "/projects?q=forest&registry=VCS&corsia=any")
    text = visible_text(html)
    for english in ("Filters", "Credits and vintages", "Clear all", "Sort", "Most credits issued"):
        assert english not in text, english
    assert "레지스트리: Verra (VCS)" in text  # the chip: facet title translated, name kept
    assert "CORSIA 적격: 전체" in text
    assert "프로젝트 1개" in text
    assert "발행 크레딧 많은 순" in html  # the sort menu
    assert "CORSIA 적격: 1단계(2024-2026)" in html  # the row's label badge
    assert "1,234,567" in html


def test_a_korean_notice_names_what_was_ignored(client):
    html = korean_page(client, "/projects?page=0&sort=sideways")
    assert "무시함: page=“0” — 페이지는 1부터 시작합니다." in html
    assert "무시함: 알 수 없는 정렬 “sideways”." in html


def test_a_page_past_the_end_says_so_in_the_reader_language(client):
    seed_catalogue()
    assert "Page 99 is past the end" in client.get("/projects?page=99").text
    # The same cached result, read in Korean: the notice is worded for this reader.
    html = korean_page(client, "/projects?page=99")
    assert "99페이지는 마지막 페이지를 넘습니다." in html
    assert "past the end" not in html


def test_a_project_page_is_korean(client):
    seed_catalogue()
    html = korean_page(client, "/projects/VCS191")
    text = visible_text(html)
    for english in ("About the project", "Credits by year", "credits issued", "Credit records"):
        assert english not in text, english
    assert "프로젝트 정보" in text
    assert "연도별 크레딧" in text
    assert "발행 크레딧" in text
    assert "품질 라벨과 영속성" in text
    assert "1,234,567" in text


def test_the_statistics_page_is_korean(client):
    seed_catalogue()
    html = korean_page(client, "/stats")
    text = visible_text(html)
    assert "시장 통계" in text
    assert "Market statistics" not in text
    assert "레지스트리별 연간 크레딧 발행량" in text  # a chart's title, made in Python
    assert "1,239,567" in text


def test_the_data_page_explains_itself_in_korean(client):
    add_sync_run(report=REPORT, finished_at=datetime(2026, 11, 30, 3, 10, tzinfo=UTC))
    html = korean_page(client, "/data")
    text = visible_text(html)
    assert "데이터 출처" in text
    assert "Where the data comes from" not in text
    assert "<strong data-synced-at>2026년 11월 30일 03:10 UTC</strong>(실행 #" in html
    assert "일관성 검사" in text


def test_the_news_page_is_korean_with_korean_dates(client):
    make_news_item("Carbon market grows", published_at=datetime(2026, 11, 30, 9, 5, tzinfo=UTC))
    html = korean_page(client, "/news")
    text = visible_text(html)
    assert "항목 1건." in text
    assert "Carbon market grows" in text  # the source's own words stay
    assert "2026년 11월 30일 09:05 UTC" in text
    assert "Search the news" not in text


def test_a_missing_page_says_so_in_korean(client):
    html = korean_page(client, "/projects/NOPE999", status=404)
    assert "카탈로그에 NOPE999 프로젝트가 없습니다." in html
    html = korean_page(client, "/no-such-page", status=404)
    assert "페이지를 찾을 수 없습니다" in html
    assert "요청한 URL을 서버에서 찾을 수 없습니다." in html


def test_english_stays_as_it_was_without_a_preference(client):
    seed_catalogue()
    html = client.get("/projects?registry=VCS").text
    assert '<html lang="en">' in html
    assert "Registry: Verra (VCS)" in html
    assert "1 project" in html


@pytest.mark.parametrize("backend", ["postgresql"])
def test_the_cached_results_are_not_shared_between_languages(app, client):
    """The PostgreSQL app runs on the real Memcached: the same search, asked in English then
    in Korean, must not serve the English fragment from the cache."""
    assert app.config["CACHE_TYPE"] != "SimpleCache"
    seed_catalogue()
    url = "/projects?registry=VCS&q=forest"
    english = client.get(url).text
    assert "Registry: Verra (VCS)" in english
    korean = client.get(url, headers=KOREAN).text
    assert "레지스트리: Verra (VCS)" in korean
    assert "Registry: Verra (VCS)" not in korean
    # And the fragment an HTMX swap asks for speaks the page's language too.
    swap = {"HX-Request": "true", "HX-Target": "catalog-results"}
    fragment = client.get(url, headers={**KOREAN, **swap}).text
    assert '<html lang="ko">' not in fragment
    assert "레지스트리: Verra (VCS)" in fragment


def test_the_api_answers_a_korean_problem_naming_the_parameter(client):
    response = client.get("/api/v1/projects?page=0", headers=KOREAN)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["title"] == "잘못된 요청"
    assert problem["detail"].startswith("page 매개변수를 사용할 수 없습니다: ")
    assert "페이지는 1부터 시작합니다" in problem["detail"]
    assert problem["invalid-params"][0]["name"] == "page"
    assert not problem["invalid-params"][0]["reason"].startswith("무시함")
    english = client.get("/api/v1/projects?page=0").get_json()
    assert english["detail"].startswith("Cannot use page: ")


def test_the_api_keeps_its_data_in_english_whatever_the_language(client):
    forest = seed_catalogue()
    make_label(forest, "ccp", "approved")
    project = client.get("/api/v1/projects/VCS191", headers=KOREAN).get_json()
    assert {label["name"] for label in project["labels"]} == {
        "ICVCM CCP",
        "CORSIA eligible: First phase (2024-2026)",
    }
    stats = client.get("/api/v1/stats", headers=KOREAN).get_json()
    assert "CORSIA eligible" in {split["label"] for split in stats["by_label"]}


def test_every_vocabulary_label_the_sync_writes_has_a_display_translation():
    """Canonical statuses, categories and project types are stored in English and translated
    when shown: a new one in app/etl/vocabulary must be added to app/vocabulary_display.py."""
    from app.etl.vocabulary.project_type import CATEGORY_LABELS, TYPE_LABELS
    from app.etl.vocabulary.status import CANONICAL_STATUS
    from app.vocabulary_display import VOCABULARY_LABELS

    written = {*CANONICAL_STATUS.values(), *CATEGORY_LABELS.values(), *TYPE_LABELS.values()}
    assert sorted(written - VOCABULARY_LABELS.keys()) == []


def test_project_types_show_in_korean_in_the_results_and_the_type_facet(client):
    make_project("VCS7", name="Stoves", project_type="Cookstoves")
    html = korean_page(client, "/projects?type=Cookstoves")
    assert '<td data-label="유형" class="cell-type">쿡스토브</td>' in html
    assert "프로젝트 유형: 쿡스토브" in html  # the chip
