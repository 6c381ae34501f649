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

from app.etl.http import FetchError, RegistryClient
from app.etl.registries.base import Adapter, FetchSettings, RegistryData
from app.etl.registries.exports import read_export

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
