"""A disk that fills up mid-crawl, then gets its space back: nothing archived is damaged,
the failed run stops fetching and exits non-zero, and a re-run completes the archive.

ENOSPC comes from a small tmpfs when this machine lets us mount one (root here and in CI);
otherwise it is injected on the WARC writer's file, and the report says so.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
import time

import pytest

from tests.crawlsupport import index_articles, run_crawl, truth
from tests.reliability.oracle import assert_archive_whole, assert_verify_clean
from tests.reliability.support import (
    SOAK,
    SmallDisk,
    clean_crawl,
    crawl_args,
    same_index,
    shared_replica,
    start_injected,
    stat_value,
    wait_for_rows,
)

ARTICLES = 40
SITE = "haian"
DISK_BYTES = 16 << 20  # a whole crawl of the fixture site needs about 5 MB (index + WAL + WARC)
SEEDS = range(8) if SOAK else [1]
# tmpfs falls back to the injected ENOSPC by itself where mounting is refused; the soak run
# also covers the injected path where it is not.
HOW = {
    "tmpfs": f"a {DISK_BYTES >> 20} MiB tmpfs filled by another file",
    "injected": "an OSError(ENOSPC) injected on the WARC file (a partial write first when bytes are left)",
}
MODES = ["tmpfs", "injected"] if SOAK else [os.environ.get("NEWSARCHIVE_ENOSPC", "tmpfs")]


@pytest.fixture(scope="module")
def site(replica_factory):
    return shared_replica(replica_factory, ARTICLES, seed=7)


@pytest.fixture(params=MODES)
def disk(tmp_path, request):
    disk = SmallDisk(tmp_path / "disk", DISK_BYTES, mode=request.param)
    yield disk
    disk.close()


@pytest.mark.parametrize("seed", SEEDS)
def test_disk_full_mid_crawl_then_space_back_then_rerun(
    site, disk, tmp_path, tmp_path_factory, reliability_record, seed
):
    rng = random.Random(seed)
    clean = clean_crawl(site.port, SITE, tmp_path_factory.mktemp("clean"))
    total = (
        sqlite3.connect(clean / "index.db").execute("select count(*) from captures").fetchone()[0]
    )
    data = disk.root / "data"
    fill_after = rng.randrange(total // 5, total // 2)  # captures before the disk fills
    leave = rng.choice([0, 4096, 8192, 20000])  # bytes left: a partial write, or none
    log_file = tmp_path / "failed-run.log"  # off the small disk; a pipe could fill and block
    proc = start_injected(
        crawl_args(
            site.port, data, SITE, extra=("-s", "LOG_LEVEL=INFO", "-s", f"LOG_FILE={log_file}")
        ),
        disk.inject,
    )
    wait_for_rows(proc, data / "index.db", "captures", fill_after)
    disk.fill(leave)
    # The disk stays full until a write has failed (with `leave` bytes free that takes a few
    # more records), then space comes back while the crawl is still stopping.
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if log_file.exists() and "could not store the archive" in log_file.read_text(
            "utf-8", "replace"
        ):
            break
        time.sleep(0.02)
    time.sleep(rng.uniform(0.0, 0.3))
    disk.free()
    out, err = proc.communicate(timeout=300)
    failed_run = proc.returncode
    log = out + err + log_file.read_text("utf-8", "replace")

    assert failed_run != 0, log[-3000:]
    assert "could not store the archive" in log, log[-3000:]
    downloaded = stat_value(log, "downloader/response_count") or 0
    stored = stat_value(log, "newsarchive/captures") or 0
    # It stopped: what it fetched after the failure is at most what was in flight.
    assert downloaded - stored <= 64 + 8, (downloaded, stored)
    with sqlite3.connect(data / "index.db") as conn:
        (status,) = conn.execute("select status from crawls order by id").fetchone()
    assert status in ("failed", "running")  # running: the disk was full for that write too

    rerun = run_crawl(site.port, data, SITE)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    figures = assert_archive_whole(data)
    pointers = assert_verify_clean(data)
    expected = {
        t["url"] for t in truth(site.base, "haian.haiphong.gov.vn") if t["status"] == "active"
    }
    archived = index_articles(data / "index.db")
    assert set(archived) == expected  # every article once (url is unique in the index)
    same_index(data, clean)
    with sqlite3.connect(data / "index.db") as conn:
        statuses = [s for (s,) in conn.execute("select status from crawls order by id")]
    assert statuses == ["failed", "finished"]

    partial = re.search(r"(\d+) bytes of a partial record cut", log)
    reliability_record(
        f"disk full mid-crawl, space back, re-run ({disk.mode}, seed {seed})",
        f"ENOSPC from {HOW[disk.mode]}"
        + (f" (tmpfs refused: {disk.fallback_reason})" if disk.fallback_reason else "")
        + f" after {fill_after} of {total} captures, {leave} bytes left",
        "failed run exits non-zero and stops fetching; re-run: every article once, "
        "every WARC decompresses to its end with digests verified, verify clean, "
        "index equals a clean crawl's",
        {
            "failed run exit": failed_run,
            "fetched after failure": downloaded - stored,
            "partial bytes cut by writer": int(partial.group(1)) if partial else 0,
            "articles": len(archived),
            "WARC records": figures.records,
            "index pointers": pointers,
        },
    )
