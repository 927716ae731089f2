"""Same seed: identical bytes and truth; another seed: different content."""

from __future__ import annotations

from newsarchive.replica import ReplicaConfig, build_corpus


def _snapshot(seed: int) -> tuple[list[bytes], bytes]:
    corpus = build_corpus(ReplicaConfig(articles=40, seed=seed))
    pages = [corpus.render_article(a) for a in corpus.articles[::7]]
    return pages, corpus.truth_jsonl()


def test_same_seed_same_bytes_and_truth():
    assert _snapshot(3) == _snapshot(3)


def test_different_seed_different_content():
    pages_a, truth_a = _snapshot(3)
    pages_b, truth_b = _snapshot(4)
    assert truth_a != truth_b and pages_a != pages_b


def test_listings_deterministic():
    a = build_corpus(ReplicaConfig(articles=40, seed=9)).listing("vinhbao", 0, 1)
    b = build_corpus(ReplicaConfig(articles=40, seed=9)).listing("vinhbao", 0, 1)
    assert a == b and a is not None
