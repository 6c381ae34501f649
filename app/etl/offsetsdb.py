"""OffsetsDB (CarbonPlan): projects.csv and credits.csv, loose or inside offsets-db.csv.zip.

Every historical column set is accepted by name (projects with 15, 17 or 18
columns, credits with 5, 10 or 11); unknown extra columns are ignored; a missing
required column fails with its name. Pure pandas, no Flask.
"""

from __future__ import annotations

import ast
import io
import zipfile
import zlib
from pathlib import Path

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
from app.etl.vrod import is_projects_table

PROJECTS_FILE = "projects.csv"
CREDITS_FILE = "credits.csv"

# raw OffsetsDB column -> our column
PROJECT_COLUMNS = {
    "project_id": c.PROJECT_ID,
    "name": c.NAME,
    "registry": c.REGISTRY,
    "status": c.STATUS,
    "country": c.COUNTRY,
    "category": c.CATEGORY,
    "project_type": c.PROJECT_TYPE,
    "protocol": c.METHODOLOGY,
    "proponent": c.DEVELOPER,
    "project_url": c.REGISTRY_URL,
    "listed_at": c.LISTED_AT,
    "is_compliance": c.IS_COMPLIANCE,
    "issued": c.ISSUED,
    "retired": c.RETIRED,
}
REQUIRED_PROJECT_COLUMNS = ("project_id", "name", "registry")

CREDIT_COLUMNS = {
    "project_id": c.PROJECT_ID,
    "transaction_type": c.KIND,
    "vintage": c.VINTAGE,
    "transaction_date": c.TRANSACTION_DATE,
    "quantity": c.QUANTITY,
    "retirement_beneficiary": c.BENEFICIARY,
    "retirement_reason": c.REASON,
    "retirement_note": c.NOTE,
    "retirement_account": c.ACCOUNT,
}
REQUIRED_CREDIT_COLUMNS = ("project_id", "quantity", "transaction_type", "vintage")

KINDS = {
    "issuance": c.ISSUANCE,
    "retirement": c.RETIREMENT,
    "cancellation": c.CANCELLATION,
    "retirement/cancellation": c.RETIREMENT,
}
UNKNOWN_VALUES = ("unknown", "Unknown", "")


def find_inputs(folder: Path) -> Path | list[Path] | None:
    """The OffsetsDB input in a folder: a zip, or projects.csv (+ credits.csv); None if absent."""
    zips = sorted(folder.glob("offsets-db*.zip"))
    if zips:
        return zips[0]
    projects = folder / PROJECTS_FILE
    if projects.exists() and not is_projects_table(projects):
        credits = folder / CREDITS_FILE
        return [projects, credits] if credits.exists() else [projects]
    return None


