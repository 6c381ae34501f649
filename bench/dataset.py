"""A full-scale catalogue in PostgreSQL for the benchmarks: 12,000 projects, 1,000,000 credits.

Projects are drawn (with replacement) from the real VROD 2025-12 PROJECTS rows,
so registries, countries, types, statuses, scopes, methodologies and developers
keep their real frequencies and their real combinations. Credits are synthetic,
spread unevenly over projects (big projects have many records). Loaded with COPY.
The database is reused while its marker matches the parameters.

python -m bench.dataset      # build (or reuse) and print the URL
"""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg2
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bench.beneficiaries import beneficiary_columns

# BENCH_DATABASE_URL overrides it (engineers sharing one PostgreSQL each keep their own).
BENCH_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/carbonscope_bench"
)

# The full real VROD table bundled as demo data: the source of the value distributions.
VROD_PARQUET = (
    Path(__file__).resolve().parent.parent
    / "app/demo_data/Voluntary-Registry-Offsets-Database--v2025-12-year-end.parquet"
)
PARAMETERS = {
    "projects": 12_000,
    "community_projects": 60,
    "credits": 1_000_000,
    "seed": 20251231,
    # 11: project_facet_group (the search's facet and total counts); 12: the credit search's
    # covering indexes (0007_credit_search_cover); 13: credit-level labels (the /credits label
    # facet)
    "layout": 13,
}
REGISTRY_CODES = {"VCS": "VCS", "GOLD": "GLD", "ACR": "ACR", "CAR": "CAR", "ART": "ART"}
REGISTRY_URLS = {
    "VCS": "https://registry.verra.org/app/projectDetail/VCS/{n}",
    "GLD": "https://registry.goldstandard.org/projects/details/{n}",
    "ACR": "https://acr2.apx.com/mymodule/reg/prjView.asp?id1={n}",
    "CAR": "https://thereserve2.apx.com/mymodule/reg/prjView.asp?id1={n}",
    "ART": "https://art.apx.com/mymodule/reg/prjView.asp?id1={n}",
}
STATUS_WORDS = (
    ("withdrawn", ("withdrawn", "rejected", "denied", "inactive", "canceled", "cancelled")),
    ("completed", ("completed", "transitioned", "transfer")),
    ("registered", ("registered", "certified", "late to verify", "verification", "renewal")),
    ("listed", ("listed", "under development", "under validation", "requested", "on hold")),
)


def status_group(status: str | None) -> str:
    text = (status or "").lower()
    for group, words in STATUS_WORDS:
        if any(word in text for word in words):
            return group
    return "unknown"


def sqlalchemy_url(url: str) -> str:
    """The URL as SQLAlchemy wants it here: with the psycopg2 driver."""
    return "postgresql+psycopg2://" + url.split("://", 1)[1]


def _connect(url: str, database: str | None = None):
    target = make_url(url)
    return psycopg2.connect(
        host=target.host,
        port=target.port or 5432,
        user=target.username,
        password=target.password,
        dbname=database or target.database,
    )


def _create_database_if_missing(url: str) -> None:
    name = make_url(url).database
    connection = _connect(url, "postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def _marker(url: str) -> dict | None:
    connection = _connect(url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('bench_marker')")
            if cursor.fetchone()[0] is None:
                return None
            cursor.execute("SELECT parameters FROM bench_marker")
            row = cursor.fetchone()
            return json.loads(row[0]) if row else None
    finally:
        connection.close()


def _create_schema(url: str) -> None:
    from app import create_app
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlalchemy_url(url), "SECRET_KEY": "bench"})
    with app.app_context():
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
        db.create_all()
        db.engine.dispose()


