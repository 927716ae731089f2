"""Merging other data folders (other machines', other workers') into one.

The source is only read: its index opened `mode=ro`, its WARC files copied, never moved.
A WARC file already present with the same name and digest is skipped; the same name with
other bytes is an error, before anything is copied. Copies go to a temporary name, are
fsynced and renamed, all before the rows pointing at them commit; the rows (sites, crawls,
captures, articles with versions, images and attachments) go in ONE transaction, so a crash
leaves the target's index as it was (at worst with WARC files it does not point to yet,
which the next merge finds already there).

Rows are matched on natural keys, never on ids: sites by name, crawls by (started, sites,
pid, host), captures by WARC location, articles by URL. An article both folders hold keeps
every version of both: all versions in time order, a version equal (content hash) to the
one just before it dropped as the same content seen twice; the current content is the
newest version's. So merging twice changes nothing, and A then B gives the articles B then
A gives.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import mimetypes
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive import lock, migrations
from archive.index import Index
from archive.layout import DataDir
from archive.records import ArchiveError

TMP_SUFFIX = ".merging"
ARTICLE_TEXT = ("title", "published", "lead", "body", "captions", "tags")
FILE_DETAILS = ("mime_type", "size", "sha256", "warc_file", "warc_offset", "warc_length")


class MergeError(ArchiveError):
    """The source cannot be merged (not a data folder, a name clash, ...): one line."""


@dataclass
class MergeReport:
    source: str
    warcs_copied: int = 0
    warcs_present: int = 0
    crawls_added: int = 0
    captures_added: int = 0
    articles_added: int = 0
    articles_merged: int = 0
    versions_added: int = 0
    files_linked: int = 0

    def line(self) -> str:
        return (
            f"{self.source}: {self.warcs_copied} WARC files copied "
            f"({self.warcs_present} already here), {self.crawls_added} crawls, "
            f"{self.captures_added} captures, {self.articles_added} new articles, "
            f"{self.articles_merged} articles with new versions ({self.versions_added} versions),"
            f" {self.files_linked} images/attachments linked to a file archived elsewhere"
        )


def merge_data(target: str | os.PathLike[str], source: str | os.PathLike[str]) -> MergeReport:
    """Merge the data folder `source` into `target` (created if missing); see the module."""
    dst, src = DataDir(target), DataDir(source)
    if not src.root.is_dir():
        raise MergeError(f"not a data folder: {src.root} (no such directory)")
    if not src.index_path.is_file():
        raise MergeError(f"not a data folder: {src.root} has no index.db")
    dst.root.mkdir(parents=True, exist_ok=True)
    if src.root.resolve() == dst.root.resolve():
        raise MergeError(f"cannot merge {src.root} into itself")
    lock.acquire(dst.root)
    try:
        with _source_quiet(src.root):
            return _merge_locked(dst, src)
    finally:
        lock.release(dst.root)


def _merge_locked(dst: DataDir, src: DataDir) -> MergeReport:
    report = MergeReport(str(src.root))
    source = Index(src.index_path, readonly=True)  # version checked: same schema as ours
    try:
        source.open()
    except ArchiveError as exc:
        raise MergeError(f"cannot merge {src.root}: {exc}") from None
    try:
        _check_references(source.conn, src)
        copies = _plan_copies(src, dst, report)
        _clean_temporaries(dst)
        for name in copies:
            _copy_warc(src.warc_dir / name, dst.warc_dir / name)
        report.warcs_copied = len(copies)
        with Index(dst.index_path) as target, target.transaction() as c:
            _merge_rows(source.conn, c, report)
            report.files_linked = _link_files(c, dst.warc_dir)
    finally:
        source.close()
    return report


# -- the source -----------------------------------------------------------------------------


@contextmanager
def _source_quiet(root: Path) -> Iterator[None]:
    """A shared flock on the source's lock file, opened read-only: a crawl running there
    (it holds the lock exclusively) makes the merge stop, since its WARC files are still
    growing. Nothing in the source is written."""
    path = root / lock.LOCK_NAME
    if not path.is_file():
        yield
        return
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise MergeError(
                    f"{root} is in use by a crawl: merge it once that crawl has ended"
                ) from None
            raise
        yield
    finally:
        os.close(fd)


def _check_references(conn: sqlite3.Connection, src: DataDir) -> None:
    """Every WARC file the source's rows point to must be in its warc/ folder."""
    rows = conn.execute(
        "SELECT warc_file FROM captures WHERE warc_file IS NOT NULL"
        " UNION SELECT metadata_file FROM captures WHERE metadata_file IS NOT NULL"
        " UNION SELECT warc_file FROM images WHERE warc_file IS NOT NULL"
        " UNION SELECT warc_file FROM attachments WHERE warc_file IS NOT NULL"
    )
    missing = sorted(name for (name,) in rows if not (src.warc_dir / name).is_file())
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise MergeError(
            f"cannot merge {src.root}: its index points to {src.warc_dir / missing[0]}{more},"
            " which is not there"
        )


