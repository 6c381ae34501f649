"""The registries in the whole sync, on SQLite and PostgreSQL: every field loaded from
the real exports, the same records fetched from local servers, all or nothing per
registry, and the freshest source winning field by field."""

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from app.credits.query import CreditQuery
from app.credits.search import credit_stats
from app.etl import columns as c
from app.etl.commands import sync_command
from app.etl.credit_fields import fill_credit_fields
from app.etl.registries import car
from app.etl.registries.base import RegistryData
from app.etl.registry_sync import merge_delta
from app.etl.sync import execute_sync
from app.extensions import db
from app.models import (
    LABEL_KIND_BITS,
    Credit,
    CreditSearchValue,
    CreditSummary,
    Label,
    LabelCoverage,
    Project,
    SourceState,
    SyncRun,
    rebuild_credit_summary,
)
from app.sync_queue import request_sync
from tests.etl.registries import servers
from tests.etl.test_sync import write_inputs

EXPORTS = servers.EXPORTS


def sync(folder: Path | None = None, registries: str | None = None) -> SyncRun:
    run, _ = request_sync("cli", source_dir=str(folder) if folder else None)
    run.registries = registries
    db.session.commit()
    return execute_sync(run.id)


def project(project_id: str) -> Project:
    db.session.expire_all()
    return db.session.scalar(select(Project).where(Project.project_id == project_id))


def credits(project_id: str, kind: str | None = None) -> list[Credit]:
    query = select(Credit).join(Project).where(Project.project_id == project_id)
    if kind:
        query = query.where(Credit.kind == kind)
    return db.session.scalars(query.order_by(Credit.id)).all()


def state(key: str) -> SourceState:
    db.session.expire_all()
    return db.session.scalar(select(SourceState).where(SourceState.source == key))


def test_source_dir_of_the_five_registries_loads_every_field(app):
    run = sync(EXPORTS)
    assert run.status == "succeeded", run.message
    outcomes = run.report["registries"]["outcomes"]
    assert {key: o["status"] for key, o in outcomes.items()} == dict.fromkeys(
        ("verra", "gold_standard", "acr", "car", "art"), "fresh"
    )
    kenya = project("VCS5957")
    assert (str(kenya.crediting_period_start), str(kenya.crediting_period_end)) == (
        "2024-04-01",
        "2044-03-31",
    )
    assert kenya.source == "registry"
    assert kenya.provenance["crediting_period_start"] == "registry"
    guyana = project("ART102")
    assert "CORSIA eligible" in guyana.certifications
    assert guyana.country_code == "GY"
    buffer = credits("ART102", "buffer")
    assert 535461 in [row.quantity for row in buffer]
    cancelled = credits("ACR1185", "cancellation")
    assert [row.cancellation_reason for row in cancelled] == ["Convert to Ecology offset credits"]
    retired = next(r for r in credits("VCS3005", "retirement") if r.quantity == 28571)
    assert retired.beneficiary == "Lindblad Expeditions Family of Companies"
    assert retired.reason == "Environmental Benefit"
    assert retired.note.startswith("Retired on behalf of the Lindblad")
    assert retired.serial_range.startswith("19381-941412555-941441125")
    assert str(retired.transaction_date) == "2026-04-06"
    car = project("CAR1335")
    issued = sum(r.quantity for r in credits("CAR1335", "issuance"))
    gone = sum(r.quantity for r in credits("CAR1335") if r.kind in ("retirement", "cancellation"))
    assert (car.issued, car.retired) == (issued, gone)
    assert state("car").last_success_at is not None
    assert state("car").last_error is None


