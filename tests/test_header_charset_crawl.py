"""A portal that names its charset (windows-1258) only in the HTTP header, with no meta
charset: its pager ("Tiếp") is found and its Vietnamese text is archived right. The
replica always declares UTF-8, so it never shows this."""

from __future__ import annotations

import unicodedata

import pytest

from tests.reliability.hostile_server import (
    HostileServer,
    Reply,
    article_html,
    article_path,
    crawl,
    listing_html,
    rows,
)

HEADER_ONLY = {"Content-Type": 'text/html; charset="windows-1258"'}
TITLES = [f"Hội nghị tổng kết công tác số {n}" for n in range(6)]


def cp1258(text: str) -> bytes:
    """windows-1258 bytes of `text`: precomposed where the code page has the letter
    (â, ê, ô, ă, ơ, ư, đ), the tone marks as combining characters after it."""
    out = []
    for char in text:
        base, *marks = unicodedata.normalize("NFD", char)
        for i, mark in enumerate(marks):
            letter = unicodedata.normalize("NFC", base + mark)
            if len(letter) == 1 and letter.encode("cp1258", "ignore"):
                base, marks = letter, marks[:i] + marks[i + 1 :]
                break
        out.append((base + "".join(marks)).encode("cp1258"))
    return b"".join(out)


def page(html: bytes) -> Reply:
    text = html.decode().replace("<meta charset='utf-8'>", "")
    return Reply(body=cp1258(text), headers=HEADER_ONLY)


def listing(handler) -> Reply:
    second = "start=3" in handler.path
    links = [(article_path(n), TITLES[n]) for n in (range(3, 6) if second else range(3))]
    html = listing_html(links)
    if not second:
        html = html.replace(
            b"</body>", "<div><a href='/tin-tuc?start=3'>Tiếp</a></div></body>".encode()
        )
    return page(html)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    data = tmp_path_factory.mktemp("header-charset")
    server = HostileServer().start()
    try:
        server.route("/tin-tuc", listing)
        for n, title in enumerate(TITLES):
            server.route(article_path(n), page(article_html(title)))
        result = crawl(f"{server.base}/tin-tuc", data)
    finally:
        server.stop()
    return data, result


def test_the_header_charset_pager_is_followed(crawled):
    data, result = crawled
    assert result.returncode == 0, result.stderr[-3000:]
    titles = {t for (t,) in rows(data, "SELECT title FROM articles")}
    assert titles == set(TITLES), titles
