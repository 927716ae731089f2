"""Building Scrapy settings for a crawl from CLI options (kept apart from the click code so
scripts and tests can reuse it)."""

from __future__ import annotations

import os
from typing import Any

from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings

from newsarchive.urlparts import parse_host_map  # noqa: F401 - re-exported

# Only for the local replica and benchmarks: no delay, many connections. Never the default.
FAST: dict[str, Any] = {
    "AUTOTHROTTLE_ENABLED": False,
    "NEWSARCHIVE_OBEY_CRAWL_DELAY": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 64,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "NEWSARCHIVE_FILE_HOST_CONCURRENCY": 32,
    "NEWSARCHIVE_RETRY_AFTER_MAX": 2.0,
    "NEWSARCHIVE_RETRY_BACKOFF": 0.1,
    "DOWNLOAD_TIMEOUT": 20,
    "LOG_LEVEL": "WARNING",
}


def crawl_settings(
    *,
    data: str | None = None,
    fast: bool = False,
    host_map: dict[str, str] | None = None,
    max_pages: int | None = None,
    since: str | None = None,
    recheck_hours: float | None = None,
    log_json: str | None = None,
    progress: bool = False,
    overrides: dict[str, Any] | None = None,
) -> Settings:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newsarchive.settings")
    settings = get_project_settings()
    if fast:
        settings.setdict(FAST, priority="cmdline")
    values: dict[str, Any] = {
        "NEWSARCHIVE_DATA": data,
        "NEWSARCHIVE_HOST_MAP": host_map or None,
        "NEWSARCHIVE_MAX_PAGES": max_pages,
        "NEWSARCHIVE_SINCE": since,
        "NEWSARCHIVE_RECHECK_HOURS": recheck_hours,
        "NEWSARCHIVE_LOG_JSON": log_json,
        "NEWSARCHIVE_PROGRESS": progress or None,
    }
    settings.setdict({k: v for k, v in values.items() if v is not None}, priority="cmdline")
    if overrides:
        settings.setdict(overrides, priority="cmdline")
    return settings
