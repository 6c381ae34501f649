"""The export parsers on the registries' real export samples, and on the drift they show."""

from pathlib import Path

import pandas as pd
import pytest

from app.etl import columns as c
from app.etl.errors import SourceError
from app.etl.registries import ADAPTERS
from app.etl.registries.exports import read_export, repair_quotes

EXPORTS = Path(__file__).resolve().parents[2] / "fixtures" / "registries" / "exports"
FOLDERS = {
    "verra": "verra",
    "gold_standard": "gold-standard",
    "acr": "american-carbon-registry",
    "car": "climate-action-reserve",
    "art": "art-trees",
}


def parsed(key: str, folder: Path | None = None, with_recorded: tuple[Path, ...] = ()):
    """A registry's export samples as its adapter reads them (plus recorded reports that
    have no real sample, CAR's buffer pool report, where given)."""
    folder = folder or EXPORTS / FOLDERS[key]
    return ADAPTERS[key].read_exports([*sorted(folder.glob("*.csv")), *with_recorded])


def project(data, project_id: str) -> dict:
    rows = data.projects[data.projects[c.PROJECT_ID] == project_id]
    assert len(rows) == 1, project_id
    return rows.iloc[0].to_dict()


def credits_of(data, project_id: str, kind: str) -> pd.DataFrame:
    rows = data.credits
    return rows[(rows[c.PROJECT_ID] == project_id) & (rows[c.KIND] == kind)]


def test_verra_export_gives_projects_crediting_periods_and_retirement_details():
    data = parsed("verra")
    kenya = project(data, "VCS5957")
    assert kenya[c.NAME] == "KENYA HIGHLANDS GROUPED CARBON PROJECT"
    assert kenya[c.CREDITING_PERIOD_START] == pd.Timestamp("2024-04-01")
    assert kenya[c.CREDITING_PERIOD_END] == pd.Timestamp("2044-03-31")
    assert kenya[c.ESTIMATED_ANNUAL_REDUCTIONS] == 191805
    assert kenya[c.REGISTRY_PROJECT_TYPE] == "Agriculture Forestry and Other Land Use (ALM)"
    assert kenya[c.STATUS_GROUP] == "listed"
    retired = credits_of(data, "VCS3005", c.RETIREMENT)
    lindblad = retired[retired[c.BENEFICIARY] == "Lindblad Expeditions Family of Companies"]
    assert lindblad[c.QUANTITY].tolist() == [28571]
    assert lindblad[c.REASON].tolist() == ["Environmental Benefit"]
    assert lindblad[c.TRANSACTION_DATE].tolist() == [pd.Timestamp("2026-04-06")]
    assert lindblad[c.SERIAL_RANGE].iloc[0].startswith("19381-941412555-941441125-VCS-VCU-1310")
    # Every block is an issuance; a dated one also left circulation.
    assert (data.credits[c.KIND] == c.ISSUANCE).sum() == 200
    assert (data.credits[c.KIND] == c.RETIREMENT).sum() == 100


def test_verra_labels_and_projects_only_the_transactions_name():
    data = parsed("verra")
    # Not in projects.csv: the project comes from its transaction rows.
    bale = project(data, "VCS1340")
    assert bale[c.NAME] == "Bale Mountains Eco-region REDD+ project"
    assert bale[c.COUNTRY] == "Ethiopia"
    assert "CCB-No Distinction" in bale[c.CERTIFICATIONS]
    labelled = data.projects[c.CERTIFICATIONS].dropna()
    assert labelled.str.contains("Article 6 Authorized \u2013 NDC Use").any()
    assert labelled.str.contains("SDG 13").any()


def test_gold_standard_export_tells_retirements_from_cancellations():
    data = parsed("gold_standard")
    counts = data.credits[c.KIND].value_counts().to_dict()
    assert counts == {c.ISSUANCE: 100, c.RETIREMENT: 94, c.CANCELLATION: 6}
    water = project(data, "GLD23574")
    assert water[c.POA_ID] == "GLD12856"
    assert water[c.CERTIFICATIONS] == "SDG 4; SDG 13; SDG 6; SDG 5; SDG 3; SDG 8"
    hilti = credits_of(data, "GLD11603", c.RETIREMENT)
    assert set(hilti[c.BENEFICIARY]) == {"Hilti Corporation"}
    assert set(hilti[c.REASON]) == {"Voluntary"}
    assert hilti[c.NOTE].str.startswith("Retirement on behalf of Hilti").all()
    cancelled = data.credits[data.credits[c.KIND] == c.CANCELLATION]
    reasons = cancelled[c.CANCELLATION_REASON].dropna()
    assert reasons.str.startswith("Transferred to Zimbabwe Carbon Registry").any()


