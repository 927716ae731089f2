"""One crawl for many sites: `crawl --all` over generated replica sub-sites runs ONE crawler
(one WARC writer, one crawl row), interleaves the sites and archives every article exactly.
The 300-site measurement is bench/bench_sites.py."""

from __future__ import annotations

import sqlite3

import pytest

from tests.crawlsupport import comparable, index_articles, run_crawl, truth, truth_comparable

SITES = 12
ARTICLES = 6


@pytest.fixture(scope="module")
def crawled(replica_factory, tmp_path_factory):
    replica = replica_factory(articles=ARTICLES, seed=3, sites=SITES, latency_ms=5)
    tmp = tmp_path_factory.mktemp("many")
    sites_file = tmp / "sites.toml"
    sites_file.write_text(replica.corpus.sites_toml(), encoding="utf-8")
    data = tmp / "data"
    result = run_crawl(replica.port, data, "--all", extra=("--sites", str(sites_file)))
    assert result.returncode == 0, result.stdout + result.stderr
    keys = [k for k in replica.corpus.sites if k not in ("haian", "lechan", "vinhbao")]
    return replica, data, keys, result


def test_every_article_of_every_site_is_archived_exactly(crawled):
    replica, data, keys, _ = crawled
    archived = {u: comparable(a) for u, a in index_articles(data / "index.db").items()}
    for key in keys:
        host = replica.corpus.sites[key].host
        expected = {
            t["url"]: truth_comparable(t)
            for t in truth(replica.base, host)
            if t["status"] == "active"
        }
        assert len(expected) == ARTICLES
        mine = {u: a for u, a in archived.items() if f"//{host}/" in u}
        assert mine == expected, key
    assert len(archived) == SITES * ARTICLES


def test_one_crawler_one_warc_one_crawl_row(crawled):
    _, data, keys, _ = crawled
    assert len(list((data / "warc").glob("*.warc.gz"))) == 1
    with sqlite3.connect(data / "index.db") as conn:
        rows = conn.execute("select sites from crawls").fetchall()
    assert len(rows) == 1
    assert sorted(__import__("json").loads(rows[0][0])) == sorted(keys)


def test_the_start_requests_of_the_sites_are_interleaved():
    """One request per site in turn (the fetch order then depends on the downloader)."""
    import asyncio

    from newsarchive.crawl.multisite import MultiSiteSpider

    class Part:
        def __init__(self, name: str, n: int) -> None:
            self.name, self.n = name, n

        async def start(self):
            for i in range(self.n):
                yield f"{self.name}{i}"

    spider = MultiSiteSpider(sites=[])
    spider.parts = {"a": Part("a", 3), "b": Part("b", 1), "c": Part("c", 2)}

    async def collect() -> list[str]:
        return [r async for r in spider.start()]

    assert asyncio.run(collect()) == ["a0", "b0", "c0", "a1", "c1", "a2"]


def test_the_summary_reports_each_site_and_the_one_crawl(crawled):
    import re

    _, data, keys, result = crawled
    fetches = {}
    for key in keys:
        found = re.search(rf"^{key}: (\d+) fetches, articles new {ARTICLES},", result.stdout, re.M)
        assert found, result.stdout
        fetches[key] = int(found.group(1))
    total = re.search(rf"{SITES} sites in one crawl: (\d+) fetches", result.stdout)
    assert total, result.stdout
    # Every fetch belongs to one site, files on the shared CDN host and robots.txt included,
    # except the shared host's own robots.txt (fetched once for all sites).
    assert min(fetches.values()) > ARTICLES
    shared = count_captures(data, "where url like '%//cdn.haiphong.gov.vn/robots.txt'")
    assert shared == 1
    assert sum(fetches.values()) + shared == int(total.group(1)) == count_captures(data)


def count_captures(data, where: str = "") -> int:
    with sqlite3.connect(data / "index.db") as conn:
        return conn.execute(f"select count(*) from captures {where}").fetchone()[0]


def test_slots_give_file_hosts_their_own_concurrency_and_sites_their_politeness():
    from newsarchive.crawl.multisite import slot_settings
    from newsarchive.portals.sites import parse_sites

    sites = parse_sites(
        '[sites.a]\nstart_urls = ["https://a.gov.vn/"]\n'
        "politeness = { download_delay = 3, concurrency = 1 }\n"
        '[sites.b]\nstart_urls = ["https://b.gov.vn/"]\n'
    )
    slots = slot_settings(list(sites.values()), ["cdn.gov.vn", "*.files.gov.vn"], 6)
    assert slots == {"cdn.gov.vn": {"concurrency": 6}, "a.gov.vn": {"delay": 3.0, "concurrency": 1}}
