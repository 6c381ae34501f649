"""Gold Standard (GLD): the registry's manual exports, or (only if allowed) its public API.

Gold Standard's terms allow downloads only through its own web pages, so by
default this adapter reads the export files a person saves from the registry
(projects, issuances, retirements) and the API fetcher stays off unless
``GOLD_STANDARD_API=on`` (docs/DATA.md).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from app.etl import columns as c
from app.etl.registries.base import (
    Adapter,
    ExportTable,
    FetchSettings,
    RegistryData,
    registry_data,
)
from app.etl.registries.exports import (
    Field,
    certifications,
    numbers,
    pick,
    prefixed_ids,
    read_export,
    sdg_labels,
    vintage_years,
    with_event_projects,
)
from app.etl.registries.registry_labels import LabelColumn

CODE = "GLD"
PROJECT_URL = "https://registry.goldstandard.org/projects/details/{}"
NOT_AUTHORISED = ("not applicable", "no", "none", "n/a")

PROJECT_FIELDS = (
    Field(c.PROJECT_ID, ("GSID", "GS ID", "Project ID"), required=True),
    Field(c.NAME, ("Project Name", "Name"), required=True),
    Field(c.DEVELOPER, ("Project Developer Name", "Project Developer")),
    Field(c.STATUS, ("Status", "Project Status")),
    Field("sdgs", ("Sustainable Development Goals", "SDGs")),
    Field(c.PROJECT_TYPE, ("Project Type",)),
    Field(c.COUNTRY, ("Country",)),
    Field(c.DESCRIPTION, ("Description",)),
    Field(c.ESTIMATED_ANNUAL_REDUCTIONS, ("Estimated Annual Credits",)),
    Field(c.METHODOLOGY, ("Methodology",)),
    Field("size", ("Size",)),
    Field("programme", ("Programme of Activities",)),
    Field(c.POA_ID, ("POA GSID",)),
    Field(c.CREDITING_PERIOD_START, ("Crediting Period Start Date",)),
    Field(c.CREDITING_PERIOD_END, ("Crediting Period End Date",)),
)
CREDIT_FIELDS = (
    Field(c.PROJECT_ID, ("GSID", "GS ID", "Project ID"), required=True),
    Field(c.NAME, ("Project Name",)),
    Field(c.DEVELOPER, ("Project Developer", "Project Developer Name")),
    Field(c.COUNTRY, ("Country",)),
    Field(c.PROJECT_TYPE, ("Project Type",)),
    Field(c.METHODOLOGY, ("Methodology",)),
    Field(c.VINTAGE, ("Vintage",), required=True),
    Field("credit_status", ("Credit Status", "Status"), required=True),
    Field(c.QUANTITY, ("Quantity", "Number of Credits"), required=True),
    Field("issued_on", ("Issuance Date",)),
    Field("left_on", ("Retirement Date", "Cancellation Date")),
    Field(c.SERIAL_RANGE, ("Serial Number",)),
    Field(c.NOTE, ("Note",)),
    Field("operator", ("Aeroplane Operator Name",)),
    Field("label", ("Label", "Labels")),
    Field(c.REASON, ("Use Case",)),
    Field(c.BENEFICIARY, ("Using Entity",)),
    Field("article6", ("Article Six Authorization", "Article 6 Authorization")),
)
# Gold Standard's raw label columns ('corsia' only from the API's is_corsia_eligible).
LABEL_SPECS = (
    LabelColumn("label", "Label"),
    LabelColumn("article6", "Article Six Authorization", "article6"),
    LabelColumn("sdgs", "Sustainable Development Goals", "sdg"),
    LabelColumn("corsia", "is_corsia_eligible", "corsia"),
)

TABLES = (
    ExportTable("projects", frozenset({"gsid", "project name", "status"})),
    ExportTable(
        "issuances",
        frozenset({"gsid", "credit status", "quantity", "issuance date"}),
        without=frozenset({"retirement date"}),
    ),
    ExportTable("retirements", frozenset({"gsid", "credit status", "retirement date"})),
)


def parse_exports(files: dict[str, Path]) -> RegistryData:
    projects = pick(
        read_export(files["projects"], "Gold Standard projects"),
        PROJECT_FIELDS,
        "Gold Standard projects",
    )
    issued = pick(
        read_export(files["issuances"], "Gold Standard issuances"),
        CREDIT_FIELDS,
        "Gold Standard issuances",
    )
    left = pick(
        read_export(files["retirements"], "Gold Standard retirements"),
        CREDIT_FIELDS,
        "Gold Standard retirements",
    )
    events = pd.concat([issuance_rows(issued), retirement_rows(left)], ignore_index=True)
    return assemble(project_rows(projects), events)


def project_rows(raw: pd.DataFrame) -> pd.DataFrame:
    return raw.assign(
        **{
            c.PROJECT_ID: prefixed_ids(raw[c.PROJECT_ID], CODE),
            c.POA_ID: prefixed_ids(raw[c.POA_ID], CODE),
            "labels": sdg_labels(raw["sdgs"]),
        }
    )


def _credit_labels(rows: pd.DataFrame) -> pd.Series:
    label = rows["label"].astype("string").str.replace(r"\s*,\s*", "; ", regex=True)
    article6 = rows["article6"].astype("string")
    authorised = ~article6.str.strip().str.lower().isin(NOT_AUTHORISED) & article6.notna()
    article6 = ("Article 6: " + article6).where(authorised)
    corsia = pd.Series("CORSIA", index=rows.index, dtype="string").where(rows["operator"].notna())
    return label.str.cat([article6, corsia], sep="; ", na_rep="").str.strip("; ")


def _common(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.assign(
        **{
            c.PROJECT_ID: prefixed_ids(rows[c.PROJECT_ID], CODE),
            c.VINTAGE: vintage_years(rows[c.VINTAGE]),
            c.QUANTITY: numbers(rows[c.QUANTITY]),
            "labels": _credit_labels(rows),
        }
    )


def issuance_rows(rows: pd.DataFrame) -> pd.DataFrame:
    rows = _common(rows)
    return rows.assign(**{c.KIND: c.ISSUANCE, c.TRANSACTION_DATE: rows["issued_on"]}).drop(
        columns=[c.NOTE, c.REASON, c.BENEFICIARY]
    )


def retirement_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Retired blocks are retirements; canceled ones cancellations, their note the reason."""
    rows = _common(rows)
    status = rows["credit_status"].astype("string").str.strip().str.lower()
    cancelled = status.str.startswith("cancel").fillna(False)
    return rows.assign(
        **{
            c.KIND: pd.Series(c.RETIREMENT, index=rows.index).where(~cancelled, c.CANCELLATION),
            c.TRANSACTION_DATE: rows["left_on"],
            c.CANCELLATION_REASON: rows[c.NOTE].where(cancelled),
            c.ACCOUNT: rows["operator"],
        }
    )


