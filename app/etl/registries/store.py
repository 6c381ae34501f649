"""Each registry's last good data set, kept on disk between runs (parquet), and the
merged OffsetsDB + VROD catalogue the registries are laid over.

A registry whose fetch fails keeps serving this; a run that refreshes only some
registries lays them over the stored merge without downloading OffsetsDB and VROD
again. A whole data set is written to a temporary folder first and swapped in, so a
crash mid-write leaves the previous copy. A daily delta's new credit rows are added as
one more parquet part instead (rewriting 650k kept rows for 10k new ones costs seconds):
the parts and the projects file in use are those ``meta.json`` lists, replaced in one
rename, so a crash mid-append leaves the previous set too. No Flask.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from app.etl import columns as c
from app.etl.registries.base import RegistryData

BASE = "_catalogue"
CREDITS = "credits.parquet"
PROJECTS = "projects.parquet"
LABELS = "labels.parquet"
# Past this many appended parts, an append rewrites the data set whole (reads stay fast).
MAX_PARTS = 30


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
        _to_parquet(data.projects, partial / PROJECTS)
        _to_parquet(data.credits, partial / CREDITS)
        meta = {
            "as_of": as_of.isoformat(),
            "counts": data.counts,
            "projects": PROJECTS,
            "credit_parts": [CREDITS],
            "credit_rows": len(data.credits),
        }
        if data.labels is not None:
            _to_parquet(data.labels, partial / LABELS)
            meta["labels"] = LABELS
        (partial / "meta.json").write_text(json.dumps(meta, default=str))
        previous = self.folder / f".{name}.previous"
        shutil.rmtree(previous, ignore_errors=True)
        if target.exists():
            target.rename(previous)
        partial.rename(target)
        shutil.rmtree(previous, ignore_errors=True)

    def append(
        self,
        name: str,
        projects: pd.DataFrame,
        credits: pd.DataFrame,
        counts: dict,
        as_of,
        labels: pd.DataFrame | None = None,
    ) -> int:
        """Add a delta to a kept data set: its projects replace the kept projects file (and
        ``labels``, the whole set's, the kept labels file), its credit rows become one more
        part. Returns the data set's credit rows now."""
        meta = self._meta(name)
        parts = meta["credit_parts"]
        if len(parts) >= MAX_PARTS:
            whole = self.load(name)[0]
            whole.credits = pd.concat([whole.credits, credits], ignore_index=True)
            kept_labels = labels if labels is not None else whole.labels
            kept = RegistryData(projects, whole.credits, counts, labels=kept_labels)
            self.save(name, kept, as_of)
            return len(whole.credits)
        folder = self._dir(name)
        stamp = f"{as_of:%Y%m%dT%H%M%S%f}-{os.getpid()}"
        projects_file, part = f"projects-{stamp}.parquet", f"credits-{stamp}.parquet"
        _to_parquet(projects, folder / projects_file)
        if len(credits):
            _to_parquet(credits, folder / part)
            parts = [*parts, part]
        previous_projects, previous_labels = meta["projects"], meta.get("labels")
        if labels is not None:
            _to_parquet(labels, folder / f"labels-{stamp}.parquet")
            meta["labels"] = f"labels-{stamp}.parquet"
        meta = {
            **meta,
            "as_of": as_of.isoformat(),
            "counts": counts,
            "projects": projects_file,
            "credit_parts": parts,
            "credit_rows": meta["credit_rows"] + len(credits),
        }
        pending = folder / "meta.json.partial"
        pending.write_text(json.dumps(meta, default=str))
        pending.replace(folder / "meta.json")  # the one step that makes the delta kept
        (folder / previous_projects).unlink(missing_ok=True)
        if previous_labels and previous_labels != meta.get("labels"):
            (folder / previous_labels).unlink(missing_ok=True)
        return meta["credit_rows"]

    def has(self, name: str) -> bool:
        return (self._dir(name) / "meta.json").exists()

    def _meta(self, name: str) -> dict:
        meta = json.loads((self._dir(name) / "meta.json").read_text())
        meta.setdefault("projects", PROJECTS)
        if "labels" not in meta and (self._dir(name) / LABELS).exists():
            meta["labels"] = LABELS
        meta.setdefault("credit_parts", [CREDITS])
        if "credit_rows" not in meta:
            meta["credit_rows"] = sum(
                pq.ParquetFile(self._dir(name) / part).metadata.num_rows
                for part in meta["credit_parts"]
            )
        return meta

    def load(
        self, name: str, credit_columns: list[str] | None = None, ids: set[str] | None = None
    ) -> tuple[RegistryData, datetime] | None:
        """A kept data set; only some credit columns, or only some projects' rows, if asked."""
        if not self.has(name):
            return None
        meta = self._meta(name)
        data = RegistryData(
            projects=_from_parquet(self._dir(name) / meta["projects"]),
            credits=self._credits(name, meta, credit_columns, ids),
            counts=meta.get("counts") or {},
            labels=self.load_labels(name, ids, meta),
        )
        return data, datetime.fromisoformat(meta["as_of"])

    def load_labels(
        self, name: str, ids: set[str] | None = None, meta: dict | None = None
    ) -> pd.DataFrame | None:
        """A kept data set's label rows (of these projects only, if given); None if it has
        none (kept before registries gave labels)."""
        meta = meta or self._meta(name)
        labels = meta.get("labels")
        return _from_parquet(self._dir(name) / labels, ids=ids) if labels else None

    def _credits(self, name: str, meta: dict, columns, ids: set[str] | None) -> pd.DataFrame:
        folder = self._dir(name)
        parts = [_from_parquet(folder / part, columns, ids) for part in meta["credit_parts"]]
        return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)

    def load_projects(self, name: str) -> pd.DataFrame | None:
        """A kept data set's projects only (no credit row read); None when none is kept."""
        if not self.has(name):
            return None
        return _from_parquet(self._dir(name) / self._meta(name)["projects"])

    def save_catalogue(self, projects: pd.DataFrame, credits: pd.DataFrame, as_of) -> None:
        """The merged OffsetsDB + VROD catalogue, before any registry was laid over it."""
        self.save(BASE, RegistryData(projects=projects, credits=credits), as_of)

    def load_catalogue(self, ids: set[str] | None = None, credit_ids: set[str] | None = None):
        """The stored merge (projects, credits), or only these projects of it (and only the
        credit rows of ``credit_ids`` among them, if given); None if none."""
        if not self.has(BASE):
            return None
        meta = self._meta(BASE)
        # Only these projects read (and their JSON fields decoded): a registry's few of 12,000.
        projects = _from_parquet(self._dir(BASE) / meta["projects"], ids=ids)
        credits = self._credits(BASE, meta, None, ids if credit_ids is None else credit_ids)
        return projects, credits


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
    filters = None
    if ids is not None:
        # No id at all: an id below every stored one, so no row group is even read.
        filters = [(c.PROJECT_ID, "in", sorted(ids))] if ids else [(c.PROJECT_ID, "==", "")]
    frame = pd.read_parquet(path, columns=columns, filters=filters)
    for name in JSON_COLUMNS:
        if name in frame.columns:
            frame[name] = frame[name].map(lambda v: json.loads(v) if v else {})
    return frame
