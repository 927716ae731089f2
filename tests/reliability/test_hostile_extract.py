"""Hostile pages handed straight to the extractor: out-of-range dates, a crashing stage."""

from __future__ import annotations

import importlib.metadata
import re

import pytest

from newsarchive.extract import extract
from newsarchive.extract import pipeline as extract_pipeline
from newsarchive.extract.dates import collect_warnings, find_date, parse_iso, parse_labelled

URL = "http://portal.example.vn/tin-tuc/bai-viet-so-1.html"
BODY = "Nội dung bài viết về hội nghị tổng kết công tác năm của huyện. " * 6


def _page(head: str = "", dateline: str = "") -> bytes:
    return (
        f"<html><head><title>Hội nghị tổng kết | Cổng thông tin</title>{head}</head><body>"
        f"<div class=menu><a href=/>Trang chủ</a></div><article><h1>Hội nghị tổng kết năm</h1>"
        f"{dateline}<p>{BODY}</p><p>Đoạn hai. {BODY}</p></article></body></html>"
    ).encode()


DOTNET_DATES = ["0001-01-01T00:00:00+07:00", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00"]


@pytest.mark.parametrize("value", DOTNET_DATES)
def test_out_of_range_meta_date_is_null_with_warning(value: str) -> None:
    meta = f'<meta property="article:published_time" content="{value}">'
    article = extract(_page(meta), URL)
    assert (article.published, bool(article.title), bool(article.paragraphs)) == (None, True, True)
    assert any("out of the supported range" in w for w in article.warnings), article.warnings


@pytest.mark.parametrize("value", DOTNET_DATES)
def test_out_of_range_time_element(value: str) -> None:
    article = extract(_page(dateline=f'<time datetime="{value}">{value}</time>'), URL)
    assert article.published is None and article.paragraphs


@pytest.mark.parametrize("text", ["Ngày đăng: 01/01/0001 00:00", "31/12/9999 23:59"])
def test_out_of_range_date_line(text: str) -> None:
    with collect_warnings() as warnings:
        assert find_date(text) is None
    assert warnings


@pytest.mark.parametrize("value", DOTNET_DATES)
def test_parse_iso_never_raises(value: str) -> None:
    assert parse_iso(value) is None


def test_crashing_stage_still_keeps_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """The catch-all never returns an empty article for a page that has content."""

    def boom(*args, **kwargs):
        raise OverflowError("date value out of range")

    monkeypatch.setattr(extract_pipeline, "analyse_head", boom)
    monkeypatch.setattr(extract_pipeline, "select_first", boom)
    article = extract(_page(), URL)
    assert article.title == "Hội nghị tổng kết năm"
    assert article.body.count("hội nghị tổng kết") == 12
    assert any(w.startswith("extraction failed") for w in article.warnings)


def test_dateparser_is_a_declared_dependency() -> None:
    requires = importlib.metadata.requires("newsarchive") or []
    base = [r for r in requires if "extra ==" not in r]
    assert any(re.match(r"dateparser\b", r) for r in base), base


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("Posted: March 9, 2023", "2023-03-09"),
        ("Published: 9 March 2023 07:05", "2023-03-09T07:05"),
        ("Ngày đăng: Thứ Năm, 9 Tháng Ba, 2023", "2023-03-09"),
    ],
)
def test_dateparser_fallback_reads_month_names(line: str, iso: str) -> None:
    hit = parse_labelled(line)
    assert hit is not None and hit.iso().startswith(iso), hit


def test_dateparser_fallback_does_not_guess() -> None:
    assert parse_labelled("Posted: yesterday") is None
    assert parse_labelled("Posted: March 2023") is None


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_export_survives_an_out_of_range_date_already_in_an_index(tmp_path, fmt) -> None:
    """An archive written elsewhere (or by an older version) may hold such a date."""
    from datetime import datetime, timezone

    from click.testing import CliRunner

    from archive.index import Index
    from newsarchive.cli import main

    with Index(tmp_path / "index.db") as index:
        crawl = index.start_crawl(["portal"], {})
        for n, value in enumerate(DOTNET_DATES):
            article = {"title": f"Bài {n}", "body": BODY, "published": value}
            when = datetime(2025, 1, 1, tzinfo=timezone.utc)
            index.record_article(crawl, "portal", f"{URL}?n={n}", None, article, when, None)
    out = tmp_path / f"a.{fmt}"
    result = CliRunner().invoke(main, ["export", "--out", str(out), "--data", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 0
