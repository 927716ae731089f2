"""One crawl of a site whose article URLs answer with hostile bodies: 50 MB pages, a gzip
bomb, truncated and endless bodies, a wrong charset, 10,000-deep HTML, .NET min/max dates.
The crawl ends, what can be read is archived whole, nothing is stored as an empty article."""

from __future__ import annotations

import pytest

from tests.reliability.hostile_server import (
    BODY,
    HostileServer,
    Reply,
    article_html,
    article_path,
    crawl,
    endless,
    listing_html,
    rows,
)

HTML = {"Content-Type": "text/html; charset=utf-8"}


def _deep(levels: int) -> bytes:
    inner = article_html("Bài lồng sâu").split(b"<div class='main'>", 1)
    return inner[0] + b"<div>" * levels + b"<div class='main'>" + inner[1]


def _bomb(size: int) -> bytes:
    import zlib

    z = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = b"\0" * (1 << 20)
    return b"".join(z.compress(zeros) for _ in range(size >> 20)) + z.flush()


PAGES = {
    "huge": Reply(body=b"<html><body>" + b"<p>" + BODY.encode() * 2 + b"</p>" * 1 + b"x" * (50 << 20)),
    "bomb": Reply(body=_bomb(200 << 20), headers={**HTML, "Content-Encoding": "gzip"}),
    "truncated": Reply(body=article_html("Bài bị cắt")[:3000], length=100_000),
    "endless": Reply(body=endless(), headers=HTML),
    "bad-charset": Reply(body=article_html("Bài sai mã").decode().encode("cp1258", "replace"),
                         headers=HTML),
    "deep": Reply(body=_deep(10_000)),
    "dotnet-min": Reply(body=article_html(
        "Bài ngày tối thiểu",
        '<meta property="article:published_time" content="0001-01-01T00:00:00+07:00">')),
    "dotnet-max": Reply(body=article_html(
        "Bài ngày tối đa",
        '<meta property="article:published_time" content="9999-12-31T23:59:59Z">')),
    "plain": Reply(body=article_html("Bài bình thường")),
}  # fmt: skip
READABLE = ["bad-charset", "deep", "dotnet-min", "dotnet-max", "plain"]
UNREADABLE = ["huge", "bomb", "truncated", "endless"]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    data = tmp_path_factory.mktemp("hostile-pages")
    names = sorted(PAGES)
    server = HostileServer().start()
    try:
        server.route(
            "/", Reply(body=listing_html([(article_path(n), n_) for n, n_ in enumerate(names)]))
        )
        for n, name in enumerate(names):
            server.route(article_path(n), PAGES[name])
        result = crawl(f"{server.base}/", data, "-s", "RETRY_TIMES=1", timeout=600)
    finally:
        server.stop()
    urls = {name: f"{server.base}{article_path(n)}" for n, name in enumerate(names)}
    return data, result, urls


def test_the_crawl_ends_and_says_it_lost_pages(crawled):
    _, result, _ = crawled
    assert result.returncode != 0, "four pages could not be archived: the run must say so"
    assert "Traceback" not in result.stderr, result.stderr[-3000:]


@pytest.mark.parametrize("name", READABLE)
def test_readable_pages_are_archived_whole(crawled, name):
    data, _, urls = crawled
    got = rows(data, "SELECT title, length(body) FROM articles WHERE url = ?", (urls[name],))
    assert got and got[0][0] and got[0][1] > 500, got


@pytest.mark.parametrize("name", ["dotnet-min", "dotnet-max"])
def test_out_of_range_meta_date_falls_back_to_the_date_line(crawled, name):
    """The bogus meta date is ignored (null plus a warning); the visible date line wins."""
    data, _, urls = crawled
    got = rows(data, "SELECT published FROM articles WHERE url = ?", (urls[name],))
    assert got == [("2023-03-09T07:05:00+07:00",)]


@pytest.mark.parametrize("name", UNREADABLE)
def test_unreadable_pages_are_not_indexed(crawled, name):
    data, _, urls = crawled
    assert rows(data, "SELECT count(*) FROM articles WHERE url = ?", (urls[name],)) == [(0,)]


def test_no_empty_article(crawled):
    data = crawled[0]
    empty = rows(
        data,
        "SELECT url FROM articles WHERE coalesce(title, '') = '' AND coalesce(body, '') = ''",
    )
    assert empty == []
