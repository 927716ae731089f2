"""Date reading: every form the portals print, property-based round trips, no guessing."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.extract.dates import find_date, get_tz, parse_iso

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("07:05 09/03/2023", "2023-03-09T07:05:00+07:00"),
        ("09/03/2023 07:05", "2023-03-09T07:05:00+07:00"),
        ("Thời gian: 11/05/2022 12:15", "2022-05-11T12:15:00+07:00"),
        ("Thứ Năm, 09/03/2023 - 07:05", "2023-03-09T07:05:00+07:00"),
        ("Ngày 09/03/2019", "2019-03-09T00:00:00+07:00"),
        ("9 tháng 3 năm 2019", "2019-03-09T00:00:00+07:00"),
        ("ngày 09 tháng 03, 2019", "2019-03-09T00:00:00+07:00"),
        ("Cập nhật: 09/03/2019 07:05", "2019-03-09T07:05:00+07:00"),
        ("07:05 09/03/2023 Lượt xem: 123", "2023-03-09T07:05:00+07:00"),
        ("Đăng lúc 7h05 ngày 9-3-2023", "2023-03-09T07:05:00+07:00"),
        ("02:30 CH 09/03/2023", "2023-03-09T14:30:00+07:00"),
        ("9.3.2023", "2023-03-09T00:00:00+07:00"),
    ],
)
def test_forms(text: str, iso: str) -> None:
    hit = find_date(text)
    assert hit is not None and hit.iso() == iso


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hôm qua",
        "31/02/2023",
        "13/13/2023",
        "Lượt xem: 2023",
        "0225.3885.123",
        "© 2015 - 2025",
        "09/03/23",
        "1/1/1800",
    ],
)
def test_no_guessing(text: str) -> None:
    assert find_date(text) is None


def test_iso_meta() -> None:
    assert parse_iso("2023-03-09T00:05:00Z").iso() == "2023-03-09T07:05:00+07:00"
    assert parse_iso("2023-03-09T07:05:00+07:00").iso() == "2023-03-09T07:05:00+07:00"
    assert parse_iso("2023-03-09T07:05:00.123+0700").iso() == "2023-03-09T07:05:00+07:00"
    assert parse_iso("2023-03-09").iso() == "2023-03-09T00:00:00+07:00"
    assert parse_iso("2023-03-09T07:05").iso() == "2023-03-09T07:05:00+07:00"
    assert parse_iso("hôm nay") is None and parse_iso("") is None and parse_iso(None) is None


def test_profile_format_first() -> None:
    hit = find_date("Ngày: 03/09/2023 07:05 | cập nhật 01/01/2024", ["Ngày: %d/%m/%Y %H:%M"])
    assert hit and hit.iso() == "2023-09-03T07:05:00+07:00"


moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0)
)


@given(moments, st.sampled_from(["time_first", "date_first", "weekday", "thoigian", "capnhat"]))
@settings(max_examples=300)
def test_round_trip_with_time(moment: datetime, form: str) -> None:
    d, t = moment.strftime("%d/%m/%Y"), moment.strftime("%H:%M")
    text = {
        "time_first": f"{t} {d}",
        "date_first": f"{d} {t}",
        "weekday": f"{WEEKDAYS[moment.weekday()]}, {d} - {t}",
        "thoigian": f"Thời gian: {d} {t}",
        "capnhat": f"Cập nhật: {d} {t}",
    }[form]
    hit = find_date(text)
    assert hit is not None and hit.has_time
    assert hit.value == moment.replace(tzinfo=get_tz())
    assert hit.iso().endswith("+07:00")


@given(moments, st.booleans())
@settings(max_examples=300)
def test_round_trip_date_only(moment: datetime, words: bool) -> None:
    text = (
        f"{moment.day} tháng {moment.month} năm {moment.year}"
        if words
        else f"Ngày {moment.day:02d}/{moment.month:02d}/{moment.year}"
    )
    hit = find_date(text)
    assert hit is not None and not hit.has_time
    assert hit.value == moment.replace(hour=0, minute=0, tzinfo=get_tz())


@given(st.text(max_size=300))
@settings(max_examples=500)
def test_never_raises_and_valid_when_found(text: str) -> None:
    hit = find_date(text)
    if hit is not None:
        assert 1990 <= hit.value.year <= 2100
        assert hit.value.utcoffset() is not None
    parse_iso(text)
