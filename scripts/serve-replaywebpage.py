#!/usr/bin/env python3
"""Serve ReplayWeb.page (its npm package's built files) and one WACZ on loopback.

    python3 scripts/serve-replaywebpage.py haian.wacz --port 8090
    # then open http://127.0.0.1:8090/?source=/archive.wacz in a browser on this machine

ReplayWeb.page reads a WACZ with HTTP Range requests and runs its replay in a service
worker, which browsers allow only in a secure context: http://127.0.0.1 and
http://localhost count, so the server binds to loopback. Standard library only: Python's
http.server does not answer Range requests, this one does (single ranges).
The files come from scripts/install-replaywebpage.sh (into .venv-tools/replaywebpage/).
"""

from __future__ import annotations

import argparse
import mimetypes
import re
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_UI = ROOT / ".venv-tools" / "replaywebpage"
WACZ_PATH = "/archive.wacz"  # the WACZ is always served here, whatever its file name
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")
_CHUNK = 1 << 20


def make_handler(ui_dir: Path, wacz: Path) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "newsarchive-replay"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # quiet: the test and the user watch the browser, not the log

        def do_HEAD(self) -> None:
            self._serve(head=True)

        def do_GET(self) -> None:
            self._serve(head=False)

        def _resolve(self) -> Path | None:
            path = self.path.split("?", 1)[0].split("#", 1)[0]
            if path == WACZ_PATH:
                return wacz
            if path == "/":
                path = "/index.html"
            target = (ui_dir / path.lstrip("/")).resolve()
            if ui_dir not in target.parents or not target.is_file():
                return None
            return target

        def _serve(self, head: bool) -> None:
            target = self._resolve()
            if target is None:
                self.send_error(HTTPStatus.NOT_FOUND)
                return
            size = target.stat().st_size
            start, end = 0, size - 1
            status = HTTPStatus.OK
            wanted = self.headers.get("Range")
            if wanted:
                m = _RANGE.match(wanted.strip())
                if not m or (not m.group(1) and not m.group(2)):
                    self._unsatisfiable(size)
                    return
                if m.group(1):
                    start = int(m.group(1))
                    end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
                else:  # suffix range: the last N bytes
                    start = max(size - int(m.group(2)), 0)
                if start > end or start >= size:
                    self._unsatisfiable(size)
                    return
                status = HTTPStatus.PARTIAL_CONTENT
            length = end - start + 1
            self.send_response(status)
            mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            if target.suffix == ".wacz":
                mime = "application/wacz"
            self.send_header("Content-Type", mime)
            self.send_header("Content-Length", str(length))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("Cache-Control", "no-store")
            if status == HTTPStatus.PARTIAL_CONTENT:
                self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
            if target.name == "sw.js":
                self.send_header("Service-Worker-Allowed", "/")
            self.end_headers()
            if head:
                return
            with open(target, "rb") as f:
                f.seek(start)
                left = length
                while left > 0:
                    chunk = f.read(min(_CHUNK, left))
                    if not chunk:
                        break
                    try:
                        self.wfile.write(chunk)
                    except (BrokenPipeError, ConnectionResetError):
                        return  # the browser cancelled a read it no longer needs
                    left -= len(chunk)

        def _unsatisfiable(self, size: int) -> None:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wacz", type=Path, help="the .wacz file to open (newsarchive wacz)")
    parser.add_argument("--port", type=int, default=8090, help="port on 127.0.0.1 (0: any)")
    parser.add_argument(
        "--ui",
        type=Path,
        default=DEFAULT_UI,
        help="ReplayWeb.page's files (index.html, ui.js, sw.js)",
    )
    args = parser.parse_args(argv)
    ui_dir = args.ui.resolve()
    if not (ui_dir / "sw.js").is_file():
        print(
            f"error: no ReplayWeb.page in {ui_dir}: run bash scripts/install-replaywebpage.sh",
            file=sys.stderr,
        )
        return 2
    if not args.wacz.is_file():
        print(f"error: no such WACZ file: {args.wacz}", file=sys.stderr)
        return 2
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(ui_dir, args.wacz))
    port = server.server_address[1]
    print(f"http://127.0.0.1:{port}/?source={WACZ_PATH}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
