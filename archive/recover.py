"""Index the records a killed crawl wrote but never indexed.

A crawl writes each response to the WARC, then indexes it in one transaction. A SIGKILL
between the two leaves a complete record with no index row: `verify` would call it an
orphan forever, and nothing would ever point at archived bytes. The next run finds such
records after the last indexed one of the dead writer's files and indexes them (the
capture kind is unknown then: `other`).
"""

from __future__ import annotations

from pathlib import Path

from archive.index import Index
from archive.records import RecordNotFound, RecordRef
from archive.warcread import parse_member
from archive.warcscan import scan_members


def index_unindexed_tail(index: Index, warc_dir: Path, filename: str, crawl_id: int | None) -> int:
    """Index the response/revisit records of `filename` after its last indexed one."""
    path = warc_dir / filename
    if not path.is_file():
        return 0
    row = index.conn.execute(
        "SELECT max(warc_offset) FROM captures WHERE warc_file = ?", (filename,)
    ).fetchone()
    start = row[0] if row and row[0] is not None else 0
    added = 0
    with open(path, "rb") as f:
        for offset, length in scan_members(path, start).members:
            f.seek(offset)
            try:
                rec = parse_member(f.read(length), filename, offset)
            except RecordNotFound:
                continue
            if rec.rec_type not in ("response", "revisit") or rec.digest_ok is False:
                continue
            known = index.conn.execute(
                "SELECT 1 FROM captures WHERE warc_file = ? AND warc_offset = ?",
                (filename, offset),
            ).fetchone()
            if known:
                continue
            ref = RecordRef(
                filename=filename,
                offset=offset,
                length=length,
                record_id=rec.record_id or "",
                payload_digest=rec.header("WARC-Payload-Digest"),
                target_uri=rec.target_uri or "",
                date=rec.date or "",
                record_type=rec.rec_type,
            )
            index.add_capture(
                crawl_id,
                rec.target_uri or "",
                fetched_at=rec.date,
                http_status=rec.http_status,
                kind="other",
                ref=ref,
            )
            added += 1
    return added
