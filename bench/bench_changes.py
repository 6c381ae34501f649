"""What changed, at scale: the diff of a sync, /changes over a million rows, a digest run.

python -m bench changes

Database: PostgreSQL ``carbonscope_bench_changes``, the catalogue of bench/dataset.py
(12,000 projects drawn from the real VROD rows, 1,000,000 credit rows), then:

1. **Diff**: the catalogue read back as the pipeline's frames; 10,000 projects touched
   (each a new retirement; 1,000 a new status; 500 a new country); ``record_changes`` (the
   load's one call) timed inside a transaction that is rolled back. Target ≤ 3 s.
2. **/changes**: 1,000,000 change rows (COPY; kinds, registries, countries and types as the
   catalogue has them; a year of daily syncs); 20 requests (no filter, facets, dates, deep
   keyset pages, a project, a beneficiary, feeds) through the app with a cold cache (a fresh
   key prefix per round, 5 rounds) and warm. Target: cold p95 ≤ 40 ms.
3. **Digests**: 10,000 followers with 50 follows each (40 projects, 5 searches out of 100,
   5 of the 200 biggest beneficiaries), daily digests, after a sync of 20,000 changes;
   the whole run (claim, then every digest sent) to a local SMTP server (aiosmtpd, in its
   own process) timed. Target ≤ 60 s.
"""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import sqlalchemy as sa

from bench.dataset import _connect, ensure_bench_database, sqlalchemy_url
from bench.timing import bench_app, fresh_cache_prefix, get_ok, percentile, timed_ms

URL = "postgresql://postgres@127.0.0.1:5432/carbonscope_bench_changes"
CHANGE_ROWS = 1_000_000
LAST_SYNC_ROWS = 20_000
FOLLOWERS = 10_000
SEED = 17
KINDS = ["issuance", "retirement", "cancellation", "status", "field", "added", "removed"]
KIND_WEIGHTS = [0.2, 0.55, 0.05, 0.08, 0.08, 0.03, 0.01]
# Beneficiaries as retirements name them: a few big buyers, a long tail (Zipf-like).
BENEFICIARIES = [f"buyer {n}" for n in range(2_000)]
BENEFICIARY_WEIGHTS = 1 / np.arange(1, len(BENEFICIARIES) + 1)
BENEFICIARY_WEIGHTS /= BENEFICIARY_WEIGHTS.sum()
TARGETS = {"diff": 3.0, "changes_cold_p95": 40.0, "digests": 60.0}


def _copy(connection, table: str, frame: pd.DataFrame) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
    buffer.seek(0)
    columns = ", ".join(frame.columns)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
        )


# 1. the diff ---------------------------------------------------------------------------


