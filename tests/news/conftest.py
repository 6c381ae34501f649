"""A local feed server on 127.0.0.1: fixture files, plus slow, huge, failing and ETag feeds."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

FEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "news"
ETAG = '"feed-v1"'
LAST_MODIFIED = "Wed, 04 Mar 2026 12:00:00 GMT"


class FeedHandler(BaseHTTPRequestHandler):
    server: FeedServer

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self.server.requests.append((self.path, dict(self.headers)))
        route = self.path.split("?")[0].strip("/")
        if route.startswith("fixture/"):
            self._send(200, (FEEDS / route.removeprefix("fixture/")).read_bytes())
        elif route == "etag":
            self._etag()
        elif route == "slow":
            time.sleep(self.server.slow_seconds)
            self._send(200, (FEEDS / "good_rss.xml").read_bytes())
        elif route == "trickle":
            self._trickle()
        elif route == "huge":
            self._huge(declare_length=False)
        elif route == "huge-declared":
            self._huge(declare_length=True)
        elif route == "flaky":
            self.server.flaky_calls += 1
            if self.server.flaky_calls == 1:
                self._send(503, b"busy")
            else:
                self._send(200, (FEEDS / "good_rss.xml").read_bytes())
        else:
            self._send(404, b"no such feed")

    def _send(self, status: int, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _etag(self) -> None:
        if self.headers.get("If-None-Match") == ETAG:
            self.send_response(304)
            self.send_header("ETag", ETAG)
            self.end_headers()
            return
        body = (FEEDS / "good_rss.xml").read_bytes()
        self._send(200, body, {"ETag": ETAG, "Last-Modified": LAST_MODIFIED})

    def _trickle(self) -> None:
        """Headers at once, then a byte now and then: each read is quick, the whole is not."""
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()
        try:
            self.wfile.write(b'<rss version="2.0"><channel><title>Trickle</title>')
            self.wfile.flush()
            for _ in range(100):
                time.sleep(0.1)
                self.wfile.write(b" ")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the reader gave up, as it should

    def _huge(self, declare_length: bool) -> None:
        item = b"<item><title>x</title><link>https://huge.example/x</link></item>" * 1000
        total = 40 * len(item)
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        if declare_length:
            self.send_header("Content-Length", str(total))
        self.end_headers()
        try:
            self.wfile.write(b'<rss version="2.0"><channel><title>Huge</title>')
            for _ in range(40):
                self.wfile.write(item)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the reader gave up, as it should


class FeedServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), FeedHandler)
        self.requests: list[tuple[str, dict]] = []
        self.slow_seconds = 3.0
        self.flaky_calls = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_port}/{path}"

    def fixture(self, name: str) -> str:
        return self.url(f"fixture/{name}")

    def handle_error(self, request, client_address) -> None:
        # A reader that gives up early (timeouts, size caps) is what these tests provoke.
        # Python 3.11 formats a traceback with ast.parse, and its AST state is shared by
        # every thread: printing one here races the test thread building its app (werkzeug
        # compiles routes with ast.parse) into "AST constructor recursion depth mismatch".
        pass


@pytest.fixture
def feed_server():
    server = FeedServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
