"""Registry adapters benchmark: a daily delta and a full reconcile on the bench catalogue.

python -m bench registries   (or: make bench BENCH_ARGS="registries")

- The catalogue: bench.dataset's 12,000 projects and 1,000,000 credit rows, copied from its
  template database into BENCH_REGISTRIES_DATABASE_URL (default
  postgresql://postgres@127.0.0.1:5432/carbonscope_bench_registries) for every run; the
  catalogue as stored merge (what registry-only runs lay the registries over).
- The registries' exports: synthetic, at the real shapes: rows drawn from the real export
  samples (tests/fixtures/registries/exports/) with their project, quantity, vintage, dates
  and serials drawn anew for the catalogue's projects; 1.5M credit records over the five
  registries. Built once into instance/bench/registries/.
- Full reconcile: a registry-only sync of all five from those files (parse, keep, lay over,
  load), in a child process so that its peak memory is its own.
- Delta: then 10,000 new Verra transactions arrive by the daily delta (the fetch replaced by
  the recorded delta, everything after it real): the run until committed.

BENCH_REGISTRIES_DELTA_ONLY=1 repeats only the delta, on the database and kept data sets
the last full run left after its reconcile (kept aside as a template and a copy): a
minute instead of four while working on the delta.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench.dataset import ensure_bench_database, sqlalchemy_url

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "tests" / "fixtures" / "registries" / "exports"
CACHE = REPO / "instance" / "bench" / "registries"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/carbonscope_bench_registries"
# bench.dataset's catalogue, built once with this branch's schema, copied for every run.
TEMPLATE_URL = "postgresql://postgres@127.0.0.1:5432/carbonscope_bench_registries_template"
SEED = 20261130
DELTA_ROWS = 10_000
DELTA_FILE = CACHE / "verra-delta.parquet"
DELTA_LABELS_FILE = CACHE / "verra-delta-labels.parquet"
RECONCILED_STORE = CACHE / "store-reconciled"

# (registry code, sample folder, table, rows, {role: header}) for the synthetic exports.
TABLES = (
    (
        "VCS",
        "verra",
        "transactions",
        420_000,
        {
            "id": "ID",
            "quantity": "Quantity Issued",
            "date": "Issuance Date",
            "vintage": "Vintage Start",
            "serial": "Serial Number",
            "left": "Retirement/Cancellation Date",
        },
    ),
    (
        "GLD",
        "gold-standard",
        "issuances",
        150_000,
        {
            "id": "GSID",
            "quantity": "Quantity",
            "date": "Issuance Date",
            "vintage": "Vintage",
            "serial": "Serial Number",
        },
    ),
    (
        "GLD",
        "gold-standard",
        "retirements",
        150_000,
        {
            "id": "GSID",
            "quantity": "Quantity",
            "date": "Retirement Date",
            "vintage": "Vintage",
            "serial": "Serial Number",
        },
    ),
    (
        "ACR",
        "american-carbon-registry",
        "issuances",
        60_000,
        {
            "id": "Project ID",
            "quantity": "Total Credits Issued",
            "date": "Date Issued (GMT)",
            "vintage": "Vintage",
        },
    ),
    (
        "ACR",
        "american-carbon-registry",
        "retirements",
        140_000,
        {
            "id": "Project ID",
            "quantity": "Quantity of Credits",
            "date": "Status Effective (GMT)",
            "vintage": "Vintage",
            "serial": "Credit Serial Numbers",
        },
    ),
    (
        "ACR",
        "american-carbon-registry",
        "cancellations",
        20_000,
        {
            "id": "Project ID",
            "quantity": "Quantity of Credits",
            "date": "Status Effective  (GMT)",
            "vintage": "Vintage",
            "serial": "Credit Serial Numbers",
        },
    ),
    (
        "CAR",
        "climate-action-reserve",
        "issuances",
        60_000,
        {
            "id": "Project ID",
            "quantity": "Total Offset Credits Issued",
            "date": "Date Issued",
            "vintage": "Vintage",
        },
    ),
    (
        "CAR",
        "climate-action-reserve",
        "retirements",
        200_000,
        {
            "id": "Project ID",
            "quantity": "Quantity of Offset Credits",
            "date": "Status Effective",
            "vintage": "Vintage",
            "serial": "Offset Credit Serial Numbers",
        },
    ),
    (
        "CAR",
        "climate-action-reserve",
        "cancellations",
        40_000,
        {
            "id": "Project ID",
            "quantity": "Quantity of Offset Credits",
            "date": "Status Effective",
            "vintage": "Vintage",
            "serial": "Offset Credit Serial Numbers",
        },
    ),
    (
        "ART",
        "art-trees",
        "issuances",
        10_000,
        {
            "id": "Program ID",
            "quantity": "Credits Verified",
            "date": "Date Approved",
            "vintage": "Vintage",
        },
    ),
    (
        "ART",
        "art-trees",
        "retirements",
        30_000,
        {
            "id": "Program ID",
            "quantity": "Quantity of Credits",
            "date": "Status Effective",
            "vintage": "Vintage",
            "serial": "Credit Serial Numbers",
        },
    ),
    (
        "ART",
        "art-trees",
        "cancellations",
        10_000,
        {
            "id": "Program ID",
            "quantity": "Quantity of Credits",
            "date": "Status Effective",
            "vintage": "Vintage",
            "serial": "Credit Serial Numbers",
        },
    ),
)
PROJECT_TABLES = {
    "VCS": ("verra", "ID", "Name"),
    "GLD": ("gold-standard", "GSID", "Project Name"),
    "ACR": ("american-carbon-registry", "Project ID", "Project Name"),
    "CAR": ("climate-action-reserve", "Project ID", "Project Name"),
    "ART": ("art-trees", "Program ID", "Program Name"),
}
NUMERIC_IDS = {"VCS", "GLD"}  # Verra's and Gold Standard's exports write the bare number
US_DATES = {"ACR", "CAR", "ART"}


@contextmanager
def profiled(name: str):
    """With BENCH_PROFILE set: cProfile the block, its statistics kept in
    instance/bench/registries/<name>.prof and the top printed."""
    if not os.environ.get("BENCH_PROFILE"):
        yield
        return
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        profile.dump_stats(CACHE / f"{name}.prof")
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)


@contextmanager
def peak_by_step():
    """The process's peak RSS (MB) as each step of the sync ends (it only grows: a step's
    own peak shows as a rise)."""
    from app.etl import sync

    peaks: dict[str, int] = {}
    timed = sync._Run.timed

    def timed_and_measured(self, name, work, **progress):
        try:
            return timed(self, name, work, **progress)
        finally:
            peaks[name] = round(peak_mb())

    sync._Run.timed = timed_and_measured
    try:
        yield peaks
    finally:
        sync._Run.timed = timed


def peak_mb() -> float:
    """This process's own peak RSS. Not ru_maxrss: Linux carries it across fork and exec, so
    a child started by the parent (which holds the million-row catalogue) would report the
    parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """This process's CPU time: less sensitive than wall time to a machine shared with others
    (the database server's own work is not in it)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def database_cpu_seconds(engine) -> dict[int, float]:
    """CPU time of each server process serving this database, by pid (read from /proc: the
    bench runs beside its PostgreSQL). The database's own work, apart from this process's."""
    with engine.connect() as connection:
        pids = connection.exec_driver_sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
        ).scalars()
        times = {}
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # not on this machine, or gone
                continue
            times[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return times


def _sample(folder: str, table: str) -> pd.DataFrame:
    return pd.read_csv(SAMPLES / folder / f"{table}.csv", dtype=str, keep_default_na=False)


def _ids(code: str, ids: np.ndarray) -> np.ndarray:
    return np.char.replace(ids.astype(str), code, "") if code in NUMERIC_IDS else ids


def _dates(rng, count: int, us: bool) -> np.ndarray:
    days = rng.integers(0, 6 * 365, count).astype("timedelta64[D]")
    dates = pd.to_datetime(np.datetime64("2020-01-01") + days)
    return dates.strftime("%m/%d/%Y" if us else "%Y-%m-%d").to_numpy()


def synthetic_table(rng, code, folder, table, rows, roles, project_ids) -> pd.DataFrame:
    """``rows`` rows drawn from the real sample, their key fields drawn anew."""
    sample = _sample(folder, table)
    frame = sample.iloc[rng.integers(0, len(sample), rows)].reset_index(drop=True)
    owners = project_ids[rng.integers(0, len(project_ids), rows)]
    vintage = rng.integers(2012, 2026, rows)
    frame[roles["id"]] = _ids(code, owners)
    frame[roles["quantity"]] = np.maximum(rng.lognormal(6, 2, rows).astype("int64"), 1).astype(str)
    frame[roles["date"]] = _dates(rng, rows, code in US_DATES)
    frame[roles["vintage"]] = (
        pd.Series(vintage).astype(str) + "-01-01" if code == "VCS" else vintage.astype(str)
    )
    if "serial" in roles:
        frame[roles["serial"]] = [f"{code}-{table}-{n}-1 to 100" for n in range(rows)]
    if "left" in roles:  # Verra: half the blocks have left circulation
        left = _dates(rng, rows, False)
        frame[roles["left"]] = np.where(rng.random(rows) < 0.5, left, "")
    return frame


def synthetic_projects(rng, code: str, project_ids: np.ndarray) -> pd.DataFrame:
    folder, id_header, name_header = PROJECT_TABLES[code]
    sample = _sample(folder, "projects")
    frame = sample.iloc[rng.integers(0, len(sample), len(project_ids))].reset_index(drop=True)
    frame[id_header] = _ids(code, project_ids)
    frame[name_header] = [f"Registry name of {pid}" for pid in project_ids]
    return frame


def build_exports(folder: Path, catalogue: pd.DataFrame) -> Path:
    """The five registries' export files for the catalogue's projects (built once)."""
    marker = folder / "done"
    if marker.exists():
        return folder
    rng = np.random.default_rng(SEED)
    by_registry = {
        code: catalogue.loc[catalogue["registry"] == code, "project_id"].to_numpy()
        for code in PROJECT_TABLES
    }
    for code, (sample_folder, _, _) in PROJECT_TABLES.items():
        target = folder / sample_folder
        target.mkdir(parents=True, exist_ok=True)
        synthetic_projects(rng, code, by_registry[code]).to_csv(
            target / "projects.csv", index=False
        )
    for code, sample_folder, table, rows, roles in TABLES:
        frame = synthetic_table(rng, code, sample_folder, table, rows, roles, by_registry[code])
        frame.to_csv(folder / sample_folder / f"{table}.csv", index=False)
    marker.write_text("ok")
    return folder


def _copy_database(source: str, target: str) -> None:
    """``target`` dropped and created anew as a copy of ``source`` (same server)."""
    source_url, target_url = make_url(sqlalchemy_url(source)), make_url(sqlalchemy_url(target))
    admin = sa.create_engine(target_url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname IN "
            f"('{source_url.database}', '{target_url.database}') AND pid <> pg_backend_pid()"
        )
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{target_url.database}"')
        connection.exec_driver_sql(
            f'CREATE DATABASE "{target_url.database}" TEMPLATE "{source_url.database}"'
        )
    admin.dispose()


def fresh_database(url: str) -> str:
    """The bench catalogue copied from its template (bench.dataset) into ``url``."""
    _copy_database(TEMPLATE_URL, url)
    target = make_url(sqlalchemy_url(url))
    _add_missing_indexes(target)
    return target.render_as_string(hide_password=False)


def _add_missing_indexes(url) -> None:
    """The indexes this branch's models name that the template predates (its marker only
    follows bench.dataset's parameters)."""
    from app.models import db

    engine = sa.create_engine(url)
    with engine.begin() as connection:
        for table in db.metadata.sorted_tables:
            for index in table.indexes:
                index.create(connection, checkfirst=True)
    engine.dispose()


