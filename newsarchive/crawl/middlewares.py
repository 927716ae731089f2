"""Downloader middlewares: WARC capture of every response, and retries that honour
Retry-After."""

from __future__ import annotations

import logging
from email.utils import parsedate_to_datetime
from time import monotonic
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.asyncio import call_later
from scrapy.utils.httpobj import urlparse_cached

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


# A slot with no delay never has its next-allowed time checked by Scrapy's downloader; a
# host held back gets this minimal one until the hold ends.
_HOLD_DELAY = 0.001


def hold_host(crawler: Crawler, request: Request, seconds: float) -> None:
    """No request to `request`'s download slot (its host) before `seconds` from now.

    Scrapy's downloader sends a slot's next request once `slot.lastseen + delay` has
    passed: pushing `lastseen` forward holds that host only, while the other hosts' slots
    keep downloading and no global concurrency is spent waiting. With REDIS_URL set, the
    host's shared turn in Redis moves too (crawl/sharedpace.py).
    """
    if seconds <= 0 or crawler.engine is None:
        return
    from newsarchive.crawl.sharedpace import SharedPoliteness

    shared = crawler.get_extension(SharedPoliteness)
    if shared is not None:  # every worker on the Redis holds the host, not just this one
        shared.hold(urlparse_cached(request).hostname or "", seconds)
    downloader = crawler.engine.downloader
    slot = downloader.slots.get(downloader.get_slot_key(request))
    if slot is None:
        return
    slot.lastseen = max(slot.lastseen, monotonic() + seconds)
    if not slot.delay:
        slot.delay = _HOLD_DELAY
        call_later(seconds + 0.05, _end_hold, slot)


def _end_hold(slot: Any) -> None:
    if slot.delay == _HOLD_DELAY:
        slot.delay = 0.0


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retries with waits: a 429/503 with Retry-After holds the host as long as
    the server asked (capped by NEWSARCHIVE_RETRY_AFTER_MAX); other 5xx, timeouts and
    dropped connections back off exponentially (NEWSARCHIVE_RETRY_BACKOFF seconds,
    doubling per attempt, same cap), so a struggling portal is not hammered.

    The wait is the host's download slot's (see hold_host), never a sleep in here: a
    sleeping middleware held a global downloader slot while the host kept receiving
    other requests."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        mw = super().from_crawler(crawler)
        mw.crawler = crawler
        mw.retry_after_max = crawler.settings.getfloat("NEWSARCHIVE_RETRY_AFTER_MAX", 120.0)
        mw.backoff = crawler.settings.getfloat("NEWSARCHIVE_RETRY_BACKOFF", 2.0)
        # response_downloaded fires before the downloader hands the host's slot its next
        # request (process_response would come too late: one request would slip through).
        crawler.signals.connect(mw.response_downloaded, signal=signals.response_downloaded)
        return mw

    def response_downloaded(self, response: Response, request: Request, spider: Any) -> None:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return
        attempt = int(request.meta.get("retry_times", 0)) + 1
        if attempt > int(request.meta.get("max_retry_times", self.max_retry_times)):
            return  # no retry will follow: nothing to wait for
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        retry = request.replace(meta={**request.meta, "retry_times": attempt})
        hold_host(self.crawler, request, self.backoff_seconds(retry, asked))

    def backoff_seconds(self, retry: Request, asked: float | None) -> float:
        if asked is not None:
            return min(asked, self.retry_after_max)
        attempt = max(int(retry.meta.get("retry_times", 1)), 1)
        return min(self.backoff * 2 ** (attempt - 1), self.retry_after_max)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        hold_host(self.crawler, request, self.backoff_seconds(retry, asked))
        return retry

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry"):
            return None
        retry = self._retry(request, exception)
        if retry is not None:
            hold_host(self.crawler, request, self.backoff_seconds(retry, None))
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
        self._host_sites: dict[str, str] | None = None

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
        if "cached" in response.flags:
            # Not fetched now: a robots.txt another worker fetched (and archived), replayed
            # from Redis (crawl/sharedrobots.py), or Scrapy's HTTP cache.
            return response
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
        site = self.site_of(request)
        if site:
            self.crawler.stats.inc_value(f"newsarchive/site/{site}/captures")
        return response

    def site_of(self, request: Request) -> str | None:
        """The site a fetch was made for: the spider (a many-site crawl's part) whose
        callback gets the answer; for Scrapy's own requests (robots.txt), the site owning
        the host."""
        owner = getattr(request.callback, "__self__", None)
        site = getattr(owner, "site_name", None)
        if site:
            return str(site)
        if self._host_sites is None:
            spider = self.crawler.spider
            parts = list(getattr(spider, "parts", {}).values()) or [spider]
            self._host_sites = {
                host.lower(): part.site_name
                for part in parts
                for host in getattr(part, "page_hosts", ())
                if getattr(part, "site_name", None)
            }
        return self._host_sites.get((urlsplit(request.url).hostname or "").lower())


class CrawlDelayMiddleware:
    """Honour robots.txt `Crawl-delay`, which Scrapy reads but does not apply.

    Scrapy's `robots_parsed` signal hands over each host's parser; its public
    `crawl_delay()` (Scrapy >= 2.18) gives the delay, capped by NEWSARCHIVE_MAX_CRAWL_DELAY.
    Before each request the host's download slot delay is raised to it: re-asserted every
    time because AutoThrottle lowers slot delays as responses come back fast.
    """

    def __init__(self, crawler: Crawler, max_delay: float):
        self.crawler = crawler
        self.max_delay = max_delay
        self.delays: dict[str, float] = {}  # host -> Crawl-delay

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelayMiddleware:
        settings = crawler.settings
        if not (
            settings.getbool("ROBOTSTXT_OBEY") and settings.getbool("NEWSARCHIVE_OBEY_CRAWL_DELAY")
        ):
            raise NotConfigured
        mw = cls(crawler, settings.getfloat("NEWSARCHIVE_MAX_CRAWL_DELAY", 60.0))
        crawler.signals.connect(mw.robots_parsed, signal=signals.robots_parsed)
        return mw

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        settings = self.crawler.settings
        agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT")
        delay = robotparser.crawl_delay(agent)
        host = urlparse_cached(request).hostname or ""
        if delay:
            self.delays[host] = min(float(delay), self.max_delay)
            logger.info("%s asks for Crawl-delay %s s", host, delay)

    def crawl_delay(self, request: Request) -> float | None:
        return self.delays.get(urlparse_cached(request).hostname or "")

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
        slot.jitter = 0.0
