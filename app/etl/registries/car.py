"""CAR (Climate Action Reserve): its report CSVs, from a person's download or the same
reports fetched with the site's session and token."""

from __future__ import annotations

from functools import partial

from app.etl import columns as c
from app.etl.registries import apx
from app.etl.registries.base import Adapter, ExportTable, FetchSettings, RegistryData
from app.etl.registries.exports import Field

PROJECT_ID_HEADERS = ("Project ID",)
BUFFER_MOVEMENT_HEADERS = ("Buffer Pool Transaction", "Transaction Type")
# The site's report numbers (myrpt.asp?r=...), one per export table; 706 is the buffer
# pool's deposits and releases.
REPORTS = {
    "projects": 111,
    "issuances": 112,
    "retirements": 206,
    "cancellations": 308,
    "buffer": 706,
}
LAYOUT = apx.Layout(
    code="CAR",
    label="CAR",
    project_url="https://thereserve2.apx.com/mymodule/reg/prjView.asp?id1={}",
    projects=(
        Field(c.PROJECT_ID, PROJECT_ID_HEADERS, required=True),
        Field(c.ARB_ID, ("ARB ID", "Compliance Program ID")),
        Field(c.DEVELOPER, ("Project Developer",)),
        Field(c.PROJECT_OWNER, ("Project Owner",)),
        Field(c.NAME, ("Project Name",), required=True),
        Field(c.OPERATOR, ("Offset Project Operator",)),
        Field(c.DESIGNEE, ("Authorized Project Designee",)),
        Field(c.VERIFIER, ("Verification Body",)),
        Field(c.PROJECT_TYPE, ("Project Type",)),
        Field(c.STATUS, ("Status", "Project Status")),
        Field(c.ARB_STATUS, ("ARB Project Status", "Compliance Program Status")),
        Field(c.SITE_LOCATION, ("Project Site Location",)),
        Field(c.STATE, ("Project Site State",)),
        Field(c.COUNTRY, ("Project Site Country",)),
        Field(c.REGISTRY_NOTES, ("Project Notes",)),
        Field(c.LISTED_AT, ("Project Listed Date",)),
        Field(c.REGISTERED_AT, ("Project Registered Date",)),
        Field(c.WEBSITE, ("Project Website",)),
    ),
    issuances=apx.credit_fields(
        PROJECT_ID_HEADERS,
        ("Total Offset Credits Issued", "Offset Credits Issued"),
        Field("issued_on", ("Date Issued",), required=True),
        (
            Field(
                "buffer", ("Offset Credits Currently in Reserve Buffer Pool", "Reserve Buffer Pool")
            ),
            Field(c.DEVELOPER, ("Project Developer",)),
            Field(c.PROJECT_OWNER, ("Project Owner",)),
            Field(c.VERIFIER, ("Verification Body",)),
            Field("crediting_period_label", ("Crediting Period",)),
        ),
    ),
    retirements=apx.credit_fields(
        PROJECT_ID_HEADERS,
        ("Quantity of Offset Credits",),
        Field("left_on", ("Status Effective",), required=True),
        (
            Field(c.ACCOUNT, ("Account Holder",)),
            Field(c.REASON, ("Retirement Reason",)),
            Field(c.NOTE, ("Retirement Reason Details",)),
        ),
    ),
    cancellations=apx.credit_fields(
        PROJECT_ID_HEADERS,
        ("Quantity of Offset Credits",),
        Field("left_on", ("Status Effective",), required=True),
        (
            Field(c.CANCELLATION_REASON, ("Cancellation Reason",)),
            Field(c.NOTE, ("Export Notes", "Cancellation Details")),
        ),
    ),
    buffer=apx.credit_fields(
        PROJECT_ID_HEADERS,
        ("Quantity of Offset Credits", "Quantity"),
        Field("moved_on", ("Transaction Date", "Status Effective", "Date"), required=True),
        (
            Field("movement", BUFFER_MOVEMENT_HEADERS, required=True),
            Field(c.NOTE, ("Transaction Details", "Reason")),
        ),
    ),
)
TABLES = (
    ExportTable("projects", frozenset({"project id", "offset project operator", "status"})),
    ExportTable("issuances", frozenset({"project id", "total offset credits issued"})),
    ExportTable(
        "retirements",
        frozenset({"project id", "offset credit serial numbers", "retirement reason"}),
    ),
    ExportTable(
        "cancellations",
        frozenset({"project id", "offset credit serial numbers", "cancellation reason"}),
    ),
    ExportTable("buffer", frozenset({"project id", "buffer pool transaction"}), optional=True),
)


def fetch(client, settings: FetchSettings) -> RegistryData:
    """The five reports, then each project's page for its crediting period."""
    from app.etl.registries.apx_reports import (
        crediting_periods,
        fetch_reports,
        with_crediting_periods,
    )

    data = fetch_reports(client, settings, ADAPTER, REPORTS)
    periods = crediting_periods(client, settings.base_url.rstrip("/"), data.projects[c.PROJECT_ID])
    data.projects = with_crediting_periods(data.projects, periods)
    return data


ADAPTER = Adapter(
    key="car",
    code="CAR",
    label="CAR",
    tables=TABLES,
    parse=partial(apx.parse_exports, LAYOUT),
    fetch=fetch,
    url_setting="CAR_REPORTS_URL",
)
