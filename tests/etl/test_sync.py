"""The whole sync on SQLite and PostgreSQL: counts, idempotence, all or nothing."""

import shutil
import time
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.etl import sync as sync_module
from app.etl.sync import execute_sync
from app.extensions import db
from app.models import (
    YEARLY_BLOCKS,
    Comment,
    Credit,
    CreditSummary,
    DataVersion,
    Project,
    ProjectYearlyFigure,
    SyncRun,
)
from app.sync_queue import request_sync
from tests.factories import make_project, make_user

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "etl"
SAMPLE = FIXTURES / "derived_projects_sample.csv"


def write_inputs(folder: Path, *, change: bool = False) -> Path:
    """VROD's 241-row sample plus a two-project OffsetsDB export; ``change`` adds one
    project, renames one and removes one."""
    folder.mkdir(parents=True, exist_ok=True)
    table = pd.read_csv(SAMPLE, dtype=object)
    if change:
        removed = table.index[table["Project ID"] == "ACR1001"]
        table = table.drop(removed)
        renamed = table["Project ID"] == "ACR1089"
        table.loc[renamed, "Project Name"] = "Renamed project"
        added = table.iloc[[0]].copy()
        added["Project ID"] = "ACR99999"
        table = pd.concat([table, added], ignore_index=True)
    table.to_csv(folder / "vrod-projects.csv", index=False)
    pd.DataFrame(
        {
            "project_id": ["VCS1340", "GLD1015"],
            "name": ["Verra one", "Gold one"],
            "registry": ["verra", "gold-standard"],
            "status": ["registered", "registered"],
            "country": ["India", "Viet Nam"],
            "issued": ["1454054.0", "0.0"],
            "retired": ["0.0", "0.0"],
        }
    ).to_csv(folder / "projects.csv", index=False)
    pd.DataFrame(
        {
            "project_id": ["VCS1340"],
            "quantity": ["1454054.0"],
            "transaction_date": ["2026-04-10 00:00:00+00:00"],
            "transaction_type": ["issuance"],
            "vintage": ["2020"],
        }
    ).to_csv(folder / "credits.csv", index=False)
    return folder


def run_sync(folder: Path):
    run, _ = request_sync("cli", source_dir=str(folder))
    return execute_sync(run.id)


def registry_count() -> int:
    return db.session.scalar(
        select(func.count()).select_from(Project).where(Project.registry != "COMMUNITY")
    )


def test_sync_then_changed_input_counts(app, tmp_path):
    owner = make_user()
    community = make_project(owner=owner, name="Our village forest")
    db.session.add(Comment(project_id=community.id, user_account_id=owner.id, body="Yes!"))
    db.session.commit()

    first = run_sync(write_inputs(tmp_path / "v1"))
    assert first.status == "succeeded", first.message
    assert first.projects_added == 242  # 241 VROD rows + VCS1340 from OffsetsDB only
    report = first.report
    assert report["projects_by_source"] == {"both": 1, "offsetsdb": 1, "vrod": 240}
    assert report["rewritten_ids"]["count"] == 60
    assert ["GS1001", "GLD1015"] in report["rewritten_ids"]["examples"] or report["rewritten_ids"][
        "examples"
    ]
    assert set(first.step_timings) == {"read", "parse", "merge", "registries", "load", "links"}
    assert len(first.checksums) == 3
    assert (Path(app.config["RAW_ARCHIVE_DIR"]) / str(first.id) / "projects.csv").exists()
    renamed_key = db.session.scalar(select(Project.id).where(Project.project_id == "ACR1089"))
    gold = db.session.scalar(select(Project).where(Project.project_id == "GLD1015"))
    assert gold.source == "both"
    assert gold.name == "Gold one"
    assert gold.provenance["name"] == "offsetsdb"
    assert gold.provenance["scope"] == "vrod"
    assert gold.search_text.startswith("gld1015 gld 1015 | gold one")
    version = db.session.scalar(select(DataVersion.version))

    again = run_sync(write_inputs(tmp_path / "v1"))
    assert (again.projects_added, again.projects_updated, again.projects_removed) == (0, 0, 0)
    assert again.projects_unchanged == 242

    changed = run_sync(write_inputs(tmp_path / "v2", change=True))
    assert changed.status == "succeeded", changed.message
    assert (changed.projects_added, changed.projects_updated, changed.projects_removed) == (
        1,
        1,
        1,
    )
    db.session.expire_all()
    renamed = db.session.scalar(select(Project).where(Project.project_id == "ACR1089"))
    assert renamed.id == renamed_key
    assert renamed.name == "Renamed project"
    assert db.session.scalar(select(Project.id).where(Project.project_id == "ACR1001")) is None
    assert db.session.get(Project, community.id).name == "Our village forest"
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 1
    assert db.session.scalar(select(DataVersion.version)) > version
    assert registry_count() == 242


