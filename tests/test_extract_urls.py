"""URL resolution as a browser does it: absolute, percent-encoded, idempotent."""

from __future__ import annotations

import string
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy import Request
from w3lib.url import safe_url_string

from newsarchive.extract.urls import normalize_url, resolve_url

BASE = "https://vinhbao.haiphong.gov.vn/Portal/PrintItem.aspx?ContentID=135634"


@pytest.mark.parametrize(
    ("href", "want"),
    [
        (
            "/PortalFolders/ImageUploads/VINHBAO/12/Năm 2020/ảnh 1.jpg",
            "https://vinhbao.haiphong.gov.vn/PortalFolders/ImageUploads/VINHBAO/12/N%C4%83m%202020/%E1%BA%A3nh%201.jpg",
        ),
        ("x y.jpg", "https://vinhbao.haiphong.gov.vn/Portal/x%20y.jpg"),
        ("../a/./b/../c.pdf", "https://vinhbao.haiphong.gov.vn/a/c.pdf"),
        ("//cdn.haiphong.gov.vn/a.pdf", "https://cdn.haiphong.gov.vn/a.pdf"),
        (
            "/upload/x-1f.jpg?maxwidth=1000",
            "https://vinhbao.haiphong.gov.vn/upload/x-1f.jpg?maxwidth=1000",
        ),
        ("  /a\tb\n ", "https://vinhbao.haiphong.gov.vn/ab"),
        ("\\img\\a.jpg", "https://vinhbao.haiphong.gov.vn/img/a.jpg"),
        ("/a%20b.jpg", "https://vinhbao.haiphong.gov.vn/a%20b.jpg"),
        ("HTTPS://CDN.HaiPhong.gov.vn:443/A.pdf", "https://cdn.haiphong.gov.vn/A.pdf"),
        ("http://bücher.vn/x", "http://xn--bcher-kva.vn/x"),
        ("/q?a=ă b&c='", "https://vinhbao.haiphong.gov.vn/q?a=%C4%83%20b&c=%27"),
        # Encoded as Scrapy's Request encodes them (w3lib): the URL stored is the URL fetched.
        ("/p|^[x]", "https://vinhbao.haiphong.gov.vn/p%7C%5E%5Bx%5D"),
        ("/f/a|b^c{d} e.pdf", "https://vinhbao.haiphong.gov.vn/f/a%7Cb%5Ec%7Bd%7D%20e.pdf"),
        ("/a.jpg#zoom", "https://vinhbao.haiphong.gov.vn/a.jpg"),
    ],
)
def test_resolve(href: str, want: str) -> None:
    assert resolve_url(BASE, href) == want


@pytest.mark.parametrize(
    "href",
    [
        None,
        "",
        "  ",
        "javascript:void(0)",
        "mailto:a@b.vn",
        "data:image/png;base64,xx",
        "tel:0225",
        "http://[::1",
    ],
)
def test_not_resources(href) -> None:
    assert resolve_url(BASE, href) is None


path_chars = st.text(
    alphabet=st.sampled_from(
        list(string.ascii_letters + string.digits + " -_./%?#&=ăâđêôơưĐÁàảãạ\\|^{}`\"<>'")
    ),
    max_size=60,
)


@given(path_chars)
@settings(max_examples=500)
def test_resolved_urls_are_clean_and_stable(href: str) -> None:
    url = resolve_url(BASE, href)
    if url is None:
        return
    assert url.isascii()
    assert not any(c in url for c in ' "<>\t\n')  # ` may stay in a query, as in browsers
    parts = urlsplit(url)
    assert parts.scheme == "https" and parts.hostname
    assert normalize_url(url) == url  # idempotent
    assert resolve_url(BASE, url) == url  # absolute URLs resolve to themselves


@given(path_chars)
@settings(max_examples=300)
def test_canonical_url_is_what_scrapy_fetches(href: str) -> None:
    url = resolve_url(BASE, href)
    if url is None:
        return
    assert Request(url).url == url
    assert safe_url_string(url) == url


@given(st.text(max_size=80))
@settings(max_examples=500)
def test_never_raises(text: str) -> None:
    resolve_url(BASE, text)
    normalize_url(text)
    resolve_url(text, "/x")
