"""Batched index commits (Index.batch_writes): one commit per batch, never a lost or
half-written item; other connections see a batch once it commits; close flushes."""

from __future__ import annotations

import sqlite3

import pytest

from archive.index import Index

ARTICLE = {"title": "Hội nghị tổng kết năm 2024", "body": "Nội dung hội nghị."}


def url(n: int) -> str:
    return f"https://x.gov.vn/tin/{n}"


def visible(path) -> int:
    """Articles another connection sees (what is committed)."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute("select count(*) from articles").fetchone()[0]


@pytest.fixture
def batched(tmp_path):
    """Batches of 3 writes, back to back (the gap between them has its own test)."""
    index = Index(tmp_path / "index.db").open()
    index.batch_writes(3, 3600.0, gap_seconds=0.0)
    yield index, tmp_path / "index.db"
    index.close()


def record(index: Index, n: int) -> None:
    index.record_article(None, "x", url(n), None, ARTICLE, "2025-01-10T02:00:00Z", None)


def test_a_batch_commits_after_its_number_of_writes(batched):
    index, path = batched
    record(index, 1)
    record(index, 2)
    assert visible(path) == 0  # not committed yet; the writer itself sees its writes
    assert index.article_state(url(2)) is not None
    record(index, 3)
    assert visible(path) == 3


def test_flush_and_close_commit_the_open_batch(batched, tmp_path):
    index, path = batched
    record(index, 1)
    index.flush()
    assert visible(path) == 1
    record(index, 2)
    index.close()
    assert visible(path) == 2


def test_a_batch_is_due_by_time_even_without_more_writes(tmp_path):
    index = Index(tmp_path / "index.db").open()
    index.batch_writes(1000, 0.0, gap_seconds=0.0)  # due as soon as it holds a write
    index.record_article(None, "x", url(1), None, ARTICLE, None, None)
    index.flush_if_due()
    assert visible(tmp_path / "index.db") == 1
    index.batch_writes(1000, 3600.0, gap_seconds=0.0)
    index.record_article(None, "x", url(2), None, ARTICLE, None, None)
    index.flush_if_due()  # not due: an hour to go
    assert visible(tmp_path / "index.db") == 1
    index.close()


def test_a_failed_write_undoes_only_itself(batched):
    index, path = batched
    record(index, 1)
    with pytest.raises(sqlite3.IntegrityError), index.transaction() as c:
        c.execute("INSERT INTO sites (name) VALUES ('half-written')")
        c.execute("INSERT INTO sites (name) VALUES ('half-written')")  # fails
    record(index, 2)
    index.flush()
    assert visible(path) == 2
    names = [r[0] for r in index.conn.execute("select name from sites")]
    assert "half-written" not in names


def test_rollback_drops_only_the_uncommitted_batch(batched):
    index, path = batched
    for n in (1, 2, 3):  # one committed batch
        record(index, n)
    record(index, 4)
    index.rollback()
    index.flush()
    assert visible(path) == 3 and index.article_state(url(4)) is None


def test_one_write_per_batch_is_the_unbatched_default(tmp_path):
    index = Index(tmp_path / "index.db").open()
    index.batch_writes(1, 3600.0)
    index.record_article(None, "x", url(1), None, ARTICLE, None, None)
    assert visible(tmp_path / "index.db") == 1
    index.close()


def test_after_a_batch_writes_commit_alone_for_a_gap(tmp_path):
    """So that another writer of the index, waiting for the lock, gets it between batches."""
    index, path = Index(tmp_path / "index.db").open(), tmp_path / "index.db"
    index.batch_writes(3, 3600.0, gap_seconds=3600.0)
    for n in (1, 2, 3):
        record(index, n)  # a batch, committed
    record(index, 4)  # in the gap: its own transaction, committed at once
    assert visible(path) == 4 and not index.conn.in_transaction
