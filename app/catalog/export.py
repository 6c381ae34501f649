"""The catalogue as CSV: the same search, one row per project, streamed."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from app.catalog.query import ProjectQuery
from app.catalog.search import iter_project_rows

EXPORT_COLUMNS = (
    "project_id",
    "name",
    "registry",
    "status",
    "status_group",
    "country",
    "region",
    "scope",
    "project_type",
    "category",
    "methodology",
    "developer",
    "issued",
    "retired",
    "remaining",
    "first_vintage",
    "last_vintage",
    "source",
    "registry_url",
    "website",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> object:
    # A text cell starting like a formula would run in a spreadsheet: quote it.
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def csv_lines(query: ProjectQuery, rows_per_chunk: int = 500) -> Iterator[str]:
    """The header line, then the matching projects in chunks of CSV text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for count, row in enumerate(iter_project_rows(query), start=1):
        writer.writerow([_cell(getattr(row, name)) for name in EXPORT_COLUMNS])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
