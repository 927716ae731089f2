"""Hostile input returns an Article with warnings; extract() never raises."""

from __future__ import annotations

import os
import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.extract import Article, extract
from newsarchive.extract.decode import decode_html

URL = "https://haian.haiphong.gov.vn/tin-tuc-su-kien/bai-viet-680867"
PAGE = (
    "<html><head><title>Tiêu đề bài - Cổng thông tin</title></head><body>"
    "<article class='vnp-news-detail'><h1 class='vnp-title'>Tiêu đề bài</h1>"
    "<div class='vnp-meta'><span class='vnp-date'>07:05 09/03/2023</span></div>"
    "<div class='vnp-sapo'>Đoạn mở đầu của bài viết, đủ dài để là một sapo thật sự.</div>"
    "<div class='vnp-content'><p style='text-align:justify'>Đoạn một của thân bài viết.</p>"
    "<p style='text-align:justify'>Đoạn hai của thân bài viết, dài hơn một chút.</p></div>"
    "</article></body></html>"
)


def _ok(article: Article) -> dict:
    assert isinstance(article, Article)
    d = article.to_dict()
    assert set(d) == {
        "url",
        "title",
        "published",
        "lead",
        "body",
        "images",
        "attachments",
        "tags",
        "provenance",
        "warnings",
    }
    return d


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   ",
        b"\x00\x01\x02",
        b"<",
        b"<html>",
        b"\xff\xfe",
        b"\xef\xbb\xbf",
        "<p>\udcff</p>".encode("utf-8", "surrogatepass"),
    ],
)
def test_degenerate_inputs(data: bytes) -> None:
    d = _ok(extract(data, URL))
    assert d["warnings"]


def test_random_bytes() -> None:
    rng = random.Random(7)
    for size in (1, 10, 1000, 100_000):
        _ok(extract(bytes(rng.randrange(256) for _ in range(size)), URL))
    _ok(extract(os.urandom(50_000), URL))


@given(st.binary(max_size=3000))
@settings(max_examples=150, deadline=None)
def test_any_bytes_never_raise(data: bytes) -> None:
    _ok(extract(data, URL))


@given(st.text(max_size=2000))
@settings(max_examples=150, deadline=None)
def test_any_text_never_raise(text: str) -> None:
    _ok(extract(text.encode("utf-8", "surrogatepass"), URL, http_charset="iso-8859-1"))


def test_truncated_html_keeps_what_arrived() -> None:
    data = PAGE.encode()
    for cut in range(0, len(data), 37):
        _ok(extract(data[:cut], URL))
    # Cut inside a multi-byte character ("Đ" is two bytes): still UTF-8, with a warning.
    d = _ok(extract(data[: data.index("Đoạn hai".encode()) + 1], URL))
    assert d["title"] == "Tiêu đề bài"
    assert any("UTF-8" in w for w in d["warnings"])


def test_ten_megabyte_page() -> None:
    filler = "<p style='text-align:justify'>" + "Nội dung lặp lại rất dài. " * 40 + "</p>"
    big = PAGE.replace("</div></article>", filler * 9000 + "</div></article>").encode()
    assert len(big) > 10_000_000
    start = time.perf_counter()
    d = _ok(extract(big, URL))
    assert time.perf_counter() - start < 30
    assert d["title"] == "Tiêu đề bài"
    assert d["body"].startswith("Đoạn một")


def test_one_huge_text_node() -> None:
    d = _ok(extract(b"<html><body><p>" + b"a" * 11_000_000 + b"</p></body></html>", URL))
    assert isinstance(d["body"], str)


def test_five_thousand_deep_nesting() -> None:
    deep = "<div>" * 5000 + "<p>Sâu lắm.</p>" + "</div>" * 5000
    for html in (
        deep,
        PAGE.replace("<div class='vnp-content'>", "<div class='vnp-content'>" + deep),
    ):
        d = _ok(extract(html.encode(), URL))
        assert any("limit" in w for w in d["warnings"])
        _ok(extract(html.encode(), URL, None))
    from newsarchive.portals.profiles import get_profile

    _ok(extract(("<span>" * 5000 + "x").encode(), URL, get_profile("generic")))
    _ok(extract(("<table><tr><td>" * 3000).encode(), URL, get_profile("generic")))


def test_bad_urls_and_types() -> None:
    for url in ("", "not a url", "ftp://x/y", "http://[::1", "javascript:alert(1)"):
        d = _ok(extract(PAGE.encode(), url))
        assert d["title"] == "Tiêu đề bài"
    _ok(extract(PAGE, URL))  # str accepted too
    _ok(extract(None, URL))  # type: ignore[arg-type]


def test_wrong_declared_charset_prefers_valid_utf8() -> None:
    text, warnings = decode_html(PAGE.encode(), "iso-8859-1")
    assert "Tiêu đề bài" in text and warnings
    text, _ = decode_html("<meta charset='windows-1258'><p>Vi\u1ec7t</p>".encode("utf-8"))
    assert "Việt" in text
    # Genuinely single-byte pages still decode with the declared charset.
    text, _ = decode_html("<p>café</p>".encode("latin-1"), "iso-8859-1")
    assert "café" in text
    text, _ = decode_html("\ufeff<p>Việt</p>".encode("utf-16"))
    assert "Việt" in text


def test_nfd_page_comes_out_nfc() -> None:
    import unicodedata

    d = _ok(extract(unicodedata.normalize("NFD", PAGE).encode(), URL))
    assert d["title"] == "Tiêu đề bài"
    assert unicodedata.is_normalized("NFC", d["body"])
