"""Gold Standard's public API (off unless GOLD_STANDARD_API=on: see docs/DATA.md).

GET /projects?page=N&size=150 and /credits?page=N&size=25: JSON arrays, totals in the
``X-Total-Count`` header (and ``X-Total-Number-Of-Credits`` for credits). The project
page size silently caps at 150 and credits above 25 answer 403, so the pages are asked
at exactly those sizes, and a short page before the end fails as capped. A credit block
carries its current state only: every block is an issuance, a retired or cancelled one
also a retirement or cancellation (without date, beneficiary or use case, which only
the manual export has).
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from app.etl import columns as c
from app.etl.http import FetchError, RegistryClient
from app.etl.registries import gold_standard
from app.etl.registries.base import FetchSettings, RegistryData
from app.etl.registries.exports import numbers, prefixed_ids, vintage_years

PROJECT_PAGE = 150
CREDIT_PAGE = 25


def fetch_gold_standard(client: RegistryClient, settings: FetchSettings) -> RegistryData:
    base = settings.base_url.rstrip("/")
    totals: dict[str, int] = {}
    projects = pd.DataFrame(list(_pages(client, f"{base}/projects", PROJECT_PAGE, totals)))
    blocks = pd.DataFrame(list(_pages(client, f"{base}/credits", CREDIT_PAGE, totals)))
    credits_total = totals.get("credits_quantity")
    if credits_total is not None and len(blocks):
        held = int(pd.to_numeric(blocks["number_of_credits"]).sum())
        if held != credits_total:
            raise FetchError(
                f"Gold Standard credits: the blocks hold {held:,} credits, "
                f"X-Total-Number-Of-Credits says {credits_total:,}"
            )
    data = gold_standard.assemble(
        gold_standard.project_rows(project_frame(projects)), block_events(blocks)
    )
    data.counts = totals
    return data


def _pages(client: RegistryClient, url: str, size: int, totals: dict) -> Iterator[dict]:
    name = url.rsplit("/", 1)[-1]
    page, seen = 1, 0
    while True:
        reply = client.request("GET", url, params={"page": page, "size": size})
        rows = reply.json()
        if not isinstance(rows, list):
            raise FetchError(f"{url}: expected a JSON array, got {type(rows).__name__}")
        declared = reply.headers.get("X-Total-Count")
        if declared is None or not declared.isdigit():
            raise FetchError(f"{url}: no X-Total-Count header to check the pages against")
        total = int(declared)
        totals[name] = total
        if name == "credits" and reply.headers.get("X-Total-Number-Of-Credits", "").isdigit():
            totals["credits_quantity"] = int(reply.headers["X-Total-Number-Of-Credits"])
        if len(rows) > size or (len(rows) < size and seen + len(rows) < total):
            raise FetchError(
                f"{url}: page {page} has {len(rows)} rows, expected {size} "
                f"({seen + len(rows):,} of {total:,} so far): the page size was capped"
            )
        yield from rows
        seen += len(rows)
        if seen >= total or not rows:
            break
        page += 1
    if seen != total:
        raise FetchError(f"{url}: got {seen:,} rows, X-Total-Count says {total:,}")


def _get(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series(pd.NA, index=frame.index, dtype="object")


def _goals(value) -> str | None:
    if not isinstance(value, list):
        return None
    numbers = [str(v.get("id") if isinstance(v, dict) else v) for v in value]
    return ",".join(numbers) or None


def project_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """API projects in the export's field names (gold_standard.PROJECT_FIELDS)."""
    return pd.DataFrame(
        {
            c.PROJECT_ID: _get(rows, "sustaincert_id"),
            c.NAME: _get(rows, "name"),
            c.DEVELOPER: _get(rows, "project_developer"),
            c.STATUS: _get(rows, "status"),
            "sdgs": _get(rows, "sustainable_development_goals").map(_goals),
            c.PROJECT_TYPE: _get(rows, "type"),
            c.COUNTRY: _get(rows, "country"),
            c.DESCRIPTION: _get(rows, "description"),
            c.ESTIMATED_ANNUAL_REDUCTIONS: _get(rows, "estimated_annual_credits"),
            c.METHODOLOGY: _get(rows, "methodology"),
            "size": _get(rows, "size"),
            "programme": _get(rows, "programme_of_activities"),
            c.POA_ID: _get(rows, "poa_sustaincert_id"),
            c.CREDITING_PERIOD_START: _get(rows, "crediting_period_start_date"),
            c.CREDITING_PERIOD_END: _get(rows, "crediting_period_end_date"),
        }
    ).astype("string")


def block_events(blocks: pd.DataFrame) -> pd.DataFrame:
    if blocks.empty:
        return pd.DataFrame(columns=[c.PROJECT_ID, c.KIND, "labels"])
    project = _get(blocks, "project").map(lambda p: p if isinstance(p, dict) else {})
    labels = _get(blocks, "labels").map(
        lambda v: (
            "; ".join(str(x).replace("_", " ").title() for x in v) if isinstance(v, list) else None
        )
    )
    corsia = _get(blocks, "is_corsia_eligible").map(lambda v: "CORSIA" if v is True else None)
    rows = pd.DataFrame(
        {
            c.PROJECT_ID: prefixed_ids(
                project.map(lambda p: p.get("sustaincert_id")).astype("string"), "GLD"
            ),
            c.NAME: project.map(lambda p: p.get("name")),
            c.VINTAGE: vintage_years(_get(blocks, "vintage").astype("string")),
            c.QUANTITY: numbers(_get(blocks, "number_of_credits").astype("string")),
            c.SERIAL_RANGE: _get(blocks, "serial_number"),
            "issued_on": _get(blocks, "certified_date"),
            "label": _get(blocks, "labels").map(
                lambda v: "; ".join(map(str, v)) if isinstance(v, list) and v else None
            ),
            "corsia": _get(blocks, "is_corsia_eligible").map(
                lambda v: "Yes" if v is True else None
            ),
            "labels": labels.astype("string")
            .str.cat(corsia.astype("string"), sep="; ", na_rep="")
            .str.strip("; "),
        }
    )
    status = _get(blocks, "status").astype("string").str.upper()
    issued = rows.assign(**{c.KIND: c.ISSUANCE, c.TRANSACTION_DATE: rows["issued_on"]})
    retired = rows[status == "RETIRED"].assign(**{c.KIND: c.RETIREMENT, c.TRANSACTION_DATE: pd.NaT})
    cancelled = rows[status.str.startswith("CANCEL").fillna(False)].assign(
        **{c.KIND: c.CANCELLATION, c.TRANSACTION_DATE: pd.NaT}
    )
    return pd.concat([issued, retired, cancelled], ignore_index=True)
