"""Each generation's markup and the realism features the extractor must cope with."""

from __future__ import annotations

import unicodedata
from urllib.parse import quote

from conftest import fetch
from lxml import html as lxml_html

from newsarchive.replica import ReplicaConfig, build_corpus

MARKERS = {
    "haian": [b'class="vnp-news-detail"', b'class="vnp-sapo"', b"Sign In", b"Tin li\xc3\xaan quan"],
    "lechan": [b'class="ContentDetail"', b'class="PostDate"', b"C\xc3\xa1c tin kh\xc3\xa1c"],
    "vinhbao": [b'onload="window.print()"', b"ctl00_lblTitle", b'class="PrintContent"'],
}


def test_each_generation_serves_its_markup(replica):
    corpus = replica.corpus
    for site, markers in MARKERS.items():
        article = next(a for a in corpus.by_site[site] if not a.nfd)
        status, _, body = fetch(replica, corpus.url(article))
        assert status == 200
        for marker in markers:
            assert marker in body, (site, marker)


def test_generation_a_title_tag_is_site_name_only(replica):
    article = next(a for a in replica.corpus.by_site["vinhbao"] if not a.nfd)
    title = lxml_html.fromstring(replica.corpus.render_article(article)).findtext(".//title")
    assert article.title not in title and "Vĩnh Bảo" in title


def test_about_five_percent_served_nfd():
    corpus = build_corpus(ReplicaConfig(articles=2000))
    nfd = [a for a in corpus.articles if a.nfd]
    assert 0.03 < len(nfd) / len(corpus.articles) < 0.07
    page = corpus.render_article(nfd[0]).decode("utf-8")
    assert page != unicodedata.normalize("NFC", page)


def test_lead_repeated_on_about_30_percent():
    corpus = build_corpus(ReplicaConfig(articles=2000))
    share = sum(a.lead_repeated for a in corpus.articles) / len(corpus.articles)
    assert 0.26 < share < 0.34


def test_repeated_lead_is_first_body_paragraph_but_not_in_truth(replica):
    corpus = replica.corpus
    article = next(a for a in corpus.by_site["haian"] if a.lead_repeated and not a.nfd)
    doc = lxml_html.fromstring(corpus.render_article(article))
    first = doc.xpath('//div[@class="vnp-content"]/p[@style="text-align:justify"]')[0]
    truth = corpus.truth(article)
    assert first.text_content() == truth["lead"]
    assert not truth["body"].startswith(truth["lead"])


def test_captions_follow_images_centred_em(replica):
    corpus = replica.corpus
    article = next(
        a
        for a in corpus.by_site["haian"]
        if not a.nfd and any(i.caption for i in corpus.content(a).images)
    )
    doc = lxml_html.fromstring(corpus.render_article(article))
    captions = [e.text_content() for e in doc.xpath('//div[@class="vnp-content"]//p/span/em')]
    assert captions == [i["caption"] for i in corpus.truth(article)["images"] if i["caption"]]


def test_generation_a_image_src_raw_and_truth_percent_encoded(replica):
    corpus = replica.corpus
    article = next(a for a in corpus.by_site["vinhbao"] if corpus.content(a).images and not a.nfd)
    src = lxml_html.fromstring(corpus.render_article(article)).xpath("//img/@src")[0]
    assert " " in src and "Năm" in src
    assert corpus.truth(article)["images"][0]["url"] == "https://vinhbao.haiphong.gov.vn" + quote(
        src
    )


def test_seed_renders_in_all_three_generations(replica):
    corpus = replica.corpus
    seed = corpus.seed_article()
    for gen, marker in (("A", b"PrintContent"), ("B", b"ContentDetail"), ("C", b"vnp-content")):
        page = corpus.render_article(seed, generation=gen)
        assert marker in page and seed.title.encode() in page


def test_pages_carry_distractors(replica):
    corpus = replica.corpus
    article = next(a for a in corpus.by_site["haian"] if not a.nfd)
    page = corpus.render_article(article).decode()
    for distractor in (
        "Tin mới nhất",
        "© 2015 - 2025",
        "Điện thoại: 0225",
        "/quan-tri/dang-nhap",
        "/tim-kiem?q=",
    ):
        assert distractor in page
