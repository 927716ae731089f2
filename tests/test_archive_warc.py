"""archive.warc: writing, reading back, checking and repairing WARC files."""

from __future__ import annotations

import errno
import gzip
import json
import os
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

import archive.warc
from archive.warc import (
    RecordNotFound,
    WarcWriteError,
    WarcWriter,
    check_file,
    iter_records,
    metadata_subject,
    read_record,
    repair_truncated,
)

URL = "https://haian.haiphong.gov.vn/tin-tuc/dang-bo-quan-hai-an-123.html"
WHEN = datetime(2025, 3, 1, 1, 2, 3, 456789, tzinfo=timezone.utc)
HTML = "<html><body><h1>Đảng bộ quận Hải An</h1></body></html>".encode()
WARCIO = Path(sys.executable).with_name("warcio")


def exchange(writer: WarcWriter, url: str = URL, payload: bytes = HTML, **kw):
    args = dict(
        method="GET",
        request_headers=[("User-Agent", "newsarchive-test")],
        status=200,
        reason=None,
        response_headers=[("Content-Type", "text/html; charset=utf-8")],
        payload=payload,
        ip="203.0.113.7",
        date=WHEN,
    )
    args.update(kw)
    return writer.write_exchange(url, **args)


@pytest.fixture
def writer(tmp_path):
    w = WarcWriter(tmp_path / "warc", info={"operator": "test"})
    w.open()
    yield w
    w.close()


def only_file(w: WarcWriter) -> Path:
    assert len(w.files) == 1
    return w.directory / w.files[0]


def test_init_does_no_io(tmp_path):
    WarcWriter(tmp_path / "warc")
    assert not (tmp_path / "warc").exists()


