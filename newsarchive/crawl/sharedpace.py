"""Per-host politeness shared by every worker on one Redis (`REDIS_URL`).

Scrapy's download slots space requests per host within ONE process; N workers on one Redis
would hit each portal N times harder. Here each host has one key in Redis holding the time
(Redis' own clock, so several machines agree) before which nobody may send to it. A Lua
script checks and moves it atomically: a request may go when the time has passed, and it
then sets the next turn one interval ahead; otherwise it tells how long to wait.

The interval of a host is the largest of: its download slot's delay in this worker
(DOWNLOAD_DELAY, the site's own delay, robots.txt Crawl-delay as CrawlDelayMiddleware sets
it, AutoThrottle's) and 1 / NEWSARCHIVE_HOST_RATE. File hosts (the CDN shared by many
sites, NEWSARCHIVE_FILE_HOSTS) have their own key and their own rate,
NEWSARCHIVE_FILE_HOST_RATE (default: the host rate scaled like their concurrency). A
Retry-After or backoff hold (middlewares.hold_host) moves the host's key too, so every
worker waits. Each turn is NEWSARCHIVE_REDIS_GUARD (0.05 s) longer than the interval: the
host sees arrivals, and a busy worker may send a little after its turn. Keys are
PREFIX:host:HOSTNAME, PREFIX being the crawl's (`newsarchive:<job>` with `crawl --redis`).

The turn is taken by PacedDownloadHandler right before the request goes on the wire, not in
a downloader middleware: a middleware runs before Scrapy's per-host slot queue, so a request
could leave later than its turn (local delay, busy slot) and bunch with another worker's.
Waiting is an asyncio sleep; the reactor keeps serving the other hosts.

Redis unreachable: the crawl stops (close reason `redis_unreachable`, exit non-zero); what
was archived stays, nothing more is sent without the shared limit.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import CloseSpider, IgnoreRequest, NotConfigured
from scrapy.utils.httpobj import urlparse_cached

from newsarchive.crawl.hostmap import HostMapDownloadHandler

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

REDIS_UNREACHABLE = "redis_unreachable"

# KEYS[1]: the host's key. ARGV[1]: interval in microseconds. Returns 0 when the request
# may go now (and the host's next turn is then one interval ahead), else microseconds to
# wait. Redis' TIME is the one clock all workers share.
_TAKE_TURN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
if nxt > now then return nxt - now end
local interval = tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.0f', now + interval),
           'PX', math.floor(interval / 1000) + 60000)
return 0
"""

# KEYS[1]: the host's key. ARGV[1]: hold in microseconds. Nobody sends before now + hold.
_HOLD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
local until_ = now + tonumber(ARGV[1])
if until_ > nxt then
  redis.call('SET', KEYS[1], string.format('%.0f', until_),
             'PX', math.floor(tonumber(ARGV[1]) / 1000) + 60000)
end
return 0
"""

# Slot delays this small are hold_host's placeholder, not a politeness delay.
_MIN_DELAY = 0.01


def redis_url(settings: Any) -> str | None:
    """The Redis of a shared crawl: scrapy-redis' REDIS_URL, else NEWSARCHIVE_REDIS_URL."""
    return settings.get("REDIS_URL") or settings.get("NEWSARCHIVE_REDIS_URL") or None


