"""`newsarchive probe URL`: how an unconfigured portal would be crawled, before crawling it."""

from __future__ import annotations

import click

from newsarchive.cli.terminal import json_text

FIELDS = ("title", "published", "lead", "body", "images", "attachments", "tags")


def _short(text: str | None, width: int = 300) -> str:
    if text is None:
        return "(none)"
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _print_sample(n: int, article: dict) -> None:
    prov = article.get("provenance", {})
    click.echo(f"  {n}. {article['url']}")
    for name in ("title", "published", "lead"):
        click.echo(f"     {name} [{prov.get(name, '?')}]: {_short(article.get(name))}")
    body = article.get("body") or ""
    paragraphs = len([p for p in body.split("\n\n") if p.strip()])
    click.echo(f"     body [{prov.get('body', '?')}]: {paragraphs} paragraphs: {_short(body)}")
    images = article.get("images") or []
    click.echo(f"     images [{prov.get('images', '?')}] captions [{prov.get('captions', '?')}]:")
    for image in images:
        click.echo(f"       {image['url']}  caption: {image.get('caption') or '(none)'}")
    files = article.get("attachments") or []
    click.echo(f"     attachments [{prov.get('attachments', '?')}]:")
    for att in files:
        click.echo(f"       {att['url']}  name: {att.get('name') or '(none)'}")
    click.echo(
        f"     tags [{prov.get('tags', '?')}]: {', '.join(article.get('tags') or []) or '(none)'}"
    )


@click.command("probe")
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout, for scripts.")
@click.option(
    "--map",
    "host_map",
    multiple=True,
    metavar="PATTERN=HOST:PORT",
    help="Fetch hosts matching PATTERN from another address (e.g. the replica).",
)
@click.option(
    "--delay",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Seconds between requests (politeness; 0 only for the local replica).",
)
@click.option(
    "--max-fetches",
    type=click.IntRange(min=2, max=200),
    default=16,
    show_default=True,
    help="Pages fetched at most (robots.txt included).",
)
def probe(
    url: str, as_json: bool, host_map: tuple[str, ...], delay: float, max_fetches: int
) -> None:
    """Fetch a few pages of URL (home or listing page) and show how it would be crawled.

    Prints the CMS family guess, categories, pagination scheme, article URL shape, three
    sample articles with each field and how it was found, and the site entry to add.
    robots.txt is obeyed and requests are spaced by --delay.

    Example:

        newsarchive probe https://haian.haiphong.gov.vn/

        newsarchive probe https://haian.haiphong.gov.vn/ --json --delay 0 --map '*.haiphong.gov.vn=127.0.0.1:8765'
    """
    from newsarchive.crawl.crawlsettings import parse_host_map
    from newsarchive.discovery.probe import ProbeError
    from newsarchive.discovery.probe import probe as run_probe

    if not url.startswith(("http://", "https://")):
        raise click.ClickException(f"URL must be an http(s) URL, got {url!r}")
    try:
        mapping = parse_host_map(host_map)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        result = run_probe(url, host_map=mapping, delay=delay, max_fetches=max_fetches)
    except ProbeError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json_text(result.to_dict(), indent=1))
        return
    click.echo(f"Probe of {result.url} ({result.fetched} requests)")
    click.echo(f"CMS family (guess): {result.family}")
    click.echo(f"Profile: {result.profile}")
    click.echo("Categories:")
    for cat in result.categories:
        click.echo(f"  - {cat['name']}  {cat['url']}")
    if not result.categories:
        click.echo("  (none found)")
    click.echo(f"Pagination: {result.pagination or '(no next page seen)'}")
    if result.pagination_example:
        click.echo(f"  next page: {result.pagination_example}")
    click.echo(f"Article URL shape: {result.article_shape or '(unknown)'}")
    click.echo("Sample articles:")
    for n, article in enumerate(result.samples, 1):
        _print_sample(n, article)
    for note in result.notes:
        click.echo(f"Note: {note}")
    click.echo("Site entry to add (sites file, TOML):")
    click.echo(result.site_toml().rstrip())
