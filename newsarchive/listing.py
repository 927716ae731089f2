"""Listing pages: which links are articles, which are categories, where the next page is.

A pure function of (html bytes, url, profile), like extraction: the spider only routes.
Pagination is found without knowing the scheme: the profile's hint first, then rel=next,
"next" link texts, the numbered link after the current page, and ASP.NET postbacks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from newsarchive.urlparts import path_and_query, resolve_url

# Link texts that mean "next page" on Vietnamese portals (compared case-folded, stripped).
NEXT_TEXTS = frozenset({"»", "›", ">", ">>", "sau", "tiếp", "trang sau", "tiếp theo", "next"})
POSTBACK_RE = re.compile(r"__doPostBack\(\s*'([^']*)'\s*,\s*'([^']*)'\s*\)")
PAGE_NUMBER_RES = (
    re.compile(r"[?&](?:page|p|trang|pageindex)=(\d+)", re.I),
    re.compile(r"/trang-(\d+)(?:[/?#]|$)", re.I),
    re.compile(r"/page/(\d+)(?:[/?#]|$)", re.I),
)
# Without a profile, an article URL on these portals ends in a numeric id.
GENERIC_ARTICLE_RES = (
    re.compile(r"-\d{3,}(?:\.html?)?$", re.I),
    re.compile(r"[?&](?:ContentID|newsid|id)=\d+", re.I),
)


@dataclass(frozen=True)
class Postback:
    """An ASP.NET pager link: POST the page's form with these as __EVENTTARGET/ARGUMENT."""

    target: str
    argument: str
    page: int | None


@dataclass
class Listing:
    article_urls: list[str] = field(default_factory=list)
    listing_urls: list[str] = field(default_factory=list)
    next_url: str | None = None
    next_postback: Postback | None = None
    page: int = 1


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


def parse_listing(
    html: bytes,
    url: str,
    profile: Any = None,
    *,
    allowed_hosts: tuple[str, ...] = (),
    current_page: int | None = None,
) -> Listing:
    """Classify the links of one listing (or home) page."""
    listing = Listing(page=current_page or page_number(url) or 1)
    if not html or not html.strip():
        return listing
    try:
        doc = lxml.html.document_fromstring(html, base_url=url)
    except (ValueError, lxml.etree.ParserError):
        return listing
    article_res = _patterns(profile, "article_url_patterns") or list(GENERIC_ARTICLE_RES)
    listing_res = _patterns(profile, "listing_url_patterns")
    hosts = {h.lower() for h in allowed_hosts} or {(urlsplit(url).hostname or "").lower()}

    seen: set[str] = set()
    numbered: dict[int, str] = {}
    postbacks: dict[int, Postback] = {}
    next_by_text: str | None = None
    next_postback_by_text: Postback | None = None
    for anchor in doc.iter("a"):
        href = (anchor.get("href") or "").strip()
        text = " ".join(anchor.text_content().split()).casefold()
        if href.lower().startswith("javascript:"):
            match = POSTBACK_RE.search(href)
            if match:
                postback = Postback(match.group(1), match.group(2), _postback_page(match.group(2)))
                if text.isdigit():
                    postbacks[int(text)] = postback
                elif text in NEXT_TEXTS and next_postback_by_text is None:
                    next_postback_by_text = postback
            continue
        if not href or href.startswith(("mailto:", "tel:", "#")):
            continue
        absolute = resolve_url(url, href)  # the one URL identity (urlparts.canonical_url)
        if absolute is None:
            continue
        parts = urlsplit(absolute)
        if (parts.hostname or "").lower() not in hosts:
            continue
        target = path_and_query(absolute)
        if text.isdigit() and page_number(absolute) is not None:
            numbered[int(text)] = absolute
            continue
        if text in NEXT_TEXTS and next_by_text is None and page_number(absolute) is not None:
            next_by_text = absolute
            continue
        if absolute in seen:
            continue
        seen.add(absolute)
        if any(r.search(target) for r in article_res):
            listing.article_urls.append(absolute)
        elif any(r.search(target) for r in listing_res):
            listing.listing_urls.append(absolute)

    hinted: list[str] = []
    for xpath in getattr(profile, "next_page_xpaths", ()) or ():
        found = doc.xpath(xpath)
        if found:
            hinted.append(_href(found[0]))
            break
    hinted += [str(h) for h in doc.xpath("//link[@rel='next']/@href | //a[@rel='next']/@href")]
    wanted = listing.page + 1
    for href in hinted:
        match = POSTBACK_RE.search(href)
        if match:
            target, argument = match.group(1), match.group(2)
            listing.next_postback = Postback(target, argument, _postback_page(argument))
            return listing
        next_url = resolve_url(url, href)
        if next_url is not None:
            listing.next_url = next_url
            return listing
    if wanted in numbered:
        listing.next_url = numbered[wanted]
    elif next_by_text:
        listing.next_url = next_by_text
    if listing.next_url is None:
        if wanted in postbacks:
            listing.next_postback = postbacks[wanted]
        elif next_postback_by_text is not None:
            listing.next_postback = next_postback_by_text
    return listing
