"""Configured sites, as data: a TOML sites file (see sites.toml beside this module).

Which file: `--sites FILE`, else `NEWSARCHIVE_SITES`, else `./sites.toml` when present, else
the file shipped with the package (the haiphong family's known sites). Adding a site is an
entry in that file (`newsarchive sites add URL`), never Python.
"""

from __future__ import annotations

import importlib.resources
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

# Through importlib.resources: under Scrapyd the package runs from a zipped egg.
SHIPPED_SITES = importlib.resources.files("newsarchive.portals") / "sites.toml"
ENV_VAR = "NEWSARCHIVE_SITES"
LOCAL_SITES = "sites.toml"
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# Per-site politeness keys and the Scrapy setting each one overrides for that site's spider.
POLITENESS_SETTINGS = {
    "download_delay": "DOWNLOAD_DELAY",
    "concurrency": "CONCURRENT_REQUESTS_PER_DOMAIN",
    "autothrottle_max_delay": "AUTOTHROTTLE_MAX_DELAY",
}
_FIELDS = {"title", "start_urls", "hosts", "file_hosts", "profile", "politeness"}


class SitesError(ValueError):
    """A sites file that cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class Site:
    name: str
    title: str
    profile: str
    """A profile name, or "auto": picked from the start URL when the crawl starts."""
    start_urls: tuple[str, ...]
    hosts: tuple[str, ...] = ()
    """Hosts whose pages belong to the site (default: the start URLs' hosts)."""
    file_hosts: tuple[str, ...] = ()
    """Extra hosts (globs) of the site's files, e.g. a shared CDN (default: the profile's)."""
    politeness: dict[str, float] = field(default_factory=dict, hash=False)

    @property
    def own_hosts(self) -> tuple[str, ...]:
        return self.hosts or tuple(sorted({urlsplit(u).hostname or "" for u in self.start_urls}))

    def resolved_profile(self) -> str:
        if self.profile != "auto":
            return self.profile
        from newsarchive.portals.profiles import profile_for_url

        return profile_for_url(self.start_urls[0]).name

    def scrapy_settings(self) -> dict[str, Any]:
        """This site's politeness overrides as Scrapy settings (spider priority)."""
        return {POLITENESS_SETTINGS[k]: v for k, v in self.politeness.items()}

    def to_toml(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"title": self.title, "start_urls": list(self.start_urls)}
        if self.hosts:
            entry["hosts"] = list(self.hosts)
        if self.file_hosts:
            entry["file_hosts"] = list(self.file_hosts)
        entry["profile"] = self.profile
        if self.politeness:
            entry["politeness"] = dict(self.politeness)
        return entry


def sites_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The sites file in force (see the module docstring for the order)."""
    if explicit:
        return Path(explicit)
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    local = Path(LOCAL_SITES)
    return local if local.is_file() else SHIPPED_SITES


def writable_sites_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Where `sites add/remove` write: never the shipped file (a package upgrade replaces it)."""
    if explicit:
        return Path(explicit)
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    return Path(LOCAL_SITES)


def _strings(name: str, key: str, value: Any, *, required: bool = False) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise SitesError(f"site {name!r}: {key} must be a list of strings")
    if required and not value:
        raise SitesError(f"site {name!r}: {key} must not be empty")
    return tuple(value)


def parse_site(name: str, entry: Any) -> Site:
    """One `[sites.NAME]` table to a Site; SitesError says what is wrong."""
    from newsarchive.portals.profiles import PROFILES

    if not NAME_RE.match(name):
        raise SitesError(
            f"site name {name!r}: use lowercase letters, digits, '-' or '_' (at most 64)"
        )
    if not isinstance(entry, dict):
        raise SitesError(f"site {name!r} must be a table")
    unknown = sorted(set(entry) - _FIELDS)
    if unknown:
        raise SitesError(f"site {name!r}: unknown key {unknown[0]!r} (known: {sorted(_FIELDS)})")
    start_urls = _strings(name, "start_urls", entry.get("start_urls"), required=True)
    for url in start_urls:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise SitesError(f"site {name!r}: start URL {url!r} is not an http(s) URL")
    profile = entry.get("profile", "auto")
    if profile != "auto" and profile not in PROFILES:
        raise SitesError(
            f"site {name!r}: unknown profile {profile!r} (known: auto, {', '.join(PROFILES)})"
        )
    politeness = entry.get("politeness", {})
    if not isinstance(politeness, dict):
        raise SitesError(f"site {name!r}: politeness must be a table")
    for key, value in politeness.items():
        if key not in POLITENESS_SETTINGS:
            raise SitesError(
                f"site {name!r}: unknown politeness key {key!r} "
                f"(known: {', '.join(POLITENESS_SETTINGS)})"
            )
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise SitesError(f"site {name!r}: politeness {key} must be a number >= 0")
    title = entry.get("title", name)
    if not isinstance(title, str):
        raise SitesError(f"site {name!r}: title must be a string")
    return Site(
        name=name,
        title=title,
        profile=profile,
        start_urls=start_urls,
        hosts=_strings(name, "hosts", entry.get("hosts")),
        file_hosts=_strings(name, "file_hosts", entry.get("file_hosts")),
        politeness=dict(politeness),
    )


def parse_sites(text: str, source: str = "sites file") -> dict[str, Site]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SitesError(f"{source}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"sites"})
    if unknown:
        raise SitesError(f"{source}: unknown top-level key {unknown[0]!r} (expected [sites.NAME])")
    tables = data.get("sites", {})
    if not isinstance(tables, dict):
        raise SitesError(f"{source}: 'sites' must hold one table per site")
    try:
        return {name: parse_site(name, entry) for name, entry in tables.items()}
    except SitesError as exc:
        raise SitesError(f"{source}: {exc}") from None


def load_sites(path: str | os.PathLike[str] | None = None) -> dict[str, Site]:
    """Every site of the sites file in force (or `path`); SitesError when unusable."""
    file = sites_path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SitesError(f"sites file not found: {file}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SitesError(f"cannot read the sites file {file}: {exc}") from None
    return parse_sites(text, str(file))


def get_site(name: str, path: str | os.PathLike[str] | None = None) -> Site:
    sites = load_sites(path)
    try:
        return sites[name]
    except KeyError:
        raise KeyError(f"unknown site {name!r} (known: {', '.join(sorted(sites))})") from None


# -- editing a user's sites file (comments and layout kept: tomlkit) -----------------------


def _open_for_edit(path: Path) -> Any:
    import tomlkit

    if path.is_file():
        text = path.read_text(encoding="utf-8")
        parse_sites(text, str(path))  # refuse to edit a file we could not read back
    else:
        # A new user file starts from the shipped sites: once it exists it replaces them.
        text = SHIPPED_SITES.read_text(encoding="utf-8")
    return tomlkit.parse(text)


def _write(path: Path, document: Any) -> None:
    import tomlkit

    text = tomlkit.dumps(document)
    parse_sites(text, str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def add_site(path: Path, site: Site, *, replace: bool = False) -> None:
    import tomlkit

    document = _open_for_edit(path)
    if "sites" not in document:
        document["sites"] = tomlkit.table(is_super_table=True)
    tables = document["sites"]
    if site.name in tables and not replace:
        raise SitesError(f"site {site.name!r} is already in {path}")
    table = tomlkit.table()
    for key, value in site.to_toml().items():
        table[key] = value
    tables[site.name] = table
    _write(path, document)


def remove_site(path: Path, name: str) -> None:
    document = _open_for_edit(path)
    tables = document.get("sites", {})
    if name not in tables:
        raise SitesError(f"no site {name!r} in {path}")
    del tables[name]
    _write(path, document)
