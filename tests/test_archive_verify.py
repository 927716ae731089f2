"""archive.verify and `newsarchive verify`: the index checked against the WARC files."""

from __future__ import annotations

import gzip
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.index import Index
from archive.layout import DataDir
from archive.verify import verify
from archive.warc import WarcWriter
from newsarchive.cli.verify import verify as verify_cmd

WHEN = datetime(2025, 3, 1, tzinfo=timezone.utc)


def capture(w: WarcWriter, idx: Index, url: str, payload: bytes, index_it: bool = True):
    ex = w.write_exchange(
        url,
        request_headers=[],
        status=200,
        reason=None,
        response_headers=[("Content-Type", "text/html")],
        payload=payload,
        ip=None,
        date=WHEN,
    )
    if index_it:
        idx.add_capture(None, url, fetched_at=WHEN, http_status=200, ref=ex.response)
    return ex


@pytest.fixture
def data(tmp_path) -> DataDir:
    """A data dir with two indexed captures; the WARC file is closed."""
    d = DataDir(tmp_path)
    with Index(d.index_path) as idx, WarcWriter(d.warc_dir) as w:
        capture(w, idx, "http://x/1", b"one" * 300)
        capture(w, idx, "http://x/2", b"two" * 300)
    return d


def the_file(d: DataDir) -> Path:
    (path,) = d.warc_dir.glob("*.warc.gz")
    return path


def test_clean_archive_verifies(data):
    report = verify(data.root)
    assert (report.ok, report.pointers, report.records) == (True, 2, 5)


def test_corrupted_record_is_found(data):
    path = the_file(data)
    with Index(data.index_path) as idx:
        row = idx.conn.execute(
            "SELECT warc_offset, warc_length FROM captures WHERE url='http://x/2'"
        ).fetchone()
    off, length = row
    blob = path.read_bytes()
    member = gzip.decompress(blob[off : off + length]).replace(b"twotwo", b"TWOTWO", 1)
    path.write_bytes(blob[:off] + gzip.compress(member) + blob[off + length :])
    report = verify(data.root)
    assert [(p.kind, p.offset) for p in report.problems] == [("corrupt", off)]


def test_index_pointing_to_wrong_offset_is_missing(data):
    with Index(data.index_path) as idx:
        idx.conn.execute("UPDATE captures SET warc_offset = warc_offset + 1 WHERE url='http://x/1'")
        idx.conn.commit()
    kinds = sorted(p.kind for p in verify(data.root).problems)
    assert kinds == ["missing", "orphan"]


def test_orphan_response_is_found(data):
    with Index(data.index_path) as idx, WarcWriter(data.warc_dir) as w:
        capture(w, idx, "http://x/3", b"three", index_it=False)
    problems = verify(data.root).problems
    assert [(p.kind, "http://x/3" in p.detail) for p in problems] == [("orphan", True)]


def test_missing_warc_file_is_found(data):
    the_file(data).unlink()
    assert [p.kind for p in verify(data.root).problems] == ["missing", "missing"]


def test_truncated_file_is_found(data):
    path = the_file(data)
    with open(path, "ab") as f:
        f.write(gzip.compress(b"WARC/1.1\r\n" + os.urandom(500))[:100])
    assert [p.kind for p in verify(data.root).problems] == ["truncated"]


# -- CLI ---------------------------------------------------------------------------------


def test_cli_exit_0_when_clean(data):
    result = CliRunner().invoke(verify_cmd, ["--data", str(data.root)])
    assert result.exit_code == 0, result.output


def test_cli_exit_1_on_problems(data):
    the_file(data).unlink()
    result = CliRunner().invoke(verify_cmd, ["--data", str(data.root)])
    assert result.exit_code == 1 and "2 missing" in result.output


def test_cli_honours_env(data, monkeypatch):
    monkeypatch.setenv("NEWSARCHIVE_DATA", str(data.root))
    assert CliRunner().invoke(verify_cmd, []).exit_code == 0


def test_cli_missing_data_dir_is_one_line_error(tmp_path):
    result = CliRunner().invoke(verify_cmd, ["--data", str(tmp_path / "nope")])
    assert result.exit_code == 1 and result.output.strip().count("\n") == 0
    assert "data directory not found" in result.output


def test_cli_repair_fixes_truncated_file(data):
    with open(the_file(data), "ab") as f:
        f.write(gzip.compress(b"WARC/1.1\r\n" + os.urandom(500))[:100])
    result = CliRunner().invoke(verify_cmd, ["--data", str(data.root), "--repair"])
    assert result.exit_code == 0 and "repaired" in result.output


def test_cli_help_has_example():
    result = CliRunner().invoke(verify_cmd, ["--help"])
    assert "Example:" in result.output and "NEWSARCHIVE_DATA" in result.output


def test_bit_flip_mid_file_is_corrupt_and_later_records_still_checked(data):
    path = the_file(data)
    with Index(data.index_path) as idx:
        off, length = idx.conn.execute(
            "SELECT warc_offset, warc_length FROM captures WHERE url='http://x/1'"
        ).fetchone()
    blob = bytearray(path.read_bytes())
    blob[off + length // 2] ^= 0xFF
    path.write_bytes(bytes(blob))
    assert [(p.kind, p.offset) for p in verify(data.root).problems] == [("corrupt", off)]
