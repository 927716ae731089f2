"""Run one or more site spiders in one process and report what each crawl did."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

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

    @property
    def errors(self) -> int:
        return sum(lost_requests(s.stats) for s in self.sites)

    @property
    def pages(self) -> int:
        return sum(s.count("captures") for s in self.sites)

    @property
    def failed(self) -> bool:
        if any(s.reason not in ("finished",) for s in self.sites):
            return True
        return self.errors > self.error_threshold * max(self.pages, 1)

    @property
    def failure_reason(self) -> str:
        bad = [s for s in self.sites if s.reason != "finished"]
        if bad:
            return f"crawl of {bad[0].site} ended early: {bad[0].reason}"
        return (
            f"{self.errors} failed requests of {self.pages} pages exceed the error threshold "
            f"({self.error_threshold:.0%}); see the log"
        )

    def summary_lines(self) -> list[str]:
        lines = []
        for s in self.sites:
            lines.append(
                f"{s.site}: {s.count('captures')} fetches, articles new {s.count('articles_new')}, "
                f"changed {s.count('articles_changed')}, unchanged {s.count('articles_unchanged')}, "
                f"gone {s.count('articles_gone')}, images {s.count('images')}, "
                f"attachments {s.count('attachments')}, failed attempts {failed_attempts(s.stats)}, "
                f"lost {lost_requests(s.stats)} ({s.reason})"
            )
        return lines


def run_crawl(
    settings: Settings, site_names: list[str], *, url: str | None = None, profile: str | None = None
) -> CrawlResult:
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
