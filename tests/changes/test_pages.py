"""/changes, the project page's History, and the Atom feeds."""

from __future__ import annotations

from datetime import UTC, datetime

import feedparser
import pytest

from tests.changes.conftest import make_change
from tests.factories import make_project

RESULTS = {"HX-Request": "true", "HX-Target": "changes-results"}


@pytest.fixture
def market(app):
    kenya = make_project("VCS100", name="Kenya Stoves", country="Kenya", project_type="Cookstoves")
    peru = make_project("GLD200", registry="GLD", name="Peru Forest", country="Peru",
                        project_type="REDD+")  # fmt: skip
    changes = [
        make_change(kenya, "issuance", quantity=5000, vintage=2023),
        make_change(peru, "status", field="status", old_value="Listed", new_value="Registered"),
        make_change(
            kenya, "retirement", quantity=70, beneficiary="Acme Inc", beneficiary_key="acme inc"
        ),
        make_change(kind="first_load", registry="ACR", quantity=600),
    ]
    return changes


def ids_in(html: str) -> list[int]:
    import re

    return [int(found) for found in re.findall(r'data-change-id="(\d+)"', html)]


def test_changes_page_lists_newest_first_with_words_a_person_reads(client, market):
    changes = market
    html = client.get("/changes").get_data(as_text=True)
    assert ids_in(html) == [change.id for change in reversed(changes)]
    assert "Issued 5,000 credits of vintage 2023" in html
    assert "Status Listed → Registered" in html
    assert "Retired 70 credits for Acme Inc" in html
    assert "First loaded: 600 projects" in html
    assert '<link rel="alternate" type="application/atom+xml"' in html


def test_facets_filter_by_kind_registry_and_country_and_count_the_rest(client, market):
    changes = market
    html = client.get("/changes?kind=issuance&kind=retirement").get_data(as_text=True)
    assert ids_in(html) == [changes[2].id, changes[0].id]
    # The kind facet counts with every other filter but its own: status is still offered.
    assert 'value="status"' in html
    html = client.get("/changes?registry=GLD").get_data(as_text=True)
    assert ids_in(html) == [changes[1].id]
    html = client.get("/changes?country=Kenya&kind=retirement").get_data(as_text=True)
    assert ids_in(html) == [changes[2].id]


def test_htmx_filter_answers_the_results_region_and_pushes_the_canonical_url(client, market):
    response = client.get("/changes?kind=issuance&registry=vcs", headers=RESULTS)
    html = response.get_data(as_text=True)
    assert html.startswith('<div id="changes-results"') or 'id="changes-results"' in html[:400]
    assert "<html" not in html
    assert response.headers["HX-Push-Url"] == "/changes?registry=VCS&kind=issuance"
    assert "HX-Target" in response.headers["Vary"]


@pytest.mark.usefixtures("market")
def test_date_range_and_bad_values_warn_instead_of_failing(client):
    today = datetime.now(UTC).date().isoformat()
    html = client.get(f"/changes?date_from={today}&date_to={today}").get_data(as_text=True)
    assert len(ids_in(html)) == 4
    html = client.get("/changes?date_from=2000-01-01&date_to=2000-12-31").get_data(as_text=True)
    assert ids_in(html) == []
    response = client.get("/changes?date_from=yesterday&kind=nonsense&before=x")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Ignored date_from=“yesterday”" in html
    assert "Ignored unknown kind of change “nonsense”" in html


def test_older_pages_follow_by_keyset(client, monkeypatch, market):
    changes = market
    from app.changes import search

    monkeypatch.setattr(search, "PER_PAGE", 2)
    html = client.get("/changes").get_data(as_text=True)
    assert ids_in(html) == [changes[3].id, changes[2].id]
    assert f"before={changes[2].id}" in html
    html = client.get(f"/changes?before={changes[2].id}").get_data(as_text=True)
    assert ids_in(html) == [changes[1].id, changes[0].id]
    assert "pager-next" not in html


