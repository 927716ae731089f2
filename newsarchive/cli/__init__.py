"""The `newsarchive` command line: a click group; each command lives in its own module."""

from __future__ import annotations

import importlib
import sqlite3

import click

from newsarchive import __version__

# (module, attribute) of each command; imported lazily so `newsarchive --help` stays fast
# and one broken optional dependency cannot take the whole CLI down.
COMMANDS: dict[str, tuple[str, str]] = {
    "extract": ("newsarchive.cli.extract", "extract"),
    "replica": ("newsarchive.cli.replica", "replica"),
    "verify": ("newsarchive.cli.verify", "verify"),
    "crawl": ("newsarchive.cli.crawl", "crawl"),
    "show": ("newsarchive.cli.show", "show"),
    "search": ("newsarchive.cli.search", "search"),
    "export": ("newsarchive.cli.export", "export"),
    "stats": ("newsarchive.cli.stats", "stats"),
    "serve": ("newsarchive.cli.serve", "serve"),
    "sites": ("newsarchive.cli.sites", "sites"),
    "wacz": ("newsarchive.cli.wacz", "wacz"),
    "probe": ("newsarchive.cli.probe", "probe"),
    "index": ("newsarchive.cli.index", "index"),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attr = COMMANDS[name]
        return getattr(importlib.import_module(module), attr)

    def invoke(self, ctx: click.Context) -> object:
        # Damaged or foreign files are the user's input too: one line, never a traceback.
        from archive.records import ArchiveError

        try:
            return super().invoke(ctx)
        except sqlite3.DatabaseError as exc:
            raise click.ClickException(f"the archive index cannot be read: {exc}") from None
        except ArchiveError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(
                f"{exc.strerror or exc}: {exc.filename or ''}".rstrip(": ")
            ) from None


@click.group(cls=LazyGroup)
@click.version_option(__version__, prog_name="newsarchive")
def main() -> None:
    """Archive Vietnamese district news portals: crawl, keep WARCs, search the index.

    Example:

        newsarchive crawl haian --data ./data
    """
