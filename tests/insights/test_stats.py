"""Market statistics: the figures (aggregate SQL), the filters, the page and its fragment."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event
from werkzeug.datastructures import MultiDict

from app.extensions import db
from app.insights.figures import stats_charts
from app.insights.filters import StatsFilters, parse_stats_filters
from app.insights.stats import market_stats
from app.models import bump_data_version
from tests.factories import make_credit
from tests.insights.market import seed_market


def figure(html: str, name: str) -> str:
    return re.search(rf'data-figure="{name}">([^<]*)<', html).group(1)


def test_figures_by_registry_are_the_projects_totals_and_the_sums_of_the_credit_rows(app):
    seed_market()
    stats = market_stats()
    by_registry = {row["registry"]: row for row in stats["by_registry"]}
    assert by_registry["VCS"] == {
        "registry": "VCS",
        "projects": 2,
        "issued": 1700,
        "retired": 300,
        "remaining": 1400,
        "records_issued": 1700,
        "records_retired": 300,
    }
    assert by_registry["GLD"]["issued"] == 400
    assert by_registry["GLD"]["retired"] == 400
    assert by_registry["ACR"] == {
        "registry": "ACR",
        "projects": 1,
        "issued": 0,
        "retired": 0,
        "remaining": 0,
        "records_issued": 0,
        "records_retired": 0,
    }
    assert "COMMUNITY" not in by_registry
    assert stats["totals"] == {
        "projects": 4,
        "issued": 2100,
        "retired": 700,
        "remaining": 1400,
        "records_issued": 2100,
        "records_retired": 700,
    }


def test_charts_data_per_year_country_scope_status_and_vintage(app):
    seed_market()
    stats = market_stats()
    assert [(r["year"], r["registry"], r["issued"], r["retired"]) for r in stats["by_year"]] == [
        (2019, "VCS", 1000, 0),
        (2020, "VCS", 700, 0),
        (2021, "VCS", 0, 300),
        (2021, "GLD", 400, 400),
    ]
    assert stats["top_countries"] == [
        {"country": "Brazil", "issued": 1500},
        {"country": "India", "issued": 600},
    ]
    assert stats["by_scope"] == [
        {"scope": "Forestry", "issued": 1500, "retired": 300},
        {"scope": "Energy", "issued": 600, "retired": 400},
    ]
    assert stats["projects_by_status"] == [
        {"status_group": "listed", "projects": 1},
        {"status_group": "registered", "projects": 2},
        {"status_group": "completed", "projects": 1},
    ]
    assert stats["retirement_ratio_by_vintage"] == [
        {"vintage": 2018, "issued": 1000, "retired": 300, "ratio": 0.3},
        {"vintage": 2019, "issued": 500, "retired": 0, "ratio": 0.0},
        {"vintage": 2020, "issued": 600, "retired": 400, "ratio": 0.6667},
    ]


def test_filters_narrow_every_figure(app):
    seed_market()
    stats = market_stats(StatsFilters(registry=("VCS",), year_from=2020))
    assert stats["totals"] == {
        "projects": 2,
        "issued": 700,
        "retired": 300,
        "remaining": 400,
        "records_issued": 700,
        "records_retired": 300,
    }
    assert [row["year"] for row in stats["by_year"]] == [2020, 2021]

    india = market_stats(StatsFilters(country=("India",)))
    assert india["totals"]["projects"] == 2
    assert india["totals"]["issued"] == 600
    assert [row["country"] for row in india["top_countries"]] == ["India"]

    nothing = market_stats(StatsFilters(scope=("Nowhere",)))
    assert set(nothing["totals"].values()) == {0}


def test_year_range_reads_as_vintages_for_the_retirement_ratio(app):
    seed_market()
    stats = market_stats(StatsFilters(year_from=2018, year_to=2019))
    # Per-year figures count the transactions in 2018-2019: only VCS100's 2019 issuance.
    assert stats["by_year"] == [{"year": 2019, "registry": "VCS", "issued": 1000, "retired": 0}]
    # The ratio counts every issuance and retirement of vintages 2018-2019, in any year.
    assert stats["retirement_ratio_by_vintage"] == [
        {"vintage": 2018, "issued": 1000, "retired": 300, "ratio": 0.3},
        {"vintage": 2019, "issued": 500, "retired": 0, "ratio": 0.0},
    ]
    later = market_stats(StatsFilters(registry=("GLD",), year_from=2020))
    assert later["retirement_ratio_by_vintage"] == [
        {"vintage": 2020, "issued": 400, "retired": 400, "ratio": 1.0}
    ]


def test_figures_are_cached_until_the_data_version_changes(app):
    projects = seed_market()
    assert market_stats()["totals"]["records_issued"] == 2100
    make_credit(projects["VCS101"], kind="issuance", year=2022, vintage=2021, quantity=900)
    assert market_stats()["totals"]["records_issued"] == 2100
    bump_data_version()
    db.session.commit()
    assert market_stats()["totals"]["records_issued"] == 3000


def test_figures_read_the_summary_in_a_fixed_number_of_queries(app):
    projects = seed_market()
    for year in range(2000, 2030):
        make_credit(projects["VCS100"], kind="issuance", year=year, vintage=year, quantity=1)
    statements = []

    def count(*args, **kwargs):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        market_stats(StatsFilters(registry=("VCS",)))
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) <= 9
    # The credit rows are read only for the labelled projects (the split by label).
    credit_reads = [s for s in statements if "FROM credit " in s or "JOIN credit " in s]
    assert all("FROM label" in s for s in credit_reads)
    summary_selects = [s for s in statements if "FROM credit_summary" in s]
    assert summary_selects
    assert all("sum(credit_summary.quantity)" in s for s in summary_selects)


def test_parse_filters_normalises_and_names_bad_values():
    filters, warnings = parse_stats_filters(
        MultiDict(
            [
                ("registry", "gld"),
                ("registry", "VCS"),
                ("registry", "XYZ"),
                ("country", " India "),
                ("year_from", "twenty"),
                ("year_to", "2021"),
            ]
        )
    )
    assert filters == StatsFilters(registry=("GLD", "VCS"), country=("India",), year_to=2021)
    assert len(warnings) == 2
    assert "XYZ" in warnings[0] or "XYZ" in warnings[1]
    assert all(w.status == 400 for w in warnings)

    reversed_range, warnings = parse_stats_filters(
        MultiDict({"year_from": "2022", "year_to": "2020"})
    )
    assert reversed_range.year_from is None
    assert [w.status for w in warnings] == [422]


def test_stats_page_shows_figures_filters_and_a_table_under_each_chart(client):
    seed_market()
    response = client.get("/stats")
    assert response.status_code == 200
    html = response.text
    assert figure(html, "issued") == "2,100"
    assert figure(html, "retired") == "700"
    assert figure(html, "remaining") == "1,400"
    assert 'hx-get="/stats"' in html
    assert 'hx-target="#stats-results"' in html
    assert 'hx-push-url="true"' in html
    for chart_id in (
        "chart-issuance",
        "chart-retirement",
        "chart-countries",
        "chart-scope",
        "chart-status",
        "chart-ratio",
    ):
        assert f'id="{chart_id}"' in html
        assert f'id="{chart_id}-figure"' in html
    # The numbers behind the charts, as tables.
    assert '<th scope="row">Brazil</th>' in html
    assert '<td class="num">1,500</td>' in html
    assert "66.7%" in html
    assert '<option value="India"' in html
    assert 'href="/projects?registry=VCS"' in html


def test_stats_fragment_is_only_the_results_region(client):
    seed_market()
    response = client.get(
        "/stats?registry=GLD", headers={"HX-Request": "true", "HX-Target": "stats-results"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section id="stats-results"')
    assert "<html" not in response.text
    assert figure(response.text, "issued") == "400"
    assert "HX-Target" in response.headers["Vary"]


def test_boosted_request_gets_the_full_page(client):
    seed_market()
    response = client.get("/stats", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in response.text


@pytest.mark.parametrize(
    "query",
    ["registry=XYZ", "year_from=abc", "year_from=2030&year_to=2010", "country=" + "x" * 300],
)
def test_bad_filter_values_get_a_notice_not_an_error_page(client, query):
    seed_market()
    response = client.get(f"/stats?{query}")
    assert response.status_code == 200
    assert "Some filter values were ignored" in response.text
    assert figure(response.text, "issued") == "2,100"
    fragment = client.get(
        f"/stats?{query}", headers={"HX-Request": "true", "HX-Target": "stats-results"}
    )
    assert fragment.status_code == 200
    assert fragment.headers["HX-Push-Url"] == "/stats"


def test_empty_market_has_a_clear_empty_state(client):
    response = client.get("/stats")
    assert response.status_code == 200
    assert "No projects or credits match these filters." in response.text


def test_year_range_says_what_it_counts_on_each_chart(client):
    seed_market()
    response = client.get("/stats?year_from=2018&year_to=2019")
    assert response.status_code == 200
    assert "issued or retired in 2018 to 2019" in response.text
    assert "the retirement ratio counts the vintages 2018 to 2019" in response.text
    assert "year-range-note" not in client.get("/stats").text


def test_ratio_chart_says_how_much_of_the_market_has_a_vintage(app):
    projects = seed_market()
    # A yearly figure (as VROD gives them): no vintage, so no place in the ratio by vintage.
    make_credit(projects["VCS101"], kind="issuance", year=2021, vintage=None, quantity=900)
    db.session.commit()
    [ratio] = [c for c in stats_charts(market_stats()) if c.chart_id == "chart-ratio"]
    assert ratio.note.startswith("Rests on the 2,100 of 3,000 (70.0%) credits issued whose vintage")
    assert ">60%</text>" in ratio.svg


def test_retirement_ratio_hides_thin_vintages_and_states_its_coverage():
    stats = {
        "filters": {"year_from": None, "year_to": None},
        "totals": {"issued": 100_000, "retired": 0, "projects": 1, "remaining": 0},
        "by_year": [],
        "by_registry": [],
        "top_countries": [],
        "by_scope": [],
        "projects_by_status": [],
        "retired_by_reason": [],
        "retirement_ratio_by_vintage": [
            {"vintage": 2018, "issued": 40_000, "retired": 10_000, "ratio": 0.25},
            {"vintage": 2019, "issued": 10_000, "retired": 5_000, "ratio": 0.5},
            {"vintage": 2023, "issued": 100, "retired": 90, "ratio": 0.9},
            {"vintage": 2024, "issued": 1_000, "retired": 1_600, "ratio": 1.6},
        ],
    }
    (ratio,) = [chart for chart in stats_charts(stats) if chart.chart_id == "chart-ratio"]
    assert [row[0] for row in ratio.rows] == [2018, 2019]
    assert "Rests on the 51,100 of 100,000 (51.1%) credits issued" in ratio.note
    assert ratio.note.endswith(": 2023, 2024.")
    assert 'data-label="2024"' not in ratio.svg


def test_a_plain_form_with_empty_fields_redirects_to_the_canonical_url(client):
    response = client.get("/stats?registry=VCS&scope=&country=&year_from=2010&year_to=")
    assert response.status_code == 302
    assert response.headers["Location"] == "/stats?registry=VCS&year_from=2010"
    assert client.get("/stats?registry=VCS&year_from=2010").status_code == 200
