"""End to end: crawl the replica, then compare the index and the WARCs with its ground truth."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from archive.warc import read_record
from tests.crawlsupport import (
    comparable,
    index_articles,
    run_crawl,
    truth,
    truth_comparable,
)

ARTICLES = int(os.environ.get("NEWSARCHIVE_TEST_ARTICLES", "500"))
SITES = ("haian", "lechan", "vinhbao")


@pytest.fixture(scope="module")
def crawled(replica_factory, tmp_path_factory):
    replica = replica_factory(articles=ARTICLES, seed=7)
    data = tmp_path_factory.mktemp("crawl-data")
    result = run_crawl(replica.port, data, *SITES)
    assert result.returncode == 0, result.stdout + result.stderr
    return replica, data, result


def test_every_truth_article_is_archived_with_every_field_equal(crawled):
    replica, data, _ = crawled
    expected = {
        t["url"]: truth_comparable(t) for t in truth(replica.base) if t["status"] == "active"
    }
    archived = index_articles(data / "index.db")
    assert len(expected) == len(SITES) * ARTICLES
    missing = sorted(set(expected) - set(archived))
    assert not missing, f"{len(missing)} articles missing, e.g. {missing[:3]}"
    wrong = [url for url in expected if comparable(archived[url]) != expected[url]]
    assert not wrong, (
        f"{len(wrong)} articles differ, e.g. {wrong[0]}:\n{comparable(archived[wrong[0]])}\n!=\n{expected[wrong[0]]}"
    )


def test_no_article_outside_the_truth(crawled):
    replica, data, _ = crawled
    expected = {t["url"] for t in truth(replica.base)}
    assert set(index_articles(data / "index.db")) <= expected


def test_attachment_sha256_match_the_served_files(crawled):
    replica, data, _ = crawled
    served = {f["url"]: f["sha256"] for t in truth(replica.base) for f in t.get("files", [])}
    with sqlite3.connect(data / "index.db") as conn:
        rows = conn.execute("select url, sha256 from attachments").fetchall()
    assert rows, "no attachments archived"
    assert {url: sha for url, sha in rows} == {url: served[url] for url, _ in rows}
    expected_attachments = {a["url"] for t in truth(replica.base) for a in t["attachments"]}
    assert {url for url, _ in rows} == expected_attachments


def test_every_warc_file_passes_warcio_check(crawled):
    _, data, _ = crawled
    files = sorted((data / "warc").glob("*.warc.gz"))
    assert files
    result = subprocess.run(
        [str(Path(sys.executable).parent / "warcio"), "check", *map(str, files)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_index_offsets_read_back_the_right_records(crawled):
    _, data, _ = crawled
    with sqlite3.connect(data / "index.db") as conn:
        rows = conn.execute(
            "select url, warc_file, warc_offset, warc_length, record_type, payload_digest "
            "from captures order by random() limit 300"
        ).fetchall()
    assert rows
    for url, file, offset, length, record_type, digest in rows:
        record = read_record(data / "warc", file, offset, length)
        assert record.target_uri == url
        assert record.rec_type == record_type
        if record_type == "response":
            assert record.header("WARC-Payload-Digest") == digest


def test_attachment_bytes_read_back_from_the_warc(crawled):
    _, data, _ = crawled
    with sqlite3.connect(data / "index.db") as conn:
        rows = conn.execute(
            "select warc_file, warc_offset, warc_length, sha256 from attachments limit 50"
        ).fetchall()
    for file, offset, length, sha in rows:
        record = read_record(data / "warc", file, offset, length)
        assert hashlib.sha256(record.decoded).hexdigest() == sha


def test_crawl_row_counts_the_run(crawled):
    _, data, _ = crawled
    with sqlite3.connect(data / "index.db") as conn:
        rows = conn.execute("select status, articles_new, errors, sites from crawls").fetchall()
    assert len(rows) == 1  # the three sites ran in one crawler
    status, new, _, sites = rows[0]
    assert status == "finished" and sorted(json.loads(sites)) == sorted(SITES)
    assert new == len(SITES) * ARTICLES


def test_sites_table_holds_base_url_profile_and_title(crawled):
    _, data, _ = crawled
    from newsarchive.portals.sites import get_site

    with sqlite3.connect(data / "index.db") as conn:
        rows = conn.execute("SELECT name, base_url, profile, title FROM sites").fetchall()
    assert {r[0] for r in rows} == set(SITES)
    for name, base_url, profile, title in rows:
        site = get_site(name)
        assert (base_url, profile, title) == (
            site.start_urls[0],
            site.resolved_profile(),
            site.title,
        )
