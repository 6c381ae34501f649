"""Each fetcher against a local server answering like its registry (recorded responses):
the same records the export parser gives, and every silent failure caught."""

import pandas as pd
import pytest

from app.etl import columns as c
from app.etl.errors import SourceError
from app.etl.http import FetchError, HttpSettings, RegistryClient
from app.etl.registries import ADAPTERS, art, car, verra_api
from app.etl.registries.base import FetchSettings
from tests.etl.registries import servers
from tests.etl.registries.test_exports import parsed

CAR_BUFFER = servers.FIXTURES / "car" / "buffer.csv"


def client(**overrides) -> RegistryClient:
    settings = {
        "user_agent": "Mozilla/5.0 (compatible; CarbonScope/test)",
        "attempts": 2,
        "backoff": 0.01,
        "max_wait": 1,
        "pace": 0,
        "read_timeout": 5,
    }
    return RegistryClient(HttpSettings(**{**settings, **overrides}), sleep=lambda s: None)


def fetch(key: str, httpserver, path: str, **extra):
    settings = FetchSettings(
        base_url=httpserver.url_for(path),
        extra={"config_url": httpserver.url_for("/verra/config/environment.config.json"), **extra},
    )
    with client() as http:
        return ADAPTERS[key].fetch(http, settings)


def records(frame: pd.DataFrame, kinds=None) -> pd.DataFrame:
    """Credit records in a stable order, to compare two frames whatever their row order."""
    if kinds:
        frame = frame[frame[c.KIND].isin(kinds)]
    columns = list(c.CREDIT_RECORD_COLUMNS)
    return frame[columns].sort_values(columns, na_position="first").reset_index(drop=True)


def same_projects(fetched: pd.DataFrame, exported: pd.DataFrame, fields) -> None:
    left = fetched.set_index(c.PROJECT_ID).sort_index()[list(fields)]
    right = exported.set_index(c.PROJECT_ID).sort_index()[list(fields)]
    pd.testing.assert_frame_equal(left, right, check_dtype=False, check_index_type=False)


# --- CAR and ART: the report download is the export file itself ---------------------


@pytest.mark.parametrize(
    ("key", "folder", "reports"),
    [("car", "climate-action-reserve", car.REPORTS), ("art", "art-trees", art.REPORTS)],
)
def test_report_download_gives_exactly_the_export(httpserver, tmp_path, key, folder, reports):
    knobs = servers.serve_reports(httpserver, f"/{key}", folder, reports)
    data = fetch(key, httpserver, f"/{key}", raw_dir=str(tmp_path))
    recorded = (CAR_BUFFER,) if key == "car" else ()
    exported = parsed(key, with_recorded=recorded)
    # CAR's crediting period is on its project pages only (see the test below).
    dated = [c.CREDITING_PERIOD_START, c.CREDITING_PERIOD_END] if key == "car" else []
    pd.testing.assert_frame_equal(
        data.projects.drop(columns=dated), exported.projects.drop(columns=dated)
    )
    pd.testing.assert_frame_equal(data.credits, exported.credits)
    assert data.counts["retirements"] == (exported.credits[c.KIND] == c.RETIREMENT).sum()
    assert {call["FormatType"] for call in knobs.calls if "FormatType" in call} == {"csv"}
    assert (tmp_path / f"{key}-projects.csv").exists()  # the raw download is archived


def test_car_buffer_report_gives_deposits_and_releases(httpserver, tmp_path):
    servers.serve_reports(httpserver, "/car", "climate-action-reserve", car.REPORTS)
    data = fetch("car", httpserver, "/car")
    moved = data.credits[data.credits[c.KIND].isin([c.BUFFER, c.BUFFER_RELEASE])]
    laguna = moved[moved[c.PROJECT_ID] == "CAR1865"]
    assert laguna[[c.KIND, c.VINTAGE, c.QUANTITY]].values.tolist() == [
        [c.BUFFER, 2025, 16879],
        [c.BUFFER_RELEASE, 2021, 1200],
    ]
    assert laguna[c.TRANSACTION_DATE].tolist() == [
        pd.Timestamp("2026-03-27"),
        pd.Timestamp("2026-04-02"),
    ]
    reversal = moved[moved[c.PROJECT_ID] == "CAR531"]
    assert reversal[c.NOTE].tolist() == ["Compensation for an unavoidable reversal"]
    # The report replaces the issuances' "currently in the buffer" figures: CAR2084's 4,067
    # is a balance the report does not list as a movement.
    assert "CAR2084" not in set(moved[c.PROJECT_ID])
    assert data.counts["buffer"] == 7


