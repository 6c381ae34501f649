import pandas as pd

from app.etl import merge


def projects(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def credit(pid, kind, quantity, source, year=2020, vintage=None):
    return {
        "project_id": pid,
        "kind": kind,
        "vintage": vintage,
        "transaction_date": None,
        "year": year,
        "quantity": quantity,
        "source": source,
        "beneficiary": None,
        "reason": None,
        "note": None,
        "account": None,
    }


OFF = projects(
    [
        {
            "project_id": "GLD1",
            "name": "Stoves",
            "registry": "GLD",
            "status": "registered",
            "status_group": "registered",
            "country": None,
            "issued": 100,
            "retired": 40,
        },
        {
            "project_id": "VCS2",
            "name": "Only here",
            "registry": "VCS",
            "status": None,
            "status_group": "unknown",
            "country": "Kenya",
            "issued": 0,
            "retired": 0,
        },
    ]
)
VROD = projects(
    [
        {
            "project_id": "GLD1",
            "name": "Stoves (VROD)",
            "registry": "GLD",
            "status": "Listed",
            "status_group": "listed",
            "country": "India",
            "scope": "Household",
            "issued": 90,
            "retired": 30,
        },
        {
            "project_id": "CAR3",
            "name": "Forest",
            "registry": "CAR",
            "status": "Completed",
            "status_group": "completed",
            "country": "United States",
            "issued": 50,
            "retired": 0,
        },
    ]
)


def test_offsetsdb_wins_and_vrod_fills_only_empty_fields():
    merged = merge.fill_from_vrod(OFF, VROD).set_index("project_id")
    origin = merge.fill_from_vrod(OFF, VROD).attrs["origin"]
    assert merged.loc["GLD1", "name"] == "Stoves"
    assert merged.loc["GLD1", "country"] == "India"
    assert merged.loc["GLD1", "scope"] == "Household"
    assert origin.loc[0, "name"] == "offsetsdb"
    assert origin.loc[0, "country"] == "vrod"


def test_vrod_only_projects_are_added_whole_and_sources_recorded():
    merged = merge.fill_from_vrod(OFF, VROD).set_index("project_id")
    assert merged["source"].to_dict() == {"GLD1": "both", "VCS2": "offsetsdb", "CAR3": "vrod"}
    assert merged.loc["CAR3", "name"] == "Forest"
    assert merged.loc["VCS2", "status_group"] == "unknown"


def test_projects_with_transactions_keep_them_others_take_vrod_years():
    off_credits = pd.DataFrame(
        [
            credit("GLD1", "issuance", 100, "offsetsdb"),
            credit("GLD1", "retirement", 40, "offsetsdb"),
        ]
    )
    vrod_credits = pd.DataFrame(
        [
            credit("GLD1", "issuance", 90, "vrod"),
            credit("CAR3", "issuance", 60, "vrod"),
            credit("CAR3", "issuance", -10, "vrod"),
        ]
    )
    merged, credits, _, report = merge.build_catalogue(
        OFF,
        off_credits,
        VROD,
        vrod_credits,
        inputs={"offsetsdb": "a", "vrod": "b"},
        warnings=[],
    )
    assert sorted(
        zip(credits["project_id"], credits["quantity"], credits["source"], strict=True)
    ) == [
        ("CAR3", -10, "vrod"),
        ("CAR3", 60, "vrod"),
        ("GLD1", 40, "offsetsdb"),
        ("GLD1", 100, "offsetsdb"),
    ]
    assert report["invariant_violations"]["totals_mismatch_count"] == 0
    assert report["projects_by_source"] == {"both": 1, "offsetsdb": 1, "vrod": 1}
    assert report["credit_rows_by_source"] == {"offsetsdb": 2, "vrod": 2}
    by_id = merged.set_index("project_id")
    assert by_id.loc["CAR3", "provenance"]["issued"] == "vrod"
    assert "stoves" in by_id.loc["GLD1", "search_text"]


def test_totals_mismatch_and_orphans_are_reported():
    off_credits = pd.DataFrame(
        [credit("GLD1", "issuance", 70, "offsetsdb"), credit("NOPE9", "issuance", 5, "offsetsdb")]
    )
    _, credits, _, report = merge.build_catalogue(
        OFF,
        off_credits,
        None,
        None,
        inputs={"offsetsdb": "a", "vrod": None},
        warnings=["VROD input missing"],
    )
    violations = report["invariant_violations"]
    assert violations["orphan_credits"] == 1
    assert {"project_id": "GLD1", "field": "issued", "project_total": 100, "rows_total": 70} in (
        violations["totals_mismatch"]
    )
    assert report["warnings"] == ["VROD input missing"]
    assert "NOPE9" not in set(credits["project_id"])


def test_duplicates_are_reported_and_dropped():
    doubled = pd.concat([OFF, OFF.iloc[[0]]], ignore_index=True)
    merged, _, _, report = merge.build_catalogue(
        doubled, None, None, None, inputs={"offsetsdb": "a", "vrod": None}, warnings=[]
    )
    assert report["invariant_violations"]["duplicate_ids"] == ["GLD1"]
    assert merged["project_id"].tolist() == ["GLD1", "VCS2"]


def test_status_group_follows_the_status_filled_from_vrod():
    off = projects(
        [
            {
                "project_id": "VCS7",
                "name": "Wind",
                "registry": "VCS",
                "status": None,
                "status_group": "unknown",
                "issued": 0,
                "retired": 0,
            }
        ]
    )
    vrod = projects(
        [
            {
                "project_id": "VCS7",
                "name": "Wind",
                "registry": "VCS",
                "status": "Registered",
                "status_group": "registered",
                "issued": 0,
                "retired": 0,
            }
        ]
    )
    merged = merge.fill_from_vrod(off, vrod)
    assert merged.loc[0, "status"] == "Registered"
    assert merged.loc[0, "status_group"] == "registered"
    assert merged.attrs["origin"].loc[0, "status_group"] == "vrod"
