"""Article URL shapes, link classification and the article-or-listing decision."""

from __future__ import annotations

import json
from pathlib import Path

from newsarchive.discovery.pagetype import is_article
from newsarchive.discovery.urlshape import ShapeBook, looks_like_article_url, url_shape
from newsarchive.extract import extract
from newsarchive.listing import parse_listing
from newsarchive.portals.profiles import get_profile
from newsarchive.replica.variant_pages import base as vbase
from newsarchive.replica.variant_pages import category_path, home_path, page_bytes
from newsarchive.replica.variant_pages import truth as variant_truth
from newsarchive.replica.variants import SITES as VARIANT_SITES
from newsarchive.replica.variants import VariantCorpus
from tests.crawlsupport import truth

CASES = Path(__file__).parent / "cases" / "discovery"


def test_url_shapes_and_article_priors() -> None:
    for case in json.loads((CASES / "url_shapes" / "expected.json").read_text("utf-8")):
        shape = url_shape(case["url"])
        assert (str(shape) if shape else None, looks_like_article_url(case["url"])) == (
            case["shape"],
            case["article_prior"],
        ), case["url"]


def test_learned_shapes_override_the_prior() -> None:
    book = ShapeBook()
    book.learn_listing("https://xa.gov.vn/tin-tuc-su-kien-12001")
    book.learn_article("https://xa.gov.vn/tin-tuc/le-hoi-651234")
    assert book.is_article("https://xa.gov.vn/kinh-te-12002") is False
    assert book.is_article("https://xa.gov.vn/kinh-te/hoi-nghi-700001") is True
    assert book.is_article("https://xa.gov.vn/gioi-thieu") is None
    assert book.article_shapes == ["/{seg}/{slug}-{id}"]


def test_dated_list_items_are_article_candidates_without_an_id() -> None:
    html = (
        "<html><body><ul class='menu'><li><a href='/gioi-thieu'>Giới thiệu chung</a></li></ul>"
        "<ul><li><a href='/tin/le-hoi-den-ba-chua-kho'>Lễ hội đền Bà Chúa Kho năm nay</a>"
        " <span>09/03/2024</span></li></ul></body></html>"
    ).encode()
    listing = parse_listing(html, "https://xa.gov.vn/", get_profile("generic"))
    assert listing.article_urls == ["https://xa.gov.vn/tin/le-hoi-den-ba-chua-kho"]
    assert listing.listing_urls == ["https://xa.gov.vn/gioi-thieu"]


def _page(replica, replica_fetch, url: str) -> tuple[bytes, dict]:
    status, _, body = replica_fetch(replica, url)
    assert status == 200, url
    return body, extract(body, url, get_profile("generic")).to_dict()


def test_article_pages_read_as_articles(replica, replica_fetch) -> None:
    for host in ("haian.haiphong.gov.vn", "lechan.haiphong.gov.vn", "vinhbao.haiphong.gov.vn"):
        url = truth(replica.base, host)[0]["url"]
        body, article = _page(replica, replica_fetch, url)
        assert is_article(article, body, url), url


def test_listing_pages_do_not_read_as_articles(replica, replica_fetch) -> None:
    for url in (
        "https://haian.haiphong.gov.vn/",
        "https://haian.haiphong.gov.vn/tin-tuc-su-kien-12001",
        "https://lechan.haiphong.gov.vn/Tin-tuc-Su-kien",
        "https://vinhbao.haiphong.gov.vn/Portal/Default.aspx?CategoryID=51",
    ):
        body, article = _page(replica, replica_fetch, url)
        assert not is_article(article, body, url), url


def test_every_variant_page_is_told_apart() -> None:
    """Articles of four other CMS families read as articles; every page of every listing
    (the short last ones included) and every home page reads as a listing."""
    corpus = VariantCorpus(24)
    wrong = []
    for key, site in VARIANT_SITES.items():
        for article in corpus.by_site[key]:
            url = variant_truth(corpus, site, article)["url"]
            body = page_bytes(corpus, url)
            if not is_article(extract(body, url, get_profile("generic")).to_dict(), body, url):
                wrong.append(url)
        listings = [vbase(corpus, site) + home_path(site)]
        for c in range(3):
            pages = -(-len(corpus.category_articles(key, c)) // site.per_page)
            if site.family != "webforms":  # later pages only by postback
                listings += [
                    vbase(corpus, site) + category_path(site, c, n) for n in range(1, pages + 1)
                ]
        for url in listings:
            body = page_bytes(corpus, url)
            if is_article(extract(body, url, get_profile("generic")).to_dict(), body, url):
                wrong.append(url)
    assert wrong == []
