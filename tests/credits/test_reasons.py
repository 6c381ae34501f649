"""Retirement reasons: each registry's reason fields into one category (docs/DATA.md)."""

from __future__ import annotations

import pandas as pd
import pytest

from app.etl.reasons import fill_reason_categories, reason_category


@pytest.mark.parametrize(
    ("kind", "reason", "cancellation", "category"),
    [
        ("retirement", "Environmental Benefit", None, "voluntary"),  # Verra, CAR
        ("retirement", "On Behalf of Third Party", None, "voluntary"),  # ACR, CAR
        ("retirement", "Retirement for Person or Organization", None, "voluntary"),
        ("retirement", "Corporate Emissions Inventory Accounting", None, "voluntary"),
        (
            "retirement",
            "Contribution Towards Corporate Climate Pledge AND Host Country NDC",
            None,
            "voluntary",
        ),  # ART
        ("retirement", "Voluntary", None, "voluntary"),  # Gold Standard use case
        ("cancellation", None, "CORSIA Compliance", "corsia"),  # ART cancellations
        ("retirement", "CORSIA", None, "corsia"),
        ("cancellation", None, "ARB", "compliance"),  # CAR
        ("cancellation", None, "WA ECO", "compliance"),
        ("cancellation", None, "Convert to ARB offset credits", "compliance"),  # ACR
        ("cancellation", None, "Convert to Ecology offset credits", "compliance"),
        ("retirement", "Compliance", None, "compliance"),
        ("retirement", "Other", None, "other"),
        ("cancellation", None, "Removal of credits from the registry", "other"),
        ("retirement", None, None, "unknown"),
        ("retirement", "  ", None, "unknown"),
        ("issuance", "Environmental Benefit", None, None),
        ("buffer", None, None, None),
    ],
)
def test_reason_category(kind, reason, cancellation, category):
    assert reason_category(kind, reason, cancellation) == category


def test_fill_step_keeps_the_raw_reason_beside_the_category():
    records = pd.DataFrame(
        {
            "kind": ["retirement", "issuance"],
            "reason": ["Other", None],
            "cancellation_reason": [None, None],
        }
    )
    filled = fill_reason_categories(records)
    assert filled["reason_category"].tolist() == ["other", None]
    assert filled["reason"].iloc[0] == "Other"
    assert pd.isna(filled["reason"].iloc[1])
