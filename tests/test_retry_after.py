from newsarchive.middlewares import retry_after_seconds


def test_delta_seconds():
    assert retry_after_seconds(b"3") == 3.0


def test_http_date_relative_to_now():
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:10 GMT", now_ts=1445412480.0) == 10.0


def test_missing_or_unreadable_is_none():
    assert retry_after_seconds(None) is None
    assert retry_after_seconds(b"soon") is None
