from newsarchive.crawl.middlewares import retry_after_seconds


def test_delta_seconds():
    assert retry_after_seconds(b"3") == 3.0


def test_http_date_relative_to_now():
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", now_ts=1445412480.0) == 10.0


def test_missing_or_unreadable_is_none():
    assert retry_after_seconds(None) is None
    assert retry_after_seconds(b"soon") is None


def _middleware(**settings):
    from scrapy.utils.test import get_crawler

    from newsarchive.crawl.middlewares import RetryAfterMiddleware

    crawler = get_crawler(settings_dict={"RETRY_TIMES": 5, **settings})
    return RetryAfterMiddleware.from_crawler(crawler)


def test_backoff_doubles_per_attempt_and_is_capped():
    from scrapy import Request

    mw = _middleware(NEWSARCHIVE_RETRY_BACKOFF=1.0, NEWSARCHIVE_RETRY_AFTER_MAX=5.0)
    waits = [
        mw.backoff_seconds(Request("https://h/", meta={"retry_times": n}), None)
        for n in (1, 2, 3, 4)
    ]
    assert waits == [1.0, 2.0, 4.0, 5.0]


def test_retry_after_wins_over_backoff_but_is_capped():
    from scrapy import Request

    mw = _middleware(NEWSARCHIVE_RETRY_BACKOFF=1.0, NEWSARCHIVE_RETRY_AFTER_MAX=30.0)
    retry = Request("https://h/", meta={"retry_times": 3})
    assert mw.backoff_seconds(retry, 7.0) == 7.0
    assert mw.backoff_seconds(retry, 600.0) == 30.0
