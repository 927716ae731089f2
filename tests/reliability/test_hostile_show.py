"""`show --html` prints the page the article's content came from, bounded: not a later
404, not a failed re-check, never an unbounded inflate of a gzip bomb."""

from __future__ import annotations

import subprocess
import sys
import zlib
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from archive.index import Index
from archive.layout import DataDir
from archive.warc import WarcWriter
from newsarchive.cli import main
from tests.reliability.hostile_server import article_html

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)
BOMB_SIZE = 256 << 20  # inflates to 256 MiB


def _bomb(size: int) -> bytes:
    z = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = b"\0" * (1 << 20)
    return b"".join(z.compress(zeros) for _ in range(size >> 20)) + z.flush()


def _url(name: str) -> str:
    return f"http://portal.example.vn/tin-tuc/{name}-1001.html"


def _capture(warc, index, crawl, url, when, status, payload, headers=()):
    ex = warc.write_exchange(
        url,
        request_headers=[("User-Agent", "test")],
        status=status,
        reason=None,
        response_headers=[("Content-Type", "text/html; charset=utf-8"), *headers],
        payload=payload,
        ip="127.0.0.1",
        date=when,
    )
    return index.add_capture(
        crawl, url, fetched_at=when, http_status=status, kind="page", ref=ex.response
    )


def _article(title: str) -> dict:
    return {"title": title, "body": f"Nội dung của {title}."}


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> DataDir:
    data = DataDir(tmp_path_factory.mktemp("show-html"))
    bomb = _bomb(BOMB_SIZE)
    gz = [("Content-Encoding", "gzip")]
    with WarcWriter(data.warc_dir, fsync=False) as warc, Index(data.index_path) as index:
        crawl = index.start_crawl(["portal"], {})
        later = T0 + timedelta(days=7)
        for name in ("gone", "bombed", "bomb"):
            url = _url(name)
            page = bomb if name == "bomb" else article_html(f"Bài {name}")
            headers = gz if name == "bomb" else ()
            cid = _capture(warc, index, crawl, url, T0, 200, page, headers)
            index.record_article(crawl, "portal", url, url, _article(f"Bài {name}"), T0, cid)
        # The article now gone: a newer 404 capture.
        _capture(warc, index, crawl, _url("gone"), later, 404, b"<h1>404 Not Found</h1>")
        index.mark_gone(_url("gone"), later, 404)
        # A failed re-check that archived a gzip bomb (no new version was made from it).
        _capture(warc, index, crawl, _url("bombed"), later, 200, bomb, gz)
    return data


def _show(data: DataDir, *args: str):
    return CliRunner().invoke(main, ["show", "--html", "--data", str(data.root), *args])


@pytest.mark.parametrize("name", ["gone", "bombed"])
def test_html_is_the_capture_the_content_came_from(data: DataDir, name: str) -> None:
    result = _show(data, _url(name))
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == article_html(f"Bài {name}")


def test_a_bomb_is_cut_at_max_bytes_with_an_error(data: DataDir) -> None:
    result = _show(data, _url("bomb"), "--max-bytes", "100000")
    assert result.exit_code == 1
    assert len(result.stdout_bytes) == 100000
    assert "more than 100000 bytes" in result.stderr


def test_a_bomb_never_inflates_in_memory(data: DataDir, reliability_record) -> None:
    """Peak RSS of `show --html` on a 256 MiB bomb stays far below the bomb's size."""
    # VmHWM, not ru_maxrss: the latter survives exec and would report pytest's own peak.
    code = (
        "import re, sys\n"
        "from newsarchive.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:], standalone_mode=False)\n"
        "finally:\n"
        "    status = open('/proc/self/status').read()\n"
        "    print(re.search(r'VmHWM:\\s+(\\d+)', status).group(1), file=sys.stderr)\n"
    )
    args = ["show", "--html", _url("bomb"), "--data", str(data.root)]
    done = subprocess.run(
        [sys.executable, "-c", code, *args, "--max-bytes", str(BOMB_SIZE * 2)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    peak_mib = int(done.stderr.strip().splitlines()[-1]) / 1024
    reliability_record(
        "show --html on a gzip bomb",
        f"a stored page that inflates to {BOMB_SIZE >> 20} MiB",
        "streamed chunk by chunk, never held in memory",
        {"peak_rss_mib": round(peak_mib)},
    )
    assert peak_mib < 200, (peak_mib, done.stderr[-500:])