def bench_app(url: str, registry_dir: Path):
    from app import create_app

    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "RAW_ARCHIVE_DIR": str(CACHE / "raw"),
            "REGISTRY_DATA_DIR": str(registry_dir),
            "LOG_LEVEL": "WARNING",
        }
    )


def store_catalogue_as_merge(app) -> pd.DataFrame:
    """The database's catalogue, kept as the stored merge the registries are laid over."""
    from app.etl import columns as c
    from app.etl.registry_sync import store
    from app.extensions import db
    from app.models import utcnow

    with app.app_context():
        projects = pd.read_sql(
            sa.text(
                "SELECT id AS key, "
                + ", ".join(c.PROJECT_COLUMNS)
                + " FROM project WHERE registry <> 'COMMUNITY'"
            ),
            db.engine,
        )
        credits = pd.read_sql(
            sa.text("SELECT " + ", ".join(c.CREDIT_RECORD_COLUMNS) + " FROM credit"), db.engine
        )
        credits["project_id"] = credits["project_id"].map(projects.set_index("key")["project_id"])
        credits["transaction_date"] = pd.to_datetime(credits["transaction_date"])
        projects = projects.drop(columns=["key"])
        store().save_catalogue(projects, credits, utcnow())
        db.engine.dispose()
    return projects


