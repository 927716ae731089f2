"""The one search of the archive: a single SQL statement, run by `newsarchive search`
(Index.search) and by Datasette's canned "Search articles" query alike.

The statement needs the SQL functions `register()` adds to a connection (the Datasette
plugin adds them to every connection it opens):
- `fts_query(q)`: the FTS5 MATCH expression for a user's query (archive/query.py);
- `fts_near(q)`: the same AND "title holds the words close together", or NULL;
- `reaccent(snippet, title, lead, body, captions)`: a snippet FTS5 took from a folded
  column, shown in the text as written.

Ranking: titles holding the query's words close together first, then bm25 (title weighs
most). bm25 is exact when the query matches at most `window` articles (after filters);
beyond that it ranks the `window` most recently indexed matches plus the close-title
matches: FTS5 scores every match before it can sort, so a two-word query matching most of a
200,000-article archive would cost ~0.5 s; the window keeps it within tens of ms.

Snippets come from FTS5's snippet() on the final page's rowids only: it picks the fragment
holding the most *distinct* query phrases (each new phrase scores 1000, a repeat 1).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from archive.fold import fold
from archive.query import SearchError, reaccent, title_near, to_match

# bm25 weights for title, lead, body, captions; the folded copies weigh the same.
WEIGHTS = (10.0, 4.0, 1.0, 2.0) * 2
WINDOW = 2000  # matches ranked by bm25 per query at most
SNIPPET_WORDS = 24


def _fold(text: object) -> str | None:
    return None if text is None else fold(str(text))


def _fts_query(text: object) -> str:
    raw = "" if text is None else str(text)
    try:
        return to_match(raw)
    except SearchError:
        # An exception in a SQL function reaches the user only as "user-defined function
        # raised exception"; handing FTS5 the raw text gets its own error instead
        # ("unterminated string", "syntax error near ..."), which says what is wrong.
        return raw


def _fts_near(text: object) -> str | None:
    raw = "" if text is None else str(text)
    try:
        match, near = to_match(raw), title_near(raw)
    except SearchError:
        return None
    return f"({match}) AND {near}" if near else None


def _reaccent_factory(marks: tuple[str, str]):
    def _reaccent(snippet: object, *written: object) -> str | None:
        if snippet is None:
            return None
        return reaccent(str(snippet), [None if w is None else str(w) for w in written], marks)

    return _reaccent


def register(conn: sqlite3.Connection, marks: tuple[str, str] = ("[", "]")) -> None:
    """Add the functions the search statement uses. Deterministic, so SQLite evaluates
    `fts_near(:q) IS NOT NULL` once and skips the near scan when there is none."""
    conn.create_function("fold", 1, _fold, deterministic=True)
    conn.create_function("fts_query", 1, _fts_query, deterministic=True)
    conn.create_function("fts_near", 1, _fts_near, deterministic=True)
    conn.create_function("reaccent", 5, _reaccent_factory(marks), deterministic=True)


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


# Filters are optional: an empty or NULL :site/:since/:until means "any" (Datasette sends
# empty strings for empty form fields). The join to articles is only paid when one is set.
_FILTER = (
    " AND (coalesce(nullif(:site, ''), nullif(:since, ''), nullif(:until, '')) IS NULL"
    " OR EXISTS (SELECT 1 FROM articles f WHERE f.id = articles_fts.rowid"
    " AND (nullif(:site, '') IS NULL OR f.site = :site)"
    " AND (nullif(:since, '') IS NULL OR coalesce(f.published, f.first_seen) >= :since)"
    " AND (nullif(:until, '') IS NULL"
    " OR coalesce(f.published, f.first_seen) <= :until || char(65535))))"
)


def search_sql(
    limit: int = 20,
    marks: tuple[str, str] = ("[", "]"),
    window: int = WINDOW,
    columns: str = "a.id, a.site, a.title, a.published, a.status, a.first_seen, a.url",
) -> str:
    """The search statement, best first. Parameters: :q (the user's query), :site,
    :since, :until (ISO dates, inclusive; NULL or '' for any)."""
    limit, window = int(limit), max(int(window), int(limit))
    weights = ", ".join(str(w) for w in WEIGHTS)
    arm = (
        "SELECT * FROM (SELECT articles_fts.rowid AS id,"
        f" bm25(articles_fts, {weights}) AS rank, {{tier}} AS tier FROM articles_fts"
        " WHERE {cond}" + _FILTER + f" ORDER BY articles_fts.rowid DESC LIMIT {window})"
    )
    hits = (
        arm.format(tier=0, cond="articles_fts MATCH fts_query(:q)")
        + "\n  UNION ALL\n  "
        + arm.format(tier=1, cond="fts_near(:q) IS NOT NULL AND articles_fts MATCH fts_near(:q)")
    )
    snippet = (
        "reaccent((SELECT snippet(articles_fts, -1, "
        f"{_sql_text(marks[0])}, {_sql_text(marks[1])}, '…', {SNIPPET_WORDS})"
        " FROM articles_fts WHERE articles_fts MATCH fts_query(:q)"
        " AND articles_fts.rowid = a.id), a.title, a.lead, a.body, a.captions)"
    )
    return (
        f"WITH hits AS (\n  {hits}\n),\n"
        "ranked AS (SELECT id, max(tier) AS tier, min(rank) AS rank FROM hits"
        f" GROUP BY id ORDER BY tier DESC, rank LIMIT {limit})\n"
        f"SELECT {columns},\n  {snippet} AS snippet,\n  r.rank AS rank\n"
        "FROM ranked r JOIN articles a ON a.id = r.id\n"
        "ORDER BY r.tier DESC, r.rank"
    )


def search(
    conn: sqlite3.Connection,
    query: str,
    *,
    site: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 20,
    marks: tuple[str, str] = ("[", "]"),
    window: int = WINDOW,
) -> list[dict[str, Any]]:
    """Rows of the search statement as dicts; SearchError on a query it cannot run."""
    to_match(query)  # a malformed query is the user's error, said in one line
    register(conn, marks)
    params = {"q": query, "site": site, "since": since, "until": until}
    try:
        cur = conn.execute(search_sql(limit, marks, window), params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    except sqlite3.OperationalError as exc:
        raise SearchError(f"cannot search for {query!r}: {exc}") from exc
