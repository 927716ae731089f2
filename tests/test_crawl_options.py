"""Crawl options: --since, --max-pages, --log-json, and bad input."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.crawlsupport import run_crawl, truth


@pytest.fixture(scope="module")
def small_replica(replica_factory):
    return replica_factory(articles=60, seed=21)


def test_since_keeps_only_newer_articles(small_replica, tmp_path):
    result = run_crawl(small_replica.port, tmp_path, "haian", extra=("--since", "2020-01-01"))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "index.db") as conn:
        published = [p for (p,) in conn.execute("select published from articles")]
    expected = [
        t
        for t in truth(small_replica.base, "haian.haiphong.gov.vn")
        if t["published"] and t["published"] >= "2020-01-01"
    ]
    assert published and all(p >= "2020-01-01" for p in published)
    assert len(published) == len(expected)


def test_max_pages_limits_listing_pages_per_category(small_replica, tmp_path):
    result = run_crawl(small_replica.port, tmp_path, "haian", extra=("--max-pages", "1"))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "index.db") as conn:
        listing_urls = [
            u for (u,) in conn.execute("select url from captures where kind = 'listing'")
        ]
    assert not any("page=2" in u for u in listing_urls)
    assert any("page=" not in u for u in listing_urls)


def test_log_json_writes_a_finished_event(small_replica, tmp_path):
    log = tmp_path / "crawl.jsonl"
    data = tmp_path / "data"
    result = run_crawl(small_replica.port, data, "lechan", extra=("--log-json", str(log)))
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in log.read_text().splitlines()]
    finished = [e for e in events if e["event"] == "finished"]
    assert finished and finished[-1]["articles_new"] == 60


@pytest.mark.parametrize(
    "args, message",
    [
        (["crawl", "--since", "yesterday", "haian"], "--since expects YYYY-MM-DD"),
        (["crawl", "--map", "nonsense", "haian"], "--map expects PATTERN=HOST:PORT"),
        (["crawl", "--url", "ftp://x/y"], "--url must be an http(s) URL"),
        (["crawl"], "name a site"),
    ],
)
def test_bad_input_is_one_line_and_nonzero(args, message):
    result = subprocess.run(
        [sys.executable, "-m", "newsarchive", *args], capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def _fetch_times(db, host):
    with sqlite3.connect(db) as conn:
        dates = [
            d
            for (d,) in conn.execute(
                "select warc_date from captures where url like ? order by warc_date",
                (f"https://{host}/%",),
            )
        ]
    from datetime import datetime

    return [datetime.fromisoformat(d.replace("Z", "+00:00")) for d in dates]


def test_robots_crawl_delay_spaces_requests_to_a_host(replica_factory, tmp_path):
    tiny = replica_factory(articles=8, seed=22)
    # Polite defaults, minus the fixed delay and AutoThrottle: only Crawl-delay (1 s in the
    # replica's robots.txt, capped here to 0.4 s to keep the test short) spaces requests.
    result = subprocess.run(
        [
            sys.executable, "-m", "newsarchive", "crawl", "lechan", "--no-progress",
            "--map", f"*.haiphong.gov.vn=127.0.0.1:{tiny.port}", "--data", str(tmp_path),
            "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
            "-s", "NEWSARCHIVE_MAX_CRAWL_DELAY=0.4", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4",
        ],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    times = _fetch_times(tmp_path / "index.db", "lechan.haiphong.gov.vn")
    gaps = [(b - a).total_seconds() for a, b in zip(times[2:], times[3:], strict=False)]
    assert len(gaps) > 5
    assert min(gaps) >= 0.3, gaps


def test_plain_scrapy_crawl_works_too(small_replica, tmp_path):
    scrapy = Path(sys.executable).parent / "scrapy"
    result = subprocess.run(
        [
            str(scrapy), "crawl", "vinhbao",
            "-s", f"NEWSARCHIVE_DATA={tmp_path}",
            "-s", f"NEWSARCHIVE_HOST_MAP=*.haiphong.gov.vn=127.0.0.1:{small_replica.port}",
            "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
            "-s", "NEWSARCHIVE_OBEY_CRAWL_DELAY=0", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
        ],
        capture_output=True, text=True, timeout=300, cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    with sqlite3.connect(tmp_path / "index.db") as conn:
        assert conn.execute("select count(*) from articles").fetchone()[0] == 60
