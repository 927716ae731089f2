"""A hostile HTTP server for the reliability tests: every route is a function of the request,
so a test can change what a URL answers between two crawls; every request is logged (time,
path, Host header) so a test can measure what the crawler did.

Routes answer with `Reply` (status, headers, body) where the body may be an iterator of
chunks (endless or truncated bodies) and `raw=True` sends the bytes with no framing.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "text/html"})
    length: int | None = None  # Content-Length to announce (a lie makes a truncated body)


@dataclass
class Hit:
    at: float  # time.monotonic()
    method: str
    path: str
    host: str


Route = Callable[["Handler"], Reply]


class HostileServer:
    def __init__(self, address: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[Hit] = []
        self._lock = threading.Lock()
        server = self

        class _Handler(Handler):
            owner = server

        self.httpd = ThreadingHTTPServer((address, 0), _Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://{address}:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> HostileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def route(self, path: str, reply: Reply | Route) -> None:
        self.routes[path] = reply if callable(reply) else (lambda _h, r=reply: r)

    def hits(self, path: str | None = None) -> list[Hit]:
        with self._lock:
            return [h for h in self.log if path is None or h.path == path]

    def _record(self, hit: Hit) -> None:
        with self._lock:
            self.log.append(hit)


class Handler(BaseHTTPRequestHandler):
    owner: HostileServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self.owner._record(Hit(time.monotonic(), "GET", self.path, self.headers.get("Host", "")))
        route = self.owner.routes.get(self.path.split("?")[0])
        reply = route(self) if route else Reply(404, b"<html><body>not found</body></html>")
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if isinstance(reply.body, bytes):
                length = reply.length if reply.length is not None else len(reply.body)
                self.send_header("Content-Length", str(length))
                self.end_headers()
                self.wfile.write(reply.body)
                if length > len(reply.body):  # a truncated body: hang up early
                    self.close_connection = True
                return
            if reply.length is not None:
                self.send_header("Content-Length", str(reply.length))
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            for chunk in reply.body:
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


# -- pages -------------------------------------------------------------------------------

BODY = (
    "Chiều ngày 12/5, Ủy ban nhân dân huyện tổ chức hội nghị tổng kết công tác năm và triển "
    "khai nhiệm vụ trọng tâm của năm tới với sự tham dự của đại diện các xã, thị trấn. "
)


def article_html(title: str, extra_head: str = "", paragraphs: int = 4) -> bytes:
    paras = "".join(f"<p>Đoạn {i + 1}. {BODY * 2}</p>" for i in range(paragraphs))
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{title} | Cổng thông tin điện tử</title>{extra_head}</head><body>"
        "<div class='header'><a href='/'>Trang chủ</a></div>"
        f"<div class='main'><h1 class='title'>{title}</h1>"
        "<div class='date'>09/03/2023 07:05</div>"
        f"<div class='content'>{paras}</div></div>"
        "<div class='footer'>Bản quyền thuộc về Ủy ban nhân dân huyện</div></body></html>"
    ).encode()


def listing_html(links: list[tuple[str, str]]) -> bytes:
    items = "".join(
        f"<div class='item'><h3><a href='{href}'>{text}</a></h3><p>{BODY[:120]}</p></div>"
        for href, text in links
    )
    return (
        "<!doctype html><html><head><meta charset='utf-8'><title>Tin tức</title></head><body>"
        f"<div class='header'><a href='/'>Trang chủ</a></div><div class='list'>{items}</div>"
        "</body></html>"
    ).encode()


def gzip_bomb(size: int) -> bytes:
    """`size` bytes of zeros, gzipped (a few kB on the wire)."""
    return gzip.compress(b"\0" * size, compresslevel=9)


def endless(chunk: bytes = b"<p>" + b"x" * 8192 + b"</p>") -> Iterable[bytes]:
    while True:
        yield chunk


# -- crawling it ---------------------------------------------------------------------------


def crawl(start_url: str, data, *extra: str, timeout: float = 300, env=None):
    """`newsarchive crawl --url START --fast` in a subprocess (a reactor per crawl);
    `start_url` may instead name a site of the sites file that `env` points at."""
    import os
    import subprocess
    import sys

    target = ["--url", start_url] if "://" in start_url else [start_url]
    command = [
        sys.executable, "-m", "newsarchive", "crawl", *target,
        "--fast", "--no-progress", "--data", str(data), *extra,
    ]  # fmt: skip
    return subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )


def rows(data, sql: str, params: tuple = ()) -> list[tuple]:
    import sqlite3

    conn = sqlite3.connect(f"file:{data}/index.db?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def article_path(n: int) -> str:
    """An article URL shape the generic listing parser recognises (slug-ID.html)."""
    return f"/tin-tuc/hoi-nghi-tong-ket-cong-tac-nam-{1000 + n}.html"
