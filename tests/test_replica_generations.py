"""Legacy redirects, edits and deletions across generations, conditional requests."""

from __future__ import annotations

import json

from conftest import fetch


def test_legacy_url_301_to_c_url(replica):
    corpus = replica.corpus
    article = next(a for a in corpus.by_site["haian"] if a.legacy_id)
    alias = corpus.truth(article)["aliases"][0]
    assert alias.endswith(f"-{article.legacy_id}.html")
    status, headers, _ = fetch(replica, alias)
    assert status == 301 and headers["location"] == corpus.url(article)


def test_about_20_percent_of_c_articles_have_legacy_urls(replica_factory):
    handle = replica_factory(articles=2000)
    arts = handle.corpus.by_site["haian"]
    assert 0.17 < sum(a.legacy_id is not None for a in arts) / len(arts) < 0.23


def test_legacy_urls_appear_in_related_lists(replica):
    corpus = replica.corpus
    pages = b"".join(corpus.render_article(a) for a in corpus.by_site["haian"][:60])
    aliases = [corpus.truth(a)["aliases"][0] for a in corpus.by_site["haian"] if a.legacy_id]
    assert any(alias.encode() in pages for alias in aliases)


def _rates(handle) -> tuple[float, float]:
    corpus = handle.corpus
    states = [corpus.state(a) for a in corpus.articles]
    return (
        sum(s.version > 0 and not s.deleted for s in states) / len(states),
        sum(s.deleted for s in states) / len(states),
    )


def test_generation_1_edit_and_delete_rates(replica_factory):
    handle = replica_factory(articles=3000, edit_rate=0.1, delete_rate=0.05, generation=1)
    edited, deleted = _rates(handle)
    assert 0.085 < edited < 0.115 and 0.04 < deleted < 0.06


def test_generation_0_changes_nothing(replica_factory):
    handle = replica_factory(edit_rate=0.5, delete_rate=0.3)
    assert _rates(handle) == (0.0, 0.0)


def test_deleted_articles_answer_404_or_410_and_leave_listings(replica_factory):
    handle = replica_factory(edit_rate=0.1, delete_rate=0.2)
    corpus = handle.corpus
    listed_before = _listed(handle)
    status, _, body = fetch(handle, "http://127.0.0.1/__control__?generation=1", "POST")
    assert status == 200 and json.loads(body)["generation"] == 1
    gone = [a for a in corpus.articles if corpus.state(a).deleted and a.site != "vinhbao"]
    assert gone
    for a in gone:
        status, _, _ = fetch(handle, corpus.url(a))
        assert status == corpus.state(a).gone_status and status in (404, 410)
    listed_after = _listed(handle)
    assert {corpus.url(a) for a in gone} <= listed_before
    assert not {corpus.url(a) for a in gone} & listed_after


def _listed(handle) -> set[str]:
    from lxml import html as lxml_html

    corpus, out = handle.corpus, set()
    for site in ("haian", "lechan"):
        for cat in range(4):
            page = 1
            while (body := corpus.listing(site, cat, page)) is not None:
                out |= set(
                    lxml_html.fromstring(body).xpath(
                        '//a[contains(@class,"NewsTitle")]/@href|//div[@class="vnp-item"]/h3/a/@href'
                    )
                )
                page += 1
    return out


def test_edited_articles_change_etag_and_truth(replica_factory):
    handle = replica_factory(edit_rate=0.3, delete_rate=0.0)
    corpus = handle.corpus
    before = {
        a.id: (fetch(handle, corpus.url(a))[1]["etag"], corpus.truth(a))
        for a in corpus.by_site["lechan"]
    }
    handle.set_generation(1)
    edited = [a for a in corpus.by_site["lechan"] if corpus.state(a).version]
    untouched = [a for a in corpus.by_site["lechan"] if not corpus.state(a).version]
    assert edited and untouched
    for a in edited:
        etag, truth = before[a.id]
        assert fetch(handle, corpus.url(a))[1]["etag"] != etag
        now = corpus.truth(a)
        fields = ("title", "lead", "published", "body")
        assert now["version"] == 1
        assert [now[f] for f in fields] != [truth[f] for f in fields]
    for a in untouched[:20]:
        assert fetch(handle, corpus.url(a))[1]["etag"] == before[a.id][0]


def test_if_none_match_gives_304(replica):
    url = replica.corpus.url(replica.corpus.by_site["haian"][3])
    status, headers, _ = fetch(replica, url)
    status2, _, body = fetch(replica, url, headers={"If-None-Match": headers["etag"]})
    assert (status, status2, body) == (200, 304, b"")


def test_if_modified_since_gives_304(replica):
    url = replica.corpus.url(replica.corpus.by_site["lechan"][3])
    _, headers, _ = fetch(replica, url)
    status, _, _ = fetch(replica, url, headers={"If-Modified-Since": headers["last-modified"]})
    assert status == 304


def test_edits_change_the_headline_lead_date_or_body_in_their_shares(replica_factory):
    """Some edits show in listings (headline, teaser, date), some only on the article page."""
    from collections import Counter

    from newsarchive.replica.generations import EDIT_KINDS

    handle = replica_factory(articles=1500, edit_rate=0.5, delete_rate=0.0)
    corpus = handle.corpus
    arts = [a for a in corpus.by_site["haian"] if not a.is_seed]
    before = {a.id: corpus.truth(a) for a in arts}
    handle.set_generation(1)
    kinds = Counter(corpus.state(a).edits[0][1] for a in arts if corpus.state(a).edits)
    total = sum(kinds.values())
    for kind, share in EDIT_KINDS:
        assert abs(kinds[kind] / total - share) < 0.05, (kind, kinds)
    fields = ("title", "lead", "published", "body")
    for a in arts:
        if not corpus.state(a).edits:
            continue
        kind = corpus.state(a).edits[0][1]
        now, then = corpus.truth(a), before[a.id]
        changed = [f for f in fields if now[f] != then[f]]
        assert changed == [
            {"title": "title", "lead": "lead", "date": "published"}.get(kind, "body")
        ]
