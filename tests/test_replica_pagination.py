"""Walking each pagination scheme reaches every article of a category exactly once."""

from __future__ import annotations

import re
from urllib.parse import urlencode, urljoin

from conftest import fetch
from lxml import html as lxml_html


def _expected(corpus, site: str, cat: int) -> list[str]:
    return [corpus.url(a) for a in corpus.by_category[(site, cat)]]


def test_c_walk_page_param_reaches_every_article_once(replica):
    corpus = replica.corpus
    cat = corpus.sites["haian"].categories[0]
    url, seen, visited = f"https://haian.haiphong.gov.vn/{cat.slug}-{cat.c_id}", [], set()
    while url and url not in visited:
        visited.add(url)
        status, _, body = fetch(replica, url)
        assert status == 200
        doc = lxml_html.fromstring(body)
        seen += doc.xpath('//div[@class="vnp-item"]/h3/a/@href')
        nxt = doc.xpath('//ul[@class="pagination"]//a[text()="Trang sau"]/@href')
        url = urljoin(url, nxt[0]) if nxt else None
    assert "?page=2" in " ".join(visited)
    assert seen == _expected(corpus, "haian", 0)


def test_b_walk_trang_n_reaches_every_article_once(replica):
    corpus = replica.corpus
    cat = corpus.sites["lechan"].categories[1]
    url, seen, visited = f"https://lechan.haiphong.gov.vn/{cat.slug_b}", [], set()
    while url and url not in visited:
        visited.add(url)
        status, _, body = fetch(replica, url)
        assert status == 200
        doc = lxml_html.fromstring(body)
        seen += doc.xpath('//div[@class="NewsItem"]/a/@href')
        nxt = doc.xpath('//div[@class="paging"]/a[text()="Sau"]/@href')
        url = urljoin(url, nxt[0]) if nxt else None
    assert any("/trang-2" in u for u in visited)
    assert seen == _expected(corpus, "lechan", 1)


def _hidden(doc) -> dict[str, str]:
    return {i.get("name"): i.get("value") or "" for i in doc.xpath('//input[@type="hidden"]')}


def test_a_postback_reaches_every_article_once(replica):
    corpus = replica.corpus
    cat = corpus.sites["vinhbao"].categories[0]
    url = f"https://vinhbao.haiphong.gov.vn/Portal/Default.aspx?CategoryID={cat.a_id}"
    status, _, body = fetch(replica, url)
    seen, pages = [], 1
    while True:
        assert status == 200
        doc = lxml_html.fromstring(body)
        seen += [urljoin(url, h) for h in doc.xpath('//table[@class="NewsList"]//a/@href')]
        nxt = [
            m.group(1)
            for h in doc.xpath('//div[@class="Pager"]/a[text()=">"]/@href')
            if (m := re.search(r"'(Page\$\d+)'\)", h))
        ]
        if not nxt:
            break
        form = _hidden(doc) | {
            "__EVENTTARGET": "ctl00$MainContent$pager",
            "__EVENTARGUMENT": nxt[0],
        }
        status, _, body = fetch(
            replica,
            url,
            "POST",
            {"Content-Type": "application/x-www-form-urlencoded"},
            urlencode(form).encode(),
        )
        pages += 1
    assert pages > 1
    assert seen == _expected(corpus, "vinhbao", 0)


def test_a_forged_viewstate_gets_500(replica):
    corpus = replica.corpus
    cat = corpus.sites["vinhbao"].categories[0]
    other = corpus.sites["vinhbao"].categories[1]
    url = f"https://vinhbao.haiphong.gov.vn/Portal/Default.aspx?CategoryID={cat.a_id}"
    _, _, body = fetch(replica, url.replace(str(cat.a_id), str(other.a_id)))
    foreign = _hidden(lxml_html.fromstring(body))["__VIEWSTATE"]  # issued, but for another category
    for viewstate in (foreign, "/wEPDwUKMTY1NDU2MTA1Mg9kFgJmD2QWAgIDD2QWAmYPZBYCZg9kFgI="):
        form = {
            "__VIEWSTATE": viewstate,
            "__EVENTTARGET": "ctl00$MainContent$pager",
            "__EVENTARGUMENT": "Page$2",
        }
        status, _, body = fetch(
            replica,
            url,
            "POST",
            {"Content-Type": "application/x-www-form-urlencoded"},
            urlencode(form).encode(),
        )
        assert status == 500 and b"Validation of viewstate MAC failed" in body


def test_c_page_out_of_range_is_404(replica):
    cat = replica.corpus.sites["haian"].categories[0]
    status, _, _ = fetch(replica, f"https://haian.haiphong.gov.vn/{cat.slug}-{cat.c_id}?page=999")
    assert status == 404
