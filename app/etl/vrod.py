"""VROD (Berkeley Carbon Trading Project): the PROJECTS sheet of the workbook, or the
same table as .csv or .parquet.

The header row is found by its ``Project ID`` cell; banner rows above it and tally
rows without an id below are dropped. Headers are normalised (white space and
newlines folded) and found by name; the four year blocks are recognised by their
group label (older releases: ``Issued by Reporting 2010``, ``Retired 2010``...)
or, where the headers are bare years, by their order. Pure pandas, no Flask.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from app.etl import columns as c
from app.etl.errors import SourceError
from app.etl.sources import last_bytes, require_complete_text
from app.etl.standardize import (
    add_status_group,
    standardize_countries,
    standardize_ids,
    standardize_registries,
    standardize_urls,
)
from app.etl.text_repair import clean_text, repair_text

SUFFIXES = (".xlsx", ".xlsm", ".csv", ".parquet")
SHEET = "PROJECTS"
ID_HEADER = "project id"

# The four year blocks, in the order the workbook has them.
ISSUED_BY_VINTAGE = "issued_by_vintage"
RETIRED_IN_YEAR = "retired_in_year"
REMAINING_BY_VINTAGE = "remaining_by_vintage"
ISSUED_IN_YEAR = "issued_in_year"
BLOCK_ORDER = (ISSUED_BY_VINTAGE, RETIRED_IN_YEAR, REMAINING_BY_VINTAGE, ISSUED_IN_YEAR)
BLOCK_LABELS = {
    "issued by reporting": ISSUED_BY_VINTAGE,
    "issued by vintage": ISSUED_BY_VINTAGE,
    "retired": RETIRED_IN_YEAR,
    "retired or cancelled": RETIRED_IN_YEAR,
    "remaining": REMAINING_BY_VINTAGE,
    "issued": ISSUED_IN_YEAR,
}
YEAR_UNKNOWN = "year unknown"
_YEAR_HEADER = re.compile(
    r"^(?:(?P<label>[a-z /]+?)\s+)?(?P<year>(?:19|20)\d\d)(?:\.0)?(?:\.\d+)?$"
)

# normalised VROD header -> our column (first one found wins)
FIELDS = {
    "project id": c.PROJECT_ID,
    "project name": c.NAME,
    "voluntary registry": c.REGISTRY,
    "voluntary status": c.STATUS,
    "scope": c.SCOPE,
    "type": c.PROJECT_TYPE,
    "methodology / protocol": c.METHODOLOGY,
    "region": c.REGION,
    "country": c.COUNTRY,
    "state": c.STATE,
    "project developer": c.DEVELOPER,
    "total credits issued": c.ISSUED,
    "total credits retired": c.RETIRED,
    "first year of project (vintage)": c.FIRST_VINTAGE,
    "first year of project": c.FIRST_VINTAGE,
    "project website": c.WEBSITE,
    "registry documents": c.DOCUMENTS_URL,
    "project description": c.DESCRIPTION,
    "project listed": c.LISTED_AT,
    "arb / wa project": c.ARB_PROJECT,
    "arb project": c.ARB_PROJECT,
    "reduction / removal": c.REDUCTION_REMOVAL,
    "methodology version": c.METHODOLOGY_VERSION,
    "project site location": c.SITE_LOCATION,
    "total buffer pool deposits": c.BUFFER_DEPOSITS,
    "reversals covered by buffer pool": c.REVERSALS_COVERED,
    "reversals not covered by buffer": c.REVERSALS_NOT_COVERED,
    "buffer credits released to project": c.BUFFER_RELEASED,
    "estimated annual emission reductions": c.ESTIMATED_ANNUAL_REDUCTIONS,
    "project owner": c.PROJECT_OWNER,
    "offset project operator": c.OPERATOR,
    "authorized project designee": c.DESIGNEE,
    "verifier": c.VERIFIER,
    "arb / wa status": c.ARB_STATUS,
    "arb project detail": c.ARB_STATUS,
    "arb / wa id": c.ARB_ID,
    "arb id": c.ARB_ID,
    "poa / aggregate id": c.POA_ID,
    "poa / vpa status": c.POA_STATUS,
    "project registered": c.REGISTERED_AT,
    "sustainability certifications": c.CERTIFICATIONS,
    "ccb / certifications": c.CERTIFICATIONS,
    "project type from the registry": c.REGISTRY_PROJECT_TYPE,
    "project type": c.REGISTRY_PROJECT_TYPE,
    "notes from registry": c.REGISTRY_NOTES,
    "notes from berkeley carbon trading project": c.BERKELEY_NOTES,
    "date project added to database": c.DATE_ADDED,
    "date added to database": c.DATE_ADDED,
}
# Filled after the read (from other fields, or by the merge), never from a VROD column.
DERIVED = (
    c.CATEGORY,
    c.STATUS_GROUP,
    c.STATUS_CANONICAL,
    c.REGISTRY_URL,
    c.LAST_VINTAGE,
    c.COUNTRY_CODE,
    c.METHODOLOGY_CODE,
    c.IS_COMPLIANCE,
)
# VROD's year cells as yyyymm (v3: "Date added to database" = 202104).
_YEAR_MONTH = re.compile(r"^(19|20)\d{2}(0[1-9]|1[0-2])$")
REQUIRED = (c.PROJECT_ID, c.NAME, c.REGISTRY)


def find_input(folder: Path) -> Path | None:
    """The VROD file in a folder: the workbook, or a PROJECTS table as parquet/csv."""
    candidates = [
        path
        for path in sorted(folder.iterdir())
        if path.suffix.lower() in SUFFIXES
        and (path.name not in ("projects.csv", "credits.csv") or is_projects_table(path))
        and not path.name.startswith(("derived_issued", "~$"))
    ]
    ranked = sorted(candidates, key=lambda p: (SUFFIXES.index(p.suffix.lower()), p.name))
    return ranked[0] if ranked else None


def is_projects_table(path: Path) -> bool:
    """Whether a CSV starts with VROD's header (a ``Project ID`` column): older VROD
    releases ship their PROJECTS table as ``projects.csv``, OffsetsDB's own name."""
    try:
        header = pd.read_csv(path, nrows=0, dtype=object).columns
    except (ValueError, UnicodeDecodeError, OSError):
        return False
    return ID_HEADER in {normalise_header(name) for name in header}


