"""A re-check that yields no article keeps the archived version; the failed capture is kept
in the WARC and the index's captures."""

from __future__ import annotations

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.reliability.hostile_server import (
    HostileServer,
    Reply,
    article_html,
    article_path,
    crawl,
    listing_html,
    rows,
)

TITLE = "Hội nghị tổng kết công tác năm"

BAD_ANSWERS = {
    "empty-200": Reply(200, b""),
    "blank-200": Reply(200, b"   \r\n\r\n  "),
    "json": Reply(200, b'{"error": "maintenance"}', {"Content-Type": "application/json"}),
    "binary": Reply(200, bytes(range(256)) * 40, {"Content-Type": "application/octet-stream"}),
    "no-markup": Reply(200, "Hệ thống đang bảo trì".encode(), {"Content-Type": "text/html"}),
    "empty-html": Reply(200, b"<html><head></head><body></body></html>"),
}


def _warc_responses(data, url: str) -> int:
    n = 0
    for path in (data / "warc").glob("*.warc.gz"):
        with path.open("rb") as f:
            for record in ArchiveIterator(f):
                if record.rec_type in ("response", "revisit") and (
                    record.rec_headers.get_header("WARC-Target-URI") == url
                ):
                    n += 1
    return n


@pytest.fixture(scope="module")
def rechecked(tmp_path_factory):
    """One site, one article per bad answer: crawled good, then re-checked bad."""
    data = tmp_path_factory.mktemp("recheck")
    names = sorted(BAD_ANSWERS)
    server = HostileServer().start()
    try:
        links = [(article_path(n), f"{TITLE} {name}") for n, name in enumerate(names)]
        server.route("/", Reply(body=listing_html(links)))
        for n, name in enumerate(names):
            server.route(article_path(n), Reply(body=article_html(f"{TITLE} {name}")))
        first = crawl(f"{server.base}/", data)
        assert first.returncode == 0, first.stderr[-2000:]
        before = rows(data, "SELECT url, title, body, version FROM articles ORDER BY url")
        for n, name in enumerate(names):
            server.route(article_path(n), BAD_ANSWERS[name])
        crawl(f"{server.base}/", data, "--recheck-hours", "0")
        hits = {name: len(server.hits(article_path(n))) for n, name in enumerate(names)}
    finally:
        server.stop()
    urls = {name: f"{server.base}{article_path(n)}" for n, name in enumerate(names)}
    return data, before, hits, urls


@pytest.mark.parametrize("answer", sorted(BAD_ANSWERS))
def test_recheck_without_an_article_keeps_the_version(rechecked, answer):
    data, before, hits, urls = rechecked
    url = urls[answer]
    assert hits[answer] == 2  # it was re-checked
    old = [r[1:] for r in before if r[0] == url]
    assert old and old[0][0] == f"{TITLE} {answer}"
    after = rows(data, "SELECT title, body, version FROM articles WHERE url = ?", (url,))
    assert after == old


@pytest.mark.parametrize("answer", sorted(BAD_ANSWERS))
def test_failed_capture_is_archived(rechecked, answer):
    data, _, _, urls = rechecked
    url = urls[answer]
    assert rows(data, "SELECT count(*) FROM captures WHERE url = ?", (url,)) == [(2,)]
    assert _warc_responses(data, url) == 2


def test_no_blank_version_was_added(rechecked):
    data = rechecked[0]
    assert rows(data, "SELECT count(*) FROM article_versions") == [(len(BAD_ANSWERS),)]


def test_new_url_without_an_article_is_not_indexed_as_empty(tmp_path):
    server = HostileServer().start()
    try:
        server.route("/", Reply(body=listing_html([(article_path(1), TITLE)])))
        server.route(article_path(1), BAD_ANSWERS["empty-html"])
        crawl(f"{server.base}/", tmp_path)
    finally:
        server.stop()
    assert rows(tmp_path, "SELECT url, title FROM articles") == []
    assert rows(tmp_path, "SELECT count(*) FROM captures WHERE kind = 'page'") == [(1,)]
