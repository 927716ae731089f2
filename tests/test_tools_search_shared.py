"""One search for the CLI and Datasette (issue 8 point 13): the canned "Search articles"
query runs archive/search.py's statement, so both rank alike; snippets are chosen by the
number of distinct query words they hold, not by how often one word repeats."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from pathlib import Path

import pytest

from archive.index import Index
from archive.layout import DataDir
from newsarchive.datasette_meta import QUERIES, build_metadata
from tests.toolsupport import SEED_TITLE, build_archive

QUERY = "dang bo hai an"


def _distract(root: Path, n: int = 40) -> None:
    """Articles that bm25 alone likes for `dang bo hai an`: short titles repeating the
    words, bodies full of "an"; the seed article's long title holds them together."""
    when = datetime(2025, 11, 26, tzinfo=timezone.utc)
    with Index(DataDir(root).index_path) as index:
        crawl = index.start_crawl(["haian"], {})
        for i in range(n):
            url = f"https://haian.haiphong.gov.vn/tin-tuc/an-ninh-{i}.html"
            index.record_article(
                crawl,
                "haian",
                url,
                url,
                {
                    "title": f"Hải An: an ninh, an toàn số {i}",
                    "lead": "An ninh an toàn; Đảng viên hai phường. " * 3,
                    "body": "An an an bộ đội. " * (i % 7 + 1),
                },
                when,
                None,
            )
        index.finish_crawl(crawl, {})


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("shared-search")
    build_archive(root)
    _distract(root)
    return root


def _datasette_rows(root: Path, path: str) -> list[dict]:
    from datasette.app import Datasette
    from datasette.plugins import pm

    from newsarchive import datasette_plugin

    if not pm.is_registered(datasette_plugin):
        pm.register(datasette_plugin, name="newsarchive")

    async def fetch() -> list[dict]:
        ds = Datasette([str(DataDir(root).index_path)], metadata=build_metadata())
        response = await ds.client.get(path, follow_redirects=True)
        assert response.status_code == 200, response.text
        return response.json()["rows"]

    return asyncio.run(fetch())


def test_cli_ranks_the_seed_article_first(archive):
    with Index(DataDir(archive).index_path) as index:
        rows = index.search(QUERY, limit=100)
    assert rows[0]["title"] == SEED_TITLE
    assert len(rows) > 30  # the distractors match too


@pytest.mark.parametrize("query", [QUERY, "an ninh", "Đảng", "hai OR bo", '"an toan"'])
def test_datasette_canned_search_ranks_like_the_cli(archive, query):
    with Index(DataDir(archive).index_path) as index:
        cli = [r["id"] for r in index.search(query, limit=100)]
    from urllib.parse import urlencode

    rows = _datasette_rows(
        archive, "/index/search.json?" + urlencode({"q": query, "_shape": "objects"})
    )
    assert [r["id"] for r in rows] == cli
    assert cli  # every query here matches something


def test_table_search_box_ranks_by_relevance(archive):
    rows = _datasette_rows(archive, "/index/articles.json?_search=dang+bo+hai+an&_shape=objects")
    assert rows[0]["title"] == SEED_TITLE
    assert len(rows) > 30


def test_canned_search_is_the_shared_statement():
    from archive.search import search_sql

    assert "fts_near(:q)" in QUERIES["search"]["sql"]
    assert (
        QUERIES["search"]["sql"].split("SELECT a.id")[0] == search_sql(100).split("SELECT a.id")[0]
    )


def test_snippet_prefers_distinct_words_over_a_repeated_short_word(tmp_path):
    lead = "Ban Chấp hành Đảng bộ quận Hải An họp phiên thường kỳ tháng ba."
    # The body repeats one short query word many times, far from the others.
    body = " ".join(["An"] * 60 + ["xã", "hội"] * 40)
    with Index(DataDir(tmp_path).index_path) as index:
        crawl = index.start_crawl(["haian"], {})
        url = "https://haian.haiphong.gov.vn/tin-tuc/x-1.html"
        index.record_article(
            crawl, "haian", url, url, {"title": "Tin tức", "lead": lead, "body": body}, None, None
        )
        row = index.search(QUERY)[0]
    assert "[Đảng] [bộ] quận [Hải] [An]" in row["snippet"]
