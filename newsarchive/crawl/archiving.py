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
import sqlite3
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals

from archive import lock
from archive.index import Index
from archive.layout import DataDir, resolve_data_dir
from archive.recover import index_unindexed_tail
from archive.warc import WarcWriteError, WarcWriter, repair_truncated
from archive.warccheck import safe_hostname
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
    # How the index committed: workers of one folder commit every write (cli/crawl.py).
    "NEWSARCHIVE_INDEX_BATCH",
)


# Scrapy close reason of a crawl stopped because what it fetched could not be stored.
STORAGE_FAILED = "storage_failed"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def is_storage_error(exc: BaseException) -> bool:
    """True for a failure to store (disk full, I/O error), as opposed to a bug or bad data."""
    if isinstance(exc, (WarcWriteError, OSError)):
        return True
    if isinstance(exc, sqlite3.OperationalError):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is None:
            return "disk" in str(exc)
        return code & 0xFF in (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR)
    return False


class ArchiveSession:
    def __init__(
        self,
        data_dir: Path,
        warc_max_bytes: int,
        warc_prefix: str,
        settings: dict,
        fsync_interval: float = 1.0,
        index_batch: int = 1,
        index_batch_ms: float = 250.0,
        index_batch_gap_ms: float = 100.0,
    ):
        self.index_batch_gap_ms = index_batch_gap_ms
        self.fsync_interval = fsync_interval
        self.index_batch = index_batch
        self.index_batch_ms = index_batch_ms
        self._flusher: Any = None
        self.data = DataDir(data_dir)
        self.warc_max_bytes = warc_max_bytes
        self.warc_prefix = warc_prefix
        self.settings_snapshot = settings
        self.writer: WarcWriter | None = None
        self.index: Index | None = None
        self.crawl_id: int | None = None
        self.counts: Counter[str] = Counter()
        # Set at the first failed write: nothing more is fetched or stored, the crawl stops.
        self.failure: str | None = None

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
            index_batch=settings.getint("NEWSARCHIVE_INDEX_BATCH", 1),
            index_batch_ms=settings.getfloat("NEWSARCHIVE_INDEX_BATCH_MS", 250.0),
            index_batch_gap_ms=settings.getfloat("NEWSARCHIVE_INDEX_BATCH_GAP_MS", 100.0),
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
        dead = self._close_dead_crawls()
        self._repair_unclosed_warcs()
        self._index_what_dead_crawls_wrote(dead)
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
        self.crawl_id = self.index.start_crawl(
            sites, self.settings_snapshot, pid=os.getpid(), host=safe_hostname()
        )
        self._start_batches()

    def _start_batches(self) -> None:
        """Index writes commit in batches (NEWSARCHIVE_INDEX_BATCH writes, or
        NEWSARCHIVE_INDEX_BATCH_MS after a batch's first write, by a timer even when the
        crawl is idle): one commit per batch instead of per item. Batches stay short in time
        (<= 0.5 s is the rule) and are followed by a gap of single-write commits
        (NEWSARCHIVE_INDEX_BATCH_GAP_MS, 100): a batch holds SQLite's write lock, and another
        writer of the same index (a worker process, a merge) waiting on busy_timeout gets it
        in the gap, never starves. Nothing
        is lost by it: a WARC record written before its batch committed is indexed by the
        next crawl's start-up (_index_what_dead_crawls_wrote)."""
        assert self.index is not None
        if self.index_batch <= 1:
            return
        from twisted.internet.task import LoopingCall

        seconds = max(self.index_batch_ms, 1.0) / 1000
        self.index.batch_writes(self.index_batch, seconds, self.index_batch_gap_ms / 1000)
        self._flusher = LoopingCall(self._flush_due)
        self._flusher.start(seconds / 2, now=False)

    def _flush_due(self) -> None:
        if self.index is None or self.failure is not None:
            return
        try:
            self.index.flush_if_due()
        except Exception as exc:
            if not is_storage_error(exc):
                raise
            self.storage_failed(exc)

    def storage_failed(self, exc: BaseException) -> None:
        """Stop the crawl: what it would fetch next could not be stored."""
        if self.failure is not None:
            return
        self.failure = f"could not store the archive: {exc}"
        logger.error("%s; stopping the crawl", self.failure)
        self._save_batch()
        self.crawler.stats.set_value("newsarchive/storage_error", self.failure)
        engine = self.crawler.engine
        if hasattr(engine, "close_spider_async"):  # Scrapy >= 2.14
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(engine.close_spider_async(reason=STORAGE_FAILED))
        else:
            engine.close_spider(engine.spider, STORAGE_FAILED)

    def _save_batch(self) -> None:
        """After a failed write, keep the open batch's good writes if it can still commit;
        if not, it rolls back (its WARC records are indexed at the next start-up)."""
        if self.index is None:
            return
        try:
            self.index.flush()
        except Exception as exc:
            if not is_storage_error(exc):
                raise
            logger.error("index batch rolled back: %s", exc)

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
        status = "finished" if reason == "finished" and self.failure is None else "failed"
        if self._flusher is not None and self._flusher.running:
            self._flusher.stop()
        try:
            if self.index is not None:
                self.index.flush()  # the last batch first: the crawl's end comes after it
            if self.index is not None and self.crawl_id is not None:
                self.index.finish_crawl(
                    self.crawl_id,
                    dict(self.counts),
                    status=status,
                    failure=self.failure or (None if status == "finished" else reason),
                )
                self.index.flush()
        except Exception as exc:
            if not is_storage_error(exc):
                raise
            # The row stays `running`; the next run marks it (see _close_dead_crawls) and
            # indexes what this one wrote to the WARC but could not commit.
            logger.error("could not record the end of the crawl: %s", exc)
            self.crawler.stats.set_value(
                "newsarchive/storage_error", f"could not store the archive: {exc}"
            )
            if self.index is not None:
                self.index.rollback()
        finally:
            try:
                if self.writer is not None:
                    self.writer.close()
            except OSError as exc:
                logger.error("could not close the WARC file: %s", exc)
            if self.index is not None:
                self.index.close()
            lock.release(self.data.root)

    def _close_dead_crawls(self) -> list[tuple[int, int | None]]:
        """A crawl whose process died (SIGKILL, power cut, a failed last write) stays
        `running` in the index: mark it failed, as interrupted."""
        assert self.index is not None
        dead = self.index.close_dead_crawls(safe_hostname(), pid_alive)
        for crawl_id, pid in dead:
            logger.warning("crawl %d (process %s) was interrupted: marked failed", crawl_id, pid)
        return dead

    def _index_what_dead_crawls_wrote(self, dead: list[tuple[int, int | None]]) -> None:
        """Records a killed crawl wrote but did not get to index (see archive.recover)."""
        assert self.index is not None
        host = safe_hostname()
        # A crawl stopped by a failed write (disk full) may have left a batch it could not
        # commit: its records are after the last one indexed, like a killed crawl's.
        dead = list(dict.fromkeys([*dead, *self.index.storage_failed_crawls(host)]))
        for crawl_id, pid in dead:
            if pid is None:
                continue
            for path in sorted(self.data.warc_dir.glob(f"*-{host}-{pid}.warc.gz")):
                added = index_unindexed_tail(self.index, self.data.warc_dir, path.name, crawl_id)
                if added:
                    logger.warning(
                        "indexed %d records crawl %d wrote to %s before it died",
                        added,
                        crawl_id,
                        path.name,
                    )

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


def pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another crawler of this process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


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
