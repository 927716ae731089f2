"""Crawls are reported in the order they ran, not by row id: `index merge` gives a merged
folder's older crawls higher ids than the crawls already here."""

from __future__ import annotations

import sqlite3

from archive.datasheet import _crawls
from archive.index import Index
from archive.stats import per_crawl


def _index_with_crawls_out_of_id_order(tmp_path) -> sqlite3.Connection:
    path = tmp_path / "index.db"
    with Index(path) as index:
        for _ in range(3):
            index.start_crawl(["haian"], {})
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    # As after a merge: the crawl with the highest id ran first.
    starts = {1: "2025-03-02T01:00:00Z", 2: "2025-03-03T01:00:00Z", 3: "2025-03-01T01:00:00Z"}
    for crawl_id, started in starts.items():
        conn.execute("UPDATE crawls SET started = ? WHERE id = ?", (started, crawl_id))
    conn.commit()
    return conn


def test_stats_list_crawls_by_start(tmp_path) -> None:
    conn = _index_with_crawls_out_of_id_order(tmp_path)
    assert [row["id"] for row in per_crawl(conn)] == [3, 1, 2]


def test_datasheet_lists_crawls_by_start(tmp_path) -> None:
    conn = _index_with_crawls_out_of_id_order(tmp_path)
    assert [row["id"] for row in _crawls(conn, {"haian"})] == [3, 1, 2]
