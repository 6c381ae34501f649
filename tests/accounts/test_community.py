"""Community projects: create, edit, delete, who may, and what the catalogue sees."""

from __future__ import annotations

import pytest
from markupsafe import escape
from sqlalchemy import select

from app.accounts import community
from app.extensions import db
from app.models import Project, current_data_version
from app.project_sections import render_project_sections
from tests.accounts.helpers import INLINE, sign_in_as
from tests.factories import make_project, make_user

XSS = "<script>alert(1)</script>"


def project_form(**fields) -> dict:
    values = {"name": "Mangrove Blue Carbon", "stage": "proposed", "country": ""}
    values.update(fields)
    return values


@pytest.fixture
def owner(client):
    user = make_user("owner@example.org")
    sign_in_as(client, user)
    return user


def project_by_name(name: str) -> Project:
    return db.session.scalar(select(Project).where(Project.name == name))


def test_create_generates_a_community_id_and_fills_search_and_provenance(client, owner):
    make_project("VCS1", country="Kenya", methodology="VM0007 REDD+")
    response = client.post(
        "/account/projects/new",
        data=project_form(
            name="Açaí Agroforestry",
            country="Kenya",
            developer="Green Roots Ltd",
            methodology="VM0007 REDD+",
            expected_annual_credits="25000",
            expected_first_vintage="2027",
        ),
    )
    assert response.status_code == 302
    project = project_by_name("Açaí Agroforestry")
    assert project.project_id == f"COMMUNITY-{project.id}"
    assert (project.registry, project.source, project.owner_id) == (
        "COMMUNITY",
        "community",
        owner.id,
    )
    assert project.stage == "proposed"
    assert project.status_group == "listed"
    assert project.expected_annual_credits == 25000
    assert "acai agroforestry" in project.search_text
    assert "green roots ltd" in project.search_text
    assert f"community{project.id}" in project.search_text
    assert project.provenance["name"] == "community"
    assert project.provenance["country"] == "community"
    assert "website" not in project.provenance
    assert current_data_version() == 1


def test_generated_id_skips_one_already_taken(client, owner):
    make_project("COMMUNITY-2", owner=owner)  # row 1 holds the id row 2 would get
    client.post("/account/projects/new", data=project_form(name="Second"))
    assert project_by_name("Second").project_id == "COMMUNITY-3"


def test_country_must_come_from_the_catalogue(client, owner):
    make_project("VCS1", country="Kenya")
    response = client.post("/account/projects/new", data=project_form(country="Atlantis"))
    assert response.status_code == 422
    assert "Not a valid choice" in response.text
    page = client.get("/account/projects/new").text
    assert '<option value="Kenya">Kenya</option>' in page


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "Give the project a name."),
        ({"stage": "registered"}, "needs the id its registry gave it"),
        ({"stage": "registered", "registered_project_id": "XYZ12"}, "VCS, GLD, ACR, CAR or ART"),
        ({"website": "javascript:alert(1)"}, "starting with https://"),
        ({"expected_annual_credits": "-5"}, "whole number"),
        ({"expected_first_vintage": "1850"}, "between 1990"),
        ({"stage": "launched"}, "Not a valid choice"),
    ],
)
def test_invalid_fields_get_a_clear_message_and_422(client, owner, fields, message):
    response = client.post("/account/projects/new", data=project_form(**fields))
    assert response.status_code == 422
    assert message in response.text
    assert db.session.scalar(select(Project)) is None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("vcs 191", "VCS191"), ("GS1234", "GLD1234"), ("ACR-102", "ACR102"), ("CAR1000", "CAR1000")],
)
def test_registered_stage_keeps_the_canonical_registry_id(client, owner, typed, stored):
    client.post(
        "/account/projects/new",
        data=project_form(stage="registered", registered_project_id=typed),
    )
    project = project_by_name("Mangrove Blue Carbon")
    assert project.registered_project_id == stored
    assert project.status_group == "registered"


def test_methodology_suggestions_match_what_was_typed(client, owner):
    make_project("VCS1", methodology="VM0007 REDD+ Methodology Framework")
    make_project("VCS2", methodology="AMS-III.D Methane recovery")
    make_project("VCS3", methodology="VM0042 Improved Agricultural Land Management")
    response = client.get("/account/methodologies", query_string={"methodology": "vm00"})
    assert '<option value="VM0007 REDD+ Methodology Framework">' in response.text
    assert "VM0042" in response.text
    assert "AMS-III.D" not in response.text
    assert client.get("/account/methodologies", query_string={"methodology": "%"}).text == ""