def read_tables(source: Path | list[Path]) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Raw projects and credits frames from a zip or loose files (credits may be absent)."""
    if isinstance(source, Path) and source.suffix == ".zip":
        return _read_zip(source)
    paths = {path.name: path for path in source}
    projects = _read_csv(paths[PROJECTS_FILE], PROJECTS_FILE, PROJECT_COLUMNS)
    credits = None
    if CREDITS_FILE in paths:
        credits = _read_csv(paths[CREDITS_FILE], CREDITS_FILE, CREDIT_COLUMNS)
    return projects, credits


def _read_zip(path: Path) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = {Path(name).name: name for name in archive.namelist()}
            tables = []
            for wanted, mapping in (
                (PROJECTS_FILE, PROJECT_COLUMNS),
                (CREDITS_FILE, CREDIT_COLUMNS),
            ):
                if wanted not in names:
                    # The published export always holds both: a zip without one is partial.
                    raise SourceError(f"{path.name}: no {wanted} inside the zip")
                with archive.open(names[wanted]) as member:
                    tables.append(_read_csv(member, f"{path.name}/{wanted}", mapping))
            return tables[0], tables[1]
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as error:
        raise SourceError(f"{path.name} is not a readable zip (truncated?): {error}") from error


def _read_csv(source, label: str, mapping: dict[str, str]) -> pd.DataFrame:
    if isinstance(source, Path):
        require_complete_text(last_bytes(source), label)
    else:
        data = source.read()
        require_complete_text(data, label)
        source = io.BytesIO(data)
    try:
        return pd.read_csv(source, usecols=lambda name: name in mapping, dtype="string")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise SourceError(f"{label}: not a readable CSV file: {error}") from error


def require_columns(frame: pd.DataFrame, required: tuple[str, ...], label: str) -> pd.DataFrame:
    missing = [name for name in required if name not in frame.columns]
    if missing:
        noun = "column" if len(missing) == 1 else "columns"
        named = ", ".join(repr(name) for name in missing)
        raise SourceError(f"{label}: required {noun} {named} missing")
    return frame


def rename_project_columns(frame: pd.DataFrame) -> pd.DataFrame:
    renamed = frame.rename(columns=PROJECT_COLUMNS)
    absent = {name: pd.NA for name in PROJECT_COLUMNS.values() if name not in renamed.columns}
    return renamed.assign(**absent)[list(PROJECT_COLUMNS.values())]


def parse_protocols(frame: pd.DataFrame) -> pd.DataFrame:
    """ "['vm0007', 'vmd0001']" -> methodology_code 'vm0007, vmd0001' (OffsetsDB writes a
    Python list literal of CarbonPlan's protocol ids); the merge names them."""
    codes = frame[c.METHODOLOGY].map(_protocol_text).astype(object)
    return frame.assign(**{c.METHODOLOGY_CODE: codes, c.METHODOLOGY: pd.NA})


def _protocol_text(raw) -> str | None:
    if raw is None or pd.isna(raw):
        return None
    text = str(raw).strip()
    if text.startswith("["):
        try:
            items = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            return text.strip("[]") or None
        return ", ".join(str(item) for item in items if item) or None
    return text or None


def drop_unknown_values(frame: pd.DataFrame) -> pd.DataFrame:
    """OffsetsDB's 'unknown' type/category means "no value": let VROD fill it."""
    return frame.assign(
        **{
            name: frame[name].mask(frame[name].isin(UNKNOWN_VALUES))
            for name in (c.PROJECT_TYPE, c.CATEGORY)
        }
    )


def parse_project_values(frame: pd.DataFrame) -> pd.DataFrame:
    listed = pd.to_datetime(frame[c.LISTED_AT].str.slice(0, 10), errors="coerce", format="%Y-%m-%d")
    compliance = frame[c.IS_COMPLIANCE].map(
        {"True": True, "False": False, "true": True, "false": False}
    )
    return frame.assign(
        **{
            c.LISTED_AT: listed.dt.date.astype(object).where(listed.notna(), None),
            c.IS_COMPLIANCE: compliance.astype("boolean"),
            c.ISSUED: _whole_numbers(frame[c.ISSUED]).fillna(0),
            c.RETIRED: _whole_numbers(frame[c.RETIRED]).fillna(0),
        }
    )


def _whole_numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").round().astype("Int64")


def projects_frame(raw: pd.DataFrame, label: str = PROJECTS_FILE) -> pd.DataFrame:
    """OffsetsDB projects in our columns and standard forms."""
    return (
        raw.pipe(require_columns, REQUIRED_PROJECT_COLUMNS, label)
        .pipe(rename_project_columns)
        .pipe(clean_text, c.TEXT_FIELDS)
        .pipe(repair_text, c.TEXT_FIELDS)
        .pipe(parse_protocols)
        .pipe(drop_unknown_values)
        .pipe(parse_project_values)
        .pipe(standardize_ids)
        .pipe(standardize_registries)
        .pipe(standardize_countries)
        .pipe(standardize_urls)
        .pipe(add_status_group)
        .dropna(subset=[c.PROJECT_ID])
        .reset_index(drop=True)
    )


def rename_credit_columns(frame: pd.DataFrame) -> pd.DataFrame:
    renamed = frame.rename(columns=CREDIT_COLUMNS)
    absent = {name: pd.NA for name in CREDIT_COLUMNS.values() if name not in renamed.columns}
    return renamed.assign(**absent)[list(CREDIT_COLUMNS.values())]


def parse_credit_values(frame: pd.DataFrame) -> pd.DataFrame:
    """Kinds, whole quantities, dates ('2024-04-05 00:00:00+00:00'), the year of each date."""
    dates = pd.to_datetime(
        frame[c.TRANSACTION_DATE].str.slice(0, 10), errors="coerce", format="%Y-%m-%d"
    )
    return frame.assign(
        **{
            c.KIND: frame[c.KIND].str.strip().str.lower().map(KINDS),
            c.VINTAGE: _whole_numbers(frame[c.VINTAGE]),
            c.QUANTITY: _whole_numbers(frame[c.QUANTITY]),
            c.TRANSACTION_DATE: dates,
            c.YEAR: dates.dt.year.astype("Int64"),
            c.SOURCE: c.OFFSETSDB,
            c.PROJECT_ID: frame[c.PROJECT_ID].map(_cached_canonical_ids(frame[c.PROJECT_ID])),
        }
    )


def _cached_canonical_ids(ids: pd.Series) -> dict:
    from app.etl.standardize import canonical_id

    return {raw: canonical_id(raw) for raw in ids.dropna().unique()}


def drop_unusable_credits(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows without a kind, quantity or project make no credit; zero quantities neither."""
    keep = (
        frame[c.KIND].notna()
        & frame[c.QUANTITY].notna()
        & (frame[c.QUANTITY] != 0)
        & frame[c.PROJECT_ID].notna()
    )
    return frame[keep].reset_index(drop=True)


def credits_frame(raw: pd.DataFrame, label: str = CREDITS_FILE) -> pd.DataFrame:
    """OffsetsDB transactions in our credit columns."""
    return (
        raw.pipe(require_columns, REQUIRED_CREDIT_COLUMNS, label)
        .pipe(rename_credit_columns)
        .pipe(clean_text, (c.BENEFICIARY, c.REASON, c.NOTE, c.ACCOUNT))
        .pipe(parse_credit_values)
        .pipe(drop_unusable_credits)
    )[list(c.CREDIT_COLUMNS)]


def read(source: Path | list[Path]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Projects and credits of an OffsetsDB input, standardised."""
    raw_projects, raw_credits = read_tables(source)
    prefix = f"{source.name}/" if isinstance(source, Path) else ""
    projects = projects_frame(raw_projects, prefix + PROJECTS_FILE)
    if raw_credits is None:
        credits = pd.DataFrame(columns=list(c.CREDIT_COLUMNS))
    else:
        credits = credits_frame(raw_credits, prefix + CREDITS_FILE)
    return projects, credits
