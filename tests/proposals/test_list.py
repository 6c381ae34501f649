"""/proposals: proposals only, sorted, filtered, searched, paginated; bad parameters say why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import Comment, Support, utcnow
from app.proposals.queries import proposal_activity_for, top_proposals
from tests.factories import make_project, make_user
from tests.proposals.helpers import htmx_to


def supported_by(project, count: int) -> None:
    for _ in range(count):
        db.session.add(Support(project_id=project.id, user_account_id=make_user().id))
    db.session.commit()


def commented(project, count: int, age=timedelta(0)) -> list[Comment]:
    author = make_user()
    comments = []
    for number in range(count):
        created = utcnow() - age - timedelta(minutes=number)
        comment = Comment(
            project_id=project.id,
            user_account_id=author.id,
            body=f"note {number} on {project.name}",
            created_at=created,
            updated_at=created,
        )
        db.session.add(comment)
        comments.append(comment)
    db.session.commit()
    return comments


def names_in_order(html: str, names: list[str]) -> list[str]:
    return sorted(names, key=lambda name: html.index(f">{name}</a>"))


@pytest.fixture
def owner(app):
    return make_user()


def test_lists_only_open_proposals(client, owner):
    make_project(owner=owner, name="Open one")
    make_project(owner=owner, name="Registered one", stage="registered")
    make_project(owner=owner, name="Withdrawn one", stage="withdrawn")
    make_project("VCS191", name="Registry one")
    html = client.get("/proposals").text
    assert ">Open one</a>" in html
    for name in ("Registered one", "Withdrawn one", "Registry one"):
        assert name not in html
    assert "1 proposal" in html


def test_most_supported_first_by_default(client, owner):
    quiet = make_project(owner=owner, name="Quiet")
    quiet_count = f'support-count-{quiet.id}">0<'
    popular = make_project(owner=owner, name="Popular")
    middle = make_project(owner=owner, name="Middle")
    supported_by(popular, 3)
    supported_by(middle, 1)
    html = client.get("/proposals").text
    assert names_in_order(html, ["Quiet", "Popular", "Middle"]) == ["Popular", "Middle", "Quiet"]
    assert f'support-count-{popular.id}">3<' in html
    assert quiet_count in html


def test_sort_by_newest_and_most_discussed(client, owner):
    old = make_project(owner=owner, name="Old", created_at=utcnow() - timedelta(days=3))
    new = make_project(owner=owner, name="New", created_at=utcnow())
    talked = make_project(owner=owner, name="Talked", created_at=utcnow() - timedelta(days=9))
    commented(talked, 2)
    commented(old, 1)
    supported_by(new, 1)
    newest = client.get("/proposals?sort=newest").text
    assert names_in_order(newest, ["Old", "New", "Talked"]) == ["New", "Old", "Talked"]
    discussed = client.get("/proposals?sort=discussed").text
    assert names_in_order(discussed, ["Old", "New", "Talked"]) == ["Talked", "Old", "New"]
    assert f'comment-count-{talked.id}">2<' in discussed


def test_filters_by_country_scope_and_type(client, owner):
    make_project(
        owner=owner,
        name="Kenyan stoves",
        country="Kenya",
        scope="Household",
        project_type="Cookstoves",
    )
    make_project(
        owner=owner,
        name="Kenyan trees",
        country="Kenya",
        scope="Forestry",
        project_type="Reforestation",
    )
    make_project(
        owner=owner,
        name="Peru trees",
        country="Peru",
        scope="Forestry",
        project_type="Reforestation",
    )
    html = client.get("/proposals?country=Kenya").text
    assert "Kenyan stoves" in html
    assert "Kenyan trees" in html
    assert "Peru trees" not in html
    html = client.get("/proposals?scope=Forestry&country=Kenya").text
    assert "Kenyan trees" in html
    assert "Kenyan stoves" not in html
    assert "Peru trees" not in html
    html = client.get("/proposals?type=Cookstoves").text
    assert "Kenyan stoves" in html
    assert "Kenyan trees" not in html
    assert '<option value="Peru">Peru</option>' in html  # the menus list every proposal's values


def test_search_matches_name_and_id_words(client, owner):
    make_project(owner=owner, name="Açaí agroforestry", developer="Amazon Growers")
    make_project(owner=owner, name="Solar pumps")
    html = client.get("/proposals?q=acai").text
    assert "Açaí agroforestry" in html
    assert "Solar pumps" not in html
    html = client.get("/proposals?q=amazon+agroforestry").text
    assert "Açaí agroforestry" in html
    html = client.get("/proposals?q=100%25_off").text
    assert "No proposals match" in html


def test_results_fragment_for_htmx_and_full_page_otherwise(client, owner):
    make_project(owner=owner, name="Wind for schools", country="India")
    fragment = client.get("/proposals?country=India", headers=htmx_to("proposal-results"))
    assert fragment.text.lstrip().startswith('<section id="proposal-results"')
    assert "<html" not in fragment.text
    assert "HX-Target" in fragment.headers["Vary"]
    page = client.get("/proposals?country=India")
    assert "<html" in page.text
    assert 'id="proposal-results"' in page.text
    boosted = client.get("/proposals", headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert "<html" in boosted.text


def test_paginated_by_20_keeping_filters(client, owner):
    for number in range(23):
        make_project(owner=owner, name=f"Village {number:02d}", country="Nepal")
    first = client.get("/proposals?country=Nepal&sort=newest").text
    assert first.count('class="card proposal"') == 20
    assert "Page 1 of 2" in first
    assert 'href="/proposals?country=Nepal&amp;sort=newest&amp;page=2"' in first
    second = client.get("/proposals?country=Nepal&sort=newest&page=2").text
    assert second.count('class="card proposal"') == 3
    assert 'rel="prev"' in second


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sort=loudest", "&#39;sort&#39; must be one of support, newest, discussed"),
        ("page=0", "&#39;page&#39; must be a whole number"),
        ("page=-3", "&#39;page&#39; must be a whole number"),
        ("page=1e9", "&#39;page&#39; must be a whole number"),
        ("country=" + "x" * 300, "at most 200 characters"),
    ],
)
def test_bad_parameters_are_ignored_and_named(client, owner, query, message):
    make_project(owner=owner, name="Still listed")
    response = client.get(f"/proposals?{query}")
    assert response.status_code == 200
    assert message in response.text
    assert "Still listed" in response.text
    fragment = client.get(f"/proposals?{query}", headers=htmx_to("proposal-results"))
    assert fragment.status_code == 200
    assert message in fragment.text
    assert fragment.headers["HX-Push-Url"] == "/proposals"


def test_page_past_the_end_says_so(client, owner):
    make_project(owner=owner)
    response = client.get("/proposals?page=7")
    assert response.status_code == 200
    assert "There is no page 7" in response.text


def test_top_proposals_for_the_home_page(app, owner):
    first = make_project(owner=owner, name="First")
    second = make_project(owner=owner, name="Second")
    make_project(owner=owner, name="Closed", stage="registered")
    supported_by(second, 2)
    supported_by(first, 1)
    assert [(project.name, count) for project, count in top_proposals(limit=5)] == [
        ("Second", 2),
        ("First", 1),
    ]
    assert len(top_proposals(limit=1)) == 1


def test_owner_activity_in_a_fixed_number_of_queries(app, owner):
    projects = [make_project(owner=owner, name=f"Mine {n}") for n in range(4)]
    supported_by(projects[0], 2)
    commented(projects[0], 5)
    commented(projects[1], 1)
    db.session.expire_all()
    ids = [project.id for project in projects]  # the owner's page has loaded its projects

    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        activity = proposal_activity_for(projects)
        for entry in activity.values():
            for comment in entry["latest_comments"]:
                assert comment.author.email
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)

    assert len(statements) == 3
    assert sorted(activity) == sorted(ids)
    assert activity[projects[0].id]["supporters"] == 2
    assert activity[projects[0].id]["comments"] == 5
    latest = [comment.body for comment in activity[projects[0].id]["latest_comments"]]
    assert latest == ["note 0 on Mine 0", "note 1 on Mine 0", "note 2 on Mine 0"]
    assert activity[projects[1].id]["comments"] == 1
    assert activity[projects[3].id] == {"supporters": 0, "comments": 0, "latest_comments": []}
    assert proposal_activity_for([]) == {}


def test_owner_activity_partial_shows_counts_and_latest_comments(app, owner):
    from flask import render_template_string

    project = make_project(owner=owner, name="Shown")
    supported_by(project, 2)
    commented(project, 4)
    with app.test_request_context("/account/projects"):
        html = render_template_string(
            "{% set activity = proposal_activity_for(projects) %}"
            "{% for project in projects %}"
            "{% include 'proposals/_owner_activity.html' %}{% endfor %}",
            projects=[project],
        )
    assert f'support-count-{project.id}">2<' in html
    assert f'comment-count-{project.id}">4<' in html
    assert html.count("<li>") == 3
    assert "note 0 on Shown" in html


def test_a_plain_form_with_empty_fields_redirects_to_the_canonical_url(client):
    response = client.get("/proposals?q=&country=Kenya&scope=&type=&sort=support")
    assert response.status_code == 302
    assert response.headers["Location"] == "/proposals?country=Kenya"
