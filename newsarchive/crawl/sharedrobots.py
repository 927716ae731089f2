"""robots.txt fetched once per host by all the workers of a shared crawl (`crawl --redis`).

Scrapy's RobotsTxtMiddleware downloads each host's robots.txt itself, through the engine
(a request marked `dont_obey_robotstxt`, with no callback), so each worker fetched every
host's robots.txt again: ~3 fetches per host with 3 workers. This downloader middleware sees
that request: the first worker of a generation to need it claims the host in Redis, fetches
it, and stores the response (status, headers, decoded body) under the generation's
`robots` hash (newsarchive.crawl.redisjob); the others wait for it and get that response
from Redis instead of fetching. RobotsTxtMiddleware then parses it as usual in every worker
(robots_parsed: Crawl-delay applied per worker too).

A response from Redis carries Scrapy's `cached` flag (as HttpCacheMiddleware marks what it
replays): WarcCaptureMiddleware does not archive it again; the worker that fetched it did.
Only final answers are shared (2xx, 4xx): a 5xx or 429 is the server's trouble of the
moment, and each worker deals with it (retries) as before. Redis unavailable here: the
worker fetches for itself (the crawl's own Redis users report and stop it).
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.responsetypes import responsetypes
from scrapy.utils.httpobj import urlparse_cached

from newsarchive.crawl.sharedpace import redis_url

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

SHARED_FLAG = "cached"  # Scrapy's flag for a response not downloaded now
CLAIM_SECONDS = 30.0  # a claimer that died holds the others back at most this long
POLL_SECONDS = 0.05
KEEP_SECONDS = 24 * 3600  # RFC 9309 2.4: a cached robots.txt is used at most 24 hours

# The stored response, or claim it: in one step, or a worker could miss the response and then
# find the claim just released by its storing. KEYS: hash, claim. ARGV: URL, worker, claim
# ms. Returns the stored response, 1 (claimed: fetch it) or 0 (another worker fetches it).
_GET_OR_CLAIM = """
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if stored then return stored end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[3]) then return 1 end
return 0
"""


def is_robots_request(request: Request) -> bool:
    """RobotsTxtMiddleware's own request (the spider's robots.txt for sitemaps has a
    callback and goes through the frontier like any page)."""
    return (
        bool(request.meta.get("dont_obey_robotstxt"))
        and request.callback is NO_CALLBACK
        and urlparse_cached(request).path == "/robots.txt"
    )


def _robots_url(request: Request) -> str:
    """The robots.txt URL first asked for (a redirect's target answers for it)."""
    return (request.meta.get("redirect_urls") or [request.url])[0]


class SharedRobotsTxtMiddleware:
    def __init__(self, crawler: Crawler, url: str) -> None:
        from newsarchive.crawl.frontier import generation_of  # scrapy-redis: Redis crawls only

        self.crawler = crawler
        self.url = url
        g = generation_of(crawler.settings)
        self.key = f"{g.base}:robots"
        self.claim_prefix = f"{g.base}:robots:claim:"
        self.worker = g.worker
        self.client: Any = None
        self.claimed: set[str] = set()  # robots URLs this worker is fetching for all

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedRobotsTxtMiddleware:
        settings = crawler.settings
        url = redis_url(settings)
        worker = settings.get("NEWSARCHIVE_REDIS_WORKER")  # only `crawl --redis` sets it
        if not (url and worker and settings.getbool("ROBOTSTXT_OBEY")):
            raise NotConfigured
        mw = cls(crawler, url)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def _redis(self) -> Any:
        if self.client is None:
            import redis.asyncio as aioredis

            self.client = aioredis.from_url(self.url, socket_timeout=10, socket_connect_timeout=10)
            self._get_or_claim = self.client.register_script(_GET_OR_CLAIM)
        return self.client

    async def spider_closed(self, spider: Spider) -> None:
        client, self.client = self.client, None
        if client is not None:
            try:
                await (getattr(client, "aclose", None) or client.close)()
            except Exception:
                logger.debug("closing the Redis connection failed", exc_info=True)

    async def process_request(self, request: Request, spider: Spider | None = None) -> Any:
        if not is_robots_request(request):
            return None
        url = _robots_url(request)
        if url in self.claimed:
            return None  # a redirect of the one this worker fetches for all
        try:
            return await self._shared_or_claim(request, url)
        except Exception as exc:  # sharing is an optimisation: fetch it here
            logger.warning("robots.txt through Redis failed (%s): fetching %s here", exc, url)
            return None

    async def _shared_or_claim(self, request: Request, url: str) -> Response | None:
        self._redis()
        keys = [self.key, self.claim_prefix + url]
        args = [url, self.worker, int(CLAIM_SECONDS * 1000)]
        deadline = time.monotonic() + CLAIM_SECONDS
        while True:
            answer = await self._get_or_claim(keys=keys, args=args)
            if isinstance(answer, bytes):
                self.crawler.stats.inc_value("newsarchive/robots_from_redis")
                return self._response(request, answer)
            if answer == 1:
                self.claimed.add(url)
                return None  # ours to fetch (and store)
            if time.monotonic() > deadline:
                return None
            await asyncio.sleep(POLL_SECONDS)

    async def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if not self.claimed:  # every response passes here; few are robots.txt being shared
            return response
        url = _robots_url(request)
        if url not in self.claimed or SHARED_FLAG in response.flags:
            return response
        self.claimed.discard(url)
        status = response.status
        try:
            if 200 <= status < 300 or (400 <= status < 500 and status != 429):
                pipe = self._redis().pipeline(transaction=True)
                pipe.hset(self.key, url, self._encode(response))
                pipe.expire(self.key, KEEP_SECONDS)
                pipe.delete(self.claim_prefix + url)
                await pipe.execute()
            else:
                await self._redis().delete(self.claim_prefix + url)
        except Exception as exc:
            logger.warning("could not share %s through Redis (%s)", url, exc)
        return response

    async def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> None:
        url = _robots_url(request)
        if url in self.claimed:  # the others fetch it for themselves
            self.claimed.discard(url)
            try:
                await self._redis().delete(self.claim_prefix + url)
            except Exception:
                logger.debug("could not drop the claim on %s", url, exc_info=True)
        return None

    @staticmethod
    def _encode(response: Response) -> str:
        headers = [
            [k.decode("latin-1"), v.decode("latin-1")]
            for k, values in response.headers.items()
            for v in values
        ]
        return json.dumps(
            {
                "url": response.url,
                "status": response.status,
                "headers": headers,
                "body": base64.b64encode(response.body).decode("ascii"),
            }
        )

    @staticmethod
    def _response(request: Request, stored: bytes) -> Response:
        data = json.loads(stored)
        headers = Headers()
        for name, value in data["headers"]:
            headers.appendlist(name, value)
        body = base64.b64decode(data["body"])
        cls = responsetypes.from_args(headers=headers, url=data["url"], body=body)
        return cls(
            url=data["url"],
            status=data["status"],
            headers=headers,
            body=body,
            flags=[SHARED_FLAG],
            request=request,
        )
