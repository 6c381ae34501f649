"""/stats split by quality label (CCP, CORSIA) and the buffer pools by registry."""

from __future__ import annotations

from app.extensions import db
from app.insights.filters import StatsFilters
from app.insights.stats import market_stats
from app.models import Project
from tests.factories import make_label
from tests.insights.market import seed_market


def split(stats: dict, kind: str) -> dict:
    return next(row for row in stats["by_label"] if row["kind"] == kind)


def test_the_market_splits_by_ccp_label_with_its_share(app):
    projects = seed_market()  # VCS100 1,500 issued / 300 retired of a 2,100 / 700 market
    make_label(projects["VCS100"], "ccp", "approved")
    ccp = split(market_stats(), "ccp")
    assert ccp["labelled"] == {"projects": 1, "issued": 1500, "retired": 300}
    assert ccp["other"] == {"projects": 3, "issued": 600, "retired": 400}
    assert ccp["share_of_issued"] == round(1500 / 2100, 4)
    assert ccp["share_of_retired"] == round(300 / 700, 4)
    years = {row["year"]: row for row in ccp["by_year"]}
    assert years[2019] == {
        "year": 2019,
        "labelled_issued": 1000,
        "labelled_retired": 0,
        "other_issued": 0,
        "other_retired": 0,
    }
    assert years[2020]["labelled_issued"] == 500
    assert years[2020]["other_issued"] == 200
    corsia = split(market_stats(), "corsia")
    assert corsia["labelled"]["projects"] == 0
    assert corsia["share_of_issued"] == 0


def test_a_year_range_splits_the_records_of_those_years(app):
    projects = seed_market()
    make_label(projects["VCS100"], "ccp", "approved")
    ccp = split(market_stats(StatsFilters(year_from=2020, year_to=2020)), "ccp")
    assert ccp["labelled"]["issued"] == 500
    assert ccp["other"]["issued"] == 200
    assert ccp["share_of_issued"] == round(500 / 700, 4)


def test_buffer_totals_by_registry_with_their_share(app):
    projects = seed_market()
    brazil = db.session.get(Project, projects["VCS100"].id)
    brazil.buffer_deposits, brazil.reversals_covered, brazil.buffer_released = 150, 20, 5
    db.session.commit()
    rows = market_stats()["buffer_by_registry"]
    assert rows == [
        {
            "registry": "VCS",
            "buffer_deposits": 150,
            "reversals_covered": 20,
            "reversals_not_covered": 0,
            "buffer_released": 5,
            "buffer_share_of_issued": 0.1,  # of the 1,500 issued by the project reporting it
        }
    ]


def test_the_stats_page_states_each_labels_share_and_the_buffer_table(client):
    projects = seed_market()
    make_label(projects["VCS100"], "corsia", "pilot")
    page = client.get("/stats").text
    section = page.split('id="stats-by-label"', 1)[1].split("</section>", 1)[0]
    assert "CORSIA eligible: 71.4% of credits issued, 42.9% of credits retired" in section
    assert 'data-side="labelled"' in section
