"""A shared frontier for several crawl workers: scrapy-redis's scheduler and duplicate filter,
plus what a worker needs so that dying loses nothing.

scrapy-redis pops requests destructively: a killed worker's requests in flight would be gone,
and the duplicate filter would block them for good. Here each pop moves the request, in one
Lua script, into the worker's in-flight hash in Redis (newsarchive.crawl.redisjob); it leaves
that hash only once Scrapy has dropped the request object (its response archived, its
callback's requests queued and its items stored: a weakref finaliser, never earlier) and the
index batch holding its rows has committed, or when the worker is idle. A worker
heartbeats; any worker requeues the in-flight requests of workers whose heartbeat expired.
A worker closes only when the frontier is empty and no live worker holds a request or is
still reading its start requests.

An article's images and attachments go to a queue of the data folder whose worker archived
the article (its index holds the article row they are linked to), and they are deduplicated
per folder: several machines with their own folders each keep whole articles.

Enabled by `newsarchive crawl --redis` (settings from `redis_settings`); REDIS_URL is set then,
for any other extension that keeps per-crawl state in the same Redis.
"""

from __future__ import annotations

import itertools
import logging
import os
import weakref
from collections import deque
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.exceptions import CloseSpider, DontCloseSpider, NotConfigured
from scrapy.utils.request import request_from_dict
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import Base as RedisQueueBase
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.python.failure import Failure

from newsarchive.crawl.redisjob import START_MARK, Generation, Scripts, stop_early_heartbeats

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

HEARTBEAT = 0.5  # seconds between heartbeats, flushes of finished requests and pokes
SWEEP_EVERY = 4  # heartbeats between two sweeps for dead workers
SEED_KEY = "newsarchive_seed"  # meta of a start request to queue once per run (popped)
# Fingerprints a worker remembers as already in the shared duplicate filter. Nav and category
# links come back on every page of a site: a few dozen per site, so hundreds of sites fit
# many times over; 50,000 short strings are ~6 MB. Full: cleared, not evicted one by one
# (a forgotten one costs one round trip, never a wrong answer).
KNOWN_MAX = 50_000
# New requests are sent to Redis together: at the end of the reactor turn that made them, when
# this many wait, and before anything reads the frontier or lets a request leave the in-flight
# hash (so a kill before the send loses nothing: the request that found them is fetched again).
SEND_EVERY = 200
# Requests one pop takes for this worker (NEWSARCHIVE_REDIS_PREFETCH; each in its in-flight
# hash, so a kill loses none). More means fewer round trips, but one worker then takes a
# small crawl's requests of a host all to itself while its siblings wait: 1 by default.
PREFETCH = 1


def redis_settings(url: str, g: Generation, ttl: float, resume: float) -> dict[str, Any]:
    """Scrapy settings of one worker of generation `g` (scrapy-redis's own setting names)."""
    return {
        "REDIS_URL": url,
        "SCHEDULER": "newsarchive.crawl.frontier.FrontierScheduler",
        "SCHEDULER_QUEUE_CLASS": "newsarchive.crawl.frontier.FrontierQueue",
        "SCHEDULER_QUEUE_KEY": g.queue_key,
        "DUPEFILTER_CLASS": "newsarchive.crawl.frontier.FrontierDupeFilter",
        "SCHEDULER_DUPEFILTER_KEY": g.dupefilter_key,
        # Never flush on close: other workers still use the frontier (the last one out of a
        # finished run drops it, redisjob._LEAVE); a new run starts a new generation instead.
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_FLUSH_ON_START": False,
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,  # never a blocking pop in the reactor thread
        "NEWSARCHIVE_REDIS_PREFIX": g.prefix,
        "NEWSARCHIVE_REDIS_GENERATION": g.gen,
        "NEWSARCHIVE_REDIS_WORKER": g.worker,
        "NEWSARCHIVE_REDIS_FOLDER": g.folder,
        "NEWSARCHIVE_REDIS_WORKER_TTL": ttl,
        "NEWSARCHIVE_REDIS_RESUME_HOURS": resume / 3600,
    }


