"""`newsarchive wacz`: pack the WARCs into one WACZ file for ReplayWeb.page."""

from __future__ import annotations

import click

from newsarchive.cli.toolopts import data_option, open_data


@click.command()
@click.option(
    "--out", required=True, type=click.Path(dir_okay=False), help="WACZ file to write (NAME.wacz)."
)
@click.option("--title", help="Collection title shown by replay tools.")
@data_option
def wacz(out: str, title: str | None, data: str | None) -> None:
    """Pack the archive into a WACZ: the WARCs, a CDXJ index, pages.jsonl (one page per
    article) and datapackage.json with the sha256 of every file.

    Open the result in ReplayWeb.page to browse the pages as they were archived.

    Example:

        newsarchive wacz --out haiphong.wacz --data ./data
    """
    from pathlib import Path

    from archive.records import ArchiveError
    from archive.wacz import pack

    data_dir = open_data(data)
    out_path = Path(out)
    if out_path.suffix.lower() != ".wacz":
        raise click.ClickException(f"a WACZ file name must end in .wacz, got {out_path.name!r}")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        result = pack(data_dir, out_path, title=title)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None
    for name in result.skipped_tails:
        click.echo(
            f"warning: {name} ends in an incomplete record (crawl still running?): left out",
            err=True,
        )
    click.echo(
        f"wrote {out_path}: {result.warcs} WARC files, {result.index_lines} index entries, "
        f"{result.pages} pages, {result.bytes} bytes"
    )
