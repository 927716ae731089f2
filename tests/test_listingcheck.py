"""Changed listing entries: a known article listed under another headline is re-checked."""

from __future__ import annotations

import unicodedata

from newsarchive.crawl.listingcheck import changed_entries

BASE = "https://x.gov.vn/tin-tuc"
A = "https://x.gov.vn/tin-tuc/hoi-nghi-1"
B = "https://x.gov.vn/tin-tuc/dai-hoi-2"
TITLE_A = "Hội nghị tổng kết công tác năm 2024 của Đảng bộ xã"
TITLE_B = "Đại hội đại biểu Hội Nông dân xã lần thứ X"


def page(*items: str) -> str:
    return "<html><body><ul>" + "".join(items) + "</ul></body></html>"


def test_an_unchanged_listing_triggers_nothing():
    body = page(f'<li><a href="/tin-tuc/hoi-nghi-1">{TITLE_A}</a></li>')
    assert changed_entries(body, BASE, {A: TITLE_A}) == []


def test_a_changed_headline_is_reported():
    body = page(f'<li><a href="{A}">Hội nghị sơ kết công tác 6 tháng đầu năm 2025</a></li>')
    assert changed_entries(body, BASE, {A: TITLE_A}) == [A]


def test_a_truncated_headline_still_matches():
    body = page(
        f'<li><a href="{A}">{TITLE_A[:30]}...</a></li>', f'<a href="{B}">{TITLE_B[:25]}…</a>'
    )
    assert changed_entries(body, BASE, {A: TITLE_A, B: TITLE_B}) == []


def test_image_links_and_read_more_links_do_not_count():
    body = page(
        f'<li><a href="{A}"><img src="a.jpg"></a> <a href="{A}">Xem tiếp</a></li>',
    )
    assert changed_entries(body, BASE, {A: TITLE_A}) == []


def test_unicode_forms_and_spacing_do_not_count_as_a_change():
    nfd = unicodedata.normalize("NFD", TITLE_A).replace(" ", "\n  ")
    body = page(f'<li><a href="{A}">{nfd}</a></li>')
    assert changed_entries(body, BASE, {A: TITLE_A}) == []


def test_unknown_articles_are_not_reported():
    body = page(f'<li><a href="{B}">Một tiêu đề hoàn toàn khác hẳn</a></li>')
    assert changed_entries(body, BASE, {A: TITLE_A}) == []


def test_a_longer_headline_is_a_change():
    body = page(f'<li><a href="{A}">{TITLE_A} (cập nhật)</a></li>')
    assert changed_entries(body, BASE, {A: TITLE_A}) == [A]
