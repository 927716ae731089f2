"""One log file per crawl run, beside the archive, the oldest removed past a count.

Cron mails stderr to someone who may never read it; the log file of each run stays in
DATA/logs/ (crawl-<UTC time>-<pid>.log, INFO and up whatever LOG_LEVEL the console uses),
and only the newest `keep` files are kept.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

PATTERN = "crawl-*.log"
FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"


def open_run_log(directory: Path, keep: int) -> tuple[Path, logging.Handler]:
    """Start this run's log file (root logger, INFO) and delete all but the newest `keep`."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    path = directory / f"crawl-{stamp}-{os.getpid()}.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.INFO)
    handler.setFormatter(logging.Formatter(FORMAT))
    logging.root.addHandler(handler)
    if logging.root.level > logging.INFO or logging.root.level == logging.NOTSET:
        logging.root.setLevel(logging.INFO)
    rotate(directory, keep)
    return path, handler


def skip_unlogged_levels() -> None:
    """Let loggers drop at once what no root handler would write. Scrapy sets the root
    logger to NOTSET and its own to DEBUG, so every DEBUG line of the engine (each
    request, each item) was made into a record and then thrown away by each handler: ~2%
    of a crawl's CPU."""
    levels = [handler.level for handler in logging.root.handlers]
    if not levels or not all(levels):  # a handler at NOTSET (e.g. a test's capture) wants all
        return
    lowest = min(levels)
    logging.root.setLevel(lowest)
    scrapy_logger = logging.getLogger("scrapy")
    if not scrapy_logger.handlers and scrapy_logger.propagate:
        scrapy_logger.setLevel(max(scrapy_logger.level, lowest))


class SkipUnloggedLevels:
    """Extension: skip_unlogged_levels() once the engine starts, after the crawler has
    (re)installed Scrapy's root handler and set the root logger to NOTSET again."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> SkipUnloggedLevels:
        from scrapy import signals

        extension = cls()
        crawler.signals.connect(extension.engine_started, signal=signals.engine_started)
        return extension

    def engine_started(self) -> None:
        skip_unlogged_levels()


def rotate(directory: Path, keep: int) -> list[Path]:
    """Remove the oldest run logs so that at most `keep` remain; returns the removed ones."""
    logs = sorted(directory.glob(PATTERN), key=lambda p: p.name)
    removed = logs[: max(len(logs) - keep, 0)]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def close_run_log(handler: logging.Handler) -> None:
    logging.root.removeHandler(handler)
    handler.close()
