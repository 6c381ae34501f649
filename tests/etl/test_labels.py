"""Quality labels: the mapping of sources' words, the real release's counts, the sync's load."""

from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.etl import sync as sync_module
from app.etl.labels import RawLabel, certification_labels, label_rows, labels_from_raw
from app.extensions import db
from app.models import Label, Project
from tests.etl.test_sync import run_sync, write_inputs

ROOT = Path(__file__).resolve().parents[2]
RELEASE = (
    ROOT / "app" / "demo_data" / "Voluntary-Registry-Offsets-Database--v2025-12-year-end.parquet"
)
RAW_SAMPLES = Path("/work/shared/data/offsets-db-data-raw-samples")


def kinds_values(labels: list[RawLabel]) -> list[tuple[str, str]]:
    return [(label.kind, label.value) for label in labels]


def test_vrod_certifications_text_maps_to_labels_keeping_the_raw_words():
    raw = (
        "Article 6 Authorized \u2013 Intl mitigation purposes; Article 6 Authorized \u2013 NDC Use;"
        " CORSIA - First Phase, 2024-2026 Scope; CCB-Community Gold; CCB-Gold; Social Carbon"
    )
    labels = labels_from_raw("vrod", None, raw)
    assert kinds_values(labels) == [
        ("article6", "authorized_imp"),
        ("article6", "authorized_ndc"),
        ("corsia", "first"),
        ("ccb", "community_gold"),
        ("ccb", "gold"),
        ("other", "social_carbon"),
    ]
    assert labels[2].raw_text == "CORSIA - First Phase, 2024-2026 Scope"


def test_one_label_columns_read_yes_no_and_named_values():
    assert kinds_values(labels_from_raw("acr", "ccp", "Yes")) == [("ccp", "approved")]
    assert labels_from_raw("acr", "ccp", None) == []
    assert labels_from_raw("art", "corsia", "No") == []
    assert kinds_values(labels_from_raw("car", "corsia_first", "Yes")) == [("corsia", "first")]
    assert kinds_values(labels_from_raw("car", "corresponding_adjustment", "Pending")) == [
        ("corresponding_adjustment", "pending")
    ]
    assert labels_from_raw("gld", "article6", "Not Applicable") == []
    assert kinds_values(labels_from_raw("gld", "sdg", "15,13,6")) == [
        ("sdg", "15"),
        ("sdg", "13"),
        ("sdg", "6"),
    ]
    acr_sdgs = "09: Industry, Innovation and Infrastructure;13: Climate Action"
    assert kinds_values(labels_from_raw("acr", "sdg", acr_sdgs)) == [("sdg", "9"), ("sdg", "13")]
    with pytest.raises(ValueError, match="unknown label kind hint 'ccp_maybe'"):
        labels_from_raw("acr", "ccp_maybe", "Yes")


def test_the_real_release_counts_near_the_issue():
    table = pd.read_parquet(RELEASE, columns=["Project ID", "Sustainability Certifications"])
    frame = table.set_axis(["project_id", "certifications"], axis=1)
    rows = label_rows(frame, "certifications", "vrod", None)
    projects = rows.groupby("kind")["project_id"].nunique().to_dict()
    assert frame["certifications"].notna().sum() == pytest.approx(490, abs=10)
    assert projects["ccp"] == pytest.approx(200, abs=10)
    assert projects["corsia"] == pytest.approx(66, abs=5)
    assert projects["article6"] == pytest.approx(34, abs=5)
    assert projects["ccb"] == pytest.approx(148, abs=10)