def run_sync(app, registries: str, folder: Path | None, reconcile: bool):
    from app.etl.sync import execute_sync
    from app.extensions import db
    from app.sync_queue import request_sync

    with app.app_context():
        run, _ = request_sync(
            "cli",
            source_dir=str(folder) if folder else None,
            registries=registries,
            reconcile=reconcile,
        )
        db_before = database_cpu_seconds(db.engine)
        started, cpu = time.perf_counter(), cpu_seconds()
        with peak_by_step() as peaks:
            run = execute_sync(run.id)
        wall = time.perf_counter() - started
        cpu = cpu_seconds() - cpu
        db_after = database_cpu_seconds(db.engine)
        db_cpu = sum(t - db_before.get(pid, 0.0) for pid, t in db_after.items())
        steps = dict(
            run.step_timings or {}, cpu=round(cpu, 1), db_cpu=round(db_cpu, 1), peak_mb=peaks
        )
        result = (run.status, wall, steps, run.message)
        db.engine.dispose()
    return result


def child_reconcile(url: str, folder: str, registry_dir: str) -> None:
    app = bench_app(url, Path(registry_dir))
    with profiled("reconcile"):
        status, wall, steps, message = run_sync(
            app, "verra,gold_standard,acr,car,art", Path(folder), reconcile=True
        )
    print(
        f"full reconcile: {status}, {wall:.1f} s wall, {steps['cpu']:.1f} s CPU, "
        f"{steps['db_cpu']:.1f} s database CPU, peak RSS {peak_mb():,.0f} MB; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"  steps: {steps}")
    print(f"  {message}")


def delta_frame(stored, rng) -> pd.DataFrame:
    """DELTA_ROWS new Verra transactions (issuances and retirements) of its projects."""
    from app.etl import columns as c

    sample = stored.credits.iloc[rng.integers(0, len(stored.credits), DELTA_ROWS)]
    return sample.assign(
        **{
            c.SERIAL_RANGE: [f"delta-{time.time_ns()}-{n}" for n in range(DELTA_ROWS)],
            c.TRANSACTION_DATE: pd.Timestamp("2026-11-29"),
            c.YEAR: 2026,
        }
    ).reset_index(drop=True)


def delta_labels(kept_labels: pd.DataFrame, delta: pd.DataFrame) -> pd.DataFrame:
    """The label rows the delta's issuances carry, as the fetch reads them: each new
    issuance names the labels its project's issuances already name (unstamped)."""
    from app.etl import columns as c
    from app.etl.registries.registry_labels import REGISTRY_LABEL_COLUMNS, typed

    credit_level = kept_labels[kept_labels[c.VINTAGE].notna()]
    labels = credit_level[[c.PROJECT_ID, "kind", "value", "raw_text"]].drop_duplicates(
        [c.PROJECT_ID, "kind", "value"]
    )
    issued = delta.loc[
        delta[c.KIND] == c.ISSUANCE,
        [c.PROJECT_ID, c.VINTAGE, c.QUANTITY, c.SERIAL_RANGE, c.TRANSACTION_DATE],
    ]
    rows = issued.merge(labels, on=c.PROJECT_ID).assign(source=pd.NA, as_of=pd.NA)
    return typed(rows[list(REGISTRY_LABEL_COLUMNS)])


def record_delta(registry_dir: Path) -> None:
    """The delta the Verra fetch is replaced by, drawn from the kept rows, and the label
    rows its issuances carry (in the parent, so neither its time nor its memory counts)."""
    from app.etl.registries.store import RegistryStore

    stored, _ = RegistryStore(registry_dir).load("verra")
    delta = delta_frame(stored, np.random.default_rng(SEED + 1))
    delta.to_parquet(DELTA_FILE, index=False)
    delta_labels(stored.labels, delta).to_parquet(DELTA_LABELS_FILE, index=False)


def child_delta(url: str, registry_dir: str) -> None:
    from app.etl import registry_sync
    from app.etl.registries.base import RegistryData

    app = bench_app(url, Path(registry_dir))
    app.config["VERRA_API_URL"] = "http://recorded.invalid/verra"
    with app.app_context():
        projects = registry_sync.store().load_projects("verra")
    delta = RegistryData(
        projects=projects.head(0),
        credits=pd.read_parquet(DELTA_FILE),
        labels=pd.read_parquet(DELTA_LABELS_FILE),
    )

    def recorded_delta(adapter, raw_dir, reconcile):
        return registry_sync.with_kept(adapter.key, delta), "the recorded delta"

    registry_sync._fetch = recorded_delta
    with profiled("delta"):
        status, wall, steps, message = run_sync(app, "verra", None, reconcile=False)
    print(
        f"delta of {DELTA_ROWS:,} Verra transactions: {status}, {wall:.1f} s wall, "
        f"{steps['cpu']:.1f} s CPU, {steps['db_cpu']:.1f} s database CPU, "
        f"peak RSS {peak_mb():,.0f} MB; load average {os.getloadavg()[0]:.1f}"
    )
    print(f"  steps: {steps}")
    print(f"  {message}")


def _child(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "bench.bench_registries", *args], check=True, cwd=REPO)


