"""Datasette plugin for `newsarchive serve`: accent-insensitive search and a month facet.

SQL functions (on every connection):
- `fold(text)`: text without Vietnamese accents, lower case (`Đảng` -> `dang`).
- `fts_query(q)`: the FTS5 MATCH expression `newsarchive search` uses for `q`: accented
  words match the text as written, unaccented ones also match the folded copies.
- `reaccent(snippet, title, lead, body, captions)`: a `[`/`]`-marked snippet taken from a
  folded column, shown in the text as written.
Facet type `month`: `?_facet_month=published` groups rows by `YYYY-MM`.
"""

from __future__ import annotations

import sqlite3

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args

from archive.fold import fold
from archive.query import SearchError, reaccent, to_match

MARKS = ("[", "]")  # snippet marks used by the canned search query


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


def _reaccent(snippet: object, *written: object) -> str | None:
    """A snippet FTS5 took from a folded column, shown in the written text."""
    if snippet is None:
        return None
    return reaccent(str(snippet), [None if w is None else str(w) for w in written], MARKS)


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    conn.create_function("fold", 1, _fold, deterministic=True)
    conn.create_function("fts_query", 1, _fts_query, deterministic=True)
    conn.create_function("reaccent", 5, _reaccent, deterministic=True)


class MonthFacet(Facet):
    """Like Datasette's date facet, by month: counts per `substr(column, 1, 7)`."""

    type = "month"

    async def suggest(self) -> list:
        return []  # offered through metadata, not guessed for every text column

    async def facet_results(self):
        results, timed_out = [], []
        args = dict(self.get_querystring_pairs())
        size = self.get_facet_size()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            source = source_and_config["source"]
            column = config.get("column") or config["simple"]
            col = escape_sqlite(column)
            sql = (
                f"select substr({col}, 1, 7) as value, count(*) as count from ({self.sql})"
                f" where {col} glob '[0-9][0-9][0-9][0-9]-[0-9][0-9]*'"
                f" group by value order by value desc limit {size + 1}"
            )
            try:
                rows = await self.ds.execute(
                    self.database,
                    sql,
                    self.params,
                    truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except QueryInterrupted:
                timed_out.append(column)
                continue
            key = f"{column}__startswith"
            values = []
            for row in rows.rows[:size]:
                selected = args.get(key) == row["value"]
                toggle = (
                    path_with_removed_args(self.request, {key: row["value"]})
                    if selected
                    else path_with_added_args(self.request, {key: row["value"]})
                )
                values.append(
                    {
                        "value": row["value"],
                        "label": row["value"],
                        "count": row["count"],
                        "toggle_url": self.ds.absolute_url(self.request, toggle),
                        "selected": selected,
                    }
                )
            results.append(
                {
                    "name": column,
                    "type": self.type,
                    "results": values,
                    "hideable": source != "metadata",
                    "toggle_url": path_with_removed_args(self.request, {"_facet_month": column}),
                    "truncated": len(rows) > size,
                }
            )
        return results, timed_out


@hookimpl
def register_facet_classes():
    return [MonthFacet]