def _plan_copies(src: DataDir, dst: DataDir, report: MergeReport) -> list[str]:
    """Names of the source's WARC files to copy; a clash (same name, other bytes) raises
    before anything is copied."""
    names = sorted(p.name for p in src.warc_dir.glob("*.warc.gz")) if src.warc_dir.is_dir() else []
    copies = []
    for name in names:
        here = dst.warc_dir / name
        if not here.exists():
            copies.append(name)
        elif _digest(here) == _digest(src.warc_dir / name):
            report.warcs_present += 1
        else:
            raise MergeError(
                f"cannot merge {src.root}: {here} exists with other content than "
                f"{src.warc_dir / name}; nothing merged"
            )
    return copies


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _clean_temporaries(dst: DataDir) -> None:
    """Copies a crashed merge left half-written (never referenced by any row)."""
    if dst.warc_dir.is_dir():
        for path in dst.warc_dir.glob(f".*{TMP_SUFFIX}"):
            path.unlink()


def _copy_warc(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}{TMP_SUFFIX}")
    with source.open("rb") as fin, tmp.open("wb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)
        fout.flush()
        os.fsync(fout.fileno())
    if target.exists():  # appeared meanwhile: never overwrite
        tmp.unlink()
        raise MergeError(f"{target} appeared during the merge; nothing merged")
    tmp.rename(target)
    dir_fd = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)  # the rename itself survives a power cut before the rows commit
    finally:
        os.close(dir_fd)


# -- the rows -------------------------------------------------------------------------------


def _rows(conn: sqlite3.Connection, sql: str, params: Any = ()) -> list[dict[str, Any]]:
    return list(_iter_rows(conn, sql, params))


def _iter_rows(conn: sqlite3.Connection, sql: str, params: Any = ()) -> Iterator[dict[str, Any]]:
    """Rows one at a time: a worker's shard can hold millions of captures."""
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    for r in cur:
        yield dict(zip(names, r, strict=True))


def _insert(c: sqlite3.Connection, table: str, row: dict[str, Any]) -> int:
    cols = ", ".join(row)
    params = ", ".join(f":{k}" for k in row)
    return int(c.execute(f"INSERT INTO {table} ({cols}) VALUES ({params})", row).lastrowid)


def _merge_rows(src: sqlite3.Connection, c: sqlite3.Connection, report: MergeReport) -> None:
    for site in _rows(src, "SELECT * FROM sites ORDER BY name"):
        c.execute(
            "INSERT INTO sites (name, base_url, profile, title)"
            " VALUES (:name, :base_url, :profile, :title) ON CONFLICT (name) DO UPDATE SET"
            " base_url = COALESCE(base_url, excluded.base_url),"
            " profile = COALESCE(profile, excluded.profile),"
            " title = COALESCE(title, excluded.title)",
            site,
        )
    crawls = _merge_crawls(src, c, report)
    captures = _merge_captures(src, c, crawls, report)
    for article in _iter_rows(src, "SELECT * FROM articles ORDER BY id"):
        _merge_article(src, c, article, captures, report)


def _merge_crawls(
    src: sqlite3.Connection, c: sqlite3.Connection, report: MergeReport
) -> dict[int, int]:
    """Source crawl id -> target crawl id."""
    ids: dict[int, int] = {}
    for crawl in _rows(src, "SELECT * FROM crawls ORDER BY id"):
        found = c.execute(
            "SELECT id FROM crawls WHERE started = :started AND sites = :sites"
            " AND pid IS :pid AND host IS :host",
            crawl,
        ).fetchone()
        if found is not None:
            ids[crawl["id"]] = found[0]
            continue
        ids[crawl["id"]] = _insert(c, "crawls", {k: v for k, v in crawl.items() if k != "id"})
        report.crawls_added += 1
    return ids


