"""scripts/serve-replaywebpage.py answers Range requests (wabac.js reads a WACZ by ranges)."""

from __future__ import annotations

import http.client
import importlib.util
import threading
from http.server import ThreadingHTTPServer

import pytest

from tests.replaysupport import ROOT

spec = importlib.util.spec_from_file_location(
    "serve_replaywebpage", ROOT / "scripts" / "serve-replaywebpage.py"
)
serve = importlib.util.module_from_spec(spec)
spec.loader.exec_module(serve)

BODY = bytes(range(256)) * 4


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("rwp")
    ui = root / "ui"
    ui.mkdir()
    (ui / "index.html").write_text("<!doctype html><title>app</title>")
    (ui / "sw.js").write_text("// worker")
    (root / "secret.txt").write_text("outside the UI folder")
    wacz = root / "x.wacz"
    wacz.write_bytes(BODY)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), serve.make_handler(ui.resolve(), wacz))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def request(port: int, path: str, headers: dict[str, str] | None = None, method: str = "GET"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_range_gives_206_with_the_bytes(server):
    status, headers, body = request(server, "/archive.wacz", {"Range": "bytes=10-19"})
    assert (status, body) == (206, BODY[10:20])
    assert headers["content-range"] == f"bytes 10-19/{len(BODY)}"


def test_open_and_suffix_ranges(server):
    assert request(server, "/archive.wacz", {"Range": "bytes=1000-"})[2] == BODY[1000:]
    assert request(server, "/archive.wacz", {"Range": "bytes=-5"})[2] == BODY[-5:]


def test_range_past_the_end_is_416(server):
    status, headers, _ = request(server, "/archive.wacz", {"Range": f"bytes={len(BODY)}-"})
    assert status == 416 and headers["content-range"] == f"bytes */{len(BODY)}"


def test_head_announces_ranges_and_size(server):
    status, headers, body = request(server, "/archive.wacz", method="HEAD")
    assert (status, headers["accept-ranges"], int(headers["content-length"]), body) == (
        200,
        "bytes",
        len(BODY),
        b"",
    )


def test_app_files_and_nothing_outside(server):
    assert request(server, "/")[2].startswith(b"<!doctype html>")
    assert request(server, "/sw.js?x=1")[0] == 200
    assert request(server, "/../secret.txt")[0] == 404
    assert request(server, "/%2e%2e/secret.txt")[0] == 404