def project_frame(rng: np.random.Generator, count: int) -> pd.DataFrame:
    """``count`` projects sampled from the real VROD rows, with unique canonical ids."""
    from app.text_search import build_search_text

    vrod = pd.read_parquet(VROD_PARQUET)
    vrod = vrod[vrod["Voluntary Registry"].isin(REGISTRY_CODES)]
    rows = vrod.iloc[rng.integers(0, len(vrod), count)].reset_index(drop=True)
    registry = rows["Voluntary Registry"].map(REGISTRY_CODES)
    number = registry.groupby(registry).cumcount() + 100
    project_id = registry + number.astype(str)
    name = rows["Project Name"].fillna("Unnamed project").astype(str).str.slice(0, 200)
    # Repeated draws of one real project get a numbered name, as sister projects do.
    repeat = name.groupby(name).cumcount()
    name = name.where(repeat == 0, name + " " + (repeat + 1).astype(str))
    first = pd.to_numeric(rows["First Year of Project (Vintage)"], errors="coerce")
    missing = first.isna()
    first = first.where(~missing, pd.Series(rng.integers(2000, 2024, count))).astype(int)
    span = pd.Series(rng.integers(0, 12, count))
    last = np.minimum(first + span, 2025)
    issued = (
        pd.to_numeric(rows["Total Credits \nIssued"], errors="coerce").fillna(0).astype("int64")
    )
    retired = pd.to_numeric(rows["Total Credits \nRetired"], errors="coerce").fillna(0)
    retired = np.minimum(retired.astype("int64"), issued)
    status = rows["Voluntary Status"].astype("string")
    frame = pd.DataFrame(
        {
            "project_id": project_id,
            "name": name,
            "registry": registry,
            "status": status,
            "status_group": status.map(status_group, na_action="ignore").fillna("unknown"),
            "country": rows["Country"],
            "region": rows["Region"],
            "scope": rows["Scope"],
            "project_type": rows["Type"],
            "methodology": rows["Methodology / Protocol"].astype("string").str.slice(0, 500),
            "developer": rows["Project Developer"],
            # The facets of issue 12, with VROD's real values (multi-value cells kept whole).
            "state": rows["State"].astype("string").str.slice(0, 200),
            "reduction_removal": rows["Reduction / Removal"],
            "verifier": rows["Verifier"].astype("string").str.slice(0, 300),
            "certifications": rows["Sustainability Certifications"],
            "registry_url": [
                REGISTRY_URLS[r].format(n=n) for r, n in zip(registry, number, strict=True)
            ],
            "issued": issued,
            "retired": retired,
            "first_vintage": first,
            "last_vintage": last,
            "source": rng.choice(["offsetsdb", "both", "vrod"], count, p=[0.05, 0.8, 0.15]),
        }
    )
    frame["search_text"] = [
        build_search_text(pid, nm, dev, meth)
        for pid, nm, dev, meth in zip(
            frame["project_id"],
            frame["name"],
            frame["developer"].astype(object).where(frame["developer"].notna(), None),
            frame["methodology"].astype(object).where(frame["methodology"].notna(), None),
            strict=True,
        )
    ]
    frame["provenance"] = json.dumps({"name": "offsetsdb", "country": "vrod"})
    frame["flags"] = "{}"  # NOT NULL, and COPY skips the model's Python default
    return frame


def credit_frame(rng: np.random.Generator, projects: pd.DataFrame, count: int) -> pd.DataFrame:
    """``count`` credit records: more for projects with more credits; vintages in their span."""
    weight = np.sqrt(projects["issued"].to_numpy(dtype=float)) + 5.0
    owner = rng.choice(len(projects), size=count, p=weight / weight.sum())
    first = projects["first_vintage"].to_numpy()[owner]
    last = projects["last_vintage"].to_numpy()[owner]
    vintage = first + (rng.random(count) * (last - first + 1)).astype(int)
    kind = rng.choice(["issuance", "retirement", "cancellation"], count, p=[0.3, 0.65, 0.05])
    year = np.minimum(vintage + rng.integers(0, 4, count), 2025)
    day = rng.integers(0, 365, count).astype("timedelta64[D]")
    date = (year - 1970).astype("datetime64[Y]").astype("datetime64[D]") + day
    quantity = np.maximum(rng.lognormal(7, 2, count).astype("int64"), 1)
    frame = pd.DataFrame(
        {
            "project_id": owner + 1,  # project.id follows load order
            "kind": kind,
            "vintage": vintage,
            "transaction_date": pd.to_datetime(date).strftime("%Y-%m-%d"),
            "year": year,
            "quantity": quantity,
            "source": "offsetsdb",
        }
    )
    texts = beneficiary_columns(rng, kind, year)
    return pd.concat([frame, texts], axis=1).pipe(_derived_credit_fields)