def test_car_crediting_period_comes_from_the_project_pages(httpserver):
    knobs = servers.serve_reports(httpserver, "/car", "climate-action-reserve", car.REPORTS)
    data = fetch("car", httpserver, "/car")
    fire = data.projects.set_index(c.PROJECT_ID).loc["CAR1957"]
    assert fire[c.CREDITING_PERIOD_START] == pd.Timestamp("2024-04-05")
    assert fire[c.CREDITING_PERIOD_END] == pd.Timestamp("2034-04-05")
    pages = [call["project_page"] for call in knobs.calls if "project_page" in call]
    assert len(pages) == len(data.projects)  # one page a project, no more


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("html", r"HTML page with 200.*'Registry home'"),
        ("truncated", r"ends in the middle of a line: the file looks truncated"),
    ],
)
def test_a_broken_car_buffer_report_fails_car(httpserver, broken, message):
    knobs = servers.Knobs(broken={car.REPORTS["buffer"]: broken})
    servers.serve_reports(httpserver, "/car", "climate-action-reserve", car.REPORTS, knobs)
    with pytest.raises(SourceError, match=message):
        fetch("car", httpserver, "/car")


def test_a_car_project_page_answering_invalid_url_fails_car(httpserver):
    knobs = servers.Knobs(invalid_pages={"1460"})
    servers.serve_reports(httpserver, "/car", "climate-action-reserve", car.REPORTS, knobs)
    with pytest.raises(FetchError, match=r"id1=1460: answered 'Invalid URL' with 200, not CAR1460"):
        fetch("car", httpserver, "/car")


def test_a_stale_token_home_page_fails_the_report_download(httpserver):
    servers.serve_reports(
        httpserver, "/car", "climate-action-reserve", car.REPORTS, servers.Knobs(html=True)
    )
    with pytest.raises(FetchError, match=r"HTML page with 200.*'Registry home'"):
        fetch("car", httpserver, "/car")


def test_a_report_whose_rows_differ_from_the_page_total_fails(httpserver):
    servers.serve_reports(
        httpserver, "/car", "climate-action-reserve", car.REPORTS, servers.Knobs(total_offset=3)
    )
    with pytest.raises(FetchError, match=r"the CSV holds 50 rows, the report page counts 53"):
        fetch("car", httpserver, "/car")


# --- Verra ------------------------------------------------------------------------


def test_verra_api_gives_the_export_records(httpserver):
    servers.serve_verra(httpserver)
    data = fetch("verra", httpserver, servers.VERRA_PATH)
    exported = parsed("verra")
    kinds = (c.ISSUANCE, c.RETIREMENT)
    pd.testing.assert_frame_equal(records(data.credits, kinds), records(exported.credits, kinds))
    same_projects(
        data.projects,
        exported.projects,
        [f for f in exported.projects.columns if f != c.PROJECT_ID],
    )
    # The API tells cancellations apart (the CSV cannot).
    cancelled = data.credits[data.credits[c.KIND] == c.CANCELLATION]
    assert cancelled[[c.PROJECT_ID, c.VINTAGE, c.QUANTITY]].values.tolist() == [
        ["VCS1340", 2003, 1200]
    ]
    assert data.counts == {"project": 106, "issuances": 200, "retirements": 100, "cancellations": 1}