def generation_of(settings: Any) -> Generation:
    return Generation(
        prefix=settings.get("NEWSARCHIVE_REDIS_PREFIX"),
        gen=settings.getint("NEWSARCHIVE_REDIS_GENERATION"),
        worker=settings.get("NEWSARCHIVE_REDIS_WORKER"),
        fresh=False,
        folder=settings.get("NEWSARCHIVE_REDIS_FOLDER"),
    )


def for_this_folder(request: Request) -> bool:
    """An article's file: its row joins the article's in the index of the folder that
    archived the article, so a worker of that folder must fetch it."""
    return bool(request.meta.get("article_url"))


class FrontierDupeFilter(RFPDupeFilter):
    """scrapy-redis's duplicate filter; an article's files are deduplicated per data folder
    (two folders' articles sharing an image each archive it).

    It remembers (`known`, at most KNOWN_MAX) the fingerprints it has seen in the Redis set
    (FrontierScheduler._enqueue_new checks and adds them, with the push, in one script): the
    set only grows within a generation, and one filter serves one generation (its key names
    it; a worker process joins once), so a remembered fingerprint is certainly a duplicate
    and is dropped without a round trip."""

    folder = ""

    def __init__(self, server: Any, key: str, debug: bool = False) -> None:
        super().__init__(server, key, debug)
        self.known: set[str] = set()

    @classmethod
    def from_spider(cls, spider: Spider) -> FrontierDupeFilter:
        dupefilter = super().from_spider(spider)
        dupefilter.folder = spider.settings.get("NEWSARCHIVE_REDIS_FOLDER") or ""
        return dupefilter

    def request_fingerprint(self, request: Request) -> str:
        fingerprint = super().request_fingerprint(request)
        return f"{self.folder}:{fingerprint}" if for_this_folder(request) else fingerprint

    def remember(self, fingerprint: str) -> None:
        """`fingerprint` is in the Redis set now."""
        if len(self.known) >= KNOWN_MAX:
            self.known.clear()
        self.known.add(fingerprint)

    def clear(self) -> None:
        super().clear()
        self.known.clear()


