"""Versioned schema migrations for the index (version kept in PRAGMA user_version).

Each migration runs in its own transaction together with the version bump, so a crash
mid-migration leaves the database at the previous version, and re-running continues.
docs/index-schema.md describes the result; keep it in step.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from archive.fold import fold
from archive.records import ArchiveError

V1 = [
    """CREATE TABLE sites (
        name TEXT PRIMARY KEY,
        base_url TEXT,
        profile TEXT
    )""",
    """CREATE TABLE crawls (
        id INTEGER PRIMARY KEY,
        started TEXT NOT NULL,
        finished TEXT,
        sites TEXT NOT NULL DEFAULT '[]',
        pages INTEGER NOT NULL DEFAULT 0,
        articles_new INTEGER NOT NULL DEFAULT 0,
        articles_changed INTEGER NOT NULL DEFAULT 0,
        articles_unchanged INTEGER NOT NULL DEFAULT 0,
        articles_gone INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0,
        settings TEXT NOT NULL DEFAULT '{}',
        status TEXT NOT NULL DEFAULT 'running'
            CHECK (status IN ('running', 'finished', 'failed'))
    )""",
    """CREATE TABLE articles (
        id INTEGER PRIMARY KEY,
        site TEXT NOT NULL REFERENCES sites(name),
        url TEXT NOT NULL UNIQUE,
        final_url TEXT,
        title TEXT,
        published TEXT,
        lead TEXT,
        body TEXT,
        captions TEXT NOT NULL DEFAULT '[]',
        tags TEXT NOT NULL DEFAULT '[]',
        content_hash TEXT,
        first_seen TEXT,
        last_seen TEXT,
        last_checked TEXT,
        etag TEXT,
        last_modified TEXT,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'gone', 'moved')),
        status_changed TEXT,
        moved_to TEXT,
        http_status INTEGER,
        version INTEGER NOT NULL DEFAULT 1
    )""",
    "CREATE INDEX articles_site ON articles(site)",
    "CREATE INDEX articles_published ON articles(published)",
    """CREATE TABLE captures (
        id INTEGER PRIMARY KEY,
        crawl_id INTEGER REFERENCES crawls(id),
        url TEXT NOT NULL,
        fetched_at TEXT NOT NULL,
        http_status INTEGER,
        kind TEXT NOT NULL DEFAULT 'other'
            CHECK (kind IN ('page', 'listing', 'image', 'attachment', 'robots', 'other')),
        record_type TEXT NOT NULL DEFAULT 'response'
            CHECK (record_type IN ('response', 'revisit')),
        record_id TEXT,
        warc_date TEXT,
        payload_digest TEXT,
        warc_file TEXT,
        warc_offset INTEGER,
        warc_length INTEGER,
        metadata_file TEXT,
        metadata_offset INTEGER,
        metadata_length INTEGER,
        UNIQUE (warc_file, warc_offset)
    )""",
    "CREATE INDEX captures_url ON captures(url)",
    "CREATE INDEX captures_crawl ON captures(crawl_id)",
    "CREATE INDEX captures_digest ON captures(payload_digest)",
    """CREATE TABLE article_versions (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        captured_at TEXT NOT NULL,
        title TEXT,
        published TEXT,
        lead TEXT,
        body TEXT,
        captions TEXT NOT NULL DEFAULT '[]',
        tags TEXT NOT NULL DEFAULT '[]',
        content_hash TEXT NOT NULL,
        capture_id INTEGER REFERENCES captures(id),
        PRIMARY KEY (article_id, version)
    )""",
    """CREATE TABLE images (
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        url TEXT NOT NULL,
        caption TEXT,
        capture_id INTEGER REFERENCES captures(id),
        mime_type TEXT,
        size INTEGER,
        sha256 TEXT,
        warc_file TEXT,
        warc_offset INTEGER,
        warc_length INTEGER,
        PRIMARY KEY (article_id, position)
    )""",
    """CREATE TABLE attachments (
        id INTEGER PRIMARY KEY,
        article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        name TEXT,
        mime_type TEXT,
        size INTEGER,
        sha256 TEXT,
        warc_file TEXT,
        warc_offset INTEGER,
        warc_length INTEGER,
        UNIQUE (article_id, url)
    )""",
]

TEXT_COLUMNS = ("title", "lead", "body", "captions")
FOLD_COLUMNS = tuple(f"{c}_fold" for c in TEXT_COLUMNS)
FTS_COLUMNS = TEXT_COLUMNS + FOLD_COLUMNS


def _v2_search(conn: sqlite3.Connection) -> None:
    """Folded copies of the text, and an FTS5 index over both forms kept in sync by triggers.

    External content (the text lives once, in `articles`) and an UPDATE trigger limited to
    the text columns: touching validators or timestamps never reindexes a row.
    """
    for col in FOLD_COLUMNS:
        conn.execute(f"ALTER TABLE articles ADD COLUMN {col} TEXT")
    rows = conn.execute("SELECT id, title, lead, body, captions FROM articles").fetchall()
    for row_id, *texts in rows:
        conn.execute(
            "UPDATE articles SET title_fold = ?, lead_fold = ?, body_fold = ?, captions_fold = ?"
            " WHERE id = ?",
            [*(fold_text(t) for t in texts), row_id],
        )
    cols = ", ".join(FTS_COLUMNS)
    new = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
    old = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
    conn.execute(
        f"CREATE VIRTUAL TABLE articles_fts USING fts5({cols}, content='articles',"
        " content_rowid='id', tokenize='unicode61 remove_diacritics 0')"
    )
    conn.execute(
        f"CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN"
        f" INSERT INTO articles_fts(rowid, {cols}) VALUES (new.id, {new}); END"
    )
    conn.execute(
        f"CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN"
        f" INSERT INTO articles_fts(articles_fts, rowid, {cols}) VALUES ('delete', old.id, {old});"
        " END"
    )
    conn.execute(
        f"CREATE TRIGGER articles_fts_update AFTER UPDATE OF {cols} ON articles BEGIN"
        f" INSERT INTO articles_fts(articles_fts, rowid, {cols}) VALUES ('delete', old.id, {old});"
        f" INSERT INTO articles_fts(rowid, {cols}) VALUES (new.id, {new}); END"
    )
    conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")


def _v3_file_urls(conn: sqlite3.Connection) -> None:
    """Look-ups by file URL (is this image already archived?) happen once per file a crawl
    meets; without these indexes each one scanned both tables."""
    conn.execute("CREATE INDEX images_url ON images(url)")
    conn.execute("CREATE INDEX attachments_url ON attachments(url)")


def _v4_site_titles(conn: sqlite3.Connection) -> None:
    """Each site's own title (e.g. "Cổng thông tin điện tử quận Hải An") for readers."""
    conn.execute("ALTER TABLE sites ADD COLUMN title TEXT")


