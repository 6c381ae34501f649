import shutil
from pathlib import Path

import pandas as pd
import pytest

from app.etl import vrod
from app.etl.errors import SourceError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "etl"
DEMO = Path(__file__).resolve().parents[2] / "app" / "demo_data"
FULL = DEMO / "Voluntary-Registry-Offsets-Database--v2025-12-year-end.parquet"


def test_headers_are_normalised():
    assert vrod.normalise_header("Total Credits \nIssued ") == "total credits issued"
    assert vrod.normalise_header(1996.0) == "1996"
    assert vrod.normalise_header(None) == ""


def test_year_blocks_by_order_with_any_year_range():
    headers = [
        "project id",
        "2001",
        "2002",
        "2001.1",
        "2002.1",
        "year unknown",
        "2001.2",
        "2002.2",
        "name",
        "2001.3",
        "2002.3",
    ]
    assert vrod.year_blocks(headers) == {
        "issued_by_vintage": {2001: 1, 2002: 2},
        "retired_in_year": {2001: 3, 2002: 4},
        "remaining_by_vintage": {2001: 6, 2002: 7},
        "issued_in_year": {2001: 9, 2002: 10},
    }


def test_year_blocks_by_label_in_older_releases():
    headers = ["project id", "issued 2010", "issued 2011", "retired 2010", "retired 2011"]
    assert vrod.year_blocks(headers) == {
        "issued_in_year": {2010: 1, 2011: 2},
        "retired_in_year": {2010: 3, 2011: 4},
    }


def tiny_table(tmp_path: Path) -> Path:
    """A hand-written PROJECTS table: banner row, header, two projects, a tally row.

    Year blocks: issued by vintage, retired in year (+ Year Unknown), remaining,
    issued in year; each for 2020-2021."""
    header = [
        "Project ID",
        "Project Name",
        "Voluntary Registry",
        "Voluntary Status",
        "Total Credits \nIssued",
        "Total Credits \nRetired",
        "2020",
        "2021",
        "2020",
        "2021",
        "Year \nUnknown",
        "2020",
        "2021",
        "2020",
        "2021",
    ]
    rows = [
        ["Berkeley banner", *[None] * 14],
        header,
        ["GS5", "Stoves", "GOLD", "Registered", 30, 12, 10, 20, 5, 0, 7, 5, 20, 30, 0],
        ["VCS9", "Forest", "VCS", "Withdrawn", -4, 0, 0, -4, 0, 0, 0, 0, -4, 0, -4],
        [None, None, None, None, 26, 12, 10, 16, 5, 0, 7, 5, 16, 30, -4],
    ]
    path = tmp_path / "vrod.csv"
    pd.DataFrame(rows).to_csv(path, header=False, index=False)
    return path


def test_tiny_table_projects_and_yearly_rows(tmp_path):
    projects, credits, _, warnings = vrod.read(tiny_table(tmp_path))
    assert projects["project_id"].tolist() == ["GLD5", "VCS9"]
    assert projects["registry"].tolist() == ["GLD", "VCS"]
    assert projects["status_group"].tolist() == ["registered", "withdrawn"]
    assert projects["issued"].tolist() == [30, -4]
    assert projects["last_vintage"].tolist() == [2021, 2021]
    rows = {
        (pid, kind, None if pd.isna(year) else int(year), int(quantity))
        for pid, kind, year, quantity in zip(
            credits["project_id"],
            credits["kind"],
            credits["year"],
            credits["quantity"],
            strict=True,
        )
    }
    assert rows == {
        ("GLD5", "issuance", 2020, 30),
        ("GLD5", "retirement", 2020, 5),
        ("GLD5", "retirement", None, 7),
        ("VCS9", "issuance", 2021, -4),
    }
    assert warnings == []


def test_melt_keeps_negative_and_drops_zero_cells():
    table = pd.DataFrame({0: ["A1", "A2"], 1: [5, 0], 2: [-3, 0]})
    ids = pd.Series(["A1", "A2"], index=[0, 1])
    melted = vrod.melt_year_block(ids, table, {2020: 1, 2021: 2}, "issuance")
    assert list(zip(melted["project_id"], melted["year"], melted["quantity"], strict=True)) == [
        ("A1", 2020, 5),
        ("A1", 2021, -3),
    ]
    assert melted["source"].eq("vrod").all()
    assert melted["transaction_date"].isna().all()


def test_melt_matches_golden_file_for_all_projects():
    table = vrod.read_table(FULL)
    projects = vrod.projects_frame(table)
    ids = projects.set_index("_row")["raw_project_id"]
    block = vrod.year_blocks(table.attrs["headers"])["issued_in_year"]
    melted = vrod.melt_year_block(ids, table, block, "issuance")
    got = (
        melted.rename(columns={"year": "issuance_year", "quantity": "credits_issued"})[
            ["project_id", "issuance_year", "credits_issued"]
        ]
        .astype({"project_id": str, "issuance_year": int, "credits_issued": int})
        .sort_values(["project_id", "issuance_year"])
        .reset_index(drop=True)
    )
    golden = (
        pd.read_csv(FIXTURES / "derived_issued_by_issuance_year_long.csv")
        .astype({"project_id": str, "issuance_year": int, "credits_issued": int})
        .sort_values(["project_id", "issuance_year"])
        .reset_index(drop=True)
    )
    assert len(got) == 15_212
    pd.testing.assert_frame_equal(got, golden)


