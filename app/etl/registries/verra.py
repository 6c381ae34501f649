"""Verra (VCS): projects.csv and transactions.csv, or the S&P Global public report API.

Export: each transactions.csv row is a block of issued credits; a block with a
Retirement/Cancellation Date has also left circulation (the CSV does not tell a
retirement from a cancellation, so it counts as a retirement). The API has one
resource per event, and tells cancellations apart.
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

CODE = "VCS"
PROJECT_URL = "https://registry.verra.org/app/projectDetail/VCS/{}"

PROJECT_FIELDS = (
    Field(c.PROJECT_ID, ("ID", "Project ID"), required=True),
    Field(c.NAME, ("Name", "Project Name"), required=True),
    Field(c.DEVELOPER, ("Proponent", "Project Proponent")),
    Field(c.PROJECT_TYPE, ("Project Type",)),
    Field("afolu", ("AFOLU Activities",)),
    Field(c.METHODOLOGY, ("Methodology", "Methodologies")),
    Field(c.STATUS, ("Status", "Project Status")),
    Field(c.COUNTRY, ("Country/Area", "Country")),
    Field(c.ESTIMATED_ANNUAL_REDUCTIONS, ("Estimated Annual Emission Reductions",)),
    Field(c.REGION, ("Region",)),
    Field(c.REGISTERED_AT, ("Project Registration Date", "Registration Date")),
    Field(c.CREDITING_PERIOD_START, ("Crediting Period Start Date",)),
    Field(c.CREDITING_PERIOD_END, ("Crediting Period End Date",)),
)
TRANSACTION_FIELDS = (
    Field(c.PROJECT_ID, ("ID", "Project ID"), required=True),
    Field(c.NAME, ("Name", "Project Name")),
    Field(c.COUNTRY, ("Country/Area", "Country")),
    Field(c.PROJECT_TYPE, ("Project Type",)),
    Field(c.METHODOLOGY, ("Methodology", "Methodologies")),
    Field("issued_on", ("Issuance Date",), required=True),
    Field("sdgs", ("Sustainable Development Goals",)),
    Field("vintage_start", ("Vintage Start", "Vintage Start Date"), required=True),
    Field(c.QUANTITY, ("Quantity Issued", "Quantity"), required=True),
    Field(c.SERIAL_RANGE, ("Serial Number", "Serial Numbers")),
    Field("labels", ("Additional Certifications", "Additional Certification")),
    Field("left_on", ("Retirement/Cancellation Date", "Retirement Date"), required=True),
    Field(c.BENEFICIARY, ("Retirement Beneficiary", "Beneficiary")),
    Field(c.REASON, ("Retirement Reason",)),
    Field(c.NOTE, ("Retirement Details",)),
)

# Verra's raw label columns: every certification sits in one free-text column.
LABEL_SPECS = (
    LabelColumn("labels_text", "Additional Certifications"),
    LabelColumn("sdgs", "Sustainable Development Goals", "sdg"),
)

TABLES = (
    ExportTable("projects", frozenset({"id", "name", "proponent", "status"})),
    ExportTable(
        "transactions", frozenset({"id", "issuance date", "quantity issued", "vintage start"})
    ),
)


def parse_exports(files: dict[str, Path]) -> RegistryData:
    projects = pick(
        read_export(files["projects"], "Verra projects"), PROJECT_FIELDS, "Verra projects"
    )
    # The blocks are let go once they are events (not held through assemble: 200 MB).
    events = transaction_rows(
        pick(
            read_export(files["transactions"], "Verra transactions"),
            TRANSACTION_FIELDS,
            "Verra transactions",
        )
    )
    return assemble(project_rows(projects), events)


def project_rows(raw: pd.DataFrame) -> pd.DataFrame:
    """Verra's project fields in ours (from the CSV or the API, same names by then)."""
    ids = prefixed_ids(raw[c.PROJECT_ID], CODE)
    afolu = raw["afolu"].astype("string")
    kind = raw[c.PROJECT_TYPE].astype("string")
    return raw.assign(
        **{
            c.PROJECT_ID: ids,
            c.REGISTRY_PROJECT_TYPE: kind + (" (" + afolu + ")").fillna(""),
            c.ESTIMATED_ANNUAL_REDUCTIONS: numbers(raw[c.ESTIMATED_ANNUAL_REDUCTIONS]),
        }
    ).drop(columns=["afolu"])


def transaction_rows(blocks: pd.DataFrame) -> pd.DataFrame:
    """Each block is an issuance; a block with a retirement/cancellation date is also a
    retirement of the same serials."""
    blocks = blocks.assign(
        **{
            c.PROJECT_ID: prefixed_ids(blocks[c.PROJECT_ID], CODE),
            c.VINTAGE: vintage_years(blocks["vintage_start"]),
            c.QUANTITY: numbers(blocks[c.QUANTITY]),
            "labels_text": blocks["labels"],
            "labels": blocks["labels"]
            .astype("string")
            .str.cat(sdg_labels(blocks["sdgs"]), sep="; ", na_rep=""),
        }
    )
    issued = blocks.assign(**{c.KIND: c.ISSUANCE, c.TRANSACTION_DATE: blocks["issued_on"]})
    issued = issued.drop(columns=[c.BENEFICIARY, c.REASON, c.NOTE])
    left = blocks[blocks["left_on"].notna()]
    retired = left.assign(**{c.KIND: c.RETIREMENT, c.TRANSACTION_DATE: left["left_on"]})
    return pd.concat([issued, retired], ignore_index=True)


def assemble(projects: pd.DataFrame, events: pd.DataFrame) -> RegistryData:
    """The registry's data set: projects (with the labels their credits carry) and credits."""
    labels = certifications(events[c.PROJECT_ID], events["labels"])
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
    from app.etl.registries.verra_api import fetch_verra

    return fetch_verra(client, settings)


ADAPTER = Adapter(
    key="verra",
    code=CODE,
    label="Verra",
    tables=TABLES,
    parse=parse_exports,
    fetch=fetch,
    url_setting="VERRA_API_URL",
    incremental=True,
)
