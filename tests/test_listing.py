"""Listing parsing: article links, categories and every pagination scheme, without Scrapy."""

from types import SimpleNamespace

from newsarchive.listing import Postback, page_number, parse_listing

PROFILE_C = SimpleNamespace(
    article_url_patterns=(r"^/[a-z0-9-]+/[a-z0-9-]+-\d{5,}$",),
    listing_url_patterns=(r"^/[a-z0-9-]+-\d{4,5}$",),
    next_page_xpaths=(),
)


def page(body: str) -> bytes:
    return f"<html><body>{body}</body></html>".encode()


def test_article_and_category_links_are_told_apart():
    html = page(
        '<nav><a href="/tin-tuc-su-kien-12001">Tin tức</a></nav>'
        '<a href="/tin-tuc-su-kien/le-hoi-651234">Lễ hội</a>'
        '<a href="https://other.example.org/x/y-123456">off site</a>'
    )
    listing = parse_listing(html, "https://haian.haiphong.gov.vn/", PROFILE_C)
    assert listing.article_urls == ["https://haian.haiphong.gov.vn/tin-tuc-su-kien/le-hoi-651234"]
    assert listing.listing_urls == ["https://haian.haiphong.gov.vn/tin-tuc-su-kien-12001"]


def test_query_pagination_follows_the_page_after_the_current_one():
    html = page(
        '<ul class="pagination"><a href="?page=1">1</a><a href="?page=2">2</a>'
        '<a href="?page=3">3</a><a href="?page=3">Trang sau</a></ul>'
    )
    listing = parse_listing(html, "https://h.gov.vn/tin-12001?page=2", PROFILE_C)
    assert listing.next_url == "https://h.gov.vn/tin-12001?page=3"


def test_path_pagination_with_next_text_only():
    html = page('<div class="paging"><a href="/Tin-tuc/trang-5">Sau</a></div>')
    listing = parse_listing(html, "https://h.gov.vn/Tin-tuc/trang-4", None)
    assert listing.next_url == "https://h.gov.vn/Tin-tuc/trang-5"


def test_rel_next_wins():
    html = b'<html><head><link rel="next" href="/list?p=9"></head><body></body></html>'
    assert (
        parse_listing(html, "https://h.gov.vn/list?p=8", None).next_url
        == "https://h.gov.vn/list?p=9"
    )


def test_last_page_has_no_next():
    html = page('<a href="?page=1">1</a><a href="?page=2">2</a>')
    assert parse_listing(html, "https://h.gov.vn/c-1?page=2", PROFILE_C).next_url is None


def test_aspnet_postback_pager_gives_the_next_postback():
    html = page(
        "<form id='aspnetForm'>"
        "<a href=\"javascript:__doPostBack('ctl00$MainContent$pager','Page$2')\">2</a>"
        "<a href=\"javascript:__doPostBack('ctl00$MainContent$pager','Page$3')\">3</a>"
        "</form>"
    )
    listing = parse_listing(
        html, "https://v.gov.vn/Portal/Default.aspx?CategoryID=3", None, current_page=2
    )
    assert listing.next_url is None
    assert listing.next_postback == Postback("ctl00$MainContent$pager", "Page$3", 3)


def test_page_number_schemes():
    assert page_number("https://h/x?page=7") == 7
    assert page_number("https://h/Tin-tuc/trang-12") == 12
    assert page_number("https://h/tin-tuc-su-kien-12001") is None


def test_garbage_input_gives_an_empty_listing():
    assert parse_listing(b"\x00\xff\xfe", "https://h/", None).article_urls == []
    assert parse_listing(b"", "https://h/", None).next_url is None


def test_a_charset_named_only_by_the_http_header_decodes_the_pager():
    # windows-1258 bytes, no meta charset: only the header tells how "Tiếp" is spelt.
    html = page('<a href="/tin/a-1">A</a><div><a href="/Tin-tuc?start=20">Tiê\u0301p</a></div>')
    html = html.decode().encode("cp1258")
    listing = parse_listing(html, "https://h.gov.vn/Tin-tuc", None, http_charset="windows-1258")
    assert listing.next_url == "https://h.gov.vn/Tin-tuc?start=20"
