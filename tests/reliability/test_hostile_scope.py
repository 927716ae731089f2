"""Scope is host + port: nothing off the site's hosts (and file hosts) is ever fetched,
whether a start page, a listing link or a redirect points there."""

from __future__ import annotations

import pytest

from tests.reliability.hostile_server import (
    HostileServer,
    Reply,
    article_html,
    article_path,
    crawl,
    listing_html,
    rows,
)


@pytest.fixture
def site():
    server = HostileServer().start()
    yield server
    server.stop()


@pytest.fixture
def other():
    """Another server on the same IP, another port: off-site."""
    server = HostileServer().start()
    server.route("/", Reply(body=listing_html([(article_path(1), "Bài ở nơi khác")])))
    server.route(article_path(1), Reply(body=article_html("Bài ở cổng khác")))
    server.route(article_path(9), Reply(body=article_html("Bài ở cổng khác")))
    yield server
    server.stop()


def _redirect(location: str) -> Reply:
    return Reply(302, b"", {"Location": location, "Content-Type": "text/html"})


def test_start_page_redirecting_to_another_port_is_not_followed(site, other, tmp_path):
    site.route("/", _redirect(f"{other.base}/"))
    crawl(f"{site.base}/", tmp_path)
    assert other.hits() == []
    assert rows(tmp_path, "SELECT url FROM articles") == []


def test_start_page_redirecting_to_another_host_is_not_followed(site, tmp_path):
    site.route("/", _redirect(f"http://localhost:{site.port}/"))
    crawl(f"{site.base}/", tmp_path)
    assert [h.path for h in site.hits() if h.host.startswith("localhost")] == []


def test_listing_link_to_another_port_is_not_fetched(site, other, tmp_path):
    site.route(
        "/",
        Reply(
            body=listing_html(
                [(article_path(1), "Bài một"), (f"{other.base}{article_path(9)}", "Bài lạ")]
            )
        ),
    )
    site.route(article_path(1), Reply(body=article_html("Bài một trên cổng")))
    crawl(f"{site.base}/", tmp_path)
    assert other.hits() == []
    assert rows(tmp_path, "SELECT url FROM articles") == [(f"{site.base}{article_path(1)}",)]


@pytest.mark.parametrize(
    "target",
    ["other-port", "other-host", "file:///etc/passwd", "data:text/html,<h1>Tin giả mạo</h1>"],
)
def test_article_redirect_off_site_is_not_followed(site, other, tmp_path, target):
    location = {
        "other-port": f"{other.base}{article_path(1)}",
        "other-host": f"http://localhost:{site.port}{article_path(2)}",
    }.get(target, target)
    site.route("/", Reply(body=listing_html([(article_path(1), "Bài một")])))
    site.route(article_path(1), _redirect(location))
    site.route(article_path(2), Reply(body=article_html("Bài qua tên khác")))
    crawl(f"{site.base}/", tmp_path)
    assert other.hits() == []
    assert [h for h in site.hits() if h.host.startswith("localhost")] == []
    assert rows(tmp_path, "SELECT url, title FROM articles") == []
    fetched = {u for (u,) in rows(tmp_path, "SELECT url FROM captures")}
    assert all(u.startswith(site.base) for u in fetched), fetched


def test_redirect_within_the_site_is_followed(site, tmp_path):
    """The positive control: the checks above would pass if nothing were fetched at all."""
    site.route("/", Reply(body=listing_html([(article_path(1), "Bài một")])))
    site.route(article_path(1), _redirect(article_path(2)))
    site.route(article_path(2), Reply(body=article_html("Bài đã chuyển")))
    crawl(f"{site.base}/", tmp_path)
    assert rows(tmp_path, "SELECT title FROM articles") == [("Bài đã chuyển",)]
