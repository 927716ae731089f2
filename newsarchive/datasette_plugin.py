"""Datasette plugin for `newsarchive serve`: the archive's own search, a readable articles
table, article pages and the archived copy of each page.

- SQL functions (every connection): those of archive/search.py (`fold`, `fts_query`,
  `fts_near`, `reaccent`), so the canned "Search articles" query is the CLI's statement.
- Table search (`/index/articles?_search=...`) goes to that canned query: one ranking,
  by relevance, for the CLI and the browser.
- `/index/articles` shows by default what an archivist reads (DEFAULT_COLUMNS); bodies,
  hashes, validators and the `*_fold` helpers stay queryable (`?_col=body`, SQL, JSON).
- Cells: the lead shortened, the URL as links to the live page and to the archived copy.
- `/-/archived/<id>`: the article's page as archived (newest 200 capture, from the WARC),
  its images linked to `/-/archived-file?url=...` (the archived copies), served with a
  Content-Security-Policy that blocks every fetch to the live web.
- Facet type `month`: `?_facet_month=published` groups rows by `YYYY-MM`.
"""

from __future__ import annotations

import html
import json
import sqlite3
import urllib.parse
from pathlib import Path

from datasette import hookimpl
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args
from datasette.utils.asgi import Response
from markupsafe import Markup

from archive import search

DATABASE = "index"
# What the articles table shows unless the URL asks for other columns.
DEFAULT_COLUMNS = ("title", "site", "published", "status", "version", "lead", "url")
LEAD_CHARS = 90
MAX_PAGE_BYTES = 20 * 1024 * 1024  # an archived page bigger than this is not shown inline
# The archived copy may load only what is inline: nothing reaches the live portal.
ARCHIVED_CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; font-src data:;"
    " sandbox"
)


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    search.register(conn)


# -- the articles table: search and default columns ------------------------------------------


def _rewrite(path: str, query: str) -> tuple[str, str] | None:
    """(redirect target, "") for a table search, (path, new query) for default columns,
    None to leave the request alone."""
    base = f"/{DATABASE}/articles"
    if path not in (base, base + ".json"):
        return None
    args = urllib.parse.parse_qsl(query, keep_blank_values=True)
    names = {k for k, _ in args}
    if dict(args).get("_search", "").strip():
        # The table's own search can only sort by a column (its form always sends the
        # date sort); the shared search ranks by relevance, like the CLI.
        params = {"q": dict(args)["_search"]}
        if dict(args).get("site"):
            params["site"] = dict(args)["site"]
        params.update({k: v for k, v in args if k in ("_shape", "_size")})
        suffix = ".json" if path.endswith(".json") else ""
        return f"/{DATABASE}/search{suffix}?" + urllib.parse.urlencode(params), ""
    if path == base and not names & {"_col", "_nocol"}:
        return path, urllib.parse.urlencode([*args, *(("_col", c) for c in DEFAULT_COLUMNS)])
    return None


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def rewritten(scope, receive, send):
            if scope.get("type") == "http":
                query = scope.get("query_string", b"").decode("latin-1")
                change = _rewrite(scope.get("path", ""), query)
                if change is not None and change[1] == "":
                    await Response.redirect(change[0]).asgi_send(send)
                    return
                if change is not None:
                    scope = {**scope, "query_string": change[1].encode("latin-1")}
            await app(scope, receive, send)

        return rewritten

    return wrap


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if database != DATABASE or value is None:
        return None
    keys = row.keys() if hasattr(row, "keys") else []
    if column == "lead" and isinstance(value, str) and len(value) > LEAD_CHARS:
        cut = value[:LEAD_CHARS].rsplit(" ", 1)[0]
        return Markup(f'<span title="{html.escape(value)}">{html.escape(cut)} …</span>')
    if column == "published" and isinstance(value, str) and len(value) >= 16:
        # Date and time to the minute; the full ISO value (with its offset) on hover.
        return Markup(
            f'<time title="{html.escape(value)}">{html.escape(value[:16].replace("T", " "))}</time>'
        )
    if column == "url" and table in ("articles", None) and "id" in keys:
        live = html.escape(str(value))
        archived = datasette.urls.path(f"/-/archived/{int(row['id'])}")
        return Markup(
            f'<a href="{archived}">archived copy</a> · '
            f'<a href="{live}" rel="noreferrer">live page</a>'
        )
    if column == "snippet" and table is None and isinstance(value, str):
        # The search statement marks hits with [ ]: highlight them, on one line.
        text = html.escape(" ".join(value.split()))
        return Markup(text.replace("[", "<mark>").replace("]", "</mark>"))
    if column == "title" and table is None and "id" in keys and isinstance(value, str):
        page = datasette.urls.row(DATABASE, "articles", str(int(row["id"])))
        return Markup(f'<a href="{page}">{html.escape(value)}</a>')
    return None


# -- the article page and its archived copy ---------------------------------------------------


def _data_root(datasette) -> Path:
    return Path(datasette.get_database(DATABASE).path).parent