def catalogue_frames(engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stored catalogue as the pipeline's frames (canonical ids on the credit rows)."""
    from app.etl import columns as c

    with engine.connect() as connection:
        projects = pd.read_sql(
            sa.text(
                f"SELECT {', '.join(c.PROJECT_COLUMNS)} FROM project WHERE registry <> 'COMMUNITY'"
            ),
            connection,
        )
        names = ", ".join(f"credit.{name}" for name in c.CREDIT_COLUMNS if name != c.PROJECT_ID)
        credits = pd.read_sql(
            sa.text(
                f"SELECT project.project_id, {names} FROM credit "
                "JOIN project ON project.id = credit.project_id"
            ),
            connection,
        )
    return projects, credits


def touched(projects: pd.DataFrame, credits: pd.DataFrame, rng) -> tuple:
    """The next sync's frames: 10,000 projects with a new retirement, some with new fields."""
    chosen = projects["project_id"].sample(10_000, random_state=SEED).to_numpy()
    retirements = pd.DataFrame(
        {
            "project_id": chosen,
            "kind": "retirement",
            "vintage": 2024,
            "transaction_date": "2026-11-29",
            "year": 2026,
            "quantity": rng.integers(1, 50_000, len(chosen)),
            "source": "offsetsdb",
            "beneficiary": rng.choice(["Acme Corp", "ClimateCo", None], len(chosen)),
            "reason": None,
            "note": None,
            "account": None,
        }
    )
    new_projects = projects.copy()
    status_rows = new_projects["project_id"].isin(chosen[:1000])
    new_projects.loc[status_rows, "status"] = "Withdrawn"
    country_rows = new_projects["project_id"].isin(chosen[1000:1500])
    new_projects.loc[country_rows, "country"] = "Atlantis"
    return new_projects, pd.concat([credits, retirements], ignore_index=True), set(chosen)


def time_diff(engine) -> dict:
    from app.etl.changes import record_changes
    from app.etl.load import _existing_projects, _records

    projects, credits = catalogue_frames(engine)
    new_projects, new_credits, chosen = touched(projects, credits, np.random.default_rng(SEED))
    with engine.connect() as connection:
        transaction = connection.begin()
        started = time.perf_counter()
        existing = _existing_projects(connection)
        new_rows = {row["project_id"]: row for row in _records(new_projects)}
        prepared = time.perf_counter() - started
        started, cpu = time.perf_counter(), time.process_time()
        recorded = record_changes(
            connection,
            run_id=None,
            existing=existing,
            new_rows=new_rows,
            changed_credits=chosen,
            credits=new_credits,
            today=datetime.now(UTC).date(),
        )
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        transaction.rollback()
    return {"seconds": seconds, "cpu": cpu, "changes": recorded, "load_prep": prepared}


# 2. /changes over a million rows -------------------------------------------------------


def fill_changes(engine, rows: int) -> None:
    """``rows`` change rows over a year of daily syncs, the last sync LAST_SYNC_ROWS of them."""
    rng = np.random.default_rng(SEED)
    with engine.connect() as connection:
        catalogue = pd.read_sql(
            sa.text(
                "SELECT project_id, name AS project_name, registry, country, project_type "
                "FROM project WHERE registry <> 'COMMUNITY'"
            ),
            connection,
        )
    pick = catalogue.iloc[rng.integers(0, len(catalogue), rows)].reset_index(drop=True)
    kind = rng.choice(KINDS, rows, p=KIND_WEIGHTS)
    day = np.sort(rng.integers(0, 364, rows - LAST_SYNC_ROWS))
    day = np.concatenate([day, np.full(LAST_SYNC_ROWS, 364)])
    now = datetime.now(UTC).replace(hour=3, minute=0, second=0, microsecond=0)
    start = now - timedelta(days=364)
    created = pd.to_datetime(start) + pd.to_timedelta(day, unit="D")
    spends = np.isin(kind, ["retirement", "cancellation"])
    beneficiary_key = np.where(
        spends & (rng.random(rows) < 0.4),
        rng.choice(BENEFICIARIES, rows, p=BENEFICIARY_WEIGHTS),
        None,
    )
    frame = pick.assign(
        kind=kind,
        quantity=np.where(
            np.isin(kind, ["issuance", "retirement", "cancellation"]),
            rng.integers(1, 100_000, rows),
            None,
        ),
        vintage=np.where(kind == "issuance", rng.integers(2010, 2026, rows), None),
        beneficiary=beneficiary_key,
        beneficiary_key=beneficiary_key,
        field=np.where(kind == "status", "status", np.where(kind == "field", "country", None)),
        old_value=np.where(np.isin(kind, ["status", "field"]), "Before", None),
        new_value=np.where(np.isin(kind, ["status", "field"]), "After", None),
        as_of=created.date,
        created_at=created.strftime("%Y-%m-%d %H:%M:%S+00"),
    )
    frame["project_name"] = frame["project_name"].str.slice(0, 200)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.execute("TRUNCATE project_change, digest_outbox, follow, follower_setting")
        _copy(raw, "project_change", frame)
        raw.commit()
        raw.driver_connection.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE project_change")
    finally:
        raw.close()


def change_requests(engine) -> list[str]:
    with engine.connect() as connection:
        big = connection.execute(
            sa.text("SELECT project_id FROM project ORDER BY retired DESC LIMIT 1")
        ).scalar()
        middle = connection.execute(
            sa.text("SELECT id FROM project_change ORDER BY id DESC OFFSET 500000 LIMIT 1")
        ).scalar()
    today = datetime.now(UTC).date()
    return [
        "/changes",
        "/changes?kind=issuance",
        "/changes?kind=status&kind=field",
        "/changes?registry=GLD",
        "/changes?country=Kenya",
        "/changes?country=India&kind=retirement",
        "/changes?type=Cookstoves",
        "/changes?registry=VCS&country=Brazil&kind=issuance",
        f"/changes?date_from={today - timedelta(days=30)}",
        f"/changes?date_from={today - timedelta(days=200)}&date_to={today - timedelta(days=150)}",
        f"/changes?before={middle}",
        f"/changes?kind=removed&before={middle}",
        "/changes?beneficiary=buyer+0",
        f"/changes?project={big}",
        "/changes?kind=label_gained",
        "/changes?country=Atlantis",
        "/changes.atom",
        "/changes.atom?kind=retirement&registry=VCS",
        f"/projects/{big}/changes.atom",
        "/beneficiaries/buyer 7/changes.atom",
    ]


def time_changes_pages(app, requests: list[str], rounds: int = 5) -> dict:
    from app.extensions import cache

    client = app.test_client()
    cold, warm = [], []
    with app.app_context():
        for _ in range(rounds):
            fresh_cache_prefix(cache)
            for url in requests:
                cold.append(timed_ms(lambda url=url: get_ok(client, url)))
            for url in requests:
                warm.append(timed_ms(lambda url=url: get_ok(client, url)))
    return {"cold": cold, "warm": warm}


# 3. digests ----------------------------------------------------------------------------


def fill_followers(engine) -> None:
    rng = np.random.default_rng(SEED + 1)
    with engine.connect() as connection:
        ids = [row[0] for row in connection.execute(sa.text("SELECT project_id FROM project"))]
        countries = [
            row[0]
            for row in connection.execute(
                sa.text(
                    "SELECT country FROM project WHERE country IS NOT NULL "
                    "GROUP BY country ORDER BY count(*) DESC LIMIT 50"
                )
            )
        ]
        newest = connection.execute(sa.text("SELECT max(id) FROM project_change")).scalar()
    searches = [f"/changes?country={c.replace(' ', '+')}" for c in countries]
    searches += [f"/changes?kind={k}&country={c.replace(' ', '+')}" for k, c in
                 zip(["issuance", "retirement"] * 25, countries, strict=False)]  # fmt: skip
    users = pd.DataFrame(
        {
            "id": np.arange(1, FOLLOWERS + 1) + 1000,
            "email": [f"follower{n}@example.org" for n in range(FOLLOWERS)],
            "password_hash": "x",
            "role": "user",
            "session_token": [f"bench-follower-{n}" for n in range(FOLLOWERS)],
        }
    )
    settings = pd.DataFrame(
        {
            "user_account_id": users["id"],
            "digest_frequency": "daily",
            "seen_change_id": newest - LAST_SYNC_ROWS,
            "digest_change_id": newest - LAST_SYNC_ROWS,
        }
    )
    follows = []
    for user_id in users["id"]:
        for pid in rng.choice(ids, 40, replace=False):
            follows.append((user_id, "project", pid, pid))
        for target in rng.choice(searches, 5, replace=False):
            follows.append((user_id, "search", target, target))
        for key in rng.choice(BENEFICIARIES[:200], 5, replace=False):
            follows.append((user_id, "beneficiary", key, key))
    follow_frame = pd.DataFrame(
        follows, columns=["user_account_id", "target_kind", "target", "label"]
    )
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            cursor.execute("TRUNCATE digest_outbox, follow, follower_setting")
            cursor.execute("DELETE FROM user_account WHERE id > 1000")
        _copy(raw, "user_account", users)
        _copy(raw, "follower_setting", settings)
        _copy(raw, "follow", follow_frame)
        raw.commit()
        raw.driver_connection.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE follow")
            cursor.execute("VACUUM ANALYZE follower_setting")
    finally:
        raw.close()


def _count(engine, table: str) -> int:
    with engine.connect() as connection:
        return connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()


def _filled_by_this_layout(engine) -> bool:
    with engine.connect() as connection:
        return bool(
            connection.execute(
                sa.text(
                    "SELECT EXISTS (SELECT 1 FROM project_change WHERE beneficiary_key = 'buyer 0')"
                    " AND EXISTS (SELECT 1 FROM follow WHERE target LIKE 'buyer %')"
                )
            ).scalar()
        )


def reset_digests(engine) -> None:
    """Every follower due, and the last sync's changes new to all of them."""
    with engine.begin() as connection:
        newest = connection.execute(sa.text("SELECT max(id) FROM project_change")).scalar()
        connection.execute(sa.text("TRUNCATE digest_outbox"))
        connection.execute(
            sa.text(
                "UPDATE follower_setting SET digest_change_id = :start, seen_change_id = :start"
            ),
            {"start": newest - LAST_SYNC_ROWS},
        )


def time_digests(app) -> dict:
    """``send_due_digests`` to an SMTP server in its own process (as a real one is)."""
    from app.changes.digests import claim_digests, send_pending
    from app.extensions import mail

    with tempfile.TemporaryDirectory() as folder:
        received = Path(folder) / "received.txt"
        server = subprocess.Popen(
            [sys.executable, "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:8025",
             "-c", "bench.smtp_counter.Counter", str(received)],
            cwd=Path(__file__).resolve().parent.parent,
        )  # fmt: skip
        try:
            time.sleep(2)
            app.config.update(
                MAIL_SERVER="127.0.0.1", MAIL_PORT=8025, SITE_URL="https://example.org"
            )
            mail.init_app(app)
            with app.app_context():
                cpu = time.process_time()
                started = time.perf_counter()
                claimed = claim_digests(datetime.now(UTC))
                claim_seconds = time.perf_counter() - started
                started = time.perf_counter()
                sent = send_pending()
                send_seconds = time.perf_counter() - started
                cpu = time.process_time() - cpu
            server_cpu = _cpu_seconds_of(server.pid)
        finally:
            server.terminate()
            server.wait()
        count = len(received.read_text().splitlines()) if received.exists() else 0
    return {
        "claimed": claimed,
        "claim_seconds": claim_seconds,
        "sent": sent,
        "send_seconds": send_seconds,
        "cpu_seconds": cpu,
        "server_cpu_seconds": server_cpu,
        "received": count,
    }


def _cpu_seconds_of(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------------------------------


def _line(name: str, values: list[float], verdict: str = "") -> str:
    return (
        f"{name:<32} p50={statistics.median(values):7.1f} ms  "
        f"p95={percentile(values, 0.95):7.1f} ms  {verdict}"
    )


def _verdict(value: float, limit: float) -> str:
    return f"(target ≤ {limit:g}: {'ok' if value <= limit else 'MISSED'})"


PARTS = ("diff", "pages", "digests")


def main(parts: tuple[str, ...] = PARTS) -> None:
    url = ensure_bench_database(URL)
    engine = sa.create_engine(sqlalchemy_url(url))
    connection = _connect(url)
    connection.close()

    if "diff" in parts:
        diff = time_diff(engine)
        print(
            f"diff of a sync touching 10,000 projects: {diff['seconds']:.2f} s wall, "
            f"{diff['cpu']:.2f} s CPU of this process ({diff['changes']:,} changes) "
            f"{_verdict(diff['seconds'], TARGETS['diff'])}"
        )

    if _count(engine, "project_change") != CHANGE_ROWS or not _filled_by_this_layout(engine):
        started = time.perf_counter()
        fill_changes(engine, CHANGE_ROWS)
        print(f"filled {CHANGE_ROWS:,} change rows in {time.perf_counter() - started:.1f} s")
    app = bench_app(url, "bench-changes:")
    if "pages" in parts:
        requests = change_requests(engine)
        pages = time_changes_pages(app, requests)
        cold_p95 = percentile(pages["cold"], 0.95)
        print(f"{len(requests)} requests x5 rounds")
        print(_line("/changes and feeds, cold cache", pages["cold"], _verdict(cold_p95, 40)))
        print(_line("/changes and feeds, warm cache", pages["warm"]))
    if "digests" not in parts:
        engine.dispose()
        return

    if _count(engine, "follow") != FOLLOWERS * 50 or not _filled_by_this_layout(engine):
        started = time.perf_counter()
        fill_followers(engine)
        print(
            f"filled {FOLLOWERS:,} followers x 50 follows in {time.perf_counter() - started:.1f} s"
        )
    reset_digests(engine)
    digests = time_digests(app)
    per_message = digests["send_seconds"] / max(digests["sent"], 1)
    whole = digests["claim_seconds"] + digests["send_seconds"]
    print(
        f"digest run for {FOLLOWERS:,} followers: claim {digests['claim_seconds']:.1f} s "
        f"({digests['claimed']:,} digests), send {digests['send_seconds']:.1f} s "
        f"({digests['sent']:,} sent, {per_message * 1000:.1f} ms each, "
        f"{digests['received']:,} received); whole run {whole:.1f} s, "
        f"{digests['cpu_seconds']:.1f} s CPU of this process, "
        f"{digests['server_cpu_seconds']:.1f} s of the SMTP server's "
        f"{_verdict(whole, TARGETS['digests'])}"
    )
    engine.dispose()


if __name__ == "__main__":
    # python -m bench.bench_changes pages digests: only those parts
    main(tuple(sys.argv[1:]) or PARTS)