def assemble(projects: pd.DataFrame, events: pd.DataFrame) -> RegistryData:
    labels = certifications(
        pd.concat([projects[c.PROJECT_ID], events[c.PROJECT_ID]], ignore_index=True),
        pd.concat([projects["labels"], events["labels"]], ignore_index=True),
    )
    projects = with_event_projects(projects, events)
    if c.REGISTRY_PROJECT_TYPE not in projects:
        projects[c.REGISTRY_PROJECT_TYPE] = pd.NA
    projects[c.REGISTRY_PROJECT_TYPE] = projects[c.REGISTRY_PROJECT_TYPE].fillna(
        projects[c.PROJECT_TYPE]
    )
    ids = projects[c.PROJECT_ID]
    projects = projects.assign(
        **{
            c.CERTIFICATIONS: ids.map(labels),
            c.REGISTRY_URL: ids.str.removeprefix(CODE).map(PROJECT_URL.format, na_action="ignore"),
        }
    )
    return registry_data(projects, events, CODE, LABEL_SPECS)


def fetch(client, settings: FetchSettings) -> RegistryData:
    from app.etl.registries.gold_standard_api import fetch_gold_standard

    return fetch_gold_standard(client, settings)


ADAPTER = Adapter(
    key="gold_standard",
    code=CODE,
    label="Gold Standard",
    tables=TABLES,
    parse=parse_exports,
    fetch=fetch,
    url_setting="GOLD_STANDARD_API_URL",
)
