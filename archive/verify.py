"""Check the index against the WARC files: every pointer lands on the intact record it names.

One pass reads every record of every WARC file (checking digests); the index's pointers are
then checked against what was found, so nothing is decompressed twice. The index is opened
read-only: verifying never changes anything.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from archive.layout import DataDir
from archive.readonly import connect_readonly
from archive.records import ArchiveError, RecordNotFound
from archive.warc import metadata_subject
from archive.warcread import parse_member
from archive.warcscan import scan_file

ProblemKind = Literal["missing", "corrupt", "orphan", "truncated"]


@dataclass(frozen=True)
class Problem:
    kind: ProblemKind
    file: str
    offset: int | None
    detail: str

    def __str__(self) -> str:
        where = self.file if self.offset is None else f"{self.file}@{self.offset}"
        return f"{self.kind}: {where}: {self.detail}"


@dataclass
class VerifyReport:
    files: int = 0
    records: int = 0  # records read from the WARC files
    pointers: int = 0  # index rows pointing into them that were checked
    problems: list[Problem] = field(default_factory=list)
    # Metadata records in the form written before they got a `urn:` target of their own
    # (WARC-Target-URI = the page URL): readable, but replay indexes serve them as the page.
    old_form_metadata: int = 0

    @property
    def notes(self) -> list[str]:
        """Things worth knowing that are not problems (they do not fail `verify`)."""
        if not self.old_form_metadata:
            return []
        return [
            f"note: {self.old_form_metadata} metadata records (article JSON) use the old form"
            " (WARC-Target-URI = the page URL): a pywb/cdxj-indexer index of these WARCs that"
            " includes metadata records replays the JSON instead of the page; `newsarchive wacz`"
            " leaves them out of its index, and new crawls write the urn:newsarchive:article:"
            " form (docs/warc-records.md)"
        ]

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, kind: ProblemKind) -> int:
        return sum(1 for p in self.problems if p.kind == kind)


@dataclass(frozen=True)
class _Seen:
    length: int
    rec_type: str
    record_id: str | None
    target_uri: str | None
    payload_digest: str | None
    digest_ok: bool | None


@dataclass(frozen=True)
class _Pointer:
    source: str  # e.g. "capture 12"
    file: str
    offset: int
    length: int | None
    record_id: str | None = None
    url: str | None = None
    payload_digest: str | None = None
    metadata: bool = False  # points at the article's metadata record, not the response


def verify(data_dir: str | os.PathLike[str]) -> VerifyReport:
    """Verify a data directory; raises ArchiveError when it has no index."""
    data = DataDir(data_dir)
    if not data.index_path.is_file():
        raise ArchiveError(f"no index at {data.index_path}")
    report = VerifyReport()
    bad: set[tuple[str, int]] = set()
    seen = _read_warcs(data.warc_dir, report, bad)
    pointers = _read_pointers(data.index_path)
    referenced: set[tuple[str, int]] = set()
    for p in pointers:
        report.pointers += 1
        referenced.add((p.file, p.offset))
        if (p.file, p.offset) in bad:
            continue  # already reported as corrupt
        rec = seen.get((p.file, p.offset))
        problem = _check_pointer(p, rec)
        if problem:
            report.problems.append(problem)
        elif p.metadata and rec is not None and metadata_subject(rec.target_uri or "")[1]:
            report.old_form_metadata += 1
    for (file, offset), rec in sorted(seen.items()):
        if rec.rec_type in ("response", "revisit") and (file, offset) not in referenced:
            report.problems.append(
                Problem("orphan", file, offset, f"{rec.rec_type} {rec.target_uri} not in the index")
            )
    return report


def _read_warcs(
    warc_dir: Path, report: VerifyReport, bad: set[tuple[str, int]]
) -> dict[tuple[str, int], _Seen]:
    """Read every record; damaged locations go into `bad` (and are reported once)."""
    seen: dict[tuple[str, int], _Seen] = {}
    paths = sorted(warc_dir.glob("*.warc.gz")) if warc_dir.is_dir() else []
    for path in paths:
        report.files += 1
        scan = scan_file(path)
        for offset, msg in scan.damaged:
            report.problems.append(Problem("corrupt", path.name, offset, msg))
            bad.add((path.name, offset))
        with open(path, "rb") as f:
            for offset, length in scan.members:
                f.seek(offset)
                try:
                    rec = parse_member(f.read(length), path.name, offset)
                except RecordNotFound as exc:
                    report.problems.append(Problem("corrupt", path.name, offset, str(exc)))
                    bad.add((path.name, offset))
                    continue
                report.records += 1
                seen[(path.name, offset)] = _Seen(
                    length=length,
                    rec_type=rec.rec_type,
                    record_id=rec.record_id,
                    target_uri=rec.target_uri,
                    payload_digest=rec.header("WARC-Payload-Digest"),
                    digest_ok=rec.digest_ok,
                )
                if rec.digest_ok is False:
                    detail = "; ".join(rec.digest_problems)
                    report.problems.append(Problem("corrupt", path.name, offset, detail))
        if scan.truncated_at is not None:
            cut = path.stat().st_size - scan.truncated_at
            report.problems.append(
                Problem(
                    "truncated",
                    path.name,
                    scan.truncated_at,
                    f"incomplete last record ({cut} bytes); `verify --repair` cuts it off",
                )
            )
    return seen


def _read_pointers(index_path: Path) -> list[_Pointer]:
    conn = connect_readonly(index_path)
    try:
        out: list[_Pointer] = []
        for cid, url, rid, digest, file, off, length, mfile, moff, mlen in conn.execute(
            "SELECT id, url, record_id, payload_digest, warc_file, warc_offset, warc_length,"
            " metadata_file, metadata_offset, metadata_length FROM captures"
        ):
            if file is not None:
                out.append(_Pointer(f"capture {cid}", file, off, length, rid, url, digest))
            if mfile is not None:
                out.append(
                    _Pointer(f"capture {cid} metadata", mfile, moff, mlen, url=url, metadata=True)
                )
        for table in ("attachments", "images"):
            for url, file, off, length in conn.execute(
                f"SELECT url, warc_file, warc_offset, warc_length FROM {table}"
                " WHERE warc_file IS NOT NULL"
            ):
                out.append(_Pointer(f"{table[:-1]} {url}", file, off, length, url=url))
        return out
    except sqlite3.Error as exc:
        raise ArchiveError(f"cannot read index {index_path}: {exc}") from exc
    finally:
        conn.close()


def _check_pointer(p: _Pointer, rec: _Seen | None) -> Problem | None:
    def missing(why: str) -> Problem:
        return Problem("missing", p.file, p.offset, f"{p.source}: {why}")

    if rec is None:
        return missing("no record starts there")
    if rec.digest_ok is False:
        return None  # reported as corrupt when the WARCs were read
    if p.length is not None and rec.length != p.length:
        return missing(f"record there is {rec.length} bytes, index says {p.length}")
    if p.record_id and rec.record_id != p.record_id:
        return missing(f"holds {rec.record_id}, index expects {p.record_id}")
    if p.metadata and rec.rec_type != "metadata":
        return missing(f"holds a {rec.rec_type} record, index expects metadata")
    target = metadata_subject(rec.target_uri or "")[0] if p.metadata else rec.target_uri
    if p.url and target != p.url:
        return missing(f"holds {rec.target_uri}, index expects {p.url}")
    if p.payload_digest and rec.rec_type == "response" and rec.payload_digest != p.payload_digest:
        return Problem(
            "corrupt",
            p.file,
            p.offset,
            f"{p.source}: payload digest {rec.payload_digest}, index has {p.payload_digest}",
        )
    return None
