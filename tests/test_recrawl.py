"""Incremental re-crawls, edits and deletions, faults, and SIGKILL at any moment."""

from __future__ import annotations

import os
import sqlite3

import pytest

from tests.crawlsupport import (
    count_rows,
    crawl_and_kill,
    index_articles,
    index_snapshot,
    run_crawl,
    set_generation,
    truth,
)
from tests.reliability.oracle import assert_archive_whole, assert_verify_clean

ARTICLES = int(os.environ.get("NEWSARCHIVE_TEST_RECRAWL_ARTICLES", "120"))


def _ok(result):
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture
def edited_replica(replica_factory):
    return replica_factory(articles=ARTICLES, seed=11, edit_rate=0.1, delete_rate=0.05)


def test_recrawl_of_unchanged_site_makes_no_new_versions(edited_replica, tmp_path):
    _ok(run_crawl(edited_replica.port, tmp_path, "haian"))
    with sqlite3.connect(tmp_path / "index.db") as conn:
        versions_before = conn.execute("select count(*) from article_versions").fetchone()[0]
        captures_before = conn.execute("select max(id) from captures").fetchone()[0]
    _ok(run_crawl(edited_replica.port, tmp_path, "haian", extra=("--recheck-hours", "0")))
    with sqlite3.connect(tmp_path / "index.db") as conn:
        versions_after = conn.execute("select count(*) from article_versions").fetchone()[0]
        new_page_captures = conn.execute(
            "select record_type, http_status from captures where id > ? and kind = 'page'",
            (captures_before,),
        ).fetchall()
    assert versions_after == versions_before
    assert len(new_page_captures) == ARTICLES
    assert all(rt == "revisit" for rt, _ in new_page_captures)


def test_recrawl_without_recheck_sends_few_requests(edited_replica, tmp_path):
    _ok(run_crawl(edited_replica.port, tmp_path, "haian"))
    first = count_rows(tmp_path / "index.db", "captures")
    _ok(run_crawl(edited_replica.port, tmp_path, "haian"))
    second = count_rows(tmp_path / "index.db", "captures") - first
    assert second <= 0.05 * first, (first, second)


def test_edits_become_versions_and_deletions_are_gone(edited_replica, tmp_path):
    _ok(run_crawl(edited_replica.port, tmp_path, "haian"))
    before = {t["url"]: t for t in truth(edited_replica.base, "haian.haiphong.gov.vn")}
    set_generation(edited_replica.base, 1)
    after = {t["url"]: t for t in truth(edited_replica.base, "haian.haiphong.gov.vn")}
    edited = {
        u
        for u, t in after.items()
        if t["status"] == "active" and t["version"] != before[u]["version"]
    }
    deleted = {u for u, t in after.items() if t["status"] == "gone"}
    assert edited and deleted
    _ok(run_crawl(edited_replica.port, tmp_path, "haian", extra=("--recheck-hours", "0")))
    archived = index_articles(tmp_path / "index.db")
    assert {u for u, a in archived.items() if a["version"] > 1} == edited
    assert {u for u, a in archived.items() if a["status"] == "gone"} == deleted
    for url in edited:
        assert archived[url]["title"] == after[url]["title"]
        assert archived[url]["body"] == after[url]["body"]


def test_harsh_faults_still_archive_every_article(replica_factory, tmp_path):
    replica = replica_factory(articles=ARTICLES, seed=5, faults="harsh")
    result = run_crawl(
        replica.port, tmp_path, "haian", "lechan", "vinhbao", extra=("--max-error-rate", "1")
    )
    _ok(result)
    expected = {t["url"] for t in truth(replica.base) if t["status"] == "active"}
    assert expected <= set(index_articles(tmp_path / "index.db"))
    with sqlite3.connect(tmp_path / "index.db") as conn:
        errors = conn.execute("select sum(errors) from crawls").fetchone()[0]
    # The traps (redirect loop, oversized page, gzip bomb) must fail and be counted.
    assert errors >= 1


@pytest.mark.parametrize("kill_after", [5, 150, 400])
def test_sigkill_then_rerun_equals_a_clean_crawl(replica_factory, tmp_path, kill_after):
    replica = replica_factory(articles=ARTICLES, seed=3)
    clean = tmp_path / "clean"
    _ok(run_crawl(replica.port, clean, "haian"))
    killed = tmp_path / "killed"
    crawl_and_kill(replica.port, killed, "haian", after_captures=kill_after)
    _ok(run_crawl(replica.port, killed, "haian"))
    assert index_snapshot(killed / "index.db") == index_snapshot(clean / "index.db")
    # `warcio check` passes a cut-off last gzip member: the archive itself is the oracle.
    assert_archive_whole(killed)
    assert_verify_clean(killed)


@pytest.mark.parametrize(
    "trap", ["/__loop__/a", "/tai-lieu/bao-cao-tong-hop-lon", "/tai-lieu/du-lieu-nen"]
)
def test_hostile_pages_are_refused_and_counted(replica_factory, tmp_path, trap):
    replica = replica_factory(articles=10, seed=5, faults="harsh")
    result = run_crawl(
        replica.port, tmp_path, extra=("--url", f"https://haian.haiphong.gov.vn{trap}")
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "error threshold" in result.stderr
    with sqlite3.connect(tmp_path / "index.db") as conn:
        errors, status = conn.execute("select errors, status from crawls").fetchone()
    assert errors >= 1
    assert status == "finished"
