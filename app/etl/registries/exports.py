"""Reading a registry's export files, whatever drift they carry.

Registries' CSV exports drift (REGISTRIES.md): columns get renamed, files come in
cp1252 without saying so, CAR writes unescaped quotes inside quoted fields, and
files that went through pandas carry trailing ``Unnamed: N`` columns. Everything
here maps by header, never by position. Pure pandas, no Flask.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from app.etl import columns as c
from app.etl.errors import SourceError
from app.etl.sources import require_complete_text
from app.etl.standardize import status_group
from app.etl.vocabulary.country import country_code, country_name, display_name

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_UNNAMED = re.compile(r"^unnamed \d+$")
# A quote inside a quoted field that is neither a field boundary nor already doubled.
_STRAY_QUOTE = re.compile(rb'(?<=[^,"])"(?=[^,"])')
# A whole line in quotes: '"2026","CAR-1-…","8000"' (its line break left out).
_QUOTED_LINE = re.compile(rb'(?m)^"[^\r\n]*"(?=\r?$)')
_US_DATE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})")


def header_key(name: str) -> str:
    """'Status Effective  (GMT)' -> 'status effective gmt': how headers are compared."""
    return _NOT_ALNUM.sub(" ", str(name).lower()).strip()


def decode(data: bytes, label: str) -> str:
    """UTF-8 (with or without BOM), else cp1252: exports rarely say which."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise SourceError(f"{label}: neither UTF-8 nor cp1252 text ({error})") from error


def repair_quotes(data: bytes) -> bytes:
    """Double the stray quotes of fully quoted lines (CAR: ``"On "Earth" day"``), on the
    raw bytes (a decoded copy of a 100 MB export would cost several times its size)."""
    if not (data.startswith(b'"') or b'\n"' in data):
        return data
    return _QUOTED_LINE.sub(_repair_line, data)


def _repair_line(match: re.Match) -> bytes:
    line = match.group(0)
    if b'","' not in line:
        return line
    inner = b'","'.join(_STRAY_QUOTE.sub(b'""', part) for part in line[1:-1].split(b'","'))
    return b'"' + inner + b'"'


def read_export(source: Path | bytes, label: str) -> pd.DataFrame:
    """One export file as text columns keyed by ``header_key``; ``Unnamed: N`` dropped.
    UTF-8 (with or without BOM), else cp1252: exports rarely say which."""
    data = source.read_bytes() if isinstance(source, Path) else source
    require_complete_text(data, label)
    if data.lstrip()[:1] == b"<":
        raise SourceError(f"{label}: an HTML page, not a CSV export")
    data = repair_quotes(data)
    frame = _read_plain_utf8(data)
    for encoding in ("utf-8-sig", "cp1252") if frame is None else ():
        try:
            frame = pd.read_csv(
                io.BytesIO(data), dtype=str, keep_default_na=False, encoding=encoding
            )
            break
        except UnicodeDecodeError as error:
            problem = error
        except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
            raise SourceError(f"{label}: not a readable CSV ({error})") from error
    if frame is None:
        raise SourceError(f"{label}: neither UTF-8 nor cp1252 text ({problem})")
    keys = [header_key(name) for name in frame.columns]
    keep = [i for i, key in enumerate(keys) if key and not _UNNAMED.match(key)]
    frame = frame.iloc[:, keep]
    frame.columns = [keys[i] for i in keep]
    return frame.loc[:, ~frame.columns.duplicated()]


def _read_plain_utf8(data: bytes) -> pd.DataFrame | None:
    """A well-formed UTF-8 export read by pyarrow's parser (two and a half times faster
    than pandas' own on a 400,000-row export, and the same frame on every real sample);
    None for anything else (another encoding, ragged rows, repeated headers), which
    pandas' parser reads with its tolerance and its messages."""
    try:
        frame = pd.read_csv(
            io.BytesIO(data),
            dtype=str,
            keep_default_na=False,
            encoding="utf-8-sig",
            engine="pyarrow",
        )
    except (ValueError, UnicodeDecodeError, pa.ArrowException):
        return None
    return frame if not frame.columns.duplicated().any() else None


def header_of(path: Path) -> set[str]:
    """The header keys of a CSV file, from its first line only (empty if unreadable)."""
    with path.open("rb") as handle:
        first = handle.readline(64 * 1024)
    try:
        names = pd.read_csv(io.StringIO(decode(first, path.name)), nrows=0).columns
    except (SourceError, pd.errors.ParserError, pd.errors.EmptyDataError):
        return set()
    return {header_key(name) for name in names}


@dataclass(frozen=True)
class Field:
    """One of our columns and the header names (any of) that registries have used for it."""

    name: str
    headers: tuple[str, ...]
    required: bool = False


