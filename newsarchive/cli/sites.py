"""`newsarchive sites`: list, add and remove configured sites (the sites file, TOML)."""

from __future__ import annotations

import click

from newsarchive.cli.exitcodes import ConfigError
from newsarchive.cli.terminal import json_text
from newsarchive.cli.toolopts import sites_option


def _load(sites_file: str | None):  # -> dict[str, Site]
    from newsarchive.portals.sites import SitesError, load_sites

    try:
        return load_sites(sites_file)
    except SitesError as exc:
        raise ConfigError(str(exc)) from None


@click.group("sites")
def sites() -> None:
    """The sites the crawler knows, kept as data in a sites file (TOML).

    The file in force: --sites FILE, else NEWSARCHIVE_SITES, else ./sites.toml when it
    exists, else the sites shipped with newsarchive. `add` and `remove` never edit the
    shipped file: they write ./sites.toml (created from the shipped sites) or the given one.

    Example:

        newsarchive sites add https://tienlang.haiphong.gov.vn/ --sites my-sites.toml
    """


@sites.command("list")
@sites_option
@click.option("--json", "as_json", is_flag=True, help="One JSON object per site.")
def list_sites(sites_file: str | None, as_json: bool) -> None:
    """List the configured sites: name, profile, start URL, title.

    Example:

        newsarchive sites list --sites my-sites.toml
    """
    from newsarchive.portals.sites import sites_path

    configured = _load(sites_file)
    if as_json:
        for site in configured.values():
            click.echo(json_text({"name": site.name, **site.to_toml()}))
        return
    click.echo(f"# {len(configured)} sites in {sites_path(sites_file)}")
    for site in configured.values():
        click.echo(f"{site.name}\t{site.profile}\t{' '.join(site.start_urls)}\t{site.title}")


@sites.command("add")
@click.argument("url")
@click.option("--name", help="Site name (default: the host's first label).")
@click.option("--title", help="Title (default: the page's <title>).")
@click.option("--profile", help="Extraction profile or 'auto' (default: guessed from the page).")
@sites_option
@click.option(
    "--map",
    "host_map",
    multiple=True,
    metavar="PATTERN=HOST:PORT",
    help="Fetch hosts matching PATTERN from another address (e.g. the replica).",
)
@click.option("--replace", is_flag=True, help="Replace an entry of the same name.")
def add_site(
    url: str,
    name: str | None,
    title: str | None,
    profile: str | None,
    sites_file: str | None,
    host_map: tuple[str, ...],
    replace: bool,
) -> None:
    """Probe URL (fetch it, guess the profile) and add the site to the sites file.

    Example:

        newsarchive sites add https://tienlang.haiphong.gov.vn/ --name tienlang
    """
    from newsarchive.portals.guess import ProbeError, guess_site, name_from_url
    from newsarchive.portals.sites import Site, SitesError, parse_site, writable_sites_path
    from newsarchive.urlparts import parse_host_map

    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"URL must be an http(s) URL, got {url!r}")
    try:
        mapping = parse_host_map(host_map)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    path = writable_sites_path(sites_file)
    name = name or name_from_url(url)
    try:
        guess = guess_site(url, host_map=mapping)
    except ProbeError as exc:
        raise click.ClickException(str(exc)) from None
    entry = Site(
        name=name,
        title=title or guess.title,
        profile=profile or guess.profile,
        start_urls=guess.start_urls,
    ).to_toml()
    created = not path.exists()
    try:
        site = parse_site(name, entry)  # same checks as loading the file
        from newsarchive.portals.sites import add_site as write_site

        write_site(path, site, replace=replace)
    except SitesError as exc:
        raise ConfigError(str(exc)) from None
    if created:
        click.echo(f"created {path} (from the shipped sites)")
    click.echo(f"added {site.name}: {site.profile} {' '.join(site.start_urls)} ({site.title})")


@sites.command("remove")
@click.argument("name")
@sites_option
def remove_site(name: str, sites_file: str | None) -> None:
    """Remove a site from the sites file (its archived pages stay in the archive).

    Example:

        newsarchive sites remove tienlang --sites my-sites.toml
    """
    from newsarchive.portals.sites import SitesError, writable_sites_path
    from newsarchive.portals.sites import remove_site as drop_site

    path = writable_sites_path(sites_file)
    try:
        drop_site(path, name)
    except SitesError as exc:
        raise ConfigError(str(exc)) from None
    click.echo(f"removed {name} from {path}")
