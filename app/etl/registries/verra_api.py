"""Verra's public report API (S&P Global's registry platform): every project and event.

POST {VERRA_API_URL}/{resource}/publicReportPageSearch, 400 rows a page, sorted by
entityId (else rows vanish between pages), and never past row 10,000: a larger result
is split by ``equals`` filters (vintage, then country), and each split is proven to
narrow (a filter the API ignores answers the unfiltered total) and, all together, to
cover the whole (their totals add up to the unsplit total). The app key is the one the
registry's own web app reads from its public config, read at run time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pandas as pd

from app.etl import columns as c
from app.etl.http import FetchError, RegistryClient
from app.etl.registries import verra
from app.etl.registries.base import FetchSettings, RegistryData
from app.etl.registries.exports import numbers, prefixed_ids, sdg_labels, vintage_years

PAGE = 400
WINDOW = 10_000
STANDARD_ID = "150000000000001"  # VCS in …/public/standardsByRegistry/VERRA
FIRST_VINTAGE = 1990
RESOURCES = ("project", "issuances", "retirements", "cancellations")
# The date field each event resource can be filtered on, for a daily delta.
DATE_FIELDS = {
    "issuances": "issueDate",
    "retirements": "retiredDate",
    "cancellations": "cancellation_date",
}


def fetch_verra(client: RegistryClient, settings: FetchSettings) -> RegistryData:
    """All of Verra's projects and events (or only events since ``settings.since``)."""
    api = VerraApi(client, settings)
    projects = pd.DataFrame(list(api.rows("project")))
    countries = sorted(projects["country"].dropna().unique()) if "country" in projects else []
    events = {name: pd.DataFrame(list(api.rows(name, countries))) for name in RESOURCES[1:]}
    data = verra.assemble(
        verra.project_rows(project_frame(projects)),
        pd.concat(
            [
                issuance_events(events["issuances"]),
                retirement_events(events["retirements"]),
                cancellation_events(events["cancellations"]),
            ],
            ignore_index=True,
        ),
    )
    data.counts = api.totals
    return data


