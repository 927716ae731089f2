"""`newsarchive index ...`: operations on the index as a whole (merging data folders)."""

from __future__ import annotations

from pathlib import Path

import click

from newsarchive.cli.toolopts import data_option


@click.group("index")
def index() -> None:
    """Operations on whole archive folders' indexes.

    Example:

        newsarchive index merge ../w2/data --data ./data
    """


@index.command("merge")
@click.argument("others", nargs=-1, required=True, type=click.Path(path_type=Path))
@data_option
def merge(others: tuple[Path, ...], data: str | None) -> None:
    """Merge the archive folders OTHERS (other machines' or workers') into --data.

    Their WARC files are copied (a file already here with the same name and content is
    skipped; the same name with other content is an error), their crawls, captures,
    sites and articles added to this index in one transaction. An article both hold keeps
    the versions of both, in time order and without repeats; its current content is the
    newest. The sources are only read; each is merged in one transaction, so an error or
    a crash leaves this index as it was before that folder. Merging again changes nothing.

    Example:

        newsarchive index merge ../w2/data ../w3/data --data ./data
    """
    from archive import lock
    from archive.layout import resolve_data_dir
    from archive.merge import merge_data
    from newsarchive.cli.exitcodes import LockedError

    target = resolve_data_dir(data)
    for other in others:
        try:
            report = merge_data(target, other)
        except lock.DataLocked as exc:
            raise LockedError(str(exc)) from None
        click.echo(report.line())