def test_verra_pages_are_400_rows_sorted_by_entity_id(httpserver):
    knobs = servers.serve_verra(httpserver)
    fetch("verra", httpserver, servers.VERRA_PATH)
    bodies = [body["searchFilter"] for _, body in knobs.calls]
    assert {b["pagination"]["limit"] for b in bodies} == {400}
    assert all(
        b["pagination"]["sortOptions"] == [{"sort": "entityId", "dir": "ASC"}] for b in bodies
    )


def test_verra_above_the_window_is_split_by_vintage_and_each_split_narrows(httpserver, monkeypatch):
    monkeypatch.setattr(verra_api, "WINDOW", 150)
    knobs = servers.serve_verra(httpserver)
    data = fetch("verra", httpserver, servers.VERRA_PATH)
    exported = parsed("verra")
    pd.testing.assert_frame_equal(
        records(data.credits, (c.ISSUANCE,)), records(exported.credits, (c.ISSUANCE,))
    )
    filters = [
        body["searchFilter"]["filterModel"]
        for resource, body in knobs.calls
        if resource == "issuances"
    ]
    assert any("vintage" in f for f in filters)
    assert all(body["searchFilter"]["pagination"]["start"] <= 150 for _, body in knobs.calls)


def test_verra_ignoring_a_filter_fails_saying_so(httpserver, monkeypatch):
    monkeypatch.setattr(verra_api, "WINDOW", 150)
    servers.serve_verra(httpserver, servers.Knobs(ignore_filters=True))
    with pytest.raises(FetchError, match=r"filter vintage=.* did not narrow .*ignored it"):
        fetch("verra", httpserver, servers.VERRA_PATH)


def test_verra_capped_page_fails(httpserver):
    servers.serve_verra(httpserver, servers.Knobs(cap=100))
    with pytest.raises(FetchError, match=r"page at 0 has 100 rows, expected 400 .*capped"):
        fetch("verra", httpserver, servers.VERRA_PATH)


def test_verra_total_differing_from_the_rows_fails(httpserver):
    servers.serve_verra(httpserver, servers.Knobs(total_offset=2))
    with pytest.raises(FetchError, match=r"Verra project: page at 0 has 106 rows.*of 108"):
        fetch("verra", httpserver, servers.VERRA_PATH)


def test_verra_spa_page_with_200_fails(httpserver):
    servers.serve_verra(httpserver, servers.Knobs(html=True))
    with pytest.raises(FetchError, match=r"answered an HTML page with 200"):
        fetch("verra", httpserver, servers.VERRA_PATH)


def test_verra_delta_asks_only_for_events_since_a_date(httpserver):
    knobs = servers.serve_verra(httpserver)
    settings = FetchSettings(
        base_url=httpserver.url_for(servers.VERRA_PATH),
        since="2026-04-08",
        extra={"config_url": httpserver.url_for("/verra/config/environment.config.json")},
    )
    with client() as http:
        data = ADAPTERS["verra"].fetch(http, settings)
    retired = data.credits[data.credits[c.KIND] == c.RETIREMENT]
    assert len(retired)
    assert (retired[c.TRANSACTION_DATE] > pd.Timestamp("2026-04-08")).all()
    sent = [body["searchFilter"]["filterModel"] for r, body in knobs.calls if r == "retirements"]
    assert sent[0] == {
        "retiredDate": {"filterType": "date", "type": "greaterThan", "dateFrom": "2026-04-08"}
    }


# --- Gold Standard ----------------------------------------------------------------


def test_gold_standard_api_gives_the_export_issuances_and_totals(httpserver):
    knobs = servers.serve_gold_standard(httpserver)
    data = fetch("gold_standard", httpserver, servers.GS_PATH)
    exported = parsed("gold_standard")
    left = records(data.credits, (c.ISSUANCE,))
    right = records(exported.credits, (c.ISSUANCE,))
    # Every block, retired or not, is an issuance: the export's issuances are among them.
    keys = [c.PROJECT_ID, c.VINTAGE, c.QUANTITY, c.SERIAL_RANGE, c.TRANSACTION_DATE]
    assert right[keys].merge(left[keys], how="left", indicator=True)["_merge"].eq("both").all()
    for kind in (c.RETIREMENT, c.CANCELLATION):
        assert (
            data.credits.loc[data.credits[c.KIND] == kind, c.QUANTITY].sum()
            == exported.credits.loc[exported.credits[c.KIND] == kind, c.QUANTITY].sum()
        )
    same_projects(data.projects.head(0), exported.projects.head(0), [c.NAME])
    water = data.projects.set_index(c.PROJECT_ID).loc["GLD23574"]
    assert water[c.CERTIFICATIONS].startswith("SDG 4; SDG 13")
    assert {args["size"] for name, args in knobs.calls if name == "projects"} == {"150"}
    assert {args["size"] for name, args in knobs.calls if name == "credits"} == {"25"}