def test_edit_saves_and_bumps_the_data_version(client, owner):
    project = make_project(owner=owner, name="Old name")
    response = client.post(
        f"/account/projects/{project.project_id}/edit",
        data=project_form(name="New name", developer="Dev Co"),
    )
    assert response.status_code == 302
    db.session.refresh(project)
    assert project.name == "New name"
    assert "new name" in project.search_text
    assert "dev co" in project.search_text
    assert project.provenance["developer"] == "community"
    assert current_data_version() == 1


def test_edit_page_shows_the_current_values(client, owner):
    project = make_project(owner=owner, name="Kelp Forest", developer="Sea Co")
    page = client.get(f"/account/projects/{project.project_id}/edit").text
    assert 'value="Kelp Forest"' in page
    assert 'value="Sea Co"' in page


def test_someone_else_cannot_edit_or_delete(client, owner):
    other = make_user("other@example.org")
    project = make_project(owner=other, name="Theirs")
    edit = client.post(f"/account/projects/{project.project_id}/edit", data=project_form())
    assert edit.status_code == 403
    assert client.get(f"/account/projects/{project.project_id}/edit").status_code == 403
    assert client.post(f"/account/projects/{project.project_id}/delete").status_code == 403
    db.session.refresh(project)
    assert project.name == "Theirs"


@pytest.mark.parametrize("stage", ["registered", "withdrawn"])
def test_someone_elses_closed_project_is_public_but_forbidden_to_change(client, owner, stage):
    """Withdrawn and registered projects stay public (their page and read-only discussion), so
    changing someone else's is a 403 like any other, never a 404 that hides a visible page."""
    other = make_user("other@example.org")
    project = make_project(owner=other, stage=stage, name="Theirs")
    assert client.get(f"/projects/{project.project_id}").status_code == 200
    assert client.get(f"/account/projects/{project.project_id}/edit").status_code == 403
    assert client.post(f"/account/projects/{project.project_id}/delete").status_code == 403
    assert db.session.get(Project, project.id) is not None


def test_registry_projects_are_read_only_even_for_admins(client):
    admin = make_user("admin@example.org", role="admin")
    sign_in_as(client, admin)
    project = make_project("VCS191", name="Kariba")
    assert client.get("/account/projects/VCS191/edit").status_code == 403
    assert client.post("/account/projects/VCS191/edit", data=project_form()).status_code == 403
    assert client.post("/account/projects/VCS191/delete").status_code == 403
    assert db.session.get(Project, project.id).name == "Kariba"


def test_an_admin_may_edit_anyones_community_project(client):
    admin = make_user("admin@example.org", role="admin")
    project = make_project(owner=make_user(), name="Theirs")
    sign_in_as(client, admin)
    response = client.post(
        f"/account/projects/{project.project_id}/edit", data=project_form(name="Fixed")
    )
    assert response.status_code == 302
    assert db.session.get(Project, project.id).name == "Fixed"


def test_unknown_project_is_404(client, owner):
    assert client.get("/account/projects/COMMUNITY-999/edit").status_code == 404


