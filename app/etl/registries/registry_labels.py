"""The registries' own label columns as ``label`` rows (issue 14): Verra's additional
certifications, Gold Standard's label and Article 6 columns, the APX registries' CCP,
CORSIA and corresponding adjustment columns, the SDGs each registry lists.

Each adapter names its raw label columns (``LabelColumn``); every cell is mapped once per
distinct value by ``app.etl.labels.labels_from_raw`` (the documented table), and the
source's own words are kept in ``raw_text``. Two kinds of rows come out:

- project-level (no vintage): each label any row of the project carries;
- credit-level: one per issuance carrying a label (SDGs aside: a project's claim), with its
  vintage, quantity, serials and date, so a daily delta's re-asked events can be told
  apart; the load sums them by vintage.

``source`` and ``as_of`` are left empty here: the sync stamps the registry and the day it
read it (``stamped``). Pure pandas.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from app.etl import columns as c
from app.etl.labels import LABEL_COLUMNS, labels_from_raw

EVENT_COLUMNS = (c.VINTAGE, c.QUANTITY, c.SERIAL_RANGE, c.TRANSACTION_DATE)
REGISTRY_LABEL_COLUMNS = (*LABEL_COLUMNS, *EVENT_COLUMNS)
# A credit-level label row is one event's: these tell two events apart (as_of aside).
CREDIT_LABEL_KEY = [c.PROJECT_ID, "kind", "value", *EVENT_COLUMNS]
PROJECT_LABEL_KEY = [c.PROJECT_ID, "kind", "value"]


@dataclass(frozen=True)
class LabelColumn:
    """A frame column holding a registry's raw label cells, the header it came from, and
    the label it stands for (a ``KIND_HINTS`` key; None when the cell names labels itself)."""

    column: str
    header: str
    kind_hint: str | None = None


def empty_labels() -> pd.DataFrame:
    return typed(pd.DataFrame({name: pd.Series(dtype=object) for name in REGISTRY_LABEL_COLUMNS}))


def _raw_words(spec: LabelColumn, raw_text: str) -> str:
    """A yes/no cell means nothing alone: 'Yes' is kept as 'CCP Approved: Yes'."""
    if spec.kind_hint is None or spec.kind_hint == "sdg":
        return raw_text
    return f"{spec.header}: {raw_text}"


def _cell_labels(values: pd.Series, spec: LabelColumn) -> pd.DataFrame:
    """Each distinct cell's labels: (cell, kind, value, raw_text)."""
    rows = [
        (cell, label.kind, label.value, _raw_words(spec, label.raw_text))
        for cell in values.dropna().astype(str).unique()
        for label in labels_from_raw("", spec.kind_hint, cell)
    ]
    return pd.DataFrame(rows, columns=["cell", "kind", "value", "raw_text"])


def _labelled(frame: pd.DataFrame, spec: LabelColumn, mapping: pd.DataFrame, keep: list[str]):
    """The rows of ``frame`` whose cell names a label, one per label, with ``keep`` columns."""
    cells = frame[spec.column].astype("string")
    hit = cells.isin(set(mapping["cell"])).fillna(False) & frame[c.PROJECT_ID].notna()
    rows = frame.loc[hit, keep].assign(cell=cells[hit].astype(object))
    return rows.merge(mapping, on="cell").drop(columns="cell")


def _project_level(frames: list[pd.DataFrame], specs: tuple[LabelColumn, ...]) -> pd.DataFrame:
    """Each (project, label) any row carries: the distinct (project, cell) pairs mapped."""
    parts = []
    for spec in specs:
        pairs = [f[[c.PROJECT_ID, spec.column]] for f in frames if spec.column in f.columns]
        if not pairs:
            continue
        distinct = pd.concat(pairs, ignore_index=True).dropna().drop_duplicates()
        mapping = _cell_labels(distinct[spec.column], spec)
        if len(mapping):
            parts.append(_labelled(distinct, spec, mapping, [c.PROJECT_ID]))
    if not parts:
        return pd.DataFrame(columns=[c.PROJECT_ID, "kind", "value", "raw_text"])
    return pd.concat(parts, ignore_index=True).drop_duplicates(PROJECT_LABEL_KEY)


