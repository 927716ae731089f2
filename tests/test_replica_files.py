"""Images and attachments are real, valid files, and the truth's sha256 matches what is served."""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zipfile
import zlib

import pytest
from conftest import fetch

from newsarchive.replica import files


def test_jpeg_markers_and_segments():
    data = files.make_file("jpg", "k", "Ảnh")
    assert data[:2] == b"\xff\xd8" and data[-2:] == b"\xff\xd9"
    pos, markers = 2, []
    while data[pos + 1] != 0xDA:  # walk segments up to start-of-scan
        marker, length = struct.unpack(">HH", data[pos : pos + 4])
        markers.append(marker)
        pos += 2 + length
    assert {0xFFE0, 0xFFDB, 0xFFC0, 0xFFC4} <= set(markers)


def test_png_signature_and_crcs():
    data = files.make_file("png", "k", "x")
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, kinds = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, payload = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + payload)
        kinds.append(kind)
        pos += 12 + length
    assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND"


def test_pdf_header_xref_trailer():
    data = files.make_file("pdf", "k", "Kế hoạch", ["Dòng 1"])
    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
    offset = int(re.search(rb"startxref\s+(\d+)", data).group(1))
    assert data[offset : offset + 4] == b"xref"
    first = int(re.search(rb"xref\s+0 \d+\s+\d{10} 65535 f \s+(\d{10})", data).group(1))
    assert data[first : first + 7] == b"1 0 obj"


@pytest.mark.parametrize(
    ("ext", "part"), [("docx", "word/document.xml"), ("xlsx", "xl/workbook.xml")]
)
def test_ooxml_packages_open(ext, part):
    with zipfile.ZipFile(io.BytesIO(files.make_file(ext, "k", "Báo cáo", ["a"]))) as zf:
        assert zf.testzip() is None
        assert {"[Content_Types].xml", part} <= set(zf.namelist())
        assert "Báo cáo" in zf.read(part if ext == "docx" else "xl/worksheets/sheet1.xml").decode()


def test_doc_is_ole2_with_worddocument_stream():
    data = files.make_file("doc", "k", "Quyết định", ["x"])
    assert data[:8] == bytes.fromhex("D0CF11E0A1B11AE1") and len(data) % 512 == 0
    (sector_shift,) = struct.unpack("<H", data[30:32])
    n_fat, first_dir = struct.unpack("<I", data[44:48])[0], struct.unpack("<I", data[48:52])[0]
    size = 1 << sector_shift
    fat_sectors = struct.unpack("<109I", data[76:512])[:n_fat]
    fat = []
    for s in fat_sectors:
        fat += struct.unpack(f"<{size // 4}I", data[512 + s * size : 512 + (s + 1) * size])

    def chain(start: int) -> bytes:
        out, s = b"", start
        while s < 0xFFFFFFFA:
            out += data[512 + s * size : 512 + (s + 1) * size]
            s = fat[s]
        return out

    directory = chain(first_dir)
    entries = {}
    for i in range(0, len(directory), 128):
        e = directory[i : i + 128]
        (name_len,) = struct.unpack("<H", e[64:66])
        if name_len:
            name = e[: name_len - 2].decode("utf-16-le")
            entries[name] = struct.unpack("<IQ", e[116:128])
    assert "WordDocument" in entries and "Root Entry" in entries
    start, length = entries["WordDocument"]
    stream = chain(start)[:length]
    assert struct.unpack("<H", stream[:2])[0] == 0xA5EC  # FIB magic of a Word binary file


def test_truth_file_hashes_match_served_bytes(replica):
    corpus, checked = replica.corpus, set()
    for article in corpus.articles:
        for f in corpus.truth(article)["files"]:
            kind = f["url"].rsplit(".", 1)[-1].split("?")[0]
            if kind in checked and len(checked) < 6:
                continue
            status, headers, body = fetch(replica, f["url"])
            assert status == 200, f["url"]
            assert hashlib.sha256(body).hexdigest() == f["sha256"] and len(body) == f["size"]
            assert headers["content-type"].startswith(f["mime"])
            checked.add(kind)
        if len(checked) == 6 and article.site == "vinhbao":
            break
    assert checked == {"jpg", "png", "pdf", "doc", "docx", "xlsx"}
