"""Redis round trips of the shared frontier's enqueue (newsarchive/crawl/frontier.py): a new
turn's new requests cost one together (duplicate check and push in one script), a duplicate
this worker already knows costs none, the answers stay those of the Redis duplicate filter,
and one pop takes several requests. Every command the
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
    scheduler.queue.on_sent = scheduler._sent
    assert isinstance(scheduler.server, CountingRedis)
    assert isinstance(scheduler.df.server, CountingRedis)
    scheduler.enqueue_request(Request(f"https://warm.example/{name}"))
    scheduler.queue.send()  # scripts loaded
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


def test_the_new_requests_of_one_turn_are_one_round_trip_into_queue_and_filter(redis_url, prefix):
    a = worker(redis_url, prefix, "a", "fa")
    requests = [Request(f"https://host.example/news/1-{i}") for i in range(5)]
    answers, sent = sent_by(lambda: [a.enqueue_request(r) for r in requests])
    assert (answers, sent) == ([True] * 5, [])  # not known here: kept for the turn's send
    _, sent = sent_by(a.queue.send)
    assert sent == ["EVALSHA"]
    client = redis.Redis.from_url(redis_url)
    urls = queued_urls(client, f"{prefix}:g1:requests", a.queue)
    assert sorted(u for u in urls if "host.example" in u) == sorted(r.url for r in requests)
    assert all(
        client.sismember(f"{prefix}:g1:dupefilter", a.df.request_fingerprint(r)) for r in requests
    )


def test_a_duplicate_this_worker_knows_makes_no_redis_call(redis_url, prefix):
    a = worker(redis_url, prefix, "a", "fa")
    assert a.enqueue_request(Request("https://host.example/news/2"))
    queued, sent = sent_by(lambda: a.enqueue_request(Request("https://host.example/news/2")))
    assert (queued, sent) == (False, [])
    a.queue.send()
    client = redis.Redis.from_url(redis_url)
    urls = queued_urls(client, f"{prefix}:g1:requests", a.queue)
    assert urls.count("https://host.example/news/2") == 1


def test_a_request_another_worker_queued_is_dropped_by_redis_then_known(redis_url, prefix):
    a = worker(redis_url, prefix, "a", "fa")
    b = worker(redis_url, prefix, "b", "fa")
    assert a.enqueue_request(Request("https://host.example/news/3"))
    a.queue.send()
    assert b.enqueue_request(Request("https://host.example/news/3"))  # only Redis knows it
    before = b.crawler.stats.get_value("scheduler/enqueued/redis", 0)
    _, sent = sent_by(b.queue.send)
    assert sent == ["EVALSHA"]
    assert b.crawler.stats.get_value("scheduler/enqueued/redis", 0) == before  # not queued
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
    a.queue.send()
    assert a.enqueue_request(Request(urls[0]))  # forgotten by now: Redis answers
    _, sent = sent_by(a.queue.send)
    assert sent == ["EVALSHA"]
    client = redis.Redis.from_url(redis_url)
    assert queued_urls(client, f"{prefix}:g1:requests", a.queue).count(urls[0]) == 1


def test_an_articles_file_is_queued_once_per_folder(redis_url, prefix):
    """Files go to the queue of the folder whose worker archived the article, deduplicated
    per folder: a worker of another folder queues it again, for its own folder."""
    a = worker(redis_url, prefix, "a", "fa")
    a2 = worker(redis_url, prefix, "a2", "fa")
    b = worker(redis_url, prefix, "b", "fb")
    meta = {"article_url": "https://host.example/news/4"}
    image = "https://cdn.example/4.jpg"
    for w in (a, a2, b):
        w.enqueue_request(Request(image, meta=meta))
        w.queue.send()
    client = redis.Redis.from_url(redis_url)
    assert queued_urls(client, f"{prefix}:g1:requests:fa", a.queue) == [image]
    assert queued_urls(client, f"{prefix}:g1:requests:fb", b.queue) == [image]
    assert image not in queued_urls(client, f"{prefix}:g1:requests", a.queue)


def test_a_requests_inflight_entry_goes_only_after_its_new_requests_are_sent(redis_url, prefix):
    """A kill between the two must not lose the new links: the request that found them stays
    in flight (and is fetched again) until they are in Redis."""
    a = worker(redis_url, prefix, "a", "fa")
    a.queue.send()
    parent = a.next_request()
    assert parent is not None
    (token,) = a.queue.held
    a.enqueue_request(Request("https://host.example/news/6-child"))
    a.queue._finished(token)  # what the weakref finaliser does once Scrapy drops `parent`
    _, sent = sent_by(a.queue.flush_finished)
    assert sent == ["EVALSHA", "HDEL"]


def test_requests_not_sent_after_a_redis_error_are_kept_for_the_next_send(
    redis_url, prefix, monkeypatch
):
    a = worker(redis_url, prefix, "a", "fa")
    a.enqueue_request(Request("https://host.example/news/7"))

    def down(adds):
        raise redis.ConnectionError("down")

    with monkeypatch.context() as m:
        m.setattr(a.queue.scripts, "add_many", down)
        with pytest.raises(redis.ConnectionError):
            a.queue.send()
    a.queue.send()
    client = redis.Redis.from_url(redis_url)
    assert "https://host.example/news/7" in queued_urls(client, f"{prefix}:g1:requests", a.queue)


def test_one_pop_takes_several_requests_each_in_flight(redis_url, prefix):
    a = worker(redis_url, prefix, "a", "fa")
    b = worker(redis_url, prefix, "b", "fa")
    client = redis.Redis.from_url(redis_url)
    client.delete(f"{prefix}:g1:requests")  # the workers' warm-up requests
    for i in range(12):
        a.enqueue_request(Request(f"https://host.example/news/8-{i}"))
    a.queue.send()
    b.prefetch = 5
    first, sent = sent_by(b.next_request)
    assert sent == ["EVALSHA"]
    rest, sent = sent_by(lambda: [b.next_request() for _ in range(4)])
    assert sent == []
    inflight = client.hgetall(b.queue.g.inflight_key)
    held = [v.split(b"|", 2)[2] for k, v in inflight.items() if k != b"__start__"]
    assert sorted(b.queue.decode(d).url for d in held) == sorted(r.url for r in [first, *rest])


def test_a_request_that_ignores_the_filter_is_queued_again(redis_url, prefix):
    a = worker(redis_url, prefix, "a", "fa")
    assert a.enqueue_request(Request("https://host.example/news/5"))
    a.queue.send()
    again = Request("https://host.example/news/5", dont_filter=True)  # e.g. a retry
    assert a.enqueue_request(again)
    client = redis.Redis.from_url(redis_url)
    urls = queued_urls(client, f"{prefix}:g1:requests", a.queue)
    assert urls.count("https://host.example/news/5") == 2