def test_gold_standard_capped_page_fails(httpserver):
    servers.serve_gold_standard(httpserver, servers.Knobs(cap=20))
    with pytest.raises(FetchError, match=r"page 1 has 20 rows, expected 150.*capped"):
        fetch("gold_standard", httpserver, servers.GS_PATH)


# --- GreenTrace (ACR) -------------------------------------------------------------


def test_greentrace_gives_the_export_retirements_cancellations_and_projects(httpserver):
    knobs = servers.serve_greentrace(httpserver)
    data = fetch("acr", httpserver, servers.GREENTRACE_PATH)
    exported = parsed("acr")
    for kind in (c.RETIREMENT, c.CANCELLATION):
        pd.testing.assert_frame_equal(
            records(data.credits, (kind,)).drop(columns=[c.YEAR]),
            records(exported.credits, (kind,)).drop(columns=[c.YEAR]),
        )
    fields = [
        c.NAME,
        c.STATUS,
        c.COUNTRY,
        c.COUNTRY_CODE,
        c.CREDITING_PERIOD_START,
        c.CREDITING_PERIOD_END,
        c.VERIFIER,
    ]
    listed = exported.projects[exported.projects[c.PROJECT_ID].isin(data.projects[c.PROJECT_ID])]
    fetched = data.projects[data.projects[c.PROJECT_ID].isin(listed[c.PROJECT_ID])]
    same_projects(fetched, listed, fields)
    # One issuance per batch, with the batch's quantity; buffer blocks as buffer records.
    issued = data.credits[(data.credits[c.KIND] == c.ISSUANCE)]
    assert issued[[c.PROJECT_ID, c.VINTAGE, c.QUANTITY]].values.tolist() == [
        ["ACR885", 2024, 130668]
    ]
    buffer = data.credits[data.credits[c.KIND] == c.BUFFER]
    assert buffer[[c.PROJECT_ID, c.QUANTITY]].values.tolist() == [["ACR586", 4120]]
    assert all(form["max"] == "2000" for _, form in knobs.calls)


def test_greentrace_ignored_status_filter_fails(httpserver):
    servers.serve_greentrace(httpserver, servers.Knobs(ignore_filters=True))
    with pytest.raises(
        FetchError, match=r"holdingStatus=ISSUED but the reply holds \['holdings'\]"
    ):
        fetch("acr", httpserver, servers.GREENTRACE_PATH)


def test_greentrace_rate_limit_with_an_hour_retry_after_fails_the_run(httpserver):
    servers.serve_greentrace(httpserver, servers.Knobs(status=429, headers={"Retry-After": "3600"}))
    with pytest.raises(FetchError, match=r"retry after 3600 s"):
        fetch("acr", httpserver, servers.GREENTRACE_PATH)


def test_greentrace_401_block_fails_with_the_message(httpserver):
    servers.serve_greentrace(httpserver, servers.Knobs(status=401))
    with pytest.raises(FetchError, match=r"HTTP 401 .*Invalid API Key"):
        fetch("acr", httpserver, servers.GREENTRACE_PATH)


def test_greentrace_capped_page_fails(httpserver):
    servers.serve_greentrace(httpserver, servers.Knobs(cap=10))
    with pytest.raises(FetchError, match=r"gave 10 rows, expected .*capped"):
        fetch("acr", httpserver, servers.GREENTRACE_PATH)
