"""Redis round trips of the shared frontier's enqueue (newsarchive/crawl/frontier.py): a new
request costs one (duplicate check and push in one script), a duplicate this worker already
knows costs none, and the answers stay those of the Redis duplicate filter. Every command the
scheduler sends is counted by its own client class (scrapy-redis's REDIS_PARAMS redis_cls),
against the session's real redis-server."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

import pytest
import redis
from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from newsarchive.crawl import frontier
from newsarchive.crawl.frontier import FrontierDupeFilter, FrontierQueue, FrontierScheduler
from newsarchive.crawl.redisjob import Generation


class CountingRedis(redis.Redis):
    """redis.Redis that records the name of every command it sends."""

    sent: ClassVar[list[str]] = []

    def execute_command(self, *args: Any, **options: Any) -> Any:
        CountingRedis.sent.append(str(args[0]).upper())
        return super().execute_command(*args, **options)


def worker(redis_url: str, prefix: str, name: str, folder: str) -> FrontierScheduler:
    """A scheduler as a worker of generation 1 of crawl `prefix` opens it (the Frontier
    extension, which needs a running engine, left out)."""
    g = Generation(prefix=prefix, gen=1, worker=name, fresh=False, folder=folder)
    settings = frontier.redis_settings(redis_url, g, ttl=30, resume=3600)
    settings["REDIS_PARAMS"] = {"redis_cls": f"{__name__}.CountingRedis"}
    crawler = get_crawler(Spider, settings)
    spider = Spider.from_crawler(crawler, name="t")
    scheduler = FrontierScheduler.from_crawler(crawler)
    scheduler.spider = spider
    scheduler.queue = FrontierQueue(scheduler.server, spider, g.queue_key)
    scheduler.df = FrontierDupeFilter.from_spider(spider)
    assert isinstance(scheduler.server, CountingRedis)
    assert isinstance(scheduler.df.server, CountingRedis)
    scheduler.enqueue_request(Request(f"https://warm.example/{name}"))  # scripts loaded
    return scheduler


@pytest.fixture
def prefix() -> str:
    return f"newsarchive:rt-{uuid.uuid4().hex[:8]}"


def sent_by(action: Any) -> tuple[Any, list[str]]:
    CountingRedis.sent.clear()
    result = action()
    return result, list(CountingRedis.sent)


def queued_urls(client: redis.Redis, key: str, queue: FrontierQueue) -> list[str]:
    return [queue.decode(data).url for data in client.zrange(key, 0, -1)]


def test_a_new_request_is_one_round_trip_into_queue_and_filter(redis_url, prefix):
    a = worker(redis_url, prefix, "a", "fa")
    request = Request("https://host.example/news/1")
    queued, sent = sent_by(lambda: a.enqueue_request(request))
    assert queued is True
    assert sent == ["EVALSHA"]
    client = redis.Redis.from_url(redis_url)
    assert "https://host.example/news/1" in queued_urls(client, f"{prefix}:g1:requests", a.queue)
    assert client.sismember(f"{prefix}:g1:dupefilter", a.df.request_fingerprint(request))


def test_a_duplicate_this_worker_knows_makes_no_redis_call(redis_url, prefix):
    a = worker(redis_url, prefix, "a", "fa")
    assert a.enqueue_request(Request("https://host.example/news/2"))
    queued, sent = sent_by(lambda: a.enqueue_request(Request("https://host.example/news/2")))
    assert queued is False
    assert sent == []
    client = redis.Redis.from_url(redis_url)
    urls = queued_urls(client, f"{prefix}:g1:requests", a.queue)
    assert urls.count("https://host.example/news/2") == 1


def test_a_request_another_worker_queued_is_dropped_then_known(redis_url, prefix):
    a = worker(redis_url, prefix, "a", "fa")
    b = worker(redis_url, prefix, "b", "fa")
    assert a.enqueue_request(Request("https://host.example/news/3"))
    queued, sent = sent_by(lambda: b.enqueue_request(Request("https://host.example/news/3")))
    assert (queued, sent) == (False, ["EVALSHA"])  # only Redis knew it
    queued, sent = sent_by(lambda: b.enqueue_request(Request("https://host.example/news/3")))
    assert (queued, sent) == (False, [])
    client = redis.Redis.from_url(redis_url)
    urls = queued_urls(client, f"{prefix}:g1:requests", a.queue)
    assert urls.count("https://host.example/news/3") == 1


def test_the_local_memory_is_bounded_and_forgetting_only_costs_a_round_trip(
    redis_url, prefix, monkeypatch
):
    monkeypatch.setattr(frontier, "KNOWN_MAX", 3)
    a = worker(redis_url, prefix, "a", "fa")
    urls = [f"https://host.example/news/b{i}" for i in range(10)]
    for url in urls:
        assert a.enqueue_request(Request(url))
        assert len(a.df.known) <= 3
    queued, sent = sent_by(lambda: a.enqueue_request(Request(urls[0])))  # forgotten by now
    assert (queued, sent) == (False, ["EVALSHA"])


def test_an_articles_file_is_queued_once_per_folder(redis_url, prefix):
    """Files go to the queue of the folder whose worker archived the article, deduplicated
    per folder: a worker of another folder queues it again, for its own folder."""
    a = worker(redis_url, prefix, "a", "fa")
    a2 = worker(redis_url, prefix, "a2", "fa")
    b = worker(redis_url, prefix, "b", "fb")
    meta = {"article_url": "https://host.example/news/4"}
    image = "https://cdn.example/4.jpg"
    assert a.enqueue_request(Request(image, meta=meta))
    assert not a2.enqueue_request(Request(image, meta=meta))
    assert b.enqueue_request(Request(image, meta=meta))
    client = redis.Redis.from_url(redis_url)
    assert queued_urls(client, f"{prefix}:g1:requests:fa", a.queue) == [image]
    assert queued_urls(client, f"{prefix}:g1:requests:fb", b.queue) == [image]
    assert image not in queued_urls(client, f"{prefix}:g1:requests", a.queue)


def test_a_request_that_ignores_the_filter_is_queued_again(redis_url, prefix):
    a = worker(redis_url, prefix, "a", "fa")
    assert a.enqueue_request(Request("https://host.example/news/5"))
    again = Request("https://host.example/news/5", dont_filter=True)  # e.g. a retry
    assert a.enqueue_request(again)
    client = redis.Redis.from_url(redis_url)
    urls = queued_urls(client, f"{prefix}:g1:requests", a.queue)
    assert urls.count("https://host.example/news/5") == 2
