"""`newsarchive search`: full-text search of the index, best matches first."""

from __future__ import annotations

import html

import click

from newsarchive.cli.terminal import json_text, safe
from newsarchive.cli.toolopts import data_option, open_data, parse_dates

# Snippet marks that cannot occur in article text; replaced per output form below.
_MARKS = ("\x02", "\x03")


class QueryError(click.ClickException):
    """A query the search cannot understand: a usage error, hence exit code 2."""

    exit_code = 2


@click.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--site", help="Only this site (e.g. haian).")
@click.option("--since", metavar="YYYY-MM-DD", help="Published on or after this date.")
@click.option("--until", metavar="YYYY-MM-DD", help="Published on or before this date.")
@click.option(
    "--limit", type=click.IntRange(1, 1000), default=20, show_default=True, help="Most results."
)
@click.option("--json", "as_json", is_flag=True, help="Print results as a JSON array.")
@data_option
def search(
    query: tuple[str, ...],
    site: str | None,
    since: str | None,
    until: str | None,
    limit: int,
    as_json: bool,
    data: str | None,
) -> None:
    """Search article titles, leads, bodies and captions (bm25 ranking).

    Type with or without Vietnamese accents: a word without accents also matches its
    accented forms ("dang" finds "Đảng"), a word with accents matches only itself ("bàn"
    does not find "bán"). "Quoted phrases", prefix* and AND / OR / NOT work. Dates are the
    articles' publication dates (first fetch when undated).

    Example:

        newsarchive search dang bo hai an

        newsarchive search '"Đảng bộ"' --site haian --since 2023-01-01 --json
    """
    from archive.index import Index, SearchError

    data_dir = open_data(data)
    lo, hi = parse_dates(since, until)
    text = " ".join(query)
    with Index(data_dir.index_path, readonly=True) as index:
        if site is not None:
            _check_site(index.conn, site)
        try:
            rows = index.search(text, site=site, since=lo, until=hi, limit=limit, marks=_MARKS)
        except SearchError as exc:
            raise QueryError(_one_line(str(exc))) from None

    if as_json:
        for row in rows:
            row["snippet"] = _html_marks(row["snippet"])
        click.echo(json_text(rows, indent=2))
        return
    if not rows:
        click.echo(f"no articles match {safe(text)!r}", err=True)
        return
    for n, row in enumerate(rows, 1):
        date = (row["published"] or row["first_seen"] or "")[:10]
        gone = "" if row["status"] == "active" else f" [{row['status']}]"
        title = safe(row["title"] or row["url"])
        click.echo(click.style(f"{n}. {title}", bold=True) + gone)
        click.echo(f"   {safe(row['site'])} · {safe(date)} · {safe(row['url'])}")
        click.echo(f"   {_term_marks(row['snippet'])}")


def _check_site(conn, site: str) -> None:
    known = {r[0] for r in conn.execute("SELECT name FROM sites")}
    if site not in known:
        listed = ", ".join(sorted(known)) or "none yet"
        raise click.ClickException(f"unknown site {site!r} (in this archive: {listed})")


def _term_marks(snippet: str) -> str:
    # Bold on a terminal (click strips the colour when piped), brackets otherwise.
    one_line = " ".join(snippet.split())
    start, end = click.style("[", fg="yellow", bold=True), click.style("]", fg="yellow", bold=True)
    # Escape the crawled text between the marks (the marks themselves are controls).
    return end.join(
        start.join(safe(piece) for piece in part.split(_MARKS[0]))
        for part in one_line.split(_MARKS[1])
    )


def _html_marks(snippet: str) -> str:
    # JSON consumers are often web pages: escape the text, mark hits with <mark>.
    escaped = html.escape(snippet, quote=False)
    return escaped.replace(_MARKS[0], "<mark>").replace(_MARKS[1], "</mark>")


def _one_line(message: str) -> str:
    return " ".join(message.split())
