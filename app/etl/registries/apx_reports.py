"""The APX report sites' CSV download (CAR's thereserve2.apx.com, ART's art.apx.com).

What a person's "Download CSV" click does: GET the report page (it sets the session
cookie and holds the ``frmDownload`` form with its CSRF token ``c16e`` and the row
total, "1 - 50 : 1277"), then POST that form with ``FormatType=csv``. The answer is
the very export file a person gets, so the export parser reads it unchanged; its
row count must equal the page's total. A stale or missing token answers the home page
with 200, which is caught as HTML.
"""

from __future__ import annotations

import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from app.etl import columns as c
from app.etl.http import FetchError, RegistryClient
from app.etl.registries.base import Adapter, FetchSettings, RegistryData
from app.etl.registries.exports import dates, read_export

REPORT_PAGE = "/myModule/rpt/myrpt.asp?r={}"
DOWNLOAD = "/myModule/include/rptdownload.asp"
_TOTAL = re.compile(r"\d[\d,]*\s*-\s*\d[\d,]*\s*:\s*(\d[\d,]*)")


class _DownloadForm(HTMLParser):
    """The fields of the page's ``frmDownload`` form."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.found = False
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.inside = (attributes.get("name") or attributes.get("id")) == "frmDownload"
            self.found = self.found or self.inside
        elif tag in ("input", "select") and self.inside and attributes.get("name"):
            self.fields[attributes["name"]] = attributes.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def report_form(html: str, url: str) -> tuple[dict[str, str], int]:
    """The download form's fields and the report's row total, from the report page."""
    form = _DownloadForm()
    form.feed(html)
    if not form.found or not form.fields.get("c16e"):
        raise FetchError(f"{url}: no download form with its c16e token on the report page")
    total = _TOTAL.search(html)
    if total is None:
        raise FetchError(f"{url}: the report page does not show its row total ('1 - 50 : N')")
    return form.fields, int(total.group(1).replace(",", ""))


def download_report(client: RegistryClient, base: str, report: int, target: Path) -> int:
    """Save one report's CSV to ``target``; its row total as the page states it."""
    page_url = base + REPORT_PAGE.format(report)
    page = client.request("GET", page_url, expect="html")
    fields, total = report_form(page.text, page_url)
    csv = client.request(
        "POST", base + DOWNLOAD, data={**fields, "FormatType": "csv"}, expect="csv"
    )
    target.write_bytes(csv.body)
    rows = len(read_export(target, f"report {report}"))
    if rows != total:
        raise FetchError(
            f"{base + DOWNLOAD} (report {report}): the CSV holds {rows:,} rows, "
            f"the report page counts {total:,}"
        )
    return total


def fetch_reports(
    client: RegistryClient, settings: FetchSettings, adapter: Adapter, reports: dict[str, int]
) -> RegistryData:
    base = settings.base_url.rstrip("/")
    folder = settings.extra.get("raw_dir")
    with tempfile.TemporaryDirectory() as scratch:
        target_dir = Path(folder) if folder else Path(scratch)
        target_dir.mkdir(parents=True, exist_ok=True)
        files, totals = {}, {}
        for table, report in reports.items():
            path = target_dir / f"{adapter.key}-{table}.csv"
            totals[table] = download_report(client, base, report, path)
            files[table] = path
        data = adapter.parse(files)
    data.counts = totals
    return data


# --- A project's own page: the only place CAR states its crediting period -----------------

PROJECT_PAGE = "/mymodule/reg/prjView.asp?id1={}"
# The page's labels (verbatim, without the colon) -> our field. CAR's crediting period
# starts with the first reporting period and ends when the page says it expires.
PAGE_DATES = {
    "project reporting start date": c.CREDITING_PERIOD_START,
    "crediting period expires": c.CREDITING_PERIOD_END,
}


class _Cells(HTMLParser):
    """The text of every table cell, in order."""

    def __init__(self):
        super().__init__()
        self.cells: list[str] = []
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th"):
            self.cells.append("")
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and self.cells:
            self.cells[-1] += data


def page_dates(html: str) -> dict[str, str]:
    """Our crediting period fields from a project page: the cell after each known label."""
    parser = _Cells()
    parser.feed(html)
    cells = [" ".join(cell.split()) for cell in parser.cells]
    found = {}
    for index, cell in enumerate(cells[:-1]):
        field = PAGE_DATES.get(cell.rstrip(":").strip().casefold())
        if field and field not in found:
            found[field] = cells[index + 1]
    return found


def crediting_periods(client: RegistryClient, base: str, ids: pd.Series) -> pd.DataFrame:
    """Each project's crediting period from its page (one request a project). A page that
    is not the project's ("Invalid URL" with 200, another project) fails the registry."""
    rows = []
    for project_id in ids.dropna().astype(str):
        number = re.search(r"(\d+)$", project_id)
        if number is None:
            continue
        url = base + PROJECT_PAGE.format(number.group(1))
        page = client.request("GET", url, expect="html")
        text = page.text
        if "invalid url" in text.casefold():
            raise FetchError(f"{url}: answered 'Invalid URL' with {page.status}, not {project_id}")
        if project_id.casefold() not in text.casefold():
            raise FetchError(f"{url}: the page does not name {project_id}: not its page")
        rows.append({c.PROJECT_ID: project_id, **page_dates(text)})
    frame = pd.DataFrame(rows, columns=[c.PROJECT_ID, *PAGE_DATES.values()])
    return frame.assign(**{field: dates(frame[field]) for field in PAGE_DATES.values()})


def with_crediting_periods(projects: pd.DataFrame, periods: pd.DataFrame) -> pd.DataFrame:
    """The projects with the crediting period their pages state (others keep theirs)."""
    stated = periods.set_index(c.PROJECT_ID)
    ids = projects[c.PROJECT_ID]
    return projects.assign(
        **{
            field: ids.map(stated[field]).fillna(projects[field]).astype("datetime64[ns]")
            for field in PAGE_DATES.values()
        }
    )
