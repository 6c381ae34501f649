"""The registry HTTP client against a real local server: retries, limits, silent failures."""

import pytest
from werkzeug import Response

from app.etl.http import FetchError, HttpSettings, RegistryClient, retry_after_seconds, user_agent


def client(**overrides) -> tuple[RegistryClient, list[float]]:
    waits: list[float] = []
    settings = HttpSettings(
        user_agent=user_agent("test", "https://carbonscope.example/contact"),
        connect_timeout=2,
        read_timeout=2,
        attempts=3,
        backoff=0.01,
        max_wait=5,
        pace=0,
        **overrides,
    )
    return RegistryClient(settings, sleep=waits.append), waits


def test_user_agent_names_carbonscope_and_the_contact(httpserver):
    httpserver.expect_request(
        "/ua", headers={"User-Agent": "CarbonScope/test (+https://carbonscope.example/contact)"}
    ).respond_with_json({"ok": True})
    http, _ = client()
    assert http.request("GET", httpserver.url_for("/ua")).json() == {"ok": True}


def test_429_is_retried_after_the_seconds_retry_after_asks(httpserver):
    url = httpserver.url_for("/limited")
    httpserver.expect_ordered_request("/limited").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "2"}
    )
    httpserver.expect_ordered_request("/limited").respond_with_json([1, 2])
    http, waits = client()
    assert http.request("GET", url).json() == [1, 2]
    assert waits == [2.0]
    assert http.requests == 2


def test_a_retry_after_beyond_the_longest_wait_fails_at_once_saying_so(httpserver):
    httpserver.expect_request("/hour").respond_with_data(
        "", status=429, headers={"Retry-After": "3600"}
    )
    http, waits = client()
    with pytest.raises(FetchError, match=r"retry after 3600 s, longer than the 5 s"):
        http.request("GET", httpserver.url_for("/hour"))
    assert waits == []


def test_server_errors_are_retried_with_backoff_then_give_up(httpserver):
    httpserver.expect_request("/down").respond_with_data("", status=503)
    http, waits = client()
    with pytest.raises(FetchError, match=r"HTTP 503 .*gave up after 3 attempts"):
        http.request("GET", httpserver.url_for("/down"))
    assert len(waits) == 2
    assert all(0 < wait <= 5 for wait in waits)


def test_a_401_block_fails_with_what_the_registry_said(httpserver):
    httpserver.expect_request("/blocked").respond_with_json(
        {"message": "Invalid API Key"}, status=401
    )
    http, waits = client()
    with pytest.raises(FetchError, match=r"HTTP 401.*Invalid API Key"):
        http.request("GET", httpserver.url_for("/blocked"))
    assert waits == []


def test_an_html_page_answered_with_200_is_refused(httpserver):
    httpserver.expect_request("/spa").respond_with_data(
        "<!DOCTYPE html><html><head><title>Verra Registry</title></head></html>",
        content_type="text/html",
    )
    http, _ = client()
    with pytest.raises(FetchError, match=r"HTML page with 200.*'Verra Registry'"):
        http.request("POST", httpserver.url_for("/spa"))


def test_a_truncated_body_is_caught(httpserver):
    def cut_short(request):
        response = Response(b'{"entities": [1, 2', content_type="application/json")
        response.headers["Content-Length"] = "400"
        return response

    httpserver.expect_request("/cut").respond_with_handler(cut_short)
    http, _ = client()
    with pytest.raises(FetchError, match=r"connection broke off|not complete JSON"):
        http.request("GET", httpserver.url_for("/cut")).json()


def test_a_body_over_the_size_limit_is_refused(httpserver):
    httpserver.expect_request("/big").respond_with_data(b"x" * 5000, content_type="text/csv")
    http, _ = client(max_bytes=1000)
    with pytest.raises(FetchError, match=r"over the 1,000 byte limit|more than the 1,000"):
        http.request("GET", httpserver.url_for("/big"), expect="csv")


def test_requests_are_paced(httpserver):
    httpserver.expect_request("/paced").respond_with_json({})
    waits: list[float] = []
    http = RegistryClient(HttpSettings(user_agent="x", pace=10), sleep=waits.append)
    http.request("GET", httpserver.url_for("/paced"))
    http.request("GET", httpserver.url_for("/paced"))
    assert len(waits) == 1
    assert 9 < waits[0] <= 10


def test_retry_after_as_an_http_date():
    from datetime import UTC, datetime

    now = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)
    assert retry_after_seconds("Mon, 30 Nov 2026 03:02:00 GMT", now) == 120
    assert retry_after_seconds("soon", now) is None
