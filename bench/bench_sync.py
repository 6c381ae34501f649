"""Sync (ETL) benchmark: the full VROD table + a synthetic 1,000,000-row OffsetsDB input,
synced into PostgreSQL; and the read of a full-size VROD workbook.

python -m bench sync   (or: make bench BENCH_ARGS="sync")
Database: BENCH_SYNC_DATABASE_URL, default
postgresql://postgres@127.0.0.1:5432/carbonscope_bench_sync (created when missing).
Inputs are built once and cached under instance/bench/.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parent.parent
PARQUET = (
    REPO / "app" / "demo_data" / "Voluntary-Registry-Offsets-Database--v2025-12-year-end.parquet"
)
CACHE = REPO / "instance" / "bench"
CREDIT_ROWS = 1_000_000
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/carbonscope_bench_sync"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_offsetsdb_input(folder: Path) -> Path:
    """projects.csv (18 columns) and credits.csv (11 columns) for every VROD project."""
    if (folder / "credits.csv").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    vrod = pd.read_parquet(
        PARQUET,
        columns=[
            "Project ID",
            "Project Name",
            "Voluntary Registry",
            "Country",
            "Project Developer",
            "Voluntary Status",
        ],
    )
    ids = vrod["Project ID"].str.replace(r"^GS(\d+)$", r"GLD\1", regex=True)
    registries = {
        "VCS": "verra",
        "GOLD": "gold-standard",
        "ACR": "american-carbon-registry",
        "CAR": "climate-action-reserve",
        "ART": "art-trees",
    }
    rng = np.random.default_rng(7)
    owner = rng.integers(0, len(ids), CREDIT_ROWS)
    kinds = rng.choice(["issuance", "retirement", "cancellation"], CREDIT_ROWS, p=[0.3, 0.65, 0.05])
    quantity = rng.integers(1, 50_000, CREDIT_ROWS).astype(float)
    vintage = rng.integers(2005, 2026, CREDIT_ROWS)
    days = rng.integers(0, 6000, CREDIT_ROWS)
    dates = (pd.Timestamp("2008-01-01") + pd.to_timedelta(days, unit="D")).strftime(
        "%Y-%m-%d 00:00:00+00:00"
    )
    retired = np.where(kinds == "issuance", "", "Retired on behalf of Example Corp")
    credits = pd.DataFrame(
        {
            "project_id": ids.to_numpy()[owner],
            "quantity": quantity,
            "retirement_account": "",
            "retirement_beneficiary": retired,
            "retirement_beneficiary_harmonized": retired,
            "retirement_note": "",
            "retirement_reason": np.where(kinds == "issuance", "", "Voluntary"),
            "transaction_date": dates,
            "transaction_type": kinds,
            "transaction_url": "",
            "vintage": vintage,
        }
    )
    sums = credits.assign(
        issued=np.where(kinds == "issuance", quantity, 0),
        retired=np.where(kinds != "issuance", quantity, 0),
    )
    totals = sums.groupby("project_id")[["issued", "retired"]].sum()
    projects = pd.DataFrame(
        {
            "category": "forest",
            "country": vrod["Country"],
            "first_issuance_at": "",
            "first_retirement_at": "",
            "is_compliance": "False",
            "issued": ids.map(totals["issued"]).fillna(0.0),
            "listed_at": "2020-01-01 00:00:00+00:00",
            "name": vrod["Project Name"],
            "project_id": ids,
            "project_type": "Unknown",
            "project_type_source": "carbonplan",
            "project_url": "",
            "proponent": vrod["Project Developer"],
            "protocol": "['vm0007']",
            "protocol_unassigned": "",
            "registry": vrod["Voluntary Registry"].map(registries),
            "retired": ids.map(totals["retired"]).fillna(0.0),
            "status": vrod["Voluntary Status"].str.lower(),
        }
    )
    projects.to_csv(folder / "projects.csv", index=False)
    credits.to_csv(folder / "credits.csv", index=False)
    return folder


def build_workbook(path: Path) -> Path:
    """A full-size workbook with the real layout: banner rows, header on row 4, a tally row."""
    if path.exists():
        return path
    from openpyxl import Workbook

    table = pd.read_parquet(PARQUET)
    header = [
        str(name).split(".")[0] if str(name)[:4].isdigit() else name for name in table.columns
    ]
    workbook = Workbook(write_only=True)
    workbook.create_sheet("READ FIRST").append(["Voluntary Registry Offsets Database"])
    sheet = workbook.create_sheet("PROJECTS")
    sheet.append(["Berkeley Carbon Trading Project"])
    sheet.append([])
    sheet.append(["", "", "", "Credits issued by vintage year"])
    sheet.append(header)
    for row in table.itertuples(index=False, name=None):
        sheet.append([None if (isinstance(v, float) and v != v) or v is pd.NaT else v for v in row])
    sheet.append([None] * 15 + [int(table.iloc[:, 15].sum())])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def ensure_database(url: str) -> str:
    target = make_url(url.replace("postgresql://", "postgresql+psycopg2://", 1))
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.execute(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": target.database}
        ).scalar():
            connection.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    admin.dispose()
    return target.render_as_string(hide_password=False)


def bench_full_sync(url: str, source: Path) -> None:
    from app import create_app
    from app.etl.sync import execute_sync
    from app.extensions import db
    from app.sync_queue import request_sync

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "RAW_ARCHIVE_DIR": str(CACHE / "raw"),
            "LOG_LEVEL": "WARNING",
        }
    )
    with app.app_context():
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
        db.create_all()
        for label in ("first sync (empty database)", "second sync (same inputs)"):
            marks = []

            def on_step(run, marks=marks):
                marks.append((run.step, time.perf_counter(), peak_mb()))

            started = time.perf_counter()
            run = execute_sync(request_sync("cli", source_dir=str(source))[0].id, on_step=on_step)
            wall = time.perf_counter() - started
            print(
                f"{label}: {run.status}, {wall:.1f} s wall, peak RSS {peak_mb():,.0f} MB; "
                f"{run.message}"
            )
            ends = [*(t for _, t, _ in marks[1:]), started + wall]
            for (step, begun, _), end in zip(marks, ends, strict=True):
                print(
                    f"  {step:<6} {end - begun:6.1f} s   peak RSS so far {peak_mb():,.0f} MB"
                    if end is ends[-1]
                    else f"  {step:<6} {end - begun:6.1f} s"
                )
            print(
                "  peak RSS after each step start: "
                + ", ".join(f"{s} {m:,.0f} MB" for s, _, m in marks)
            )
        db.engine.dispose()


def bench_workbook_read(path: Path) -> None:
    from app.etl import vrod

    started = time.perf_counter()
    table = vrod.read_table(path)
    projects = vrod.projects_frame(table)
    print(
        f"xlsx read ({path.stat().st_size / 1e6:.1f} MB, calamine): {len(projects):,} projects "
        f"in {time.perf_counter() - started:.1f} s"
    )


def main() -> None:
    url = ensure_database(os.environ.get("BENCH_SYNC_DATABASE_URL", DEFAULT_URL))
    started = time.perf_counter()
    source = build_offsetsdb_input(CACHE / "sync-input")
    workbook = build_workbook(CACHE / "vrod-full.xlsx")
    if not (source / PARQUET.name).exists():
        (source / PARQUET.name).symlink_to(PARQUET)
    print(f"inputs ready in {time.perf_counter() - started:.1f} s (cached in {CACHE})")
    bench_workbook_read(workbook)
    bench_full_sync(url, source)