def normalise_header(value) -> str:
    """'Total Credits \\nIssued ' -> 'total credits issued'; 1996.0 -> '1996'."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip().lower()


def read_table(path: Path) -> pd.DataFrame:
    """The PROJECTS table as a frame of raw cells with the header row as a plain list.

    Returns a frame whose columns are positions (0..n-1) and whose ``attrs['headers']``
    holds the normalised header of each position.
    """
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            cells = _read_sheet(path)
        elif suffix == ".csv":
            require_complete_text(last_bytes(path), path.name)
            cells = pd.read_csv(path, header=None, dtype=object, low_memory=False)
        elif suffix == ".parquet":
            table = pd.read_parquet(path)
            cells = pd.concat(
                [pd.DataFrame([list(table.columns)]), table.T.reset_index(drop=True).T],
                ignore_index=True,
            )
        else:
            raise SourceError(f"{path.name}: not a VROD file (.xlsx, .csv or .parquet)")
    except SourceError:
        raise
    except Exception as error:  # the readers raise many types for one cause: a bad file
        raise SourceError(f"{path.name}: not readable as {suffix}: {error}") from error
    return _split_header(cells, path.name)


def _read_sheet(path: Path) -> pd.DataFrame:
    workbook = pd.ExcelFile(path, engine="calamine")
    names = workbook.sheet_names
    sheet = next((name for name in names if name.strip().upper() == SHEET), None)
    if sheet is None:
        raise SourceError(f"{path.name}: no {SHEET} sheet (sheets: {', '.join(names)})")
    return pd.read_excel(workbook, sheet_name=sheet, header=None, dtype=object)


def _split_header(cells: pd.DataFrame, label: str) -> pd.DataFrame:
    header_row = _find_header_row(cells, label)
    headers = [normalise_header(value) for value in cells.iloc[header_row]]
    body = cells.iloc[header_row + 1 :].reset_index(drop=True)
    body.columns = range(len(headers))
    body.attrs["headers"] = headers
    body.attrs["label"] = label
    return body


def _find_header_row(cells: pd.DataFrame, label: str) -> int:
    for row in range(min(len(cells), 50)):
        if any(normalise_header(v) == ID_HEADER for v in cells.iloc[row].tolist()):
            return row
    raise SourceError(f"{label}: no header row with a 'Project ID' cell")


def year_blocks(headers: list[str]) -> dict[str, dict[int, int]]:
    """Each year block's {year: column position}, found by label or else by order."""
    runs: list[tuple[str | None, dict[int, int]]] = []
    previous = None
    for position, header in enumerate(headers):
        match = _YEAR_HEADER.match(header)
        if not match:
            previous = None
            continue
        label = BLOCK_LABELS.get(match["label"]) if match["label"] else None
        if match["label"] and label is None:
            previous = None
            continue
        year = int(match["year"])
        current = runs[-1] if runs and previous == position - 1 else None
        if current is None or year in current[1] or current[0] != label:
            runs.append((label, {}))
            current = runs[-1]
        current[1][year] = position
        previous = position
    blocks = {}
    for index, (label, years) in enumerate(runs):
        name = label or (BLOCK_ORDER[index] if index < len(BLOCK_ORDER) else None)
        if name and name not in blocks:
            blocks[name] = years
    return blocks


