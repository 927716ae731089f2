"""`newsarchive show`: an archived article, its versions, and its page read back from the WARC."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from archive.index import Index
from newsarchive.cli import main
from tests.toolsupport import SEED_TITLE, SEED_URL, articles, build_archive, page_html


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return build_archive(tmp_path_factory.mktemp("show"))


def run(data, *args):
    return CliRunner().invoke(main, ["show", "--data", str(data.root), *args])


def test_by_url_prints_title_and_body(data):
    result = run(data, SEED_URL)
    assert result.exit_code == 0, result.output
    assert SEED_TITLE in result.output
    assert "Đảng bộ quận Hải An đã hoàn thành tốt nhiệm vụ năm 2022." in result.output


def test_by_id_as_json(data):
    with Index(data.index_path) as index:
        article_id = index.get_article(SEED_URL)["id"]
    record = json.loads(run(data, str(article_id), "--json").output)
    assert record["url"] == SEED_URL
    assert record["tags"] == ["Đảng bộ", "Hải An"]


def test_html_is_the_page_as_archived(data):
    result = CliRunner().invoke(main, ["show", "--data", str(data.root), SEED_URL, "--html"])
    assert result.exit_code == 0
    assert result.stdout_bytes == page_html(articles()[0])


def test_versions_show_what_changed(data):
    with Index(data.index_path) as index:
        changed = {
            "title": SEED_TITLE + " (cập nhật)",
            "published": "2023-03-09T07:05:00+07:00",
            "lead": "Lead.",
            "body": "Một đoạn mới.",
            "tags": [],
            "images": [],
            "attachments": [],
        }
        index.record_article(
            None, "haian", SEED_URL, SEED_URL, changed, "2025-12-02T00:00:00Z", None
        )
    result = run(data, SEED_URL, "--versions")
    assert result.exit_code == 0, result.output
    assert "version 1" in result.output and "version 2" in result.output
    assert "+Một đoạn mới." in result.output


def test_unknown_article_is_a_one_line_error(data):
    result = run(data, "https://example.org/nope")
    assert result.exit_code == 1
    assert "no archived article" in result.output
    assert "Traceback" not in result.output
