"""SIGKILL at seeded random moments, each followed by a re-run: in the middle of a WARC
record, inside an index transaction (before its COMMIT), and during an export.

The oracle is the archive itself: every WARC decompresses to its end and every record's
digests verify, `verify` is clean, and the index equals a clean crawl's.
"""

from __future__ import annotations

import random
import re
import shutil
import sqlite3

import pytest

from archive.warc import check_file
from tests.crawlsupport import run_crawl
from tests.reliability.oracle import assert_archive_whole, assert_verify_clean
from tests.reliability.support import (
    SOAK,
    clean_crawl,
    crawl_args,
    run_injected,
    same_index,
    shared_replica,
)

ARTICLES = 40
SITE = "haian"
SEEDS = range(10) if SOAK else [3]


@pytest.fixture(scope="module")
def site(replica_factory):
    return shared_replica(replica_factory, ARTICLES, seed=7)


def _captures(data) -> int:
    with sqlite3.connect(data / "index.db") as conn:
        return conn.execute("select count(*) from captures").fetchone()[0]


def _crawl_statuses(data) -> list[tuple[str, str | None]]:
    with sqlite3.connect(data / "index.db") as conn:
        return conn.execute("select status, failure from crawls order by id").fetchall()


def _rerun_and_check(site, data, clean) -> dict:
    rerun = run_crawl(site.port, data, SITE)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    figures = assert_archive_whole(data)
    pointers = assert_verify_clean(data)
    same_index(data, clean)
    statuses = _crawl_statuses(data)
    assert [s for s, _ in statuses] == ["failed", "finished"], statuses
    assert statuses[0][1].startswith("interrupted"), statuses
    found = re.search(r"indexed (\d+) records crawl", rerun.stderr)
    return {
        "records indexed by the re-run": int(found.group(1)) if found else 0,
        "WARC records": figures.records,
        "index pointers": pointers,
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_sigkill_mid_warc_record_then_rerun(
    site, tmp_path, tmp_path_factory, reliability_record, seed
):
    rng = random.Random(seed)
    clean = clean_crawl(site.port, SITE, tmp_path_factory.mktemp("clean"))
    write = rng.randrange(2, _captures(clean))  # the N-th write to a WARC file
    frac = rng.uniform(0.05, 0.95)
    data = tmp_path / "data"
    killed = run_injected(crawl_args(site.port, data, SITE), f"warc-kill:{write}:{frac:.3f}")
    assert killed.returncode == -9, killed.stderr[-2000:]
    (warc,) = (data / "warc").glob("*.warc.gz")
    tail = check_file(warc)
    assert tail.truncated_at is not None, "no partial record at the kill: the test is void"
    partial = warc.stat().st_size - tail.truncated_at
    assert _crawl_statuses(data)[0][0] == "running"
    figures = _rerun_and_check(site, data, clean)
    reliability_record(
        f"SIGKILL mid WARC record, re-run (seed {seed})",
        f"SIGKILL inside WARC write #{write}, {frac:.0%} of its bytes on disk",
        "partial tail cut by the re-run; archive whole, verify clean, index equals a clean "
        "crawl's; killed crawl marked failed (interrupted)",
        {"partial tail bytes": partial, **figures},
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_sigkill_inside_index_transaction_then_rerun(
    site, tmp_path, tmp_path_factory, reliability_record, seed
):
    rng = random.Random(seed)
    clean = clean_crawl(site.port, SITE, tmp_path_factory.mktemp("clean"))
    # Every capture is one write (of a batch, by default), so the crawl reaches the N-th.
    txn = rng.randrange(1, _captures(clean))
    data = tmp_path / "data"
    killed = run_injected(crawl_args(site.port, data, SITE), f"index-kill:{txn}")
    assert killed.returncode == -9, killed.stderr[-2000:]
    before = _captures(data)
    assert _crawl_statuses(data)[0][0] == "running"
    figures = _rerun_and_check(site, data, clean)
    reliability_record(
        f"SIGKILL inside an index transaction, re-run (seed {seed})",
        f"SIGKILL in index transaction #{txn}, statements run, before COMMIT",
        "uncommitted rows gone; the complete record left without its row is indexed by the "
        "re-run; archive whole, verify clean, index equals a clean crawl's; killed crawl "
        "marked failed (interrupted)",
        {"captures kept from the killed run": before, **figures},
    )


def test_sigkill_before_any_batch_committed_then_rerun(
    site, tmp_path, tmp_path_factory, reliability_record
):
    """Batches that never commit during the run: the kill leaves every WARC record without
    its index row; the re-run's start-up indexes them and the next walk completes the rest."""
    clean = clean_crawl(site.port, SITE, tmp_path_factory.mktemp("clean"))
    data = tmp_path / "data"
    never = ("-s", "NEWSARCHIVE_INDEX_BATCH=1000000", "-s", "NEWSARCHIVE_INDEX_BATCH_MS=600000")
    txn = _captures(clean) // 2
    killed = run_injected(crawl_args(site.port, data, SITE, never), f"index-kill:{txn}")
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert _captures(data) == 0  # nothing of the batch reached the index
    (warc,) = (data / "warc").glob("*.warc.gz")
    written = _complete_responses(warc)
    assert written > 10, written
    figures = _rerun_and_check(site, data, clean)
    # Every complete record the killed run wrote (the last one may be cut) got its row.
    assert figures["records indexed by the re-run"] == written, (written, figures)
    reliability_record(
        "SIGKILL with an uncommitted index batch, re-run",
        f"SIGKILL in write #{txn} of a batch that never committed",
        "nothing of the batch in the index; the re-run indexes the killed run's WARC records "
        "and completes the archive: whole, verify clean, index equals a clean crawl's",
        figures,
    )


def _complete_responses(warc) -> int:
    """Response/revisit records of a WARC, up to a record the kill may have cut."""
    from warcio.archiveiterator import ArchiveIterator

    n = 0
    with warc.open("rb") as f:
        try:
            for record in ArchiveIterator(f):
                if record.rec_type in ("response", "revisit"):
                    record.content_stream().read()
                    n += 1
        except Exception:  # a partial last record: what the re-run cuts off
            pass
    return n


def _export(data, out, inject=""):
    return run_injected(["export", "--data", str(data), "--out", str(out)], inject)


@pytest.mark.parametrize("seed", SEEDS)
def test_sigkill_during_export_then_rerun(
    site, tmp_path, tmp_path_factory, reliability_record, seed
):
    rng = random.Random(seed)
    clean = clean_crawl(site.port, SITE, tmp_path_factory.mktemp("clean"))
    data = tmp_path / "data"
    shutil.copytree(clean, data)
    reference = tmp_path / "reference" / "articles.jsonl"
    reference.parent.mkdir()
    ok = _export(data, reference)
    assert ok.returncode == 0, ok.stderr
    rows = sum(1 for _ in reference.open(encoding="utf-8"))
    target = tmp_path / "out"
    target.mkdir()
    out = target / "articles.jsonl"
    at = rng.randrange(0, rows + 1)  # rows written before the kill (rows: at the rename)
    killed = _export(data, out, f"export-kill:{at}")
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert not out.exists(), "a killed export left a complete-looking file"
    again = _export(data, out)
    assert again.returncode == 0, again.stderr
    assert out.read_bytes() == reference.read_bytes()
    assert sorted(p.name for p in target.iterdir() if p.name.startswith(".")) == []
    reliability_record(
        f"SIGKILL during export, re-run (seed {seed})",
        f"SIGKILL after {at} of {rows} rows written"
        + (" (at the final rename)" if at == rows else ""),
        "no file at the target name after the kill; the re-run's file equals a clean "
        "export byte for byte; no temporary file left",
        {"rows": rows},
    )
