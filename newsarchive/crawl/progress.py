"""Live progress line on stderr and an optional JSON-lines log for scheduled runs."""

from __future__ import annotations

import json
import sys
import time
from typing import IO, TYPE_CHECKING, Any

from scrapy import signals
from twisted.internet import task

from newsarchive.crawl.recheckstats import OUTCOMES, REASONS

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler


class Progress:
    def __init__(self, crawler: Crawler, interval: float, live: bool, json_path: str | None):
        self.crawler = crawler
        self.interval = interval
        self.live = live
        self.json_path = json_path
        self._json: IO[str] | None = None
        self._loop: task.LoopingCall | None = None
        self._started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        settings = crawler.settings
        ext = cls(
            crawler,
            interval=settings.getfloat("NEWSARCHIVE_PROGRESS_INTERVAL", 2.0),
            live=settings.getbool("NEWSARCHIVE_PROGRESS", False),
            json_path=settings.get("NEWSARCHIVE_LOG_JSON"),
        )
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def snapshot(self) -> dict[str, Any]:
        stats = self.crawler.stats
        elapsed = max(time.monotonic() - self._started, 1e-6)
        pages = int(stats.get_value("newsarchive/captures", 0) or 0)
        return {
            "spider": self.crawler.spider.name if self.crawler.spider else None,
            "elapsed_s": round(elapsed, 1),
            "pages": pages,
            "articles_new": int(stats.get_value("newsarchive/articles_new", 0) or 0),
            "articles_changed": int(stats.get_value("newsarchive/articles_changed", 0) or 0),
            "articles_unchanged": int(stats.get_value("newsarchive/articles_unchanged", 0) or 0),
            "articles_gone": int(stats.get_value("newsarchive/articles_gone", 0) or 0),
            "errors": int(stats.get_value("newsarchive/errors", 0) or 0),
            "pages_per_s": round(pages / elapsed, 1),
            # Re-checks of known articles by reason, and what they found (crawl.recheckstats).
            "rechecks": {
                r: int(stats.get_value(f"newsarchive/rechecks/{r}", 0) or 0) for r in REASONS
            },
            "recheck_found": {
                o: int(stats.get_value(f"newsarchive/recheck_found/{o}", 0) or 0) for o in OUTCOMES
            },
        }

    def emit(self, event: str) -> None:
        snap = self.snapshot()
        if self.live and event == "progress":
            line = (
                f"\r[{snap['spider']}] pages {snap['pages']} | articles new {snap['articles_new']}"
                f" changed {snap['articles_changed']} gone {snap['articles_gone']}"
                f" | {snap['pages_per_s']}/s | errors {snap['errors']}"
            )
            sys.stderr.write(line.ljust(90))
            sys.stderr.flush()
        if self._json is not None:
            self._json.write(json.dumps({"event": event, "time": time.time(), **snap}) + "\n")
            self._json.flush()

    def spider_opened(self, spider: Spider) -> None:
        self._started = time.monotonic()
        if self.json_path:
            self._json = open(self.json_path, "a", encoding="utf-8")  # noqa: SIM115 - closed on spider_closed
        if self.live or self._json is not None:
            self._loop = task.LoopingCall(self.emit, "progress")
            self._loop.start(self.interval, now=False)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self.live:
            sys.stderr.write("\n")
        self.emit("finished")
        if self._json is not None:
            self._json.close()
            self._json = None
