"""Opening the index for reading only: never creates, migrates or switches journal mode.

`mode=ro` first (it sees the rows a running crawl commits). A WAL database on read-only
media (a copied archive, a read-only mount) cannot be opened that way when its -shm file is
absent and cannot be created; then it is opened `immutable=1`, which is safe exactly there:
nothing can change a file on a read-only file system.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

from archive.records import ArchiveError

# The tables every index version has (schema v1); a file without them is not ours.
_OUR_TABLES = {"articles", "captures", "crawls", "sites"}


def _uri(path: Path, **params: str) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"file:{quote(str(path.resolve()))}?{query}"


def connect_readonly(index_path: str | os.PathLike[str]) -> sqlite3.Connection:
    """A read-only connection to a newsarchive index, or a one-line ArchiveError."""
    path = Path(index_path)
    if not path.is_file():
        raise ArchiveError(f"no index at {path}")
    conn = None
    try:
        conn = sqlite3.connect(_uri(path, mode="ro"), uri=True, timeout=30)
        tables = _tables(conn)
    except sqlite3.OperationalError as exc:
        if conn is not None:
            conn.close()
        if "unable to open" not in str(exc) or _writable(path):
            raise ArchiveError(f"cannot open the index {path}: {exc}") from None
        conn = sqlite3.connect(_uri(path, mode="ro", immutable="1"), uri=True)
        tables = _tables(conn)
    except sqlite3.DatabaseError as exc:  # "file is not a database"
        if conn is not None:
            conn.close()
        raise ArchiveError(
            f"the archive index cannot be read: {path} is not a newsarchive index ({exc})"
        ) from None
    if not tables >= _OUR_TABLES:
        conn.close()
        raise ArchiveError(f"{path} is not a newsarchive index (no articles/captures tables)")
    return conn


def _tables(conn: sqlite3.Connection) -> set[str]:
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        if "unable to open" in str(exc):
            raise sqlite3.OperationalError(str(exc)) from None
        raise


def needs_immutable(index_path: str | os.PathLike[str]) -> bool:
    """Whether readers must open the index `immutable=1` (it sits on read-only media)."""
    return not _writable(Path(index_path))


def _writable(path: Path) -> bool:
    """Whether SQLite could create the -shm file next to the index (os.access alone says
    yes to root on a read-only mount)."""
    folder = path.resolve().parent
    return not os.statvfs(folder).f_flag & os.ST_RDONLY and os.access(folder, os.W_OK)