class FrontierQueue(RedisQueueBase):
    """scrapy-redis's priority queue (a sorted set, score = -priority) whose pop records the
    request in the worker's in-flight hash. Requests of a many-site crawl's parts are stored
    with the part's name, so their callbacks (methods of the part) survive the round trip."""

    def __init__(self, server: Any, spider: Spider, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        self.g = generation_of(spider.crawler.settings)
        self.scripts = Scripts(server)
        self._next_token = 1
        self.held: set[str] = set()  # tokens popped by this worker, not yet known handled
        self.finished: list[str] = []  # tokens whose request object is gone (finalisers)
        self.unsent: list[tuple[Request, tuple[str, str, str, float, bytes]]] = []
        self.on_sent: Any = None  # called with (request, queued) for each request sent
        self._send_call: Any = None

    def __len__(self) -> int:
        self.send()
        pipe = self.server.pipeline(transaction=False)
        pipe.zcard(self.g.folder_queue_key).zcard(self.key)
        return sum(pipe.execute())

    def push(self, request: Request) -> None:
        self.server.zadd(self._queue_of(request), {self.encode(request): -request.priority})

    def push_new(self, request: Request, seen: str, fingerprint: str) -> None:
        """Queue `request` unless `fingerprint` is in the duplicate filter `seen` (it is
        after), with the other new requests of this reactor turn: one round trip for them
        all (scrapy-redis sends SADD then ZADD for each). `on_sent` hears the answers."""
        add = (seen, fingerprint, self._queue_of(request), -request.priority, self.encode(request))
        self.unsent.append((request, add))
        if len(self.unsent) >= SEND_EVERY:
            self.send()
        elif self._send_call is None:
            from twisted.internet import reactor

            if reactor.running:  # else the next pop, heartbeat or close sends them
                self._send_call = reactor.callLater(0, self._send_later)

    def _send_later(self) -> None:
        self._send_call = None
        try:
            self.send()
        except Exception:  # kept unsent; the next pop, heartbeat or close sends them
            logger.exception("could not queue new requests in Redis yet")

    def send(self) -> None:
        """Queue the new requests not yet sent. On a Redis error they stay unsent (and the
        requests that found them stay in flight), and the error is raised."""
        if not self.unsent:
            return
        batch, self.unsent = self.unsent, []
        try:
            answers = self.scripts.add_many([add for _, add in batch])
        except BaseException:
            self.unsent[:0] = batch
            raise
        if self.on_sent is not None:
            for (request, _), queued in zip(batch, answers, strict=True):
                self.on_sent(request, queued)

    def _queue_of(self, request: Request) -> str:
        return self.g.folder_queue_key if for_this_folder(request) else self.key

    def pop(self, timeout: int = 0) -> Request | None:
        requests = self.pop_many(1)
        return requests[0] if requests else None

    def pop_many(self, count: int) -> list[Request]:
        """Up to `count` of the best requests, each in this worker's in-flight hash until
        Scrapy is done with it; one round trip."""
        self.send()
        first = self._next_token
        self._next_token += count
        popped = self.scripts.pop(
            args=[self.g.folder_queue_key, self.key, self.g.inflight_key, first, count]
        )
        requests = []
        for token, data in zip(map(str, itertools.count(first)), popped, strict=False):
            request = self.decode(data)
            self.held.add(token)
            # Scrapy keeps the request object until its response or failure is fully handled.
            weakref.finalize(request, self._finished, token)
            requests.append(request)
        return requests

    def _finished(self, token: str) -> None:
        self.finished.append(token)  # no Redis call here: finalisers run at any point

    def flush_finished(self) -> None:
        """Drop the in-flight entries of requests Scrapy is done with (their new requests
        queued first)."""
        self.send()
        done, self.finished = self.finished, []
        done = [t for t in done if t in self.held]
        if done:
            self.held.difference_update(done)
            self.server.hdel(self.g.inflight_key, *done)

    def release_all(self) -> None:
        """Nothing is in progress in this worker: none of its requests is in flight."""
        self.send()
        self.finished.clear()
        if self.held:
            self.server.hdel(self.g.inflight_key, *self.held)
            self.held.clear()

    def clear(self) -> None:
        self.server.delete(self.key)

    # -- encoding: Request.to_dict with the spider (or part) that owns the callbacks --------

    def _owner(self, request: Request) -> tuple[str | None, Any]:
        owner = getattr(request.callback, "__self__", None) or getattr(
            request.errback, "__self__", None
        )
        for name, part in getattr(self.spider, "parts", {}).items():
            if part is owner:
                return name, part
        return None, self.spider

    def encode(self, request: Request) -> bytes:
        part, owner = self._owner(request)
        return self.serializer.dumps({"part": part, "request": request.to_dict(spider=owner)})

    def decode(self, data: bytes) -> Request:
        obj = self.serializer.loads(data)
        part = obj.get("part")
        owner = self.spider.parts[part] if part else self.spider
        return request_from_dict(obj["request"], spider=owner)


class FrontierScheduler(RedisScheduler):
    """scrapy-redis's Scheduler with a local hand-off buffer: the Frontier extension pops a
    request for an idle engine and hands it in through engine.crawl(), which lands here
    again; such a request is already in flight and skips the duplicate filter and Redis."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierScheduler:
        scheduler = super().from_crawler(crawler)
        # Counted here: scrapy-redis passes `spider=` to the stats, which Scrapy deprecates.
        scheduler.stats = None
        scheduler.crawler = crawler
        scheduler.local = deque()
        scheduler.handoff = weakref.WeakSet()
        scheduler.prefetch = max(crawler.settings.getint("NEWSARCHIVE_REDIS_PREFETCH", PREFETCH), 1)
        return scheduler

    def open(self, spider: Spider) -> None:
        super().open(spider)
        self.queue.on_sent = self._sent
        frontier = self.crawler.get_extension(Frontier)
        if frontier is not None:
            frontier.attach(self)

    def enqueue_request(self, request: Request) -> bool:
        if request in self.handoff:
            self.handoff.discard(request)
            self.local.append(request)
            return True
        if request.meta.pop(SEED_KEY, False):
            queue = self.queue
            fingerprint = self.df.request_fingerprint(request)
            queued = queue.scripts.seed(
                queue.g, fingerprint, -request.priority, queue.encode(request)
            )
        elif request.dont_filter:
            queued = super().enqueue_request(request)
        else:
            return self._enqueue_new(request)
        if queued:
            self.crawler.stats.inc_value("scheduler/enqueued/redis")
        return queued

    def _enqueue_new(self, request: Request) -> bool:
        """scrapy-redis's request_seen then push: a duplicate this worker already knows is
        dropped here; any other is sent with the turn's other new requests (FrontierQueue.
        push_new), so True means "not known here", and Redis's answer comes to _sent."""
        df = self.df
        fingerprint = df.request_fingerprint(request)
        if fingerprint in df.known:
            self.crawler.stats.inc_value("newsarchive/redis_dupes_known")
            df.log(request, self.spider)
            return False
        self.queue.push_new(request, df.key, fingerprint)
        df.remember(fingerprint)
        return True

    def _sent(self, request: Request, queued: bool) -> None:
        if queued:
            self.crawler.stats.inc_value("scheduler/enqueued/redis")
        else:
            self.df.log(request, self.spider)

    def next_request(self) -> Request | None:
        if self.local:
            return self.local.popleft()
        requests = self.queue.pop_many(self.prefetch)
        if not requests:
            return None
        self.crawler.stats.inc_value("scheduler/dequeued/redis", len(requests))
        self.local.extend(requests[1:])
        return requests[0]

    def has_pending_requests(self) -> bool:
        return bool(self.local) or super().has_pending_requests()


