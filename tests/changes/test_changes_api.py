"""/api/v1/changes: the change log as JSON, the /changes filters, cursor pages, problems."""

from __future__ import annotations

from datetime import UTC, datetime

from app.extensions import db
from app.models import bump_data_version
from tests.changes.conftest import make_change
from tests.changes.test_pages import market  # noqa: F401  the same four changes as the page

PROBLEM = "application/problem+json"


def test_the_api_lists_changes_newest_first_with_their_words(client, market):  # noqa: F811
    body = client.get("/api/v1/changes").json
    assert [item["id"] for item in body["items"]] == [change.id for change in reversed(market)]
    retirement = body["items"][1]
    assert retirement["kind"] == "retirement"
    assert retirement["summary"] == "Retired 70 credits for Acme Inc"
    assert retirement["beneficiary_key"] == "acme inc"
    assert retirement["project_url"] == "/api/v1/projects/VCS100"
    assert body["items"][0]["project_url"] is None  # a source's first load names no project
    assert body["next_cursor"] is None


def test_the_api_filters_like_the_page(client, market):  # noqa: F811
    def ids(url: str) -> list[int]:
        return [item["id"] for item in client.get(url).json["items"]]

    assert ids("/api/v1/changes?kind=issuance&kind=retirement") == [market[2].id, market[0].id]
    assert ids("/api/v1/changes?registry=GLD") == [market[1].id]
    assert ids("/api/v1/changes?country=Kenya&kind=retirement") == [market[2].id]
    assert ids("/api/v1/changes?beneficiary=acme+inc") == [market[2].id]
    assert ids("/api/v1/changes?project=vcs100") == [market[2].id, market[0].id]
    today = datetime.now(UTC).date()
    assert len(ids(f"/api/v1/changes?date_from={today}&date_to={today}")) == 4
    assert ids("/api/v1/changes?date_from=2000-01-01&date_to=2000-12-31") == []
    assert ids("/api/v1/changes?date_to=9999-12-31") == ids("/api/v1/changes")


def test_cursor_pages_cover_every_change_once(client, market):  # noqa: F811
    first = client.get("/api/v1/changes?limit=3").json
    assert len(first["items"]) == 3
    assert first["next"].startswith("/api/v1/changes?")
    second = client.get(first["next"]).json
    assert second["next_cursor"] is None
    seen = [item["id"] for page in (first, second) for item in page["items"]]
    assert seen == sorted({change.id for change in market}, reverse=True)


def test_a_page_revalidates_by_etag_until_a_change_arrives(client, market):  # noqa: F811
    first = client.get("/api/v1/changes")
    assert first.headers["ETag"]
    again = client.get("/api/v1/changes", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    make_change(kind="first_load", registry="CAR", quantity=1)
    bump_data_version()
    db.session.commit()
    after = client.get("/api/v1/changes", headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200
    assert len(after.json["items"]) == 5


def test_bad_parameters_are_refused_naming_each(client, market):  # noqa: F811
    response = client.get("/api/v1/changes?kind=nonsense&date_from=yesterday&limit=0&cursor=zz")
    assert response.status_code == 400
    assert response.mimetype == PROBLEM
    names = [param["name"] for param in response.json["invalid-params"]]
    assert names == ["kind", "date_from", "limit", "cursor"]
    assert response.json["detail"].startswith("Cannot use kind, date_from, limit, cursor:")
    assert "Ignored" not in response.json["detail"]


def test_a_reversed_date_range_is_unprocessable(client, market):  # noqa: F811
    response = client.get("/api/v1/changes?date_from=2024-02-01&date_to=2024-01-01")
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