def _after_reconcile(url: str) -> str:
    target = make_url(sqlalchemy_url(url))
    return target.set(database=target.database + "_reconciled").render_as_string(False)


def keep_reconciled(url: str, registry_dir: Path) -> None:
    """The database and kept data sets as the reconcile left them, for DELTA_ONLY runs."""
    _copy_database(url, _after_reconcile(url))
    shutil.rmtree(RECONCILED_STORE, ignore_errors=True)
    shutil.copytree(registry_dir, RECONCILED_STORE)


def delta_only(url: str, registry_dir: Path) -> None:
    if not RECONCILED_STORE.exists():
        raise SystemExit("no kept reconcile: run the whole bench once first")
    _copy_database(_after_reconcile(url), url)
    shutil.rmtree(registry_dir, ignore_errors=True)
    shutil.copytree(RECONCILED_STORE, registry_dir)
    record_delta(registry_dir)
    _child("delta", sqlalchemy_url(url), str(registry_dir))


def main() -> None:
    url = os.environ.get("BENCH_REGISTRIES_DATABASE_URL", DEFAULT_URL)
    registry_dir = CACHE / "store"
    if os.environ.get("BENCH_REGISTRIES_DELTA_ONLY"):
        delta_only(url, registry_dir)
        return
    ensure_bench_database(TEMPLATE_URL)
    url = fresh_database(url)
    shutil.rmtree(registry_dir, ignore_errors=True)
    started = time.perf_counter()
    catalogue = store_catalogue_as_merge(bench_app(url, registry_dir))
    folder = build_exports(CACHE / "exports", catalogue)
    print(f"catalogue stored and exports ready in {time.perf_counter() - started:.1f} s")
    _child("reconcile", url, str(folder), str(registry_dir))
    record_delta(registry_dir)
    keep_reconciled(url, registry_dir)
    _child("delta", url, str(registry_dir))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "reconcile":
        child_reconcile(*sys.argv[2:5])
    elif len(sys.argv) > 1 and sys.argv[1] == "delta":
        child_delta(*sys.argv[2:4])
    else:
        main()
