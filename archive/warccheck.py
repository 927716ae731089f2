"""Check a whole WARC file, and repair one cut short by a crash."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from pathlib import Path

from archive.records import RecordNotFound
from archive.warcread import parse_member
from archive.warcscan import next_member_after, partial_member_text, scan_file, scan_members

# Files that a WarcWriter of this process has open (absolute paths).
OPEN_FILES: set[str] = set()


@dataclass
class CheckResult:
    path: Path
    records: int = 0
    problems: list[str] = field(default_factory=list)
    truncated_at: int | None = None  # offset of an incomplete trailing record

    @property
    def ok(self) -> bool:
        return not self.problems and self.truncated_at is None


@dataclass
class RepairResult:
    path: Path
    original_size: int
    cut_at: int | None = None  # None: nothing to cut
    bytes_removed: int = 0
    cut_record: str = ""  # what the cut record looked like (first WARC header lines)
    refused: str | None = None  # why a damaged file was left alone

    @property
    def repaired(self) -> bool:
        return self.cut_at is not None

    @property
    def truncated_bytes(self) -> int:
        return self.bytes_removed


def check_file(path: str | os.PathLike[str]) -> CheckResult:
    """Every record readable, every digest right, and no truncated tail."""
    path = Path(path)
    result = CheckResult(path=path)
    scan = scan_file(path)
    for offset, msg in scan.damaged:
        result.problems.append(f"{path.name} offset {offset}: {msg}")
    with open(path, "rb") as f:
        for offset, length in scan.members:
            f.seek(offset)
            try:
                rec = parse_member(f.read(length), path.name, offset)
            except RecordNotFound as exc:
                result.problems.append(str(exc))
                continue
            result.records += 1
            if result.records == 1 and rec.rec_type != "warcinfo":
                result.problems.append(f"{path.name}: first record is {rec.rec_type}, not warcinfo")
            if rec.digest_ok is False:
                detail = "; ".join(rec.digest_problems)
                result.problems.append(f"{path.name} offset {offset}: {detail}")
    result.truncated_at = scan.truncated_at
    return result


def repair_truncated(path: str | os.PathLike[str], *, force: bool = False) -> RepairResult:
    """Cut an incomplete trailing record off `path` (in place), keeping every complete one.

    Leaves the file alone, saying why in `refused`, when the damage is followed by valid
    records (that is not a crash tail), and, unless `force`, when the file's writer (pid in
    its name, on this host) still runs. Safe to call on every file of a directory.
    """
    path = Path(path)
    scan = scan_members(path)
    result = RepairResult(path=path, original_size=scan.size)
    if scan.end == scan.size:
        return result
    if scan.error and next_member_after(path, scan.end) is not None:
        result.refused = f"{scan.error}, and valid records follow: not a truncation"
        return result
    if not force and writer_may_be_alive(path):
        result.refused = "its writer process may still be running (use force)"
        return result
    head = partial_member_text(path, scan.end).split(b"\r\n\r\n", 1)[0]
    result.cut_record = head.decode("utf-8", "replace")
    with open(path, "r+b") as f:
        f.truncate(scan.end)
        f.flush()
        os.fsync(f.fileno())
    result.cut_at = scan.end
    result.bytes_removed = scan.size - scan.end
    return result


def writer_may_be_alive(path: Path) -> bool:
    """True when the name says this host wrote it and that pid is running now."""
    name = path.name.removesuffix(".warc.gz")
    host_part, _, pid_text = name.rpartition("-")
    if not pid_text.isdigit() or not host_part.endswith("-" + safe_hostname()):
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        # Our own writers never reopen a file: only one still open here may grow.
        return str(path.resolve()) in OPEN_FILES
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def safe_hostname() -> str:
    """The host name as used in WARC file names (no path separators or spaces)."""
    host = socket.gethostname() or "localhost"
    return "".join(c if c.isalnum() or c in "-." else "_" for c in host)
