"""The real VROD v2025-12 release as the matcher's frame, and the labelled pairs."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd

from app.etl import vrod

RELEASE = (
    Path(__file__).resolve().parents[2]
    / "app"
    / "demo_data"
    / "Voluntary-Registry-Offsets-Database--v2025-12-year-end.parquet"
)
LABELLED = Path(__file__).resolve().parents[1] / "fixtures" / "links" / "labelled_pairs.csv"


def canonical(project_id: str) -> str:
    return "GLD" + project_id[2:] if project_id.startswith("GS") else project_id


@cache
def release_frame() -> pd.DataFrame:
    """Every project of the release with the matcher's columns (``id`` is the canonical id),
    as the VROD reader loads them (ARB / WA and PoA ids and the site included)."""
    projects, *_ = vrod.read(RELEASE)
    return projects.assign(id=projects["project_id"])


def issued_by_vintage(project_id: str) -> dict[int, int]:
    """The release's issued-by-vintage block for one project (its first year group)."""
    raw = pd.read_parquet(RELEASE)
    row = raw[raw["Project ID"] == project_id].iloc[0]
    years = [column for column in raw.columns if str(column).isdigit()]
    return {int(year): int(row[year]) for year in years if pd.notna(row[year]) and row[year]}


def labelled_pairs() -> pd.DataFrame:
    labelled = pd.read_csv(LABELLED)
    return labelled.assign(
        project_a=labelled["project_a"].map(canonical),
        project_b=labelled["project_b"].map(canonical),
    )
