"""Corpus-wide accuracy on the replica (150 articles per site), with and without profiles,
and the seed article exactly in each generation's markup."""

from __future__ import annotations

import pytest

from newsarchive.extract import extract
from newsarchive.extract.score import Score, paragraphs
from newsarchive.portals.profiles import get_profile

replica = pytest.importorskip("newsarchive.replica")

SEED_CAPTIONS = [
    "Thường trực Thành ủy thăm và làm việc tại quận Hải An",
    "Đồng chí Nguyễn Văn Tuấn, Ủy viên Thành ủy, Bí thư Quận ủy, Chủ tịch Hội đồng nhân dân "
    "quận Hải An báo cáo tại cuộc làm việc",
    "Đồng chí Nguyễn Văn Tùng, Phó Bí thư Thành ủy, Chủ tịch Ủy ban nhân dân thành phố phát "
    "biểu tại cuộc làm việc",
    "Đồng chí Lê Tiến Châu, Ủy viên Trung ương Đảng, Bí thư Thành ủy phát biểu kết luận Hội nghị",
]


@pytest.fixture(scope="module")
def corpus():
    return replica.build_corpus(replica.ReplicaConfig(articles=150, seed=1))


@pytest.mark.parametrize("generation", ["A", "B", "C"])
@pytest.mark.parametrize("profile", [None, "generic"])
def test_seed_article_exact(corpus, generation: str, profile: str | None) -> None:
    seed = corpus.seed_article()
    truth = corpus.truth(seed, generation)
    got = extract(
        corpus.render_article(seed, generation),
        truth["url"],
        get_profile(profile) if profile else None,
    ).to_dict()
    assert got["title"] == "Thường trực Thành ủy làm việc với Ban Chấp hành Đảng bộ quận Hải An"
    assert got["published"] == "2023-03-09T07:05:00+07:00"
    assert got["lead"] == truth["lead"]
    assert got["body"] == truth["body"]
    # The first paragraph begins with the lead's sentence and goes on: it stays whole.
    first = paragraphs(got["body"])[0]
    assert first.startswith(truth["lead"]) and first != truth["lead"]
    assert [im["caption"] for im in got["images"]] == SEED_CAPTIONS
    assert got["images"] == truth["images"]
    assert got["warnings"] == []


def _score(corpus, profile_name: str | None) -> dict[str, float]:
    score = Score()
    profile = get_profile(profile_name) if profile_name else None
    for article in corpus.articles:
        truth = corpus.truth(article)
        got = extract(corpus.render_article(article), truth["url"], profile).to_dict()
        score.add(got, truth)
    return score.summary()


def test_corpus_with_profiles(corpus) -> None:
    s = _score(corpus, None)
    for field in ("title", "published", "images", "attachments", "tags"):
        assert s[field] == 1.0, (field, s)
    assert s["body_f1"] >= 0.99, s
    assert s["captions_f1"] >= 0.98, s


def test_corpus_generic(corpus) -> None:
    s = _score(corpus, "generic")
    assert s["title"] >= 0.98, s
    assert s["published"] >= 0.98, s
    assert s["body_f1"] >= 0.95, s