class Frontier:
    """Heartbeat, sweeps for dead workers, hand-offs to an idle engine, and the decision to
    close: only when no work is left anywhere in the shared crawl."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.get("NEWSARCHIVE_REDIS_WORKER"):
            raise NotConfigured  # not a Redis crawl: silently off
        self.crawler = crawler
        self.g = generation_of(settings)
        self.ttl = settings.getfloat("NEWSARCHIVE_REDIS_WORKER_TTL", 30.0)
        self.resume = settings.getfloat("NEWSARCHIVE_REDIS_RESUME_HOURS", 6.0) * 3600
        self.scheduler: FrontierScheduler | None = None
        self.loop: Any = None
        self.ticks = 0
        self.starting = True
        self.waiting = False  # idle here, kept open for work elsewhere
        self.requeued = 0
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Frontier:
        return cls(crawler)

    def attach(self, scheduler: FrontierScheduler) -> None:
        self.scheduler = scheduler
        self.scripts = scheduler.queue.scripts
        self.server = scheduler.server

    @property
    def queue(self) -> FrontierQueue:
        assert self.scheduler is not None
        return self.scheduler.queue

    def spider_opened(self, spider: Spider) -> None:
        from twisted.internet import task

        self.loop = task.LoopingCall(self.tick)
        self.loop.start(HEARTBEAT, now=True)
        stop_early_heartbeats()  # the reactor beats from now on
        logger.info(
            "worker %s (pid %d) %s generation %d of %s",
            self.g.worker,
            os.getpid(),
            "started" if self.crawler.settings.getbool("NEWSARCHIVE_REDIS_FRESH") else "joined",
            self.g.gen,
            self.g.prefix,
        )

    def starts_done(self) -> None:
        self.starting = False
        if self.scheduler is not None:
            self.queue.send()
            self.server.hdel(self.g.inflight_key, START_MARK)

    def tick(self) -> None:
        if self.scheduler is None:
            return
        try:
            self.scripts.heartbeat(self.g, self.ttl, self.resume)
            if self._committed():
                self.queue.flush_finished()
            self.ticks += 1
            if self.ticks % SWEEP_EVERY == 0 or self.waiting:
                sweep = self._sweep()
                if self.waiting and not sweep.work_left:
                    self._idle_now()
            self._poke()
        except Exception:
            logger.exception("frontier heartbeat failed")

    def _idle_now(self) -> None:
        """The last work elsewhere just ended: run the engine's idle check now rather than at
        its next 5 s heartbeat (the same signal, so the spider's own idle handlers run too)."""
        engine = self.crawler.engine
        if engine is None or engine.spider is None or not engine.spider_is_idle():
            return
        results = self.crawler.signals.send_catch_log(
            signals.spider_idle, spider=engine.spider, dont_log=(DontCloseSpider, CloseSpider)
        )
        if any(isinstance(r, Failure) for _, r in results) or not engine.spider_is_idle():
            return  # someone keeps it open (or closes it with a reason of their own)
        from scrapy.utils.defer import deferred_from_coro

        deferred_from_coro(engine.close_spider_async(reason="finished"))

    def _committed(self) -> bool:
        """Commit the index's open batch (archive.index batch_writes): a request leaves the
        in-flight hash only once what it stored is committed, or a kill would lose it."""
        from newsarchive.crawl.archiving import ArchiveSession, is_storage_error

        session = self.crawler.get_extension(ArchiveSession)
        if session is None or session.index is None:
            return True
        if session.failure is not None:
            return False
        try:
            session.index.flush()
        except Exception as exc:
            if not is_storage_error(exc):
                raise
            session.storage_failed(exc)
            return False
        return True

    def _sweep(self) -> Any:
        sweep = self.scripts.sweep(self.g)
        if sweep.requeued:
            self.requeued += sweep.requeued
            self.crawler.stats.inc_value("newsarchive/redis_requeued", sweep.requeued)
            logger.warning("requeued %d requests of workers that stopped", sweep.requeued)
        return sweep

    def _poke(self) -> None:
        """Scrapy asks the scheduler again only when its own work ends or every 5 s: an idle
        engine gets one request handed in (it then pulls more itself)."""
        engine = self.crawler.engine
        scheduler = self.scheduler
        if engine is None or scheduler is None or scheduler.local or engine.needs_backout():
            return
        if not len(self.queue):
            return
        request = self.queue.pop()
        if request is not None:
            scheduler.handoff.add(request)
            engine.crawl(request)

    def spider_idle(self, spider: Spider) -> None:
        if self.scheduler is None:
            return
        # Idle: nothing downloads or parses here, so nothing of ours is in flight.
        if self._committed():
            self.queue.release_all()
        sweep = self._sweep()
        self.waiting = sweep.work_left
        if sweep.work_left:
            raise DontCloseSpider

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.scheduler is None:
            return
        try:
            if reason == "finished":
                self.queue.release_all()
            else:
                # Stopped early: what this worker had not finished goes back to the others.
                self.queue.send()
                sweep = self.scripts.sweep(self.g, requeue_mine=True)
                if sweep.requeued:
                    logger.warning("returned %d unfinished requests to the queue", sweep.requeued)
            if self.scripts.leave(self.g):
                logger.info("last worker out: the run's frontier is cleared")
        except Exception:
            logger.exception("could not leave the shared crawl cleanly")


class FrontierStart:
    """Spider middleware: each worker reads its spider's start requests (they come from its
    own index: re-checks, pending files), but a start request that ignores the duplicate
    filter (a home page) is queued by one worker of the run only; and the worker counts as
    busy until its start requests are all read, so no other worker finishes meanwhile."""

    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.get("NEWSARCHIVE_REDIS_WORKER"):
            raise NotConfigured  # not a Redis crawl: silently off
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierStart:
        return cls(crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        frontier = self.crawler.get_extension(Frontier)
        try:
            async for item in start:
                if isinstance(item, Request) and item.dont_filter:
                    item.meta[SEED_KEY] = True  # FrontierScheduler queues it once per run
                yield item
        finally:
            if frontier is not None:
                frontier.starts_done()
