"""Other ways in: robots.txt Sitemap: lines, sitemaps (Scrapy's sitemap utilities) and
RSS/Atom feeds linked from pages. Pure functions of (bytes, url, hosts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import etree
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

from newsarchive.discovery.links import same_site_url
from newsarchive.discovery.pagination import parse_doc

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")


@dataclass
class Feed:
    pages: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)


def site_root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _hosts(url: str, hosts: tuple[str, ...]) -> set[str]:
    return {h.lower() for h in hosts} or {(urlsplit(url).hostname or "").lower()}


def sitemaps_from_robots(body: bytes, url: str, hosts: tuple[str, ...] = ()) -> list[str]:
    text = body.decode("utf-8", "replace")
    allowed = _hosts(url, hosts)
    return [
        u
        for s in sitemap_urls_from_robots(text, base_url=url)
        if (u := same_site_url(s, url, allowed))
    ]


def feed_links(html: bytes, url: str, hosts: tuple[str, ...] = ()) -> list[str]:
    """RSS/Atom feeds a page declares with <link rel="alternate" type=...>."""
    doc = parse_doc(html, url)
    if doc is None:
        return []
    allowed = _hosts(url, hosts)
    found = []
    for link in doc.xpath("//link[@href][@type]"):
        if (link.get("type") or "").lower() in FEED_TYPES:
            absolute = same_site_url(link.get("href"), url, allowed)
            if absolute and absolute not in found:
                found.append(absolute)
    return found


def parse_feed(body: bytes, url: str, hosts: tuple[str, ...] = ()) -> Feed:
    """Pages and nested sitemaps of a sitemap, sitemap index, RSS or Atom document."""
    feed = Feed()
    allowed = _hosts(url, hosts)
    if not body or not body.strip():
        return feed
    try:
        sitemap = Sitemap(body)
        kind = sitemap.type
    except (etree.XMLSyntaxError, ValueError, AttributeError):
        sitemap, kind = None, None
    if sitemap is not None and kind in ("urlset", "sitemapindex"):
        target = feed.pages if kind == "urlset" else feed.sitemaps
        for entry in sitemap:
            loc = same_site_url(entry.get("loc", ""), url, allowed)
            if loc and loc not in target:
                target.append(loc)
        return feed
    try:
        root = etree.fromstring(
            body, etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
        )
    except etree.XMLSyntaxError:
        return feed
    if root is None:
        return feed
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        name = etree.QName(el).localname
        parent = el.getparent()
        if parent is None or etree.QName(parent).localname not in ("item", "entry"):
            continue  # the channel's own link is the home page
        href = None
        if name == "link":
            href = el.get("href") or (el.text or "").strip()
            if el.get("rel") not in (None, "alternate"):
                href = None
        elif (
            name == "guid"
            and (el.get("isPermaLink") or "true") == "true"
            and (el.text or "").startswith("http")
        ):
            href = el.text.strip()
        if href:
            absolute = same_site_url(urljoin(url, href), url, allowed)
            if absolute and absolute not in feed.pages and absolute != url:
                feed.pages.append(absolute)
    return feed
