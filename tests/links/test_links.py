"""Links stored, reviewed and seen: refresh, the queue, project pages, totals, API, facet."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import select

from app.extensions import db
from app.links.store import refresh_links
from app.models import ProjectLink, ProjectYearlyFigure, utcnow
from tests.accounts.helpers import sign_in_as
from tests.factories import make_credit, make_project, make_user
from tests.links.real_data import issued_by_vintage

QUEUE = {"HX-Request": "true", "HX-Target": "link-queue"}
US_LANDFILL = {"country": "United States", "project_type": "Landfill Methane", "state": "UTAH"}


def add_vintages(project, figures: dict[int, int]) -> None:
    db.session.add_all(
        ProjectYearlyFigure(
            project_id=project.id, block="issued_by_vintage", year=year, quantity=qty, source="vrod"
        )
        for year, qty in figures.items()
    )
    db.session.commit()


@pytest.fixture
def known_pair(app):
    """CAR400 and VCS1528 as the real release has them (issued by vintage included)."""
    car = make_project(
        "CAR400",
        registry="CAR",
        name="South Jordan Landfill Gas Destruction Project",
        issued=2053918,
        first_vintage=2009,
        last_vintage=2016,
        **US_LANDFILL,
    )
    vcs = make_project(
        "VCS1528",
        name="Granger South Jordan Landfill Gas Destruction Project - CER Conversion",
        issued=45730,
        first_vintage=2014,
        last_vintage=2014,
        status="Units Transferred from Approved GHG Program",
        **US_LANDFILL,
    )
    make_credit(car, quantity=2053918, year=2015)  # the statistics' issuance, as rows
    make_credit(vcs, quantity=45730, year=2016)
    add_vintages(car, issued_by_vintage("CAR400"))
    add_vintages(vcs, issued_by_vintage("VCS1528"))
    return car, vcs


@pytest.fixture
def suggestion(app):
    """Two records the matcher suggests (not among the known pairs)."""
    gld = make_project(
        "GLD3015",
        registry="GLD",
        name="Za Hung Hydropower Project",
        country="Viet Nam",
        project_type="Hydropower",
        first_vintage=2010,
        last_vintage=2012,
        issued=100,
    )
    vcs = make_project(
        "VCS900",
        name="Za Hung Hydropower Project",
        country="Viet Nam",
        project_type="Hydropower",
        first_vintage=2011,
        last_vintage=2014,
        issued=200,
    )
    refresh_links()
    return (
        db.session.scalars(select(ProjectLink).where(ProjectLink.project_a_id == gld.id)).one(),
        gld,
        vcs,
    )


def test_car400_page_says_also_listed_as_vcs1528_and_that_both_issued(client, known_pair):
    refresh_links()
    html = client.get("/projects/CAR400").get_data(as_text=True)
    assert "Also listed as" in html
    assert 'data-linked-project="VCS1528" data-link-kind="stated"' in html
    assert "Both records issued credits for vintage" in html
    assert "2014" in html
    other = client.get("/projects/VCS1528").get_data(as_text=True)
    assert 'data-linked-project="CAR400"' in other


def test_market_total_says_how_much_double_listing_it_removed(client, known_pair):
    refresh_links()
    html = client.get("/stats").get_data(as_text=True)
    # The two records issued 45,730 for vintage 2014 each (VCS1528 is CAR400's conversion).
    plain = 2053918 + 45730
    assert f'data-plain="{plain}"' in html
    assert 'data-removed="45730"' in html
    assert f'data-deduplicated="{plain - 45730}"' in html
    assert "45,730" in client.get("/").get_data(as_text=True)


def test_api_project_carries_also_listed_as(client, known_pair):
    refresh_links()
    body = client.get("/api/v1/projects/VCS1528").get_json()
    assert body["also_listed_as"] == [
        {
            "project_id": "CAR400",
            "registry": "CAR",
            "kind": "stated",
            "review_state": "confirmed",
            "score": 1.0,
            "both_issued_vintages": [2014],
        }
    ]


def test_facet_lists_projects_listed_in_more_than_one_registry(client, known_pair):
    make_project("VCS77", name="Alone")
    refresh_links()
    body = client.get("/api/v1/projects?listed=multiple").get_json()
    assert sorted(item["project_id"] for item in body["items"]) == ["CAR400", "VCS1528"]
    html = client.get("/projects").get_data(as_text=True)
    assert "Listed in more than one registry" in html


def test_admin_confirms_a_suggestion_inline_and_it_counts_as_a_link(client, suggestion):
    link, _gld, _vcs = suggestion
    assert link.review_state == "suggested"
    sign_in_as(client, make_user(role="admin"))
    queue = client.get("/admin/links").get_data(as_text=True)
    assert f'id="link-{link.id}"' in queue
    assert "1 suggestion waiting" in queue
    response = client.post(
        f"/admin/links/{link.id}/review",
        data={"decision": "confirm", "reason": "same plant"},
        headers={"HX-Request": "true", "HX-Target": f"link-{link.id}"},
    )
    assert response.status_code == 200
    assert "confirmed" in response.get_data(as_text=True)
    assert 'hx-swap-oob="true">0 suggestions waiting' in response.get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(ProjectLink, link.id)
    assert (stored.review_state, stored.kind, stored.reason) == (
        "confirmed",
        "confirmed",
        "same plant",
    )
    assert 'data-link-kind="confirmed"' in client.get("/projects/VCS900").get_data(as_text=True)
    assert (
        client.get("/admin/links", headers=QUEUE).get_data(as_text=True).count("link-suggestion")
        == 0
    )


def test_rejected_pair_never_comes_back(client, suggestion):
    link, _gld, _vcs = suggestion
    sign_in_as(client, make_user(role="admin"))
    response = client.post(
        f"/admin/links/{link.id}/review", data={"decision": "reject", "reason": "two plants"}
    )
    assert response.status_code == 303  # the plain form: back to the queue
    refresh_links()
    refresh_links(changed_since=utcnow().replace(year=2000))
    db.session.expire_all()
    assert db.session.get(ProjectLink, link.id).review_state == "rejected"
    assert "data-linked-project" not in client.get("/projects/GLD3015").get_data(as_text=True)


def test_reject_without_reason_answers_422_with_the_form_again(client, suggestion):
    link, _, _ = suggestion
    sign_in_as(client, make_user(role="admin"))
    response = client.post(
        f"/admin/links/{link.id}/review",
        data={"decision": "reject"},
        headers={"HX-Request": "true", "HX-Target": f"link-{link.id}"},
    )
    assert response.status_code == 422
    assert "Say why" in response.get_data(as_text=True)
    assert 'name="reason"' in response.get_data(as_text=True)
    assert db.session.get(ProjectLink, link.id).review_state == "suggested"


def test_second_decision_is_409_and_unknown_link_404(client, suggestion):
    link, _, _ = suggestion
    sign_in_as(client, make_user(role="admin"))
    headers = {"HX-Request": "true", "HX-Target": f"link-{link.id}"}
    assert (
        client.post(
            f"/admin/links/{link.id}/review", data={"decision": "confirm"}, headers=headers
        ).status_code
        == 200
    )
    again = client.post(
        f"/admin/links/{link.id}/review",
        data={"decision": "reject", "reason": "x"},
        headers=headers,
    )
    assert again.status_code == 409
    assert "already confirmed" in again.get_data(as_text=True)
    assert (
        client.post(
            "/admin/links/999999/review", data={"decision": "confirm"}, headers=headers
        ).status_code
        == 404
    )


def test_queue_is_for_admins_only(client, suggestion):
    link, _, _ = suggestion
    assert client.get("/admin/links").status_code in (302, 401)
    sign_in_as(client, make_user())
    assert client.get("/admin/links").status_code == 403
    assert (
        client.post(f"/admin/links/{link.id}/review", data={"decision": "confirm"}).status_code
        == 403
    )


def test_queue_pages_best_first_and_clamps(client, app):
    for number in range(25):
        make_project(
            f"GLD{500 + number}",
            registry="GLD",
            name=f"Site{chr(97 + number)}xyz Hydropower",
            country="Laos",
        )
        make_project(
            f"VCS{500 + number}", name=f"Site{chr(97 + number)}xyz Hydropower", country="Laos"
        )
    refresh_links()
    sign_in_as(client, make_user(role="admin"))
    first = client.get("/admin/links").get_data(as_text=True)
    assert "25 suggestions waiting" in first
    assert first.count("link-suggestion") == 20
    assert "Page 1 of 2" in first
    last = client.get("/admin/links?page=9", headers=QUEUE).get_data(as_text=True)
    assert last.count("link-suggestion") == 5
    assert last.startswith('<div id="link-queue">')


def test_data_page_lists_confirmed_and_suggested_pairs(client, known_pair, suggestion):
    html = client.get("/data").get_data(as_text=True)
    assert 'data-link-state="confirmed"' in html
    assert 'data-link-state="suggested"' in html
    csv_text = client.get("/data/project-links.csv").get_data(as_text=True)
    assert "CAR400,VCS1528,confirmed,stated" in csv_text
    assert "GLD3015,VCS900,suggested,suggested" in csv_text


def test_sync_refresh_only_looks_at_changed_projects(app, suggestion):
    link, _gld, _vcs = suggestion
    db.session.delete(link)
    db.session.commit()
    refresh_links(changed_since=utcnow())  # nothing changed since now
    assert db.session.scalars(select(ProjectLink)).all() == []
    refresh_links()
    assert len(db.session.scalars(select(ProjectLink)).all()) == 1


def test_a_suggestion_that_no_longer_matches_after_a_change_is_dropped(app, suggestion):
    link, _gld, vcs = suggestion
    link_id = link.id
    before = utcnow()
    vcs.name = "Song Bung Hydropower Project"
    vcs.updated_at = utcnow()
    db.session.commit()
    counts = refresh_links(changed_since=before)
    assert counts.removed == 1
    assert db.session.get(ProjectLink, link_id) is None


def _stored_row(project) -> pd.DataFrame:
    """A project's stored fields as a load's frame gives them."""
    from app.etl import columns as c
    from app.etl.load import FIELDS

    table = project.__table__
    row = (
        db.session.execute(
            select(*(table.c[name] for name in (c.PROJECT_ID, *FIELDS))).where(
                table.c.id == project.id
            )
        )
        .mappings()
        .one()
    )
    return pd.DataFrame([dict(row)])


def test_the_load_tells_the_matcher_only_the_projects_whose_matched_fields_changed(app, suggestion):
    from app.etl import columns as c
    from app.etl.load import load_projects

    _link, _gld, vcs = suggestion
    no_credits = pd.DataFrame(columns=list(c.CREDIT_RECORD_COLUMNS))
    new_totals = _stored_row(vcs).assign(issued=300)  # a delta's new events: totals only
    with db.engine.begin() as connection:
        counts = load_projects(connection, new_totals, no_credits, frozenset({vcs.project_id}))
    assert counts.updated == 1
    assert counts.relinkable == set()
    renamed = _stored_row(vcs).assign(name="Za Hung Hydro Power Plant")
    with db.engine.begin() as connection:
        counts = load_projects(connection, renamed, no_credits, frozenset({vcs.project_id}))
    assert counts.relinkable == {vcs.id}
