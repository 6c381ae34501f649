"""The facet groups (project_facet_group): a search without text, ranges or label filters
counts its facets and totals over them, and gets exactly what counting the projects gives."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from app.catalog.quality import today
from app.catalog.query import ProjectQuery
from app.catalog.search import (
    count_statement,
    counts_from_groups,
    facet_counts,
    facet_groups_current,
    facets_statement,
    reads_groups,
    search_projects,
)
from app.extensions import db
from app.models import DataVersion, ProjectFacetGroup, ProjectLink, bump_data_version
from tests.factories import make_project, make_user


@pytest.fixture
def market(app):
    """Projects differing in every column a facet counts, one pair of them linked."""
    on = today()
    linked_a = make_project(
        "VCS1",
        country="Brazil",
        state="PARÁ; AMAZONAS",
        scope="Forestry",
        project_type="REDD+",
        reduction_removal="Reduction",
        methodology="VM0015",
        verifier="SCS",
        crediting_period_end=on - timedelta(days=3),
        issued=1000,
        retired=400,
    )
    make_project(
        "VCS2",
        country="Brazil",
        state="PARÁ",
        scope="Forestry",
        project_type="ARR",
        reduction_removal="Removal",
        crediting_period_end=on + timedelta(days=100),
        issued=50,
    )
    make_project("VCS3", country="India", scope="Energy", methodology="ACM0002", issued=7)
    linked_b = make_project(
        "GLD1",
        registry="GLD",
        country="India",
        status_group="completed",
        scope="Energy",
        crediting_period_end=on + timedelta(days=900),
        issued=20,
        retired=20,
    )
    make_project("GLD2", registry="GLD", country="Peru", state="CUSCO", scope="Forestry")
    make_project(owner=make_user(), name="Village biogas", country="India")
    db.session.add(
        ProjectLink(
            project_a_id=linked_a.id,
            project_b_id=linked_b.id,
            kind="stated",
            review_state="confirmed",
        )
    )
    bump_data_version()
    db.session.commit()


SEARCHES = [
    ProjectQuery(),
    ProjectQuery(registry=("GLD",)),
    ProjectQuery(registry=("VCS", "GLD"), country=("Brazil",)),
    ProjectQuery(country=("India",), scope=("Energy",)),
    ProjectQuery(state=("PARÁ",)),
    ProjectQuery(listed=("multiple",)),
    ProjectQuery(crediting_period=("ended",)),
    ProjectQuery(crediting_period=("ends_within_12_months", "ended"), status=("registered",)),
    ProjectQuery(reduction_removal=("Removal",), methodology=("VM0015",)),
    ProjectQuery(sort="issued", order="desc", page=2),
]


def _rows(statement) -> list[tuple]:
    """The rows, sums as plain numbers (PostgreSQL's sum of a bigint is a Decimal)."""
    rows = db.session.execute(statement)
    return sorted(
        (tuple(int(v) if isinstance(v, Decimal) else v for v in row) for row in rows), key=repr
    )


@pytest.mark.parametrize("query", SEARCHES)
def test_counts_over_the_groups_are_the_counts_over_the_projects(market, query):
    assert counts_from_groups(query)
    assert reads_groups(query)
    assert _rows(facets_statement(query, groups=True)) == _rows(facets_statement(query))
    assert _rows(count_statement(query, groups=True)) == _rows(count_statement(query))


def test_the_groups_fold_projects_that_share_every_facet_column(app):
    for number in range(3):
        make_project(f"VCS{number + 1}", country="Chile", scope="Energy", issued=10, retired=1)
    make_project("VCS9", country="Chile", scope="Forestry", issued=5)
    bump_data_version()
    db.session.commit()
    assert len(db.session.execute(ProjectFacetGroup.__table__.select()).all()) == 2
    energy = db.session.execute(
        ProjectFacetGroup.__table__.select().where(ProjectFacetGroup.scope == "Energy")
    ).one()
    assert (energy.projects, energy.issued, energy.retired, energy.listed) == (3, 30, 3, False)
    total = search_projects(ProjectQuery(country=("Chile",)))
    assert (total.total, total.issued, total.retired) == (4, 35, 3)


def test_text_ranges_and_labels_count_over_the_projects(market):
    assert not counts_from_groups(ProjectQuery(q="forest"))
    assert not counts_from_groups(ProjectQuery(issued_min=10))
    assert not counts_from_groups(ProjectQuery(vintage_from=2015))
    assert not counts_from_groups(ProjectQuery(ccp=("approved",)))


def test_groups_built_for_another_version_are_not_read(app):
    """Groups of an older version (or none, as right after the migration): the search
    counts over project, and finds what the groups lack."""
    make_project("VCS1", country="Peru")
    bump_data_version()
    db.session.commit()
    assert facet_groups_current()
    make_project("VCS2", country="Peru")
    db.session.execute(update(DataVersion).values(version=DataVersion.version + 1))
    db.session.commit()
    assert not facet_groups_current()
    assert not reads_groups(ProjectQuery(country=("Peru",)))
    assert dict(facet_counts(ProjectQuery())["country"]) == {"Peru": 2}
    assert search_projects(ProjectQuery(country=("Peru",))).total == 2


def test_a_community_edit_is_counted_at_once(client, market):
    owner = make_user()
    make_project(owner=owner, name="Cookstoves", country="Kenya")
    assert "Kenya" not in dict(facet_counts(ProjectQuery())["country"])
    bump_data_version()  # what every community edit does (app/accounts/community.py)
    db.session.commit()
    assert dict(facet_counts(ProjectQuery())["country"])["Kenya"] == 1


@pytest.mark.parametrize("groups", [False, True])
def test_a_confirmed_link_counts_under_registries_only(market, groups):
    """Not also as a value "multiple" of the facets its projects leave empty."""
    rows = _rows(facets_statement(ProjectQuery(), groups=groups))
    assert [row for row in rows if row[1] == "multiple"] == [("listed", "multiple", 2)]
