"""The oracle of the reliability suite is the archive itself.

`warcio check` exits 0 on a file whose last gzip member was cut off, so it is not enough:
every WARC must decompress to its very end, and every record's digests must verify while
warcio's ArchiveIterator reads it through (check_digests="raise"); then `verify` must find
every index pointer on the record it names, and no record without its index row.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archive.verify import verify

_CHUNK = 1 << 20


@dataclass
class WarcFigures:
    files: int = 0
    records: int = 0
    bytes: int = 0


def decompresses_to_end(path: Path) -> int:
    """Every byte of `path` belongs to a complete gzip member; returns the member count."""
    members, pos, member_start = 0, 0, 0
    d = zlib.decompressobj(zlib.MAX_WBITS | 16)
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            buf = chunk
            while buf:
                try:
                    d.decompress(buf, _CHUNK)  # output bounded and discarded
                except zlib.error as exc:
                    raise AssertionError(f"{path.name}: bad gzip at {member_start}: {exc}") from exc
                if d.eof:
                    rest = d.unused_data
                    pos += len(buf) - len(rest)
                    members, member_start, buf = members + 1, pos, rest
                    d = zlib.decompressobj(zlib.MAX_WBITS | 16)
                elif d.unconsumed_tail:
                    pos += len(buf) - len(d.unconsumed_tail)
                    buf = d.unconsumed_tail
                else:
                    pos += len(buf)
                    buf = b""
    if pos != member_start:
        raise AssertionError(
            f"{path.name}: last gzip member (at {member_start}) cut off after {pos - member_start} bytes"
        )
    if members == 0:
        raise AssertionError(f"{path.name}: empty WARC file")
    return members


def digests_verify(path: Path) -> int:
    """Read every record through with check_digests='raise'; returns the record count."""
    records = 0
    with open(path, "rb") as f:
        for record in ArchiveIterator(f, check_digests="raise"):
            while record.raw_stream.read(_CHUNK):
                pass
            checker = record.digest_checker
            assert checker is None or checker.passed is not False, (path.name, checker.problems)
            records += 1
    return records


def assert_archive_whole(data: Path) -> WarcFigures:
    """Every WARC of data/warc decompresses to its end, and every digest verifies."""
    figures = WarcFigures()
    paths = sorted((data / "warc").glob("*.warc.gz"))
    assert paths, f"no WARC files under {data}"
    for path in paths:
        members = decompresses_to_end(path)
        records = digests_verify(path)
        assert records == members, f"{path.name}: {members} gzip members, {records} records"
        figures.files += 1
        figures.records += records
        figures.bytes += path.stat().st_size
    return figures


def assert_verify_clean(data: Path) -> int:
    """`verify`: every pointer lands on its record, no orphan, nothing truncated."""
    report = verify(data)
    assert report.ok, "\n".join(map(str, report.problems[:20]))
    return report.pointers
