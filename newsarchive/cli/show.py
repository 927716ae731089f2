"""`newsarchive show`: one archived article, its versions, and the page as it was fetched."""

from __future__ import annotations

import difflib
import sys

import click

from newsarchive.cli.terminal import json_text, safe
from newsarchive.cli.toolopts import data_option, open_data

MAX_ID = 2**63 - 1  # SQLite's INTEGER range


def article_key(text: str) -> str | int:
    """An index id (ASCII digits, within SQLite's range) or a URL; a one-line error else."""
    text = text.strip()
    if text.isascii() and text.isdigit():
        if int(text) > MAX_ID:
            raise click.ClickException(f"no archived article with id {safe(text[:40])}")
        return int(text)
    if "://" not in text or not text.isprintable():
        raise click.ClickException(
            f"no archived article {safe(text[:80])!r}: give its URL or its numeric id"
        )
    return text


@click.command()
@click.argument("article")
@data_option
@click.option("--versions", is_flag=True, help="List every version, with what changed.")
@click.option(
    "--html", "as_html", is_flag=True, help="Print the page's HTML as read back from the WARC."
)
@click.option("--json", "as_json", is_flag=True, help="Print the article record as JSON.")
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=50 << 20,
    show_default=True,
    help="--html: stop (exit 1) when the decoded page grows past this size.",
)
def show(
    article: str, data: str | None, versions: bool, as_html: bool, as_json: bool, max_bytes: int
) -> None:
    """Show an archived article by URL or index id.

    --html prints the page its current content was extracted from (for an article now
    gone: the archived page, not the 404), decoded, up to --max-bytes.

    Example:

        newsarchive show https://haian.haiphong.gov.vn/tin-tuc-su-kien/slug-651234 --versions

        newsarchive show 42 --html > page.html
    """
    from archive.index import Index
    from archive.records import ArchiveError
    from archive.warcstream import PayloadTooLarge, stream_payload

    if sum((versions, as_html, as_json)) > 1:
        raise click.ClickException("choose one of --versions, --html, --json")
    data_dir = open_data(data)
    with Index(data_dir.index_path, readonly=True) as index:
        record = index.get_article(article_key(article))
        if record is None:
            raise click.ClickException(
                f"no archived article {safe(article.strip()[:200])!r} (give its URL or id)"
            )
        if as_html:
            capture = index.article_capture(record["id"])
    if as_html:
        if capture is None:
            raise click.ClickException("the index holds no stored page for this article")
        out = sys.stdout.buffer
        try:
            stream_payload(
                data_dir.warc_dir,
                capture.filename,
                capture.offset,
                capture.length,
                out.write,
                max_bytes,
            )
        except PayloadTooLarge as exc:
            out.flush()
            raise click.ClickException(str(exc)) from None
        except ArchiveError as exc:
            raise click.ClickException(f"cannot read the archived page: {exc}") from None
        return
    if as_json:
        click.echo(json_text(record, indent=2, default=str))
        return
    if versions:
        _print_versions(record)
        return
    _print_article(record)


def _print_article(a: dict) -> None:
    a = _safe_record(a)
    click.secho(a["title"] or "(no title)", bold=True)
    click.echo(f"{a['published'] or 'date unknown'} · {a['site']} · {a['url']}")
    status = a["status"] + (f" since {a['status_changed']}" if a["status"] != "active" else "")
    if a.get("moved_to"):
        status += f" -> {a['moved_to']}"
    click.echo(
        f"status {status} · version {a['version']} · first seen {a['first_seen']} · "
        f"last seen {a['last_seen']}"
    )
    if a.get("lead"):
        click.echo("\n" + a["lead"])
    if a.get("body"):
        click.echo("\n" + a["body"])
    for image in a.get("images", []):
        click.echo(
            f"\n[image] {image['url']}"
            + (f"\n        {image['caption']}" if image.get("caption") else "")
        )
    for att in a.get("attachments", []):
        sha = f" sha256 {att['sha256'][:16]}…" if att.get("sha256") else " (not fetched)"
        click.echo(f"[file] {att.get('name') or ''} {att['url']}{sha}")
    if a.get("tags"):
        click.echo("tags: " + ", ".join(a["tags"]))


def _safe_record(record: dict) -> dict:
    """Every text the crawl brought in, escaped for the terminal (lists and rows too)."""
    out: dict = {}
    for key, value in record.items():
        if isinstance(value, str):
            out[key] = safe(value)
        elif isinstance(value, list):
            out[key] = [
                _safe_record(v) if isinstance(v, dict) else safe(v) if isinstance(v, str) else v
                for v in value
            ]
        else:
            out[key] = value
    return out


def _print_versions(a: dict) -> None:
    a = _safe_record(a)
    previous: dict | None = None
    for v in a["versions"]:
        click.secho(f"version {v['version']} captured {v['captured_at']}: {v['title']}", bold=True)
        if previous is not None:
            for field in ("title", "published", "lead", "body"):
                old, new = previous.get(field) or "", v.get(field) or ""
                if old != new:
                    diff = difflib.unified_diff(
                        old.splitlines(),
                        new.splitlines(),
                        f"{field} v{previous['version']}",
                        f"{field} v{v['version']}",
                        lineterm="",
                    )
                    click.echo("\n".join(diff))
        previous = v