def test_warcio_check_accepts_written_file(writer):
    ex = exchange(writer)
    writer.write_revisit(
        URL,
        profile="identical-payload-digest",
        refers_to=ex.response,
        status=200,
        reason="OK",
        response_headers=[],
        ip=None,
        date=WHEN,
    )
    writer.write_metadata(URL, concurrent_to=ex.response.record_id, payload={"a": 1}, date=WHEN)
    writer.close()
    run = subprocess.run(
        [str(WARCIO), "check", str(only_file(writer))], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_archive_iterator_verifies_every_digest(writer):
    exchange(writer)
    writer.close()
    with open(only_file(writer), "rb") as f:
        results = []
        for rec in ArchiveIterator(f, check_digests=True):
            rec.content_stream().read()
            results.append(rec.digest_checker.passed)
    assert results == [True, True, True]


def test_every_record_is_warc_1_1(writer):
    exchange(writer)
    writer.close()
    text = gzip.decompress(only_file(writer).read_bytes())
    versions = re.findall(rb"^WARC/\d\.\d\r$", text, flags=re.M)
    assert versions == [b"WARC/1.1\r"] * 3


def test_first_record_is_warcinfo_with_normalisation_note(writer):
    writer.close()
    (info,) = list(iter_records(only_file(writer)))
    fields = info.payload.decode()
    assert info.rec_type == "warcinfo"
    assert "Transfer-Encoding removed" in fields and "operator: test" in fields


def test_offsets_read_back_the_right_records(writer):
    refs = [exchange(writer, url=f"{URL}?p={i}", payload=f"page {i}".encode()) for i in range(5)]
    writer.close()
    for i, ex in enumerate(refs):
        rec = read_record(
            writer.directory, ex.response.filename, ex.response.offset, ex.response.length
        )
        assert (rec.record_id, rec.payload) == (ex.response.record_id, f"page {i}".encode())


def test_request_and_response_name_each_other(writer):
    ex = exchange(writer)
    d = writer.directory
    req = read_record(d, ex.request.filename, ex.request.offset, ex.request.length)
    resp = read_record(d, ex.response.filename, ex.response.offset, ex.response.length)
    assert req.header("WARC-Concurrent-To") == resp.record_id
    assert resp.header("WARC-Concurrent-To") == req.record_id


def test_request_record_has_request_line_and_host(writer):
    ex = exchange(writer)
    req = read_record(writer.directory, ex.request.filename, ex.request.offset, ex.request.length)
    assert req.rec_type == "request"
    assert req.http_header("Host") == "haian.haiphong.gov.vn"


def test_date_has_microseconds_and_ip_is_kept(writer):
    ex = exchange(writer)
    rec = read_record(
        writer.directory, ex.response.filename, ex.response.offset, ex.response.length
    )
    assert (rec.date, rec.header("WARC-IP-Address")) == (
        "2025-03-01T01:02:03.456789Z",
        "203.0.113.7",
    )


def test_transfer_encoding_dropped_and_content_length_fixed(writer):
    ex = exchange(
        writer, response_headers=[("Transfer-Encoding", "chunked"), ("Content-Length", "999")]
    )
    rec = read_record(
        writer.directory, ex.response.filename, ex.response.offset, ex.response.length
    )
    headers = dict(rec.http_headers)
    assert headers == {
        "X-Archive-Orig-Transfer-Encoding": "chunked",
        "X-Archive-Orig-Content-Length": "999",
        "Content-Length": str(len(HTML)),
    }


def test_missing_reason_gets_standard_phrase(writer):
    ex = exchange(writer, status=404, reason=None)
    rec = read_record(
        writer.directory, ex.response.filename, ex.response.offset, ex.response.length
    )
    assert (rec.http_status, rec.http_reason) == (404, "Not Found")


def test_gzip_payload_stored_as_sent_and_decoded_on_read(writer):
    sent = gzip.compress(HTML)
    ex = exchange(writer, payload=sent, response_headers=[("Content-Encoding", "gzip")])
    rec = read_record(
        writer.directory, ex.response.filename, ex.response.offset, ex.response.length
    )
    assert (rec.payload, rec.decoded) == (sent, HTML)


def test_payload_digest_is_sha1_base32_of_payload(writer):
    import base64
    import hashlib

    ex = exchange(writer)
    expected = "sha1:" + base64.b32encode(hashlib.sha1(HTML).digest()).decode()
    assert ex.response.payload_digest == expected


def test_rotation_names_and_size(tmp_path):
    w = WarcWriter(tmp_path, prefix="haian", max_bytes=3000)
    with w:
        for i in range(12):
            exchange(w, url=f"{URL}?p={i}", payload=bytes(range(256)) * 4)
    pattern = re.compile(r"^haian-\d{20}-(\d{5})-[\w.-]+-\d+\.warc\.gz$")
    serials = [int(pattern.match(name).group(1)) for name in w.files]
    assert len(w.files) > 2 and serials == list(range(len(w.files)))
    assert all((tmp_path / n).stat().st_size <= 3000 + 2000 for n in w.files)


def test_every_rotated_file_starts_with_warcinfo(tmp_path):
    with WarcWriter(tmp_path, max_bytes=2000) as w:
        for i in range(6):
            exchange(w, url=f"{URL}?p={i}", payload=bytes(range(256)) * 4)
    firsts = [next(iter_records(tmp_path / n)).rec_type for n in w.files]
    assert firsts == ["warcinfo"] * len(w.files)


def test_two_writers_never_share_a_file(tmp_path):
    a, b = WarcWriter(tmp_path), WarcWriter(tmp_path)
    a.open()
    b.open()
    assert a.current_file != b.current_file
    a.close()
    b.close()


def test_revisit_identical_payload(writer):
    ex = exchange(writer)
    rv = writer.write_revisit(
        URL,
        profile="identical-payload-digest",
        refers_to=ex.response,
        status=200,
        reason="OK",
        response_headers=[("ETag", '"1"')],
        ip=None,
        date=WHEN,
    )
    rec = read_record(
        writer.directory, rv.response.filename, rv.response.offset, rv.response.length
    )
    assert rec.rec_type == "revisit"
    assert rec.header("WARC-Refers-To") == ex.response.record_id
    assert rec.header("WARC-Refers-To-Target-URI") == URL
    assert rec.header("WARC-Refers-To-Date") == ex.response.date
    assert rec.header("WARC-Payload-Digest") == ex.response.payload_digest
    assert rec.header("WARC-Profile").endswith("/1.1/revisit/identical-payload-digest")


def test_revisit_server_not_modified_keeps_304_headers(writer):
    ex = exchange(writer)
    rv = writer.write_revisit(
        URL,
        profile="server-not-modified",
        refers_to=ex.response,
        status=304,
        reason=None,
        response_headers=[("ETag", '"1"')],
        ip=None,
        date=WHEN,
        request_headers=[("If-None-Match", '"1"')],
    )
    rec = read_record(
        writer.directory, rv.response.filename, rv.response.offset, rv.response.length
    )
    assert (rec.http_status, rec.http_header("ETag"), rec.payload) == (304, '"1"', b"")
    assert rec.header("WARC-Profile").endswith("/revisit/server-not-modified")


def test_metadata_record_holds_json_and_points_at_response(writer):
    ex = exchange(writer)
    article = {"title": "Đảng bộ quận Hải An", "tags": ["Hải An"]}
    ref = writer.write_metadata(
        URL, concurrent_to=ex.response.record_id, payload=article, date=WHEN
    )
    rec = read_record(writer.directory, ref.filename, ref.offset, ref.length)
    assert rec.header("Content-Type") == "application/json"
    assert rec.header("WARC-Concurrent-To") == ex.response.record_id
    assert rec.header("WARC-Refers-To") == ex.response.record_id
    assert json.loads(rec.payload) == article


def test_metadata_record_has_a_target_of_its_own(writer):
    ex = exchange(writer)
    ref = writer.write_metadata(URL, concurrent_to=ex.response.record_id, payload={}, date=WHEN)
    rec = read_record(writer.directory, ref.filename, ref.offset, ref.length)
    # Never the page URL: replay indexes would serve the JSON as the page.
    assert rec.target_uri == "urn:newsarchive:article:" + URL
    assert metadata_subject(rec.target_uri) == (URL, False)
    assert metadata_subject(URL) == (URL, True)  # the old form


def test_read_record_at_wrong_offset_raises(writer):
    ex = exchange(writer)
    with pytest.raises(RecordNotFound):
        read_record(
            writer.directory, ex.response.filename, ex.response.offset + 1, ex.response.length
        )


def test_read_record_refuses_paths_outside_warc_dir(writer):
    with pytest.raises(RecordNotFound):
        read_record(writer.directory, "../index.db", 0, 10)


def cut_mid_last_record(path: Path) -> int:
    size = path.stat().st_size
    last_offset = list(iter_records(path))[-1].offset
    with open(path, "r+b") as f:
        f.truncate(last_offset + (size - last_offset) // 2)
    return last_offset


def test_check_file_detects_truncated_last_record(writer):
    exchange(writer)
    exchange(writer)
    writer.close()
    path = only_file(writer)
    cut = cut_mid_last_record(path)
    result = check_file(path)
    assert (result.ok, result.truncated_at, result.records) == (False, cut, 4)


def test_repair_cuts_partial_record_and_keeps_the_rest(writer):
    exchange(writer)
    exchange(writer)
    writer.close()
    path = only_file(writer)
    cut = cut_mid_last_record(path)
    result = repair_truncated(path)
    assert (result.cut_at, path.stat().st_size) == (cut, cut)
    assert "WARC-Type: request" in result.cut_record
    assert check_file(path).ok and check_file(path).records == 4


def test_repair_of_intact_file_does_nothing(writer):
    exchange(writer)
    writer.close()
    path = only_file(writer)
    size = path.stat().st_size
    assert not repair_truncated(path).repaired and path.stat().st_size == size


def test_repair_refuses_file_its_writer_still_has_open(writer):
    exchange(writer)
    path = writer.directory / writer.current_file
    with open(path, "ab") as f:
        f.write(b"\x1f\x8b\x08\x00partial")
    result = repair_truncated(path)
    assert not result.repaired and "running" in result.refused


def test_repair_refuses_damage_followed_by_valid_records(writer):
    ex1 = exchange(writer)
    exchange(writer)
    writer.close()
    path = only_file(writer)
    data = bytearray(path.read_bytes())
    mid = ex1.response.offset + ex1.response.length // 2
    data[mid : mid + 8] = b"\x00" * 8
    path.write_bytes(bytes(data))
    result = repair_truncated(path)
    assert not result.repaired and "not a truncation" in result.refused


def test_check_file_reports_corrupted_payload(writer):
    ex = exchange(writer, payload=b"A" * 2000)
    writer.close()
    path = only_file(writer)
    rec_bytes = path.read_bytes()[ex.response.offset : ex.response.offset + ex.response.length]
    raw = gzip.decompress(rec_bytes).replace(b"A" * 10, b"B" * 10, 1)
    new = gzip.compress(raw)
    data = path.read_bytes()
    data = data[: ex.response.offset] + new + data[ex.response.offset + ex.response.length :]
    path.write_bytes(data)
    result = check_file(path)
    assert any("digest" in p for p in result.problems)


def test_sigkill_mid_record_leaves_a_partial_tail_that_repair_cuts(tmp_path):
    # The writer is killed in the middle of a record (half of it written), so the file
    # really ends in a partial gzip member; repair must cut exactly that and keep the rest.
    script = f"""
import os, signal
from datetime import datetime, timezone
import archive.warc
from archive.warc import WarcWriter
w = WarcWriter({str(tmp_path)!r}, fsync=True).open()
real_write = os.write
def write(fd, data):
    if fd == w._fd and w._records >= 2 * 50:
        real_write(fd, bytes(data[: len(data) // 2]))
        os.kill(os.getpid(), signal.SIGKILL)
    return real_write(fd, data)
archive.warc.os.write = write
for i in range(200):
    w.write_exchange("http://x/%d" % i, request_headers=[], status=200, reason=None,
                     response_headers=[], payload=os.urandom(20000), ip=None,
                     date=datetime.now(timezone.utc))
"""
    run = subprocess.run([sys.executable, "-c", script], check=False)
    assert run.returncode == -9
    (path,) = tmp_path.glob("*.warc.gz")
    before = check_file(path)
    assert before.truncated_at is not None, "the kill left no partial tail: the test is void"
    repaired = repair_truncated(path)
    assert repaired.cut_at == before.truncated_at
    assert_whole_warc(path, records=1 + 2 * 50)


def assert_whole_warc(path: Path, records: int) -> None:
    """The file decompresses to its end and every record's digests verify."""
    gzip.decompress(path.read_bytes())  # raises on a cut-off last member
    count = 0
    with open(path, "rb") as f:
        for rec in ArchiveIterator(f, check_digests="raise"):
            rec.content_stream().read()
            count += 1
    assert count == records


class DiskFull:
    """os.write for one fd: lets `budget` bytes through, writing a partial chunk when a
    write crosses it, then raises ENOSPC, like a filling disk. `budget = None`: space back."""

    def __init__(self, real, fd: int, budget: int | None):
        self.real, self.fd, self.budget = real, fd, budget

    def __call__(self, fd, data):
        if fd != self.fd or self.budget is None:
            return self.real(fd, data)
        if self.budget <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        written = self.real(fd, bytes(data[: self.budget]))
        self.budget -= written
        return written


def test_disk_full_mid_record_cuts_back_and_later_offsets_stay_right(writer, monkeypatch):
    before = [exchange(writer, url=f"{URL}?a={i}", payload=os.urandom(3000)) for i in range(3)]
    full = DiskFull(os.write, writer._fd, budget=1500)
    monkeypatch.setattr(archive.warc.os, "write", full)
    with pytest.raises(WarcWriteError) as failed:
        exchange(writer, url=f"{URL}?lost", payload=os.urandom(3000))
    assert failed.value.consistent and failed.value.cause.errno == errno.ENOSPC
    full.budget = None  # space comes back
    after = [exchange(writer, url=f"{URL}?b={i}", payload=os.urandom(3000)) for i in range(3)]
    writer.close()
    for ex in before + after:
        rec = read_record(
            writer.directory, ex.response.filename, ex.response.offset, ex.response.length
        )
        assert rec.record_id == ex.response.record_id
    assert_whole_warc(only_file(writer), records=1 + 2 * 6)


def test_disk_full_when_the_cut_fails_refuses_further_writes(writer, monkeypatch):
    exchange(writer)
    monkeypatch.setattr(archive.warc.os, "write", DiskFull(os.write, writer._fd, budget=700))

    def no_truncate(fd, size):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(archive.warc.os, "ftruncate", no_truncate)
    with pytest.raises(WarcWriteError) as failed:
        exchange(writer, url=f"{URL}?lost")
    assert not failed.value.consistent
    monkeypatch.undo()
    with pytest.raises(WarcWriteError):
        exchange(writer, url=f"{URL}?after")  # the tail is unknown: nothing more goes there


def test_writer_payload_digest_matches_written_record(writer):
    assert writer.payload_digest(HTML) == exchange(writer).response.payload_digest


def test_discard_takes_back_only_the_last_records(writer):
    first = exchange(writer, url=f"{URL}?1")
    last = exchange(writer, url=f"{URL}?2")
    assert not writer.discard([first.response, first.request])  # no longer last: kept
    assert writer.discard([last.response, last.request])
    again = exchange(writer, url=f"{URL}?3")
    writer.close()
    assert again.response.offset == last.response.offset
    assert [r.target_uri for r in iter_records(only_file(writer)) if r.rec_type == "response"] == [
        f"{URL}?1",
        f"{URL}?3",
    ]