def test_acr_export_gives_buffer_deposits_cancellation_types_and_country_codes():
    data = parsed("acr")
    reserves = project(data, "ACR586")
    assert reserves[c.COUNTRY] == "United States"
    assert reserves[c.COUNTRY_CODE] == "US"
    assert reserves[c.CREDITING_PERIOD_END] == pd.Timestamp("2040-01-14")
    assert reserves[c.VERIFIER].startswith("SCS Global Services")
    cancelled = credits_of(data, "ACR1185", c.CANCELLATION)
    assert cancelled[c.CANCELLATION_REASON].tolist() == ["Convert to Ecology offset credits"]
    assert cancelled[c.TRANSACTION_DATE].tolist() == [pd.Timestamp("2026-01-22")]
    aws = data.credits[data.credits[c.BENEFICIARY] == "AWS"]
    assert set(aws[c.KIND]) == {c.RETIREMENT}
    assert aws[c.QUANTITY].sum() > 0
    assert (data.credits[c.KIND] == c.BUFFER).sum() > 0


def test_car_export_gives_operators_notes_and_reasons():
    data = parsed("car")
    agas = project(data, "CAR1458")
    assert agas[c.OPERATOR] == "Reclamation Technologies, Inc., dba A-Gas"
    assert agas[c.ARB_ID] == "CAOD6458"
    assert agas[c.REGISTERED_AT] == pd.Timestamp("2021-01-28")
    assert agas[c.REGISTRY_URL].endswith("prjView.asp?id1=1458")
    retired = credits_of(data, "CAR1335", c.RETIREMENT)
    first = retired[retired[c.SERIAL_RANGE] == "CAR-1-US-1335-31-983-KS-2025-9205-1 to 5000"]
    assert first[c.REASON].tolist() == ["On Behalf of Third Party"]
    assert first[c.NOTE].tolist() == ["Retired on behalf of Kinaxis Inc. F2024 period"]
    assert first[c.ACCOUNT].tolist() == ["ClimeCo Corp MCK NAP2, LLC."]
    cancelled = credits_of(data, "CAR2056", c.CANCELLATION)
    assert cancelled[c.CANCELLATION_REASON].tolist() == ["ARB"]


def test_art_export_gives_buffer_and_corsia_cancellations():
    data = parsed("art")
    guyana = project(data, "ART102")
    assert guyana[c.COUNTRY] == "Guyana"
    assert "CORSIA eligible" in guyana[c.CERTIFICATIONS]
    buffer = credits_of(data, "ART102", c.BUFFER)
    assert 535461 in buffer[c.QUANTITY].tolist()
    issued = credits_of(data, "ART102", c.ISSUANCE)
    assert 9085923 in issued[c.QUANTITY].tolist()  # credits verified, buffer apart
    cancelled = credits_of(data, "ART102", c.CANCELLATION)
    assert set(cancelled[c.CANCELLATION_REASON]) == {"CORSIA Compliance"}
    assert "Japan Airlines Co., Ltd.;First Phase: 2024-2026" in cancelled[c.NOTE].tolist()


@pytest.mark.parametrize("key", list(FOLDERS))
def test_every_export_loads_with_typed_columns(key):
    data = parsed(key)
    assert list(data.credits.columns) == list(c.CREDIT_RECORD_COLUMNS)
    assert data.credits[c.QUANTITY].gt(0).all()
    assert data.credits[c.PROJECT_ID].str.startswith(ADAPTERS[key].code).all()
    assert data.projects[c.PROJECT_ID].is_unique
    assert set(data.projects[c.REGISTRY]) == {ADAPTERS[key].code}


def _copy(tmp_path: Path, key: str) -> Path:
    folder = tmp_path / key
    folder.mkdir()
    for path in (EXPORTS / FOLDERS[key]).glob("*.csv"):
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


def test_a_renamed_header_is_still_read(tmp_path):
    folder = _copy(tmp_path, "car")
    issuances = folder / "issuances.csv"
    issuances.write_text(issuances.read_text().replace("CCP Approved", "ICVCM CCP Eligible", 1))
    data = parsed("car", folder)
    assert data.projects[c.CERTIFICATIONS].dropna().str.contains("ICVCM CCP").any()


def test_cp1252_without_a_charset_is_read(tmp_path):
    folder = _copy(tmp_path, "art")
    projects = folder / "projects.csv"
    projects.write_bytes(projects.read_text(encoding="utf-8").encode("cp1252"))
    assert project(parsed("art", folder), "ART105")[c.NAME] == "Amapá"


def test_stray_quotes_in_a_quoted_line_stay_in_their_field():
    line = (
        '"2026","CAR-1-US-1480-46-1156-FL-2026-10272-852724 to 860723","8000",'
        '"06/16/2026","CAR1480","On "Earth, Day" event"\n'
    )
    header = "Vintage,Serial,Quantity,Status Effective,Project ID,Retirement Reason Details\n"
    frame = read_export(repair_quotes((header + line).encode()), "car retirements")
    assert frame["retirement reason details"].tolist() == ['On "Earth, Day" event']
    assert frame["project id"].tolist() == ["CAR1480"]


