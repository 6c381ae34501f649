"""Comments: plain text, kept safe, editable for 15 minutes, read-only once the proposal closes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Comment, utcnow
from tests.factories import make_project, make_user
from tests.proposals.helpers import (
    HTMX,
    comment_rows,
    htmx_to,
    project_sections_html,
    sign_in,
)


@pytest.fixture
def proposal(app):
    return make_project(owner=make_user(email="owner@example.org"), name="Mangrove restoration")


def comments_url(project) -> str:
    return f"/projects/{project.project_id}/comments"


def make_comment(project, author, body="A comment", age=timedelta(0)) -> Comment:
    created = utcnow() - age
    comment = Comment(
        project_id=project.id,
        user_account_id=author.id,
        body=body,
        created_at=created,
        updated_at=created,
    )
    db.session.add(comment)
    db.session.commit()
    return comment


def test_new_comment_appears_in_the_discussion_at_once(client, proposal):
    ana = make_user(email="ana@example.org")
    sign_in(client, ana)
    response = client.post(comments_url(proposal), data={"body": "Great idea"}, headers=HTMX)
    assert response.status_code == 200
    assert 'id="proposal-discussion"' in response.text
    assert "Great idea" in response.text
    # Members are shown by number: no part of an email address reaches a public page.
    assert f'<strong class="comment-author">Member #{ana.id}</strong>' in response.text
    assert "ana@" not in response.text
    assert ">ana<" not in response.text
    assert f'<span hx-swap-oob="innerHTML:.comment-count-{proposal.id}">1</span>' in response.text
    assert comment_rows(proposal) == 1


def test_comment_without_javascript_redirects_to_it(client, proposal):
    sign_in(client, make_user())
    response = client.post(comments_url(proposal), data={"body": "Plain form"})
    assert response.status_code == 302
    comment = db.session.scalar(db.select(Comment))
    assert response.headers["Location"].endswith(
        f"/projects/{proposal.project_id}#comment-{comment.id}"
    )


def test_comment_text_is_escaped_with_links_and_line_breaks(client, proposal):
    sign_in(client, make_user())
    body = '<script>alert("x")</script>\nSee https://example.org/report?a=1&b=2.'
    response = client.post(comments_url(proposal), data={"body": body}, headers=HTMX)
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;<br>" in response.text
    assert (
        '<a href="https://example.org/report?a=1&amp;b=2" rel="nofollow noopener ugc">'
        in response.text
    )
    stored = db.session.scalar(db.select(Comment.body))
    assert stored == body


def test_javascript_links_are_not_made_clickable(client, proposal):
    sign_in(client, make_user())
    response = client.post(
        comments_url(proposal), data={"body": "javascript:alert(1)"}, headers=HTMX
    )
    assert 'href="javascript' not in response.text
    assert "javascript:alert(1)" in response.text


def test_comment_of_2000_characters_is_accepted(client, proposal):
    sign_in(client, make_user())
    response = client.post(comments_url(proposal), data={"body": "x" * 2000}, headers=HTMX)
    assert response.status_code == 200
    assert comment_rows(proposal) == 1


def test_comment_over_2000_characters_is_a_clear_422(client, proposal):
    sign_in(client, make_user())
    response = client.post(comments_url(proposal), data={"body": "x" * 2001}, headers=HTMX)
    assert response.status_code == 422
    assert "at most 2,000 characters; this one has 2,001" in response.text
    assert 'aria-invalid="true"' in response.text
    assert "x" * 2001 in response.text  # the text is kept for the user to shorten
    assert comment_rows(proposal) == 0


def test_too_long_comment_without_javascript_gets_a_page_with_the_form(client, proposal):
    sign_in(client, make_user())
    response = client.post(comments_url(proposal), data={"body": "y" * 2500})
    assert response.status_code == 422
    assert "<h1>Your comment on Mangrove restoration</h1>" in response.text
    assert "this one has 2,500" in response.text


def test_empty_comment_is_refused(client, proposal):
    sign_in(client, make_user())
    response = client.post(comments_url(proposal), data={"body": "  \r\n "}, headers=HTMX)
    assert response.status_code == 422
    assert "Write something" in response.text
    assert comment_rows(proposal) == 0


def test_anonymous_comment_goes_to_sign_in(client, proposal):
    response = client.post(comments_url(proposal), data={"body": "hi"})
    assert response.status_code == 302
    assert "/auth/login?next=" in response.headers["Location"]
    assert comment_rows(proposal) == 0


def test_owner_comments_are_marked(app, proposal):
    make_comment(proposal, proposal.owner, "Thanks for the support")
    make_comment(proposal, make_user(), "Question")
    html = project_sections_html(app, proposal)
    assert html.count("comment-by-owner") == 1
    assert ">Owner</span>" in html


def test_newest_first_by_default_and_oldest_on_request(app, proposal):
    author = make_user()
    make_comment(proposal, author, "first said", age=timedelta(hours=2))
    make_comment(proposal, author, "second said", age=timedelta(hours=1))
    newest = project_sections_html(app, proposal)
    assert newest.index("second said") < newest.index("first said")
    oldest = project_sections_html(app, proposal, query_string="?comments_order=oldest")
    assert oldest.index("first said") < oldest.index("second said")


def test_discussion_fragment_in_oldest_order(client, proposal):
    author = make_user()
    make_comment(proposal, author, "first said", age=timedelta(hours=2))
    make_comment(proposal, author, "second said", age=timedelta(hours=1))
    response = client.get(
        comments_url(proposal) + "?order=oldest", headers=htmx_to("proposal-discussion")
    )
    assert response.status_code == 200
    assert response.text.index("first said") < response.text.index("second said")
    assert "HX-Target" in response.headers["Vary"]


def test_discussion_is_paginated_by_20(client, proposal):
    author = make_user()
    for number in range(25):
        age = timedelta(minutes=number)
        make_comment(proposal, author, f"comment number {number:02d}", age=age)
    first = client.get(comments_url(proposal), headers=HTMX).text
    assert first.count('class="comment"') == 20
    assert "comment number 00" in first
    assert f'hx-push-url="/projects/{proposal.project_id}?comments_page=2"' in first
    second = client.get(comments_url(proposal) + "?page=2", headers=HTMX).text
    assert second.count('class="comment"') == 5
    assert "comment number 24" in second


def test_plain_get_of_the_discussion_goes_to_the_project_page(client, proposal):
    response = client.get(comments_url(proposal) + "?order=oldest&page=2")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/projects/{proposal.project_id}?comments_order=oldest&comments_page=2#proposal-discussion"
    )


@pytest.mark.parametrize("query", ["?order=sideways", "?page=0", "?page=abc"])
def test_bad_discussion_parameters_are_a_clear_400(client, proposal, query):
    response = client.get(comments_url(proposal) + query, headers=HTMX)
    assert response.status_code == 400
    assert "must be" in response.text


def test_author_edits_within_15_minutes(client, proposal):
    author = make_user()
    comment = make_comment(proposal, author, "Typo hre", age=timedelta(minutes=14))
    sign_in(client, author)
    form = client.get(f"/comments/{comment.id}/edit", headers=HTMX)
    assert form.status_code == 200
    assert "Typo hre</textarea>" in form.text
    response = client.post(f"/comments/{comment.id}/edit", data={"body": "Typo here"}, headers=HTMX)
    assert response.status_code == 200
    assert f'id="comment-{comment.id}"' in response.text
    assert "Typo here" in response.text
    db.session.refresh(comment)
    assert comment.body == "Typo here"


def test_author_cannot_edit_after_15_minutes(client, proposal):
    author = make_user()
    comment = make_comment(proposal, author, "Old words", age=timedelta(minutes=16))
    sign_in(client, author)
    response = client.post(f"/comments/{comment.id}/edit", data={"body": "New words"})
    assert response.status_code == 403
    assert "within 15 minutes" in response.text
    db.session.refresh(comment)
    assert comment.body == "Old words"
    assert client.post(f"/comments/{comment.id}/delete").status_code == 403
    assert comment_rows(proposal) == 1


def test_others_cannot_edit_or_delete(client, proposal):
    comment = make_comment(proposal, make_user(), "Mine")
    sign_in(client, make_user())
    assert client.post(f"/comments/{comment.id}/edit", data={"body": "Yours"}).status_code == 403
    assert client.post(f"/comments/{comment.id}/delete").status_code == 403
    assert comment_rows(proposal) == 1


def test_edit_and_delete_buttons_show_only_to_who_may_use_them(app, proposal):
    author = make_user()
    make_comment(proposal, author, "Fresh")
    assert "Delete</button>" in project_sections_html(app, proposal, user=author)
    assert "Delete</button>" not in project_sections_html(app, proposal, user=make_user())


def test_admin_edits_and_deletes_any_time(client, proposal):
    comment = make_comment(proposal, make_user(), "Spam", age=timedelta(days=3))
    sign_in(client, make_user(role="admin"))
    response = client.post(f"/comments/{comment.id}/edit", data={"body": "[removed]"})
    assert response.status_code == 302
    response = client.post(f"/comments/{comment.id}/delete", headers=HTMX)
    assert response.status_code == 200
    assert f'<span hx-swap-oob="innerHTML:.comment-count-{proposal.id}">0</span>' in response.text
    assert comment_rows(proposal) == 0


def test_author_deletes_within_15_minutes(client, proposal):
    author = make_user()
    comment = make_comment(proposal, author, "Oops", age=timedelta(minutes=5))
    sign_in(client, author)
    response = client.post(f"/comments/{comment.id}/delete")
    assert response.status_code == 302
    assert comment_rows(proposal) == 0


def test_edit_over_2000_characters_is_a_clear_422(client, proposal):
    author = make_user()
    comment = make_comment(proposal, author, "Short")
    sign_in(client, author)
    response = client.post(f"/comments/{comment.id}/edit", data={"body": "z" * 2001}, headers=HTMX)
    assert response.status_code == 422
    assert "at most 2,000 characters" in response.text
    db.session.refresh(comment)
    assert comment.body == "Short"


def test_edited_comment_is_marked(app, client, proposal):
    author = make_user()
    comment = make_comment(proposal, author, "Before", age=timedelta(minutes=2))
    sign_in(client, author)
    client.post(f"/comments/{comment.id}/edit", data={"body": "After"}, headers=HTMX)
    assert "(edited)" in project_sections_html(app, proposal)


def test_unknown_comment_is_404(client):
    sign_in(client, make_user())
    assert client.post("/comments/999/delete").status_code == 404


@pytest.mark.parametrize("stage", ["registered", "withdrawn"])
def test_closed_project_keeps_its_discussion_read_only(app, client, proposal, stage):
    author = make_user()
    comment = make_comment(proposal, author, "Kept for the record")
    proposal.stage = stage
    db.session.commit()
    sign_in(client, author)
    response = client.post(comments_url(proposal), data={"body": "Late"}, headers=HTMX)
    assert response.status_code == 409
    response = client.post(f"/comments/{comment.id}/edit", data={"body": "Changed"})
    assert response.status_code == 409
    html = project_sections_html(app, proposal, user=author)
    assert "Kept for the record" in html
    assert "read-only" in html
    assert 'name="body"' not in html
    assert "Delete</button>" not in html
    assert comment_rows(proposal) == 1


def test_signed_out_visitor_is_invited_to_sign_in(app, proposal):
    html = project_sections_html(app, proposal)
    assert 'name="body"' not in html
    assert "to join the discussion" in html


def test_stale_page_on_a_closed_project_gets_its_regions_back_read_only(client, proposal):
    """The owner registered the project while the page was open: each HTMX action answers
    409 with its region as it is now (the text typed kept), never an error page in its place."""
    author = make_user()
    comment = make_comment(proposal, author, "Kept for the record")
    sign_in(client, author)
    proposal.stage = "registered"
    proposal.registered_project_id = "VCS77"
    db.session.commit()

    added = client.post(comments_url(proposal), data={"body": "Late"}, headers=HTMX)
    assert added.status_code == 409
    assert added.text.lstrip().startswith('<section id="proposal-discussion"')
    assert "read-only" in added.text
    assert 'name="body"' not in added.text

    edited = client.post(f"/comments/{comment.id}/edit", data={"body": "Changed"}, headers=HTMX)
    assert edited.status_code == 409
    assert edited.text.lstrip().startswith(
        f'<li class="comment comment-editing" id="comment-{comment.id}"'
    )
    assert "Changed</textarea>" in edited.text
    assert "registered as VCS77" in edited.text

    deleted = client.post(f"/comments/{comment.id}/delete", headers=HTMX)
    assert deleted.status_code == 409
    assert f'id="comment-{comment.id}"' in deleted.text
    assert "Delete</button>" not in deleted.text
    db.session.refresh(comment)
    assert comment.body == "Kept for the record"
    assert comment_rows(proposal) == 1


@pytest.mark.csrf
def test_comment_changes_need_a_csrf_token_htmx_ones_in_the_header(client, proposal):
    author = make_user()
    sign_in(client, author)
    comment = make_comment(proposal, author, "Mine")
    assert client.post(comments_url(proposal), data={"body": "x"}, headers=HTMX).status_code == 400
    assert client.post(f"/comments/{comment.id}/edit", data={"body": "y"}).status_code == 400
    forged = {**HTMX, "X-CSRFToken": "forged"}
    assert client.post(f"/comments/{comment.id}/delete", headers=forged).status_code == 400
    assert comment_rows(proposal) == 1
    page = client.get(f"/projects/{proposal.project_id}").text
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    posted = client.post(
        comments_url(proposal),
        data={"body": "With a token"},
        headers={**HTMX, "X-CSRFToken": token},
    )
    assert posted.status_code == 200
    assert comment_rows(proposal) == 2