def field_positions(headers: list[str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for position, header in enumerate(headers):
        field = FIELDS.get(header)
        if field and field not in positions:
            positions[field] = position
    return positions


def projects_frame(table: pd.DataFrame) -> pd.DataFrame:
    """VROD projects in our columns and standard forms (one row per id-bearing row).

    Column ``_row`` keeps each project's row in ``table`` for the year blocks."""
    headers, label = table.attrs["headers"], table.attrs["label"]
    positions = field_positions(headers)
    missing = [name for name in REQUIRED if name not in positions]
    if missing:
        wanted = {v: k for k, v in FIELDS.items()}
        raise SourceError(
            f"{label}: required column {', '.join(repr(wanted[m]) for m in missing)} missing"
        )
    raw = pd.DataFrame({field: table[position] for field, position in positions.items()})
    blocks = year_blocks(headers)
    return (
        raw.pipe(drop_rows_without_id)
        .pipe(lambda frame: frame.assign(_row=frame.index))
        .pipe(ensure_columns)
        .pipe(clean_text, c.TEXT_FIELDS)
        .pipe(repair_text, c.TEXT_FIELDS)
        .pipe(parse_values)
        .pipe(add_last_vintage, table, blocks.get(ISSUED_BY_VINTAGE, {}))
        .pipe(standardize_ids)
        .pipe(standardize_registries)
        .pipe(standardize_countries)
        .pipe(standardize_urls)
        .pipe(add_status_group)
        .reset_index(drop=True)
    )


def drop_rows_without_id(frame: pd.DataFrame) -> pd.DataFrame:
    """Tally and blank rows carry no project id."""
    ids = frame[c.PROJECT_ID].astype("string").str.strip()
    return frame[ids.notna() & (ids != "")]


def ensure_columns(frame: pd.DataFrame) -> pd.DataFrame:
    wanted = [f for f in c.PROJECT_FIELDS if f not in DERIVED]
    absent = {name: pd.NA for name in wanted if name not in frame.columns}
    return frame.assign(**absent)


def parse_values(frame: pd.DataFrame) -> pd.DataFrame:
    compliance = frame[c.ARB_PROJECT].astype("string").str.strip().str.lower()
    counts = (
        c.ESTIMATED_ANNUAL_REDUCTIONS,
        c.BUFFER_DEPOSITS,
        c.REVERSALS_COVERED,
        c.REVERSALS_NOT_COVERED,
        c.BUFFER_RELEASED,
    )
    return frame.assign(
        **{
            c.ISSUED: _numbers(frame[c.ISSUED]).fillna(0),
            c.RETIRED: _numbers(frame[c.RETIRED]).fillna(0),
            c.FIRST_VINTAGE: _numbers(frame[c.FIRST_VINTAGE]).where(lambda s: s > 1900),
            **{name: _numbers(frame[name]) for name in counts},
            **{name: _dates(frame[name]) for name in c.DATE_FIELDS},
            c.IS_COMPLIANCE: compliance.map({"yes": True, "no": False}).astype("boolean"),
        }
    )


def _dates(values: pd.Series) -> pd.Series:
    """Dates as datetime.date (None when empty or unreadable); yyyymm as its month's first day."""
    text = values.astype("string").str.strip().str.replace(r"\.0$", "", regex=True)
    year_month = text.str.match(_YEAR_MONTH.pattern, na=False)
    text = text.where(~year_month, text.str.slice(0, 4) + "-" + text.str.slice(4, 6) + "-01")
    parsed = pd.to_datetime(text, errors="coerce", format="mixed")
    return parsed.dt.date.astype(object).where(parsed.notna(), None)


def _numbers(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.replace(",", "", regex=False).str.strip()
    return pd.to_numeric(text, errors="coerce").round().astype("Int64")


def add_last_vintage(frame: pd.DataFrame, table: pd.DataFrame, block: dict[int, int]):
    """The last vintage with credits issued (from the issued-by-vintage block)."""
    if not block:
        return frame.assign(**{c.LAST_VINTAGE: pd.array([pd.NA] * len(frame), dtype="Int64")})
    years = sorted(block)
    values = _block_values(table.loc[frame.index], [block[y] for y in years])
    has = values != 0
    last = np.where(
        has.any(axis=1), np.array(years)[len(years) - 1 - has[:, ::-1].argmax(axis=1)], -1
    )
    return frame.assign(**{c.LAST_VINTAGE: pd.array(np.where(last > 0, last, None), dtype="Int64")})


def numeric_year_cells(table: pd.DataFrame) -> pd.DataFrame:
    """The year blocks' cells as whole numbers, once (every block is read several times)."""
    headers = table.attrs["headers"]
    positions = [p for block in year_blocks(headers).values() for p in block.values()]
    if YEAR_UNKNOWN in headers:
        positions.append(headers.index(YEAR_UNKNOWN))
    if not positions:
        return table
    numbers = table[positions].apply(_cell_numbers).fillna(0).round().astype(np.int64)
    result = table.copy()
    result[positions] = numbers
    return result


def _block_values(table: pd.DataFrame, positions: list[int]) -> np.ndarray:
    numeric = table[positions].apply(_cell_numbers)
    return numeric.fillna(0).round().to_numpy(dtype=np.int64)


def _cell_numbers(cells: pd.Series) -> pd.Series:
    """Numbers as they are; text cells ('1,234') parsed without their thousands commas."""
    numeric = pd.to_numeric(cells, errors="coerce").astype("float64")
    text = cells.notna() & numeric.isna()
    if text.any():
        digits = cells[text].astype(str).str.replace(",", "", regex=False)
        numeric[text] = pd.to_numeric(digits, errors="coerce")
    return numeric


def melt_year_block(
    ids: pd.Series, table: pd.DataFrame, block: dict[int, int], kind: str
) -> pd.DataFrame:
    """One credit row per (project, year) with a non-zero cell; negative cells kept."""
    years = np.array(sorted(block))
    if len(years) == 0:
        return _empty_credits()
    values = _block_values(table.loc[ids.index], [block[y] for y in years])
    rows, cols = np.nonzero(values)
    return _credit_rows(ids.to_numpy()[rows], years[cols], values[rows, cols], kind)


def _credit_rows(ids, years, quantities, kind: str) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame(
        {
            c.PROJECT_ID: pd.array(ids, dtype="string"),
            c.KIND: kind,
            c.VINTAGE: pd.array([pd.NA] * n, dtype="Int64"),
            c.TRANSACTION_DATE: pd.Series([pd.NaT] * n, dtype="datetime64[us]"),
            c.YEAR: pd.array(years, dtype="Int64"),
            c.QUANTITY: pd.array(quantities, dtype="Int64"),
            c.SOURCE: c.VROD,
            c.BENEFICIARY: pd.NA,
            c.REASON: pd.NA,
            c.NOTE: pd.NA,
            c.ACCOUNT: pd.NA,
        }
    )


def _empty_credits() -> pd.DataFrame:
    return _credit_rows(
        np.array([], dtype=object),
        np.array([], dtype=int),
        np.array([], dtype=np.int64),
        c.ISSUANCE,
    )


def credits_frame(table: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """VROD's yearly figures as credit rows: issuance by issuance year, retirements by year
    (+ 'Year Unknown' with no year). ``projects`` gives the canonical id of each table row."""
    headers = table.attrs["headers"]
    blocks = year_blocks(headers)
    ids = projects.set_index(projects["_row"])[c.PROJECT_ID]
    parts = [
        melt_year_block(ids, table, blocks.get(ISSUED_IN_YEAR, {}), c.ISSUANCE),
        melt_year_block(ids, table, blocks.get(RETIRED_IN_YEAR, {}), c.RETIREMENT),
    ]
    if YEAR_UNKNOWN in headers:
        unknown = _block_values(table.loc[ids.index], [headers.index(YEAR_UNKNOWN)])[:, 0]
        rows = np.nonzero(unknown)[0]
        part = _credit_rows(ids.to_numpy()[rows], [pd.NA] * len(rows), unknown[rows], c.RETIREMENT)
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


# our yearly block -> VROD's block it comes from
YEARLY_SOURCES = {
    c.ISSUED_BY_VINTAGE: ISSUED_BY_VINTAGE,
    c.ISSUED_BY_YEAR: ISSUED_IN_YEAR,
    c.RETIRED_BY_YEAR: RETIRED_IN_YEAR,
    c.REMAINING_BY_VINTAGE: REMAINING_BY_VINTAGE,
}


def yearly_frame(table: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """Every non-zero cell of VROD's four year blocks, one row each (project_yearly_figure);
    'Year Unknown' joins retired_by_year with no year. Negative cells kept."""
    headers = table.attrs["headers"]
    blocks = year_blocks(headers)
    ids = projects.set_index(projects["_row"])[c.PROJECT_ID]
    parts = []
    for block, source_block in YEARLY_SOURCES.items():
        years = np.array(sorted(blocks.get(source_block, {})))
        if len(years):
            values = _block_values(table.loc[ids.index], [blocks[source_block][y] for y in years])
            rows, cols = np.nonzero(values)
            parts.append(_yearly_rows(ids.to_numpy()[rows], block, years[cols], values[rows, cols]))
    if YEAR_UNKNOWN in headers:
        unknown = _block_values(table.loc[ids.index], [headers.index(YEAR_UNKNOWN)])[:, 0]
        rows = np.nonzero(unknown)[0]
        parts.append(
            _yearly_rows(
                ids.to_numpy()[rows], c.RETIRED_BY_YEAR, [pd.NA] * len(rows), unknown[rows]
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else empty_yearly()


def _yearly_rows(ids, block: str, years, quantities) -> pd.DataFrame:
    return pd.DataFrame(
        {
            c.PROJECT_ID: pd.array(ids, dtype="string"),
            c.BLOCK: block,
            c.YEAR: pd.array(years, dtype="Int64"),
            c.QUANTITY: pd.array(quantities, dtype="Int64"),
            c.SOURCE: c.VROD,
        }
    )


def empty_yearly() -> pd.DataFrame:
    return _yearly_rows(np.array([], dtype=object), c.ISSUED_BY_VINTAGE, [], [])


def read(path: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[str]]:
    """Projects, yearly credits and yearly figures of a VROD file, plus warnings about
    its layout."""
    table = numeric_year_cells(read_table(path))
    projects = projects_frame(table)
    credits = credits_frame(table, projects)
    yearly = yearly_frame(table, projects)
    blocks = year_blocks(table.attrs["headers"])
    warnings = [
        f"{path.name}: year block '{name}' not found"
        for name in (ISSUED_IN_YEAR, RETIRED_IN_YEAR)
        if name not in blocks
    ]
    return projects.drop(columns=["_row"]), credits, yearly, warnings