def test_unnamed_columns_are_dropped():
    frame = read_export(b"Project ID,Unnamed: 21\nACR1,\n", "acr projects")
    assert list(frame.columns) == ["project id"]


def test_a_missing_required_column_names_the_file_and_the_column(tmp_path):
    folder = _copy(tmp_path, "acr")
    retirements = folder / "retirements.csv"
    retirements.write_text(retirements.read_text().replace("Quantity of Credits", "Qty", 1))
    with pytest.raises(SourceError, match=r"ACR retirements: no 'Quantity of Credits' column"):
        parsed("acr", folder)


def test_an_incomplete_export_set_says_which_file_is_missing(tmp_path):
    folder = _copy(tmp_path, "gold_standard")
    (folder / "retirements.csv").unlink()
    with pytest.raises(SourceError, match=r"Gold Standard export incomplete.*no retirements"):
        parsed("gold_standard", folder)


def test_a_truncated_export_is_refused(tmp_path):
    folder = _copy(tmp_path, "verra")
    data = (folder / "transactions.csv").read_bytes()
    (folder / "transactions.csv").write_bytes(data[: len(data) // 2].rstrip(b"\n"))
    with pytest.raises(SourceError, match=r"truncated"):
        parsed("verra", folder)


CAR_BUFFER = EXPORTS.parent / "car" / "buffer.csv"


def test_car_buffer_report_is_optional_and_replaces_the_issuances_balances():
    without = parsed("car")
    assert (credits_of(without, "CAR2084", c.BUFFER)[c.QUANTITY] == 4067).any()
    data = parsed("car", with_recorded=(CAR_BUFFER,))
    assert credits_of(data, "CAR2084", c.BUFFER).empty
    released = credits_of(data, "CAR531", c.BUFFER_RELEASE)
    assert released[[c.VINTAGE, c.QUANTITY]].values.tolist() == [[2019, 3500]]
    # Accents survive: the report comes in cp1252 without a charset.
    assert "SÍJIL" in project(data, "CAR1865")[c.NAME]


def test_car_crediting_period_renewals_come_from_the_issuances():
    data = parsed("car")
    renewals = data.projects.set_index(c.PROJECT_ID)[c.CREDITING_PERIOD_RENEWALS]
    assert renewals["CAR2131"] == 1  # Renewed-Second
    assert renewals["CAR1865"] == 0  # Initial
    assert pd.isna(renewals["CAR2084"])  # its issuances do not say


def test_an_unknown_buffer_movement_fails_naming_it(tmp_path):
    broken = tmp_path / "buffer.csv"
    broken.write_bytes(CAR_BUFFER.read_bytes().replace(b'"Release"', b'"Transfer"', 1))
    with pytest.raises(SourceError, match=r"unknown buffer pool movement\(s\) \['Transfer'\]"):
        parsed("car", with_recorded=(broken,))


def test_a_buffer_report_alone_is_an_incomplete_car_export(tmp_path):
    with pytest.raises(SourceError, match=r"CAR export incomplete: found buffer but no projects"):
        ADAPTERS["car"].read_exports([CAR_BUFFER])


@pytest.mark.parametrize(
    "sample", sorted(EXPORTS.glob("*/*.csv")), ids=lambda p: p.parent.name + "/" + p.name
)
def test_the_fast_parser_reads_every_real_sample_as_the_tolerant_one(sample: Path):
    """Well-formed UTF-8 exports go through pyarrow's parser; anything else through
    pandas'. On every real sample both give the same frame."""
    from app.etl.registries import exports

    fast = read_export(sample, sample.name)
    assert exports._read_plain_utf8(sample.read_bytes()) is not None
    tolerant = pd.read_csv(sample, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    tolerant.columns = [exports.header_key(name) for name in tolerant.columns]
    tolerant = tolerant.loc[:, [bool(k) and not k.startswith("unnamed") for k in tolerant.columns]]
    pd.testing.assert_frame_equal(fast, tolerant.loc[:, ~tolerant.columns.duplicated()])


def test_files_the_fast_parser_refuses_get_the_tolerant_ones_reading_and_messages():
    from app.etl.registries import exports

    cp1252 = b"Project ID,Name\nVCS1,Caf\xe9 Forest\n"
    assert exports._read_plain_utf8(cp1252) is None
    assert read_export(cp1252, "cp1252.csv")["name"].tolist() == ["Café Forest"]
    ragged = b"Project ID,Name\nVCS1,One\nVCS2,Two,extra\n"
    assert exports._read_plain_utf8(ragged) is None
    with pytest.raises(SourceError, match=r"ragged\.csv: not a readable CSV"):
        read_export(ragged, "ragged.csv")
