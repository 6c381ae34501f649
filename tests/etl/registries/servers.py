"""Local servers answering like each registry, from the recorded responses in
tests/fixtures/registries/ (served by pytest-httpserver, a real HTTP server).

Each ``serve_*`` installs the endpoints and returns a ``Knobs`` object whose fields
switch on one failure mode: a capped page, an ignored filter, an HTML page, ...
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

from werkzeug import Request, Response

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "registries"
EXPORTS = FIXTURES / "exports"
VERRA_PATH = "/verra/api"
GS_PATH = "/goldstandard"
GREENTRACE_PATH = "/greentrace/v1"


@dataclass
class Knobs:
    cap: int | None = None  # rows a page really holds, whatever was asked
    ignore_filters: bool = False
    html: bool = False  # answer the data request with an HTML page and 200
    total_offset: int = 0  # a total that differs from the rows served
    status: int | None = None  # answer every data request with this status
    headers: dict = field(default_factory=dict)
    calls: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # resource -> more recorded rows (new events)
    broken: dict = field(default_factory=dict)  # CAR/ART report number -> 'html' | 'truncated'
    invalid_pages: set = field(default_factory=set)  # project pages answering 'Invalid URL'


def _load(*parts: str):
    return json.loads(FIXTURES.joinpath(*parts).read_text())


HTML_PAGE = "<!DOCTYPE html><html><head><title>Registry home</title></head><body></body></html>"


def _html() -> Response:
    return Response(HTML_PAGE, content_type="text/html")


def serve_verra(httpserver, knobs: Knobs | None = None) -> Knobs:
    knobs = knobs or Knobs()
    projects = _load("verra", "project.json")
    countries = {str(p["resourceIdentifier"]): p.get("country") for p in projects}
    data = {
        name: sorted(
            _load("verra", f"{name}.json") + knobs.extra.get(name, []),
            key=lambda e: e.get("entityId") or e.get("entity_id"),
        )
        for name in ("project", "issuances", "retirements", "cancellations")
    }
    httpserver.expect_request("/verra/config/environment.config.json").respond_with_json(
        _load("verra", "environment.config.json")
    )

    def matches(entity: dict, name: str, rule: dict) -> bool:
        if name == "countryName":
            pid = str(entity.get("projectId") or entity.get("project_id") or "")
            value = countries.get(pid) or entity.get("country")
            return value == rule["filter"]
        value = str(entity.get(name) or "")
        if rule.get("type") == "greaterThan":
            return value[:10] > rule["dateFrom"]
        return value == rule["filter"]

    def search(request: Request) -> Response:
        resource = request.path.split("/")[-2]
        knobs.calls.append((resource, request.get_json()))
        if request.headers.get("appkey") != "recorded-test-key":
            return Response('{"error":"missing headers"}', status=500)
        if knobs.status:
            return Response("{}", status=knobs.status, headers=knobs.headers)
        if knobs.html:
            return _html()
        body = request.get_json()["searchFilter"]
        start, limit = body["pagination"]["start"], body["pagination"]["limit"]
        rows = data[resource]
        if not knobs.ignore_filters:
            for name, rule in (body.get("filterModel") or {}).items():
                rows = [e for e in rows if matches(e, name, rule)]
        page = rows[start : start + min(limit, knobs.cap or limit)]
        total = len(rows) + knobs.total_offset
        return Response(
            json.dumps(
                {
                    "entities": page,
                    "totalEntities": total,
                    "totalPages": -(-total // limit),
                    "first": start == 0,
                    "last": start + limit >= total,
                }
            ),
            content_type="application/json",
        )

    for resource in data:
        httpserver.expect_request(
            f"{VERRA_PATH}/{resource}/publicReportPageSearch", method="POST"
        ).respond_with_handler(search)
    return knobs


def serve_gold_standard(httpserver, knobs: Knobs | None = None) -> Knobs:
    knobs = knobs or Knobs()
    tables = {
        "projects": _load("gold_standard", "projects.json"),
        "credits": _load("gold_standard", "credits.json"),
    }

    def listing(request: Request) -> Response:
        name = request.path.rsplit("/", 1)[-1]
        knobs.calls.append((name, dict(request.args)))
        if "Mozilla" not in request.headers.get("User-Agent", ""):
            return Response("Cloudflare: browser check", status=403)
        if knobs.html:
            return _html()
        page, size = int(request.args["page"]), int(request.args["size"])
        if name == "credits" and size > 25:
            return Response("forbidden", status=403)
        size = min(size, 150, knobs.cap or size)  # the projects page silently caps at 150
        rows = tables[name]
        headers = {"X-Total-Count": str(len(rows) + knobs.total_offset)}
        if name == "credits":
            headers["X-Total-Number-Of-Credits"] = str(sum(r["number_of_credits"] for r in rows))
        return Response(
            json.dumps(rows[(page - 1) * size : page * size]),
            content_type="application/json",
            headers=headers,
        )

    for name in tables:
        httpserver.expect_request(f"{GS_PATH}/{name}").respond_with_handler(listing)
    return knobs


def serve_greentrace(
    httpserver, knobs: Knobs | None = None, tenant="registry/ACR_REGISTRY"
) -> Knobs:
    knobs = knobs or Knobs()
    summaries = _load("greentrace", "project-summaries.json")
    holdings = _load("greentrace", "holdings.json")
    buffer = _load("greentrace", "buffered-pool.json")
    keys = {"ISSUED": "issuedCredits", "RETIRED": "retiredCredits", "CANCELED": "cancelledCredits"}

    def results(request: Request) -> Response:
        if request.is_json or request.mimetype != "application/x-www-form-urlencoded":
            return Response('{"error":"Internal Server Error"}', status=500)
        form = {k: v[0] for k, v in parse_qs(request.get_data(as_text=True)).items()}
        knobs.calls.append((request.path, form))
        if knobs.status:
            return Response(
                '{"message":"Invalid API Key"}', status=knobs.status, headers=knobs.headers
            )
        if knobs.html:
            return _html()
        offset, size = int(form["offset"]), min(int(form["max"]), 2000, knobs.cap or 2000)
        if request.path.endswith("project-summaries/results"):
            key, rows = "projectSummaries", summaries
        elif request.path.endswith("buffered-pool/results"):
            key, rows = "bufferedPool", buffer
        else:
            status = form.get("holdingStatus")
            if status is None or knobs.ignore_filters:
                key, rows = "holdings", holdings
            else:
                key, rows = keys[status], [h for h in holdings if h["holdingStatus"] == status]
        dataset = {
            "rows": rows[offset : offset + size],
            "totalCount": len(rows) + knobs.total_offset,
        }
        return Response(json.dumps({"datasets": {key: dataset}}), content_type="application/json")

    for path in (
        "project/{t}/project-summaries/results",
        "credit/{t}/holding-summaries/results",
        "credit/{t}/buffered-pool/results",
    ):
        httpserver.expect_request(
            f"{GREENTRACE_PATH}/{path.format(t=tenant)}", method="POST"
        ).respond_with_handler(results)
    return knobs


def serve_reports(
    httpserver, prefix: str, folder: str, reports: dict[str, int], knobs: Knobs | None = None
) -> Knobs:
    """An APX report site (CAR, ART): report pages with the download form, then the CSV."""
    knobs = knobs or Knobs()
    token = secrets.token_hex(8)
    by_number = {number: _report_file(folder, table) for table, number in reports.items()}

    def page(request: Request) -> Response:
        number = int(request.args["r"])
        rows = by_number[number].read_bytes().rstrip(b"\r\n").count(b"\n")
        fields = "".join(
            f'<input type="hidden" name="{name}" value="{value}">'
            for name, value in {
                "c16e": token,
                "r": number,
                "FormatType": "xls",
                "ReportID": number,
            }.items()
        )
        response = Response(
            f"<html><body><div class='pager'>1 - 50 : {rows + knobs.total_offset:,}</div>"
            "<form name='frmDownload' method='post' action='../include/rptdownload.asp'>"
            f"{fields}</form>"
            "</body></html>",
            content_type="text/html",
        )
        response.set_cookie("ASPSESSIONID", "recorded")
        return response

    def download(request: Request) -> Response:
        knobs.calls.append(dict(request.form))
        stale = (
            request.form.get("c16e") != token or request.cookies.get("ASPSESSIONID") != "recorded"
        )
        number = int(request.form["r"])
        if knobs.html or stale or request.form.get("FormatType") != "csv":
            return _html()
        if knobs.broken.get(number) == "html":
            return _html()  # the home page, as a stale session gets
        body = by_number[number].read_bytes()
        if knobs.broken.get(number) == "truncated":
            body = body[: len(body) * 2 // 3]  # cut mid-line, as a dropped connection leaves it
        return Response(body, content_type="application/octet-stream")

    listed = _project_dates(folder)

    def project_page(request: Request) -> Response:
        number = request.args["id1"]
        knobs.calls.append({"project_page": number})
        if number in knobs.invalid_pages:
            return Response(
                "<html><body>Invalid URL, the Reserve Administrator has been notified!"
                "</body></html>",
                content_type="text/html",
            )
        project_id = f"{prefix.strip('/').upper()}{number}"
        start, expires = listed.get(project_id, ("", ""))
        cells = (
            ("Project ID:", project_id),
            ("Crediting Period:", "Initial" if start else ""),
            ("Project Reporting Start Date:", start),
            ("Crediting Period Expires:", expires),
        )
        rows = "".join(f"<tr><td>{label}</td><td>{value}</td></tr>" for label, value in cells)
        page = f"<html><body><table>{rows}</table></body></html>"
        return Response(page, content_type="text/html")

    httpserver.expect_request(f"{prefix}/myModule/rpt/myrpt.asp").respond_with_handler(page)
    httpserver.expect_request(
        f"{prefix}/myModule/include/rptdownload.asp", method="POST"
    ).respond_with_handler(download)
    httpserver.expect_request(f"{prefix}/mymodule/reg/prjView.asp").respond_with_handler(
        project_page
    )
    return knobs


def _report_file(folder: str, table: str) -> Path:
    """The recorded report: the real export sample, or (CAR's buffer pool report, which has
    no sample) our own recording in tests/fixtures/registries/car/."""
    if table == "buffer":
        return FIXTURES / "car" / "buffer.csv"
    return EXPORTS / folder / f"{table}.csv"


def _project_dates(folder: str) -> dict[str, tuple[str, str]]:
    """Recorded project pages: each listed project's reporting start (its listed date) and
    its crediting period's expiry ten years on, as the page writes them (MM/DD/YYYY)."""
    import pandas as pd

    projects = pd.read_csv(EXPORTS / folder / "projects.csv", dtype=str, keep_default_na=False)
    id_column = "Project ID" if "Project ID" in projects else "Program ID"
    listed_column = next((n for n in ("Project Listed Date",) if n in projects), None)
    dates = {}
    for _, row in projects.iterrows():
        listed = row[listed_column] if listed_column else ""
        if listed.count("/") == 2:
            month, day, year = listed.split("/")
            dates[row[id_column]] = (listed, f"{month}/{day}/{int(year) + 10}")
    return dates
