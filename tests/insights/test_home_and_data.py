"""The home page (figures, search, chart, proposals, news, last sync) and the data page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from app.extensions import db
from app.models import NewsItem, Support, SyncRun
from tests.factories import make_user
from tests.insights.market import seed_market

REPORT = {
    "projects_by_source": {"both": 9100, "offsetsdb": 41, "vrod": 1650},
    "projects_by_registry": {"VCS": 4100, "GLD": 3500},
    "credit_rows_by_source": {"offsetsdb": 812345, "vrod": 20222},
    "missing_values": {"country": 12, "methodology": 345},
    "distinct_values": {"scope": {"Forestry": 3000, "Energy": 2500}, "status": {"Registered": 10}},
    "rewritten_ids": {"count": 3123, "examples": [["GS1234", "GLD1234"], ["VCS-0191", "VCS191"]]},
    "invariant_violations": {
        "totals_mismatch": ["VCS7"],
        "totals_mismatch_count": 1,
        "duplicate_ids": [],
        "orphan_credits": 0,
    },
    "inputs": {"offsetsdb": "offsets-db.csv.zip", "vrod": "VROD-v2025-12.xlsx"},
    "warnings": ["VROD sheet PROJECTS has 2 unnamed columns"],
}


def add_sync_run(status="succeeded", finished_at=None, report=None) -> SyncRun:
    run = SyncRun(
        status=status,
        trigger="cli",
        finished_at=finished_at or datetime(2026, 5, 4, 3, 15, tzinfo=UTC),
        report=report,
    )
    db.session.add(run)
    db.session.commit()
    return run


def test_home_has_pitch_search_and_figures_linking_into_the_catalogue(client):
    seed_market()
    html = client.get("/").text
    assert "one searchable catalogue" in html
    assert re.search(r'<form method="get" action="/projects"[^>]*role="search"', html)
    assert 'name="q"' in html
    assert 'data-figure="issued">2,100<' in html
    assert 'data-figure="projects">4<' in html
    assert 'href="/projects?registry=VCS"' in html
    assert 'href="/projects?registry=GLD"' in html
    assert "1,700 issued · 300 retired" in html
    assert 'id="home-issuance"' in html
    assert "<script>" not in html


def test_home_shows_when_data_was_last_synced(client):
    add_sync_run(status="failed", finished_at=datetime(2026, 6, 1, tzinfo=UTC))
    add_sync_run(report=REPORT)
    html = client.get("/").text
    assert "Data last synced 2026-05-04 03:15 UTC" in html


def test_home_without_data_says_so(client):
    html = client.get("/").text
    assert "not been synced" in html
    assert "No proposals yet" in html
    assert "No news yet" in html


def test_home_lists_most_supported_proposals_and_latest_news(client):
    owner, fan = make_user(), make_user()
    from tests.factories import make_project

    make_project(owner=owner, name="Quiet proposal")
    popular = make_project(owner=owner, name="Popular proposal")
    db.session.add_all(
        [
            Support(project_id=popular.id, user_account_id=fan.id),
            Support(project_id=popular.id, user_account_id=owner.id),
        ]
    )
    db.session.add(
        NewsItem(
            link="https://news.example.org/a",
            source="Carbon Herald",
            title="Registry publishes new rules",
            published_at=datetime(2026, 5, 1, tzinfo=UTC),
        )
    )
    db.session.commit()
    html = client.get("/").text
    assert html.index("Popular proposal") < html.index("Quiet proposal")
    assert "2 supporters" in html
    assert f'href="/projects/{popular.project_id}"' in html
    assert "Registry publishes new rules" in html
    assert 'href="https://news.example.org/a"' in html


def test_data_page_credits_both_sources_with_licence(client):
    html = client.get("/data").text
    assert "https://carbonplan.org/research/offsets-db" in html
    assert "Berkeley Carbon Trading Project" in html
    assert "https://creativecommons.org/licenses/by/4.0/" in html
    assert 'data-state="not-synced"' in html


def test_data_page_shows_the_last_successful_sync_report(client):
    add_sync_run(
        report={"projects_by_source": {"both": 1}}, finished_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    add_sync_run(report=REPORT)
    add_sync_run(status="failed", finished_at=datetime(2026, 6, 1, tzinfo=UTC), report={})
    html = client.get("/data").text
    assert "2026-05-04 03:15 UTC" in html
    assert '<td class="num">9,100</td>' in html  # projects in both sources
    assert '<td class="num">1,650</td>' in html  # VROD only
    assert '<code>methodology</code></th><td class="num">345</td>' in html
    assert "3,123" in html
    assert "<code>GS1234</code>" in html
    assert "Forestry" in html
    assert "offsets-db.csv.zip" in html
    assert "2 unnamed columns" in html
    assert "not-synced" not in html


def test_data_page_survives_a_report_missing_parts(client):
    add_sync_run(report={"rewritten_ids": {"examples": [["only-one"]]}, "missing_values": None})
    response = client.get("/data")
    assert response.status_code == 200
    assert "Projects by source" in response.text


def test_home_project_count_links_to_a_catalogue_with_the_same_count(client):
    seed_market()  # four registry projects and a community proposal
    html = client.get("/").text
    assert 'data-figure="projects">4<' in html
    link = re.search(r'<a href="([^"]+)"><div class="figure" data-figure="projects">', html)
    catalogue = client.get(link.group(1).replace("&amp;", "&")).text
    assert re.search(r'class="results-count"[^>]*>\s*4 projects', catalogue)
