"""Support: one click, one vote per user and project, counted from the rows."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from app.extensions import db
from tests.factories import make_project, make_user
from tests.proposals.helpers import (
    HTMX,
    project_sections_html,
    sign_in,
    sign_out,
    support_rows,
)


@pytest.fixture
def proposal(app):
    return make_project(owner=make_user(), name="Kisumu cookstoves", country="Kenya")


def support_url(project) -> str:
    return f"/projects/{project.project_id}/support"


def test_support_then_withdraw_swaps_the_button_and_counts_rows(client, proposal):
    supporter = make_user()
    sign_in(client, supporter)

    response = client.post(support_url(proposal), data={"action": "support"}, headers=HTMX)
    assert response.status_code == 200
    assert 'id="proposal-support"' in response.text
    assert 'aria-pressed="true"' in response.text
    assert 'name="action" value="withdraw"' in response.text
    assert support_rows(proposal) == 1

    response = client.post(support_url(proposal), data={"action": "withdraw"}, headers=HTMX)
    assert 'aria-pressed="false"' in response.text
    assert support_rows(proposal) == 0


def test_support_twice_counts_once(client, proposal):
    sign_in(client, make_user())
    for _ in range(2):
        response = client.post(support_url(proposal), data={"action": "support"}, headers=HTMX)
        assert response.status_code == 200
    assert support_rows(proposal) == 1
    assert f'<span class="figure support-count-{proposal.id}">1</span>' in response.text


def test_without_an_action_the_button_toggles(client, proposal):
    sign_in(client, make_user())
    client.post(support_url(proposal), headers=HTMX)
    assert support_rows(proposal) == 1
    client.post(support_url(proposal), headers=HTMX)
    assert support_rows(proposal) == 0


def test_count_is_the_rows_of_every_supporter(client, proposal):
    for _ in range(3):
        sign_in(client, make_user())
        response = client.post(support_url(proposal), data={"action": "support"}, headers=HTMX)
    assert support_rows(proposal) == 3
    assert f'support-count-{proposal.id}">3<' in response.text
    assert ">supporters<" in response.text


def test_every_count_on_the_page_updates_out_of_band(client, proposal):
    sign_in(client, make_user())
    response = client.post(support_url(proposal), data={"action": "support"}, headers=HTMX)
    oob = f'<span hx-swap-oob="innerHTML:.support-count-{proposal.id}">1</span>'
    assert oob in response.text
    event = json.loads(response.headers["HX-Trigger"])
    assert event["support-changed"] == {"project": proposal.project_id, "supporters": 1}


def test_the_discussion_shows_the_count_with_the_shared_class(app, proposal):
    html = project_sections_html(app, proposal)
    assert html.count(f"support-count-{proposal.id}") == 2  # the button and the discussion


def test_without_javascript_support_redirects_back_to_the_project(client, proposal):
    sign_in(client, make_user())
    response = client.post(support_url(proposal), data={"action": "support"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/projects/{proposal.project_id}#proposal-support"
    )
    assert support_rows(proposal) == 1


def test_anonymous_support_goes_to_sign_in_and_back(client, proposal):
    response = client.post(support_url(proposal), data={"action": "support"})
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/auth/login"
    assert parse_qs(location.query)["next"] == [
        f"/projects/{proposal.project_id}?intent=support#proposal-support"
    ]
    assert support_rows(proposal) == 0


def test_back_from_sign_in_the_support_click_is_one_confirm_away(client, proposal):
    response = client.post(support_url(proposal), data={"action": "support"})
    back = parse_qs(urlsplit(response.headers["Location"]).query)["next"][0]
    # Signing in acts on nothing by itself: the page asks to confirm with its CSRF'd form.
    sign_in(client, make_user())
    page = client.get(back).text
    assert "You are signed in. Confirm your support:" in page
    assert "Yes, support this proposal</button>" in page
    assert support_rows(proposal) == 0
    client.post(support_url(proposal), data={"action": "support"})
    assert support_rows(proposal) == 1
    again = client.get(back).text
    assert "Confirm your support" not in again
    assert "withdraw my support" in again


def test_anonymous_htmx_support_redirects_the_whole_page(client, proposal):
    response = client.post(support_url(proposal), data={"action": "support"}, headers=HTMX)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/auth/login?next=")
    assert support_rows(proposal) == 0


def test_owner_cannot_support_their_own_project(client, proposal):
    sign_in(client, proposal.owner)
    response = client.post(support_url(proposal), data={"action": "support"})
    assert response.status_code == 403
    assert "support your own project" in response.text
    assert support_rows(proposal) == 0


def test_owner_sees_no_support_button(app, proposal):
    html = project_sections_html(app, proposal, user=proposal.owner)
    assert "This is your proposal" in html
    assert "Support this proposal" not in html


@pytest.mark.parametrize("stage", ["registered", "withdrawn"])
def test_only_proposals_take_support(client, proposal, stage):
    proposal.stage = stage
    proposal.registered_project_id = "VCS4242" if stage == "registered" else None
    db.session.commit()
    sign_in(client, make_user())
    response = client.post(support_url(proposal), data={"action": "support"}, headers=HTMX)
    assert response.status_code == 409
    assert f"has been {stage}" in response.text
    assert support_rows(proposal) == 0
    # A page opened before the stage changed gets its support region back as it is now,
    # not an error page swapped in its place.
    assert response.text.lstrip().startswith('<section id="proposal-support"')
    assert "Support this proposal" not in response.text
    assert "<h1" not in response.text
    plain = client.post(support_url(proposal), data={"action": "support"})
    assert plain.status_code == 409
    assert "<html" in plain.text


def test_closed_project_keeps_its_count_but_no_button(app, client, proposal):
    sign_in(client, make_user())
    client.post(support_url(proposal), data={"action": "support"})
    proposal.stage = "registered"
    proposal.registered_project_id = "VCS4242"
    db.session.commit()
    html = project_sections_html(app, proposal)
    assert f'support-count-{proposal.id}">1<' in html
    assert "registered as VCS4242" in html
    assert "Support this proposal" not in html


def test_registry_projects_have_no_support(client, app):
    project = make_project("VCS191")
    sign_in(client, make_user())
    response = client.post("/projects/VCS191/support", data={"action": "support"})
    assert response.status_code == 404
    assert "proposal-support" not in project_sections_html(app, project)


def test_unknown_project_is_404(client):
    sign_in(client, make_user())
    assert client.post("/projects/COMMUNITY-999/support").status_code == 404


def test_unknown_action_is_a_clear_400(client, proposal):
    sign_in(client, make_user())
    response = client.post(support_url(proposal), data={"action": "maybe"})
    assert response.status_code == 400
    assert "must be &#39;support&#39; or &#39;withdraw&#39;" in response.text


def test_signed_out_user_sees_the_support_button_that_leads_to_sign_in(app, client, proposal):
    sign_out(client)
    html = project_sections_html(app, proposal)
    assert "Support this proposal" in html
    assert "asked to sign in first" in html


@pytest.mark.csrf
def test_support_needs_a_csrf_token(client, proposal):
    sign_in(client, make_user())
    response = client.post(support_url(proposal), data={"action": "support"}, headers=HTMX)
    assert response.status_code == 400
    assert support_rows(proposal) == 0
