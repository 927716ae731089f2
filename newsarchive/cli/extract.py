"""`newsarchive extract`: one saved page -> one JSON object (the extraction contract)."""

from __future__ import annotations

import sys

import click

from newsarchive.cli.terminal import json_text


@click.command("extract")
@click.argument("page", metavar="PAGE.html")
@click.option(
    "--url", required=True, help="URL the page was fetched from (final URL after redirects)."
)
@click.option(
    "--profile",
    "profile_name",
    default=None,
    metavar="NAME",
    help="Site profile (haiphong-c, haiphong-b, haiphong-a, generic). "
    "Default: chosen from the URL's host and shape.",
)
@click.option(
    "--http-charset",
    default=None,
    metavar="CHARSET",
    help="Charset from the HTTP Content-Type header, if known.",
)
def extract(page: str, url: str, profile_name: str | None, http_charset: str | None) -> None:
    """Extract the article in PAGE.html and print it as one JSON object.

    Keys: url, title, published (ISO 8601 with offset, or null), lead, body (paragraphs
    joined by a blank line), images [{url, caption}], attachments [{url, name}], tags,
    provenance {field: profile|fallback|missing}, warnings. PAGE.html may be "-" for stdin.

    Example:

        newsarchive extract page.html --url https://haian.haiphong.gov.vn/tin-tuc-su-kien/slug-680867

        newsarchive extract page.html --url https://example.vn/a.html --profile generic
    """
    from newsarchive.extract import extract as run_extract
    from newsarchive.extract.urls import normalize_url
    from newsarchive.portals.profiles import PROFILES, get_profile

    profile = None
    if profile_name is not None:
        if profile_name not in PROFILES:
            raise click.ClickException(
                f"unknown profile {profile_name!r} (known: {', '.join(sorted(PROFILES))})"
            )
        profile = get_profile(profile_name)
    if normalize_url(url) is None:
        raise click.ClickException(f"--url must be an absolute http(s) URL, got {url!r}")
    data = _read(page)
    article = run_extract(data, url, profile, http_charset=http_charset)
    out = json_text(article.to_dict())
    # UTF-8 bytes whatever the locale: consumers parse this as JSON, not as terminal text.
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        click.echo(out)
    else:
        stream.write(out.encode("utf-8") + b"\n")
        stream.flush()


def _read(page: str) -> bytes:
    try:
        if page == "-":
            with click.open_file("-", "rb") as fh:
                data = fh.read()
        else:
            with open(page, "rb") as fh:
                data = fh.read()
    except OSError as exc:
        raise click.ClickException(f"cannot read {page}: {exc.strerror or exc}") from None
    if not data.strip():
        raise click.ClickException(f"{page} is empty")
    return data
