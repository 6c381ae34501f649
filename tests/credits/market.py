"""Realistic credit records (spellings from the registries' retirement exports) for the tests."""

from __future__ import annotations

from datetime import date

from app.etl.credit_fields import fill_credit_fields
from app.extensions import db
from app.models import bump_data_version, rebuild_credit_summary
from tests.factories import make_credit, make_label, make_project


def seed_retirements() -> dict:
    """Two projects in two registries; Shopify retires under three spellings, others once."""
    forest = make_project(
        "VCS1340", name="Bale Mountains REDD+", country="Ethiopia", project_type="REDD+"
    )
    stoves = make_project(
        "GLD11603",
        registry="GLD",
        name="Clean Cooking Kenya",
        country="Kenya",
        project_type="Cookstoves",
    )
    make_credit(
        forest,
        kind="issuance",
        vintage=2020,
        year=2021,
        quantity=500_000,
        transaction_date=date(2021, 3, 1),
    )
    spellings = [
        (forest, "Shopify Inc.", "Environmental Benefit", 2022, 1200),
        (forest, "SHOPIFY, INC", "On Behalf of Third Party", 2023, 800),
        (stoves, "Retired on behalf of Shopify Inc. for 2024 emissions", "Voluntary", 2024, 300),
        (stoves, "Delta Air Lines, Inc.", "CORSIA", 2024, 5000),
        (forest, "Not Disclosed", None, 2024, 70),
    ]
    for project, beneficiary, reason, year, quantity in spellings:
        make_credit(
            project,
            kind="retirement",
            vintage=2020,
            year=year,
            quantity=quantity,
            transaction_date=date(year, 6, 1),
            beneficiary=beneficiary,
            reason=reason,
            account="ClimeCo LLC",
        )
    make_credit(
        stoves,
        kind="cancellation",
        vintage=2020,
        year=2024,
        quantity=40,
        transaction_date=date(2024, 7, 1),
        cancellation_reason="ARB",
    )
    # As a sync's load does: derived fields first, then the statistics' summary.
    fill_credit_fields(db.session.connection())
    rebuild_credit_summary(db.session)
    bump_data_version()
    db.session.commit()
    return {"forest": forest, "stoves": stoves}


def seed_labelled_retirements() -> dict:
    """The retirements above, plus: the forest's vintage 2020 CORSIA-eligible (two label
    rows, which must count once), a Shopify retirement of its unlabelled vintage 2019, and
    the stoves project CCB-certified as a whole."""
    seeded = seed_retirements()
    forest, stoves = seeded["forest"], seeded["stoves"]
    make_credit(
        forest,
        kind="retirement",
        vintage=2019,
        year=2025,
        quantity=9,
        transaction_date=date(2025, 2, 1),
        beneficiary="Shopify Inc.",
    )
    make_label(forest, "corsia", "first", vintage=2020, quantity=400_000, source="verra")
    make_label(forest, "corsia", "pilot", vintage=2020, quantity=100_000, source="verra")
    make_label(stoves, "ccb", "gold")
    fill_credit_fields(db.session.connection())
    bump_data_version()
    db.session.commit()
    return seeded
