"""Listing entries compared by date and teaser, on several listing markups (not only the
replica's): the precision the listing shows, truncated and re-spaced teasers, entry bounds."""

from __future__ import annotations

import unicodedata
from datetime import datetime, timezone

import pytest

from newsarchive.crawl.listingcheck import Indexed, change_reason, listed_entries

BASE = "https://x.gov.vn/tin-tuc"
A = "https://x.gov.vn/tin-tuc/hoi-nghi-1.html"
B = "https://x.gov.vn/tin-tuc/dai-hoi-2.html"
TITLE = "Hội nghị tổng kết công tác năm 2024 của Đảng bộ xã"
LEAD = (
    "Sáng ngày 9/3, Đảng bộ xã tổ chức hội nghị tổng kết công tác xây dựng Đảng năm 2024,"
    " triển khai nhiệm vụ trọng tâm năm 2025."
)
BODY = "Dự hội nghị có các đồng chí lãnh đạo huyện. Hội nghị đã thảo luận nhiều nội dung."
PUBLISHED = "2024-03-09T07:05:00+07:00"
KNOWN = Indexed(title=TITLE, published=PUBLISHED, lead=LEAD, body=BODY)
NOW = datetime(2024, 3, 9, 10, 0, tzinfo=timezone.utc)  # 17:00 in Hanoi

# One entry in several markups: {date} and {teaser} are filled per test.
MARKUPS = {
    "card": '<div class="item"><a href="/tin-tuc/hoi-nghi-1.html"><img src="a.jpg"></a>'
    '<h3><a href="/tin-tuc/hoi-nghi-1.html">{title}</a></h3><span class="d">{date}</span>'
    "<p>{teaser}</p></div>",
    "table": "<table><tr><td><a href='/tin-tuc/hoi-nghi-1.html'>{title}</a></td><td>{date}</td></tr>"
    "<tr><td colspan=2>{teaser}</td></tr></table>",
    "inline": '<ul><li><a href="{url}">{title}</a> ({date})<br>{teaser}'
    ' <a href="{url}">Xem tiếp</a></li></ul>',
    "card-link": '<article><a href="{url}"><h2>{title}</h2><p>{teaser}</p></a>'
    '<div class="meta">Đăng lúc: {date}</div></article>',
    "leading-date": '<div class="news"><a href="{url}" class="t">{title}</a>'
    '<div class="sum">{date} - {teaser}</div></div>',
}


def page(markup: str, date: str = "09/03/2024", teaser: str = LEAD, title: str = TITLE) -> str:
    item = MARKUPS[markup].format(url=A, title=title, date=date, teaser=teaser)
    other = f'<div class="item"><h3><a href="{B}">Đại hội đại biểu Hội Nông dân xã</a></h3></div>'
    return f"<html><body><h1>Tin tức</h1>{item}{other}</body></html>"


def reason(body: str, known: Indexed = KNOWN, now: datetime = NOW) -> str | None:
    entries = listed_entries(body, BASE, {A}, page_articles={A, B}, now=now)
    assert A in entries, "the entry was not found"
    return change_reason(entries[A], known)


@pytest.mark.parametrize("markup", sorted(MARKUPS))
def test_an_entry_that_matches_the_index_is_no_change(markup):
    assert reason(page(markup)) is None


@pytest.mark.parametrize("markup", sorted(MARKUPS))
def test_a_listed_day_that_differs_is_a_date_change(markup):
    assert reason(page(markup, date="11/03/2024")) == "listing_date"


@pytest.mark.parametrize("markup", sorted(MARKUPS))
def test_a_changed_teaser_is_a_teaser_change(markup):
    teaser = "UBND xã tổ chức lễ ra quân giao nhận quân năm 2025 với sự tham gia của thanh niên."
    assert reason(page(markup, teaser=teaser)) == "listing_teaser"


def test_a_day_only_listing_is_compared_with_the_stored_day_not_its_time():
    # Stored 07:05 on 9 March (Hanoi); the listing shows the day only.
    assert reason(page("card", date="09/03/2024")) is None
    stored_utc = Indexed(title=TITLE, published="2024-03-09T00:05:00Z", lead=LEAD)
    assert reason(page("card", date="09/03/2024"), stored_utc) is None  # same local day


@pytest.mark.parametrize(
    "date, expected",
    [
        ("07:05 09/03/2024", None),
        ("09/03/2024 07:05", None),
        ("09.03.2024 | 07:05", None),
        ("Thứ Bảy, 09/03/2024 - 07:05", None),
        ("09/03/2024 08:30", "listing_date"),
        ("07:05 10/03/2024", "listing_date"),
    ],
)
def test_a_listed_time_is_compared_to_the_minute(date, expected):
    assert reason(page("table", date=date)) == expected


