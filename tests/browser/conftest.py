"""Browser fixtures: the app served on a random local port, and Debian's chromium.

Playwright drives /usr/bin/chromium; it never downloads a browser of its own.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from tests.conftest import sqlite_app_in_context, unavailable

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class LiveServer:
    """A real HTTP server in a thread, serving one app."""

    def __init__(self, app):
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture
def browser_app(tmp_path: Path):
    """An app on a fresh SQLite file, with CSRF on as in production."""
    with sqlite_app_in_context(tmp_path, csrf=True, database="browser.db") as app:
        yield app


@pytest.fixture
def live_server(browser_app):
    server = LiveServer(browser_app).start()
    yield server
    server.stop()


# Assertions wait as long as actions may: on a 2-core machine running the whole suite, a
# swap can take longer than Playwright's default 5 s without anything being wrong.
expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        unavailable(f"chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            # A real browser beside the rest of the suite on two cores: a swap that misses
            # its 10 s once is tried again (twice at most); a real fault fails every time.
            item.add_marker(pytest.mark.flaky(reruns=2, reruns_delay=1))
