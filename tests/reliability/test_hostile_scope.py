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


OFF_SITE = ["other-port", "other-host", "file", "data"]


@pytest.fixture(scope="module")
def mixed_site(tmp_path_factory):
    """One crawl: a listing linking off-site, articles redirecting off-site in every way,
    and one redirecting within the site (the positive control)."""
    data = tmp_path_factory.mktemp("scope")
    site, other = HostileServer().start(), HostileServer().start()
    try:
        other.route(article_path(9), Reply(body=article_html("Bài ở cổng khác")))
        locations = {
            "other-port": f"{other.base}{article_path(9)}",
            "other-host": f"http://localhost:{site.port}{article_path(8)}",
            "file": "file:///etc/passwd",
            "data": "data:text/html,<h1>Tin giả mạo</h1>",
        }
        links = [(article_path(n), f"Bài {name}") for n, name in enumerate(OFF_SITE)]
        links += [(f"{other.base}{article_path(9)}", "Bài lạ"), (article_path(6), "Bài chuyển")]
        site.route("/", Reply(body=listing_html(links)))
        for n, name in enumerate(OFF_SITE):
            site.route(article_path(n), _redirect(locations[name]))
        site.route(article_path(8), Reply(body=article_html("Bài qua tên khác")))
        site.route(article_path(6), _redirect(article_path(7)))
        site.route(article_path(7), Reply(body=article_html("Bài đã chuyển")))
        crawl(f"{site.base}/", data)
    finally:
        site.stop()
        other.stop()
    return data, site, other


def test_nothing_fetched_from_another_port(mixed_site):
    assert mixed_site[2].hits() == []


def test_nothing_fetched_under_another_host_name(mixed_site):
    assert [h.path for h in mixed_site[1].hits() if h.host.startswith("localhost")] == []


def test_every_capture_is_on_site(mixed_site):
    data, site, _ = mixed_site
    fetched = {u for (u,) in rows(data, "SELECT url FROM captures")}
    assert fetched and all(u.startswith(site.base + "/") for u in fetched), fetched


def test_only_the_on_site_redirect_is_indexed(mixed_site):
    """The positive control: the checks above would pass if nothing were fetched at all."""
    assert rows(mixed_site[0], "SELECT title FROM articles") == [("Bài đã chuyển",)]


@pytest.mark.parametrize(
    ("host", "port", "allowed"),
    [
        ("portal.example.vn", 443, True),
        ("portal.example.vn", 80, True),  # http <-> https on the site's own host
        ("portal.example.vn", 8443, False),
        ("files.cdn.example.vn", 443, True),
        ("cdn.example.vn", 443, True),
        ("evilcdn.example.vn", 443, False),
        ("127.0.0.1", 8080, True),
        ("127.0.0.1", 8081, False),
        ("127.0.0.1", 80, False),  # a host given with a port allows that port only
    ],
)
def test_scope_is_host_and_port(host, port, allowed):
    from newsarchive.crawl.scope import scope_of

    scope = scope_of(
        ["portal.example.vn", "*.cdn.example.vn", "127.0.0.1:8080"], ["https://portal.example.vn/"]
    )
    assert scope.allows(host, port) is allowed