class SharedPoliteness:
    """Extension: the Redis connection and the per-host turns (see the module docstring)."""

    def __init__(self, crawler: Crawler, url: str) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.url = url
        self.prefix = settings.get("NEWSARCHIVE_REDIS_PREFIX", "newsarchive")
        self.host_rate = settings.getfloat("NEWSARCHIVE_HOST_RATE", 0.0)
        file_rate = settings.get("NEWSARCHIVE_FILE_HOST_RATE")
        if file_rate is None:
            per_domain = max(settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 1), 1)
            share = settings.getint("NEWSARCHIVE_FILE_HOST_CONCURRENCY", per_domain) / per_domain
            file_rate = self.host_rate * max(share, 1.0)
        self.file_host_rate = float(file_rate)
        self.file_hosts = {h.lower() for h in settings.getlist("NEWSARCHIVE_FILE_HOSTS")}
        self.timeout = settings.getfloat("NEWSARCHIVE_REDIS_TIMEOUT", 10.0)
        self.guard = settings.getfloat("NEWSARCHIVE_REDIS_GUARD", 0.05)
        self.client: Any = None
        self.failure: str | None = None
        # One request per host asks Redis at a time in this worker: the others queue here
        # instead of all polling at each turn.
        self._local: dict[str, asyncio.Lock] = {}
        self._pending: set[asyncio.Future] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedPoliteness:
        url = redis_url(crawler.settings)
        # NEWSARCHIVE_REDIS_POLITENESS=0: each worker polite on its own only (benchmarks, and
        # the test showing what N workers then do to a host).
        if not url or not crawler.settings.getbool("NEWSARCHIVE_REDIS_POLITENESS", True):
            raise NotConfigured
        ext = cls(crawler, url)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    async def spider_opened(self, spider: Spider) -> None:
        import redis.asyncio as aioredis

        self.client = aioredis.from_url(
            self.url, socket_timeout=self.timeout, socket_connect_timeout=self.timeout
        )
        self._take = self.client.register_script(_TAKE_TURN)
        self._hold = self.client.register_script(_HOLD)
        try:
            await self.client.ping()
        except Exception as exc:
            self._record_failure(exc)
            raise CloseSpider(REDIS_UNREACHABLE) from exc
        logger.info("per-host politeness shared through Redis at %s", _safe(self.url))

    async def spider_closed(self, spider: Spider) -> None:
        client, self.client = self.client, None
        if client is not None:
            close = getattr(client, "aclose", None) or client.close  # redis-py < 5: close()
            try:
                await close()
            except Exception:  # a dead Redis: nothing left to close cleanly
                logger.debug("closing the Redis connection failed", exc_info=True)

    # --- the turns ---

    def key(self, host: str) -> str:
        return f"{self.prefix}:host:{host}"

    def interval(self, request: Request) -> float:
        """Seconds between two requests to `request`'s host, from any worker."""
        host = (urlparse_cached(request).hostname or "").lower()
        rate = self.file_host_rate if host in self.file_hosts else self.host_rate
        interval = 1.0 / rate if rate > 0 else 0.0
        engine = self.crawler.engine
        if engine is not None:
            slot = engine.downloader.slots.get(request.meta.get("download_slot", host))
            if slot is not None and slot.delay > _MIN_DELAY:
                interval = max(interval, float(slot.delay))
        return interval

    async def wait_turn(self, request: Request) -> None:
        """Return once this request may be sent to its host; IgnoreRequest when the shared
        limit cannot be known (Redis unreachable: the crawl is being stopped)."""
        if self.failure is not None or self.client is None:
            raise IgnoreRequest(f"not sent: {self.failure or 'Redis not connected'}")
        interval = self.interval(request)
        if interval <= 0:
            return
        # The host sees arrivals, not grants: a busy worker sends a few tens of ms after its
        # turn, the next worker on time. The guard keeps such a pair apart by the interval.
        interval += self.guard
        host = (urlparse_cached(request).hostname or "").lower()
        key, micros = self.key(host), str(int(interval * 1_000_000))
        async with self._local.setdefault(host, asyncio.Lock()):
            while True:
                if self.failure is not None:
                    raise IgnoreRequest(f"not sent: {self.failure}")
                try:
                    wait_us = int(await self._take(keys=[key], args=[micros]))
                except Exception as exc:
                    self.redis_failed(exc)
                    raise IgnoreRequest(f"not sent: {self.failure}") from exc
                if wait_us <= 0:
                    return
                self.crawler.stats.inc_value("newsarchive/redis_pace_waits")
                await asyncio.sleep(wait_us / 1_000_000)

    def hold(self, host: str, seconds: float) -> None:
        """Nobody sends to `host` before `seconds` from now (a Retry-After or backoff)."""
        if self.client is None or self.failure is not None or seconds <= 0:
            return
        task = asyncio.ensure_future(self._hold_async(host.lower(), seconds))
        self._pending.add(task)  # a reference until done: the loop keeps only weak ones
        task.add_done_callback(self._pending.discard)

    async def _hold_async(self, host: str, seconds: float) -> None:
        try:
            await self._hold(keys=[self.key(host)], args=[str(int(seconds * 1_000_000))])
        except Exception as exc:
            self.redis_failed(exc)

    # --- failure ---

    def _record_failure(self, exc: BaseException) -> None:
        self.failure = f"Redis at {_safe(self.url)} unreachable ({exc})"
        logger.error("%s; stopping the crawl: the per-host limit cannot be kept", self.failure)
        self.crawler.stats.set_value("newsarchive/redis_error", self.failure)

    def redis_failed(self, exc: BaseException) -> None:
        if self.failure is not None:
            return
        self._record_failure(exc)
        from scrapy.utils.defer import deferred_from_coro

        deferred_from_coro(self.crawler.engine.close_spider_async(reason=REDIS_UNREACHABLE))


def _safe(url: str) -> str:
    """The URL without a password, for logs."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


class PacedDownloadHandler(HostMapDownloadHandler):
    """The project's HTTP handler; with SharedPoliteness on, each request first waits for
    its host's turn in Redis. Without it, exactly HostMapDownloadHandler."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self._crawler = crawler
        self._pace: SharedPoliteness | None | bool = False  # False: not looked up yet

    async def download_request(self, request: Request) -> Response:
        if self._pace is False:
            self._pace = self._crawler.get_extension(SharedPoliteness)
        if self._pace is not None:
            await self._pace.wait_turn(request)  # type: ignore[union-attr]
        return await super().download_request(request)
