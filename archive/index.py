"""The SQLite index of the archive: crawls, captures, articles and their versions, search.

Schema: docs/index-schema.md. Every write runs in one transaction (BEGIN IMMEDIATE, so two
processes never deadlock upgrading a read lock), and every write is an upsert keyed on
natural keys (article URL, WARC location), so replaying a crawl after a crash is harmless.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Literal

import sqlite_utils

from archive import migrations
from archive.query import SearchError
from archive.readonly import connect_readonly
from archive.records import ArchiveError, RecordRef
from archive.search import WINDOW as SEARCH_WINDOW
from archive.search import search as search_statement
from newsarchive.urlparts import canonical_url

__all__ = ["Index", "SearchError", "StoredCapture", "content_hash", "timestamp"]

CRAWL_COUNTS = (
    "pages",
    "articles_new",
    "articles_changed",
    "articles_unchanged",
    "articles_gone",
    "errors",
)
CAPTURE_KINDS = ("page", "listing", "image", "attachment", "robots", "other")
_INTERNAL_COLUMNS = set(migrations.FOLD_COLUMNS)

Outcome = Literal["new", "changed", "unchanged"]
When = datetime | str | None


# After a batch commits, writes commit one by one for this long before the next batch: a
# writer of the same index waiting on busy_timeout polls at most every 100 ms (SQLite's busy
# handler), so it finds the lock free within one gap and never starves behind back-to-back
# batches.
BATCH_GAP_SECONDS = 0.1


@dataclass
class _Batch:
    max_writes: int
    max_seconds: float
    gap: float = BATCH_GAP_SECONDS
    writes: int = 0
    opened: float = 0.0
    closed: float = float("-inf")  # when the last batch committed

    def due(self) -> bool:
        return self.writes > 0 and (
            self.writes >= self.max_writes or time.monotonic() - self.opened >= self.max_seconds
        )


@dataclass(frozen=True)
class StoredCapture(RecordRef):
    """A capture row read back: usable as `refers_to` of a revisit."""

    capture_id: int | None = None
    http_status: int | None = None
    fetched_at: str | None = None


class Index:
    """`with Index(path) as idx: ...` opens (creating or migrating) and closes the index.

    `readonly=True` (every command that only reads) opens it `mode=ro`: nothing is created,
    migrated or switched to WAL, and a foreign SQLite file is a one-line ArchiveError.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self.db: sqlite_utils.Database | None = None
        self._batch: _Batch | None = None
        self._depth = 0  # writes in progress inside an open batch (nested ones join)

    # -- lifecycle -------------------------------------------------------------------------

    def open(self) -> Index:
        if self.db is not None:
            return self
        if self.readonly:
            return self._open_readonly()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite_utils.Database(self.path, execute_plugins=False)
        db.execute("PRAGMA busy_timeout = 30000")
        db.execute("PRAGMA foreign_keys = ON")
        db.enable_wal()
        # WAL + NORMAL: a crashed or killed process loses no committed transaction, and the
        # database stays consistent after a power cut; FULL would fsync every commit.
        db.execute("PRAGMA synchronous = NORMAL")
        migrations.migrate(db.conn)
        self.db = db
        return self

    def _open_readonly(self) -> Index:
        conn = connect_readonly(self.path)
        version = migrations.schema_version(conn)
        if version != migrations.LATEST:
            conn.close()
            newer = version > migrations.LATEST
            raise ArchiveError(
                f"index schema version {version} is {'newer' if newer else 'older'} than this"
                f" newsarchive's ({migrations.LATEST}): "
                + ("upgrade newsarchive" if newer else "run a crawl once to migrate it")
            )
        conn.execute("PRAGMA busy_timeout = 30000")
        self.db = sqlite_utils.Database(conn, execute_plugins=False)
        return self

    def close(self) -> None:
        """Commit an open batch (see batch_writes) and close."""
        if self.db is not None:
            try:
                self.flush()
            finally:
                if self.db.conn.in_transaction:
                    self.db.conn.execute("ROLLBACK")
                self.db.close()
                self.db = None
                self._batch = None

    def __enter__(self) -> Index:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def conn(self) -> sqlite3.Connection:
        if self.db is None:
            raise RuntimeError("Index is not open: call open() first")
        return self.db.conn

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Group several writes in one transaction (nested calls join the outer one).

        In batch mode (batch_writes) each write is a savepoint of the batch's open
        transaction: a failed write undoes only itself; the batch commits when due."""
        conn = self.conn
        if self._batch is not None:
            yield from self._batched(conn)
            return
        if conn.in_transaction:
            yield conn
            return
        yield from _one_transaction(conn)

    def _batched(self, conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        batch = self._batch
        assert batch is not None
        if self._depth:
            yield conn
            return
        if not conn.in_transaction and time.monotonic() - batch.closed < batch.gap:
            yield from _one_transaction(conn)  # in the gap between batches: one write alone
            return
        if not conn.in_transaction:
            conn.execute("BEGIN IMMEDIATE")
            batch.opened = time.monotonic()
            batch.writes = 0
        conn.execute("SAVEPOINT write")
        self._depth += 1
        try:
            yield conn
        except BaseException:
            self._depth -= 1
            if conn.in_transaction:  # SQLite may have rolled the whole batch back itself
                conn.execute("ROLLBACK TO write")
                conn.execute("RELEASE write")
            raise
        self._depth -= 1
        conn.execute("RELEASE write")
        batch.writes += 1
        if batch.due():
            self.flush()

    def batch_writes(
        self, max_writes: int, max_seconds: float, gap_seconds: float | None = None
    ) -> None:
        """Commit writes in batches: every `max_writes` writes or `max_seconds` after the
        batch's first write (flush_if_due, from a timer), whichever comes first; flush() and
        close() commit what is open. max_writes <= 1: every write commits (the default).
        After each batch, writes commit one by one for `gap_seconds` (BATCH_GAP_SECONDS).

        Only for a connection that is the archive's one writer. Until a batch commits, other
        connections do not see it, and a killed process loses it from the index (not from
        the WARC: a crawl's start-up indexes what a dead crawl wrote, archive.recover)."""
        self.flush()
        gap = BATCH_GAP_SECONDS if gap_seconds is None else gap_seconds
        self._batch = _Batch(max_writes, max_seconds, gap) if max_writes > 1 else None

    def flush(self) -> None:
        """Commit the open batch, if any; a failed commit rolls the batch back and raises."""
        if self.db is None or self._batch is None or self._depth:
            return
        conn = self.conn
        if not conn.in_transaction:
            return
        try:
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            self._batch.writes = 0
            self._batch.closed = time.monotonic()

    def rollback(self) -> None:
        """Drop the open batch's writes (after a failure that made them unusable)."""
        if self.db is not None and self.conn.in_transaction and not self._depth:
            self.conn.execute("ROLLBACK")

    def flush_if_due(self) -> None:
        if self._batch is not None and self._batch.due():
            self.flush()

    # -- crawls and sites ------------------------------------------------------------------

    def upsert_site(
        self,
        name: str,
        base_url: str | None = None,
        profile: str | None = None,
        title: str | None = None,
    ) -> None:
        with self.transaction() as c:
            c.execute(
                "INSERT INTO sites (name, base_url, profile, title) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (name) DO UPDATE SET"
                " base_url = COALESCE(excluded.base_url, base_url),"
                " profile = COALESCE(excluded.profile, profile),"
                " title = COALESCE(excluded.title, title)",
                (name, base_url, profile, title),
            )

    def start_crawl(
        self,
        sites: list[str],
        settings: Mapping[str, Any],
        *,
        pid: int | None = None,
        host: str | None = None,
    ) -> int:
        """Open a crawl row (`running`); pid and host let a later run see that it died."""
        with self.transaction() as c:
            for site in sites:
                c.execute("INSERT OR IGNORE INTO sites (name) VALUES (?)", (site,))
            cur = c.execute(
                "INSERT INTO crawls (started, sites, settings, status, pid, host)"
                " VALUES (?, ?, ?, 'running', ?, ?)",
                (timestamp(None), _json(list(sites)), _json(dict(settings)), pid, host),
            )
            return int(cur.lastrowid)

    def finish_crawl(
        self,
        crawl_id: int,
        counts: Mapping[str, int],
        status: str = "finished",
        failure: str | None = None,
    ) -> None:
        """Store the crawl's counts (keys from CRAWL_COUNTS) and close it.

        A status other than running/finished/failed (a Scrapy close reason) is stored as
        failed, with the reason in `failure` unless one is given.
        """
        unknown = set(counts) - set(CRAWL_COUNTS)
        if unknown:
            raise ValueError(f"unknown crawl counts: {', '.join(sorted(unknown))}")
        if status not in ("running", "finished", "failed"):
            # Any other end (Scrapy's "shutdown", "cancelled", ...) did not finish.
            status, failure = "failed", failure or status
        # Column names come from the whitelist above, values are parameters.
        sets = "".join(f", {name} = :{name}" for name in counts)
        with self.transaction() as c:
            c.execute(
                "UPDATE crawls SET finished = :finished, status = :status,"
                f" failure = :failure{sets} WHERE id = :id",
                {
                    **counts,
                    "finished": timestamp(None),
                    "status": status,
                    "failure": failure,
                    "id": crawl_id,
                },
            )

    def close_dead_crawls(
        self, host: str, pid_alive: Callable[[int], bool]
    ) -> list[tuple[int, int | None]]:
        """Mark failed every `running` crawl whose process is gone; returns (id, pid) of each.

        A crawl started on `host` is dead when `pid_alive(pid)` says so; one from before
        pids were recorded (pid NULL) is dead too. Crawls of other hosts are left alone.
        Only the crawls this call marked are returned: of several workers starting at once,
        one takes over each dead crawl (and indexes what it left, archive.recover).
        """
        rows = self.conn.execute(
            "SELECT id, pid, host FROM crawls WHERE status = 'running'"
        ).fetchall()
        dead = [
            (crawl_id, pid)
            for crawl_id, pid, crawl_host in rows
            if pid is None or (crawl_host == host and not pid_alive(pid))
        ]
        marked = []
        with self.transaction() as c:
            for crawl_id, pid in dead:
                cursor = c.execute(
                    "UPDATE crawls SET status = 'failed', failure = :why WHERE id = :id"
                    " AND status = 'running'",
                    {
                        "id": crawl_id,
                        "why": "interrupted: "
                        + (f"process {pid} ended without closing it" if pid else "no process"),
                    },
                )
                if cursor.rowcount:
                    marked.append((crawl_id, pid))
        return marked

    def storage_failed_crawls(self, host: str) -> list[tuple[int, int | None]]:
        """(id, pid) of `host`'s crawls stopped because the archive could not be stored."""
        rows = self.conn.execute(
            "SELECT id, pid FROM crawls WHERE status = 'failed' AND host = ?"
            " AND failure LIKE 'could not store the archive%'",
            (host,),
        )
        return [(int(crawl_id), pid) for crawl_id, pid in rows]

    # -- captures --------------------------------------------------------------------------

    def add_capture(
        self,
        crawl_id: int | None,
        url: str,
        *,
        fetched_at: When,
        http_status: int | None,
        kind: str = "page",
        ref: RecordRef | None = None,
        record_type: str | None = None,
        payload_digest: str | None = None,
        metadata: RecordRef | None = None,
    ) -> int:
        """Index a response/revisit record; the same WARC location twice gives the same id."""
        if kind not in CAPTURE_KINDS:
            raise ValueError(f"bad capture kind {kind!r}")
        if record_type is None:
            record_type = (
                "revisit" if ref is not None and ref.record_type == "revisit" else "response"
            )
        row = {
            "crawl_id": crawl_id,
            "url": url,
            "fetched_at": timestamp(fetched_at),
            "http_status": http_status,
            "kind": kind,
            "record_type": record_type,
            "record_id": ref.record_id if ref else None,
            "warc_date": ref.date if ref else None,
            "payload_digest": payload_digest or (ref.payload_digest if ref else None),
            "warc_file": ref.filename if ref else None,
            "warc_offset": ref.offset if ref else None,
            "warc_length": ref.length if ref else None,
            "metadata_file": metadata.filename if metadata else None,
            "metadata_offset": metadata.offset if metadata else None,
            "metadata_length": metadata.length if metadata else None,
        }
        cols = ", ".join(row)
        params = ", ".join(f":{k}" for k in row)
        with self.transaction() as c:
            cur = c.execute(
                f"INSERT INTO captures ({cols}) VALUES ({params})"
                " ON CONFLICT (warc_file, warc_offset) DO UPDATE SET"
                " metadata_file = COALESCE(excluded.metadata_file, metadata_file),"
                " metadata_offset = COALESCE(excluded.metadata_offset, metadata_offset),"
                " metadata_length = COALESCE(excluded.metadata_length, metadata_length)"
                " RETURNING id",
                row,
            )
            return int(cur.fetchone()[0])

    def set_capture_metadata(self, capture_id: int, metadata: RecordRef) -> None:
        """Attach the metadata record (extraction JSON) written after the capture."""
        with self.transaction() as c:
            c.execute(
                "UPDATE captures SET metadata_file = ?, metadata_offset = ?, metadata_length = ?"
                " WHERE id = ?",
                (metadata.filename, metadata.offset, metadata.length, capture_id),
            )

    def last_capture(self, url: str) -> StoredCapture | None:
        """The latest stored *response* (payload on disk) for `url`: what a revisit refers to."""
        row = self._one(
            "SELECT * FROM captures WHERE url = ? AND record_type = 'response'"
            " AND warc_file IS NOT NULL ORDER BY fetched_at DESC, id DESC LIMIT 1",
            (url,),
        )
        return None if row is None else self._stored(row)

    @staticmethod
    def _stored(row: dict) -> StoredCapture:
        return StoredCapture(
            filename=row["warc_file"],
            offset=row["warc_offset"],
            length=row["warc_length"],
            record_id=row["record_id"],
            payload_digest=row["payload_digest"],
            target_uri=row["url"],
            date=row["warc_date"] or row["fetched_at"],
            record_type="response",
            capture_id=row["id"],
            http_status=row["http_status"],
            fetched_at=row["fetched_at"],
        )

    def article_capture(self, article_id: int) -> StoredCapture | None:
        """The stored page the article's current content came from: the newest version's
        capture (a revisit resolves to the response it repeats). Failed re-checks, 404s of
        a gone article and other captures of the URL never are."""
        row = self._one(
            "SELECT c.* FROM article_versions v JOIN captures c ON c.id = v.capture_id"
            " WHERE v.article_id = ? AND c.warc_file IS NOT NULL"
            " ORDER BY v.version DESC LIMIT 1",
            (article_id,),
        )
        if row is not None and row["record_type"] == "revisit":
            row = self._one(
                "SELECT * FROM captures WHERE url = ? AND payload_digest = ?"
                " AND record_type = 'response' AND warc_file IS NOT NULL"
                " ORDER BY fetched_at DESC, id DESC LIMIT 1",
                (row["url"], row["payload_digest"]),
            )
        if row is None:  # versions recorded without a capture: the newest 2xx page
            row = self._one(
                "SELECT c.* FROM captures c JOIN articles a"
                " ON c.url IN (a.url, COALESCE(a.final_url, a.url))"
                " WHERE a.id = ? AND c.record_type = 'response' AND c.warc_file IS NOT NULL"
                " AND c.http_status BETWEEN 200 AND 299"
                " ORDER BY c.fetched_at DESC, c.id DESC LIMIT 1",
                (article_id,),
            )
        return None if row is None else self._stored(row)

    def find_capture(self, payload_digest: str, url: str | None = None) -> dict | None:
        """Latest stored response with this payload digest (for revisit deduplication)."""
        sql = "SELECT * FROM captures WHERE payload_digest = ? AND record_type = 'response'"
        params: list[Any] = [payload_digest]
        if url is not None:
            sql += " AND url = ?"
            params.append(url)
        return self._one(sql + " ORDER BY fetched_at DESC, id DESC LIMIT 1", params)

    # -- articles --------------------------------------------------------------------------

    def record_article(
        self,
        crawl_id: int | None,
        site: str,
        url: str,
        final_url: str | None,
        article: Mapping[str, Any],
        fetched_at: When,
        capture_id: int | None,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Outcome:
        """Store an extracted article: "new", "changed" (new version) or "unchanged"."""
        content = normalise_article(article)
        digest = content_hash(content)
        ts = timestamp(fetched_at)
        text = {
            "title": content["title"],
            "published": content["published"],
            "lead": content["lead"],
            "body": content["body"],
            "captions": _json(content["captions"]),
            "tags": _json(content["tags"]),
        }
        folds = {f"{c}_fold": migrations.fold_text(text[c]) for c in migrations.TEXT_COLUMNS}
        with self.transaction() as c:
            c.execute("INSERT OR IGNORE INTO sites (name) VALUES (?)", (site,))
            http_status = 200
            if capture_id is not None:
                got = c.execute("SELECT http_status FROM captures WHERE id = ?", (capture_id,))
                found = got.fetchone()
                http_status = (found[0] if found else None) or 200
            row = c.execute(
                "SELECT id, content_hash, version FROM articles WHERE url = ?", (url,)
            ).fetchone()
            common = {
                "final_url": final_url or url,
                "ts": ts,
                "etag": etag,
                "last_modified": last_modified,
                "http_status": http_status,
            }
            if row is None:
                fields = {"site": site, "url": url, **text, **folds, "content_hash": digest}
                cols = ", ".join(fields)
                params = ", ".join(f":{k}" for k in fields)
                cur = c.execute(
                    f"INSERT INTO articles ({cols}, final_url, first_seen, last_seen,"
                    " last_checked, etag, last_modified, status, status_changed, http_status,"
                    f" version) VALUES ({params}, :final_url, :ts, :ts, :ts, :etag,"
                    " :last_modified, 'active', :ts, :http_status, 1)",
                    {**fields, **common},
                )
                article_id, version, outcome = int(cur.lastrowid), 1, "new"
            else:
                article_id, old_hash, version = row
                changed = old_hash != digest
                if changed:
                    version += 1
                    sets = ", ".join(f"{k} = :{k}" for k in {**text, **folds})
                    c.execute(
                        f"UPDATE articles SET {sets}, content_hash = :content_hash,"
                        " version = :version WHERE id = :id",
                        {
                            **text,
                            **folds,
                            "content_hash": digest,
                            "version": version,
                            "id": article_id,
                        },
                    )
                self._seen(c, article_id, common)
                outcome = "changed" if changed else "unchanged"
            if outcome != "unchanged":
                c.execute(
                    "INSERT OR IGNORE INTO article_versions (article_id, version, captured_at,"
                    " title, published, lead, body, captions, tags, content_hash, capture_id)"
                    " VALUES (:id, :version, :ts, :title, :published, :lead, :body, :captions,"
                    " :tags, :content_hash, :capture_id)",
                    {
                        **text,
                        "id": article_id,
                        "version": version,
                        "ts": ts,
                        "content_hash": digest,
                        "capture_id": capture_id,
                    },
                )
            self._replace_images(c, article_id, content["images"])
            for a in content["attachments"]:
                c.execute(
                    "INSERT INTO attachments (article_id, url, name) VALUES (?, ?, ?)"
                    " ON CONFLICT (article_id, url) DO UPDATE SET"
                    " name = COALESCE(excluded.name, name)",
                    (article_id, a["url"], a["name"]),
                )
            return outcome

    @staticmethod
    def _seen(c: sqlite3.Connection, article_id: int, common: Mapping[str, Any]) -> None:
        # An article seen again is active; validators only move forward when given.
        c.execute(
            "UPDATE articles SET final_url = COALESCE(:final_url, final_url),"
            " last_seen = MAX(COALESCE(last_seen, ''), :ts),"
            " last_checked = MAX(COALESCE(last_checked, ''), :ts),"
            " etag = COALESCE(:etag, etag), last_modified = COALESCE(:last_modified, last_modified),"
            " status_changed = CASE WHEN status != 'active' THEN :ts ELSE status_changed END,"
            " status = 'active', moved_to = NULL, http_status = :http_status WHERE id = :id",
            {**common, "id": article_id},
        )

    @staticmethod
    def _replace_images(c: sqlite3.Connection, article_id: int, images: list[dict]) -> None:
        old = c.execute(
            "SELECT position, url, caption, capture_id, mime_type, size, sha256, warc_file,"
            " warc_offset, warc_length FROM images WHERE article_id = ? ORDER BY position",
            (article_id,),
        ).fetchall()
        if [(r[1], r[2]) for r in old] == [(i["url"], i["caption"]) for i in images]:
            return  # unchanged: keep the rows (and the file details record_file added)
        files = {file_url(r[1]): r[3:] for r in old if r[3:] != (None,) * 7}
        c.execute("DELETE FROM images WHERE article_id = ?", (article_id,))
        for position, image in enumerate(images):
            c.execute(
                "INSERT INTO images (article_id, position, url, caption, capture_id, mime_type,"
                " size, sha256, warc_file, warc_offset, warc_length)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    article_id,
                    position,
                    image["url"],
                    image["caption"],
                    *files.get(image["url"], (None,) * 7),
                ),
            )

    def touch_article(
        self,
        url: str,
        checked_at: When,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> bool:
        """The server said 304 Not Modified: the article is still there, unchanged."""
        with self.transaction() as c:
            row = c.execute("SELECT id FROM articles WHERE url = ?", (url,)).fetchone()
            if row is None:
                return False
            self._seen(
                c,
                row[0],
                {
                    "ts": timestamp(checked_at),
                    "etag": etag,
                    "last_modified": last_modified,
                    "http_status": 304,
                    "final_url": None,
                },
            )
            return True

    def mark_gone(self, url: str, seen_at: When, http_status: int | None) -> bool:
        """The article answered 404/410 (or similar)."""
        with self.transaction() as c:
            cur = c.execute(
                "UPDATE articles SET"
                " status_changed = CASE WHEN status != 'gone' THEN :ts ELSE status_changed END,"
                " status = 'gone', http_status = :http_status,"
                " last_checked = MAX(COALESCE(last_checked, ''), :ts) WHERE url = :url",
                {"ts": timestamp(seen_at), "http_status": http_status, "url": url},
            )
            return cur.rowcount > 0

    def mark_moved(
        self, url: str, new_url: str, seen_at: When, http_status: int | None = None
    ) -> bool:
        """The article now redirects for good to `new_url`."""
        with self.transaction() as c:
            cur = c.execute(
                "UPDATE articles SET"
                " status_changed = CASE WHEN status != 'moved' OR moved_to IS NOT :new"
                " THEN :ts ELSE status_changed END,"
                " status = 'moved', moved_to = :new,"
                " http_status = COALESCE(:http_status, http_status),"
                " last_checked = MAX(COALESCE(last_checked, ''), :ts) WHERE url = :url",
                {"ts": timestamp(seen_at), "new": new_url, "http_status": http_status, "url": url},
            )
            return cur.rowcount > 0

    def record_file(
        self,
        article_url: str,
        kind: Literal["image", "attachment"],
        url: str,
        name: str | None = None,
        mime_type: str | None = None,
        size: int | None = None,
        sha256: str | None = None,
        ref: Any = None,
    ) -> bool:
        """Record a fetched image/attachment of an article; False if the article is unknown
        (or, for an image, when it is not among the article's current images).

        `ref` is a RecordRef, or any object with warc_file/warc_offset/warc_length (and
        optionally capture_id), such as the crawler's CaptureRef.
        """
        if kind not in ("image", "attachment"):
            raise ValueError(f"bad file kind {kind!r}")
        url = file_url(url)
        params = {
            "article_url": article_url,
            "url": url,
            "name": name,
            "mime": mime_type,
            "size": size,
            "sha": sha256,
            **_location(ref),
        }
        with self.transaction() as c:
            row = c.execute("SELECT id FROM articles WHERE url = ?", (article_url,)).fetchone()
            if row is None:
                return False
            params["aid"] = row[0]
            _adopt_legacy_url(c, "attachments" if kind == "attachment" else "images", row[0], url)
            if kind == "attachment":
                c.execute(
                    "INSERT INTO attachments (article_id, url, name, mime_type, size, sha256,"
                    " warc_file, warc_offset, warc_length)"
                    " VALUES (:aid, :url, :name, :mime, :size, :sha, :file, :offset, :length)"
                    " ON CONFLICT (article_id, url) DO UPDATE SET"
                    " name = COALESCE(excluded.name, name),"
                    " mime_type = COALESCE(excluded.mime_type, mime_type),"
                    " size = COALESCE(excluded.size, size),"
                    " sha256 = COALESCE(excluded.sha256, sha256),"
                    " warc_file = COALESCE(excluded.warc_file, warc_file),"
                    " warc_offset = COALESCE(excluded.warc_offset, warc_offset),"
                    " warc_length = COALESCE(excluded.warc_length, warc_length)",
                    params,
                )
                return True
            cur = c.execute(
                "UPDATE images SET mime_type = COALESCE(:mime, mime_type),"
                " size = COALESCE(:size, size), sha256 = COALESCE(:sha, sha256),"
                " warc_file = COALESCE(:file, warc_file),"
                " warc_offset = COALESCE(:offset, warc_offset),"
                " warc_length = COALESCE(:length, warc_length),"
                " capture_id = COALESCE(:capture_id, (SELECT id FROM captures"
                " WHERE warc_file = :file AND warc_offset = :offset), capture_id)"
                " WHERE article_id = :aid AND url = :url",
                params,
            )
            return cur.rowcount > 0

    def link_archived_file(
        self, article_url: str, kind: Literal["image", "attachment"], url: str, name: str | None
    ) -> bool:
        """Record for `article_url` a file already archived for another article (a shared
        image or attachment), pointing at the same WARC record; False if none is archived."""
        row = self._one(
            "SELECT mime_type, size, sha256, warc_file, warc_offset, warc_length FROM ("
            " SELECT mime_type, size, sha256, warc_file, warc_offset, warc_length FROM images"
            " WHERE url = :u AND warc_file IS NOT NULL UNION ALL"
            " SELECT mime_type, size, sha256, warc_file, warc_offset, warc_length FROM attachments"
            " WHERE url = :u AND warc_file IS NOT NULL) LIMIT 1",
            {"u": file_url(url)},
        )
        if row is None:
            return False
        location = {
            "warc_file": row["warc_file"],
            "warc_offset": row["warc_offset"],
            "warc_length": row["warc_length"],
        }
        ref = type("Location", (), location)()
        return self.record_file(
            article_url, kind, url, name, row["mime_type"], row["size"], row["sha256"], ref
        )

    # -- reading ---------------------------------------------------------------------------

    def article_state(self, url: str) -> dict | None:
        """What a conditional GET needs: validators, last check, hash, status."""
        return self._one(
            "SELECT id, version, etag, last_modified, last_checked, content_hash, status,"
            " moved_to FROM articles WHERE url = ?",
            (url,),
        )

    def known_urls(self, site: str) -> set[str]:
        """Every article URL of `site`, whatever its status."""
        rows = self.conn.execute("SELECT url FROM articles WHERE site = ?", (site,))
        return {r[0] for r in rows}

    def site_last_crawl_finished(self, site: str) -> bool:
        """True when the last ended crawl of `site` finished: the next can be incremental.

        After a failed or interrupted crawl the next walks every listing page again: the
        dead run may have stored the first pages' articles and never reached the rest, which
        an incremental walk (stopping at the first page with nothing new) would never fetch.
        Ordered by start, not id: crawls merged from another folder (archive.merge) get new
        ids whatever their age.
        """
        row = self.conn.execute(
            "SELECT crawls.status FROM crawls, json_each(crawls.sites) AS s"
            " WHERE crawls.status != 'running' AND s.value = ?"
            " ORDER BY crawls.started DESC, crawls.id DESC LIMIT 1",
            (site,),
        ).fetchone()
        return row is not None and row[0] == "finished"

    def due_for_recheck(self, site: str, before: When) -> list[str]:
        """Active articles of `site` not checked since `before`, least recently checked first."""
        rows = self.conn.execute(
            "SELECT url FROM articles WHERE site = ? AND status = 'active'"
            " AND (last_checked IS NULL OR last_checked < ?) ORDER BY last_checked, id",
            (site, timestamp(before)),
        )
        return [r[0] for r in rows]

    def recheck_fields(self, site: str) -> dict[str, dict]:
        """URL -> what a listing entry is compared with (title, published, lead, the body's
        start) and last_checked, for `site`'s active articles."""
        rows = self._all(
            "SELECT url, title, published, lead, substr(body, 1, 600) AS body, last_checked"
            " FROM articles WHERE site = ? AND status = 'active'",
            (site,),
        )
        return {row.pop("url"): row for row in rows}

    def record_listing(
        self,
        crawl_id: int | None,
        site: str,
        category: str,
        page: int,
        entries: list[Mapping[str, Any]],
        seen_at: When,
        forget: Iterable[str] = (),
    ) -> None:
        """Where each article of one listing page was listed (url, position, listed_date,
        signature); `signature_since` moves only when what the listing shows changed.
        `forget`: articles of this listing no longer listed (their rows go)."""
        ts = timestamp(seen_at)
        with self.transaction() as c:
            for entry in entries:
                c.execute(
                    "INSERT INTO listing_entries (url, category, site, page, position,"
                    " listed_date, signature, signature_since, last_listed, crawl_id)"
                    " VALUES (:url, :category, :site, :page, :position, :listed_date,"
                    " :signature, :ts, :ts, :crawl_id)"
                    " ON CONFLICT (url, category) DO UPDATE SET page = excluded.page,"
                    " position = excluded.position, listed_date = excluded.listed_date,"
                    " signature_since = CASE WHEN signature IS excluded.signature"
                    " THEN signature_since ELSE excluded.signature_since END,"
                    " signature = excluded.signature, last_listed = excluded.last_listed,"
                    " crawl_id = excluded.crawl_id",
                    {
                        "url": entry["url"],
                        "position": entry["position"],
                        "listed_date": entry.get("listed_date"),
                        "signature": entry.get("signature"),
                        "category": category,
                        "site": site,
                        "page": page,
                        "ts": ts,
                        "crawl_id": crawl_id,
                    },
                )
            for url in forget:
                c.execute(
                    "DELETE FROM listing_entries WHERE url = ? AND category = ?", (url, category)
                )

    def listing_memory(self, site: str) -> dict[tuple[str, str], dict]:
        """(url, category) -> the listing_entries row of `site`."""
        rows = self._all("SELECT * FROM listing_entries WHERE site = ?", (site,))
        return {(row["url"], row["category"]): row for row in rows}

    def revisit_candidates(self, site: str) -> list[dict]:
        """Active articles of `site` with what a revisit policy needs: url, published,
        first_seen, last_checked."""
        return self._all(
            "SELECT url, published, first_seen, last_checked FROM articles"
            " WHERE site = :site AND status = 'active' ORDER BY id",
            {"site": site},
        )

    def pending_files(self, site: str) -> list[dict]:
        """Images and attachments of `site`'s current articles not archived yet."""
        return self._all(
            "SELECT i.url, a.url AS article_url, 'image' AS kind, i.caption AS name"
            " FROM images i JOIN articles a ON a.id = i.article_id"
            " WHERE a.site = :site AND a.status = 'active' AND i.warc_file IS NULL"
            " UNION ALL"
            " SELECT t.url, a.url AS article_url, 'attachment' AS kind, t.name"
            " FROM attachments t JOIN articles a ON a.id = t.article_id"
            " WHERE a.site = :site AND a.status = 'active' AND t.warc_file IS NULL",
            {"site": site},
        )

    def has_file(self, url: str) -> bool:
        """True when a file (image/attachment) at `url` is already in the WARCs."""
        row = self.conn.execute(
            "SELECT EXISTS (SELECT 1 FROM captures WHERE url = :u"
            " AND kind IN ('image', 'attachment') AND warc_file IS NOT NULL)"
            " OR EXISTS (SELECT 1 FROM images WHERE url = :u AND warc_file IS NOT NULL)"
            " OR EXISTS (SELECT 1 FROM attachments WHERE url = :u AND warc_file IS NOT NULL)",
            {"u": file_url(url)},
        ).fetchone()
        return bool(row[0])

    def summary(self) -> dict[str, int]:
        """Row counts for a quick overview."""
        queries = {
            "sites": "SELECT count(*) FROM sites",
            "crawls": "SELECT count(*) FROM crawls",
            "articles": "SELECT count(*) FROM articles",
            "articles_active": "SELECT count(*) FROM articles WHERE status = 'active'",
            "articles_gone": "SELECT count(*) FROM articles WHERE status = 'gone'",
            "articles_moved": "SELECT count(*) FROM articles WHERE status = 'moved'",
            "versions": "SELECT count(*) FROM article_versions",
            "captures": "SELECT count(*) FROM captures",
            "images": "SELECT count(*) FROM images",
            "attachments": "SELECT count(*) FROM attachments",
        }
        return {k: int(self.conn.execute(q).fetchone()[0]) for k, q in queries.items()}

    def get_article(self, url_or_id: str | int) -> dict | None:
        """An article with its versions, images and attachments (JSON lists decoded)."""
        key = str(url_or_id)
        if isinstance(url_or_id, int) or (key.isascii() and key.isdigit()):
            if not 0 <= int(key) < 2**63:  # beyond SQLite's INTEGER: no such row
                return None
            article = self._one("SELECT * FROM articles WHERE id = ?", (int(key),))
        else:
            article = self._one("SELECT * FROM articles WHERE url = ?", (url_or_id,))
        if article is None:
            return None
        for col in _INTERNAL_COLUMNS:
            article.pop(col, None)
        _decode_lists(article)
        aid = article["id"]
        article["versions"] = [
            _decode_lists(v)
            for v in self._all(
                "SELECT * FROM article_versions WHERE article_id = ? ORDER BY version", (aid,)
            )
        ]
        article["images"] = self._all(
            "SELECT * FROM images WHERE article_id = ? ORDER BY position", (aid,)
        )
        article["attachments"] = self._all(
            "SELECT * FROM attachments WHERE article_id = ? ORDER BY id", (aid,)
        )
        return article

    def search(
        self,
        query: str,
        *,
        site: str | None = None,
        since: date | datetime | str | None = None,
        until: date | datetime | str | None = None,
        limit: int = 20,
        marks: tuple[str, str] = ("[", "]"),
        window: int = SEARCH_WINDOW,
    ) -> list[dict]:
        """Full-text search, best first. `since`/`until` (inclusive, ISO dates) filter on the
        published date, or first_seen when there is none.

        The statement is archive/search.py's, the one Datasette's "Search articles" runs.
        """
        return search_statement(
            self.conn,
            query,
            site=site,
            since=_date_text(since),
            until=_date_text(until),
            limit=limit,
            marks=marks,
            window=window,
        )

    def _one(self, sql: str, params: Any = ()) -> dict | None:
        rows = self._all(sql, params)
        return rows[0] if rows else None

    def _all(self, sql: str, params: Any = ()) -> list[dict]:
        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


# -- helpers ---------------------------------------------------------------------------------


def _one_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """The caller's writes in a transaction of their own: committed, or rolled back and raised."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def timestamp(value: When) -> str:
    """UTC `YYYY-MM-DDTHH:MM:SSZ`; None means now; naive datetimes are taken as UTC."""
    if value is None:
        value = datetime.now(timezone.utc)
    elif isinstance(value, str):
        value = datetime.fromisoformat(value.strip())
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def normalise_article(article: Mapping[str, Any]) -> dict[str, Any]:
    """The extraction JSON reduced to what is stored and hashed, text in NFC."""
    images = []
    for image in article.get("images") or []:
        if isinstance(image, str):
            image = {"url": image}
        if image.get("url"):
            images.append({"url": file_url(image["url"]), "caption": _text(image.get("caption"))})
    attachments = []
    for a in article.get("attachments") or []:
        if isinstance(a, str):
            a = {"url": a}
        if a.get("url"):
            attachments.append({"url": file_url(a["url"]), "name": _text(a.get("name"))})
    tags: list[str] = []
    for tag in article.get("tags") or []:
        t = _text(tag)
        if t and t not in tags:
            tags.append(t)
    body = article.get("body")
    if isinstance(body, list):
        body = "\n\n".join(str(p) for p in body)
    published = article.get("published")
    if isinstance(published, (datetime, date)):
        published = published.isoformat()
    return {
        "title": _text(article.get("title")),
        "published": _text(published),
        "lead": _text(article.get("lead")),
        "body": _text(body),
        "captions": [i["caption"] for i in images if i["caption"]],
        "tags": tags,
        "images": images,
        "attachments": attachments,
    }


def file_url(url: Any) -> str:
    """The one URL identity (newsarchive.urlparts.canonical_url, the form Scrapy fetches) of
    an image or attachment; a string that is no http(s) URL is kept as given."""
    text = str(url)
    return canonical_url(text) or text


def _adopt_legacy_url(c: sqlite3.Connection, table: str, article_id: int, url: str) -> None:
    """Rows written before URLs were canonical (`|`, `^`, `{` stored raw) take the canonical
    URL once that file is fetched, so they stop being pending. Per article: a few rows."""
    rows = c.execute(
        f"SELECT url FROM {table} WHERE article_id = ? AND url != ?", (article_id, url)
    )
    for (old,) in rows.fetchall():
        if file_url(old) == url:
            exists = c.execute(
                f"SELECT 1 FROM {table} WHERE article_id = ? AND url = ?", (article_id, url)
            ).fetchone()
            if exists and table == "attachments":
                c.execute(
                    "DELETE FROM attachments WHERE article_id = ? AND url = ?", (article_id, old)
                )
            else:
                c.execute(
                    f"UPDATE {table} SET url = ? WHERE article_id = ? AND url = ?",
                    (url, article_id, old),
                )


def content_hash(content: Mapping[str, Any]) -> str:
    """sha256 over the text fields; image URLs are left out so a CDN's cache-busting query
    string alone never makes a new version."""
    key = [content[k] for k in ("title", "published", "lead", "body", "captions", "tags")]
    data = json.dumps(key, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _location(ref: Any) -> dict[str, Any]:
    """WARC location of a RecordRef or of a CaptureRef-like object (None: unknown)."""
    if ref is None:
        return {"file": None, "offset": None, "length": None, "capture_id": None}
    if isinstance(ref, RecordRef):
        return {
            "file": ref.filename,
            "offset": ref.offset,
            "length": ref.length,
            "capture_id": getattr(ref, "capture_id", None),
        }
    return {
        "file": getattr(ref, "warc_file", None),
        "offset": getattr(ref, "warc_offset", None),
        "length": getattr(ref, "warc_length", None),
        "capture_id": getattr(ref, "capture_id", None),
    }


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value)).strip()
    return text or None


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _decode_lists(row: dict) -> dict:
    for col in ("captions", "tags", "sites", "settings"):
        if isinstance(row.get(col), str):
            row[col] = json.loads(row[col])
    return row


def _date_text(value: date | datetime | str | None) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)
