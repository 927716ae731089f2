"""A bare, fetch-only Scrapy spider: the "what Scrapy alone costs" peer of bench_crawl.py.

It walks what `newsarchive crawl haian` walks - home -> category listings (and their
`?page=N` pages) -> articles -> images and attachments - with simple URL rules, and does
nothing else: no extraction, no WARC, no index, no item pipeline. Its Scrapy settings (concurrency,
CONCURRENT_ITEMS, ...: SHARED_SETTINGS) are those of `newsarchive crawl --fast`, robots.txt obeyed,
and it reaches the replica through the project's HostMapDownloadHandler.

It runs in a process of its own, without the project's Scrapy settings (scrapy.cfg would
otherwise bring in the archive pipeline and extensions):

    python bench/bare_spider.py --start http://haian.haiphong.gov.vn/ \
        --map '*.haiphong.gov.vn=127.0.0.1:8765' --out counts.json

and writes {"articles": N, "listings": N, "files": N, "requests": N, "errors": N, ...}.

With `--urls FILE` (one URL a line) it walks nothing: it fetches exactly those URLs, redirects
not followed (a redirect's target is a line of its own), and writes {"requests": N, "ok": [URL
with a 200 response, ...], "statuses": {...}, "errors": N}; bench/bench_scale.py gives it the
URLs our crawl fetched, so both fetch the same pages and files.
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Request, Response

# Generation C URL shapes (docs/replica.md): category `/<slug>-<catid>` (page N `?page=N`),
# article `/<cat-slug>/<title-slug>-<id>`. Files are any <img> in the article body and any
# link to the CDN host.
CATEGORY = re.compile(r"^/[a-z0-9-]+-\d+$")
PAGE = re.compile(r"^page=\d+$")
ARTICLE = re.compile(r"^/[a-z0-9-]+/[a-z0-9-]+-\d+$")
CDN_HOST = "cdn.haiphong.gov.vn"


# Settings of `newsarchive crawl --fast` that set what Scrapy itself does and costs, not what
# is archived. The bare peer gets the same values: Scrapy's defaults would cost it CPU that ours
# does not pay (CONCURRENT_ITEMS=100 starts 101 asyncio tasks per response).
SHARED_SETTINGS = (
    "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "DOWNLOAD_DELAY",
    "AUTOTHROTTLE_ENABLED",
    "DOWNLOAD_TIMEOUT",
    "LOG_LEVEL",
    "CONCURRENT_ITEMS",
    "WARN_ON_GENERATOR_RETURN_VALUE",
    "REQUEST_FINGERPRINTER_IMPLEMENTATION",
    "COOKIES_ENABLED",
    "TELNETCONSOLE_ENABLED",
    "DOWNLOAD_MAXSIZE",
)


def settings(host_map: dict[str, str]) -> dict[str, Any]:
    """The crawl settings of `newsarchive crawl --fast`, minus everything that archives."""
    from newsarchive.crawl.crawlsettings import crawl_settings

    ours = crawl_settings(fast=True)
    return {
        **{name: ours[name] for name in SHARED_SETTINGS},
        "BOT_NAME": "bare",
        "ROBOTSTXT_OBEY": True,
        "NEWSARCHIVE_HOST_MAP": host_map,
        "DOWNLOAD_HANDLERS": {
            "http": "newsarchive.crawl.hostmap.HostMapDownloadHandler",
            "https": "newsarchive.crawl.hostmap.HostMapDownloadHandler",
        },
    }


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, start: str, out: str | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self.start_url = start
        self.out = out
        self.site_host = urlsplit(start).hostname or ""
        self.allowed_domains = [self.site_host, CDN_HOST]
        self.counts: dict[str, int] = {"articles": 0, "listings": 0, "files": 0, "errors": 0}

    async def start(self):  # Scrapy >= 2.13
        yield Request(self.start_url, callback=self.parse_listing, errback=self.on_error)

    def start_requests(self) -> Iterator[Request]:  # older Scrapy
        yield Request(self.start_url, callback=self.parse_listing, errback=self.on_error)

    def _links(self, response: Response, query: str) -> Iterator[tuple[str, Any]]:
        for href in response.css(query).getall():
            url = response.urljoin(href.strip())
            yield url, urlsplit(url)

    def parse_listing(self, response: Response) -> Iterator[Request]:
        self.counts["listings"] += 1
        for url, parts in self._links(response, "a::attr(href)"):
            if parts.hostname != self.site_host:
                continue
            if CATEGORY.match(parts.path) and (not parts.query or PAGE.match(parts.query)):
                yield Request(url, callback=self.parse_listing, errback=self.on_error)
            elif ARTICLE.match(parts.path) and not parts.query:
                yield Request(url, callback=self.parse_article, errback=self.on_error, priority=20)

    def parse_article(self, response: Response) -> Iterator[Request]:
        if response.status == 200:
            self.counts["articles"] += 1
        for url, parts in self._links(response, "img::attr(src), a::attr(href)"):
            if parts.hostname == CDN_HOST:
                yield Request(url, callback=self.parse_file, errback=self.on_error, priority=30)

    def parse_file(self, response: Response) -> None:
        self.counts["files"] += 1

    def on_error(self, failure: Any) -> None:
        self.counts["errors"] += 1

    def closed(self, reason: str) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        result = {
            **self.counts,
            "requests": int(stats.get("downloader/request_count", 0)),
            "reason": reason,
        }
        if self.out:
            Path(self.out).write_text(json.dumps(result))


class BareListSpider(scrapy.Spider):
    """Fetch a fixed list of URLs and do nothing with them."""

    name = "bare-list"
    custom_settings = {"REDIRECT_ENABLED": False}  # the list holds every hop already

    def __init__(self, urls: str, out: str | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self.urls_file = urls
        self.out = out
        self.ok: list[str] = []
        self.statuses: dict[str, int] = {}
        self.errors = 0

    def _requests(self) -> Iterator[Request]:
        with open(self.urls_file, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield Request(line.strip(), callback=self.parse, errback=self.on_error)

    async def start(self):  # Scrapy >= 2.13
        for request in self._requests():
            yield request

    def start_requests(self) -> Iterator[Request]:  # older Scrapy
        yield from self._requests()

    def parse(self, response: Response) -> None:
        key = str(response.status)
        self.statuses[key] = self.statuses.get(key, 0) + 1
        if response.status == 200:
            self.ok.append(response.url)

    def on_error(self, failure: Any) -> None:
        self.errors += 1

    def closed(self, reason: str) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        result = {
            "requests": int(stats.get("downloader/request_count", 0)),
            "ok": self.ok,
            "statuses": self.statuses,
            "errors": self.errors,
            "reason": reason,
        }
        if self.out:
            Path(self.out).write_text(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--start", help="home page URL (public host): walk the site")
    source.add_argument("--urls", help="fetch exactly these URLs (a file, one a line)")
    parser.add_argument("--map", action="append", default=[], metavar="PATTERN=HOST:PORT")
    parser.add_argument("--out", help="write the counts here as JSON")
    args = parser.parse_args()
    host_map = dict(item.split("=", 1) for item in args.map)
    process = CrawlerProcess(settings(host_map))
    if args.urls:
        process.crawl(BareListSpider, urls=args.urls, out=args.out)
    else:
        process.crawl(BareSpider, start=args.start, out=args.out)
    process.start()


if __name__ == "__main__":
    main()
