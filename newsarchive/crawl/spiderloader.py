"""Scrapy's SPIDER_LOADER_CLASS for newsarchive: one spider class per configured site,
made from the sites file (no per-site Python), plus the spiders found in SPIDER_MODULES
(the ad hoc one). `scrapy list` and `scrapy crawl NAME` go through it."""

from __future__ import annotations

from typing import Any

from scrapy import Request, Spider
from scrapy.settings import BaseSettings
from scrapy.spiderloader import SpiderLoader

from newsarchive.portals.sites import Site, load_sites


def site_spider(site: Site) -> type[Spider]:
    """A PortalSpider subclass bound to `site`, with the site's politeness overrides."""
    from spiders.base import PortalSpider

    attrs: dict[str, Any] = {
        "name": site.name,
        "site_name": site.name,
        "site_config": site,
        "custom_settings": site.scrapy_settings(),
        "__module__": __name__,
        "__doc__": f"Crawl of {site.title} ({', '.join(site.start_urls)}).",
    }
    class_name = "".join(p.capitalize() for p in site.name.replace("_", "-").split("-"))
    return type(f"{class_name}Spider", (PortalSpider,), attrs)


class SiteSpiderLoader:
    """Spiders of the sites file named by NEWSARCHIVE_SITES (setting or environment)."""

    def __init__(self, settings: BaseSettings) -> None:
        self.code_spiders = SpiderLoader.from_settings(settings)
        self.sites = load_sites(settings.get("NEWSARCHIVE_SITES") or None)
        self._classes: dict[str, type[Spider]] = {}
        clash = sorted(set(self.sites) & set(self.code_spiders.list()))
        if clash:
            raise ValueError(f"site name {clash[0]!r} is also a spider in SPIDER_MODULES")

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> SiteSpiderLoader:
        return cls(settings)

    def load(self, spider_name: str) -> type[Spider]:
        if spider_name in self.sites:
            if spider_name not in self._classes:
                self._classes[spider_name] = site_spider(self.sites[spider_name])
            return self._classes[spider_name]
        return self.code_spiders.load(spider_name)

    def list(self) -> list[str]:
        return sorted(self.sites) + self.code_spiders.list()

    def find_by_request(self, request: Request) -> list[str]:
        return [name for name in self.list() if self.load(name).handles_request(request)]
