"""Each registry's last good data set, kept on disk between runs (parquet), and the
merged OffsetsDB + VROD catalogue the registries are laid over.

A registry whose fetch fails keeps serving this; a run that refreshes only some
registries lays them over the stored merge without downloading OffsetsDB and VROD
again. Written to a temporary folder first and swapped in, so a crash mid-write
leaves the previous copy. No Flask.
"""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pandas as pd

from app.etl import columns as c
from app.etl.registries.base import RegistryData

BASE = "_catalogue"


class RegistryStore:
    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _dir(self, name: str) -> Path:
        return self.folder / name

    def save(self, name: str, data: RegistryData, as_of: datetime) -> None:
        target = self._dir(name)
        partial = self.folder / f".{name}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        _to_parquet(data.projects, partial / "projects.parquet")
        _to_parquet(data.credits, partial / "credits.parquet")
        meta = {"as_of": as_of.isoformat(), "counts": data.counts}
        (partial / "meta.json").write_text(json.dumps(meta, default=str))
        previous = self.folder / f".{name}.previous"
        shutil.rmtree(previous, ignore_errors=True)
        if target.exists():
            target.rename(previous)
        partial.rename(target)
        shutil.rmtree(previous, ignore_errors=True)

    def load(
        self, name: str, credit_columns: list[str] | None = None, ids: set[str] | None = None
    ) -> tuple[RegistryData, datetime] | None:
        """A kept data set; only some credit columns, or only some projects' rows, if asked."""
        folder = self._dir(name)
        if not (folder / "meta.json").exists():
            return None
        meta = json.loads((folder / "meta.json").read_text())
        data = RegistryData(
            projects=_from_parquet(folder / "projects.parquet"),
            credits=_from_parquet(folder / "credits.parquet", credit_columns, ids),
            counts=meta.get("counts") or {},
        )
        return data, datetime.fromisoformat(meta["as_of"])

    def save_catalogue(self, projects: pd.DataFrame, credits: pd.DataFrame, as_of) -> None:
        """The merged OffsetsDB + VROD catalogue, before any registry was laid over it."""
        self.save(BASE, RegistryData(projects=projects, credits=credits), as_of)

    def load_catalogue(self, ids: set[str] | None = None):
        """The stored merge (projects, credits), or only these projects of it; None if none."""
        stored = self.load(BASE, ids=ids)
        if stored is None:
            return None
        data, _ = stored
        if ids is not None:
            return data.projects[data.projects[c.PROJECT_ID].isin(ids)], data.credits
        return data.projects, data.credits


# Columns of dicts, stored as JSON text (parquet cannot write a struct with no field: a
# catalogue whose flags are all empty).
JSON_COLUMNS = (c.PROVENANCE, c.FLAGS)


def _to_parquet(frame: pd.DataFrame, path: Path) -> None:
    encoded = {
        name: frame[name].map(lambda v: json.dumps(v or {}))
        for name in JSON_COLUMNS
        if name in frame.columns
    }
    frame.assign(**encoded).to_parquet(path, index=False)


def _from_parquet(path: Path, columns=None, ids: set[str] | None = None) -> pd.DataFrame:
    filters = [(c.PROJECT_ID, "in", sorted(ids))] if ids is not None else None
    frame = pd.read_parquet(path, columns=columns, filters=filters if ids else None)
    if ids is not None and not ids:
        frame = frame.head(0)
    for name in JSON_COLUMNS:
        if name in frame.columns:
            frame[name] = frame[name].map(lambda v: json.loads(v) if v else {})
    return frame
