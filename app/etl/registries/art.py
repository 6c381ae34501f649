"""ART TREES: its APX report CSVs (keyed by Program ID), downloaded by a person or
fetched with the report site's session and token, as CAR's are."""

from __future__ import annotations

from functools import partial

from app.etl import columns as c
from app.etl.registries import apx
from app.etl.registries.base import Adapter, ExportTable, FetchSettings, RegistryData
from app.etl.registries.exports import Field

PROJECT_ID_HEADERS = ("Program ID", "Project ID")
# The report site's numbers (myrpt.asp?r=...) for ART's four tables.
REPORTS = {"projects": 111, "issuances": 112, "retirements": 206, "cancellations": 308}
LAYOUT = apx.Layout(
    code="ART",
    label="ART",
    project_url="https://art.apx.com/mymodule/reg/prjView.asp?id1={}",
    projects=(
        Field(c.PROJECT_ID, PROJECT_ID_HEADERS, required=True),
        Field(c.DEVELOPER, ("Sovereign Program Developer", "Program Developer")),
        Field(c.NAME, ("Program Name",), required=True),
        Field(c.METHODOLOGY, ("Crediting Program and Standard",)),
        Field(c.VERIFIER, ("Verification Body",)),
        Field(c.PROJECT_TYPE, ("Program Type",)),
        Field(c.STATUS, ("Status", "Program Status")),
        Field(c.CREDITING_PERIOD_START, ("Initial Crediting Period Start Date",)),
        Field(c.SITE_LOCATION, ("Program Jurisdiction(s)",)),
        Field(c.COUNTRY, ("Program Country",)),
        Field(c.REGISTRY_NOTES, ("Program Notes",)),
        Field(c.WEBSITE, ("Program Website",)),
    ),
    issuances=apx.credit_fields(
        PROJECT_ID_HEADERS,
        ("Credits Verified", "Credits Issued"),
        Field("issued_on", ("Date Approved", "Date Issued"), required=True),
        (
            Field("buffer", ("Credits Deposited in Buffer",)),
            Field(c.DEVELOPER, ("Sovereign Program Developer",)),
            Field(c.VERIFIER, ("Verification Body",)),
        ),
    ),
    retirements=apx.credit_fields(
        PROJECT_ID_HEADERS,
        ("Quantity of Credits",),
        Field("left_on", ("Status Effective",), required=True),
        (
            Field(c.ACCOUNT, ("Account Holder",)),
            Field(c.BENEFICIARY, ("Retired on Behalf of",)),
            Field(c.REASON, ("Retirement Reason",)),
            Field(c.NOTE, ("Purpose of Retirement",)),
        ),
    ),
    cancellations=apx.credit_fields(
        PROJECT_ID_HEADERS,
        ("Quantity of Credits",),
        Field("left_on", ("Status Effective",), required=True),
        (
            Field(c.ACCOUNT, ("Account Holder",)),
            Field(c.CANCELLATION_REASON, ("Cancellation Reason",)),
            Field(c.NOTE, ("Cancellation Details",)),
        ),
    ),
)
TABLES = (
    ExportTable("projects", frozenset({"program id", "program name", "status"})),
    ExportTable("issuances", frozenset({"program id", "credits verified"})),
    ExportTable(
        "retirements", frozenset({"program id", "credit serial numbers", "retired on behalf of"})
    ),
    ExportTable(
        "cancellations", frozenset({"program id", "credit serial numbers", "cancellation reason"})
    ),
)


def fetch(client, settings: FetchSettings) -> RegistryData:
    from app.etl.registries.apx_reports import fetch_reports

    return fetch_reports(client, settings, ADAPTER, REPORTS)


ADAPTER = Adapter(
    key="art",
    code="ART",
    label="ART",
    tables=TABLES,
    parse=partial(apx.parse_exports, LAYOUT),
    fetch=fetch,
    url_setting="ART_REPORTS_URL",
)
