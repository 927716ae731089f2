"""The researcher's view of the articles table: columns, types and how rows are read.

One definition serves every export format and the datasheet, so a column's name, type and
description cannot drift between Parquet, CSV, JSON lines and the README.
Rows are read with a plain cursor (constant memory); filters are always bound parameters.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from archive import readonly
from archive.records import ArchiveError

# Portals publish in Vietnam time; a date without an offset is taken as local time there.
LOCAL_TZ_NAME = "Asia/Ho_Chi_Minh"
LOCAL_TZ = ZoneInfo(LOCAL_TZ_NAME)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # int, text, list, local_time (portal time), utc_time
    description: str


COLUMNS: tuple[Column, ...] = (
    Column("id", "int", "Article id in the index (stable across exports of the same archive)."),
    Column("site", "text", "Short name of the portal (see the sites table of the datasheet)."),
    Column("url", "text", "Canonical URL the article is known by."),
    Column("final_url", "text", "URL after redirects at the last fetch."),
    Column("title", "text", "Title, as published (Unicode NFC)."),
    Column("lead", "text", "Lead paragraph (sapo)."),
    Column("body", "text", "Body text; paragraphs separated by blank lines."),
    Column(
        "published",
        "local_time",
        f"Publication time as an instant, shown in {LOCAL_TZ_NAME}; empty when the portal gave "
        "no usable date.",
    ),
    Column("published_text", "text", "Publication date exactly as the extractor found it."),
    Column("captions", "list", "Image captions, in page order."),
    Column("tags", "list", "Tags / keywords."),
    Column("image_urls", "list", "URLs of the article's images, in page order."),
    Column("attachment_urls", "list", "URLs of linked files (PDF, DOC, ...)."),
    Column("first_seen", "utc_time", "When the archiver first fetched the article (UTC)."),
    Column("last_seen", "utc_time", "Latest fetch with content, or confirmation by a 304 (UTC)."),
    Column("status", "text", "active, gone (404/410 at the last check) or moved."),
    Column("status_changed", "utc_time", "When status last changed (UTC)."),
    Column("moved_to", "text", "New URL when status is moved."),
    Column("http_status", "int", "HTTP status of the last check."),
    Column("version", "int", "Number of distinct contents seen (1 = never changed)."),
    Column("content_hash", "text", "sha256 of the normalised text of the current version."),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)

# Fold columns are search helpers (docs/index-schema.md): never exported.
_SELECT = """
SELECT a.id, a.site, a.url, a.final_url, a.title, a.lead, a.body, a.published,
       a.captions, a.tags,
       (SELECT json_group_array(url) FROM
            (SELECT url FROM images WHERE article_id = a.id ORDER BY position)) AS image_urls,
       (SELECT json_group_array(url) FROM
            (SELECT url FROM attachments WHERE article_id = a.id ORDER BY id)) AS attachment_urls,
       a.first_seen, a.last_seen, a.status, a.status_changed, a.moved_to, a.http_status,
       a.version, a.content_hash
FROM articles a
"""


@dataclass(frozen=True)
class Selection:
    """Which articles: sites (any of), and published date bounds (inclusive, portal dates)."""

    sites: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None

    def where(self, alias: str = "a") -> tuple[str, list[object]]:
        """SQL condition and its parameters; values are always bound, never pasted."""
        clauses: list[str] = []
        params: list[object] = []
        if self.sites:
            clauses.append(f"{alias}.site IN ({', '.join('?' * len(self.sites))})")
            params.extend(self.sites)
        # `published` keeps the portal's own offset, so its first 10 characters are the
        # date a reader of the portal saw; undated articles count from when first fetched,
        # as in Index.search.
        day = f"substr(COALESCE({alias}.published, {alias}.first_seen), 1, 10)"
        if self.since:
            clauses.append(f"{day} >= ?")
            params.append(self.since.isoformat())
        if self.until:
            clauses.append(f"{day} <= ?")
            params.append(self.until.isoformat())
        return (" AND ".join(clauses) or "1"), params

    def describe(self) -> dict[str, object]:
        return {
            "sites": list(self.sites) or "all",
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


def connect_readonly(index_path: str | Path) -> sqlite3.Connection:
    """A read-only connection: exporting must never write to (or create) the index."""
    conn = readonly.connect_readonly(index_path)
    conn.row_factory = sqlite3.Row
    return conn


def iter_articles(conn: sqlite3.Connection, selection: Selection) -> Iterator[dict[str, object]]:
    """Articles as typed Python values (datetimes aware, lists as lists), ordered by id."""
    where, params = selection.where()
    cursor = conn.execute(f"{_SELECT} WHERE {where} ORDER BY a.id", params)
    for row in cursor:  # the cursor streams: memory stays flat whatever the row count
        yield convert_row(row)


def convert_row(row: sqlite3.Row | dict) -> dict[str, object]:
    out: dict[str, object] = {}
    for col in COLUMNS:
        if col.name == "published_text":
            out[col.name] = row["published"]
            continue
        value = row[col.name]
        if col.kind == "list":
            value = parse_list(value)
        elif col.kind == "local_time":
            value = parse_time(value, LOCAL_TZ)
        elif col.kind == "utc_time":
            value = parse_time(value, timezone.utc)
        out[col.name] = value
    return out


def parse_list(text: object) -> list[str]:
    if not text:
        return []
    try:
        value = json.loads(str(text))
    except ValueError:
        return [str(text)]  # not JSON: keep the text rather than lose it
    if not isinstance(value, list):
        return [str(value)]
    return [str(v) for v in value if v is not None]


def parse_time(text: object, default_tz: timezone | ZoneInfo) -> datetime | None:
    """ISO 8601 text -> aware datetime (naive text is taken in `default_tz`); None if unusable."""
    if not text:
        return None
    text = str(text).strip()
    if text.endswith(("Z", "z")):  # Python 3.10's fromisoformat does not read "Z"
        text = text[:-1] + "+00:00"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=default_tz)
    try:
        return value.astimezone(default_tz).replace(microsecond=0)
    except OverflowError:  # 0001-01-01T00:00:00+07:00 and kin (.NET DateTime.MinValue)
        return None


def time_text(value: datetime | None) -> str:
    """Text form used by CSV and JSON lines: ISO 8601 with offset (UTC written as Z)."""
    if value is None:
        return ""
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def known_sites(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM sites ORDER BY name")]


def check_sites(conn: sqlite3.Connection, sites: Sequence[str]) -> None:
    """Unknown site names are a user error, not an empty export."""
    known = set(known_sites(conn)) | {
        r[0] for r in conn.execute("SELECT DISTINCT site FROM articles")
    }
    for name in sites:
        if name not in known:
            listed = ", ".join(sorted(known)) or "none yet"
            raise ArchiveError(f"unknown site {name!r} (in this archive: {listed})")
