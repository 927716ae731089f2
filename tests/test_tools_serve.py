"""`newsarchive serve`: Datasette over the index, read-only, with our metadata and plugin."""

from __future__ import annotations

import sqlite3
import urllib.error
import urllib.parse
import urllib.request

import pytest
from click.testing import CliRunner

from newsarchive.cli import main
from newsarchive.datasette_meta import QUERIES, build_metadata
from tests.toolsupport import SEED_TITLE, build_archive, free_port, get_json, start_serve, stop


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve-data")
    build_archive(root)
    port = free_port()
    proc = start_serve(root, port)
    try:
        yield root, f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


def api(base: str, path: str, **params: str) -> dict:
    query = urllib.parse.urlencode({**params, "_shape": "objects"})
    return get_json(f"{base}{path}.json?{query}")


def test_table_search_without_accents(server):
    _, base = server
    rows = api(base, "/index/articles", _search="dang bo hai an")["rows"]
    assert [r["title"] for r in rows] == [SEED_TITLE]
    rows = api(base, "/index/articles", _search="Đảng bộ")["rows"]
    assert [r["title"] for r in rows] == [SEED_TITLE]


def test_canned_search_folds_and_reaccents(server):
    _, base = server
    rows = api(base, "/index/search", q="dang bo")["rows"]
    assert rows[0]["title"] == SEED_TITLE
    assert "[Đảng] [bộ]" in rows[0]["snippet"]


def test_canned_search_bad_query_is_an_error_not_a_crash(server):
    _, base = server
    with pytest.raises(urllib.error.HTTPError) as err:
        api(base, "/index/search", q='"dang')
    assert err.value.code == 400
    assert "unterminated" in err.value.read().decode()


def test_metadata_and_facets(server):
    _, base = server
    data = api(base, "/index/articles", _size="0")
    facets = data["facet_results"]
    assert {v["value"]: v["count"] for v in facets["site"]["results"]} == {"haian": 2, "lechan": 2}
    months = {v["value"]: v["count"] for v in facets["published"]["results"]}
    assert months == {"2023-03": 2, "2023-04": 1}
    march = api(base, "/index/articles", published__startswith="2023-03")["rows"]
    assert len(march) == 2
    meta = get_json(f"{base}/-/metadata.json")
    assert meta["databases"]["index"]["tables"]["articles"]["columns"]["published"]


def test_canned_queries(server):
    _, base = server
    gone = api(base, "/index/gone_articles")["rows"]
    assert [r["status"] for r in gone] == ["gone"]
    latest = api(base, "/index/latest_articles")["rows"]
    assert len(latest) == 4
    per_month = api(base, "/index/articles_per_month")["rows"]
    assert {"month": "2023-03", "site": "haian", "articles": 1} in per_month
    assert {"month": "undated", "site": "lechan", "articles": 1} in per_month


def test_read_only(server):
    root, base = server
    # Writable SQL is refused, and the file is untouched by serving it.
    with pytest.raises(urllib.error.HTTPError):
        api(base, "/index", sql="delete from articles")
    with sqlite3.connect(root / "index.db") as conn:
        assert conn.execute("select count(*) from articles").fetchone()[0] == 4


def test_metadata_module_is_consistent():
    meta = build_metadata()
    tables = meta["databases"]["index"]["tables"]
    assert tables["articles"]["fts_table"] == "articles_fts"
    assert {"search", "latest_articles", "gone_articles", "articles_per_month"} <= set(QUERIES)


def test_serve_without_index_is_one_line(tmp_path):
    result = CliRunner().invoke(main, ["serve", "--data", str(tmp_path)])
    assert result.exit_code == 1
    assert "no index" in result.output


def _html(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def test_articles_table_shows_reading_columns_only(server):
    import re

    from newsarchive.datasette_plugin import DEFAULT_COLUMNS

    _, base = server
    page = _html(f"{base}/index/articles")
    shown = re.findall(r'<th [^>]*data-column="([^"]+)"', page)
    assert shown == ["id", *DEFAULT_COLUMNS]
    assert "archived copy" in page and "live page" in page


def test_hidden_columns_stay_queryable(server):
    _, base = server
    rows = api(base, "/index/articles", _col="body_fold", id="1")["rows"]
    assert rows[0]["body_fold"].startswith("dang bo quan hai an")
    assert "content_hash" in api(base, "/index/articles", id="1")["rows"][0]


def test_archived_copy_is_the_warc_page_and_cannot_reach_the_live_site(server):
    _, base = server
    with urllib.request.urlopen(f"{base}/-/archived/1", timeout=10) as response:
        body = response.read().decode("utf-8")
        csp = response.headers["Content-Security-Policy"]
    assert f"<h1>{SEED_TITLE}</h1>" in body
    assert "default-src 'none'" in csp


def test_article_page_reads_like_an_article(server):
    _, base = server
    page = _html(f"{base}/index/articles/1")
    assert f"<h1>{SEED_TITLE}</h1>" in page
    assert "<p>Đảng bộ quận Hải An đã hoàn thành tốt nhiệm vụ năm 2022.</p>" in page
    assert "Quang cảnh hội nghị" in page  # image caption
    assert "Cổng thông tin điện tử quận Hải An" in page  # the site's title


def test_sites_table_is_filled(server):
    _, base = server
    rows = api(base, "/index/sites")["rows"]
    haian = next(r for r in rows if r["name"] == "haian")
    assert haian["base_url"] == "https://haian.haiphong.gov.vn/"
    assert haian["profile"] == "haiphong-c"
    assert haian["title"] == "Cổng thông tin điện tử quận Hải An"


def test_search_page_highlights_the_hits(server):
    _, base = server
    page = _html(f"{base}/index/search?q=dang+bo")
    assert "<mark>Đảng</mark> <mark>bộ</mark>" in page


def test_archived_copy_shows_the_archived_images(server):
    from tests.toolsupport import PNG

    _, base = server
    page = _html(f"{base}/-/archived/1")
    image = "https://haian.haiphong.gov.vn/upload/hoi-nghi.png"
    link = "/-/archived-file?" + urllib.parse.urlencode({"url": image})
    assert f'src="{link.replace("&", "&amp;")}"' in page
    with urllib.request.urlopen(base + link, timeout=10) as response:
        assert response.read() == PNG
        assert response.headers["Content-Type"] == "image/png"