def _credit_level(issued: pd.DataFrame, specs: tuple[LabelColumn, ...]) -> pd.DataFrame:
    """One row per issuance and label it carries (SDGs aside: a project's claim)."""
    keep = [c.PROJECT_ID, *EVENT_COLUMNS]
    parts = []
    for spec in specs:
        if spec.kind_hint == "sdg" or spec.column not in issued.columns:
            continue
        mapping = _cell_labels(issued[spec.column], spec)
        if len(mapping):
            parts.append(_labelled(issued, spec, mapping, keep))
    if not parts:
        return pd.DataFrame(columns=[*keep, "kind", "value", "raw_text"])
    rows = pd.concat(parts, ignore_index=True)
    rows = rows.assign(
        **{
            c.TRANSACTION_DATE: _dates(rows[c.TRANSACTION_DATE]),
            c.QUANTITY: pd.to_numeric(rows[c.QUANTITY]).astype("Int64"),
            c.VINTAGE: pd.to_numeric(rows[c.VINTAGE]).astype("Int64"),
        }
    )
    # The project page shows credit-level labels by vintage: a row without one is not one.
    return rows[(rows[c.QUANTITY].fillna(0) > 0) & rows[c.VINTAGE].notna()]


def registry_label_rows(
    projects: pd.DataFrame, events: pd.DataFrame, specs: tuple[LabelColumn, ...]
) -> pd.DataFrame:
    """Project-level rows from every row (project or credit) naming a project, and
    credit-level rows from the issuances; ``projects`` and ``events`` carry canonical ids,
    ``events`` its kind, vintage, quantity, serials and date."""
    project_level = _project_level([projects, events], specs).assign(
        **dict.fromkeys(EVENT_COLUMNS, pd.NA)
    )
    # Only the columns read: a copy of every column of 400,000 issuances was the parse's peak.
    read = [c.PROJECT_ID, *EVENT_COLUMNS, *(s.column for s in specs if s.column in events)]
    read = list(dict.fromkeys(read))
    chosen = events[c.KIND] == c.ISSUANCE if c.KIND in events else False
    issued = events.loc[chosen, read] if c.KIND in events else events[read].head(0)
    credit_level = _credit_level(issued, specs).drop_duplicates(CREDIT_LABEL_KEY)
    rows = pd.concat([project_level, credit_level], ignore_index=True)
    rows = rows.assign(**{c.SOURCE: pd.NA, "as_of": pd.NA})
    return typed(rows[list(REGISTRY_LABEL_COLUMNS)])


def _dates(values: pd.Series) -> pd.Series:
    from app.etl.registries.exports import dates

    return values if values.dtype == "datetime64[ns]" else dates(values)


def typed(labels: pd.DataFrame) -> pd.DataFrame:
    """One dtype per column, whatever mix of rows built it (parquet needs one; and frames
    concatenated with another dtype turn dates into objects, seconds for a delta's)."""
    text = dict.fromkeys((c.PROJECT_ID, "kind", "value", "raw_text", c.SERIAL_RANGE), "string")
    return labels.astype(
        {
            **text,
            c.SOURCE: "string",
            "as_of": "datetime64[ns]",
            c.VINTAGE: "Int64",
            c.QUANTITY: "Int64",
            c.TRANSACTION_DATE: "datetime64[ns]",
        }
    ).reset_index(drop=True)


def stamped(labels: pd.DataFrame | None, source: str, as_of: date) -> pd.DataFrame:
    """The registry's label rows naming it as their source, read on ``as_of``."""
    if labels is None:
        return empty_labels()
    return typed(labels.assign(**{c.SOURCE: source, "as_of": pd.Timestamp(as_of)}))


def merged_labels(stored: pd.DataFrame | None, delta: pd.DataFrame | None) -> pd.DataFrame:
    """A kept set's labels with a delta's: the delta's project-level labels (fresher) and
    its issuances not kept already (the delta's overlap asks some again)."""
    delta = typed(delta) if delta is not None and len(delta) else empty_labels()
    stored = typed(stored) if stored is not None and len(stored) else empty_labels()
    both = pd.concat([delta, stored], ignore_index=True)
    # Each fetch's rows are unique by key already: only a project the delta names can hold a
    # row twice, so only its rows are compared, and the whole set is filtered once.
    named = np.concatenate(
        [
            np.ones(len(delta), dtype=bool),
            stored[c.PROJECT_ID].isin(delta[c.PROJECT_ID].unique()).to_numpy(),
        ]
    )
    of_project = both[c.VINTAGE].isna().to_numpy()
    repeated = np.zeros(len(both), dtype=bool)
    for level, key in ((of_project, PROJECT_LABEL_KEY), (~of_project, CREDIT_LABEL_KEY)):
        rows = np.flatnonzero(named & level)
        repeated[rows] = both[key].take(rows).duplicated().to_numpy()
    return both[~repeated].reset_index(drop=True) if repeated.any() else both


def only_projects(labels: pd.DataFrame | None, ids: set[str]) -> pd.DataFrame:
    if labels is None:
        return empty_labels()
    return labels[labels[c.PROJECT_ID].isin(ids)]
