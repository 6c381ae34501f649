"""The catalogue's project page carries the proposals' sections for community projects."""

from __future__ import annotations

from app.extensions import db
from app.models import Comment, Support
from tests.factories import make_project, make_user
from tests.proposals.helpers import sign_in


def test_project_page_shows_support_and_discussion(client):
    proposal = make_project(owner=make_user(), name="Biogas for farms")
    sign_in(client, make_user())
    html = client.get(f"/projects/{proposal.project_id}").text
    assert 'id="proposal-support"' in html
    assert 'id="proposal-discussion"' in html
    assert "/static/css/proposals.css" in html
    assert html.index('id="proposal-support"') < html.index('id="proposal-discussion"')


def test_registry_project_page_has_no_proposal_sections(client):
    make_project("VCS191")
    html = client.get("/projects/VCS191").text
    assert "<h1" in html
    assert 'id="proposal-support"' not in html
    assert 'id="proposal-discussion"' not in html


def test_owner_sees_supporters_and_latest_comments_on_my_projects(client):
    owner = make_user()
    proposal = make_project(owner=owner, name="Biogas for farms")
    fan = make_user(email="fan@example.org")
    db.session.add(Support(project_id=proposal.id, user_account_id=fan.id))
    db.session.add(Comment(project_id=proposal.id, user_account_id=fan.id, body="Count me in"))
    db.session.commit()
    sign_in(client, owner)
    html = client.get("/account/projects").text
    assert f'support-count-{proposal.id}">1<' in html
    assert f'comment-count-{proposal.id}">1<' in html
    assert "Count me in" in html