@pytest.mark.skipif(not RAW_SAMPLES.exists(), reason="registries' raw samples not on this machine")
def test_registries_raw_label_columns_map_on_their_real_samples():
    def read(name, column):
        return pd.read_csv(RAW_SAMPLES / name, usecols=[column], dtype=object)[column]

    verra = read("verra/transactions.csv", "Additional Certifications")
    verra_kinds = {k for raw in verra for k, _ in kinds_values(labels_from_raw("VCS", None, raw))}
    assert {"article6", "corsia", "ccp", "ccb"} <= verra_kinds
    gold_label = read("gold-standard/issuances.csv", "Label")
    gold = [kinds_values(labels_from_raw("GLD", None, raw)) for raw in gold_label]
    assert gold.count([("ccp", "approved")]) == 2  # 'ICVCM CCP, Emission Reduction'
    article6 = read("gold-standard/issuances.csv", "Article Six Authorization")
    assert all(labels_from_raw("GLD", "article6", raw) == [] for raw in article6)
    acr = read("american-carbon-registry/issuances.csv", "CCP Approved")
    assert sum(bool(labels_from_raw("ACR", "ccp", raw)) for raw in acr) == 22
    art = read("art-trees/issuances.csv", "CORSIA Eligible")
    assert sum(bool(labels_from_raw("ART", "corsia", raw)) for raw in art) == 7
    car = read("climate-action-reserve/issuances.csv", "CCP Approved")
    assert sum(bool(labels_from_raw("CAR", "ccp", raw)) for raw in car) == 25
    car_ca = read("climate-action-reserve/issuances.csv", "Corresponding Adjustment")
    assert all(labels_from_raw("CAR", "corresponding_adjustment", raw) == [] for raw in car_ca)


def label_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Label))


def test_sync_loads_the_labels_and_a_resync_replaces_them(app, tmp_path):
    run_sync(write_inputs(tmp_path / "v1"))
    sample = pd.read_csv(ROOT / "tests/fixtures/etl/derived_projects_sample.csv", dtype=object)
    texts = sample.set_axis([*sample.columns], axis=1).rename(
        columns={"Project ID": "project_id", "Sustainability Certifications": "certifications"}
    )
    expected = len(label_rows(texts, "certifications", "vrod", None))
    assert expected > 10
    assert label_count() == expected
    ccp = db.session.scalars(
        select(Project.project_id).join(Label).where(Label.kind == "ccp")
    ).all()
    assert ccp
    assert all(
        "CCP" in db.session.scalar(select(Project.certifications).where(Project.project_id == p))
        for p in ccp
    )
    run_sync(write_inputs(tmp_path / "v2", change=True))
    assert label_count() == expected  # replaced, not added twice


def test_a_failed_load_keeps_the_previous_labels(app, tmp_path, monkeypatch):
    run_sync(write_inputs(tmp_path / "v1"))
    before = label_count()
    real_load = sync_module.load_catalogue

    def load_then_break(connection, projects, credits, yearly, **options):
        real_load(connection, projects, credits, yearly, labels=projects.iloc[:0])
        raise IntegrityError("INSERT INTO label", {}, Exception("violates check constraint"))

    monkeypatch.setattr(sync_module, "load_catalogue", load_then_break)
    failed = run_sync(write_inputs(tmp_path / "v2"))
    assert failed.status == "failed"
    db.session.expire_all()
    assert label_count() == before > 0


def test_the_load_takes_registry_label_frames_with_credit_level_rows(app, tmp_path, monkeypatch):
    real_load = sync_module.load_catalogue

    def load_with_registry_labels(connection, projects, credits, yearly, **options):
        acr = pd.DataFrame(
            {
                "project_id": ["ACR1001", "ACR1001"],
                "ccp": ["Yes", "No"],
                "vintage": [2021, 2022],
                "quantity": [300, 200],
            }
        )
        from_acr = label_rows(acr, "ccp", "ACR", None, "ccp", carried=("vintage", "quantity"))
        labels = pd.concat([certification_labels(projects), from_acr], ignore_index=True)
        return real_load(connection, projects, credits, yearly, labels=labels)

    monkeypatch.setattr(sync_module, "load_catalogue", load_with_registry_labels)
    assert run_sync(write_inputs(tmp_path / "v1")).status == "succeeded"
    row = db.session.execute(
        select(Label.kind, Label.value, Label.vintage, Label.quantity, Label.raw_text)
        .join(Project)
        .where(Project.project_id == "ACR1001", Label.source == "ACR")
    ).all()
    assert row == [("ccp", "approved", 2021, 300, "Yes")]
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Label)
            .where(Label.source == "vrod", Label.vintage.is_(None))
        )
        > 10
    )
