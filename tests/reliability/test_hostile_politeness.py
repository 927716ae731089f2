"""Retry-After holds the host that asked (measured in the server's request log) while
another host of the same crawl keeps being fetched; robots.txt Crawl-delay spaces requests.

Both tests fail when RetryAfterMiddleware / CrawlDelayMiddleware is removed from the
settings (no retry at all / requests back to back)."""

from __future__ import annotations

import time

import pytest

from tests.reliability.hostile_server import (
    HostileServer,
    Reply,
    article_html,
    article_path,
    crawl,
    listing_html,
)

RETRY_AFTER = 3  # seconds
IMAGES = 6  # per article, on the file host


@pytest.fixture(scope="module")
def retry_after(tmp_path_factory):
    """Site A (127.0.0.1) answers one article 503 + Retry-After; its images live on file
    host B (127.0.0.2), which answers slowly so it has work during A's hold."""
    data = tmp_path_factory.mktemp("retry-after")
    a, b = HostileServer("127.0.0.1").start(), HostileServer("127.0.0.2").start()
    try:
        n_articles = 6
        a.route("/", Reply(body=listing_html([(article_path(n), f"Bài {n}") for n in range(6)])))
        for n in range(n_articles):
            imgs = "".join(f"<img src='{b.base}/img/{n}-{i}.png'>" for i in range(IMAGES))
            page = article_html(f"Bài số {n}").replace(
                b"<div class='content'>", b"<div class='content'>" + imgs.encode()
            )
            a.route(article_path(n), Reply(body=page))
            for i in range(IMAGES):
                b.route(f"/img/{n}-{i}.png", _slow(Reply(body=b"\x89PNG" + bytes(200))))
        asked: list[int] = []

        def once_503(handler):
            if not asked:
                asked.append(1)
                return Reply(503, b"busy", {"Retry-After": str(RETRY_AFTER)})
            return Reply(body=article_html("Bài số 3"))

        a.route(article_path(3), once_503)
        sites = data / "sites.toml"
        sites.write_text(
            "[sites.hostile]\n"
            f'title = "Hostile"\nstart_urls = ["{a.base}/"]\nprofile = "generic"\n'
            f'file_hosts = ["127.0.0.2:{b.port}"]\n',
            encoding="utf-8",
        )
        result = crawl(
            "hostile",
            data,
            # One request at a time per host (a delay: Scrapy bursts past the per-domain
            # concurrency when there is none), so nothing is in flight beside the 503.
            "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1",
            "-s", "DOWNLOAD_DELAY=0.05",
            "-s", "NEWSARCHIVE_RETRY_AFTER_MAX=30",
            env={"NEWSARCHIVE_SITES": str(sites)},
        )  # fmt: skip
    finally:
        a.stop()
        b.stop()
    return result, a, b


def _slow(reply: Reply, seconds: float = 0.25):
    def route(handler):
        time.sleep(seconds)
        return reply

    return route


def test_the_503_was_retried(retry_after):
    result, a, _ = retry_after
    assert len(a.hits(article_path(3))) == 2, result.stderr[-3000:]


def test_retry_after_holds_that_host(retry_after, reliability_record):
    """No request at all reaches A for RETRY_AFTER seconds after its 503."""
    _, a, _ = retry_after
    t0 = a.hits(article_path(3))[0].at
    later = [h.at - t0 for h in a.hits() if h.at > t0]
    reliability_record(
        "Retry-After holds the host",
        f"503 with Retry-After: {RETRY_AFTER} on one article",
        "the host's next request waited at least that long (server's request log)",
        {"asked_s": RETRY_AFTER, "next_request_after_s": round(min(later), 2) if later else None},
    )
    assert later and min(later) >= RETRY_AFTER, [(h.path, round(h.at - t0, 4)) for h in a.hits()]


def test_another_host_keeps_being_crawled(retry_after, reliability_record):
    """The file host of the same crawl is fetched while the page host is held."""
    _, a, b = retry_after
    t0 = a.hits(article_path(3))[0].at
    during = [h for h in b.hits() if t0 < h.at < t0 + RETRY_AFTER]
    reliability_record(
        "Another host keeps being crawled",
        f"the page host held {RETRY_AFTER} s by Retry-After",
        "the file host kept receiving requests meanwhile",
        {"file_host_requests_during_hold": len(during)},
    )
    assert len(during) >= 3, [round(h.at - t0, 2) for h in b.hits()]


CRAWL_DELAY = 1.0


def test_crawl_delay_spaces_requests(tmp_path, reliability_record):
    """robots.txt Crawl-delay spaces every request to that host."""
    a = HostileServer().start()
    try:
        a.route(
            "/robots.txt",
            Reply(body=f"User-agent: *\nCrawl-delay: {CRAWL_DELAY}\n".encode(),
                  headers={"Content-Type": "text/plain"}),
        )  # fmt: skip
        a.route("/", Reply(body=listing_html([(article_path(n), f"Bài {n}") for n in range(4)])))
        for n in range(4):
            a.route(article_path(n), Reply(body=article_html(f"Bài số {n}")))
        crawl(f"{a.base}/", tmp_path, "-s", "NEWSARCHIVE_OBEY_CRAWL_DELAY=True")
    finally:
        a.stop()
    pages = [h.at for h in a.hits() if h.path != "/robots.txt"]
    assert len(pages) == 5
    gaps = [later - earlier for earlier, later in zip(pages, pages[1:], strict=False)]
    reliability_record(
        "Crawl-delay",
        f"robots.txt Crawl-delay: {CRAWL_DELAY}",
        "requests to the host spaced by at least the delay",
        {"min_gap_s": round(min(gaps), 3) if gaps else None},
    )
    assert min(gaps) >= CRAWL_DELAY * 0.95, gaps  # timer granularity of the event loop
