"""`--profile generic` (no URL patterns, no selectors) on the replica's three haiphong
generations: discovery finds every category, page and article, and each is archived exactly."""

from __future__ import annotations

import pytest

from tests.crawlsupport import comparable, index_articles, run_crawl, truth, truth_comparable

SITES = {
    "haian": "haian.haiphong.gov.vn",
    "lechan": "lechan.haiphong.gov.vn",
    "vinhbao": "vinhbao.haiphong.gov.vn",
}


@pytest.fixture(scope="module")
def generic_crawl(replica_factory, tmp_path_factory):
    # 70 articles: every generation needs a second listing page in some category.
    handle = replica_factory(articles=70)
    data = tmp_path_factory.mktemp("generic")
    result = run_crawl(handle.port, data, *SITES, extra=("--profile", "generic"))
    assert result.returncode == 0, result.stderr[-3000:]
    return handle, index_articles(data / "index.db"), result.stdout


@pytest.mark.parametrize("site", sorted(SITES))
def test_generic_profile_archives_every_article_exactly(generic_crawl, site: str) -> None:
    handle, archived, summary = generic_crawl
    expected = {t["url"]: truth_comparable(t) for t in truth(handle.base, SITES[site])}
    got = {u: comparable(a) for u, a in archived.items() if a["site"] == site}
    assert sorted(got) == sorted(expected), summary
    wrong = [u for u in expected if got[u] != expected[u]]
    assert wrong == []
