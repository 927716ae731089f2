"""One crawler for many sites: one spider whose parts are the sites' own PortalSpiders.

`newsarchive crawl --all` (or several names) runs a single Scrapy crawler, so there is one
WARC writer, one index connection and one downloader whatever the number of sites. Each
site keeps its own PortalSpider (its profile, hosts, known URLs): the parts make the
requests and parse the responses; this spider only interleaves their start requests, one
per site in turn, so no site waits for another. Politeness stays per host (Scrapy's
download slots); a site's politeness overrides and the file hosts' concurrency become
DOWNLOAD_SLOTS entries (see slot_settings).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy import Request
from scrapy.crawler import Crawler

from newsarchive.portals.sites import Site


def site_file_hosts(site: Site) -> tuple[str, ...]:
    """Hosts of the site's files besides its own: the entry's, else its profile's (the CDN)."""
    from newsarchive.portals.profiles import get_profile

    return site.file_hosts or get_profile(site.resolved_profile()).attachment_hosts


def slot_settings(
    sites: list[Site], file_hosts: list[str], file_host_concurrency: int
) -> dict[str, dict[str, Any]]:
    """DOWNLOAD_SLOTS for one crawl of `sites`: each site's politeness on its own hosts, and
    a separate concurrency for the file hosts shared by many sites (one CDN is one host)."""
    slots: dict[str, dict[str, Any]] = {}
    for host in file_hosts:
        if "*" not in host:
            slots[host] = {"concurrency": file_host_concurrency}
    for site in sites:
        entry: dict[str, Any] = {}
        if "download_delay" in site.politeness:
            entry["delay"] = float(site.politeness["download_delay"])
        if "concurrency" in site.politeness:
            entry["concurrency"] = int(site.politeness["concurrency"])
        if entry:
            for host in site.own_hosts:
                slots.setdefault(host, {}).update(entry)
    return slots


class MultiSiteSpider(scrapy.Spider):
    name = "sites"

    def __init__(self, *args: Any, sites: list[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site_list = list(sites)
        self.site_names = [s.name for s in self.site_list]
        self.parts: dict[str, scrapy.Spider] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> MultiSiteSpider:
        from newsarchive.crawl.spiderloader import site_spider

        spider = super().from_crawler(crawler, *args, **kwargs)
        for site in spider.site_list:
            # from_crawler binds the part to the crawler (stats, settings, the session).
            spider.parts[site.name] = site_spider(site).from_crawler(crawler)
        domains = {d for part in spider.parts.values() for d in part.allowed_domains}
        spider.allowed_domains = sorted(domains)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        pending = [part.start() for part in self.parts.values()]
        while pending:
            still = []
            for gen in pending:
                try:
                    request = await gen.__anext__()
                except StopAsyncIteration:
                    continue
                yield request
                still.append(gen)
            pending = still