def pick(raw: pd.DataFrame, fields: tuple[Field, ...], label: str) -> pd.DataFrame:
    """Our columns from a raw export: the first header present for each field.

    A required field with none of its headers fails naming the file and the headers."""
    picked = {}
    for field in fields:
        found = next((h for h in map(header_key, field.headers) if h in raw.columns), None)
        if found is None:
            if field.required:
                names = " / ".join(f"'{h}'" for h in field.headers)
                raise SourceError(f"{label}: no {names} column")
            picked[field.name] = pd.Series(pd.NA, index=raw.index, dtype="string")
        else:
            values = raw[found].astype("string").str.strip()
            picked[field.name] = values.mask(values == "")
    return pd.DataFrame(picked, index=raw.index)


def numbers(values: pd.Series) -> pd.Series:
    """'1,209,664', '550369.0', '' -> whole numbers (Int64)."""
    cleaned = values.astype("string").str.replace(",", "", regex=False).str.strip()
    return pd.to_numeric(cleaned, errors="coerce").round().astype("Int64")


def by_unique(values: pd.Series, convert) -> pd.Series:
    """``convert`` applied to each distinct value once: a million dates hold a few thousand."""
    text = values.astype("string")
    codes, uniques = pd.factorize(text)
    if len(uniques) == 0:
        return convert(pd.Series([pd.NA] * len(values), index=values.index, dtype="string"))
    converted = convert(pd.Series(uniques, dtype="string")).to_numpy()
    result = pd.Series(converted[codes], index=values.index)
    return result.where(codes >= 0)


def _parse_dates(text: pd.Series) -> pd.Series:
    text = text.str.strip()
    us = text.str.extract(_US_DATE)
    from_us = pd.to_datetime(
        us[2] + "-" + us[0].str.zfill(2) + "-" + us[1].str.zfill(2),
        format="%Y-%m-%d",
        errors="coerce",
    )
    from_iso = pd.to_datetime(text.str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    return from_us.fillna(from_iso).astype("datetime64[ns]")


def dates(values: pd.Series) -> pd.Series:
    """Registry dates as midnight timestamps: ISO ('2026-04-13T12:35:58'), US
    ('11/3/2025 7:10:41 PM', '02/28/2025'); anything else missing."""
    return by_unique(values, _parse_dates).astype("datetime64[ns]")


def vintage_years(values: pd.Series) -> pd.Series:
    """'2021', '2020-01-01', '2003 - 2004' -> the (first) year."""
    return by_unique(values, lambda text: numbers(text.str.extract(r"(\d{4})")[0])).astype("Int64")


def yes(values: pd.Series) -> pd.Series:
    """'Yes', 'true', 'TRUE' -> True; anything else False."""
    return values.astype("string").str.strip().str.lower().isin(["yes", "true", "y", "1"])


def prefixed_ids(values: pd.Series, prefix: str) -> pd.Series:
    """Canonical ids: '5962' or '5962.0' -> 'VCS5962'; 'ACR586' stays."""
    text = values.astype("string").str.strip().str.upper().str.replace(r"\.0$", "", regex=True)
    digits = text.str.fullmatch(r"\d+").fillna(False)
    return text.where(~digits, prefix + text)


def empty_projects() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in PROJECT_OUTPUT})


def empty_credits() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=object) for name in c.CREDIT_RECORD_COLUMNS})


PROJECT_OUTPUT = (c.PROJECT_ID, *[f for f in c.PROJECT_FIELDS if f not in (c.ISSUED, c.RETIRED)])


def finish_projects(frame: pd.DataFrame, registry: str) -> pd.DataFrame:
    """Our project columns, typed, one row per id (the first the registry lists)."""
    frame = frame.assign(**{c.REGISTRY: registry})
    for name in PROJECT_OUTPUT:
        if name not in frame.columns:
            frame[name] = pd.NA
    for name in c.DATE_FIELDS:
        frame[name] = dates(frame[name]) if frame[name].dtype != "datetime64[ns]" else frame[name]
    frame[c.ESTIMATED_ANNUAL_REDUCTIONS] = numbers(frame[c.ESTIMATED_ANNUAL_REDUCTIONS])
    if c.COUNTRY in frame:
        frame[c.COUNTRY] = frame[c.COUNTRY].map(country_name, na_action="ignore")
    frame[c.STATUS_GROUP] = frame[c.STATUS].map(status_group)
    text = [name for name in PROJECT_OUTPUT if name in c.TEXT_FIELDS]
    for name in text:
        values = frame[name].astype("string").str.replace(r"\s+", " ", regex=True).str.strip()
        frame[name] = values.mask(values == "")
    frame = frame[frame[c.PROJECT_ID].notna()].drop_duplicates(c.PROJECT_ID, keep="first")
    return frame[list(PROJECT_OUTPUT)].reset_index(drop=True)