def test_registry_fields_win_over_offsetsdb_and_vrod_and_replace_their_credit_rows(app, tmp_path):
    base = write_inputs(tmp_path / "base")  # OffsetsDB knows VCS1340 with one issuance row
    for folder in ("verra",):
        shutil.copytree(EXPORTS / folder, base / folder)
    run = sync(base)
    assert run.status == "succeeded", run.message
    bale = project("VCS1340")
    assert bale.name == "Bale Mountains Eco-region REDD+ project"  # registry over "Verra one"
    assert bale.provenance["name"] == "registry"
    assert bale.source == "offsetsdb"  # the sources that know it, as before; the registry adds
    rows = credits("VCS1340")
    assert {row.source for row in rows} == {"registry"}  # one source's rows, as a set
    assert bale.issued == sum(r.quantity for r in rows if r.kind == "issuance")
    assert bale.provenance["issued"] == "registry"
    # A project the registry does not list keeps OffsetsDB's and VROD's fields.
    gold = project("GLD1015")
    assert gold.provenance["name"] in ("offsetsdb", "vrod")


def test_fetch_from_local_servers_loads_the_same_records_as_the_exports(app, httpserver):
    servers.serve_reports(
        httpserver,
        "/car",
        "climate-action-reserve",
        car.REPORTS,
    )
    servers.serve_verra(httpserver)
    point_at_local_servers(app, httpserver)
    fetched = sync(registries="verra,car")
    assert fetched.status == "succeeded", fetched.message
    assert state("verra").counts["registry_totals"]["retirements"] == 100
    from_api = {
        (c.kind, c.vintage, c.quantity, str(c.transaction_date), c.serial_range, c.beneficiary)
        for pid in ("CAR1335", "VCS3005")
        for c in credits(pid)
    }
    exported = sync(EXPORTS)
    assert exported.status == "succeeded", exported.message
    from_exports = {
        (c.kind, c.vintage, c.quantity, str(c.transaction_date), c.serial_range, c.beneficiary)
        for pid in ("CAR1335", "VCS3005")
        for c in credits(pid)
    }
    assert from_api == from_exports


def test_a_failing_registry_keeps_its_last_good_data_and_says_why(app, httpserver):
    assert sync(EXPORTS).status == "succeeded"
    before = {r.serial_range for r in credits("VCS3005")}
    servers.serve_verra(httpserver, servers.Knobs(html=True))
    servers.serve_reports(
        httpserver,
        "/car",
        "climate-action-reserve",
        car.REPORTS,
    )
    point_at_local_servers(app, httpserver, REGISTRY_RETRIES=1)
    run = sync(registries="verra,car")
    assert run.status == "succeeded", run.message
    outcomes = run.report["registries"]["outcomes"]
    assert outcomes["verra"]["status"] == "failed"
    assert "answered an HTML page with 200" in outcomes["verra"]["message"]
    assert outcomes["car"]["status"] == "fresh"
    assert any("Verra not refreshed, its last good data kept" in w for w in run.report["warnings"])
    assert {r.serial_range for r in credits("VCS3005")} == before  # still served
    verra = state("verra")
    assert "HTML page" in verra.last_error
    assert verra.as_of < verra.last_attempt_at


def test_every_registry_failing_fails_the_run_and_changes_nothing(app, httpserver):
    assert sync(EXPORTS).status == "succeeded"
    projects_before = db.session.scalar(select(func.count()).select_from(Project))
    servers.serve_verra(httpserver, servers.Knobs(status=401))
    point_at_local_servers(app, httpserver)
    run = sync(registries="verra")
    assert run.status == "failed"
    assert "every registry of this run failed" in run.message
    assert "HTTP 401" in run.message
    assert db.session.scalar(select(func.count()).select_from(Project)) == projects_before


def test_gold_standard_is_not_fetched_unless_its_api_is_switched_on(app):
    app.config.update(GOLD_STANDARD_API_URL="http://127.0.0.1:9/never")
    run = sync(registries="gold_standard")
    outcome = run.report["registries"]["outcomes"]["gold_standard"]
    assert outcome["status"] == "kept"
    assert "Gold Standard's API is off" in outcome["message"]
    assert state("gold_standard") is None  # nothing was attempted


def test_registry_only_run_needs_a_stored_merge_when_the_catalogue_is_loaded(app, tmp_path):
    assert sync(write_inputs(tmp_path / "base")).status == "succeeded"
    shutil.rmtree(app.config["REGISTRY_DATA_DIR"])
    run = sync(EXPORTS / "verra")
    assert run.status == "failed"
    assert "run a full sync (without --registry) once first" in run.message