def test_project_page_shows_its_history(client, market):
    changes = market
    html = client.get("/projects/VCS100").get_data(as_text=True)
    assert 'id="history"' in html
    assert ids_in(html) == [changes[2].id, changes[0].id]
    assert "/projects/VCS100/changes.atom" in html
    html = client.get(f"/projects/{make_project('CAR9').project_id}").get_data(as_text=True)
    assert "No change recorded yet" in html


@pytest.mark.usefixtures("market")
def test_changes_feed_is_valid_atom_with_stable_entry_ids(client):
    first = client.get("/changes.atom")
    assert first.status_code == 200
    assert first.mimetype == "application/atom+xml"
    parsed = feedparser.parse(first.data)
    assert not parsed.bozo
    assert parsed.version == "atom10"
    assert [entry.title for entry in parsed.entries][:2] == [
        "ACR: First loaded: 600 projects",
        "VCS100: Retired 70 credits for Acme Inc",
    ]
    again = feedparser.parse(client.get("/changes.atom").data)
    assert [e.id for e in again.entries] == [e.id for e in parsed.entries]
    assert len({e.id for e in parsed.entries}) == 4


@pytest.mark.usefixtures("market")
def test_feed_answers_304_to_a_reader_that_has_it(client):
    first = client.get("/changes.atom?kind=issuance")
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert (
        client.get("/changes.atom?kind=issuance", headers={"If-None-Match": etag}).status_code
        == 304
    )
    assert (
        client.get(
            "/changes.atom?kind=issuance", headers={"If-Modified-Since": modified}
        ).status_code
        == 304
    )
    make_change(kind="issuance", project_id="VCS100", registry="VCS", quantity=1)
    from app.models import bump_data_version

    bump_data_version()
    from app.extensions import db

    db.session.commit()
    fresh = client.get("/changes.atom?kind=issuance", headers={"If-None-Match": etag})
    assert fresh.status_code == 200
    assert fresh.headers["ETag"] != etag


@pytest.mark.usefixtures("market")
def test_project_beneficiary_and_project_search_feeds(client):
    project = feedparser.parse(client.get("/projects/VCS100/changes.atom").data)
    assert [e.title.split(":")[0] for e in project.entries] == ["VCS100", "VCS100"]
    beneficiary = feedparser.parse(client.get("/beneficiaries/acme inc/changes.atom").data)
    assert [e.title for e in beneficiary.entries] == ["VCS100: Retired 70 credits for Acme Inc"]
    search = feedparser.parse(client.get("/projects.atom?country=Peru").data)
    assert [e.title for e in search.entries] == ["GLD200: Status Listed → Registered"]
    page = client.get("/projects?country=Peru").get_data(as_text=True)
    assert 'href="/projects.atom?country=Peru"' in page


def test_feeds_refuse_unknown_subjects_and_filters(client, market):
    assert client.get("/projects/VCS999/changes.atom").status_code == 404
    assert client.get("/beneficiaries/nobody/changes.atom").status_code == 404
    response = client.get("/changes.atom?kind=nonsense")
    assert response.status_code == 400
    assert "nonsense" in response.get_data(as_text=True)


def facet_counts_in(html: str, facet: str) -> dict[str, int]:
    import re

    block = html.split(f'id="facet-{facet}"')[1].split("</fieldset>")[0]
    pairs = re.findall(r'value="([^"]+)".*?data-count="(\d+)"', block, flags=re.S)
    return {value: int(count) for value, count in pairs}


def test_each_facet_counts_with_the_other_filters_but_not_its_own(client, market):
    html = client.get("/changes?kind=issuance&kind=retirement").get_data(as_text=True)
    assert facet_counts_in(html, "registry") == {"VCS": 2}
    kinds = facet_counts_in(html, "kind")
    assert (kinds["issuance"], kinds["retirement"], kinds["status"], kinds["first_load"]) == (
        1,
        1,
        1,
        1,
    )
    assert "2 changes" in html
