"""The seed article is served with the exact text of the repository's seed file."""

from __future__ import annotations

from importlib import resources

import pytest
from conftest import fetch
from lxml import html as lxml_html


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    text = (
        resources.files("newsarchive.replica")
        .joinpath("data")
        .joinpath("seed_haian.txt")
        .read_text("utf-8")
    )
    return [line.strip() for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def seed_page(replica):
    corpus = replica.corpus
    status, _, body = fetch(replica, corpus.url(corpus.seed_article()))
    assert status == 200
    return lxml_html.fromstring(body)


def test_seed_title_and_date(seed_page, seed_lines, replica):
    assert seed_page.findtext('.//h1[@class="vnp-title"]') == seed_lines[1]
    assert seed_page.findtext('.//span[@class="vnp-date"]') == seed_lines[2] == "07:05 09/03/2023"
    assert (
        replica.corpus.truth(replica.corpus.seed_article())["published"]
        == "2023-03-09T07:05:00+07:00"
    )


def test_seed_paragraphs_exact(seed_page, seed_lines):
    paras = [
        p.text_content()
        for p in seed_page.xpath('//div[@class="vnp-content"]/p[@style="text-align:justify"]')
    ]
    expected = [line for line in seed_lines[4:] if len(line) > 250]
    assert len(paras) == 8 and paras == expected


def test_seed_lead_and_captions(seed_page, seed_lines):
    assert seed_page.findtext('.//div[@class="vnp-sapo"]') == seed_lines[3]
    captions = [e.text_content() for e in seed_page.xpath('//div[@class="vnp-content"]//em')]
    chrome = {"Tag:", "File đính kèm"}
    assert captions == [line for line in seed_lines[4:] if len(line) < 250 and line not in chrome]
    assert len(captions) == 4


def test_seed_truth_has_no_tags_or_attachments(replica):
    truth = replica.corpus.truth(replica.corpus.seed_article())
    assert truth["tags"] == [] and truth["attachments"] == [] and len(truth["images"]) == 4
    assert truth["site"] == "haian" and truth["body"].count("\n\n") == 7
