"""Pack the archive's WARCs into a WACZ (Web Archive Collection Zipped, spec 1.1/1.2).

Layout: archive/*.warc.gz (stored, not recompressed), indexes/index.cdx.gz + index.idx
(a compressed CDXJ "ZipNum" index made with cdxj-indexer, as py-wacz writes it),
pages/pages.jsonl (one page per archived article, from the index), datapackage.json (every
file with its sha256) and datapackage-digest.json. ReplayWeb.page loads the result.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from cdxj_indexer.main import CDXJIndexer

from archive.layout import DataDir
from archive.readonly import connect_readonly
from archive.records import ArchiveError
from archive.warcscan import scan_members

WACZ_VERSION = "1.1.1"  # the version py-wacz validates; the layout also meets 1.2.0
CDX_LINES = 1024  # lines per compressed index block, as py-wacz/ArchiveWeb.page use
_CHUNK = 1 << 20


@dataclass
class WaczResult:
    path: Path
    warcs: int = 0
    pages: int = 0
    index_lines: int = 0
    bytes: int = 0
    skipped_tails: list[str] = field(default_factory=list)  # WARCs cut short (crawl running?)


class _Limited(io.RawIOBase):
    """A file seen only up to `limit`: hides an incomplete trailing record from warcio.

    Seekable, because cdxj-indexer seeks back to hash whole records."""

    def __init__(self, f, limit: int) -> None:
        self._f, self._limit = f, limit

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, pos: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_END:
            pos, whence = self._limit + pos, io.SEEK_SET
        return self._f.seek(pos, whence)

    def tell(self) -> int:
        return self._f.tell()

    def readinto(self, buf) -> int:
        left = self._limit - self._f.tell()
        if left <= 0:
            return 0
        data = self._f.read(min(len(buf), left))
        buf[: len(data)] = data
        return len(data)


class _Indexer(CDXJIndexer):
    """cdxj-indexer reading each WARC only up to its last complete record."""

    def __init__(self, *args, limits: dict[str, int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits
        self.lines = 0

    def _do_write(self, urlkey, ts, index, out):
        self.lines += 1
        return super()._do_write(urlkey, ts, index, out)

    def process_one(self, input_, output, filename):
        limit = self.limits.get(os.path.basename(filename))
        if limit is not None:
            input_ = io.BufferedReader(_Limited(input_, limit), _CHUNK)
        return super().process_one(input_, output, filename)


def pack(data_dir: DataDir, out: str | os.PathLike[str], *, title: str | None = None) -> WaczResult:
    """Write the WACZ to `out` (under a temporary name, renamed when complete)."""
    out = Path(out)
    warcs = sorted(data_dir.warc_dir.glob("*.warc.gz")) if data_dir.warc_dir.is_dir() else []
    if not warcs:
        raise ArchiveError(f"no WARC files in {data_dir.warc_dir}")
    result = WaczResult(path=out)
    limits: dict[str, int] = {}
    for path in warcs:
        scan = scan_members(path)
        if scan.end < scan.size:
            limits[path.name] = scan.end
            result.skipped_tails.append(path.name)
    resources: list[dict] = []
    tmp = out.with_name(f".{out.name}.partial")
    try:
        with zipfile.ZipFile(tmp, "w", allowZip64=True) as zf:
            for path in warcs:
                size = limits.get(path.name, path.stat().st_size)
                resources.append(_add_file(zf, f"archive/{path.name}", path, size))
            result.warcs = len(warcs)
            resources += _add_index(zf, warcs, limits, result)
            resources.append(_add_pages(zf, data_dir.index_path, result))
            created = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
            package = {
                "profile": "data-package",
                "wacz_version": WACZ_VERSION,
                "title": title or "newsarchive: Vietnamese district news portals",
                "description": "Articles archived by newsarchive; open in ReplayWeb.page.",
                "created": created,
                "modified": created,
                "software": "newsarchive",
                "resources": resources,
            }
            package_bytes = json.dumps(package, indent=2, ensure_ascii=False).encode("utf-8")
            zf.writestr(_info("datapackage.json", deflate=True), package_bytes)
            digest = {
                "path": "datapackage.json",
                "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest(),
            }
            zf.writestr(
                _info("datapackage-digest.json", deflate=True), json.dumps(digest, indent=2)
            )
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    result.bytes = out.stat().st_size
    return result


def _info(name: str, *, deflate: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, datetime.now(timezone.utc).timetuple()[:6])
    # The spec: already-compressed data (WARC.gz, cdx.gz) is STORED, for random access.
    info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    return info


def needs_zip64(size: int) -> bool:
    """True when a member of `size` bytes cannot be described without ZIP64 fields."""
    return size > zipfile.ZIP64_LIMIT


def _resource(name: str, sha: hashlib._Hash, size: int) -> dict:
    return {
        "name": os.path.basename(name).lower(),
        "path": name,
        "hash": "sha256:" + sha.hexdigest(),
        "bytes": size,
    }


def _add_file(zf: zipfile.ZipFile, name: str, path: Path, size: int) -> dict:
    with open(path, "rb") as src:
        return _add_stream(zf, name, src, size, deflate=False, what=path.name)


def _add_stream(
    zf: zipfile.ZipFile, name: str, src, size: int, *, deflate: bool, what: str
) -> dict:
    """Copy `size` bytes of `src` into member `name`, ZIP64 only when the size needs it.

    The size is known before the member is opened: zipfile would otherwise add a ZIP64
    extra field to the local header (force_zip64, or a size near the limit) that the
    central directory lacks, and readers that take the data offset from the central
    directory (wabac.js, hence ReplayWeb.page) then read the member from the wrong place.
    """
    sha = hashlib.sha256()
    left = size
    # file_size stays unset: zipfile decides ZIP64 from it with a 5% margin for deflate.
    with zf.open(_info(name, deflate=deflate), "w", force_zip64=needs_zip64(size)) as dst:
        while left > 0:
            chunk = src.read(min(_CHUNK, left))
            if not chunk:
                raise ArchiveError(f"{what} shrank while being packed")
            sha.update(chunk)
            dst.write(chunk)
            left -= len(chunk)
    return _resource(name, sha, size)


def _add_spooled(zf: zipfile.ZipFile, name: str, spool, *, deflate: bool) -> dict:
    """Add a member first written to a temporary file (so its size is known)."""
    size = spool.tell()
    spool.seek(0)
    return _add_stream(zf, name, spool, size, deflate=deflate, what=name)


def _add_index(
    zf: zipfile.ZipFile, warcs: list[Path], limits: dict[str, int], result: WaczResult
) -> list[dict]:
    # The .idx (one line per block) is small: keep it in memory, write it after the data.
    idx = io.StringIO()
    with tempfile.TemporaryFile(dir=_spool_dir(zf)) as spool:
        indexer = _Indexer(
            idx,
            [str(p) for p in warcs],
            sort=True,
            post_append=True,
            compress=spool,
            lines=CDX_LINES,
            digest_records=True,
            data_out_name="index.cdx.gz",
            # Metadata records carry the article URL too; replay must find the page itself.
            records="response,revisit,resource",
            fields="referrer",
            limits=limits,
        )
        # process_all closes the output it opened; a StringIO it was given stays open.
        _run_indexer(indexer)
        cdx = _add_spooled(zf, "indexes/index.cdx.gz", spool, deflate=False)
    result.index_lines = indexer.lines
    idx_bytes = idx.getvalue().encode("utf-8")
    zf.writestr(_info("indexes/index.idx", deflate=True), idx_bytes)
    return [cdx, _resource("indexes/index.idx", hashlib.sha256(idx_bytes), len(idx_bytes))]


def _spool_dir(zf: zipfile.ZipFile) -> str | None:
    # Beside the output: /tmp may be small, and the index can be large.
    return os.path.dirname(os.path.abspath(zf.filename)) if zf.filename else None


def _run_indexer(indexer: CDXJIndexer) -> None:
    try:
        indexer.process_all()
    except Exception as exc:  # warcio/cdxj raise bare Exceptions on damaged input
        raise ArchiveError(f"cannot index the WARC files: {exc}") from exc


def _add_pages(zf: zipfile.ZipFile, index_path: Path, result: WaczResult) -> dict:
    with tempfile.TemporaryFile(dir=_spool_dir(zf)) as out:
        header = {"format": "json-pages-1.0", "id": "pages", "title": "Articles"}
        out.write((json.dumps(header) + "\n").encode("utf-8"))
        for page in iter_pages(index_path):
            out.write((json.dumps(page, ensure_ascii=False) + "\n").encode("utf-8"))
            result.pages += 1
        return _add_spooled(zf, "pages/pages.jsonl", out, deflate=True)


def iter_pages(index_path: Path) -> Iterator[dict]:
    """One entry per article with a stored page: its URL, title and latest capture time."""
    conn = connect_readonly(index_path)
    try:
        rows = conn.execute(
            # The page is where the article was fetched from (after redirects).
            "SELECT a.id, c.url, a.title, max(c.fetched_at)"
            " FROM articles a JOIN captures c ON c.url = coalesce(a.final_url, a.url)"
            " WHERE c.kind = 'page' AND c.warc_file IS NOT NULL AND c.http_status = 200"
            " GROUP BY a.id ORDER BY a.id"
        )
        for article_id, url, title, fetched_at in rows:
            page = {"id": f"article-{article_id}", "url": url, "ts": fetched_at}
            if title:
                page["title"] = title
            yield page
    finally:
        conn.close()