class VerraApi:
    def __init__(self, client: RegistryClient, settings: FetchSettings):
        self.client = client
        self.base = settings.base_url.rstrip("/")
        self.since = settings.since
        self.totals: dict[str, int] = {}
        self.headers = {
            "appkey": self._app_key(settings.extra.get("config_url")),
            "application": "Markit",
            "x-xsrf-token": "t20",
            "registry": "VERRA",
            "standardid": STANDARD_ID,
            "standardacronym": "VCS",
            "language": "en",
        }

    def _app_key(self, config_url: str | None) -> str:
        if not config_url:
            raise FetchError("Verra: no VERRA_APP_CONFIG_URL to read the public app key from")
        config = self.client.request("GET", config_url).json()
        key = _find_key(config)
        if not key:
            raise FetchError(f"Verra: no app key in {config_url} (keys: {sorted(config)[:10]})")
        return key

    def page(self, resource: str, start: int, filters: dict) -> dict:
        body = {
            "searchFilter": {
                "pagination": {
                    "start": start,
                    "limit": PAGE,
                    "sortOptions": [{"sort": "entityId", "dir": "ASC"}],
                },
                "filterModel": filters,
            }
        }
        url = f"{self.base}/{resource}/publicReportPageSearch"
        reply = self.client.request("POST", url, json=body, headers=self.headers).json()
        if not isinstance(reply, dict) or "entities" not in reply or "totalEntities" not in reply:
            raise FetchError(f"Verra {resource}: unexpected reply (keys: {sorted(reply)[:8]})")
        return reply

    def rows(self, resource: str, countries: list[str] | None = None) -> Iterator[dict]:
        filters = self._since_filter(resource)
        first = self.page(resource, 0, filters)
        total = int(first["totalEntities"])
        self.totals[resource] = total
        if resource == "project" and total == 0:
            raise FetchError("Verra project: totalEntities 0 (wrong standardid header?)")
        yield from self._all(resource, filters, first, total, self._splits(countries or []))

    def _since_filter(self, resource: str) -> dict:
        if not self.since or resource not in DATE_FIELDS:
            return {}
        return {
            DATE_FIELDS[resource]: {
                "filterType": "date",
                "type": "greaterThan",
                "dateFrom": self.since,
            }
        }

    def _splits(self, countries: list[str]) -> list[tuple[str, list[str]]]:
        years = [str(year) for year in range(FIRST_VINTAGE, date.today().year + 2)]
        return [("vintage", years), ("countryName", countries)]

    def _all(self, resource, filters, first, total, splits) -> Iterator[dict]:
        if total <= WINDOW:
            yield from self._pages(resource, filters, first, total)
            return
        if not splits:
            raise FetchError(
                f"Verra {resource}: {total:,} rows under filters {filters} and no filter left "
                f"to split them below the {WINDOW:,}-row window"
            )
        (field, values), rest = splits[0], splits[1:]
        covered = 0
        for value in values:
            narrowed = {**filters, field: {"filterType": "text", "type": "equals", "filter": value}}
            page = self.page(resource, 0, narrowed)
            part = int(page["totalEntities"])
            if part >= total:
                raise FetchError(
                    f"Verra {resource}: the filter {field}={value!r} did not narrow "
                    f"({part:,} rows, as many as without it): the API ignored it"
                )
            covered += part
            if part:
                yield from self._all(resource, narrowed, page, part, rest)
        if covered != total:
            raise FetchError(
                f"Verra {resource}: the {field} splits hold {covered:,} rows but the "
                f"registry counts {total:,} under {filters or 'no filter'}"
            )

    def _pages(self, resource, filters, first, total) -> Iterator[dict]:
        page, start, seen = first, 0, 0
        while True:
            entities = page.get("entities") or []
            if len(entities) > PAGE:
                raise FetchError(f"Verra {resource}: {len(entities)} rows on a {PAGE}-row page")
            if len(entities) < PAGE and start + len(entities) < total:
                raise FetchError(
                    f"Verra {resource}: page at {start:,} has {len(entities)} rows, "
                    f"expected {PAGE} (of {total:,}): the page was capped"
                )
            yield from entities
            seen += len(entities)
            start += PAGE
            if start >= total or not entities:
                break
            page = self.page(resource, start, filters)
        if seen != total:
            raise FetchError(f"Verra {resource}: got {seen:,} rows, the registry counts {total:,}")


def _find_key(config) -> str | None:
    """The app key in the web app's config, wherever it nests ('appKey', 'appkey', ...)."""
    if isinstance(config, dict):
        for name, value in config.items():
            if name.lower().replace("_", "") == "appkey" and isinstance(value, str):
                return value
            found = _find_key(value)
            if found:
                return found
    if isinstance(config, list):
        for value in config:
            found = _find_key(value)
            if found:
                return found
    return None


def _column(frame: pd.DataFrame, *names: str) -> pd.Series:
    for name in names:
        if name in frame.columns:
            return frame[name]
    return pd.Series(pd.NA, index=frame.index, dtype="string")


def project_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """API project rows in the export's field names (verra.PROJECT_FIELDS)."""
    return pd.DataFrame(
        {
            c.PROJECT_ID: _column(rows, "resourceIdentifier", "projectId").astype("string"),
            c.NAME: _column(rows, "resourceName", "projectName"),
            c.DEVELOPER: _column(rows, "proponent"),
            c.PROJECT_TYPE: _column(rows, "protocolCategory", "projectType"),
            "afolu": _column(rows, "afoluActivity", "afoluActivities"),
            c.METHODOLOGY: _column(rows, "protocol", "methodology"),
            c.STATUS: _column(rows, "resourceStatus", "status"),
            c.COUNTRY: _column(rows, "country", "countryName"),
            c.ESTIMATED_ANNUAL_REDUCTIONS: _column(rows, "estAnnualEmissionReductions"),
            c.REGION: _column(rows, "region"),
            c.REGISTERED_AT: _column(rows, "projectRegistrationDate", "registrationDate"),
            c.CREDITING_PERIOD_START: _column(rows, "creditPeriodStartDate"),
            c.CREDITING_PERIOD_END: _column(rows, "creditPeriodEndDate"),
        }
    ).astype("string")


