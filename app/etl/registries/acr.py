"""ACR (American Carbon Registry): its APX-era export files, or ICE GreenTrace's endpoints."""

from __future__ import annotations

from functools import partial

from app.etl import columns as c
from app.etl.registries import apx
from app.etl.registries.base import Adapter, ExportTable, FetchSettings, RegistryData
from app.etl.registries.exports import Field

PROJECT_ID_HEADERS = ("Project ID",)
LAYOUT = apx.Layout(
    code="ACR",
    label="ACR",
    project_url=None,  # the APX project pages are gone; GreenTrace has no public page URL yet
    projects=(
        Field(c.PROJECT_ID, PROJECT_ID_HEADERS, required=True),
        Field(c.ARB_ID, ("Compliance Program ID (ARB or Ecology)", "Compliance Program ID")),
        Field(c.DEVELOPER, ("Project Developer",)),
        Field(c.NAME, ("Project Name",), required=True),
        Field(c.PROJECT_TYPE, ("Project Type",)),
        Field(c.METHODOLOGY, ("Project Methodology/Protocol",)),
        Field(
            c.CREDITING_PERIOD_START,
            ("Current Crediting Period Start Date", "Initial Crediting Period Start Date"),
        ),
        Field(c.CREDITING_PERIOD_END, ("Current Crediting Period End Date",)),
        Field(c.STATUS, ("Voluntary Status", "Project Status", "Status")),
        Field(
            c.ARB_STATUS,
            ("Compliance Program Status (ARB or Ecology)", "Compliance Program Status"),
        ),
        Field(c.SITE_LOCATION, ("Project Site Location",)),
        Field(c.STATE, ("Project Site State",)),
        Field(c.COUNTRY, ("Project Site Country",)),
        Field(c.VERIFIER, ("Current VVB", "Project VVB")),
        Field(c.WEBSITE, ("Project Website",)),
    ),
    issuances=apx.credit_fields(
        PROJECT_ID_HEADERS,
        ("Total Credits Issued",),
        Field("issued_on", ("Date Issued (GMT)", "Date Issued"), required=True),
        (
            Field("buffer", ("Credits Issued to Buffer Pool",)),
            Field(c.DEVELOPER, ("Project Developer",)),
            Field(c.VERIFIER, ("Project VVB",)),
            Field(c.CREDITING_PERIOD_START, ("Project Crediting Period Start Date",)),
        ),
    ),
    retirements=apx.credit_fields(
        PROJECT_ID_HEADERS,
        ("Quantity of Credits",),
        Field("left_on", ("Status Effective (GMT)", "Status Effective"), required=True),
        (
            Field(c.ACCOUNT, ("Account Holder",)),
            Field(c.BENEFICIARY, ("Retired on Behalf of",)),
            Field(c.REASON, ("Retirement Reason",)),
            Field(c.NOTE, ("Purpose of Retirement", "Retirement Details")),
        ),
    ),
    cancellations=apx.credit_fields(
        PROJECT_ID_HEADERS,
        ("Quantity of Credits",),
        Field("left_on", ("Status Effective (GMT)", "Status Effective"), required=True),
        (
            Field(c.ACCOUNT, ("Account Holder",)),
            Field(c.CANCELLATION_REASON, ("Cancellation Type", "Cancellation Reason")),
            Field(c.NOTE, ("Cancellation Details",)),
        ),
    ),
)
TABLES = (
    ExportTable("projects", frozenset({"project id", "voluntary status"})),
    ExportTable("issuances", frozenset({"project id", "total credits issued"})),
    ExportTable(
        "retirements", frozenset({"project id", "credit serial numbers", "retired on behalf of"})
    ),
    ExportTable(
        "cancellations", frozenset({"project id", "credit serial numbers", "cancellation type"})
    ),
)


def fetch(client, settings: FetchSettings) -> RegistryData:
    from app.etl.registries.greentrace import fetch_greentrace

    return fetch_greentrace(client, settings, LAYOUT, "registry/ACR_REGISTRY")


ADAPTER = Adapter(
    key="acr",
    code="ACR",
    label="ACR",
    tables=TABLES,
    parse=partial(apx.parse_exports, LAYOUT),
    fetch=fetch,
    url_setting="GREENTRACE_API_URL",
)
