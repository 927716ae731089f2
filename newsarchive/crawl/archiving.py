"""The crawl's archive session: one WARC writer and one index connection per crawl.

A Scrapy extension owns them so that the downloader middleware (which writes what was
fetched) and the item pipeline (which writes what was extracted) share one writer and one
index without a global. Resources open on spider_opened and close on spider_closed.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals

from archive import lock
from archive.index import Index
from archive.layout import DataDir, resolve_data_dir
from archive.warc import WarcWriter, repair_truncated
from newsarchive import __version__

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# Recorded in every warcinfo record beside the writer's own normalisation note: where in
# Scrapy the bytes are taken.
CAPTURE_NOTES = {
    "capture-method": (
        "Scrapy downloader middleware, after the download handler and before HTTP "
        "decompression and redirect handling"
    ),
}

SETTINGS_RECORDED = (
    "USER_AGENT",
    "ROBOTSTXT_OBEY",
    "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "DOWNLOAD_DELAY",
    "AUTOTHROTTLE_ENABLED",
    "NEWSARCHIVE_HOST_MAP",
    "NEWSARCHIVE_RECHECK_HOURS",
    "NEWSARCHIVE_REVISIT",
    "NEWSARCHIVE_STOP_AFTER_PAGES_WITHOUT_NEW",
    "NEWSARCHIVE_MAX_PAGES",
    "NEWSARCHIVE_SINCE",
    "NEWSARCHIVE_CONTACT",
)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class ArchiveSession:
    def __init__(
        self,
        data_dir: Path,
        warc_max_bytes: int,
        warc_prefix: str,
        settings: dict,
        fsync_interval: float = 1.0,
    ):
        self.fsync_interval = fsync_interval
        self.data = DataDir(data_dir)
        self.warc_max_bytes = warc_max_bytes
        self.warc_prefix = warc_prefix
        self.settings_snapshot = settings
        self.writer: WarcWriter | None = None
        self.index: Index | None = None
        self.crawl_id: int | None = None
        self.counts: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveSession:
        settings = crawler.settings
        snapshot = {name: _jsonable(settings.get(name)) for name in SETTINGS_RECORDED}
        session = cls(
            data_dir=resolve_data_dir(settings.get("NEWSARCHIVE_DATA")),
            warc_max_bytes=settings.getint("NEWSARCHIVE_WARC_MAX_BYTES"),
            warc_prefix=settings.get("NEWSARCHIVE_WARC_PREFIX"),
            settings=snapshot,
            fsync_interval=settings.getfloat("NEWSARCHIVE_WARC_FSYNC_INTERVAL", 1.0),
        )
        session.crawler = crawler
        # `scrapy crawl` has no CLI around it: the session takes the data folder's lock
        # (shared with the CLI's when there is one); DataLocked stops the crawl untouched.
        lock.acquire(session.data.root)
        crawler.signals.connect(session.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(session.spider_closed, signal=signals.spider_closed)
        return session

    def spider_opened(self, spider: Spider) -> None:
        self.data.warc_dir.mkdir(parents=True, exist_ok=True)
        self.index = Index(self.data.index_path)
        self.index.open()
        self._repair_unclosed_warcs()
        self.writer = WarcWriter(
            self.data.warc_dir,
            prefix=self.warc_prefix,
            max_bytes=self.warc_max_bytes,
            software=f"newsarchive/{__version__}",
            fsync_interval=self.fsync_interval,
            info={
                **CAPTURE_NOTES,
                "crawler": f"newsarchive/{__version__} (Scrapy)",
                "spider": spider.name,
                "hostname": socket.gethostname(),
                "settings": json.dumps(self.settings_snapshot, ensure_ascii=False),
            },
        )
        self.writer.open()
        # A many-site crawl's spider has parts, one per site (newsarchive.crawl.multisite).
        parts = list(getattr(spider, "parts", {}).values()) or [spider]
        sites = []
        for part in parts:
            site = getattr(part, "site_name", part.name)
            self._record_site(part, site)
            sites.append(site)
        self.crawl_id = self.index.start_crawl(sites, self.settings_snapshot)

    def _record_site(self, spider: Spider, name: str) -> None:
        """Fill the sites table (base URL, profile, title): datasheets and Datasette read it."""
        described = getattr(spider, "site", None)
        starts = getattr(described, "start_urls", None) or getattr(spider, "start_urls", ())
        self.index.upsert_site(
            name,
            base_url=starts[0] if starts else None,
            # The profile the crawl uses ("auto" in the sites file is resolved by now).
            profile=getattr(getattr(spider, "profile", None), "name", None)
            or getattr(described, "profile", None),
            title=getattr(described, "title", None),
        )

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats
        # Every failed attempt counts, retried or not: the archivist wants to know the
        # server struggled even when nothing was lost (the exit code looks at losses only).
        self.counts["errors"] = failed_attempts(stats.get_stats())
        self.counts["pages"] = int(stats.get_value("newsarchive/captures", 0) or 0)
        status = "finished" if reason == "finished" else reason
        try:
            if self.index is not None and self.crawl_id is not None:
                self.index.finish_crawl(self.crawl_id, dict(self.counts), status=status)
        finally:
            if self.writer is not None:
                self.writer.close()
            if self.index is not None:
                self.index.close()
            lock.release(self.data.root)

    def _repair_unclosed_warcs(self) -> None:
        """A crawl killed mid-write may leave a partial last record: cut it off (reported)."""
        pid = os.getpid()
        for path in sorted(self.data.warc_dir.glob("*.warc.gz")):
            if path.name.endswith(f"-{pid}.warc.gz"):
                continue
            result = repair_truncated(path)
            if result.bytes_removed:
                logger.warning(
                    "repaired %s: cut %d bytes of an incomplete last record",
                    path.name,
                    result.bytes_removed,
                )
            elif result.refused:
                logger.warning("left %s alone: %s", path.name, result.refused)


def lost_requests(stats: dict[str, Any]) -> int:
    """Requests that finally failed (after retries) or whose callback raised."""
    return int(stats.get("newsarchive/errors", 0) or 0) + sum(
        int(v or 0)
        for k, v in stats.items()
        if k.startswith("spider_exceptions/") and k != "spider_exceptions/count"
    )


def failed_attempts(stats: dict[str, Any]) -> int:
    """Lost requests plus the failed attempts that a retry later made good."""
    return lost_requests(stats) + int(stats.get("retry/count", 0) or 0)


def _jsonable(value: Any) -> Any:
    if hasattr(value, "copy_to_dict"):
        return value.copy_to_dict()
    try:
        json.dumps(value)
        return value
    except TypeError:
        return str(value)
