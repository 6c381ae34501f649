"""Following a project, a search or a beneficiary, and the account's "since your last visit"."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Follow
from tests.accounts.helpers import csrf_token_from, sign_in_as
from tests.changes.conftest import make_change
from tests.factories import make_project, make_user

HTMX = {"HX-Request": "true", "HX-Current-URL": "http://localhost/projects/VCS100"}


@pytest.fixture
def follower(client):
    user = make_user("follower@example.org")
    sign_in_as(client, user)
    return user


def follows_of(user) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Follow.target_kind, Follow.target).where(Follow.user_account_id == user.id)
    )
    return sorted(tuple(row) for row in rows)


def test_follow_a_project_with_htmx_answers_the_new_button(client, follower):
    make_project("VCS100", name="Kenya Stoves")
    response = client.post("/follows", data={"kind": "project", "target": "vcs100"}, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'data-following="yes"' in html
    assert "Following ✓" in html
    assert follows_of(follower) == [("project", "VCS100")]
    # Following twice keeps one follow; unfollowing removes it.
    client.post("/follows", data={"kind": "project", "target": "VCS100"}, headers=HTMX)
    assert follows_of(follower) == [("project", "VCS100")]
    html = client.post(
        "/follows/delete", data={"kind": "project", "target": "VCS100"}, headers=HTMX
    ).get_data(as_text=True)
    assert 'data-following="no"' in html
    assert follows_of(follower) == []


def test_follow_without_javascript_redirects_back_with_a_message(client, follower):
    make_project("VCS100")
    response = client.post(
        "/follows", data={"kind": "project", "target": "VCS100", "next": "/projects/VCS100"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/projects/VCS100"
    page = client.get("/projects/VCS100").get_data(as_text=True)
    assert "You follow VCS100" in page
    assert 'data-following="yes"' in page
    # An outside "next" is never followed.
    response = client.post(
        "/follows/delete",
        data={"kind": "project", "target": "VCS100", "next": "https://evil.example/"},
    )
    assert response.headers["Location"] == "/account"


def test_follow_a_search_stores_its_canonical_url(client, follower):
    client.post(
        "/follows",
        data={"kind": "search", "target": "/changes?kind=issuance&registry=vcs&before=9"},
    )
    client.post("/follows", data={"kind": "search", "target": "/projects?country=Kenya&page=3"})
    assert follows_of(follower) == [
        ("search", "/changes?registry=VCS&kind=issuance"),
        ("search", "/projects?country=Kenya"),
    ]
    account = client.get("/account").get_data(as_text=True)
    assert "Changes: Registry: Verra (VCS), Kind of change: New issuance" in account
    assert "Projects: Country: Kenya" in account


def test_follow_a_beneficiary_it_knows(client, follower):
    make_change(kind="retirement", project_id="VCS1", beneficiary="Acme", beneficiary_key="acme")
    assert (
        client.post("/follows", data={"kind": "beneficiary", "target": "acme"}).status_code == 302
    )
    assert follows_of(follower) == [("beneficiary", "acme")]


@pytest.mark.parametrize(
    ("data", "status"),
    [
        ({"kind": "project", "target": "VCS999"}, 404),
        ({"kind": "beneficiary", "target": "nobody at all"}, 404),
        ({"kind": "search", "target": "/admin/sync"}, 400),
        ({"kind": "planet", "target": "earth"}, 400),
        ({"kind": "project", "target": ""}, 400),
    ],
)
def test_follow_refuses_what_cannot_be_followed(client, follower, data, status):
    response = client.post("/follows", data=data)
    assert response.status_code == status
    assert follows_of(follower) == []


def test_signed_out_visitor_is_sent_to_sign_in(client):
    make_project("VCS100")
    response = client.post("/follows", data={"kind": "project", "target": "VCS100"})
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    button = client.get(
        "/follows/button?kind=project&target=VCS100",
        headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/projects/VCS100?x=1"},
    ).get_data(as_text=True)
    assert "Sign in to follow" in button
    assert 'href="/auth/login?next=/projects/VCS100?x%3D1"' in button


@pytest.mark.csrf
def test_follow_needs_the_csrf_token(client, follower):
    make_project("VCS100")
    refused = client.post("/follows", data={"kind": "project", "target": "VCS100"})
    assert refused.status_code == 400
    token = csrf_token_from(client.get("/projects/VCS100").get_data(as_text=True))
    accepted = client.post(
        "/follows", data={"kind": "project", "target": "VCS100", "csrf_token": token}
    )
    assert accepted.status_code == 302
    assert follows_of(follower) == [("project", "VCS100")]


def test_account_shows_what_changed_since_the_last_visit_once(client, follower):
    kenya = make_project("VCS100", country="Kenya")
    other = make_project("VCS200", country="Peru")
    make_change(kenya, "issuance", quantity=1)  # before following: not news
    client.post("/follows", data={"kind": "project", "target": "VCS100"})
    client.post("/follows", data={"kind": "search", "target": "/changes?country=Kenya"})
    first = client.get("/account").get_data(as_text=True)
    assert "You follow nothing yet" not in first
    assert 'id="nothing-new"' in first
    news = make_change(kenya, "retirement", quantity=42)
    make_change(other, "retirement", quantity=7)
    second = client.get("/account").get_data(as_text=True)
    new_section = second.split('id="new-changes"')[1].split("</ol>")[0]
    # Matched by two follows, listed once; the other project's change not at all.
    assert new_section.count(f'data-change-id="{news.id}"') == 1
    assert "Retired 42 credits" in new_section
    assert "Retired 7 credits" not in second
    third = client.get("/account").get_data(as_text=True)
    assert 'id="nothing-new"' in third
    assert f'data-change-id="{news.id}"' in third.split('id="earlier-changes"')[1]


def test_digest_frequency_is_chosen_on_the_account_page(client, follower):
    response = client.post("/account/digest", data={"digest_frequency": "daily"})
    assert response.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    assert 'value="daily" checked' in page
    fragment = client.post(
        "/account/digest", data={"digest_frequency": "off"}, headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert "Saved: no email digests." in fragment
    assert client.post("/account/digest", data={"digest_frequency": "hourly"}).status_code == 422


def test_without_javascript_the_follow_link_of_a_cached_page_leads_to_a_real_form(client):
    link = "/follows/new?kind=search&target=/changes%3Fcountry%3DKenya"
    assert "/auth/login" in client.get(link).headers["Location"]
    sign_in_as(client, make_user())
    page = client.get(link).get_data(as_text=True)
    assert 'name="target" value="/changes?country=Kenya"' in page
    assert "Follow this search" in page
    assert "<form" in page
    listing = client.get("/changes?country=Kenya").get_data(as_text=True)
    assert 'href="/follows/new?kind=search&amp;target=/changes?country%3DKenya"' in listing
