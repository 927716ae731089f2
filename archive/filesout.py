"""Copy article images and attachments out of the WARCs into a folder, under safe names.

File names come from portals (link text, URL paths): they are data, never paths. Each one
is reduced to a single harmless path component, and every write is checked to land inside
the target folder, without following symlinks, so nothing is ever written outside it.
"""

from __future__ import annotations

import csv
import hashlib
import mimetypes
import os
import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from archive.records import ArchiveError
from archive.warcread import read_record

MANIFEST = "files.csv"
MANIFEST_COLUMNS = (
    "article_id", "kind", "url", "path", "bytes", "sha256", "sha256_matches_index", "mime_type",
)  # fmt: skip
MAX_NAME_BYTES = 120  # well under every filesystem's 255, leaving room for the prefix
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)
_UNSAFE = re.compile(r'[<>:"/\\|?*]')


def safe_name(name: str | None, fallback: str) -> str:
    """One path component safe on Linux, macOS and Windows, keeping Vietnamese letters.

    `../../x.pdf` -> `x.pdf`, `CON.pdf` -> `_CON.pdf`, control characters dropped, long
    names shortened (extension kept); nothing usable left -> `fallback`.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = re.split(r"[/\\]", text)[-1] if text.strip("/\\") else ""
    text = "".join(c for c in text if not unicodedata.category(c).startswith("C"))
    text = _UNSAFE.sub("_", text).strip(" .")
    if not text:
        text = fallback
    if _WINDOWS_RESERVED.match(text):
        text = "_" + text
    return _shorten(text, MAX_NAME_BYTES)


def _shorten(name: str, limit: int) -> str:
    if len(name.encode("utf-8")) <= limit:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot or len(ext) > 10:
        stem, ext = name, ""
    ext = f".{ext}" if ext else ""
    room = limit - len(ext.encode("utf-8"))
    short = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(" .")
    return (short or "file") + ext


def file_name(url: str, name: str | None, mime_type: str | None) -> str:
    """A readable name: the link text (or the URL's last segment) with an extension."""
    url_name = unquote(PurePosixPath(urlsplit(url).path).name)
    base = name or url_name
    if not PurePosixPath(base).suffix:
        ext = PurePosixPath(url_name).suffix or (
            mimetypes.guess_extension((mime_type or "").split(";")[0].strip()) or ""
        )
        base += ext
    return base


@dataclass
class CopyCounts:
    copied: int = 0
    missing: int = 0  # not fetched: no WARC location in the index
    failed: int = 0  # WARC record unreadable
    bytes: int = 0
    mismatched: int = 0  # sha256 differs from the one the index holds


class FileCopier:
    """Copies the files of batches of articles into `out_dir/<site>/<article id>/`.

    A manifest (files.csv) lists every file written with its sha256.
    """

    def __init__(self, conn: sqlite3.Connection, warc_dir: Path, out_dir: Path) -> None:
        self.conn = conn
        self.warc_dir = Path(warc_dir)
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.root = self.out_dir.resolve()
        self.counts = CopyCounts()
        self.errors: list[str] = []
        # Written like the dataset: under a temporary name in the target folder, renamed
        # by finish(); a killed or failed export leaves no complete-looking files.csv.
        # O_EXCL|O_NOFOLLOW: never written through a symlink planted under either name
        # (the rename replaces a symlink named files.csv, it does not follow it).
        self._partial = self.root / f".{MANIFEST}.partial"
        self._partial.unlink(missing_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(self._partial, flags, 0o644)
        self._manifest = os.fdopen(fd, "w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._manifest)
        self._csv.writerow(MANIFEST_COLUMNS)
        self.finished = False

    def finish(self) -> None:
        """Make the manifest final (flushed to disk, then renamed to files.csv)."""
        if self.finished:
            return
        self._manifest.flush()
        os.fsync(self._manifest.fileno())
        self._manifest.close()
        os.replace(self._partial, self.root / MANIFEST)
        self.finished = True

    def close(self) -> None:
        """End without finish(): the partial manifest is removed."""
        if not self._manifest.closed:
            self._manifest.close()
        if not self.finished:
            self._partial.unlink(missing_ok=True)

    @property
    def manifest_path(self) -> Path:
        return self.root / MANIFEST

    def copy_articles(self, articles: list[tuple[int, str]]) -> None:
        """Copy the files of these (article id, site) pairs."""
        if not articles:
            return
        sites = dict(articles)
        marks = ", ".join("?" * len(sites))
        rows = self.conn.execute(
            "SELECT article_id, 'image' AS kind, position AS n, url, NULL AS name, mime_type,"
            " sha256, warc_file, warc_offset, warc_length FROM images"
            f" WHERE article_id IN ({marks})"
            " UNION ALL SELECT article_id, 'attachment', id, url, name, mime_type, sha256,"
            f" warc_file, warc_offset, warc_length FROM attachments WHERE article_id IN ({marks})"
            " ORDER BY 1, 2, 3",
            [*sites, *sites],
        ).fetchall()
        for row in rows:
            self._copy(sites[row[0]], *row)

    def _copy(self, site, article_id, kind, n, url, name, mime, sha, wfile, woffset, wlength):
        if not wfile:
            self.counts.missing += 1
            return
        try:
            data = self._payload(wfile, woffset, wlength)
        except ArchiveError as exc:
            self.counts.failed += 1
            self.errors.append(f"{url}: {exc}")
            return
        prefix = f"image-{n:02d}" if kind == "image" else f"attachment-{n}"
        leaf = safe_name(f"{prefix}-{safe_name(file_name(url, name, mime), 'file')}", prefix)
        rel = Path(safe_name(site, "site")) / str(int(article_id)) / leaf
        digest = hashlib.sha256(data).hexdigest()
        try:
            self._write(rel, data)
        except OSError as exc:
            self.counts.failed += 1
            self.errors.append(f"{url}: {exc}")
            return
        self.counts.copied += 1
        self.counts.bytes += len(data)
        matches = "" if not sha else str(sha == digest).lower()
        if sha and sha != digest:
            self.counts.mismatched += 1
        self._csv.writerow(
            [article_id, kind, url, rel.as_posix(), len(data), digest, matches, mime or ""]
        )

    def _payload(self, wfile: str, offset: int, length: int) -> bytes:
        record = read_record(self.warc_dir, wfile, offset, length)
        if record.rec_type == "revisit":
            # The bytes live in the record the revisit refers to.
            original = self.conn.execute(
                "SELECT warc_file, warc_offset, warc_length FROM captures"
                " WHERE record_id = ? AND record_type = 'response'",
                (record.header("WARC-Refers-To"),),
            ).fetchone()
            if original is None:
                raise ArchiveError("revisit whose original response is not in the index")
            record = read_record(self.warc_dir, *original)
        return record.decoded

    def _write(self, rel: Path, data: bytes) -> None:
        target = self.root / rel
        # Folder by folder, never through a symlink: one planted inside DIR (or a name
        # that became one) must not redirect even a mkdir outside it.
        folder = self.root
        for part in rel.parent.parts:
            folder = folder / part
            if folder.is_symlink():
                raise OSError(f"refusing to write through the symlink {folder}")
            if not folder.is_dir():
                folder.mkdir()
        if not target.parent.resolve().is_relative_to(self.root):
            raise OSError(f"refusing to write outside {self.root}: {rel}")
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(target, flags, 0o644)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
