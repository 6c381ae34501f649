import zipfile
from pathlib import Path

import pandas as pd
import pytest

from app.etl import offsetsdb
from app.etl.errors import SourceError

OFFSETSDB_SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "etl" / "offsetsdb"

PROJECTS_15 = [
    "category",
    "country",
    "first_issuance_at",
    "first_retirement_at",
    "is_compliance",
    "issued",
    "listed_at",
    "name",
    "project_id",
    "project_url",
    "proponent",
    "protocol",
    "registry",
    "retired",
    "status",
]
PROJECTS_17 = [*PROJECTS_15, "project_type", "project_type_source"]
PROJECTS_18 = [*PROJECTS_17, "protocol_unassigned"]
CREDITS_5 = ["project_id", "quantity", "transaction_date", "transaction_type", "vintage"]
CREDITS_10 = [
    *CREDITS_5,
    "retirement_account",
    "retirement_beneficiary",
    "retirement_note",
    "retirement_reason",
    "transaction_url",
]
CREDITS_11 = [*CREDITS_10, "retirement_beneficiary_harmonized"]

PROJECT_VALUES = {
    "category": "forest",
    "country": "Viet Nam",
    "first_issuance_at": "",
    "first_retirement_at": "",
    "is_compliance": "False",
    "issued": "1500.0",
    "listed_at": "2024-04-05 00:00:00+00:00",
    "name": "Forest  one",
    "project_id": "GS12",
    "project_url": "https://x",
    "proponent": "Dev",
    "protocol": "['vm0007', 'vmd0001']",
    "registry": "gold-standard",
    "retired": "500.0",
    "status": "registered",
    "project_type": "Unknown",
    "project_type_source": "carbonplan",
    "protocol_unassigned": "",
    "extra_future_column": "ignored",
}
CREDIT_VALUES = {
    "project_id": "GLD12",
    "quantity": "1500.0",
    "transaction_date": "2024-04-05 00:00:00+00:00",
    "transaction_type": "issuance",
    "vintage": "2020",
    "retirement_account": "",
    "retirement_beneficiary": "",
    "retirement_note": "",
    "retirement_reason": "",
    "transaction_url": "",
    "retirement_beneficiary_harmonized": "",
}


def write_csv(path: Path, columns: list[str], values: dict) -> Path:
    pd.DataFrame([{name: values.get(name, "") for name in columns}]).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("project_columns", [PROJECTS_15, PROJECTS_17, PROJECTS_18])
@pytest.mark.parametrize("credit_columns", [CREDITS_5, CREDITS_10, CREDITS_11])
def test_every_historical_column_set_loads(tmp_path, project_columns, credit_columns):
    write_csv(tmp_path / "projects.csv", [*project_columns, "extra_future_column"], PROJECT_VALUES)
    write_csv(tmp_path / "credits.csv", credit_columns, CREDIT_VALUES)
    projects, credits = offsetsdb.read(offsetsdb.find_inputs(tmp_path))
    project = projects.iloc[0]
    assert project["project_id"] == "GLD12"
    assert project["registry"] == "GLD"
    assert project["country"] == "Vietnam"
    assert project["name"] == "Forest one"
    assert project["methodology_code"] == "vm0007, vmd0001"  # named by the merge
    assert project["issued"] == 1500
    assert project["retired"] == 500
    assert pd.isna(project["project_type"])  # 'Unknown' is no value
    assert str(project["listed_at"]) == "2024-04-05"
    credit = credits.iloc[0]
    assert (credit["project_id"], credit["kind"], credit["quantity"], credit["year"]) == (
        "GLD12",
        "issuance",
        1500,
        2024,
    )


def test_missing_required_column_is_named(tmp_path):
    write_csv(
        tmp_path / "projects.csv", [n for n in PROJECTS_18 if n != "registry"], PROJECT_VALUES
    )
    with pytest.raises(SourceError, match=r"projects.csv: required column 'registry' missing"):
        offsetsdb.read(offsetsdb.find_inputs(tmp_path))