def finish_credits(frame: pd.DataFrame, registry_source: str = c.REGISTRY_SOURCE) -> pd.DataFrame:
    """Our credit record columns, typed; rows without project, kind or quantity dropped."""
    for name in c.CREDIT_RECORD_COLUMNS:
        if name not in frame.columns:
            frame[name] = pd.NA
    when = frame[c.TRANSACTION_DATE]
    when = when if when.dtype == "datetime64[ns]" else dates(when)
    frame = frame.assign(
        **{
            c.TRANSACTION_DATE: when,
            c.YEAR: when.dt.year.astype("Int64"),
            c.VINTAGE: frame[c.VINTAGE].astype("Int64"),
            c.QUANTITY: frame[c.QUANTITY].astype("Int64"),
            c.SOURCE: registry_source,
        }
    )
    for name in (c.BENEFICIARY, c.REASON, c.NOTE, c.ACCOUNT, c.SERIAL_RANGE, c.CANCELLATION_REASON):
        values = frame[name].astype("string").str.strip()
        frame[name] = values.mask(values == "")
    keep = (
        frame[c.PROJECT_ID].notna()
        & frame[c.KIND].notna()
        & frame[c.QUANTITY].notna()
        & (frame[c.QUANTITY] != 0)
    )
    return frame.loc[keep, list(c.CREDIT_RECORD_COLUMNS)].reset_index(drop=True)


def labels_where(flag: pd.Series, label: str) -> pd.Series:
    """``label`` where the flag column says yes, else missing."""
    return pd.Series(label, index=flag.index, dtype="string").where(yes(flag))


def certifications(ids: pd.Series, *labels: pd.Series) -> pd.Series:
    """Per project id, the distinct labels of its rows ('CORSIA; ICVCM CCP'), in first-seen
    order; a label cell may itself list several, separated by ';' or ','."""
    long = (
        pd.concat(
            [
                pd.DataFrame({c.PROJECT_ID: ids, "label": values.astype("string")})
                for values in labels
            ],
            ignore_index=True,
        )
        .dropna()
        .drop_duplicates()  # a million rows carry a few thousand distinct label cells
    )
    long = long.assign(label=long["label"].str.split(r"\s*;\s*")).explode("label")
    long = long[long["label"].notna() & (long["label"].str.strip() != "")]
    long = long.assign(label=long["label"].str.strip()).drop_duplicates()
    return long.groupby(c.PROJECT_ID, sort=False)["label"].agg("; ".join)


def country_from_code(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(country name, ISO alpha-2 code) from a column of codes ('US') or names ('GUYANA')."""
    text = values.astype("string").str.strip()
    unique = text.dropna().unique()
    names = {value: _country(value) for value in unique}
    return (
        text.map(lambda v: names.get(v, (None, None))[0] if isinstance(v, str) else None),
        text.map(lambda v: names.get(v, (None, None))[1] if isinstance(v, str) else None),
    )


def _country(value: str) -> tuple[str | None, str | None]:
    """The catalogue's one country vocabulary (app/etl/vocabulary/country.py); an unknown
    name in capitals ('GUYANA' style) kept in title case."""
    code = country_code(value)
    if code is None:
        return country_name(value.title() if value.isupper() else value), None
    return display_name(code), code


_SDG = re.compile(r"(?:^|[;,]|\bSDG)\s*0?(\d{1,2})(?=\s*(?:[:.,;]|$)|\D)")


def sdg_labels(values: pd.Series) -> pd.Series:
    """'4,13,6', '09: Industry…;13: Climate Action', '2. Zero Hunger;…' -> 'SDG 4; SDG 13'."""
    text = values.astype("string")
    found = {value: _sdgs(value) for value in text.dropna().unique()}
    return text.map(lambda v: found.get(v) if isinstance(v, str) else None).astype("string")


def _sdgs(value: str) -> str | None:
    goals = [int(n) for n in _SDG.findall(value) if 1 <= int(n) <= 17]
    return "; ".join(f"SDG {n}" for n in dict.fromkeys(goals)) or None


def with_event_projects(projects: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Projects completed from the credit files, whose rows repeat the project's name,
    country, type...: a project missing from projects.csv is added, and a field its
    projects.csv row lacks is taken from its first credit row."""
    fields = [name for name in PROJECT_OUTPUT if name in events.columns and name != c.PROJECT_ID]
    firsts = (
        events.dropna(subset=[c.PROJECT_ID])
        .drop_duplicates(c.PROJECT_ID)
        .set_index(c.PROJECT_ID)[fields]
    )
    if firsts.empty:
        return projects
    indexed = projects.drop_duplicates(c.PROJECT_ID).set_index(c.PROJECT_ID)
    combined = indexed.combine_first(firsts.astype(object))
    order = list(dict.fromkeys([*indexed.index, *firsts.index]))
    return combined.reindex(order).reset_index(names=c.PROJECT_ID)
