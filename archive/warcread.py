"""Read WARC records back: one record by (file, offset, length), or a whole file."""

from __future__ import annotations

import io
import os
import zlib
from collections.abc import Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from archive.records import ArchivedRecord, RecordNotFound
from archive.warcscan import scan_members


def read_record(
    warc_dir: str | os.PathLike[str], filename: str, offset: int, length: int
) -> ArchivedRecord:
    """Read the record stored at `offset` (gzip member of `length` bytes) in `filename`.

    Digests are checked while reading: see `ArchivedRecord.digest_ok`.
    Raises RecordNotFound when the slice does not hold a readable record.
    """
    path = _safe_join(Path(warc_dir), filename)
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            data = f.read(length)
    except OSError as exc:
        raise RecordNotFound(f"{filename}: {exc.strerror or exc}") from exc
    if len(data) != length:
        raise RecordNotFound(f"{filename}: only {len(data)} of {length} bytes at offset {offset}")
    return parse_member(data, filename, offset)


def parse_member(data: bytes, filename: str, offset: int) -> ArchivedRecord:
    """Parse one gzip member (one record) held in memory."""
    if not data.startswith(b"\x1f\x8b"):
        # Every record is its own gzip member: anything else is a wrong offset or damage.
        raise RecordNotFound(f"{filename}: no gzip member at offset {offset}")
    try:
        it = ArchiveIterator(io.BytesIO(data), check_digests=True)
        record = next(iter(it), None)
        if record is None:
            raise RecordNotFound(f"{filename}: no WARC record at offset {offset}")
        return _to_archived(record, filename, offset, len(data))
    except (ArchiveLoadFailed, zlib.error, EOFError, ValueError, OSError, LookupError) as exc:
        raise RecordNotFound(f"{filename}: unreadable record at offset {offset}: {exc}") from exc


def iter_records(path: str | os.PathLike[str]) -> Iterator[ArchivedRecord]:
    """Every complete record of a WARC file, in order (a truncated tail is skipped).

    `filename` of each record is the file's base name.
    """
    path = Path(path)
    with open(path, "rb") as f:
        for offset, length in scan_members(path).members:
            f.seek(offset)
            yield parse_member(f.read(length), path.name, offset)


def _to_archived(record, filename: str, offset: int, length: int) -> ArchivedRecord:
    payload = record.raw_stream.read()  # reading to the end runs warcio's digest check
    http = record.http_headers
    status: int | None = None
    reason: str | None = None
    if http is not None and record.rec_type in ("response", "revisit"):
        code, _, reason = http.statusline.partition(" ")
        status = int(code) if code.isdigit() else None
    checker = record.digest_checker
    return ArchivedRecord(
        rec_type=record.rec_type,
        headers=list(record.rec_headers.headers),
        http_status=status,
        http_reason=reason,
        http_headers=list(http.headers) if http is not None else None,
        payload=payload,
        filename=filename,
        offset=offset,
        length=length,
        digest_ok=checker.passed if checker is not None else None,
        digest_problems=list(checker.problems) if checker is not None else [],
    )


def _safe_join(root: Path, filename: str) -> Path:
    # Index rows are data, not trusted paths: never read outside the WARC directory.
    rel = Path(filename)
    if rel.is_absolute() or ".." in rel.parts:
        raise RecordNotFound(f"{filename}: not a file name inside the WARC directory")
    return root / rel
