"""Quality labels: a source's words ('ICVCM CCP-Approved', 'CORSIA - Pilot Phase, 2021-2023
Eligible', a 'Yes' under 'CCP Approved') mapped to normalised labels (kind, value).

``RAW_LABELS`` is the one table that says which words mean which label (docs/DATA.md lists
it with its counts on the real release). ``labels_from_raw`` reads one cell of any source:
free text naming several certifications (VROD's "Sustainability Certifications", Verra's
"Additional Certifications", Gold Standard's "Label"), or a column that stands for one
label (ACR/ART "CCP Approved", CAR "Corresponding Adjustment", a "Yes"/"No" cell).
Pure: imports neither Flask nor the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from app.etl import columns as c

# (words in the source's text, case-folded, dashes folded to '-') -> (kind, value).
# The first row whose words all occur in a part of the text names its label; order matters
# (the CCB levels before plain 'ccb').
RAW_LABELS: tuple[tuple[tuple[str, ...], tuple[str, str]], ...] = (
    (("icvcm",), ("ccp", "approved")),
    (("ccp",), ("ccp", "approved")),
    (("corsia", "pilot"), ("corsia", "pilot")),
    (("corsia", "2021-2023"), ("corsia", "pilot")),
    (("corsia", "first phase"), ("corsia", "first")),
    (("corsia", "2024-2026"), ("corsia", "first")),
    (("corsia", "second phase"), ("corsia", "second")),
    (("corsia", "2027-2029"), ("corsia", "second")),
    (("corsia",), ("corsia", "eligible")),
    (("article 6", "ndc"), ("article6", "authorized_ndc")),
    (("article 6", "intl mitigation"), ("article6", "authorized_imp")),
    (("article 6", "other purposes"), ("article6", "authorized_other")),
    (("article 6",), ("article6", "authorized_other")),
    (("corresponding adjustment", "pending"), ("corresponding_adjustment", "pending")),
    (("corresponding adjustment", "not applied"), ("corresponding_adjustment", "not_applied")),
    (("corresponding adjustment",), ("corresponding_adjustment", "applied")),
    (("ccb", "biodiversity gold"), ("ccb", "biodiversity_gold")),
    (("ccb", "climate gold"), ("ccb", "climate_gold")),
    (("ccb", "community gold"), ("ccb", "community_gold")),
    (("ccb", "gold"), ("ccb", "gold")),
    (("ccb", "silver"), ("ccb", "silver")),
    (("ccb", "no distinction"), ("ccb", "no_distinction")),
    (("ccb",), ("ccb", "validated")),
    (("social carbon",), ("other", "social_carbon")),
    (("socialcarbon",), ("other", "social_carbon")),
    (("sd vista",), ("other", "sd_vista")),
)

# A column that stands for one label: what a 'Yes' (or a phase, or an SDG list) in it means.
KIND_HINTS = {
    "ccp": ("ccp", "approved"),
    "corsia": ("corsia", "eligible"),
    "corsia_pilot": ("corsia", "pilot"),
    "corsia_first": ("corsia", "first"),
    "corsia_second": ("corsia", "second"),
    "article6": ("article6", "authorized_other"),
    "corresponding_adjustment": ("corresponding_adjustment", "applied"),
    "sdg": ("sdg", ""),
}
YES = {"yes", "y", "true", "1", "approved", "eligible", "authorized", "authorised", "applied"}
NO = {"no", "n", "false", "0", "not applicable", "n/a", "na", "none", "-", ""}
CA_WORDS = {"pending": "pending", "not applied": "not_applied", "not_applied": "not_applied"}

# What each label is called on the pages, the export and the API documentation.
KIND_LABELS = {
    "ccp": _l("ICVCM CCP"),
    "corsia": _l("CORSIA eligible"),
    "article6": _l("Article 6 authorised"),
    "corresponding_adjustment": _l("Corresponding adjustment"),
    "ccb": _l("CCB"),
    "sdg": _l("SDG"),
    "other": _l("Other certification"),
}
VALUE_LABELS = {
    ("ccp", "approved"): _l("CCP-approved"),
    ("corsia", "pilot"): _l("Pilot phase (2021-2023)"),
    ("corsia", "first"): _l("First phase (2024-2026)"),
    ("corsia", "second"): _l("Second phase (2027-2029)"),
    ("corsia", "eligible"): _l("Eligible (phase not given)"),
    ("article6", "authorized_ndc"): _l("For NDC use"),
    ("article6", "authorized_imp"): _l("For international mitigation purposes"),
    ("article6", "authorized_other"): _l("For other purposes"),
    ("corresponding_adjustment", "applied"): _l("Applied"),
    ("corresponding_adjustment", "pending"): _l("Pending"),
    ("corresponding_adjustment", "not_applied"): _l("Not applied"),
    ("ccb", "gold"): _l("Gold"),
    ("ccb", "silver"): _l("Silver"),
    ("ccb", "biodiversity_gold"): _l("Biodiversity Gold"),
    ("ccb", "climate_gold"): _l("Climate Gold"),
    ("ccb", "community_gold"): _l("Community Gold"),
    ("ccb", "no_distinction"): _l("No distinction"),
    ("ccb", "validated"): _l("Validated"),
    ("other", "social_carbon"): _l("Social Carbon"),
    ("other", "sd_vista"): _l("SD VISta"),
}
LABEL_COLUMNS = (c.PROJECT_ID, "kind", "value", "raw_text", c.SOURCE, "as_of")
_PARTS = re.compile(r"\s*[;\n|]\s*")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
_SDG = re.compile(r"\b(1[0-7]|0?[1-9])\b")


@dataclass(frozen=True)
class RawLabel:
    """One normalised label and the words of the source that gave it."""

    kind: str
    value: str
    raw_text: str


def label_name(kind: str, value: str) -> LazyString:
    """'ICVCM CCP', 'CORSIA eligible: Pilot phase (2021-2023)', 'SDG 13': in the language of
    the page that shows it (lazy, so a cached search result renders in either language)."""
    return LazyString(_label_text, kind, value)


def _label_text(kind: str, value: str) -> str:
    if kind == "sdg":
        return f"SDG {value}"
    if kind == "ccp":
        return str(KIND_LABELS[kind])
    return f"{KIND_LABELS.get(kind, kind)}: {VALUE_LABELS.get((kind, value), value)}"


def _fold(text: str) -> str:
    return " ".join(_DASHES.sub("-", text).casefold().split())


def _named_label(part: str) -> tuple[str, str] | None:
    folded = _fold(part)
    for words, label in RAW_LABELS:
        if all(word in folded for word in words):
            return label
    return None


def _free_text_labels(raw: str) -> list[RawLabel]:
    labels = []
    # Gold Standard writes 'ICVCM CCP, Emission Reduction'; commas split its parts too,
    # but not CORSIA's 'Pilot Phase, 2021-2023 Eligible'.
    for part in _PARTS.split(raw.strip()):
        pieces = [part] if "corsia" in part.casefold() else part.split(",")
        for piece in pieces:
            label = _named_label(piece) if piece.strip() else None
            if label:
                labels.append(RawLabel(*label, piece.strip()))
    return labels


def _sdg_labels(raw: str) -> list[RawLabel]:
    """'09: Industry…;13: Climate Action' or '15,13,6' -> SDG 9, 13 (or 15, 13, 6)."""
    labels = []
    for part in re.split(r"[;|]" if ";" in raw or "|" in raw else ",", raw):
        found = _SDG.match(part.strip())
        if found:
            labels.append(RawLabel("sdg", str(int(found.group(1))), part.strip()))
    return labels


def _hinted_labels(kind_hint: str, raw: str) -> list[RawLabel]:
    kind, value = KIND_HINTS[kind_hint]
    if kind == "sdg":
        return _sdg_labels(raw)
    folded = _fold(raw)
    if kind == "corresponding_adjustment" and folded in CA_WORDS:
        return [RawLabel(kind, CA_WORDS[folded], raw.strip())]
    if folded in YES:
        return [RawLabel(kind, value, raw.strip())]
    if folded in NO:
        return []
    # Neither yes nor no: the cell names the label itself ('CORSIA - First Phase').
    return _free_text_labels(raw)


def labels_from_raw(source: str, kind_hint: str | None, raw_text) -> list[RawLabel]:
    """The normalised labels in one source cell, distinct, in the order written.

    ``kind_hint`` None: the cell is free text naming certifications. Otherwise the column
    stands for one label (a key of ``KIND_HINTS``): 'Yes' means it, 'No'/'N/A'/empty not.
    ``source`` names who said it (kept on each row by ``label_rows``; unused here).
    """
    if raw_text is None or (isinstance(raw_text, float) and pd.isna(raw_text)):
        return []
    raw = str(raw_text)
    if kind_hint is not None and kind_hint not in KIND_HINTS:
        raise ValueError(f"unknown label kind hint {kind_hint!r} (one of {sorted(KIND_HINTS)})")
    labels = _hinted_labels(kind_hint, raw) if kind_hint else _free_text_labels(raw)
    distinct: dict[tuple[str, str], RawLabel] = {}
    for label in labels:
        distinct.setdefault((label.kind, label.value), label)
    return list(distinct.values())


def label_rows(
    frame: pd.DataFrame,
    column: str,
    source: str,
    as_of: date | None,
    kind_hint: str | None = None,
    carried: tuple[str, ...] = (),
) -> pd.DataFrame:
    """One row per (row of ``frame``, label) in a text column of a project or credit frame;
    ``carried`` columns (a credit-level ``vintage``, ``quantity``) are kept on each row."""
    cells = frame[[c.PROJECT_ID, column, *carried]].dropna(subset=[column])
    rows = [
        (pid, label.kind, label.value, label.raw_text, source, as_of, *extra)
        for pid, raw, *extra in cells.itertuples(index=False, name=None)
        for label in labels_from_raw(source, kind_hint, raw)
    ]
    return pd.DataFrame(rows, columns=[*LABEL_COLUMNS, *carried])


def certification_labels(projects: pd.DataFrame, as_of: date | None = None) -> pd.DataFrame:
    """The labels in the catalogue's certifications text (VROD's "Sustainability
    Certifications"), each with the source that gave the text."""
    if c.CERTIFICATIONS not in projects:
        return pd.DataFrame(columns=list(LABEL_COLUMNS))
    return label_rows(projects, c.CERTIFICATIONS, "vrod", as_of)