def _v5_crawl_process(conn: sqlite3.Connection) -> None:
    """Which process runs a crawl (so a later run can tell a dead `running` crawl), and why
    a crawl failed."""
    conn.execute("ALTER TABLE crawls ADD COLUMN pid INTEGER")
    conn.execute("ALTER TABLE crawls ADD COLUMN host TEXT")
    conn.execute("ALTER TABLE crawls ADD COLUMN failure TEXT")


def _v6_listing_entries(conn: sqlite3.Connection) -> None:
    """Where each article was last listed (per listing: a category's first page, the home
    page) and what the listing showed: a re-check when the entry changes, or when the
    article vanished from a listing window the crawl walked completely."""
    conn.execute(
        """CREATE TABLE listing_entries (
            url TEXT NOT NULL,
            category TEXT NOT NULL,
            site TEXT NOT NULL,
            page INTEGER NOT NULL,
            position INTEGER NOT NULL,
            listed_date TEXT,
            signature TEXT,
            signature_since TEXT,
            last_listed TEXT NOT NULL,
            crawl_id INTEGER REFERENCES crawls(id),
            PRIMARY KEY (url, category)
        )"""
    )
    conn.execute("CREATE INDEX listing_entries_site ON listing_entries(site, category)")


def fold_text(text: str | None) -> str | None:
    """Folded form of a text column (captions JSON folds as text: its quotes survive)."""
    return None if text is None else fold(text)


def _v1(conn: sqlite3.Connection) -> None:
    for statement in V1:
        conn.execute(statement)


# MIGRATIONS[n] brings a database from version n to n + 1.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _v1,
    _v2_search,
    _v3_file_urls,
    _v4_site_titles,
    _v5_crawl_process,
    _v6_listing_entries,
]
LATEST = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, target: int = LATEST) -> tuple[int, int]:
    """Bring the database up to `target`; returns (version before, version after)."""
    before = schema_version(conn)
    if before > LATEST:
        raise ArchiveError(
            f"index schema version {before} is newer than this newsarchive ({LATEST}): upgrade"
        )
    while True:
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Read under the write lock: another process may have migrated meanwhile.
            version = schema_version(conn)
            if version >= target:
                conn.execute("COMMIT")
                break
            MIGRATIONS[version](conn)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return before, schema_version(conn)
