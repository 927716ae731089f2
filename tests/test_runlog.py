"""Per-run log files: one per run, INFO and up, the oldest removed past `keep`."""

from __future__ import annotations

import logging

from newsarchive.crawl.runlog import close_run_log, open_run_log, rotate, skip_unlogged_levels


def test_rotation_keeps_the_newest_files(tmp_path):
    for day in range(1, 6):
        (tmp_path / f"crawl-2026010{day}T031700Z-1.log").write_text("x")
    (tmp_path / "other.txt").write_text("not a run log")
    removed = rotate(tmp_path, keep=2)
    assert [p.name for p in removed] == [f"crawl-2026010{d}T031700Z-1.log" for d in (1, 2, 3)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "crawl-20260104T031700Z-1.log",
        "crawl-20260105T031700Z-1.log",
        "other.txt",
    ]


def test_a_run_log_gets_info_records_and_counts_in_the_rotation(tmp_path):
    for day in range(1, 4):
        (tmp_path / f"crawl-2026010{day}T031700Z-1.log").write_text("old")
    path, handler = open_run_log(tmp_path, keep=2)
    try:
        logging.getLogger("newsarchive.run").info("haian: 12 fetches")
        logging.getLogger("scrapy.core").debug("not kept")
    finally:
        close_run_log(handler)
    assert sorted(tmp_path.glob("crawl-*.log")) == [tmp_path / "crawl-20260103T031700Z-1.log", path]
    text = path.read_text(encoding="utf-8")
    assert "haian: 12 fetches" in text and "not kept" not in text


def _root_with(*levels: int) -> tuple[list[logging.Handler], int]:
    """Root handlers at these levels; returns what to put back."""
    saved = (logging.root.handlers[:], logging.root.level)
    logging.root.handlers[:] = [logging.NullHandler(level) for level in levels]
    logging.root.setLevel(logging.NOTSET)  # as Scrapy leaves it
    return saved


def test_records_no_handler_writes_are_not_made():
    saved = _root_with(logging.WARNING, logging.INFO)
    scrapy_level = logging.getLogger("scrapy").level
    logging.getLogger("scrapy").setLevel(logging.DEBUG)  # as Scrapy's logging set-up does
    try:
        skip_unlogged_levels()
        assert not logging.getLogger("scrapy.core.engine").isEnabledFor(logging.DEBUG)
        assert not logging.getLogger("newsarchive.run").isEnabledFor(logging.DEBUG)
        assert logging.getLogger("scrapy.core.engine").isEnabledFor(logging.INFO)
    finally:
        logging.root.handlers[:], level = saved
        logging.root.setLevel(level)
        logging.getLogger("scrapy").setLevel(scrapy_level)


def test_a_handler_that_takes_everything_keeps_debug_records():
    saved = _root_with(logging.WARNING, logging.NOTSET)  # e.g. a test's log capture
    try:
        skip_unlogged_levels()
        assert logging.getLogger("scrapy.core.engine").isEnabledFor(logging.DEBUG)
    finally:
        logging.root.handlers[:], level = saved
        logging.root.setLevel(level)