def test_missing_credit_column_is_named(tmp_path):
    write_csv(tmp_path / "projects.csv", PROJECTS_18, PROJECT_VALUES)
    write_csv(tmp_path / "credits.csv", [n for n in CREDITS_11 if n != "quantity"], CREDIT_VALUES)
    with pytest.raises(SourceError, match=r"credits.csv: required column 'quantity' missing"):
        offsetsdb.read(offsetsdb.find_inputs(tmp_path))


def make_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(OFFSETSDB_SAMPLE / "projects.csv", "projects.csv")
        archive.write(OFFSETSDB_SAMPLE / "credits.csv", "credits.csv")
    return path


def test_zip_reads_like_loose_files(tmp_path):
    zipped = offsetsdb.read(make_zip(tmp_path / "offsets-db.csv.zip"))
    loose = offsetsdb.read(offsetsdb.find_inputs(OFFSETSDB_SAMPLE))
    assert len(zipped[0]) == len(loose[0]) == 609
    assert zipped[1]["quantity"].sum() == loose[1]["quantity"].sum()


def test_truncated_zip_fails_cleanly(tmp_path):
    whole = make_zip(tmp_path / "whole.zip").read_bytes()
    truncated = tmp_path / "offsets-db.csv.zip"
    truncated.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(SourceError, match=r"offsets-db.csv.zip is not a readable zip"):
        offsetsdb.read(truncated)


def test_parse_credit_values_keeps_negative_and_drops_zero():
    raw = pd.DataFrame(
        {
            "project_id": ["VCS1", "VCS1", "GS2"],
            "kind": ["issuance", "Retirement", "cancellation"],
            "vintage": ["2019", "2019", None],
            "transaction_date": ["2021-01-02 00:00:00+00:00", None, "2022-03-04"],
            "quantity": ["-5.0", "0", "7"],
            "beneficiary": [pd.NA] * 3,
            "reason": [pd.NA] * 3,
            "note": [pd.NA] * 3,
            "account": [pd.NA] * 3,
        },
        dtype="string",
    )
    result = raw.pipe(offsetsdb.parse_credit_values).pipe(offsetsdb.drop_unusable_credits)
    assert result["project_id"].tolist() == ["VCS1", "GLD2"]
    assert result["quantity"].tolist() == [-5, 7]
    assert result["year"].tolist() == [2021, 2022]


def test_protocol_list_literal_becomes_codes():
    frame = pd.DataFrame({"methodology": ["['a', 'b']", "[]", None, "vm0015"]})
    result = offsetsdb.parse_protocols(frame)["methodology_code"]
    assert result.isna().tolist() == [False, True, True, False]
    assert result[[0, 3]].tolist() == ["a, b", "vm0015"]


def test_credit_zip_member_unreadable_names_file(tmp_path):
    path = tmp_path / "offsets-db.csv.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("other.csv", "a,b\n1,2\n")
    with pytest.raises(SourceError, match=r"no projects.csv inside"):
        offsetsdb.read(path)


def test_zip_without_credits_is_partial_and_fails(tmp_path):
    path = tmp_path / "offsets-db.csv.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(OFFSETSDB_SAMPLE / "projects.csv", "projects.csv")
    with pytest.raises(SourceError, match=r"offsets-db.csv.zip: no credits.csv inside the zip"):
        offsetsdb.read(path)


def test_csv_cut_mid_line_fails_as_truncated(tmp_path):
    whole = (OFFSETSDB_SAMPLE / "credits.csv").read_bytes()
    (tmp_path / "projects.csv").write_bytes((OFFSETSDB_SAMPLE / "projects.csv").read_bytes())
    (tmp_path / "credits.csv").write_bytes(whole[: len(whole) // 2].rstrip(b"\n") + b"9")
    with pytest.raises(SourceError, match=r"credits.csv ends in the middle of a line"):
        offsetsdb.read(offsetsdb.find_inputs(tmp_path))


def test_several_missing_columns_are_named_together(tmp_path):
    kept = [n for n in PROJECTS_18 if n not in ("registry", "name")]
    write_csv(tmp_path / "projects.csv", kept, PROJECT_VALUES)
    with pytest.raises(SourceError, match=r"required columns 'name', 'registry' missing"):
        offsetsdb.read(offsetsdb.find_inputs(tmp_path))