@hookimpl
def extra_template_vars(template, database, table, view_name, request, datasette):
    if view_name != "row" or database != DATABASE or table != "articles":
        return {}

    async def article():
        article_id = request.url_vars.get("pks", "")
        db = datasette.get_database(DATABASE)
        rows = await db.execute(
            "SELECT a.*, s.title AS site_title, s.base_url AS site_url FROM articles a"
            " LEFT JOIN sites s ON s.name = a.site WHERE a.id = ?",
            [article_id],
        )
        if not rows.rows:
            return {}
        row = dict(rows.rows[0])
        images = await db.execute(
            "SELECT url, caption FROM images WHERE article_id = ? ORDER BY position",
            [row["id"]],
        )
        files = await db.execute(
            "SELECT url, name FROM attachments WHERE article_id = ? ORDER BY id", [row["id"]]
        )
        row["paragraphs"] = [p for p in (row.get("body") or "").split("\n\n") if p.strip()]
        row["tag_list"] = _json_list(row.get("tags"))
        row["image_list"] = [dict(r) for r in images.rows]
        row["file_list"] = [dict(r) for r in files.rows]
        row["archived_url"] = datasette.urls.path(f"/-/archived/{row['id']}")
        return {"article": row}

    return article


def _json_list(text: object) -> list:
    try:
        value = json.loads(text) if isinstance(text, str) else []
    except ValueError:
        return []
    return value if isinstance(value, list) else []


_CAPTURE = (
    "SELECT c.url, c.warc_file, c.warc_offset, c.warc_length FROM captures c"
    " WHERE {where} AND c.http_status = 200 AND c.record_type = 'response'"
    " AND c.warc_file IS NOT NULL ORDER BY c.fetched_at DESC, c.id DESC LIMIT 1"
)


async def _read_capture(datasette, where: str, params: list):
    """(url, record) of the newest 200 capture matching `where`, or an error Response."""
    from archive.records import ArchiveError
    from archive.warc import read_record

    db = datasette.get_database(DATABASE)
    found = await db.execute(_CAPTURE.format(where=where), params)
    if not found.rows:
        return None, Response.text("not in the archive", status=404)
    url, warc_file, offset, length = found.rows[0]
    if length and length > MAX_PAGE_BYTES:
        return None, Response.text("too large to show here", status=413)
    try:
        record = read_record(_data_root(datasette) / "warc", warc_file, offset, length)
        record.decoded  # noqa: B018 - raises now if the body cannot be decoded
    except ArchiveError as exc:
        return None, Response.text(f"cannot read the archived copy: {exc}", status=500)
    return url, record


def _archived(body: bytes, content_type: str | None) -> Response:
    return Response(
        body,
        content_type=content_type or "application/octet-stream",
        headers={"Content-Security-Policy": ARCHIVED_CSP, "X-Content-Type-Options": "nosniff"},
    )


def _link_archived_images(datasette, body: bytes, page_url: str) -> bytes:
    """The page with its images (and style sheets) taken from the archive, not the web."""
    import lxml.html

    try:
        doc = lxml.html.document_fromstring(body)
    except (ValueError, lxml.etree.ParserError):
        return body
    for element, attribute in [(e, "src") for e in doc.iter("img")] + [
        (e, "href") for e in doc.iter("link") if "stylesheet" in (e.get("rel") or "")
    ]:
        target = element.get(attribute)
        if target and not target.startswith("data:"):
            absolute = urllib.parse.urljoin(page_url, target.strip())
            element.set(
                attribute,
                datasette.urls.path("/-/archived-file?")
                + urllib.parse.urlencode({"url": absolute}),
            )
    return lxml.html.tostring(doc, encoding="utf-8", doctype="<!DOCTYPE html>")


async def archived_page(datasette, request):
    """The article's page as archived: newest 200 capture of its URL (or final URL)."""
    article_id = request.url_vars["id"]
    url, record = await _read_capture(
        datasette,
        "c.kind = 'page' AND c.url IN (SELECT url FROM articles WHERE id = ?"
        " UNION SELECT final_url FROM articles WHERE id = ?)",
        [article_id, article_id],
    )
    if url is None:
        return record
    content_type = record.http_header("Content-Type") or "text/html"
    body = record.decoded
    if "html" in content_type.lower():
        body = _link_archived_images(datasette, body, url)
        content_type = "text/html; charset=utf-8"  # lxml wrote UTF-8
    return _archived(body, content_type)


async def archived_file(datasette, request):
    """An image, style sheet or attachment as archived, by its URL."""
    wanted = request.args.get("url") or ""
    url, record = await _read_capture(datasette, "c.url = ?", [wanted])
    if url is None:
        return record
    return _archived(record.decoded, record.http_header("Content-Type"))


@hookimpl
def register_routes():
    return [
        (r"^/-/archived/(?P<id>\d+)$", archived_page),
        (r"^/-/archived-file$", archived_file),
    ]


# -- month facet --------------------------------------------------------------------------


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