def test_sync_failing_in_load_keeps_previous_data(app, tmp_path, monkeypatch):
    owner = make_user()
    community = make_project(owner=owner)
    first = run_sync(write_inputs(tmp_path / "v1"))
    credits_before = db.session.scalar(select(func.count()).select_from(Credit))

    real_load = sync_module.load_catalogue

    def load_then_break(connection, projects, credits, yearly, **options):
        real_load(connection, projects.iloc[:10], credits.iloc[:10], yearly.iloc[:10])
        raise IntegrityError("INSERT INTO credit", {}, Exception("violates check constraint"))

    monkeypatch.setattr(sync_module, "load_catalogue", load_then_break)
    failed = run_sync(write_inputs(tmp_path / "v2", change=True))
    assert failed.status == "failed"
    assert failed.message.startswith("load step: load failed, previous data kept")
    assert "violates check constraint" in failed.message
    db.session.expire_all()
    assert registry_count() == first.projects_added
    assert db.session.scalar(select(func.count()).select_from(Credit)) == credits_before
    assert db.session.get(Project, community.id) is not None


def test_bad_input_fails_naming_file_and_column(app, tmp_path):
    folder = write_inputs(tmp_path / "bad")
    table = pd.read_csv(folder / "projects.csv").drop(columns=["registry"])
    table.to_csv(folder / "projects.csv", index=False)
    run = run_sync(folder)
    assert run.status == "failed"
    assert run.message == "parse step: projects.csv: required column 'registry' missing"
    assert registry_count() == 0


def test_missing_source_merges_the_other_and_warns(app, tmp_path):
    folder = tmp_path / "only-vrod"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "vrod.csv")
    run = run_sync(folder)
    assert run.status == "succeeded"
    assert run.report["inputs"] == {"offsetsdb": None, "vrod": "vrod.csv"}
    assert "OffsetsDB input missing: merged the other source only" in run.report["warnings"]
    assert registry_count() == 241


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_cli_sync_prints_steps_and_seed_demo_if_empty_skips(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["sync", "--source-dir", str(write_inputs(tmp_path / "v1"))])
    assert result.exit_code == 0, result.output
    assert "  parse ..." in result.output
    assert "succeeded in" in result.output
    skipped = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "skipping the demo data" in skipped.output
    failed = runner.invoke(args=["sync", "--source-dir", str(tmp_path)])
    assert failed.exit_code == 1
    assert "failed" in failed.output


def test_sync_rebuilds_the_statistics_summary_from_its_credits(app, tmp_path):
    run = run_sync(write_inputs(tmp_path / "v1"))
    assert run.status == "succeeded", run.message

    def totals(kind_column, quantity_column, registry_column):
        rows = db.session.execute(
            select(registry_column, kind_column, func.sum(quantity_column)).group_by(
                registry_column, kind_column
            )
        ).all()
        return {(registry, kind): int(total) for registry, kind, total in rows}

    from_credits = totals(
        Credit.kind,
        Credit.quantity,
        select(Project.registry).where(Project.id == Credit.project_id).scalar_subquery(),
    )
    from_summary = totals(CreditSummary.kind, CreditSummary.quantity, CreditSummary.registry)
    assert from_summary == from_credits
    assert from_summary[("VCS", "issuance")] >= 1454054


