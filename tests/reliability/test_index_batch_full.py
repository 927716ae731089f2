"""A full disk at an index batch's COMMIT: the batch rolls back (only it: the batches before
stay), the crawl stops and exits non-zero, and the next run's start-up indexes the WARC
records the lost batch had described, so no archived record is left without its row."""

from __future__ import annotations

import sqlite3

from warcio.archiveiterator import ArchiveIterator

from tests.crawlsupport import run_crawl
from tests.reliability.oracle import assert_archive_whole, assert_verify_clean
from tests.reliability.support import (
    clean_crawl,
    crawl_args,
    run_injected,
    same_index,
    shared_replica,
)

SITE = "haian"
# Batches of 20 writes back to back, whatever the timing.
SMALL_BATCHES = (
    "-s", "NEWSARCHIVE_INDEX_BATCH=20", "-s", "NEWSARCHIVE_INDEX_BATCH_MS=60000",
    "-s", "NEWSARCHIVE_INDEX_BATCH_GAP_MS=0",
)  # fmt: skip


def warc_records(data) -> set[tuple[str, int]]:
    out = set()
    for path in (data / "warc").glob("*.warc.gz"):
        with path.open("rb") as f:
            iterator = ArchiveIterator(f)
            for record in iterator:
                if record.rec_type in ("response", "revisit"):
                    out.add((path.name, iterator.get_record_offset()))
    return out


def indexed(data) -> set[tuple[str, int]]:
    with sqlite3.connect(data / "index.db") as conn:
        return set(conn.execute("select warc_file, warc_offset from captures"))


def test_a_batch_that_cannot_commit_is_recovered_by_the_next_run(
    replica_factory, tmp_path, tmp_path_factory, reliability_record
):
    site = shared_replica(replica_factory, 40, seed=7)
    clean = clean_crawl(site.port, SITE, tmp_path_factory.mktemp("clean"))
    data = tmp_path / "data"
    failed = run_injected(crawl_args(site.port, data, SITE, SMALL_BATCHES), "index-full:3")
    assert failed.returncode == 1, failed.stdout + failed.stderr[-3000:]
    assert "could not store the archive" in failed.stdout + failed.stderr
    kept = indexed(data)
    lost = warc_records(data) - kept
    assert kept, "the batches committed before the failure are kept"
    assert lost, "the failed batch left no record without its row: the test is void"
    with sqlite3.connect(data / "index.db") as conn:
        (status,) = conn.execute("select status from crawls").fetchone()
    assert status == "failed"

    rerun = run_crawl(site.port, data, SITE)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert warc_records(data) <= indexed(data)  # every archived record has its row
    assert f"indexed {len(lost)} records crawl 1 wrote" in rerun.stderr
    assert_archive_whole(data)
    assert_verify_clean(data)
    same_index(data, clean)
    reliability_record(
        "index batch COMMIT fails (disk full), re-run",
        "SQLITE_FULL at the third batch's COMMIT (batches of 20 writes): the batch rolled back",
        "failed run exits 1, batches before it kept; the re-run indexes the lost batch's WARC "
        "records at start-up; verify clean, index equals a clean crawl's",
        {"records of the lost batch": len(lost), "captures kept": len(kept)},
    )
