"""beneficiary_summary stays equal to the credit rows: after a sync, a resync and a merge."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select

from app.credits.beneficiaries import beneficiary_profile, largest_retirers
from app.extensions import db
from app.models import BeneficiarySummary, Credit
from tests.credits.test_beneficiary_merges import admin_client, seed_lookalikes  # noqa: F401
from tests.etl.test_sync import run_sync, write_inputs


def summary() -> dict[str, tuple]:
    rows = db.session.execute(
        select(
            BeneficiarySummary.key,
            BeneficiarySummary.quantity,
            BeneficiarySummary.records,
            BeneficiarySummary.projects,
            BeneficiarySummary.first_year,
            BeneficiarySummary.last_year,
        )
    ).all()
    return {key: tuple(rest) for key, *rest in rows}


def summed_from_credits() -> dict[str, tuple]:
    """What the summary must hold, grouped from the credit rows here and now."""
    rows = db.session.execute(
        select(
            Credit.beneficiary_key,
            func.sum(Credit.quantity),
            func.count(),
            func.count(func.distinct(Credit.project_id)),
            func.min(Credit.year),
            func.max(Credit.year),
        )
        .where(Credit.kind.in_(("retirement", "cancellation")), Credit.beneficiary_key.is_not(None))
        .group_by(Credit.beneficiary_key)
    ).all()
    return {key: (int(quantity), *rest) for key, quantity, *rest in rows}


def add_retirements(folder, rows: list[tuple[str, str, str]]) -> None:
    """Append retirements (project id, quantity, beneficiary) to the OffsetsDB export."""
    retirements = pd.DataFrame(
        {
            "project_id": [project for project, _, _ in rows],
            "quantity": [quantity for _, quantity, _ in rows],
            "transaction_date": ["2026-05-01 00:00:00+00:00"] * len(rows),
            "transaction_type": ["retirement"] * len(rows),
            "vintage": ["2020"] * len(rows),
            "retirement_beneficiary": [name for _, _, name in rows],
        }
    )
    credits = pd.read_csv(folder / "credits.csv", dtype=object)
    pd.concat([credits, retirements]).to_csv(folder / "credits.csv", index=False)


def test_a_sync_builds_the_summary_and_a_resync_follows_an_edit(app, tmp_path):
    folder = write_inputs(tmp_path / "v1")
    add_retirements(
        folder,
        [
            ("VCS1340", "1000.0", "Acme Ltd"),
            ("VCS1340", "500.0", "ACME LIMITED"),
            ("GLD1015", "250.0", "Acme Ltd."),
            ("VCS1340", "2000.0", "Bolt AG"),
        ],
    )
    assert run_sync(folder).status == "succeeded"
    assert summary() == summed_from_credits()
    assert summary()["acme"] == (1750, 3, 2, 2026, 2026)
    acme = db.session.get(BeneficiarySummary, "acme")
    assert acme.name == "Acme Ltd"  # the spelling most records carry
    assert sorted(text for text, _ in acme.spellings) == ["ACME LIMITED", "Acme Ltd", "Acme Ltd."]

    edited = pd.read_csv(folder / "credits.csv", dtype=object).replace({"Bolt AG": "Volt AG"})
    edited.to_csv(folder / "credits.csv", index=False)
    assert run_sync(folder).status == "succeeded"
    db.session.expire_all()
    assert summary() == summed_from_credits()
    assert "bolt" not in summary()
    assert summary()["volt"] == (2000, 1, 1, 2026, 2026)
    assert [row.key for row in largest_retirers().items] == ["volt", "acme"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
def test_an_admin_merge_moves_the_totals_in_the_summary(admin_client):  # noqa: F811
    seed_lookalikes()
    assert summary()["delta-airlines"][:2] == (100, 1)
    response = admin_client.post(
        "/admin/beneficiaries",
        data={
            "alias_key": "delta-airlines",
            "canonical_key": "delta-air-lines",
            "decision": "confirm",
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert summary() == summed_from_credits()
    assert "delta-airlines" not in summary()
    assert summary()["delta-air-lines"] == (1000, 2, 1, 2024, 2024)
    merged = db.session.get(BeneficiarySummary, "delta-air-lines")
    # One record each: the shorter spelling names it (display_rank).
    assert merged.spellings == [["Delta Airlines", 1], ["Delta Air Lines", 1]]
    listed = admin_client.get("/beneficiaries?q=delta").text
    assert "1 beneficiary matching" in listed
    assert beneficiary_profile("delta-airlines") is None


def test_a_beneficiary_page_lists_its_largest_projects_and_counts_them_all(app):
    seed_lookalikes()
    profile = beneficiary_profile("delta-air-lines")
    assert profile.project_count == 1
    assert [share.project_id for share in profile.projects] == ["VCS77"]
    assert profile.by_year == [(2024, 900)]
    assert profile.by_registry == [("VCS", 900, 1)]