def test_a_listed_time_is_not_compared_with_a_stored_midnight():
    # The article page showed only the day: the index holds midnight, the listing a time.
    midnight = Indexed(title=TITLE, published="2024-03-09T00:00:00+07:00", lead=LEAD)
    assert reason(page("inline", date="09/03/2024 07:05"), midnight) is None
    assert reason(page("inline", date="10/03/2024 07:05"), midnight) == "listing_date"


@pytest.mark.parametrize(
    "date, expected",
    [
        ("10 giờ trước", None),  # 17:00 - 10 h = 07:00: stored 07:05
        ("9 hours ago", None),
        ("hôm nay", None),
        ("3 ngày trước", "listing_date"),
        ("hôm qua", "listing_date"),
        ("2 tuần trước", "listing_date"),
    ],
)
def test_a_relative_date_is_compared_within_its_unit(date, expected):
    assert reason(page("card", date=date)) == expected


def test_a_datetime_attribute_of_time_is_read():
    body = (
        f'<ul><li><a href="{A}">{TITLE}</a> <time datetime="2024-03-11T08:00:00+07:00">'
        "Thứ Hai</time></li></ul>"
    )
    assert reason(body) == "listing_date"


@pytest.mark.parametrize(
    "teaser",
    [
        LEAD[:70] + "...",
        LEAD[:55] + " …",
        LEAD[:40] + "[...]",
        unicodedata.normalize("NFD", LEAD).upper().replace(" ", " \n\t "),
        LEAD + " " + BODY[:30] + "…",  # the listing shows the lead and the body's start
    ],
)
def test_a_truncated_or_respaced_teaser_is_no_change(teaser):
    assert reason(page("card", teaser=teaser)) is None


def test_a_teaser_from_the_body_when_the_article_has_no_lead():
    known = Indexed(title=TITLE, published=PUBLISHED, lead=None, body=LEAD + "\n\n" + BODY)
    assert reason(page("inline", teaser=LEAD[:60] + "…"), known) is None


def test_a_date_inside_the_teaser_is_not_the_entry_date():
    teaser = "Ngày 15/4/2024, Đảng bộ xã sẽ tổ chức hội nghị sơ kết công tác quý I năm 2024."
    known = Indexed(title=TITLE, published=PUBLISHED, lead=teaser)
    body = f'<ul><li><a href="{A}">{TITLE}</a><p>{teaser}</p></li></ul>'
    assert reason(body, known) is None


def test_the_next_articles_teaser_is_not_this_ones():
    """Entries without a wrapper of their own: B's teaser sits in the shared list."""
    body = (
        f'<div class="list"><div><a href="{A}">{TITLE}</a><span>09/03/2024</span></div>'
        f'<div><a href="{B}">Đại hội đại biểu Hội Nông dân xã</a>'
        "<p>Một nội dung khác hẳn, về đại hội Hội Nông dân xã nhiệm kỳ 2024 - 2029.</p></div></div>"
    )
    entries = listed_entries(body, BASE, {A}, page_articles={A, B}, now=NOW)
    assert entries[A][0].teaser is None and entries[A][0].date is not None
    assert change_reason(entries[A], KNOWN) is None


def test_an_entry_showing_neither_date_nor_teaser_compares_the_headline_only():
    body = f'<table><tr><td><a href="{A}">{TITLE}</a></td></tr></table>'
    entries = listed_entries(body, BASE, {A}, page_articles={A}, now=NOW)
    assert entries[A][0].date is None and entries[A][0].teaser is None
    assert change_reason(entries[A], Indexed(title=TITLE, published="2020-01-01")) is None


@pytest.mark.parametrize("markup", sorted(MARKUPS))
def test_the_listing_parser_s_own_tree_gives_the_same_entries(markup):
    # The spider hands listed_entries the page parse_listing already parsed (one parse).
    from newsarchive.listing import parse_listing

    body = page(markup, date="08/03/2024", teaser="Một đoạn khác hẳn")
    doc = parse_listing(body.encode(), BASE).doc
    assert doc is not None
    from_doc = listed_entries("", BASE, {A}, page_articles={A, B}, now=NOW, doc=doc)
    assert from_doc == listed_entries(body, BASE, {A}, page_articles={A, B}, now=NOW)
    assert change_reason(from_doc[A], KNOWN) == "listing_date"