def _labels(rows: pd.DataFrame) -> pd.Series:
    return _column(rows, "additionalCertification", "additionalCertifications").astype("string")


def _goal_text(goals) -> str | None:
    """``goals`` as the export writes SDGs: a list ([13, 15] or [{"id": 13}]) -> '13,15'."""
    if isinstance(goals, list):
        return ",".join(str(g.get("id") if isinstance(g, dict) else g) for g in goals) or None
    return str(goals) if goals else None


def issuance_events(rows: pd.DataFrame) -> pd.DataFrame:
    """Issuances, with the SDGs (``goals``) their project claims among their labels."""
    if rows.empty:
        return rows
    return pd.DataFrame(
        {
            c.PROJECT_ID: prefixed_ids(_column(rows, "projectId").astype("string"), "VCS"),
            c.KIND: c.ISSUANCE,
            c.VINTAGE: vintage_years(_column(rows, "vintage", "vintageStart")),
            c.TRANSACTION_DATE: _column(rows, "issueDate"),
            c.QUANTITY: numbers(_column(rows, "quantity", "holdingQuantity")),
            c.SERIAL_RANGE: _column(rows, "serialNo"),
            "labels_text": _labels(rows),
            "sdgs": _column(rows, "goals").map(_goal_text, na_action="ignore"),
            "labels": _labels(rows).str.cat(
                sdg_labels(_column(rows, "goals")), sep="; ", na_rep=""
            ),
        }
    )


def retirement_events(rows: pd.DataFrame) -> pd.DataFrame:
    if rows.empty:
        return rows
    return pd.DataFrame(
        {
            c.PROJECT_ID: prefixed_ids(_column(rows, "projectId").astype("string"), "VCS"),
            c.KIND: c.RETIREMENT,
            c.VINTAGE: vintage_years(_column(rows, "vintage", "vintageStart")),
            c.TRANSACTION_DATE: _column(rows, "retiredDate"),
            c.QUANTITY: numbers(_column(rows, "holdingQuantity", "quantity")),
            c.SERIAL_RANGE: _column(rows, "serialNo"),
            c.BENEFICIARY: _column(rows, "beneficialOwner"),
            c.REASON: _column(rows, "retirementReason"),
            c.NOTE: _column(rows, "retirementReasonDetails"),
            "labels_text": _labels(rows),
            "labels": _labels(rows),
        }
    )


def cancellation_events(rows: pd.DataFrame) -> pd.DataFrame:
    """Cancellations come snake_case ('cancellation_date', 'serial_no', vintage '2003 - 2004')."""
    if rows.empty:
        return rows
    return pd.DataFrame(
        {
            c.PROJECT_ID: prefixed_ids(
                _column(rows, "project_id", "projectId").astype("string"), "VCS"
            ),
            c.KIND: c.CANCELLATION,
            c.VINTAGE: vintage_years(_column(rows, "vintage")),
            c.TRANSACTION_DATE: _column(rows, "cancellation_date"),
            c.QUANTITY: numbers(_column(rows, "quantity", "holding_quantity")),
            c.SERIAL_RANGE: _column(rows, "serial_no"),
            c.CANCELLATION_REASON: _column(rows, "cancellation_reason", "reason"),
            c.NOTE: _column(rows, "corresponding_adjustment_status"),
            "labels": pd.Series(pd.NA, index=rows.index, dtype="string"),
        }
    )