def test_cli_sync_registry_option(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(sync_command, ["--registry", "nowhere"])
    assert result.exit_code != 0
    assert "unknown registry 'nowhere'" in result.output
    result = runner.invoke(sync_command, ["--source-dir", str(EXPORTS), "--registry", "art,CAR"])
    assert result.exit_code == 0, result.output
    assert "Syncing art, car" in result.output
    assert "ART: fresh" in result.output
    assert "Verra" not in result.output
    assert project("ART102") is not None
    assert project("VCS5957") is None


@pytest.mark.parametrize("folder", ["verra"])
def test_registry_exports_alone_are_laid_over_the_stored_merge(app, tmp_path, folder):
    assert sync(write_inputs(tmp_path / "base")).status == "succeeded"
    vrod_only = project("ACR1089")
    assert vrod_only is not None
    run = sync(EXPORTS / folder)
    assert run.status == "succeeded", run.message
    assert project("ACR1089") is not None  # the stored merge is kept
    assert project("VCS5957").source == "registry"


def test_a_daily_delta_appends_the_new_events_to_the_kept_ones(app, httpserver):
    assert sync(EXPORTS / "verra").status == "succeeded"
    before = {r.serial_range for r in credits("VCS3005")}
    retired_before = project("VCS3005").retired
    verra = state("verra")
    verra.last_success_at = datetime(2026, 4, 8, 3, 0, tzinfo=UTC)
    db.session.commit()
    new_event = {
        "entityId": 110299999999999,
        "projectId": 3005,
        "vintage": "2022",
        "holdingQuantity": 500.0,
        "serialNo": "19999-941412555-941413054-VCS-VCU-1310-VER-CN-13-3005-01012022-31102022-0",
        "retiredDate": "2026-11-29T08:00:00",
        "beneficialOwner": "Example Airlines",
        "stateCode": "RETIRED",
    }
    knobs = servers.serve_verra(httpserver, servers.Knobs(extra={"retirements": [new_event]}))
    point_at_local_servers(app, httpserver)
    run = sync(registries="verra")
    assert run.status == "succeeded", run.message
    outcome = run.report["registries"]["outcomes"]["verra"]
    assert outcome["message"] == "fetched the events since 2026-04-05"
    assert run.report["registries"]["projects_appended_to"] >= 1
    sent = [body["searchFilter"]["filterModel"] for r, body in knobs.calls if r == "retirements"]
    assert sent[0]["retiredDate"]["dateFrom"] == "2026-04-05"
    rows = credits("VCS3005")
    assert {r.serial_range for r in rows} == before | {new_event["serialNo"]}
    assert project("VCS3005").retired == retired_before + 500
    assert len(rows) == len({(r.kind, r.serial_range, r.transaction_date) for r in rows})
    # The statistics' summary got the new rows added: exactly what a rebuild gives.
    added_to = summary_rows()
    with db.engine.begin() as connection:
        rebuild_credit_summary(connection)
    assert added_to == summary_rows()
    # The new row's beneficiary got its key and is listed for the search: what a refill gives.
    assert any(r.beneficiary_key == "example-airlines" for r in rows)
    written = derived_fields_and_search_values()
    assert ("beneficiary", "Example Airlines", "example airlines") in written[1]
    with db.engine.begin() as connection:
        fill_credit_fields(connection, refill=True)
    db.session.expire_all()
    assert derived_fields_and_search_values() == written


def summary_rows() -> list[tuple]:
    table = CreditSummary.__table__
    columns = [col for col in table.c if col.name != "id"]
    rows = db.session.execute(select(*columns)).all()
    return sorted((tuple(row) for row in rows), key=repr)


def point_at_local_servers(app, httpserver, **settings) -> None:
    """The Verra and CAR fetchers pointed at the local server, without pauses."""
    app.config.update(
        CAR_REPORTS_URL=httpserver.url_for("/car"),
        VERRA_API_URL=httpserver.url_for(servers.VERRA_PATH),
        VERRA_APP_CONFIG_URL=httpserver.url_for("/verra/config/environment.config.json"),
        REGISTRY_PACE_SECONDS=0,
        **settings,
    )


def labels_of(project_id: str) -> set[tuple]:
    rows = db.session.execute(
        select(Label.kind, Label.value, Label.raw_text, Label.source, Label.vintage, Label.quantity)
        .join(Project)
        .where(Project.project_id == project_id)
    ).all()
    return {tuple(row) for row in rows}


def test_registry_label_columns_load_as_labels_naming_the_registry(app):
    run = sync(EXPORTS)
    assert run.status == "succeeded", run.message
    car_state = state("car")
    assert ("ccp", "approved", "CCP Approved: Yes", "car", None, None) in labels_of("CAR888")
    guyana = labels_of("ART102")
    assert {(k, v) for k, v, _, source, vintage, _ in guyana if vintage is None} >= {
        ("corsia", "eligible"),
        ("corsia", "pilot"),
        ("corsia", "first"),
    }
    assert ("corsia", "eligible", "CORSIA Eligible: Yes", "art", 2016, 7867104) in guyana
    water = labels_of("GLD23574")
    assert ("sdg", "13", "13", "gold_standard", None, None) in water
    as_of = db.session.scalars(
        select(Label.as_of).join(Project).where(Project.project_id == "CAR888")
    ).all()
    assert set(as_of) == {car_state.as_of.date()}
    # The renewal count CAR's issuances state, next to the crediting period.
    assert project("CAR2131").crediting_period_renewals == 1
    assert project("CAR1865").crediting_period_renewals == 0
    assert project("CAR1957").crediting_period_renewals is None


def label_rows_by_id(registry: str) -> dict[int, tuple]:
    rows = db.session.execute(
        select(Label.id, Label.project_id, Label.kind, Label.value, Label.raw_text)
        .add_columns(Label.source, Label.as_of, Label.vintage, Label.quantity)
        .join(Project)
        .where(Project.registry == registry)
    ).all()
    return {row[0]: tuple(row[1:]) for row in rows}


def assert_coverage_follows_the_labels() -> None:
    """label_coverage holds, per project and vintage (0: the project's own labels), the OR
    of its label rows' kind bits, and nothing else."""
    expected: dict[tuple[int, int], int] = {}
    for project_key, vintage, kind in db.session.execute(
        select(Label.project_id, Label.vintage, Label.kind)
    ):
        key = (project_key, vintage or 0)
        expected[key] = expected.get(key, 0) | LABEL_KIND_BITS[kind]
    stored = db.session.execute(
        select(LabelCoverage.project_id, LabelCoverage.vintage, LabelCoverage.kinds)
    ).all()
    assert {(pk, vintage): kinds for pk, vintage, kinds in stored} == expected


def test_a_registry_only_run_replaces_that_registrys_labels(app, tmp_path):
    assert sync(EXPORTS).status == "succeeded"
    assert_coverage_follows_the_labels()
    car_ccp = credit_stats(CreditQuery(registry=("CAR",), label=("ccp",)))
    assert car_ccp.total > 0
    car_before = label_rows_by_id("CAR")
    folder = tmp_path / "car"
    shutil.copytree(EXPORTS / "climate-action-reserve", folder)
    issuances = folder / "issuances.csv"
    issuances.write_text(
        issuances.read_text(encoding="utf-8").replace(",Yes,", ",No,"), encoding="utf-8"
    )
    for name in ("retirements.csv",):
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8").replace(",Yes,", ",No,"), "utf-8")
    run = sync(folder, registries="car")
    assert run.status == "succeeded", run.message
    assert not {row for row in labels_of("CAR888") if row[0] == "ccp"}
    assert ("corsia", "pilot") in {(k, v) for k, v, *_ in labels_of("ART102")}  # untouched
    assert_coverage_follows_the_labels()
    after = credit_stats(CreditQuery(registry=("CAR",), label=("ccp",)))
    assert after.total < car_ccp.total
    # Only the rows that changed were written: every row that stayed keeps its id.
    db.session.expire_all()
    car_after = label_rows_by_id("CAR")
    kept = set(car_before.values()) & set(car_after.values())
    assert kept
    assert set(car_after.values()) != set(car_before.values())
    assert {i for i, row in car_after.items() if row in kept} == {
        i for i, row in car_before.items() if row in kept
    }


def test_a_broken_car_buffer_report_fails_car_only(app, httpserver):
    servers.serve_reports(
        httpserver,
        "/car",
        "climate-action-reserve",
        car.REPORTS,
        servers.Knobs(broken={car.REPORTS["buffer"]: "truncated"}),
    )
    servers.serve_verra(httpserver)
    point_at_local_servers(app, httpserver)
    run = sync(registries="verra,car")
    assert run.status == "succeeded", run.message
    outcomes = run.report["registries"]["outcomes"]
    assert outcomes["verra"]["status"] == "fresh"
    assert outcomes["car"]["status"] == "failed"
    assert "report 706 ends in the middle of a line" in outcomes["car"]["message"]
    assert project("VCS3005") is not None
    assert project("CAR888") is None


def derived_fields_and_search_values() -> tuple[list, list]:
    credit = Credit.__table__
    search = CreditSearchValue.__table__
    rows = db.session.execute(
        select(credit.c.id, credit.c.beneficiary_key, credit.c.reason_category).order_by(
            credit.c.id
        )
    ).all()
    values = db.session.execute(
        select(search.c.column, search.c.value, search.c.folded).order_by(
            search.c.column, search.c.value
        )
    ).all()
    return [tuple(row) for row in rows], [tuple(row) for row in values]


def test_credit_rows_are_written_with_the_fields_a_refill_derives(app, tmp_path):
    assert sync(write_inputs(tmp_path / "base")).status == "succeeded"
    run = sync(EXPORTS)  # every registry's rows replace the merge's, written with their fields
    assert run.status == "succeeded", run.message
    written = derived_fields_and_search_values()
    rows, _ = written
    assert any(key for _, key, _ in rows)
    assert any(category for _, _, category in rows)
    with db.engine.begin() as connection:
        fill_credit_fields(connection, refill=True)
    db.session.expire_all()
    assert derived_fields_and_search_values() == written


def test_a_delta_appends_only_the_events_not_kept_whatever_their_date():
    def events(*rows):
        frame = pd.DataFrame(
            rows, columns=[c.PROJECT_ID, c.KIND, c.SERIAL_RANGE, c.TRANSACTION_DATE, c.QUANTITY]
        )
        return frame.assign(**{c.TRANSACTION_DATE: pd.to_datetime(frame[c.TRANSACTION_DATE])})

    projects = pd.DataFrame({c.PROJECT_ID: ["VCS1", "VCS2"]})
    kept = events(
        ("VCS1", "retirement", "A-1", "2026-11-28", 10),
        ("VCS1", "retirement", "A-2", "2026-03-01", 20),
        ("VCS1", "retirement", "A-3", None, 30),
    )
    delta = events(
        ("VCS1", "retirement", "A-1", "2026-11-28", 10),  # asked again by the overlap
        ("VCS1", "retirement", "A-3", None, 30),  # asked again, undated
        ("VCS1", "retirement", "A-2", "2026-11-29", 20),  # a new event of an old serial
        ("VCS2", "issuance", "B-1", "2026-11-29", 5),
        ("VCS2", "issuance", "B-1", "2026-11-29", 5),  # twice in the delta: once
    )
    merged = merge_delta(
        RegistryData(projects, kept), RegistryData(projects.head(0), delta), fields_changed=set()
    )
    appended = merged.appended
    assert sorted(zip(appended[c.PROJECT_ID], appended[c.SERIAL_RANGE], strict=True)) == [
        ("VCS1", "A-2"),
        ("VCS2", "B-1"),
    ]
    assert merged.changed == {"VCS1", "VCS2"}
    assert len(merged.credits) == len(kept) + 2