def _merge_captures(
    src: sqlite3.Connection, c: sqlite3.Connection, crawls: dict[int, int], report: MergeReport
) -> dict[int, int]:
    """Source capture id -> target capture id (matched on WARC location)."""
    ids: dict[int, int] = {}
    for cap in _iter_rows(src, "SELECT * FROM captures ORDER BY id"):
        row = {k: v for k, v in cap.items() if k != "id"}
        row["crawl_id"] = crawls.get(cap["crawl_id"]) if cap["crawl_id"] is not None else None
        if cap["warc_file"] is not None:
            found = c.execute(
                "SELECT id FROM captures WHERE warc_file = ? AND warc_offset = ?",
                (cap["warc_file"], cap["warc_offset"]),
            ).fetchone()
        else:  # nothing stored (a failed fetch): the same row, field by field
            found = c.execute(
                "SELECT id FROM captures WHERE warc_file IS NULL AND url = :url"
                " AND fetched_at = :fetched_at AND http_status IS :http_status"
                " AND kind = :kind AND record_type = :record_type AND crawl_id IS :crawl_id",
                row,
            ).fetchone()
        if found is not None:
            ids[cap["id"]] = found[0]
            c.execute(
                "UPDATE captures SET metadata_file = COALESCE(metadata_file, :metadata_file),"
                " metadata_offset = COALESCE(metadata_offset, :metadata_offset),"
                " metadata_length = COALESCE(metadata_length, :metadata_length) WHERE id = :id",
                {**row, "id": found[0]},
            )
            continue
        ids[cap["id"]] = _insert(c, "captures", row)
        report.captures_added += 1
    return ids


def _merge_article(
    src: sqlite3.Connection,
    c: sqlite3.Connection,
    article: dict[str, Any],
    captures: dict[int, int],
    report: MergeReport,
) -> None:
    def mapped(capture_id: int | None) -> int | None:
        return None if capture_id is None else captures.get(capture_id)

    versions = _rows(
        src,
        "SELECT * FROM article_versions WHERE article_id = ? ORDER BY version",
        (article["id"],),
    )
    images = _rows(
        src, "SELECT * FROM images WHERE article_id = ? ORDER BY position", (article["id"],)
    )
    attachments = _rows(
        src, "SELECT * FROM attachments WHERE article_id = ? ORDER BY id", (article["id"],)
    )
    for v in versions:
        v["capture_id"] = mapped(v["capture_id"])
    for i in images:
        i["capture_id"] = mapped(i["capture_id"])

    here = _rows(c, "SELECT * FROM articles WHERE url = ?", (article["url"],))
    if not here:
        aid = _insert(c, "articles", {k: v for k, v in article.items() if k != "id"})
        for v in versions:
            _insert(c, "article_versions", {**v, "article_id": aid})
        for i in images:
            _insert(c, "images", {**i, "article_id": aid})
        for a in attachments:
            _insert(
                c, "attachments", {k: v for k, v in a.items() if k != "id"} | {"article_id": aid}
            )
        report.articles_added += 1
        report.versions_added += len(versions)
        return
    mine = here[0]
    aid = mine["id"]
    old = _rows(c, "SELECT * FROM article_versions WHERE article_id = ? ORDER BY version", (aid,))
    merged = _history(old, versions)
    if [_vkey(v) for v in merged] != [_vkey(v) for v in old]:
        c.execute("DELETE FROM article_versions WHERE article_id = ?", (aid,))
        for number, v in enumerate(merged, 1):
            _insert(c, "article_versions", {**v, "article_id": aid, "version": number})
        report.articles_merged += 1
        report.versions_added += len(merged) - len(old)
    _update_article(c, mine, article, merged[-1], len(merged))
    newest_is_theirs = (
        merged[-1]["content_hash"] == article["content_hash"]
        and merged[-1]["content_hash"] != mine["content_hash"]
    )
    _merge_images(c, aid, images, replace=newest_is_theirs)
    for a in attachments:
        details = {k: a[k] for k in ("url", "name", *FILE_DETAILS)}
        c.execute(
            "INSERT INTO attachments (article_id, url, name, mime_type, size, sha256,"
            " warc_file, warc_offset, warc_length) VALUES (:aid, :url, :name, :mime_type,"
            " :size, :sha256, :warc_file, :warc_offset, :warc_length)"
            " ON CONFLICT (article_id, url) DO UPDATE SET name = COALESCE(name, excluded.name),"
            + ",".join(f" {k} = COALESCE({k}, excluded.{k})" for k in FILE_DETAILS),
            {**details, "aid": aid},
        )


def _vkey(v: dict[str, Any]) -> tuple[str, str]:
    return (v["captured_at"], v["content_hash"])