def _derived_credit_fields(credits: pd.DataFrame) -> pd.DataFrame:
    """beneficiary_key and reason_category, by the load's own pure steps, one distinct value
    at a time (as ``app.etl.credit_fields`` does after a sync's load)."""
    from app.etl.beneficiaries import fill_beneficiary_keys
    from app.etl.reasons import fill_reason_categories

    names = pd.DataFrame({"beneficiary": credits["beneficiary"].dropna().unique()}, dtype=object)
    keys = fill_beneficiary_keys(names).set_index("beneficiary")["beneficiary_key"]
    reasons = (
        credits[["kind", "reason"]]
        .drop_duplicates()
        .assign(cancellation_reason=None)
        .pipe(fill_reason_categories)
    )
    categorised = credits.merge(
        reasons[["kind", "reason", "reason_category"]], on=["kind", "reason"], how="left"
    )
    return categorised.assign(beneficiary_key=credits["beneficiary"].map(keys))


def label_frame(projects: pd.DataFrame) -> pd.DataFrame:
    """The quality labels of the sampled projects' real certifications, as a sync loads them."""
    from app.etl.labels import label_rows

    keyed = projects.assign(project_id=np.arange(1, len(projects) + 1))  # load order
    return label_rows(keyed, "certifications", "vrod", None).drop(columns="as_of")


# Per registry: the share of its (project, vintage) pairs whose issuances a registry flags
# with a label kind, from which vintage on, and the values drawn (several at once for
# Article 6), after the real Verra and Gold Standard exports' "Additional Certifications"
# columns; CORSIA's phase follows the vintage.
CREDIT_LABEL_SHARES = {
    "VCS": (
        ("corsia", 0.35, 2016, ("phase",), 1),
        ("ccb", 0.12, 0, ("gold", "biodiversity_gold", "no_distinction", "validated"), 1),
        ("ccp", 0.04, 0, ("approved",), 1),
        ("article6", 0.05, 2021, ("authorized_ndc", "authorized_imp", "authorized_other"), 3),
        ("other", 0.02, 0, ("social_carbon",), 1),
    ),
    "GLD": (
        ("corsia", 0.10, 2016, ("phase",), 1),
        ("ccp", 0.03, 0, ("approved",), 1),
        ("article6", 0.02, 2021, ("authorized_ndc", "authorized_imp"), 2),
    ),
}
# SDGs are a project's claim (project-level rows): the share of projects stating some, and
# how many at most.
SDG_SHARES = {"VCS": (0.10, 4), "GLD": (0.70, 5)}
REGISTRY_SOURCES = {"VCS": "verra", "GLD": "gold_standard"}


def credit_label_frame(
    rng: np.random.Generator, projects: pd.DataFrame, credits: pd.DataFrame
) -> pd.DataFrame:
    """The registries' labels, as their adapters load them: credit-level rows (one per
    project, vintage, kind, value and source, with the vintage's labelled quantity) and the
    projects' SDGs."""
    issued = credits[credits["kind"] == "issuance"]
    pairs = issued.groupby(["project_id", "vintage"], as_index=False)["quantity"].sum()
    pairs["registry"] = projects["registry"].to_numpy()[pairs["project_id"].to_numpy() - 1]
    frames = [_sdg_rows(rng, projects)]
    for registry, shares in CREDIT_LABEL_SHARES.items():
        own = pairs[pairs["registry"] == registry]
        for kind, share, first_vintage, values, most in shares:
            eligible = own[own["vintage"] >= first_vintage]
            chosen = eligible[rng.random(len(eligible)) < share]
            rows = chosen.loc[chosen.index.repeat(rng.integers(1, most + 1, len(chosen)))]
            value = rng.choice(values, len(rows))
            if kind == "corsia":
                value = np.where(rows["vintage"] <= 2020, "pilot", "first")
            frames.append(rows.assign(kind=kind, value=value, source=REGISTRY_SOURCES[registry]))
    labels = pd.concat(frames).drop(columns="registry").assign(raw_text=lambda f: f["kind"])
    keys = ["project_id", "kind", "value", "source", "vintage"]
    labels = labels.astype({"vintage": "Int64", "quantity": "Int64"})
    return labels.drop_duplicates(keys)[[*keys, "raw_text", "quantity"]]


def _sdg_rows(rng: np.random.Generator, projects: pd.DataFrame) -> pd.DataFrame:
    frames = []
    for registry, (share, most) in SDG_SHARES.items():
        ids = np.flatnonzero(projects["registry"].to_numpy() == registry) + 1  # load order
        chosen = ids[rng.random(len(ids)) < share]
        repeated = np.repeat(chosen, rng.integers(1, most + 1, len(chosen)))
        frames.append(
            pd.DataFrame(
                {
                    "project_id": repeated,
                    "registry": registry,
                    "kind": "sdg",
                    "value": rng.integers(1, 18, len(repeated)).astype(str),
                    "source": REGISTRY_SOURCES[registry],
                    "vintage": None,
                    "quantity": None,
                }
            )
        )
    return pd.concat(frames)


