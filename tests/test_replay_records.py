"""What replay tools see in our files: a standard index of the WARCs finds the page (not the
article JSON), verify notes the old metadata form, and the WACZ's zip headers agree."""

from __future__ import annotations

import gzip
import io
import json
import struct
import zlib
from datetime import datetime, timezone
from pathlib import Path

import pytest
import surt
from cdxj_indexer.main import CDXJIndexer
from click.testing import CliRunner

import archive.warc
from archive.index import Index
from archive.layout import DataDir
from archive.verify import verify
from archive.wacz import pack
from archive.warc import WarcWriter
from newsarchive.cli.verify import verify as verify_cmd

URL = "https://haian.haiphong.gov.vn/tin-tuc/bai-viet-1.html"
WHEN = datetime(2025, 3, 1, tzinfo=timezone.utc)
ARTICLE = {"title": "Đảng bộ quận Hải An", "body": "Nội dung."}


def write_article(data: DataDir) -> None:
    """One article as the crawler stores it: response + request, then the metadata record."""
    with Index(data.index_path) as idx, WarcWriter(data.warc_dir, fsync=False) as w:
        ex = w.write_exchange(
            URL,
            request_headers=[],
            status=200,
            reason="OK",
            response_headers=[("Content-Type", "text/html; charset=utf-8")],
            payload="<html><title>Đảng bộ</title></html>".encode(),
            ip=None,
            date=WHEN,  # the same second as the metadata record: the case that broke pywb
        )
        cid = idx.add_capture(None, URL, fetched_at=WHEN, http_status=200, ref=ex.response)
        meta = w.write_metadata(
            URL, concurrent_to=ex.response.record_id, payload=ARTICLE, date=WHEN
        )
        idx.set_capture_metadata(cid, meta)


@pytest.fixture
def data(tmp_path) -> DataDir:
    d = DataDir(tmp_path / "new")
    write_article(d)
    return d


@pytest.fixture
def old_data(tmp_path, monkeypatch) -> DataDir:
    """The form written before metadata records had a target of their own."""
    d = DataDir(tmp_path / "old")
    with monkeypatch.context() as m:
        m.setattr(archive.warc, "metadata_target", lambda url: url)
        write_article(d)
    return d


def default_index(data: DataDir) -> list[tuple[str, dict]]:
    """The index cdxj-indexer (pywb's indexer) writes with its default record types."""
    out = io.StringIO()
    CDXJIndexer(out, [str(p) for p in sorted(data.warc_dir.glob("*.warc.gz"))]).process_all()
    lines = [line.split(" ", 2) for line in out.getvalue().splitlines()]
    return [(key, json.loads(blob)) for key, _, blob in lines]


def test_default_index_finds_only_the_page_under_its_url(data):
    entries = [fields for key, fields in default_index(data) if key == surt.surt(URL)]
    assert [(e["mime"], e.get("status")) for e in entries] == [("text/html", "200")]


def test_old_form_put_the_json_under_the_page_url(old_data):
    # The failure the new target fixes, shown on the same indexer.
    entries = [fields for key, fields in default_index(old_data) if key == surt.surt(URL)]
    assert "application/json" in {e["mime"] for e in entries}


def test_metadata_stays_indexed_under_its_urn(data):
    urls = [fields["url"] for _, fields in default_index(data)]
    assert "urn:newsarchive:article:" + URL in urls


def test_verify_follows_the_new_form(data):
    report = verify(data.root)
    assert (report.ok, report.pointers, report.notes) == (True, 2, [])


def test_verify_accepts_and_notes_the_old_form(old_data):
    report = verify(old_data.root)
    assert report.ok and report.old_form_metadata == 1
    result = CliRunner().invoke(verify_cmd, ["--data", str(old_data.root)])
    assert result.exit_code == 0, result.output
    assert "1 metadata records (article JSON) use the old form" in result.output


def test_verify_flags_a_metadata_pointer_at_the_response(data):
    with Index(data.index_path) as idx:
        row = idx.conn.execute(
            "SELECT warc_file, warc_offset, warc_length FROM captures"
        ).fetchone()
        idx.conn.execute(
            "UPDATE captures SET metadata_offset = ?, metadata_length = ?", (row[1], row[2])
        )
        idx.conn.commit()
    report = verify(data.root)
    assert report.count("missing") == 1, report.problems


