"""The kept data sets on disk: whole sets swapped in, a delta's rows added as one more part."""

import json

import pandas as pd
import pytest

from app.etl import columns as c
from app.etl.registries import store as store_module
from app.etl.registries.base import RegistryData
from app.etl.registries.store import RegistryStore
from app.models import utcnow


def projects(*ids: str, name: str = "Old name") -> pd.DataFrame:
    return pd.DataFrame(
        {
            c.PROJECT_ID: list(ids),
            c.NAME: [name] * len(ids),
            c.PROVENANCE: [{c.NAME: "registry"}] * len(ids),
            c.FLAGS: [{}] * len(ids),  # all empty: parquet cannot write such a struct
        }
    )


def credits(*rows: tuple[str, int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            c.PROJECT_ID: [pid for pid, _ in rows],
            c.KIND: "issuance",
            c.QUANTITY: [quantity for _, quantity in rows],
            c.SERIAL_RANGE: [f"{pid}-{quantity}" for pid, quantity in rows],
        }
    )


def kept(tmp_path) -> RegistryStore:
    store = RegistryStore(tmp_path)
    whole = RegistryData(
        projects=projects("VCS1", "VCS2"),
        credits=credits(("VCS1", 10), ("VCS2", 20), ("VCS2", 21)),
        counts={"issuances": 3},
    )
    store.save("verra", whole, utcnow())
    return store


def test_a_whole_set_keeps_its_projects_json_fields_and_credits(tmp_path):
    data, _ = kept(tmp_path).load("verra")
    assert list(data.projects[c.PROJECT_ID]) == ["VCS1", "VCS2"]
    assert data.projects[c.PROVENANCE].tolist() == [{c.NAME: "registry"}] * 2
    assert data.projects[c.FLAGS].tolist() == [{}, {}]
    assert data.credits[c.QUANTITY].tolist() == [10, 20, 21]
    assert data.counts == {"issuances": 3}


def test_a_delta_is_one_more_part_and_the_kept_rows_are_not_rewritten(tmp_path):
    store = kept(tmp_path)
    whole_part = tmp_path / "verra" / "credits.parquet"
    written = whole_part.read_bytes(), whole_part.stat().st_mtime_ns

    total = store.append(
        "verra", projects("VCS1", "VCS2", name="New name"), credits(("VCS2", 22)), {}, utcnow()
    )

    assert total == 4
    assert (whole_part.read_bytes(), whole_part.stat().st_mtime_ns) == written
    data, _ = store.load("verra")
    assert data.credits[c.QUANTITY].tolist() == [10, 20, 21, 22]
    assert set(data.projects[c.NAME]) == {"New name"}
    only_vcs2, _ = store.load("verra", ids={"VCS2"})
    assert only_vcs2.credits[c.QUANTITY].tolist() == [20, 21, 22]
    assert store.load("verra", ids=set())[0].credits.empty
    # The replaced projects file is gone: one projects file, the one meta.json names.
    assert len(list((tmp_path / "verra").glob("projects*.parquet"))) == 1


def test_an_append_cut_short_before_its_meta_leaves_the_previous_set(tmp_path, monkeypatch):
    store = kept(tmp_path)

    def crash(self, target):
        raise OSError("disk full")

    monkeypatch.setattr(type(tmp_path), "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        store.append("verra", projects("VCS1"), credits(("VCS1", 11)), {}, utcnow())
    monkeypatch.undo()

    data, _ = store.load("verra")
    assert data.credits[c.QUANTITY].tolist() == [10, 20, 21]
    assert list(data.projects[c.PROJECT_ID]) == ["VCS1", "VCS2"]


def test_past_the_most_parts_an_append_rewrites_the_whole_set(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "MAX_PARTS", 2)
    store = kept(tmp_path)
    store.append("verra", projects("VCS1", "VCS2"), credits(("VCS1", 11)), {}, utcnow())
    store.append("verra", projects("VCS1", "VCS2"), credits(("VCS1", 12)), {}, utcnow())

    meta = json.loads((tmp_path / "verra" / "meta.json").read_text())
    assert meta["credit_parts"] == ["credits.parquet"]
    assert meta["credit_rows"] == 5
    data, _ = store.load("verra")
    assert sorted(data.credits[c.QUANTITY]) == [10, 11, 12, 20, 21]


def test_a_set_kept_before_parts_existed_still_loads_and_takes_a_delta(tmp_path):
    store = kept(tmp_path)
    meta_file = tmp_path / "verra" / "meta.json"
    meta = json.loads(meta_file.read_text())
    meta_file.write_text(json.dumps({"as_of": meta["as_of"], "counts": meta["counts"]}))

    assert store.load("verra")[0].credits[c.QUANTITY].tolist() == [10, 20, 21]
    assert store.append("verra", projects("VCS1"), credits(("VCS1", 11)), {}, utcnow()) == 4
    assert store.load("verra")[0].credits[c.QUANTITY].tolist() == [10, 20, 21, 11]