def _copy(cursor, table: str, frame: pd.DataFrame) -> None:
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
    buffer.seek(0)
    columns = ", ".join(frame.columns)
    cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer)


def _community_projects(count: int, start: int) -> pd.DataFrame:
    from app.text_search import build_search_text

    ids = [f"COMMUNITY-{n}" for n in range(start, start + count)]
    names = [f"Community biogas {n}" for n in range(count)]
    return pd.DataFrame(
        {
            "project_id": ids,
            "name": names,
            "registry": "COMMUNITY",
            "status_group": "listed",
            "country": "Kenya",
            "source": "community",
            "stage": "proposed",
            "owner_id": 1,
            "issued": 0,
            "retired": 0,
            "search_text": [build_search_text(i, n) for i, n in zip(ids, names, strict=True)],
            "provenance": "{}",
            "flags": "{}",
        }
    )


def build(url: str) -> None:
    rng = np.random.default_rng(PARAMETERS["seed"])
    projects = project_frame(rng, PARAMETERS["projects"])
    credits = credit_frame(rng, projects, PARAMETERS["credits"])
    community = _community_projects(PARAMETERS["community_projects"], len(projects) + 1)
    # project.flags (schema 0002) has no server default.
    projects, community = projects.assign(flags="{}"), community.assign(flags="{}")
    _create_schema(url)
    connection = _connect(url)
    with connection, connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO user_account (id, email, password_hash, role, session_token) "
            "VALUES (1, 'bench@example.org', 'x', 'user', 'bench')"
        )
        _copy(cursor, "project", projects)
        _copy(cursor, "project", community)
        _copy(cursor, "credit", credits)
        _copy(cursor, "label", label_frame(projects))
        _copy(cursor, "label", credit_label_frame(rng, projects, credits))
        cursor.execute("SELECT setval('project_id_seq', (SELECT max(id) FROM project))")
        cursor.execute("SELECT setval('user_account_id_seq', 1)")
        cursor.execute("INSERT INTO data_version (id, version) VALUES (1, 1)")
    _rebuild_credit_summary(url)
    _refresh_search_values(url)
    _rebuild_beneficiary_summary(url)
    with connection, connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_marker (parameters text)")
        cursor.execute("INSERT INTO bench_marker VALUES (%s)", (json.dumps(PARAMETERS),))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    connection.close()


def _rebuild_credit_summary(url: str) -> None:
    """The statistics' summary table, the search's facet groups and the label coverage, as a
    sync builds them (same functions, same SQL)."""
    from app.models import (
        rebuild_credit_summary,
        refresh_label_coverage,
        refresh_project_facet_groups,
    )

    engine = sa.create_engine(sqlalchemy_url(url))
    with engine.begin() as connection:
        rebuild_credit_summary(connection)
        refresh_project_facet_groups(connection)
        refresh_label_coverage(connection)
    engine.dispose()


def _refresh_search_values(url: str) -> None:
    """The searched columns' distinct values, as a sync's load lists them."""
    from app.etl.credit_fields import refresh_search_values

    engine = sa.create_engine(sqlalchemy_url(url))
    with engine.begin() as connection:
        refresh_search_values(connection)
    engine.dispose()


def _rebuild_beneficiary_summary(url: str) -> None:
    """One row per harmonised beneficiary, as a sync's load rebuilds it."""
    from app.etl.beneficiary_summary import rebuild_beneficiary_summary

    engine = sa.create_engine(sqlalchemy_url(url))
    with engine.begin() as connection:
        rebuild_beneficiary_summary(connection)
    engine.dispose()


def ensure_bench_database(url: str = BENCH_DATABASE_URL) -> str:
    """The URL of the full-scale bench database, built first when missing or stale."""
    _create_database_if_missing(url)
    if _marker(url) != PARAMETERS:
        started = time.perf_counter()
        print(f"building the bench dataset in {make_url(url).database}...", flush=True)
        build(url)
        print(f"built in {time.perf_counter() - started:.1f} s", flush=True)
    return url


if __name__ == "__main__":
    print(ensure_bench_database())
