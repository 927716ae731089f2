"""`newsarchive stats`: counts per site and month, per crawl, failures; optional PNG chart."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from newsarchive.cli.terminal import json_text
from newsarchive.cli.toolopts import data_option, open_data


@click.command()
@click.option(
    "--png", type=click.Path(dir_okay=False), help="Also draw articles per month per site."
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@data_option
def stats(png: str | None, as_json: bool, data: str | None) -> None:
    """Show what the archive holds: articles per site and month, new / changed / gone per
    crawl, and failures (HTTP errors, failed or unfinished crawls).

    Months are publication months (the month first fetched for undated articles).

    Example:

        newsarchive stats --png articles-per-month.png

        newsarchive stats --json --data ./data
    """
    from archive.dataset import connect_readonly
    from archive.stats import collect

    data_dir = open_data(data)
    conn = connect_readonly(data_dir.index_path)
    try:
        figures = collect(conn)
    finally:
        conn.close()

    if png:
        from archive.chart import articles_per_month_png

        articles_per_month_png(figures, png)
    if as_json:
        click.echo(json_text(figures.as_dict(), indent=2))
    else:
        _print_tables(figures)
    if png:
        click.echo(f"chart written to {png}", err=as_json)


def _print_tables(figures) -> None:
    from archive.stats import month_series

    _table(
        "Sites",
        ["site", "articles", "undated", "active", "gone", "moved", "changed", "published", "images", "files"],
        [
            [
                s["site"], s["articles"], s["undated"], s["active"], s["gone"], s["moved"], s["changed"],
                f"{s['first_published'] or '?'} .. {s['last_published'] or '?'}",
                f"{s['images_fetched']}/{s['images']}",
                f"{s['attachments_fetched']}/{s['attachments']}",
            ]
            for s in figures.sites
        ],
    )  # fmt: skip
    months, series = month_series(figures)
    sites = list(series)
    _table(
        "Articles per month (publication date)"
        + (
            f"; {figures.undated} undated articles not counted here (see Sites)"
            if figures.undated
            else ""
        ),
        ["month", *sites, "total"],
        [
            [m, *(series[s][i] for s in sites), sum(series[s][i] for s in sites)]
            for i, m in enumerate(months)
            if any(series[s][i] for s in sites)  # the chart shows the gaps; the table skips them
        ],
    )
    _table(
        "Crawls",
        ["crawl", "started", "status", "sites", "pages", "new", "changed", "unchanged", "gone", "errors"],
        [
            [
                c["id"], c["started"], c["status"], ", ".join(c["sites"]) if isinstance(c["sites"], list) else c["sites"],
                c["pages"], c["new"], c["changed"], c["unchanged"], c["gone"], c["errors"],
            ]
            for c in figures.crawls
        ],
    )  # fmt: skip
    _table("Failures", ["what", "count"], [[f["what"], f["count"]] for f in figures.failures])


def _table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    click.echo(click.style(title, bold=True))
    if not rows:
        click.echo("  (none)\n")
        return
    cells = [[str(h) for h in headers], *[["" if v is None else str(v) for v in r] for r in rows]]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for n, row in enumerate(cells):
        # Numbers right-aligned, text left-aligned.
        line = "  ".join(
            c.rjust(w) if n and c.replace("/", "").isdigit() else c.ljust(w)
            for c, w in zip(row, widths, strict=True)
        )
        click.echo("  " + line.rstrip())
    click.echo()
