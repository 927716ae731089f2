"""`newsarchive export`: the articles as a dataset (JSON lines, CSV or Parquet) + datasheet."""

from __future__ import annotations

from pathlib import Path

import click

from newsarchive.cli.toolopts import data_option, open_data, parse_dates

SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}
COPY_BATCH = 200  # articles whose files are copied together (one query per batch)


@click.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "parquet"]),
    help="Dataset format [default: from the --out suffix].",
)
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="File to write.")
@click.option("--site", "sites", multiple=True, help="Only this site (repeatable).")
@click.option("--since", metavar="YYYY-MM-DD", help="Published on or after this date.")
@click.option("--until", metavar="YYYY-MM-DD", help="Published on or before this date.")
@click.option(
    "--with-files",
    type=click.Path(file_okay=False),
    help="Also copy the articles' images and attachments out of the WARCs into this folder.",
)
@click.option("--excel", is_flag=True, help="CSV with a UTF-8 BOM, so Excel shows Vietnamese.")
@click.option(
    "--rights",
    envvar="NEWSARCHIVE_RIGHTS",
    help="Rights statement for the datasheet (or NEWSARCHIVE_RIGHTS) [default: public "
    "government information, archived for research; check the portal's terms].",
)
@click.option(
    "--contact",
    envvar="NEWSARCHIVE_CONTACT",
    help="The archive's contact for the datasheet (or NEWSARCHIVE_CONTACT) [default: the "
    "contact the newest crawl gave in its User-Agent].",
)
@data_option
def export(
    fmt: str | None,
    out: str,
    sites: tuple[str, ...],
    since: str | None,
    until: str | None,
    with_files: str | None,
    excel: bool,
    rights: str | None,
    contact: str | None,
    data: str | None,
) -> None:
    """Export articles as a dataset for pandas, R or a spreadsheet.

    Streams in constant memory. Parquet keeps real types (timestamps with time zone, lists
    for tags and captions); CSV is UTF-8 (--excel adds a BOM). Beside the file a datasheet
    (NAME.EXT.README.md and NAME.EXT.datasheet.json,
    one per exported file) describes the columns, sites, dates, crawls and
    the settings they ran with, counts, rights, a suggested citation and the archive's
    contact, with the sha256 of every file written.

    Example:

        newsarchive export --format parquet --out articles.parquet --site haian

        newsarchive export --out articles.csv --excel --since 2023-01-01 --with-files files/
    """
    from archive import datasheet
    from archive.dataset import Selection, connect_readonly
    from archive.export import export as run_export
    from archive.filesout import FileCopier
    from archive.records import ArchiveError

    data_dir = open_data(data)
    out_path = Path(out)
    fmt = fmt or SUFFIXES.get(out_path.suffix.lower())
    if fmt is None:
        raise click.ClickException(
            f"cannot tell the format from {out_path.name!r}: give --format jsonl, csv or parquet"
        )
    if excel and fmt != "csv":
        raise click.ClickException("--excel applies to --format csv only")
    lo, hi = parse_dates(since, until)
    selection = Selection(sites=tuple(dict.fromkeys(sites)), since=lo, until=hi)
    out_path.parent.mkdir(parents=True, exist_ok=True)

    copier: FileCopier | None = None
    files_conn = None
    pending: list[tuple[int, str]] = []

    def on_row(row: dict) -> None:
        pending.append((row["id"], row["site"]))
        if len(pending) >= COPY_BATCH:
            flush()

    def flush() -> None:
        assert copier is not None
        copier.copy_articles(pending)
        pending.clear()

    try:
        if with_files:
            files_conn = connect_readonly(data_dir.index_path)
            copier = FileCopier(files_conn, data_dir.warc_dir, Path(with_files))
        summary = run_export(
            data_dir.index_path,
            out_path,
            fmt,  # type: ignore[arg-type]
            selection,
            excel=excel,
            on_row=on_row if copier else None,
        )
        if copier:
            flush()
            copier.finish()
        conn = connect_readonly(data_dir.index_path)
        try:
            sheet = datasheet.build(
                conn,
                out_path,
                fmt,
                selection,
                summary,
                excel=excel,
                files=(copier.manifest_path, copier.counts) if copier else None,
                software=f"newsarchive {_version()}",
                rights=rights,
                contact=contact,
            )
        finally:
            conn.close()
        readme, js = datasheet.write(sheet, out_path)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if copier:
            copier.close()
        if files_conn is not None:
            files_conn.close()

    click.echo(f"wrote {summary.rows} articles to {out_path} ({fmt})")
    click.echo(f"datasheet: {readme}, {js}")
    if copier:
        c = copier.counts
        click.echo(
            f"files: {c.copied} copied to {with_files} ({c.bytes} bytes), {c.missing} never "
            f"fetched, {c.failed} unreadable; manifest {copier.manifest_path.name}"
        )
        for line in copier.errors[:5]:
            click.echo(f"  {line}", err=True)


def _version() -> str:
    from newsarchive import __version__

    return __version__
