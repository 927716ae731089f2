"""Listing pages: which links are articles, which are categories, where the next page is.

A pure function of (html bytes, url, profile), like extraction: the spider only routes.
With a profile, its URL patterns classify links and its next-page hints come first.
Without one (generic), links are classified by structure (newsarchive.discovery.links) and
pagination is found by the pager's structure (newsarchive.discovery.pagination).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from newsarchive.discovery.links import classify_links, same_site_url
from newsarchive.discovery.pagination import (
    NEXT_TEXTS,
    POSTBACK_RE,
    NextPage,
    Postback,
    _variant,
    find_next,
    parse_doc,
)
from newsarchive.discovery.urlshape import ShapeBook
from newsarchive.urlparts import path_and_query, resolve_url

__all__ = ["Listing", "Postback", "page_number", "parse_listing"]

PREV_TEXTS = frozenset({"«", "‹", "<", "<<", "trước", "trang trước", "đầu", "cuối", "trang đầu"})
PAGE_NUMBER_RES = (
    re.compile(r"[?&](?:page|p|trang|pageindex|_?\w*cur)=(\d+)", re.I),
    re.compile(r"/trang-(\d+)(?:[/?#]|$)", re.I),
    re.compile(r"/page/(\d+)(?:[/?#]|$)", re.I),
)


@dataclass
class Listing:
    article_urls: list[str] = field(default_factory=list)
    listing_urls: list[str] = field(default_factory=list)
    next_url: str | None = None
    next_postback: Postback | None = None
    page: int = 1
    scheme: str = ""  # how the next page was found ("?page=N", "postback Page$N", ...)
    in_context: set[str] = field(default_factory=set)  # article links in dated/thumbnail items
    # The parsed page, for whoever reads more of it (listing entries): parsed once.
    doc: Any = field(default=None, repr=False, compare=False)


def page_number(url: str) -> int | None:
    for regex in PAGE_NUMBER_RES:
        match = regex.search(url)
        if match:
            return int(match.group(1))
    return None


def _patterns(profile: Any, name: str) -> list[re.Pattern[str]]:
    return [re.compile(p) for p in getattr(profile, name, ()) or ()]


def _href(found: Any) -> str:
    """An xpath hit as an href: attribute values come as strings, elements give @href."""
    if isinstance(found, str):
        return found
    return str(found.get("href") or "")


def _postback_page(argument: str) -> int | None:
    match = re.search(r"(\d+)$", argument)
    return int(match.group(1)) if match else None


def _hinted(doc: Any, url: str, profile: Any) -> NextPage | None:
    """The profile's own next-page XPaths, when it has any and one matches."""
    for xpath in getattr(profile, "next_page_xpaths", ()) or ():
        found = doc.xpath(xpath)
        if not found:
            continue
        href = _href(found[0]).strip()
        match = POSTBACK_RE.search(href)
        if match:
            pb = Postback(match.group(1), match.group(2), _postback_page(match.group(2)))
            return NextPage(postback=pb, scheme="profile", page=pb.page)
        if href and not href.lower().startswith("javascript:"):
            return NextPage(url=resolve_url(url, href), scheme="profile")
    return None


def parse_listing(
    html: bytes,
    url: str,
    profile: Any = None,
    *,
    allowed_hosts: tuple[str, ...] = (),
    current_page: int | None = None,
    book: ShapeBook | None = None,
    http_charset: str | None = None,
) -> Listing:
    """Classify the links of one listing (or home) page and find its next page."""
    listing = Listing(page=current_page or page_number(url) or 1)
    doc = parse_doc(html, url, http_charset)
    if doc is None:
        return listing
    listing.doc = doc
    hosts = {h.lower() for h in allowed_hosts} or {(urlsplit(url).hostname or "").lower()}
    article_res = _patterns(profile, "article_url_patterns")
    generic = not article_res

    hint = None if generic or getattr(profile, "is_generic", False) else _hinted(doc, url, profile)
    found = hint or find_next(doc, url, current_page=current_page, allowed_hosts=tuple(hosts))
    listing.next_url, listing.next_postback, listing.scheme = (
        found.url,
        found.postback,
        found.scheme,
    )

    # Links to other pages of this same listing (first, previous, last) are pagination, not
    # categories or articles: those of the pager the next page came from, and numbered ones.
    pager: set[str] = {listing.next_url} if listing.next_url else set()
    found_variant = _variant(url, listing.next_url) if listing.next_url else None
    for anchor in doc.iter("a"):
        absolute = same_site_url(anchor.get("href") or "", url, hosts)
        variant = _variant(url, absolute) if absolute else None
        if variant is None:
            continue
        text = " ".join(anchor.text_content().split()).casefold()
        same_pager = found_variant is not None and variant.template == found_variant.template
        if same_pager or not text or text.isdigit() or text in NEXT_TEXTS or text in PREV_TEXTS:
            pager.add(absolute)

    if generic:
        links = classify_links(doc, url, hosts, book, skip=pager)
        listing.article_urls, listing.listing_urls = links.articles, links.others
        listing.in_context = links.in_context
        return listing

    listing_res = _patterns(profile, "listing_url_patterns")
    seen: set[str] = set(pager)
    for anchor in doc.iter("a"):
        absolute = same_site_url(anchor.get("href") or "", url, hosts)
        if absolute is None or absolute in seen:
            continue
        seen.add(absolute)
        target = path_and_query(absolute)
        if any(r.search(target) for r in article_res):
            listing.article_urls.append(absolute)
        elif any(r.search(target) for r in listing_res):
            listing.listing_urls.append(absolute)
    return listing
