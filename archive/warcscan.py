"""Find the gzip members of a .warc.gz file without trusting any WARC header.

Each record is its own gzip member, so member boundaries are record boundaries, and a file
cut short by a crash ends in one incomplete member.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path

_CHUNK = 1 << 20
_OUT_CAP = 1 << 20  # bound memory when a small input inflates hugely; output is discarded
_GZIP_MAGIC = b"\x1f\x8b\x08"


@dataclass
class MemberScan:
    """Result of scanning a file: complete members, and where the good part ends."""

    size: int
    members: list[tuple[int, int]] = field(default_factory=list)  # (offset, length)
    end: int = 0  # end of the last complete member
    error: str | None = None  # set when the bytes after `end` are not a gzip prefix

    @property
    def complete(self) -> bool:
        return self.end == self.size and self.error is None


def scan_members(path: str | os.PathLike[str], start: int = 0) -> MemberScan:
    """Walk the gzip members of `path` from `start`."""
    path = Path(path)
    size = path.stat().st_size
    scan = MemberScan(size=size, end=start)
    member_start = start
    pos = start  # absolute offset of `feed[0]`
    d = zlib.decompressobj(zlib.MAX_WBITS | 16)
    with open(path, "rb") as f:
        f.seek(start)
        while True:
            feed = f.read(_CHUNK)
            if not feed:
                break
            while feed:
                try:
                    d.decompress(feed, _OUT_CAP)
                except zlib.error as exc:
                    scan.error = f"bad gzip data in member at offset {member_start}: {exc}"
                    return scan
                if d.eof:
                    rest = d.unused_data
                    end = pos + len(feed) - len(rest)
                    scan.members.append((member_start, end - member_start))
                    scan.end = member_start = pos = end
                    d = zlib.decompressobj(zlib.MAX_WBITS | 16)
                    feed = rest
                elif d.unconsumed_tail:
                    tail = d.unconsumed_tail
                    pos += len(feed) - len(tail)
                    feed = tail
                else:
                    pos += len(feed)
                    feed = b""
    return scan


def next_member_after(path: str | os.PathLike[str], offset: int) -> int | None:
    """Offset of the first complete gzip member that starts after `offset`, if any.

    Used to tell a truncated tail (nothing valid follows) from damage in the middle.
    """
    with open(path, "rb") as f:
        f.seek(offset + 1)
        data = f.read()
    base = offset + 1
    i = data.find(_GZIP_MAGIC)
    while i != -1:
        d = zlib.decompressobj(zlib.MAX_WBITS | 16)
        try:
            d.decompress(data[i:], _OUT_CAP)
            while not d.eof and d.unconsumed_tail:
                d.decompress(d.unconsumed_tail, _OUT_CAP)
            if d.eof:
                return base + i
        except zlib.error:
            pass
        i = data.find(_GZIP_MAGIC, i + 1)
    return None


def partial_member_text(path: str | os.PathLike[str], offset: int, limit: int = 4096) -> bytes:
    """As much of the (incomplete) member at `offset` as inflates: to report what was cut."""
    d = zlib.decompressobj(zlib.MAX_WBITS | 16)
    out = b""
    with open(path, "rb") as f:
        f.seek(offset)
        try:
            while len(out) < limit:
                chunk = f.read(_CHUNK)
                if not chunk:
                    break
                out += d.decompress(chunk, limit - len(out))
                if d.eof:
                    break
        except zlib.error:
            pass
    return out[:limit]


@dataclass
class FileScan:
    """Members of a whole file, skipping over damaged stretches to the next valid member."""

    members: list[tuple[int, int]] = field(default_factory=list)
    damaged: list[tuple[int, str]] = field(default_factory=list)  # (offset, what is wrong)
    truncated_at: int | None = None  # an incomplete member runs to the end of the file


def scan_file(path: str | os.PathLike[str]) -> FileScan:
    result = FileScan()
    start = 0
    while True:
        scan = scan_members(path, start)
        result.members.extend(scan.members)
        if scan.end >= scan.size:
            return result
        resume = next_member_after(path, scan.end) if scan.error else None
        if resume is None:
            result.truncated_at = scan.end
            return result
        result.damaged.append((scan.end, scan.error or "damaged"))
        start = resume