def test_signed_out_visitor_is_sent_to_sign_in(client):
    project = make_project(owner=make_user())
    response = client.post(f"/account/projects/{project.project_id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert db.session.get(Project, project.id) is not None


def test_my_projects_lists_only_mine(client, owner):
    make_project(owner=owner, name="Mine")
    make_project(owner=make_user(), name="Not mine")
    page = client.get("/account/projects").text
    assert "Mine" in page
    assert "Not mine" not in page


def test_delete_without_javascript_asks_then_deletes(client, owner):
    project = make_project(owner=owner, name="Short-lived")
    confirm = client.get(f"/account/projects/{project.project_id}/delete")
    assert "be undone" in confirm.text
    assert db.session.get(Project, project.id) is not None
    response = client.post(f"/account/projects/{project.project_id}/delete")
    assert response.status_code == 302
    assert db.session.scalar(select(Project)) is None
    assert current_data_version() == 1


def test_delete_from_the_list_with_htmx_removes_the_row(client, owner):
    project = make_project(owner=owner, name="Short-lived")
    row_id = f"project-row-{project.id}"
    page = client.get("/account/projects").text
    assert f'hx-target="#{row_id}"' in page
    assert "data-confirm=" in page
    response = client.post(
        f"/account/projects/{project.project_id}/delete",
        headers={"HX-Request": "true", "HX-Target": row_id},
    )
    assert response.status_code == 200
    assert response.text == ""
    assert db.session.scalar(select(Project)) is None


# The project page's click-to-edit section ------------------------------------------


def test_section_shows_edit_only_to_the_owner(app, owner):
    project = make_project(owner=owner, name="Seagrass")
    stranger_view = []
    with app.test_request_context():
        stranger_view = render_project_sections(project)
    assert not any("community-edit" in html for html in stranger_view)

    with app.test_request_context():
        from flask_login import login_user

        login_user(owner)
        html = "".join(render_project_sections(project))
    assert 'id="community-edit"' in html
    assert f'hx-get="/account/projects/{project.project_id}/edit"' in html


def test_section_is_absent_on_registry_projects_even_for_admins(app):
    admin = make_user(role="admin")
    project = make_project("VCS191")
    with app.test_request_context():
        from flask_login import login_user

        login_user(admin)
        html = "".join(render_project_sections(project))
    assert "community-edit" not in html


def test_inline_edit_swaps_in_the_form_fragment(client, owner):
    project = make_project(owner=owner, name="Seagrass")
    response = client.get(f"/account/projects/{project.project_id}/edit", headers=INLINE)
    assert response.text.lstrip().startswith("<link")
    assert '<section id="community-edit"' in response.text
    assert "<html" not in response.text
    assert 'hx-target="#community-edit"' in response.text
    assert "HX-Target" in response.headers["Vary"]


def test_inline_save_returns_the_section_with_new_values(client, owner):
    project = make_project(owner=owner, name="Seagrass")
    response = client.post(
        f"/account/projects/{project.project_id}/edit",
        data=project_form(
            name="Seagrass Meadows", stage="registered", registered_project_id="VCS5"
        ),
        headers=INLINE,
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Seagrass Meadows" in response.text
    assert "Saved." in response.text
    assert response.headers["HX-Trigger"] == "communityProjectSaved"
    assert db.session.get(Project, project.id).registered_project_id == "VCS5"


def test_inline_save_with_errors_keeps_the_form_with_422(client, owner):
    project = make_project(owner=owner, name="Seagrass")
    response = client.post(
        f"/account/projects/{project.project_id}/edit",
        data=project_form(name=""),
        headers=INLINE,
    )
    assert response.status_code == 422
    assert '<section id="community-edit"' in response.text
    assert "Give the project a name." in response.text
    assert db.session.get(Project, project.id).name == "Seagrass"


def test_boosted_navigation_gets_the_full_edit_page(client, owner):
    project = make_project(owner=owner)
    response = client.get(
        f"/account/projects/{project.project_id}/edit",
        headers={"HX-Request": "true", "HX-Boosted": "true"},
    )
    assert "<html" in response.text


def test_cancel_brings_back_the_section(client, owner):
    project = make_project(owner=owner, name="Seagrass")
    response = client.get(f"/account/projects/{project.project_id}/inline", headers=INLINE)
    assert '<section id="community-edit"' in response.text
    assert ">Edit</a>" in response.text


# Escaping -----------------------------------------------------------------------


def test_a_script_in_a_project_name_is_escaped_everywhere(app, client, owner):
    client.post("/account/projects/new", data=project_form(name=XSS, developer=XSS))
    project = project_by_name(XSS)
    escaped = str(escape(XSS))
    pages = {
        "list": client.get("/account/projects").text,
        "edit": client.get(f"/account/projects/{project.project_id}/edit").text,
        "inline form": client.get(
            f"/account/projects/{project.project_id}/edit", headers=INLINE
        ).text,
        "delete": client.get(f"/account/projects/{project.project_id}/delete").text,
        "section": client.get(f"/account/projects/{project.project_id}/inline").text,
    }
    with app.test_request_context():
        from flask_login import login_user

        login_user(owner)
        pages["project page section"] = "".join(render_project_sections(project))
    for where, html in pages.items():
        assert XSS not in html, where
        assert escaped in html or "&lt;script&gt;" in html, where


def test_delete_cascades_to_the_service_layer(app, owner):
    project = make_project(owner=owner)
    community.delete_project(project)
    assert db.session.scalar(select(Project)) is None


def test_project_page_shows_the_section_to_its_owner_with_the_name_escaped(client, owner):
    project = make_project(owner=owner, name=XSS)
    page = client.get(f"/projects/{project.project_id}")
    assert page.status_code == 200
    assert '<section id="community-edit"' in page.text
    assert XSS not in page.text
    client.post("/auth/logout")
    assert 'id="community-edit"' not in client.get(f"/projects/{project.project_id}").text
