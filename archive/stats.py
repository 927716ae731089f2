"""Figures about an archive: articles per site and month, what each crawl found, failures.

Plain SQL aggregates over the index (read-only), returned as lists of dicts so the CLI can
print them as tables or JSON and the chart can plot them.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from dataclasses import asdict, dataclass, field
from typing import Any

# Month of an article: its publication month as the portal wrote it. Undated articles are
# counted apart (Stats.undated, per site), never placed at the month they were fetched:
# that put a spurious spike at crawl time under a "publication date" title.
_MONTH = "substr(published, 1, 7)"
_MONTH_TEXT = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


@dataclass
class Stats:
    sites: list[dict[str, Any]] = field(default_factory=list)
    months: list[dict[str, Any]] = field(default_factory=list)
    crawls: list[dict[str, Any]] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    undated: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def collect(conn: sqlite3.Connection) -> Stats:
    return Stats(
        sites=per_site(conn),
        months=per_month(conn),
        crawls=per_crawl(conn),
        failures=failures(conn),
        undated=conn.execute("SELECT count(*) FROM articles WHERE published IS NULL").fetchone()[0],
    )


def _rows(conn: sqlite3.Connection, sql: str, params: Any = ()) -> list[dict[str, Any]]:
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur]


def per_site(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Articles by status, and how many of their images / attachments were fetched."""
    return _rows(
        conn,
        """
        SELECT a.site,
               (SELECT s.title FROM sites s WHERE s.name = a.site) AS title,
               count(*) AS articles,
               sum(a.published IS NULL) AS undated,
               sum(a.status = 'active') AS active,
               sum(a.status = 'gone') AS gone,
               sum(a.status = 'moved') AS moved,
               sum(a.version > 1) AS changed,
               min(substr(a.published, 1, 10)) AS first_published,
               max(substr(a.published, 1, 10)) AS last_published,
               (SELECT count(*) FROM images i JOIN articles b ON b.id = i.article_id
                 WHERE b.site = a.site) AS images,
               (SELECT count(*) FROM images i JOIN articles b ON b.id = i.article_id
                 WHERE b.site = a.site AND i.warc_file IS NOT NULL) AS images_fetched,
               (SELECT count(*) FROM attachments t JOIN articles b ON b.id = t.article_id
                 WHERE b.site = a.site) AS attachments,
               (SELECT count(*) FROM attachments t JOIN articles b ON b.id = t.article_id
                 WHERE b.site = a.site AND t.warc_file IS NOT NULL) AS attachments_fetched
        FROM articles a GROUP BY a.site ORDER BY a.site
        """,
    )


def per_month(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return _rows(
        conn,
        f"SELECT site, {_MONTH} AS month, count(*) AS articles FROM articles"
        " WHERE published IS NOT NULL GROUP BY site, month ORDER BY month, site",
    )


def per_crawl(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = _rows(
        conn,
        "SELECT id, started, finished, status, sites, pages, articles_new AS new,"
        " articles_changed AS changed, articles_unchanged AS unchanged,"
        " articles_gone AS gone, errors FROM crawls ORDER BY started, id",
    )
    for row in rows:
        with contextlib.suppress(ValueError):  # not JSON: keep the text as it is
            row["sites"] = json.loads(row["sites"] or "[]")
    return rows


def failures(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """HTTP errors per capture kind and status, plus crawls that failed or never finished."""
    rows = _rows(
        conn,
        "SELECT kind, http_status, count(*) AS captures FROM captures"
        " WHERE http_status >= 400 OR http_status IS NULL"
        " GROUP BY kind, http_status ORDER BY captures DESC",
    )
    out = [{"what": f"HTTP {r['http_status'] or 'no response'} ({r['kind']})",
            "count": r["captures"]} for r in rows]  # fmt: skip
    for status in ("failed", "running"):
        n = conn.execute("SELECT count(*) FROM crawls WHERE status = ?", (status,)).fetchone()[0]
        if n:
            label = "crawls failed" if status == "failed" else "crawls unfinished (killed?)"
            out.append({"what": label, "count": n})
    errors = conn.execute("SELECT coalesce(sum(errors), 0) FROM crawls").fetchone()[0]
    if errors:
        out.append({"what": "errors reported by crawls", "count": errors})
    return out


def month_series(stats: Stats) -> tuple[list[str], dict[str, list[int]]]:
    """Every month from the first to the last (gaps filled with 0), and counts per site."""
    months = sorted({m["month"] for m in stats.months if _MONTH_TEXT.match(m["month"] or "")})
    if not months:
        return [], {}
    axis = _month_range(months[0], months[-1])
    series: dict[str, list[int]] = {}
    position = {m: i for i, m in enumerate(axis)}
    for row in stats.months:
        if row["month"] in position:
            counts = series.setdefault(row["site"], [0] * len(axis))
            counts[position[row["month"]]] += row["articles"]
    return axis, dict(sorted(series.items()))


def _month_range(first: str, last: str) -> list[str]:
    try:
        y, m = int(first[:4]), int(first[5:7])
        y1, m1 = int(last[:4]), int(last[5:7])
    except ValueError:
        return sorted({first, last})
    out = []
    while (y, m) <= (y1, m1) and len(out) < 1200:  # a century: a bad date cannot loop on
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out