def test_sample_rows_credits_equal_totals():
    projects, credits, _, _ = vrod.read(FIXTURES / "derived_projects_sample.csv")
    assert len(projects) == 241
    issued = credits[credits["kind"] == "issuance"].groupby("project_id")["quantity"].sum()
    retired = credits[credits["kind"] == "retirement"].groupby("project_id")["quantity"].sum()
    totals = projects.set_index("project_id")
    assert (issued.reindex(totals.index).fillna(0) == totals["issued"]).all()
    assert (retired.reindex(totals.index).fillna(0) == totals["retired"]).all()
    assert (credits["quantity"] < 0).any()  # the sample's registry corrections survive
    assert {"VCSOPR2", "VCSOPR10"} <= set(projects["project_id"])


def test_xlsx_with_banner_and_tally_rows_reads_like_the_csv():
    from_xlsx, credits_xlsx, _, _ = vrod.read(FIXTURES / "derived_vrod_layout_fixture.xlsx")
    from_csv, credits_csv, _, _ = vrod.read(FIXTURES / "derived_projects_sample.csv")
    assert from_xlsx["project_id"].tolist() == from_csv["project_id"].tolist()
    assert from_xlsx["issued"].sum() == from_csv["issued"].sum()
    assert len(credits_xlsx) == len(credits_csv)


def test_older_release_loads():
    projects, credits, yearly, warnings = vrod.read(FIXTURES / "vrod-v3-2021-12-projects-head.csv")
    assert len(projects) == 100
    assert not warnings
    assert projects["project_type"].notna().any()  # ' Type' header with a stray space
    issued = credits[credits["kind"] == "issuance"]["quantity"].sum()
    assert issued == projects["issued"].sum()
    by_block = yearly.groupby("block")["quantity"].sum()
    assert by_block["issued_by_vintage"] == by_block["issued_by_year"] == issued
    acr102 = projects.set_index("project_id").loc["ACR102"]
    # v3's older names: "Project Type" (the registry's), "Date added to database" as yyyymm
    assert acr102["registry_project_type"] == "Industrial Gas Substitution"
    assert acr102["project_type"] == "SF6 Replacement"
    assert str(acr102["date_added"]) == "2021-04-01"
    assert acr102["project_owner"] is not None or acr102["verifier"] is not None


def test_every_vrod_field_and_the_four_blocks_are_read():
    projects, _, yearly, _ = vrod.read(FIXTURES / "derived_projects_sample.csv")
    filled = projects.notna().sum()
    for field in (
        "reduction_removal",
        "methodology_version",
        "state",
        "site_location",
        "buffer_deposits",
        "reversals_covered",
        "reversals_not_covered",
        "buffer_released",
        "estimated_annual_reductions",
        "project_owner",
        "operator",
        "verifier",
        "poa_id",
        "poa_status",
        "arb_project",
        "arb_status",
        "registered_at",
        "registry_project_type",
        "date_added",
        "country_code",
    ):
        assert filled[field] > 0, field
    assert set(yearly["block"]) == {
        "issued_by_vintage",
        "issued_by_year",
        "retired_by_year",
        "remaining_by_vintage",
    }
    unknown_year = yearly[yearly["year"].isna()]
    assert set(unknown_year["block"]) <= {"retired_by_year"}
    retired = yearly[yearly["block"] == "retired_by_year"].groupby("project_id")["quantity"].sum()
    totals = projects.set_index("project_id")["retired"]
    assert (retired.reindex(totals.index).fillna(0) == totals).all()


def test_missing_required_column_is_named(tmp_path):
    path = tmp_path / "vrod.csv"
    pd.DataFrame([["Project ID", "Voluntary Registry"], ["VCS1", "VCS"]]).to_csv(
        path, header=False, index=False
    )
    with pytest.raises(SourceError, match=r"vrod.csv: required column 'project name' missing"):
        vrod.read(path)


def test_file_without_project_id_header_fails(tmp_path):
    path = tmp_path / "vrod.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(SourceError, match=r"no header row with a 'Project ID' cell"):
        vrod.read(path)


def test_older_release_named_projects_csv_is_taken_as_vrod(tmp_path):
    # Release v3 ships its PROJECTS table as projects.csv, OffsetsDB's own file name.
    from app.etl import offsetsdb

    shutil.copyfile(FIXTURES / "vrod-v3-2021-12-projects-head.csv", tmp_path / "projects.csv")
    assert vrod.find_input(tmp_path) == tmp_path / "projects.csv"
    assert offsetsdb.find_inputs(tmp_path) is None


def test_offsetsdb_projects_csv_stays_offsetsdb_even_without_its_id_column(tmp_path):
    from app.etl import offsetsdb

    (tmp_path / "projects.csv").write_text("name,registry\nA forest,verra\n")
    assert vrod.find_input(tmp_path) is None
    assert offsetsdb.find_inputs(tmp_path) == [tmp_path / "projects.csv"]


def test_csv_cut_mid_line_fails_as_truncated(tmp_path):
    whole = (FIXTURES / "derived_projects_sample.csv").read_bytes()
    path = tmp_path / "vrod.csv"
    path.write_bytes(whole[: len(whole) // 2].rstrip(b"\n") + b"x")
    with pytest.raises(SourceError, match=r"vrod.csv ends in the middle of a line"):
        vrod.read(path)
