"""`show` and `search` on hostile input: bad ids, crawled text carrying terminal commands."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from archive.index import Index
from archive.layout import DataDir
from newsarchive.cli import main

URL = "http://portal.example.vn/tin-tuc/bai-doc-hai.html"
# OSC window-title change ended by BEL, clear screen, C1 CSI, backspaces over the text.
HOSTILE = "\x1b]0;pwned\x07Hội nghị \x1b[2J\x9b31m tổng kết\x08\x08\x08 năm"


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> DataDir:
    data = DataDir(tmp_path_factory.mktemp("hostile-terminal"))
    with Index(data.index_path) as index:
        crawl = index.start_crawl(["portal"], {})
        article = {"title": HOSTILE, "lead": "Tóm tắt " + HOSTILE, "body": "Nội dung " + HOSTILE}
        when = datetime(2025, 1, 1, tzinfo=timezone.utc)
        index.record_article(crawl, "portal", URL, URL, article, when, None)
        index.record_article(crawl, "portal", URL, URL, {**article, "body": "Khác"}, when, None)
    return data


def _run(data: DataDir, *args: str):
    return CliRunner().invoke(main, [*args, "--data", str(data.root)], color=True)


@pytest.mark.parametrize(
    "args",
    [("search", "tong ket"), ("search", "nghị"), ("show", URL), ("show", URL, "--versions")],
    ids=" ".join,
)
def test_control_characters_never_reach_the_terminal(data: DataDir, args) -> None:
    result = _run(data, *args)
    assert result.exit_code == 0, result.output
    for raw in ("\x1b]", "\x07", "\x1b[2J", "\x9b", "\x08"):
        assert raw not in result.output, (raw, result.output)
    assert "\\x1b]0;pwned\\x07" in result.output


@pytest.mark.parametrize(
    "args", [("search", "tong ket", "--json"), ("show", URL, "--json")], ids=" ".join
)
def test_json_output_escapes_every_control_character(data: DataDir, args) -> None:
    result = _run(data, *args)
    assert result.exit_code == 0, result.output
    for raw in ("\x1b", "\x07", "\x9b", "\x08"):
        assert raw not in result.output, (raw, result.output)
    found = json.loads(result.output)
    titles = [row["title"] for row in found] if isinstance(found, list) else [found["title"]]
    assert HOSTILE in titles, "the escapes must decode back to the crawled text"


@pytest.mark.parametrize(
    "key", ["99999999999999999999999", "²", "١٢", "9223372036854775808", "12\x1b[2J", "abc"]
)
def test_bad_ids_are_one_line_errors(data: DataDir, key: str) -> None:
    result = _run(data, "show", key)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert "\x1b[2J" not in result.output


def test_an_existing_id_still_works(data: DataDir) -> None:
    with Index(data.index_path) as index:
        article_id = index.get_article(URL)["id"]
    assert _run(data, "show", f" {article_id} ").exit_code == 0
