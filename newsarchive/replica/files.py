"""Small, real, valid binary files: JPEG and PNG images, PDF, DOCX, XLSX and legacy DOC.

Each file is a pure function of (key, text): the same URL always serves the same bytes, so
the truth's sha256 can be computed without a server. Written by hand (no imaging or office
libraries) so the replica has no dependency beyond the standard library.
"""

from __future__ import annotations

import hashlib
import io
import random
import struct
import zipfile
import zlib
from xml.sax.saxutils import escape

from newsarchive.replica.cfb import write_cfb
from newsarchive.replica.textgen import ascii_fold

MIME = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def make_file(ext: str, key: str, title: str, lines: list[str] | tuple[str, ...] = ()) -> bytes:
    """Bytes of a file of type `ext`; `key` (e.g. the URL) varies the content."""
    rng = random.Random(hashlib.sha256(key.encode()).digest())
    builders = {
        "jpg": lambda: jpeg(rng, comment=ascii_fold(title)),
        "png": lambda: png(rng),
        "pdf": lambda: pdf(title, list(lines)),
        "doc": lambda: doc(title, list(lines)),
        "docx": lambda: docx(title, list(lines)),
        "xlsx": lambda: xlsx(title, list(lines)),
    }
    return builders[ext]()


# --- JPEG: baseline, one grey component, DC-only 8x8 blocks (a blocky gradient) ---

# Standard luminance DC table (ITU T.81 K.3): code counts per length 1..16, then symbols.
_DC_BITS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)
_DC_VALS = tuple(range(12))
# A one-symbol AC table: the only AC symbol ever written is EOB (0x00), code "0".
_AC_BITS = (1,) + (0,) * 15
_AC_VALS = (0,)


def _canonical_codes(bits: tuple[int, ...], vals: tuple[int, ...]) -> dict[int, tuple[int, int]]:
    codes: dict[int, tuple[int, int]] = {}
    code, k = 0, 0
    for length, count in enumerate(bits, start=1):
        for _ in range(count):
            codes[vals[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return codes


_DC_CODES = _canonical_codes(_DC_BITS, _DC_VALS)


class _BitWriter:
    def __init__(self) -> None:
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def write(self, value: int, length: int) -> None:
        for i in range(length - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> i) & 1)
            self.n += 1
            if self.n == 8:
                self._emit()

    def _emit(self) -> None:
        self.out.append(self.acc)
        if self.acc == 0xFF:
            self.out.append(0x00)  # byte stuffing inside entropy-coded data
        self.acc, self.n = 0, 0

    def finish(self) -> bytes:
        if self.n:
            pad = 8 - self.n
            self.acc = (self.acc << pad) | ((1 << pad) - 1)
            self.n = 8
            self._emit()
        return bytes(self.out)


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">HH", marker, len(payload) + 2) + payload


def jpeg(rng: random.Random, comment: str = "", width: int = 64, height: int = 48) -> bytes:
    bw, bh = width // 8, height // 8
    base, dx, dy = rng.randint(40, 200), rng.randint(-6, 6), rng.randint(-6, 6)
    bits = _BitWriter()
    prev = 0
    for by in range(bh):
        for bx in range(bw):
            level = max(0, min(255, base + dx * bx + dy * by)) - 128
            # With a quantiser of 8, the quantised DC equals the level-shifted block mean.
            diff = level - prev
            prev = level
            size = abs(diff).bit_length()
            code, length = _DC_CODES[size]
            bits.write(code, length)
            if size:
                bits.write(diff if diff >= 0 else diff + (1 << size) - 1, size)
            bits.write(0, 1)  # EOB: all 63 AC coefficients are zero
    dht = bytes([0x00, *_DC_BITS, *_DC_VALS]) + bytes([0x10, *_AC_BITS, *_AC_VALS])
    return b"".join(
        [
            b"\xff\xd8",
            _segment(0xFFE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
            _segment(0xFFFE, comment.encode("ascii", "replace")[:200] or b"replica"),
            _segment(0xFFDB, b"\x00" + bytes([8] * 64)),
            _segment(0xFFC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"),
            _segment(0xFFC4, dht),
            _segment(0xFFDA, b"\x01\x01\x00\x00\x3f\x00"),
            bits.finish(),
            b"\xff\xd9",
        ]
    )


# --- PNG: 8-bit RGB gradient ---


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(rng: random.Random, width: int = 48, height: int = 32) -> bytes:
    r0, g0, b0 = (rng.randint(0, 255) for _ in range(3))
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter type None
        for x in range(width):
            rows += bytes(((r0 + 3 * x) % 256, (g0 + 5 * y) % 256, (b0 + x + y) % 256))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + _chunk(b"IEND", b"")
    )


# --- PDF 1.4: one page, Helvetica, ASCII text (the base fonts have no Vietnamese glyphs) ---


def _pdf_string(text: str) -> str:
    text = ascii_fold(text).encode("ascii", "replace").decode()
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def pdf(title: str, lines: list[str]) -> bytes:
    ops = ["BT", "/F1 14 Tf", "50 790 Td", f"{_pdf_string(title)} Tj", "/F1 10 Tf"]
    for line in lines[:40]:
        ops += ["0 -16 Td", f"{_pdf_string(line[:110])} Tj"]
    ops.append("ET")
    content = "\n".join(ops).encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# --- OOXML: DOCX and XLSX as minimal zip packages with fixed timestamps ---


def _zip(parts: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode("utf-8"))
    return buf.getvalue()


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PKG_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_OFFICE_DOC = _PKG_RELS + "/officeDocument"


def docx(title: str, lines: list[str]) -> bytes:
    paras = "".join(f"<w:p><w:r><w:t>{escape(t)}</w:t></w:r></w:p>" for t in [title, *lines])
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    return _zip(
        {
            "[Content_Types].xml": _XML
            + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{main}"/></Types>',
            "_rels/.rels": _XML
            + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_OFFICE_DOC}" Target="word/document.xml"/></Relationships>',
            "word/document.xml": _XML
            + '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{paras}</w:body></w:document>",
        }
    )


def xlsx(title: str, lines: list[str]) -> bytes:
    rows = "".join(
        f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>{escape(t)}</t></is></c>'
        f'<c r="B{i}"><v>{i * 7}</v></c></row>'
        for i, t in enumerate([title, *lines], start=1)
    )
    sheet_ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    ct_wb = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    ct_ws = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    return _zip(
        {
            "[Content_Types].xml": _XML
            + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{ct_wb}"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct_ws}"/></Types>',
            "_rels/.rels": _XML
            + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_OFFICE_DOC}" Target="xl/workbook.xml"/></Relationships>',
            "xl/workbook.xml": _XML + f'<workbook xmlns="{sheet_ns}" xmlns:r="{_PKG_RELS}">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
            "xl/_rels/workbook.xml.rels": _XML
            + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_PKG_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>",
            "xl/worksheets/sheet1.xml": _XML
            + f'<worksheet xmlns="{sheet_ns}"><sheetData>{rows}</sheetData></worksheet>',
        }
    )


# --- legacy Word 97 .doc: a CFB file whose WordDocument stream starts with a FIB ---


def doc(title: str, lines: list[str]) -> bytes:
    text = "\r".join([title, *lines]).encode("utf-16-le")
    # FibBase: wIdent 0xA5EC (Word binary), nFib 0x00C1 (Word 97), lid 0x042A (Vietnamese).
    fib = struct.pack("<HHHHH", 0xA5EC, 0x00C1, 0, 0x042A, 0).ljust(0x200, b"\x00")
    return write_cfb({"WordDocument": fib + text, "1Table": b"\x00" * 64})
