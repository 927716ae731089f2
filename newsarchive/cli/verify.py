"""`newsarchive verify`: check the index against the WARC files."""

from __future__ import annotations

from pathlib import Path

import click

from archive.layout import ENV_VAR, DataDir, resolve_data_dir
from archive.records import ArchiveError


@click.command("verify")
@click.option(
    "--data",
    "data",
    envvar=ENV_VAR,
    show_envvar=True,
    type=click.Path(path_type=Path),
    default=None,
    help="Data directory holding warc/ and index.db (default: ./data).",
)
@click.option(
    "--repair",
    is_flag=True,
    help="First cut incomplete trailing records (left by a crash) off the WARC files.",
)
@click.option(
    "--show",
    "show",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Print at most this many problems.",
)
def verify(data: Path | None, repair: bool, show: int) -> None:
    """Re-read every WARC record the index points to and check it.

    Reports index rows whose record is missing or differs (missing), records whose
    digests fail (corrupt), response and revisit records no capture points to (orphan),
    and WARC files ending in an incomplete record (truncated). Exits with status 1 when
    there is any problem. Also notes (without failing) article metadata records written
    in the old form, under the page's own URL, which replay tools may serve as the page.

    Example:

        newsarchive verify --data ./data
    """
    from archive.verify import verify as run_verify
    from archive.warc import repair_truncated

    root = resolve_data_dir(data)
    layout = DataDir(root)
    if not root.is_dir():
        raise click.ClickException(f"data directory not found: {root}")
    if not layout.index_path.is_file():
        raise click.ClickException(f"no index at {layout.index_path}: nothing crawled yet?")
    try:
        if repair and layout.warc_dir.is_dir():
            for path in sorted(layout.warc_dir.glob("*.warc.gz")):
                result = repair_truncated(path)
                if result.refused:
                    click.echo(f"left {path.name} alone: {result.refused}")
                elif result.repaired:
                    click.echo(
                        f"repaired {path.name}: cut {result.bytes_removed} bytes at offset "
                        f"{result.cut_at}"
                    )
        report = run_verify(root)
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from exc
    for problem in report.problems[:show]:
        click.echo(str(problem))
    if len(report.problems) > show:
        click.echo(f"... and {len(report.problems) - show} more")
    for note in report.notes:
        click.echo(note)
    kinds = ("missing", "corrupt", "orphan", "truncated")
    summary = ", ".join(f"{report.count(k)} {k}" for k in kinds)
    click.echo(
        f"{report.files} WARC files, {report.records} records, "
        f"{report.pointers} index pointers checked: {summary}"
    )
    if not report.ok:
        raise SystemExit(1)
