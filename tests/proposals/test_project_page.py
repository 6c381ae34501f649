"""The catalogue's project page carries the proposals' sections for community projects."""

from __future__ import annotations

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