def loadable_labels(*frames: pd.DataFrame | None) -> pd.DataFrame:
    """The ``label`` rows to load from several sources' label frames: project-level rows as
    given, credit-level rows (a registry's issuances carrying a label) summed by vintage."""
    columns = [*LABEL_COLUMNS, "vintage", "quantity"]
    given = [aligned_labels(f, columns) for f in frames if f is not None and len(f)]
    if not given:
        return pd.DataFrame(columns=columns)
    rows = pd.concat(given, ignore_index=True)
    project_level = rows[rows["vintage"].isna()]
    credit_level = (
        rows[rows["vintage"].notna()]
        .groupby([c.PROJECT_ID, "kind", "value", c.SOURCE, "vintage"], as_index=False, dropna=False)
        # One source stamps all its rows with one as_of: "first" is its value (a max over
        # object dates falls back to Python, ~10 s for a delta's 140,000 groups).
        .agg(raw_text=("raw_text", "first"), as_of=("as_of", "first"), quantity=("quantity", "sum"))
    )
    return pd.concat(
        [project_level.reindex(columns=columns), credit_level.reindex(columns=columns)],
        ignore_index=True,
    )


def aligned_labels(labels: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Label rows in ``columns`` with one dtype per column: dates, whole numbers, text
    (frames concatenated with another dtype turn dates into Python objects: seconds for a
    delta's; and rows compare as values only when their types agree)."""
    labels = labels.reindex(columns=columns)
    return labels.assign(
        as_of=pd.to_datetime(labels["as_of"], errors="coerce").astype("datetime64[ns]"),
        vintage=pd.to_numeric(labels["vintage"], errors="coerce").astype("Int64"),
        quantity=pd.to_numeric(labels["quantity"], errors="coerce").astype("Int64"),
        **{name: labels[name].astype("string") for name in LABEL_TEXT},
    )


LABEL_TEXT = ("kind", "value", "raw_text", c.SOURCE)
