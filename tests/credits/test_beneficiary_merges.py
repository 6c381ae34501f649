"""/admin/beneficiaries: suggested merges, confirmed or rejected (plain form and HTMX)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.etl.credit_fields import fill_credit_fields
from app.extensions import db
from app.models import BeneficiaryAlias, Credit, bump_data_version
from tests.accounts.helpers import sign_in_as
from tests.factories import make_credit, make_project, make_user


def seed_lookalikes():
    project = make_project("VCS77", name="Lookalike forest")
    for raw, quantity in (("Delta Air Lines", 900), ("Delta Airlines", 100), ("Chanel", 50)):
        make_credit(
            project,
            kind="retirement",
            quantity=quantity,
            year=2024,
            transaction_date=date(2024, 5, 1),
            beneficiary=raw,
        )
    fill_credit_fields(db.session.connection())
    bump_data_version()
    db.session.commit()


@pytest.fixture
def admin_client(client):
    sign_in_as(client, make_user("admin@example.org", role="admin"))
    return client


def test_merges_page_is_for_admins_only(client):
    assert client.get("/admin/beneficiaries").status_code == 302
    sign_in_as(client, make_user("user@example.org"))
    assert client.get("/admin/beneficiaries").status_code == 403


def test_similar_names_are_suggested_with_their_totals(admin_client):
    seed_lookalikes()
    page = admin_client.get("/admin/beneficiaries").text
    assert 'data-pair="delta-airlines--delta-air-lines"' in page
    assert "900 credits" in page
    assert "100 credits" in page
    assert "chanel--" not in page


def test_confirming_moves_the_records_and_keeps_the_raw_text(admin_client):
    seed_lookalikes()
    response = admin_client.post(
        "/admin/beneficiaries",
        data={
            "alias_key": "delta-airlines",
            "canonical_key": "delta-air-lines",
            "decision": "confirm",
        },
        headers={"HX-Request": "true", "HX-Target": "beneficiary-merges"},
    )
    assert response.status_code == 200
    assert "Merged “delta-airlines” into “delta-air-lines” (1 credit records)" in response.text
    assert "delta-airlines--delta-air-lines" not in response.text
    keys = db.session.execute(select(Credit.beneficiary, Credit.beneficiary_key)).all()
    assert ("Delta Airlines", "delta-air-lines") in keys
    page = admin_client.get("/beneficiaries/delta-air-lines").text
    assert ">1,000</strong>" in page
    assert "“Delta Airlines”" in page
    # A later sync applies the same merge to new rows of the old spelling.
    project = db.session.scalars(select(Credit)).first().project
    make_credit(project, kind="retirement", quantity=5, beneficiary="DELTA AIRLINES")
    fill_credit_fields(db.session.connection())
    db.session.commit()
    assert (
        db.session.scalar(
            select(Credit.beneficiary_key).where(Credit.beneficiary == "DELTA AIRLINES")
        )
        == "delta-air-lines"
    )


def test_rejecting_hides_the_pair_and_a_second_decision_conflicts(admin_client):
    seed_lookalikes()
    form = {"alias_key": "delta-airlines", "canonical_key": "delta-air-lines", "decision": "reject"}
    response = admin_client.post("/admin/beneficiaries", data=form)
    assert response.status_code == 303
    page = admin_client.get("/admin/beneficiaries").text
    assert "Rejected merging" in page
    assert 'data-pair="delta-airlines--delta-air-lines"' not in page
    again = admin_client.post("/admin/beneficiaries", data={**form, "decision": "confirm"})
    assert again.status_code == 409
    assert "already decided" in again.text
    assert db.session.scalar(select(func.count()).select_from(BeneficiaryAlias)) == 1


def test_bad_merge_requests_are_refused_clearly(admin_client):
    seed_lookalikes()
    same = admin_client.post(
        "/admin/beneficiaries",
        data={"alias_key": "chanel", "canonical_key": "chanel", "decision": "confirm"},
    )
    assert same.status_code == 422
    unknown = admin_client.post(
        "/admin/beneficiaries",
        data={"alias_key": "nobody", "canonical_key": "chanel", "decision": "confirm"},
    )
    assert unknown.status_code == 422
    assert "no credit records" in unknown.text
    no_decision = admin_client.post(
        "/admin/beneficiaries", data={"alias_key": "a", "canonical_key": "b"}
    )
    assert no_decision.status_code == 422
