"""Profiles: selection by host and URL shape, crawl hints as data."""

from __future__ import annotations

import re

import pytest

from newsarchive.portals.profiles import PROFILES, Profile, get_profile, profile_for_url


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://haian.haiphong.gov.vn/tin-tuc-su-kien/giai-dua-thuyen-rong-680867", "haiphong-c"),
        ("https://vinhbao.haiphong.gov.vn/Portal/PrintItem.aspx?ContentID=135634", "haiphong-a"),
        (
            "https://lechan.haiphong.gov.vn/Diem-bao/Diem-bao-hang-ngay-ve-Hai-Phong-ngay-1152022-91682.html",
            "haiphong-b",
        ),
        ("https://haiphong.gov.vn/tin-tuc-su-kien-12001", "haiphong-c"),
        ("https://lechan.haiphong.gov.vn/Tin-tuc-Su-kien/trang-2", "haiphong-b"),
        ("https://vinhbao.haiphong.gov.vn/Portal/Default.aspx?CategoryID=3", "haiphong-a"),
        ("https://example.vn/tin-tuc/bai-1.html", "generic"),
        ("not a url", "generic"),
    ],
)
def test_profile_for_url(url: str, name: str) -> None:
    assert profile_for_url(url).name == name


def test_get_profile() -> None:
    assert get_profile("generic").is_generic
    assert not get_profile("haiphong-c").is_generic
    with pytest.raises(KeyError, match="known"):
        get_profile("nope")


@pytest.mark.parametrize("profile", list(PROFILES.values()), ids=lambda p: p.name)
def test_profiles_are_valid_data(profile: Profile) -> None:
    from lxml import etree

    from newsarchive.extract.dom import compile_css

    for patterns in (profile.article_url_patterns, profile.listing_url_patterns):
        for pattern in patterns:
            re.compile(pattern)
    for xpath in profile.next_page_xpaths:
        etree.XPath(xpath)
    for field in profile.selectors.__dataclass_fields__:
        for selector in getattr(profile.selectors, field):
            assert compile_css(selector) is not None, selector
    if profile.postback_pager:
        m = re.search(
            profile.postback_pager, "javascript:__doPostBack('ctl00$MainContent$pager','Page$3')"
        )
        assert m and m["target"] == "ctl00$MainContent$pager" and m["argument"] == "Page$3"
    assert profile.timezone == "Asia/Ho_Chi_Minh"


def test_family_hints() -> None:
    c = get_profile("haiphong-c")
    assert c.matches_host("haian.haiphong.gov.vn") and c.matches_host("haiphong.gov.vn")
    assert not c.matches_host("haiphong.gov.vn.evil.com")
    assert c.is_attachment_host("cdn.haiphong.gov.vn")
    assert c.is_listing_url("https://haian.haiphong.gov.vn/tin-tuc-su-kien-12001?page=3")
    assert get_profile("haiphong-a").postback_pager is not None
    assert get_profile("haiphong-c").postback_pager is None


def test_markup_of_another_generation_switches_profile() -> None:
    """A legacy generation-B URL answered (after a redirect) by a generation-C page."""
    from pathlib import Path

    from newsarchive.extract import extract

    page = Path(__file__).parent / "cases" / "extract" / "replica_c_seed" / "page.html"
    legacy = "https://haian.haiphong.gov.vn/Tin-tuc-Su-kien/Thuong-truc-Thanh-uy-91682.html"
    assert profile_for_url(legacy).name == "haiphong-b"
    article = extract(page.read_bytes(), legacy)
    assert article.profile == "haiphong-c"
    assert article.provenance["title"] == "profile"
    assert article.published == "2023-03-09T07:05:00+07:00"
    assert any("haiphong-c" in w for w in article.warnings)
