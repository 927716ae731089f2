"""Ground truth: complete, served, and consistent with the generator's own data."""

from __future__ import annotations

import json
import unicodedata

from conftest import FIXTURE_ARTICLES, fetch


def _truth(handle, host: str = "127.0.0.1") -> list[dict]:
    status, headers, body = fetch(handle, f"http://{host}/__truth__")
    assert status == 200
    return [json.loads(line) for line in body.decode("utf-8").splitlines()]


def test_truth_lists_every_article(replica):
    rows = _truth(replica)
    assert len(rows) == 3 * FIXTURE_ARTICLES
    assert len({(r["site"], r["id"]) for r in rows}) == len(rows)


def test_truth_per_site_by_host(replica):
    rows = _truth(replica, "lechan.haiphong.gov.vn")
    assert {r["site"] for r in rows} == {"lechan"} and len(rows) == FIXTURE_ARTICLES


def test_every_truth_url_answers_200_html(replica):
    for row in _truth(replica):
        status, headers, body = fetch(replica, row["url"])
        assert (status, headers["content-type"].split(";")[0]) == (200, "text/html"), row["url"]
        assert b"<html" in body


def test_truth_text_is_nfc_and_collapsed(replica):
    for row in _truth(replica):
        for text in (row["title"], row["lead"], *row["body"].split("\n\n")):
            assert text == unicodedata.normalize("NFC", text)
            assert text == " ".join(text.split()) and text


def test_titles_unique_across_replica(replica):
    titles = [r["title"] for r in _truth(replica)]
    assert len(set(titles)) == len(titles)


def test_dates_in_range_with_day_at_most_12(replica):
    for row in _truth(replica):
        if row["published"] is None:
            continue
        date = row["published"][:10]
        assert "2015-01-01" <= date <= "2025-06-30" and int(date[8:10]) <= 12
        assert row["published"].endswith("+07:00")


def test_truth_matches_corpus_without_parsing_html(replica):
    corpus = replica.corpus
    article = corpus.by_site["lechan"][7]
    content = corpus.content(article)
    truth = corpus.truth(article)
    assert truth["title"] == article.title and truth["lead"] == content.lead
    assert truth["body"] == "\n\n".join(content.paragraphs)