def _history(mine: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Both histories in time order; a version with the content of the one before it is
    the same content seen twice and goes (the earlier sighting stays)."""
    tagged = [(0, v) for v in mine] + [(1, v) for v in theirs]
    tagged.sort(key=lambda t: (t[1]["captured_at"], t[1]["content_hash"], t[0]))
    out: list[dict[str, Any]] = []
    for _, v in tagged:
        if out and out[-1]["content_hash"] == v["content_hash"]:
            continue
        out.append(v)
    return out


def _update_article(
    c: sqlite3.Connection,
    mine: dict[str, Any],
    theirs: dict[str, Any],
    newest: dict[str, Any],
    versions: int,
) -> None:
    """The current content is the newest version's; first/last seen span both; the state
    (status, validators, last answer) is that of whichever checked last."""
    latest = theirs if (theirs["last_checked"] or "") > (mine["last_checked"] or "") else mine
    other = mine if latest is theirs else theirs
    text = {k: newest[k] for k in ARTICLE_TEXT}
    folds = {f"{k}_fold": migrations.fold_text(text[k]) for k in migrations.TEXT_COLUMNS}
    row = {
        **text,
        **folds,
        "content_hash": newest["content_hash"],
        "version": versions,
        "first_seen": min(x for x in (mine["first_seen"], theirs["first_seen"]) if x)
        if mine["first_seen"] or theirs["first_seen"]
        else None,
        "last_seen": max(mine["last_seen"] or "", theirs["last_seen"] or "") or None,
        "last_checked": max(mine["last_checked"] or "", theirs["last_checked"] or "") or None,
        **{
            k: latest[k] if latest[k] is not None else other[k]
            for k in ("final_url", "etag", "last_modified", "http_status")
        },
        **{k: latest[k] for k in ("status", "status_changed", "moved_to")},
    }
    if mine["content_hash"] == row["content_hash"]:  # text untouched: no reindexing
        for k in (*text, *folds):
            row.pop(k)
    if all(mine[k] == v for k, v in row.items()):
        return
    sets = ", ".join(f"{k} = :{k}" for k in row)
    c.execute(f"UPDATE articles SET {sets} WHERE id = :id", {**row, "id": mine["id"]})


def _merge_images(
    c: sqlite3.Connection, aid: int, theirs: list[dict[str, Any]], *, replace: bool
) -> None:
    """The current images are the current version's side's; file details (which WARC
    record holds an image) are filled in from the other side where missing."""
    mine = _rows(c, "SELECT * FROM images WHERE article_id = ? ORDER BY position", (aid,))
    if replace:
        known = {i["url"]: i for i in mine}
        c.execute("DELETE FROM images WHERE article_id = ?", (aid,))
        for i in theirs:
            row = {**i, "article_id": aid}
            for k in ("capture_id", *FILE_DETAILS):
                if row[k] is None and i["url"] in known:
                    row[k] = known[i["url"]][k]
            _insert(c, "images", row)
        return
    by_url = {i["url"]: i for i in theirs}
    for i in mine:
        other = by_url.get(i["url"])
        if other is None:
            continue
        fill = {k: other[k] for k in ("capture_id", *FILE_DETAILS) if i[k] is None}
        if any(v is not None for v in fill.values()):
            sets = ", ".join(f"{k} = :{k}" for k in fill)
            c.execute(
                f"UPDATE images SET {sets} WHERE article_id = :aid AND position = :position",
                {**fill, "aid": aid, "position": i["position"]},
            )


def _link_files(c: sqlite3.Connection, warc_dir: Path) -> int:
    """Images and attachments still waiting for their file, where another folder archived
    that file (a worker on another machine fetched it, one that did not know the article):
    they point at that record now, with size, sha256 and type read from it as the crawler
    would have recorded them, so the next crawl does not fetch the file again."""
    from archive.records import PayloadDecodeError, RecordNotFound
    from archive.warcread import read_record

    linked = 0
    for table in ("images", "attachments"):
        pending = c.execute(
            f"SELECT t.rowid, cap.id, cap.warc_file, cap.warc_offset, cap.warc_length"
            f" FROM {table} t JOIN captures cap ON cap.id = (SELECT id FROM captures"
            " WHERE url = t.url AND kind IN ('image', 'attachment') AND warc_file IS NOT NULL"
            " AND record_type = 'response' AND http_status BETWEEN 200 AND 299"
            " ORDER BY fetched_at DESC, id DESC LIMIT 1)"
            " WHERE t.warc_file IS NULL"
        ).fetchall()
        for rowid, capture_id, file, offset, length in pending:
            try:
                record = read_record(warc_dir, file, offset, length)
                body = record.decoded
            except (RecordNotFound, PayloadDecodeError):
                continue  # left pending: the next crawl fetches it
            mime = (record.http_header("Content-Type") or "").split(";")[0].strip() or None
            if mime is None:
                mime = mimetypes.guess_type(urlsplit(record.target_uri or "").path)[0]
            row = {
                "rowid": rowid,
                "mime_type": mime,
                "size": len(body),
                "sha256": hashlib.sha256(body).hexdigest(),
                "warc_file": file,
                "warc_offset": offset,
                "warc_length": length,
            }
            sets = ", ".join(f"{k} = COALESCE({k}, :{k})" for k in ("mime_type", "size", "sha256"))
            sets += ", warc_file = :warc_file, warc_offset = :warc_offset"
            sets += ", warc_length = :warc_length"
            if table == "images":
                sets += ", capture_id = :capture_id"
                row["capture_id"] = capture_id
            c.execute(f"UPDATE {table} SET {sets} WHERE rowid = :rowid", row)
            linked += 1
    return linked