def test_resync_sees_a_credit_edit_that_keeps_counts_and_lengths(app, tmp_path):
    folder = write_inputs(tmp_path / "v1")
    retirements = pd.DataFrame(
        {
            "project_id": ["VCS1340", "VCS1340"],
            "quantity": ["1000.0", "2000.0"],
            "transaction_date": ["2026-05-01 00:00:00+00:00", "2026-06-01 00:00:00+00:00"],
            "transaction_type": ["retirement", "retirement"],
            "vintage": ["2020", "2020"],
            "retirement_beneficiary": ["Acme Ltd", "Bolt AG"],
        }
    )
    credits = pd.read_csv(folder / "credits.csv", dtype=object)
    pd.concat([credits, retirements]).to_csv(folder / "credits.csv", index=False)
    assert run_sync(folder).status == "succeeded"

    shuffled = pd.read_csv(folder / "credits.csv", dtype=object).iloc[::-1]
    shuffled.to_csv(folder / "credits.csv", index=False)
    reordered = run_sync(folder)
    assert (reordered.projects_updated, reordered.projects_unchanged) == (0, 242)

    # Same row count, same quantities, same text lengths: only the name differs.
    edited = shuffled.replace({"Acme Ltd": "Acne Ltd"})
    edited.to_csv(folder / "credits.csv", index=False)
    changed = run_sync(folder)
    assert changed.status == "succeeded", changed.message
    assert (changed.projects_updated, changed.projects_unchanged) == (1, 241)
    beneficiaries = db.session.scalars(
        select(Credit.beneficiary).where(Credit.beneficiary.is_not(None))
    ).all()
    assert sorted(beneficiaries) == ["Acne Ltd", "Bolt AG"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_cli_sync_heartbeats_during_a_long_step(app, tmp_path, monkeypatch):
    # Without beats between steps a worker's reaper would fail a CLI run that is alive.
    app.config["SYNC_HEARTBEAT_SECONDS"] = 0.05
    beats = []

    def slow_sync(run_id, **kwargs):
        run = db.session.get(SyncRun, run_id)
        started = run.heartbeat_at
        time.sleep(0.5)
        db.session.refresh(run)
        beats.append(run.heartbeat_at > started)
        run.status = "succeeded"
        db.session.commit()
        return run

    monkeypatch.setattr(sync_module, "execute_sync", slow_sync)
    result = app.test_cli_runner().invoke(args=["sync", "--source-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert beats == [True]


def test_vrod_fields_and_yearly_figures_load_and_a_yearly_edit_reloads_them(app, tmp_path):
    folder = write_inputs(tmp_path / "v1")
    first = run_sync(folder)
    assert first.status == "succeeded", first.message
    acr212 = db.session.scalar(select(Project).where(Project.project_id == "ACR212"))
    assert acr212.verifier == "Aster Global Environmental Solutions, Inc."
    assert acr212.country_code == "US"
    assert acr212.status_canonical is not None
    assert acr212.date_added is not None
    remaining = {
        figure.year: figure.quantity
        for figure in db.session.scalars(
            select(ProjectYearlyFigure).where(
                ProjectYearlyFigure.project_id == acr212.id,
                ProjectYearlyFigure.block == "remaining_by_vintage",
            )
        )
    }
    assert remaining[2020] == 13547
    blocks = db.session.scalars(select(ProjectYearlyFigure.block).distinct()).all()
    assert sorted(blocks) == sorted(YEARLY_BLOCKS)
    assert first.report["yearly_rows_by_block"]["remaining_by_vintage"] > 0

    table = pd.read_csv(folder / "vrod-projects.csv", dtype=object)
    table.loc[table["Project ID"] == "ACR212", "2020.2"] = "13548"
    table.to_csv(folder / "vrod-projects.csv", index=False)
    changed = run_sync(folder)
    assert (changed.projects_updated, changed.projects_unchanged) == (1, 241)
    quantity = db.session.scalar(
        select(ProjectYearlyFigure.quantity).where(
            ProjectYearlyFigure.project_id == acr212.id,
            ProjectYearlyFigure.block == "remaining_by_vintage",
            ProjectYearlyFigure.year == 2020,
        )
    )
    assert quantity == 13548
