"""Configured sites: a name, a profile and where the crawl starts. Adding a site is one entry
here plus a spider of a few lines in spiders/."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Site:
    name: str
    title: str
    profile: str
    start_urls: tuple[str, ...]
    # Hosts whose pages belong to the site; files may also come from the profile's
    # attachment hosts (the CDN). Anything else is never followed.
    hosts: tuple[str, ...] = field(default=())

    @property
    def own_hosts(self) -> tuple[str, ...]:
        return self.hosts or tuple(sorted({urlsplit(u).hostname or "" for u in self.start_urls}))


SITES: dict[str, Site] = {
    site.name: site
    for site in (
        Site(
            name="haian",
            title="Cổng thông tin điện tử quận Hải An",
            profile="haiphong-c",
            start_urls=("https://haian.haiphong.gov.vn/",),
        ),
        Site(
            name="lechan",
            title="Cổng thông tin điện tử quận Lê Chân",
            profile="haiphong-b",
            start_urls=("https://lechan.haiphong.gov.vn/",),
        ),
        Site(
            name="vinhbao",
            title="Cổng thông tin điện tử huyện Vĩnh Bảo",
            profile="haiphong-a",
            start_urls=("https://vinhbao.haiphong.gov.vn/Portal/Default.aspx",),
        ),
    )
}


def get_site(name: str) -> Site:
    try:
        return SITES[name]
    except KeyError:
        known = ", ".join(sorted(SITES))
        raise KeyError(f"unknown site {name!r} (known: {known})") from None
