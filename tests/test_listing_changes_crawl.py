"""A nightly crawl re-checks, the same night, known articles whose listing entry shows a new
date or teaser, and those that vanished from the listing window it walked completely; an
article deleted beyond the walked pages waits for the age policy. The site's markup is the
test's own (a table listing), not the replica's."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.reliability.hostile_server import HostileServer, Reply, crawl, rows

PER_PAGE, ARTICLES = 5, 15
FIRST_DAY = date(2024, 3, 20)  # article 0; each next one a day older


class Site:
    """A news site whose articles can be edited or deleted between two crawls."""

    def __init__(self) -> None:
        self.days = {n: FIRST_DAY - timedelta(days=n) for n in range(ARTICLES)}
        self.leads = {n: self.lead(n, "tổng kết") for n in range(ARTICLES)}
        self.deleted: set[int] = set()
        self.listed_days: dict[int, date] = {}  # a listing that shows another date

    @staticmethod
    def title(n: int) -> str:
        return f"Hội nghị số {n} của Ủy ban nhân dân xã về công tác năm"

    @staticmethod
    def lead(n: int, topic: str) -> str:
        return (
            f"Sáng nay, Ủy ban nhân dân xã tổ chức hội nghị {topic} số {n}, đánh giá kết quả"
            " thực hiện nhiệm vụ và bàn phương hướng cho thời gian tới."
        )

    @staticmethod
    def path(n: int) -> str:
        return f"/tin-tuc/hoi-nghi-so-{n}-{5000 + n}.html"

    def article(self, n: int) -> Reply:
        if n in self.deleted:
            return Reply(404, b"<html><body>not found</body></html>")
        body = "".join(
            f"<p>Đoạn {i}. Hội nghị đã thảo luận và thống nhất nhiều nội dung quan trọng về"
            " phát triển kinh tế, xã hội của địa phương trong năm.</p>"
            for i in range(4)
        )
        html = (
            "<!doctype html><html><head><meta charset='utf-8'>"
            f"<title>{self.title(n)}</title></head><body><div class='main'>"
            f"<h1 class='title'>{self.title(n)}</h1>"
            f"<div class='date'>{self.days[n]:%d/%m/%Y} 08:15</div>"
            f"<p><strong>{self.leads[n]}</strong></p>{body}</div></body></html>"
        )
        return Reply(body=html.encode())

    def listing(self, handler) -> Reply:
        found = re.search(r"page=(\d+)", handler.path)
        page = int(found.group(1)) if found else 1
        live = [n for n in range(ARTICLES) if n not in self.deleted]
        shown = live[(page - 1) * PER_PAGE : page * PER_PAGE]
        if not shown:
            return Reply(404, b"<html><body>not found</body></html>")
        items = "".join(
            f"<tr><td><a href='{self.path(n)}'>{self.title(n)}</a><br>"
            f"<span class='ngay'>{self.listed_days.get(n, self.days[n]):%d/%m/%Y}</span></td>"
            f"<td class='tom-tat'>{self.leads[n][:90]}...</td></tr>"
            for n in shown
        )
        pager = ""
        if page * PER_PAGE < len(live):
            pager = (
                f"<div class='phan-trang'><a href='/tin-tuc?page={page + 1}'>{page + 1}</a>"
                f" <a href='/tin-tuc?page={page + 1}'>›</a></div>"
            )
        html = (
            "<!doctype html><html><head><meta charset='utf-8'><title>Tin tức</title></head>"
            f"<body><h2>Tin tức</h2><table class='ds'>{items}</table>{pager}</body></html>"
        )
        return Reply(body=html.encode())


@pytest.fixture(scope="module")
def nightly(tmp_path_factory):
    data = tmp_path_factory.mktemp("listing-changes")
    site = Site()
    server = HostileServer().start()
    try:
        server.route("/tin-tuc", site.listing)
        for n in range(ARTICLES):
            server.route(site.path(n), lambda _h, n=n: site.article(n))
        first = crawl(f"{server.base}/tin-tuc", data)
        assert first.returncode == 0, first.stdout + first.stderr[-3000:]
        archived = rows(data, "SELECT count(*), count(lead) FROM articles")[0]
        assert archived == (ARTICLES, ARTICLES), archived
        # Overnight: on page 1, a date corrected, a lead rewritten, an article deleted (the
        # list shifts up); on page 3, beyond what a nightly walk reads, another deleted.
        site.days[1] -= timedelta(days=1)
        site.leads[2] = site.lead(2, "sơ kết sáu tháng")
        site.deleted |= {3, 12}
        second = crawl(f"{server.base}/tin-tuc", data)
        hits = {n: len(server.hits(site.path(n))) for n in range(ARTICLES)}
    finally:
        server.stop()
    assert second.returncode == 0, second.stdout + second.stderr[-3000:]
    return data, site, second.stdout, hits


def count(stdout: str, label: str) -> int:
    found = re.search(rf"{label} (\d+)", stdout)
    assert found, stdout
    return int(found.group(1))


def test_a_changed_listing_date_is_rechecked_that_night(nightly):
    data, site, stdout, hits = nightly
    assert count(stdout, "listing date") == 1 and hits[1] == 2
    stored = rows(data, "SELECT published FROM articles WHERE url LIKE ?", (f"%{site.path(1)}",))
    assert stored[0][0].startswith(site.days[1].isoformat())


def test_a_changed_teaser_is_rechecked_that_night(nightly):
    data, site, stdout, hits = nightly
    assert count(stdout, "listing teaser") == 1 and hits[2] == 2
    stored = rows(data, "SELECT lead FROM articles WHERE url LIKE ?", (f"%{site.path(2)}",))
    assert stored[0][0] == site.leads[2]


def test_an_article_vanished_from_the_walked_window_is_found_gone(nightly):
    data, site, stdout, hits = nightly
    assert count(stdout, "vanished from a listing") == 1 and hits[3] == 2
    status = rows(data, "SELECT status FROM articles WHERE url LIKE ?", (f"%{site.path(3)}",))
    assert status == [("gone",)]
    assert count(stdout, "found changed") == 2 and count(stdout, "gone") == 1


def test_nothing_else_is_fetched_again(nightly):
    """Unchanged entries, and the deletion beyond the walked pages (article 12), wait."""
    _, _, stdout, hits = nightly
    assert count(stdout, r"\(age") == 0
    assert {n for n, h in hits.items() if h > 1} == {1, 2, 3}
    assert hits[12] == 1


def test_a_listing_that_keeps_disagreeing_is_rechecked_once(tmp_path):
    """From the second night on, the listing shows another date than the article page (an
    'updated' date, a cached box): one re-check finds it unchanged, later nights leave it."""
    site = Site()
    server = HostileServer().start()
    try:
        server.route("/tin-tuc", site.listing)
        for n in range(ARTICLES):
            server.route(site.path(n), lambda _h, n=n: site.article(n))
        runs = [crawl(f"{server.base}/tin-tuc", tmp_path)]
        site.listed_days[0] = site.days[0] + timedelta(days=1)
        runs += [crawl(f"{server.base}/tin-tuc", tmp_path) for _ in range(2)]
        hits = len(server.hits(site.path(0)))
    finally:
        server.stop()
    for run in runs:
        assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert [count(r.stdout, "listing date") for r in runs[1:]] == [1, 0]
    assert "found changed 0, gone 0, unchanged 1" in runs[1].stdout
    assert hits == 2
