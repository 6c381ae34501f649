"""The catalogue as CSV: the same search, one row per project, streamed."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from types import SimpleNamespace

from app.catalog.labels import LABEL_FACETS, labels_by_project
from app.catalog.query import ProjectQuery
from app.catalog.search import iter_project_records
from app.catalog.totals import remaining_credits, retired_exceeds_issued

EXPORT_COLUMNS = (
    "project_id",
    "name",
    "registry",
    "status",
    "status_canonical",
    "status_group",
    "country",
    "country_code",
    "region",
    "state",
    "site_location",
    "scope",
    "project_type",
    "registry_project_type",
    "category",
    "methodology",
    "methodology_code",
    "methodology_version",
    "reduction_removal",
    "developer",
    "project_owner",
    "operator",
    "designee",
    "verifier",
    "issued",
    "retired",
    "remaining",
    "retired_exceeds_issued",
    "estimated_annual_reductions",
    "buffer_deposits",
    "reversals_covered",
    "reversals_not_covered",
    "buffer_released",
    "first_vintage",
    "last_vintage",
    "listed_at",
    "registered_at",
    "crediting_period_start",
    "crediting_period_end",
    "crediting_period_renewals",
    "date_added",
    "is_compliance",
    "arb_project",
    "arb_id",
    "arb_status",
    "poa_id",
    "poa_status",
    "certifications",
    *(f"label_{facet}" for facet in LABEL_FACETS),
    "registry_notes",
    "berkeley_notes",
    "source",
    "registry_url",
    "website",
)
# Columns computed from others, not read from the project table.
_COMPUTED = (
    "remaining",
    "retired_exceeds_issued",
    *(f"label_{facet}" for facet in LABEL_FACETS),
)
_READ = (*(name for name in EXPORT_COLUMNS if name not in _COMPUTED), "flags", "id")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> object:
    # A text cell starting like a formula would run in a spreadsheet: quote it.
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value


def _export_values(record: dict, labels: dict[str, str]) -> list:
    totals = SimpleNamespace(**record)
    record["remaining"] = remaining_credits(totals)
    record["retired_exceeds_issued"] = retired_exceeds_issued(totals)
    for facet in LABEL_FACETS:
        record[f"label_{facet}"] = labels.get(facet)
    return [record[name] for name in EXPORT_COLUMNS]


def csv_lines(query: ProjectQuery, rows_per_chunk: int = 500) -> Iterator[str]:
    """The header line, then the matching projects in chunks of CSV text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    labels = labels_by_project()
    for count, record in enumerate(iter_project_records(query, _READ), start=1):
        values = _export_values(record, labels.get(record["id"], {}))
        writer.writerow([_cell(value) for value in values])
        if count % rows_per_chunk == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
