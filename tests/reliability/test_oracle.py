"""The crash tests' oracle must catch what `warcio check` lets through: a WARC whose last
gzip member was cut off."""

from __future__ import annotations

import gzip
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from archive.warc import WarcWriter
from tests.reliability.oracle import decompresses_to_end, digests_verify

WARCIO = Path(sys.executable).with_name("warcio")


@pytest.fixture
def cut_warc(tmp_path) -> Path:
    with WarcWriter(tmp_path) as writer:
        for i in range(3):
            writer.write_exchange(
                f"http://portal.example.vn/{i}",
                request_headers=[],
                status=200,
                reason=None,
                response_headers=[("Content-Type", "text/html")],
                payload=b"<p>trang</p>" * 200,
                ip=None,
                date=datetime(2025, 1, 1, tzinfo=timezone.utc),
            )
    (path,) = tmp_path.glob("*.warc.gz")
    path.write_bytes(path.read_bytes()[:-40])  # the last member loses its end
    return path


def test_warcio_check_passes_a_cut_off_last_member(cut_warc):
    # Why warcio check alone is not the oracle (if this starts failing, warcio got stricter).
    run = subprocess.run([str(WARCIO), "check", str(cut_warc)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_full_decompression_catches_a_cut_off_last_member(cut_warc):
    with pytest.raises(AssertionError, match="cut off"):
        decompresses_to_end(cut_warc)


def test_digest_check_catches_a_changed_payload(tmp_path):
    with WarcWriter(tmp_path) as writer:
        ex = writer.write_exchange(
            "http://portal.example.vn/a",
            request_headers=[],
            status=200,
            reason=None,
            response_headers=[],
            payload=b"A" * 2000,
            ip=None,
            date=datetime(2025, 1, 1, tzinfo=timezone.utc),
        )
    (path,) = tmp_path.glob("*.warc.gz")
    data = path.read_bytes()
    start, end = ex.response.offset, ex.response.offset + ex.response.length
    member = gzip.compress(gzip.decompress(data[start:end]).replace(b"AAAA", b"BBBB", 1))
    path.write_bytes(data[:start] + member + data[end:])
    decompresses_to_end(path)  # still whole gzip: only the digest can tell
    with pytest.raises(Exception, match="(?i)digest"):
        digests_verify(path)