@pytest.mark.parametrize("which", ["data", "old_data"])
def test_wacz_index_holds_no_side_records(which, request, tmp_path):
    d: DataDir = request.getfixturevalue(which)
    out = tmp_path / "x.wacz"
    pack(d, out)
    members = read_zip(out)
    lines = gzip.decompress(members["indexes/index.cdx.gz"].data).decode().splitlines()
    mimes = {json.loads(line.split(" ", 2)[2])["mime"] for line in lines}
    assert mimes == {"text/html"}


# -- the zip structure, read byte by byte (not through zipfile) -----------------------------


class Member:
    def __init__(self, name: str, central_extra: bytes, local_extra: bytes, data: bytes):
        self.name, self.central_extra, self.local_extra, self.data = (
            name,
            central_extra,
            local_extra,
            data,
        )


def extra_ids(extra: bytes) -> list[int]:
    ids, i = [], 0
    while i + 4 <= len(extra):
        hid, size = struct.unpack_from("<HH", extra, i)
        ids.append(hid)
        i += 4 + size
    return ids


def read_zip(path: Path) -> dict[str, Member]:
    """Walk the central directory; for each entry read its local header where it says."""
    blob = path.read_bytes()
    eocd = blob.rindex(b"PK\x05\x06")
    (_, _, _, _, count, cd_size, cd_offset, _) = struct.unpack_from("<IHHHHIIH", blob, eocd)
    assert b"PK\x06\x06" not in blob[cd_offset + cd_size : eocd], "ZIP64 end record"
    members: dict[str, Member] = {}
    pos = cd_offset
    for _ in range(count):
        fields = struct.unpack_from("<IHHHHHHIIIHHHHHII", blob, pos)
        assert fields[0] == 0x02014B50
        method, crc, csize, usize = fields[4], fields[7], fields[8], fields[9]
        nlen, elen, clen, local_off = fields[10], fields[11], fields[12], fields[16]
        name = blob[pos + 46 : pos + 46 + nlen].decode("utf-8")
        central_extra = blob[pos + 46 + nlen : pos + 46 + nlen + elen]
        pos += 46 + nlen + elen + clen
        lf = struct.unpack_from("<IHHHHHIIIHH", blob, local_off)
        assert lf[0] == 0x04034B50, name
        lnlen, lelen = lf[9], lf[10]
        assert blob[local_off + 30 : local_off + 30 + lnlen].decode("utf-8") == name
        local_extra = blob[local_off + 30 + lnlen : local_off + 30 + lnlen + lelen]
        # Where a reader trusting the central directory's lengths finds the data:
        start = local_off + 30 + nlen + elen
        raw = blob[start : start + csize]
        data = raw if method == 0 else zlib.decompress(raw, -zlib.MAX_WBITS)
        assert (len(data), zlib.crc32(data)) == (usize, crc), name
        members[name] = Member(name, central_extra, local_extra, data)
    return members


@pytest.fixture
def wacz_members(data, tmp_path) -> dict[str, Member]:
    out = tmp_path / "x.wacz"
    pack(data, out)
    return read_zip(out)


def test_wacz_local_headers_match_the_central_directory(wacz_members):
    assert {"indexes/index.cdx.gz", "pages/pages.jsonl", "datapackage.json"} <= set(wacz_members)
    for m in wacz_members.values():
        assert m.local_extra == m.central_extra, m.name


def test_wacz_small_members_carry_no_zip64_field(wacz_members):
    assert all(0x0001 not in extra_ids(m.local_extra) for m in wacz_members.values())


def test_wacz_members_read_back_through_the_central_directory(wacz_members):
    pages = wacz_members["pages/pages.jsonl"].data.decode().splitlines()
    assert json.loads(pages[0])["format"] == "json-pages-1.0"
    assert gzip.decompress(wacz_members["indexes/index.cdx.gz"].data).startswith(
        b"vn,gov,haiphong,haian)/"
    )
