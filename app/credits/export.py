"""The credit records as CSV: the same search, one row per record, streamed."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from app.catalog.export import _cell
from app.credits.query import CreditQuery
from app.credits.search import CreditRow, iter_credit_rows

EXPORT_COLUMNS = tuple(name for name in CreditRow.__dataclass_fields__ if name != "id")


def csv_lines(query: CreditQuery, rows_per_chunk: int = 1000) -> Iterator[str]:
    """The header line, then the matching records in chunks of CSV text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for count, row in enumerate(iter_credit_rows(query), start=1):
        writer.writerow([_cell(getattr(row, name)) for name in EXPORT_COLUMNS])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
