"""Options and checks shared by the commands that read an archive (search, export, ...)."""

from __future__ import annotations

from datetime import date

import click

from archive.layout import DataDir, resolve_data_dir

data_option = click.option(
    "--data",
    envvar="NEWSARCHIVE_DATA",
    type=click.Path(file_okay=False),
    help="Archive folder [env NEWSARCHIVE_DATA; default ./data].",
)

sites_option = click.option(
    "--sites",
    "sites_file",
    envvar="NEWSARCHIVE_SITES",
    type=click.Path(dir_okay=False),
    help="Sites file (TOML) [env NEWSARCHIVE_SITES; default ./sites.toml if present, "
    "else the shipped sites].",
)


def open_data(data: str | None) -> DataDir:
    """The data directory, or a one-line error when it holds no index."""
    data_dir = DataDir(resolve_data_dir(data))
    if not data_dir.index_path.is_file():
        raise click.ClickException(
            f"no index at {data_dir.index_path}: crawl first, or point --data "
            "(or NEWSARCHIVE_DATA) at an archive folder"
        )
    return data_dir


def parse_dates(since: str | None, until: str | None) -> tuple[date | None, date | None]:
    """--since/--until as dates (inclusive); a one-line error when malformed or reversed."""
    out: list[date | None] = []
    for name, text in (("--since", since), ("--until", until)):
        if not text:
            out.append(None)
            continue
        try:
            out.append(date.fromisoformat(text))
        except ValueError:
            raise click.ClickException(
                f"{name} expects a date as YYYY-MM-DD, got {text!r}"
            ) from None
    lo, hi = out
    if lo and hi and lo > hi:
        raise click.ClickException(f"--since {lo} is after --until {hi}")
    return lo, hi
