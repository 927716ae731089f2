"""Run one or more site spiders in one process and report what each crawl did."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from newsarchive.crawl import recheckstats
from newsarchive.crawl.archiving import failed_attempts, lost_requests
from spiders.adhoc import AdhocSpider


@dataclass
class SiteResult:
    site: str
    reason: str
    stats: dict[str, Any]

    def count(self, key: str) -> int:
        return int(self.stats.get(f"newsarchive/{key}", 0) or 0)


@dataclass
class CrawlResult:
    sites: list[SiteResult] = field(default_factory=list)
    error_threshold: float = 0.05
    # Stats of the one crawler of a many-site crawl (per-site results hold only their counts).
    totals: dict[str, Any] | None = None

    @property
    def errors(self) -> int:
        if self.totals is not None:
            return lost_requests(self.totals)
        return sum(lost_requests(s.stats) for s in self.sites)

    @property
    def pages(self) -> int:
        if self.totals is not None:
            return int(self.totals.get("newsarchive/captures", 0) or 0)
        return sum(s.count("captures") for s in self.sites)

    @property
    def failed(self) -> bool:
        if any(s.reason not in ("finished",) for s in self.sites):
            return True
        # A failed write at the very end (the last index batch) loses nothing but fails.
        if any(st.get("newsarchive/storage_error") for st in self._all_stats()):
            return True
        return self.errors > self.error_threshold * max(self.pages, 1)

    def _all_stats(self) -> list[dict[str, Any]]:
        return [self.totals] if self.totals is not None else [s.stats for s in self.sites]

    @property
    def failure_reason(self) -> str:
        bad = [s for s in self.sites if s.reason != "finished"]
        if bad:
            stats = bad[0].stats
            why = (
                stats.get("newsarchive/storage_error")
                or stats.get("newsarchive/redis_error")
                or (self.totals or {}).get("newsarchive/storage_error")
                or (self.totals or {}).get("newsarchive/redis_error")
                or bad[0].reason
            )
            return f"crawl of {bad[0].site} ended early: {why}"
        for stats in self._all_stats():
            if stats.get("newsarchive/storage_error"):
                return str(stats["newsarchive/storage_error"])
        return (
            f"{self.errors} failed requests of {self.pages} pages exceed the error threshold "
            f"({self.error_threshold:.0%}); see the log"
        )

    def summary_lines(self) -> list[str]:
        lines = []
        for s in self.sites:
            # A many-site crawl's per-site results hold only their counts (no losses).
            tail = (
                ""
                if self.totals is not None
                else f", failed attempts {failed_attempts(s.stats)}, "
                f"lost {lost_requests(s.stats)} ({s.reason})"
            )
            lines.append(
                f"{s.site}: {s.count('captures')} fetches, articles new {s.count('articles_new')}, "
                f"changed {s.count('articles_changed')}, unchanged {s.count('articles_unchanged')}, "
                f"gone {s.count('articles_gone')}, images {s.count('images')}, "
                f"attachments {s.count('attachments')}, {recheckstats.report(s.count)}{tail}"
            )
        if self.totals is not None:
            t = SiteResult("all", "", self.totals)
            lines.append(
                f"{len(self.sites)} sites in one crawl: {t.count('captures')} fetches, "
                f"{recheckstats.report(t.count)}, "
                f"failed attempts {failed_attempts(self.totals)}, "
                f"lost {lost_requests(self.totals)} ({self.sites[0].reason if self.sites else '?'})"
            )
        return lines


def run_crawl(
    settings: Settings, site_names: list[str], *, url: str | None = None, profile: str | None = None
) -> CrawlResult:
    if len(site_names) > 1 and not url:
        return run_many(settings, site_names, profile=profile)
    process = CrawlerProcess(settings)
    crawlers = []
    if url:
        crawler = process.create_crawler(AdhocSpider)
        process.crawl(crawler, url=url, profile=profile)
        crawlers.append(("adhoc", crawler))
    for name in site_names:
        # The project's SPIDER_LOADER_CLASS makes each site's spider from the sites file.
        crawler = process.create_crawler(process.spider_loader.load(name))
        if profile:
            process.crawl(crawler, profile=profile)
        else:
            process.crawl(crawler)
        crawlers.append((name, crawler))
    process.start()
    result = CrawlResult(error_threshold=settings.getfloat("NEWSARCHIVE_ERROR_THRESHOLD", 0.05))
    for name, crawler in crawlers:
        stats = crawler.stats.get_stats() if crawler.stats else {}
        site = getattr(crawler.spider, "site_name", name) if crawler.spider else name
        result.sites.append(SiteResult(site, str(stats.get("finish_reason", "unknown")), stats))
    return result


def run_many(
    settings: Settings, site_names: list[str], *, profile: str | None = None
) -> CrawlResult:
    """ONE crawler over every named site (see newsarchive.crawl.multisite)."""
    from dataclasses import replace

    from newsarchive.crawl.multisite import MultiSiteSpider, site_file_hosts, slot_settings
    from newsarchive.portals.sites import load_sites

    configured = load_sites(settings.get("NEWSARCHIVE_SITES") or None)
    sites = [configured[name] for name in site_names]
    if profile:
        sites = [replace(site, profile=profile) for site in sites]
    file_hosts = sorted({h for site in sites for h in site_file_hosts(site)})
    slots = slot_settings(
        sites, file_hosts, settings.getint("NEWSARCHIVE_FILE_HOST_CONCURRENCY", 4)
    )
    settings = settings.copy()
    settings.set("DOWNLOAD_SLOTS", {**settings.getdict("DOWNLOAD_SLOTS"), **slots}, "cmdline")
    # Their own allowance in a shared (Redis) crawl too: see crawl/sharedpace.py.
    settings.set("NEWSARCHIVE_FILE_HOSTS", [h for h in file_hosts if "*" not in h], "cmdline")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(MultiSiteSpider)
    process.crawl(crawler, sites=sites)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    reason = str(stats.get("finish_reason", "unknown"))
    result = CrawlResult(
        error_threshold=settings.getfloat("NEWSARCHIVE_ERROR_THRESHOLD", 0.05), totals=stats
    )
    for site in sites:
        prefix = f"newsarchive/site/{site.name}/"
        own = {
            f"newsarchive/{k[len(prefix) :]}": v for k, v in stats.items() if k.startswith(prefix)
        }
        result.sites.append(SiteResult(site.name, reason, own))
    return result
