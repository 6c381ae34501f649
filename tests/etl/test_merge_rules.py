"""Merge rules that cannot produce impossible figures: one source per project's set,
placeholders never override, retired above issued only where the source says so."""

import pandas as pd

from app.etl import merge


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


def project(pid, name, status, issued, retired, **fields):
    return {
        "project_id": pid,
        "name": name,
        "registry": pid[:3],
        "status": status,
        "issued": issued,
        "retired": retired,
        **fields,
    }


def yearly(pid, block, year, quantity):
    return {"project_id": pid, "block": block, "year": year, "quantity": quantity, "source": "vrod"}


VROD = pd.DataFrame(
    [
        project("GLD1", "Stoves", "Registered", 500, 400, first_vintage=2016, last_vintage=2018),
        project("ACR2", "Landfill", "Completed", 0, 25, first_vintage=None, last_vintage=None),
    ]
)
VROD_CREDITS = pd.DataFrame(
    [
        credit("GLD1", "issuance", 500, "vrod"),
        credit("GLD1", "retirement", 400, "vrod"),
        credit("ACR2", "retirement", 25, "vrod"),
    ]
)
VROD_YEARLY = pd.DataFrame(
    [
        yearly("GLD1", "issued_by_vintage", 2016, 300),
        yearly("GLD1", "issued_by_vintage", 2018, 200),
        yearly("GLD1", "retired_by_year", None, 400),
    ]
)


def build(off_projects, off_credits):
    return merge.build_catalogue(
        off_projects,
        off_credits,
        VROD,
        VROD_CREDITS,
        VROD_YEARLY,
        inputs={"offsetsdb": "a", "vrod": "b"},
        warnings=[],
    )


def test_placeholder_takes_vrods_project_whole_and_its_rows_are_dropped():
    off = pd.DataFrame([project("GLD1", None, None, 10, 400_374)])
    result = build(off, pd.DataFrame([credit("GLD1", "retirement", 400_374, "offsetsdb")]))
    gld1 = result.projects.set_index("project_id").loc["GLD1"]
    assert (gld1["name"], gld1["issued"], gld1["retired"]) == ("Stoves", 500, 400)
    assert gld1["provenance"]["issued"] == "vrod"
    assert set(result.credits["source"]) == {"vrod"}
    assert result.report["rules"]["placeholders_taken_from_vrod"]["count"] == 1
    assert result.report["invariant_violations"]["totals_mismatch_count"] == 0


def test_placeholder_nobody_names_is_left_out_and_reported():
    off = pd.DataFrame([project("VCS9", None, None, 7, 0)])
    result = build(off, pd.DataFrame([credit("VCS9", "issuance", 7, "offsetsdb")]))
    assert "VCS9" not in set(result.projects["project_id"])
    assert not result.projects["name"].isna().any()
    left_out = result.report["rules"]["placeholders_left_out"]
    assert (left_out["count"], left_out["examples"], left_out["credit_rows"]) == (1, ["VCS9"], 1)


def test_totals_rows_and_yearly_figures_come_from_one_source():
    off = pd.DataFrame([project("GLD1", "Stoves", "registered", 100, 0)])
    off_credits = pd.DataFrame(
        [
            credit("GLD1", "issuance", 100, "offsetsdb", year=2021, vintage=2019),
            credit("GLD1", "retirement", 30, "offsetsdb", year=2022, vintage=2019),
        ]
    )
    result = build(off, off_credits)
    gld1 = result.projects.set_index("project_id").loc["GLD1"]
    # OffsetsDB's transactions make the set; its own totals go with them (100, 0) - not
    # VROD's retired 400 beside OffsetsDB's issued 100.
    assert (gld1["issued"], gld1["retired"]) == (100, 0)
    assert set(result.credits.loc[result.credits["project_id"] == "GLD1", "source"]) == {
        "offsetsdb"
    }
    figures = result.yearly[result.yearly["project_id"] == "GLD1"]
    assert set(figures["source"]) == {"offsetsdb"}
    cells = {
        (block, year): quantity
        for block, year, quantity in zip(
            figures["block"], figures["year"], figures["quantity"], strict=True
        )
    }
    assert cells == {
        ("issued_by_vintage", 2019): 100,
        ("issued_by_year", 2021): 100,
        ("retired_by_year", 2022): 30,
        ("remaining_by_vintage", 2019): 70,
    }
    # Rule 3: VROD's vintages first, even beside OffsetsDB's rows.
    assert (gld1["first_vintage"], gld1["last_vintage"]) == (2016, 2018)


def test_retired_above_issued_kept_only_as_the_source_says_and_flagged():
    result = build(None, None)
    by_id = result.projects.set_index("project_id")
    assert (by_id.loc["ACR2", "issued"], by_id.loc["ACR2", "retired"]) == (0, 25)
    assert by_id.loc["ACR2", "flags"] == {"retired_exceeds_issued": True}
    assert "retired_exceeds_issued" not in by_id.loc["GLD1", "flags"]
    assert result.report["rules"]["retired_exceeds_issued"] == {
        "count": 1,
        "examples": ["ACR2"],
    }


def test_vintage_range_falls_back_to_the_sets_issued_by_vintage():
    vrod = VROD.assign(first_vintage=None, last_vintage=None)
    result = merge.build_catalogue(
        None, None, vrod, VROD_CREDITS, VROD_YEARLY, inputs={}, warnings=[]
    )
    gld1 = result.projects.set_index("project_id").loc["GLD1"]
    assert (gld1["first_vintage"], gld1["last_vintage"]) == (2016, 2018)


def test_the_offsetsdb_format_sample_beside_vrod_makes_no_impossible_figure():
    from pathlib import Path

    from app.etl import offsetsdb, vrod

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "etl"
    off_projects, off_credits = offsetsdb.read(offsetsdb.find_inputs(fixtures / "offsetsdb"))
    vrod_projects, vrod_credits, vrod_yearly, _ = vrod.read(
        fixtures / "derived_projects_sample.csv"
    )
    result = merge.build_catalogue(
        off_projects,
        off_credits,
        vrod_projects,
        vrod_credits,
        vrod_yearly,
        inputs={},
        warnings=[],
    )
    projects = result.projects.set_index("project_id")
    rules = result.report["rules"]
    assert not projects["name"].isna().any()  # no placeholder became a nameless project
    placeholders = off_projects["name"].isna() & off_projects["status"].isna()
    assert rules["placeholders_taken_from_vrod"]["count"] + rules["placeholders_left_out"][
        "count"
    ] == int(placeholders.sum())
    assert rules["placeholders_left_out"]["count"] > 0
    # Each project's rows come from the source its totals come from.
    set_source = projects["provenance"].map(lambda p: p["issued"])
    row_sources = result.credits.groupby("project_id")["source"].unique()
    for pid, sources in row_sources.items():
        assert list(sources) == [set_source[pid]], pid
    # Retired above issued only as a source itself reports it, and flagged.
    above = projects[projects["retired"] > projects["issued"]]
    assert all(flags.get("retired_exceeds_issued") for flags in above["flags"])
    for pid, row in above.iterrows():
        source = off_projects if set_source[pid] == "offsetsdb" else vrod_projects
        own = source.set_index("project_id").loc[pid]
        assert (own["issued"], own["retired"]) == (row["issued"], row["retired"])
