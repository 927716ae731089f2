"""Downloader middlewares: WARC capture of every response, and retries that honour
Retry-After."""

from __future__ import annotations

import asyncio
import logging
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

from newsarchive.crawl.archiving import ArchiveSession, is_storage_error, utc_now
from newsarchive.items import CaptureRef

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, now_ts: float | None = None) -> float | None:
    """Seconds asked for by a Retry-After header (delta-seconds or an HTTP-date)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = now_ts if now_ts is not None else utc_now().timestamp()
    return max(0.0, when.timestamp() - now)


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retries with waits: a 429/503 with Retry-After waits as long as the server
    asked (capped by NEWSARCHIVE_RETRY_AFTER_MAX); other 5xx, timeouts and dropped
    connections back off exponentially (NEWSARCHIVE_RETRY_BACKOFF seconds, doubling per
    attempt, same cap), so a struggling portal is not hammered."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        mw = super().from_crawler(crawler)
        mw.retry_after_max = crawler.settings.getfloat("NEWSARCHIVE_RETRY_AFTER_MAX", 120.0)
        mw.backoff = crawler.settings.getfloat("NEWSARCHIVE_RETRY_BACKOFF", 2.0)
        return mw

    def backoff_seconds(self, retry: Request, asked: float | None) -> float:
        if asked is not None:
            return min(asked, self.retry_after_max)
        attempt = max(int(retry.meta.get("retry_times", 1)), 1)
        return min(self.backoff * 2 ** (attempt - 1), self.retry_after_max)

    async def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        await asyncio.sleep(self.backoff_seconds(retry, asked))
        return retry

    async def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry"):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            await asyncio.sleep(self.backoff_seconds(retry, None))
        return retry


def _header_pairs(headers: Any) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, values in headers.items():
        key = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        for value in values:
            pairs.append((key, value.decode("latin-1") if isinstance(value, bytes) else value))
    return pairs


class WarcCaptureMiddleware:
    """Writes every response, as the server sent it, to the WARC and the index.

    It sits after HttpCompressionMiddleware and RedirectMiddleware in the response chain,
    so payloads keep their Content-Encoding and 3xx responses are archived too. A payload
    identical to the URL's last capture becomes a revisit record; a 304 becomes a
    server-not-modified revisit.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self._session: ArchiveSession | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        return cls(crawler)

    @property
    def session(self) -> ArchiveSession:
        if self._session is None:
            session = self.crawler.get_extension(ArchiveSession)
            if session is None:
                raise RuntimeError("WarcCaptureMiddleware needs the ArchiveSession extension")
            self._session = session
        return self._session

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        # After a failed write nothing more is downloaded: it could not be stored.
        if self.session.failure is not None:
            raise IgnoreRequest(f"not fetched: {self.session.failure}")

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        session = self.session
        if session.failure is not None:
            raise IgnoreRequest(f"not stored: {session.failure}")
        try:
            return self._capture(request, response)
        except Exception as exc:
            if not is_storage_error(exc):
                raise
            session.storage_failed(exc)
            raise IgnoreRequest(f"not stored: {exc}") from exc

    def _capture(self, request: Request, response: Response) -> Response:
        session = self.session
        writer, index = session.writer, session.index
        if writer is None or index is None:
            return response
        fetched = utc_now()
        kind = request.meta.get(
            "kind", "robots" if request.url.endswith("/robots.txt") else "other"
        )
        ip = str(response.ip_address) if getattr(response, "ip_address", None) else None
        request_headers = [("Host", urlsplit(request.url).netloc), *_header_pairs(request.headers)]
        response_headers = _header_pairs(response.headers)
        previous = index.last_capture(request.url)
        payload_digest = writer.payload_digest(response.body)

        if response.status == 304 and previous is not None:
            exchange = writer.write_revisit(
                request.url,
                profile="server-not-modified",
                refers_to=previous,
                status=response.status,
                reason=None,
                response_headers=response_headers,
                request_headers=request_headers,
                ip=ip,
                date=fetched,
            )
            record_type = "revisit"
        elif (
            previous is not None
            and previous.payload_digest == payload_digest
            and previous.http_status == response.status
        ):
            exchange = writer.write_revisit(
                request.url,
                profile="identical-payload-digest",
                refers_to=previous,
                status=response.status,
                reason=None,
                response_headers=response_headers,
                request_headers=request_headers,
                ip=ip,
                date=fetched,
            )
            record_type = "revisit"
        else:
            exchange = writer.write_exchange(
                request.url,
                method=request.method,
                request_headers=request_headers,
                request_body=request.body or b"",
                status=response.status,
                reason=None,
                response_headers=response_headers,
                payload=response.body,
                ip=ip,
                date=fetched,
            )
            record_type = "response"
        ref = exchange.response
        try:
            capture_id = index.add_capture(
                crawl_id=session.crawl_id,
                url=request.url,
                fetched_at=fetched.isoformat(),
                http_status=response.status,
                kind=kind,
                payload_digest=payload_digest,
                ref=ref,
                record_type=record_type,
            )
        except Exception:
            writer.discard([exchange.response, exchange.request])  # no record without its row
            raise
        request.meta["newsarchive_capture"] = CaptureRef(
            capture_id=capture_id,
            record_id=ref.record_id,
            warc_file=ref.filename,
            warc_offset=ref.offset,
            warc_length=ref.length,
        )
        request.meta["newsarchive_fetched_at"] = fetched.isoformat()
        self.crawler.stats.inc_value("newsarchive/captures")
        return response


class CrawlDelayMiddleware:
    """Honour robots.txt `Crawl-delay`, which Scrapy reads but does not apply.

    Before each request the host's download slot delay is raised to the site's Crawl-delay
    (capped by NEWSARCHIVE_MAX_CRAWL_DELAY). It is re-asserted on every request because
    AutoThrottle lowers slot delays as responses come back fast.
    """

    def __init__(self, crawler: Crawler, max_delay: float):
        self.crawler = crawler
        self.max_delay = max_delay

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelayMiddleware:
        settings = crawler.settings
        if not (
            settings.getbool("ROBOTSTXT_OBEY") and settings.getbool("NEWSARCHIVE_OBEY_CRAWL_DELAY")
        ):
            raise NotConfigured
        return cls(crawler, settings.getfloat("NEWSARCHIVE_MAX_CRAWL_DELAY", 60.0))

    def crawl_delay(self, request: Request) -> float | None:
        robots = self.crawler.get_downloader_middleware(RobotsTxtMiddleware)
        # The parsed robots.txt per host is kept privately by Scrapy's middleware; a Deferred
        # means it is still being fetched (the first requests then go at the default pace).
        parser = getattr(robots, "_parsers", {}).get(urlparse_cached(request).netloc)
        if parser is None or isinstance(parser, Deferred) or not hasattr(parser, "crawl_delay"):
            return None
        agent = self.crawler.settings.get("ROBOTSTXT_USER_AGENT") or self.crawler.settings.get(
            "USER_AGENT"
        )
        delay = parser.crawl_delay(agent)
        return None if delay is None else min(float(delay), self.max_delay)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        delay = self.crawl_delay(request)
        if not delay:
            return
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is None:
            downloader.per_slot_settings.setdefault(key, {})["delay"] = delay
            return
        if slot.delay < delay:
            slot.delay = delay
        # Crawl-delay is a minimum: no random spacing below it (Scrapy's jitter is +-50%).
        if getattr(slot, "jitter", 0):
            slot.jitter = 0.0
        elif getattr(slot, "randomize_delay", False) is True:  # Scrapy < 2.14
            slot.randomize_delay = False
