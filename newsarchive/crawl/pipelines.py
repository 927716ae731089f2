"""Item pipeline: extracted articles and fetched files go into the index, and each article's
JSON also into the WARC as a metadata record linked to the response it came from."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem

from newsarchive.crawl.archiving import ArchiveSession, is_storage_error, utc_now
from newsarchive.crawl.recheckstats import count_found
from newsarchive.items import (
    ArticleItem,
    FileItem,
    GoneItem,
    ListingItem,
    MovedItem,
    NotModifiedItem,
    SharedFileItem,
    UnreadableItem,
)

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


# How long a file waits for its article's row (another worker's batch) before it is left
# for the next run (the article's file row stays pending: archive.index.pending_files).
ORPHAN_WAIT = 60.0


class ArchivePipeline:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.session: ArchiveSession | None = None
        # Files whose article row is not in the index yet: with several workers on one
        # folder (crawl --redis) another process may still be committing it. Retried.
        self.orphans: list[tuple[float, FileItem]] = []
        self._retry: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivePipeline:
        return cls(crawler)

    def open_spider(self, spider: Spider | None = None) -> None:
        self.session = self.crawler.get_extension(ArchiveSession)
        if self.session is None:
            raise RuntimeError("ArchivePipeline needs the ArchiveSession extension")

    def _record_file(self, item: FileItem) -> bool:
        assert self.session is not None and self.session.index is not None
        return self.session.index.record_file(
            item.article_url,
            item.kind,
            item.url,
            item.name,
            item.mime_type,
            item.size,
            item.sha256,
            item.capture,
        )

    def _orphaned(self, item: FileItem) -> None:
        self.orphans.append((time.monotonic(), item))
        if self._retry is None:
            from twisted.internet.task import LoopingCall

            self._retry = LoopingCall(self.retry_orphans)
            self._retry.start(0.5, now=False)

    def retry_orphans(self, final: bool = False) -> None:
        """Record the files whose article has appeared since; give up after ORPHAN_WAIT."""
        session = self.session
        if not self.orphans or session is None or session.index is None or session.failure:
            return
        waiting, self.orphans = self.orphans, []
        now = time.monotonic()
        try:
            for since, item in waiting:
                if self._record_file(item) or session.index.article_state(item.article_url):
                    continue
                if final or now - since > ORPHAN_WAIT:
                    logger.warning(
                        "%s: its article %s is not in the index; fetched again next run",
                        item.url,
                        item.article_url,
                    )
                else:
                    self.orphans.append((since, item))
        except Exception as exc:
            if not is_storage_error(exc):
                raise
            session.storage_failed(exc)

    def close_spider(self, spider: Spider | None = None) -> None:
        if self._retry is not None and self._retry.running:
            self._retry.stop()
        self.retry_orphans(final=True)

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        assert self.session is not None
        if self.session.failure is not None:
            raise DropItem(f"not stored: {self.session.failure}")
        try:
            found = self._store(item)
        except Exception as exc:
            if not is_storage_error(exc):
                raise
            self.session.storage_failed(exc)
            raise DropItem(f"not stored: {exc}") from exc
        if getattr(item, "recheck", None) and found:
            count_found(self.crawler.stats.inc_value, item.site, found)
        return item

    def _store(self, item: Any) -> str | None:
        """Store `item`; returns what it says of a known article (changed, gone, ...)."""
        assert self.session is not None
        session = self.session
        index = session.index
        stats = self.crawler.stats
        found: str | None = None
        if isinstance(item, ArticleItem):
            capture = item.capture
            if capture is not None and capture.record_id and session.writer is not None:
                metadata = session.writer.write_metadata(
                    item.final_url,
                    concurrent_to=capture.record_id,
                    payload=item.article,
                    date=utc_now(),
                )
                if capture.capture_id is not None:
                    index.set_capture_metadata(capture.capture_id, metadata)
            outcome = index.record_article(
                session.crawl_id,
                item.site,
                item.url,
                item.final_url,
                item.article,
                item.fetched_at,
                capture.capture_id if capture else None,
                etag=item.etag,
                last_modified=item.last_modified,
            )
            # A re-check that lands on another URL (a redirect) found the article moved.
            found = "moved" if outcome == "new" else outcome
            session.counts[f"articles_{outcome}"] += 1
            stats.inc_value(f"newsarchive/articles_{outcome}")
            stats.inc_value(f"newsarchive/site/{item.site}/articles_{outcome}")
        elif isinstance(item, FileItem):
            if not self._record_file(item) and index.article_state(item.article_url) is None:
                self._orphaned(item)  # (False also means: an image no longer in the article)
            stats.inc_value(f"newsarchive/{item.kind}s")
            stats.inc_value(f"newsarchive/site/{item.site}/{item.kind}s")
        elif isinstance(item, SharedFileItem):
            index.link_archived_file(item.article_url, item.kind, item.url, item.name)
        elif isinstance(item, NotModifiedItem):
            index.touch_article(item.url, item.checked_at, item.etag, item.last_modified)
            found = "unchanged"
            session.counts["articles_unchanged"] += 1
            stats.inc_value("newsarchive/articles_unchanged")
            stats.inc_value(f"newsarchive/site/{item.site}/articles_unchanged")
        elif isinstance(item, GoneItem):
            index.mark_gone(item.url, item.seen_at, item.http_status)
            found = "gone"
            session.counts["articles_gone"] += 1
            stats.inc_value("newsarchive/articles_gone")
            stats.inc_value(f"newsarchive/site/{item.site}/articles_gone")
        elif isinstance(item, UnreadableItem):
            # Left as it was: not touched, so the next run re-checks it.
            known = index.article_state(item.url) is not None
            found = "unreadable"
            stats.inc_value("newsarchive/articles_unreadable")
            logger.warning(
                "%s: no article in this capture (%s); %s",
                item.url,
                item.reason,
                "the archived version stays current" if known else "not indexed",
            )
        elif isinstance(item, ListingItem):
            index.record_listing(
                session.crawl_id,
                item.site,
                item.category,
                item.page,
                item.entries,
                item.seen_at,
                forget=item.forget,
            )
        elif isinstance(item, MovedItem):
            index.mark_moved(item.url, item.new_url, item.seen_at)
            stats.inc_value("newsarchive/articles_moved")
        return found
