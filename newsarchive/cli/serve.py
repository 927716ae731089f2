"""`newsarchive serve`: browse and search the index in a browser with Datasette."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import click

from newsarchive.cli.toolopts import data_option, open_data


@click.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8001,
    show_default=True,
    help="Port (0: any free port).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0: every interface).",
)
@click.option("--open", "open_browser", is_flag=True, help="Open a web browser on the archive.")
@data_option
def serve(port: int, host: str, open_browser: bool, data: str | None) -> None:
    """Browse the archive in a web browser (Datasette, read-only).

    Articles are searchable with or without Vietnamese accents, with facets by site, status
    and month; canned queries list the latest articles, the articles gone from their site
    and articles per month. The index is opened read-only: a crawl can run meanwhile.

    Example:

        newsarchive serve --port 8001

        then open http://127.0.0.1:8001/index/articles?_search=dang+bo
    """
    from datasette.cli import serve as datasette_serve
    from datasette.plugins import pm

    from archive.readonly import connect_readonly, needs_immutable
    from newsarchive import datasette_plugin
    from newsarchive.datasette_meta import build_metadata

    data_dir = open_data(data)
    connect_readonly(data_dir.index_path).close()  # a foreign file: one line, not a server
    if not pm.is_registered(datasette_plugin):
        pm.register(datasette_plugin, name="newsarchive")  # in-process: no plugins dir needed
    with tempfile.TemporaryDirectory(prefix="newsarchive-serve-") as tmp:
        metadata = Path(tmp) / "metadata.json"
        metadata.write_text(json.dumps(build_metadata(), ensure_ascii=False), encoding="utf-8")
        # A file database that is not --immutable is opened by Datasette with mode=ro:
        # read-only, yet it sees the rows a running crawl adds (--immutable would not).
        index = str(data_dir.index_path.resolve())
        # On read-only media (a copied archive) a WAL index opens only as immutable.
        args = [
            *(["--immutable", index] if needs_immutable(index) else [index]),
            "--metadata", str(metadata),
            "--template-dir", str(Path(datasette_plugin.__file__).parent / "datasette_templates"),
            "--host", host,
            "--port", str(port),
            "--setting", "sql_time_limit_ms", "5000",
            "--setting", "facet_time_limit_ms", "1000",
            "--setting", "suggest_facets", "off",
        ]  # fmt: skip
        if open_browser:
            args.append("--open")
        datasette_serve.main(args=args, prog_name="newsarchive serve", standalone_mode=False)
