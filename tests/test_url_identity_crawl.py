"""One URL identity, end to end: an attachment whose path holds `|`, `^`, `{` and a space is
fetched once, matched to its index row, and not fetched again on the next run.

A tiny local server (not the replica: it must serve exactly these awkward names) logs every
request path as the client sent it on the wire.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.crawlsupport import run_crawl

FILE_PATH = "/files/báo cáo|v2^{final} 2024.pdf"  # raw, as the page writes it
ARTICLE_PATH = "/tin-tuc/hoi-nghi-tong-ket-cong-tac-nam-2024-123456"
PDF = b"%PDF-1.4\n% identity test\n%%EOF\n"


def _home() -> bytes:
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>UBND phường</title>
</head><body><ul class="news">
<li><a href="{ARTICLE_PATH}">Hội nghị tổng kết công tác năm 2024</a> 12/01/2025</li>
</ul></body></html>""".encode()


def _article() -> bytes:
    body = " ".join(["Hội nghị đánh giá kết quả thực hiện nhiệm vụ chính trị năm 2024."] * 4)
    return f"""<!doctype html><html><head><meta charset="utf-8">
<title>Hội nghị tổng kết công tác năm 2024 - UBND phường</title></head><body>
<h1>Hội nghị tổng kết công tác năm 2024</h1><div>Ngày đăng: 12/01/2025 | 08:30</div>
<div><p>{body}</p><p>{body}</p></div>
<div><b>File đính kèm:</b> <a href="{FILE_PATH}">Báo cáo tổng kết</a></div>
</body></html>""".encode()


class _Server:
    def __init__(self) -> None:
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's API
                server.requests.append(self.path)
                path = unquote(self.path)
                if self.path == "/":
                    self._send(200, "text/html; charset=utf-8", _home())
                elif path == ARTICLE_PATH:
                    self._send(200, "text/html; charset=utf-8", _article())
                elif path == FILE_PATH:
                    self._send(200, "application/pdf", PDF)
                else:
                    self._send(404, "text/plain", b"not found")

            def _send(self, status: int, ctype: str, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def file_fetches(self) -> int:
        return sum(1 for p in self.requests if unquote(p) == FILE_PATH)


@pytest.fixture(scope="module")
def server() -> Iterator[_Server]:
    s = _Server()
    s.thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


@pytest.fixture(scope="module")
def two_runs(server: _Server, tmp_path_factory: pytest.TempPathFactory) -> dict:
    data = tmp_path_factory.mktemp("identity")
    extra = ("--url", f"http://127.0.0.1:{server.port}/", "--profile", "generic")
    first = run_crawl(0, data, extra=extra)
    after_first = server.file_fetches()
    second = run_crawl(0, data, extra=extra)
    return {
        "data": data,
        "runs": (first, second),
        "after_first": after_first,
        "after_second": server.file_fetches(),
        "requests": list(server.requests),
    }


def _rows(db: Path) -> list[tuple]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute("select url, warc_file, sha256 from attachments").fetchall()


def test_both_runs_succeed(two_runs: dict) -> None:
    for run in two_runs["runs"]:
        assert run.returncode == 0, run.stderr[-3000:]


def test_file_fetched_once_in_first_run(two_runs: dict) -> None:
    assert two_runs["after_first"] == 1, two_runs["requests"]


def test_file_matched_to_its_row(two_runs: dict) -> None:
    rows = _rows(two_runs["data"] / "index.db")
    assert len(rows) == 1, rows
    url, warc_file, sha = rows[0]
    assert warc_file is not None and sha is not None, rows
    # The stored URL is the one on the wire: every awkward character escaped.
    wire = next(p for p in two_runs["requests"] if p.startswith("/files/"))
    assert url.endswith(wire), (url, wire)
    assert not any(c in url for c in "|^{} ")


def test_file_not_fetched_again_on_next_run(two_runs: dict) -> None:
    assert two_runs["after_second"] == 1, two_runs["requests"]
