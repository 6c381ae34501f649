"""Downloads against a local HTTP server on 127.0.0.1: fine, slow, 404, truncated, oversized."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.etl.errors import SourceError
from app.etl.sources import download

BODY = b"x" * 5000


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/missing.zip":
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        declared = 10_000 if self.path == "/truncated.zip" else len(BODY)
        self.send_header("Content-Length", str(declared))
        self.end_headers()
        if self.path == "/slow.zip":
            time.sleep(2)
        self.wfile.write(BODY)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    # Quiet about readers that hang up (see FeedServer.handle_error in tests/news/conftest.py).
    httpd.handle_error = lambda request, client_address: None
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_download_streams_to_disk(server, tmp_path):
    path = download(f"{server}/offsets-db.csv.zip", tmp_path, timeout=5, max_bytes=10_000)
    assert path.name == "offsets-db.csv.zip"
    assert path.read_bytes() == BODY


def test_not_found_names_the_url(server, tmp_path):
    with pytest.raises(SourceError, match=r"missing.zip: HTTP 404"):
        download(f"{server}/missing.zip", tmp_path, timeout=5, max_bytes=10_000)
    assert list(tmp_path.iterdir()) == []


def test_slow_server_times_out(server, tmp_path):
    with pytest.raises(SourceError, match=r"slow.zip: download failed"):
        download(f"{server}/slow.zip", tmp_path, timeout=0.5, max_bytes=10_000)
    assert list(tmp_path.iterdir()) == []


def test_truncated_download_fails(server, tmp_path):
    with pytest.raises(SourceError, match=r"truncated.zip"):
        download(f"{server}/truncated.zip", tmp_path, timeout=5, max_bytes=100_000)
    assert list(tmp_path.iterdir()) == []


def test_oversized_download_is_refused(server, tmp_path):
    with pytest.raises(SourceError, match=r"over the 1,000 limit"):
        download(f"{server}/big.zip", tmp_path, timeout=5, max_bytes=1000)
    assert list(tmp_path.iterdir()) == []
