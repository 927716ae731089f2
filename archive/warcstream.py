"""Stream one archived payload, decoded, with a bound on what it may expand to.

A page stored with `Content-Encoding: gzip` may be a bomb (a few kB that inflate to GBs):
it is inflated chunk by chunk (warcio's content stream) and reading stops at `limit`.
"""

from __future__ import annotations

import io
import os
import zlib
from collections.abc import Callable
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.records import ArchiveError, RecordNotFound

CHUNK = 64 << 10


class PayloadTooLarge(ArchiveError):
    """The decoded payload goes past the limit (what was written is its first `limit` bytes)."""


class _Slice(io.RawIOBase):
    """`length` bytes of a file from `offset`, read lazily (never the whole member)."""

    def __init__(self, f: io.BufferedReader, offset: int, length: int) -> None:
        self.f, self.left = f, length
        f.seek(offset)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.left <= 0:
            return 0
        data = self.f.read(min(len(buffer), self.left))
        self.left -= len(data)
        buffer[: len(data)] = data
        return len(data)


def stream_payload(
    warc_dir: str | os.PathLike[str],
    filename: str,
    offset: int,
    length: int,
    write: Callable[[bytes], object],
    limit: int,
) -> int:
    """Write the decoded payload of the record at (filename, offset, length) through
    `write`; returns the bytes written. Raises PayloadTooLarge past `limit` bytes."""
    rel = Path(filename)
    if rel.is_absolute() or ".." in rel.parts:
        raise RecordNotFound(f"{filename}: not a file name inside the WARC directory")
    written = 0
    try:
        with open(Path(warc_dir) / rel, "rb") as f:
            records = ArchiveIterator(io.BufferedReader(_Slice(f, offset, length), CHUNK))
            record = next(iter(records), None)
            if record is None or record.rec_type != "response":
                raise RecordNotFound(f"{filename}: no response record at offset {offset}")
            stream = record.content_stream()
            while True:
                chunk = stream.read(min(CHUNK, limit - written + 1))
                if not chunk:
                    return written
                if written + len(chunk) > limit:
                    write(chunk[: limit - written])
                    raise PayloadTooLarge(
                        f"the archived page decodes to more than {limit} bytes: output cut"
                        " there (raise --max-bytes to see more)"
                    )
                write(chunk)
                written += len(chunk)
    except OSError as exc:
        raise RecordNotFound(f"{filename}: {exc.strerror or exc}") from exc
    except (ArchiveLoadFailed, zlib.error, EOFError, ValueError, LookupError) as exc:
        raise RecordNotFound(f"{filename}: unreadable record at offset {offset}: {exc}") from exc
