"""Which links of a page may be articles, found by URL shape and link context.

Without a profile nothing here is final: a link is an article *candidate* when its URL names
one item (see urlshape) or when it sits in a list item with a date or a thumbnail; the
spider then reads the page and keeps it as an article only if it extracts as one. Shapes
the crawl has learned (ShapeBook) override the priors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag, urlsplit

from newsarchive.discovery.urlshape import ShapeBook, looks_like_article_url, url_shape
from newsarchive.urlparts import resolve_url

DATE_NEAR = re.compile(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{4}\b|\b\d{4}-\d{2}-\d{2}\b")
ITEM_TAGS = frozenset({"li", "tr", "article", "div", "dd", "dt", "td", "p"})


@dataclass
class PageLinks:
    articles: list[str] = field(default_factory=list)  # article candidates, page order
    others: list[str] = field(default_factory=list)  # same-host pages that are not articles
    in_context: set[str] = field(default_factory=set)  # candidates seen in a dated/thumbnail item


def same_site_url(href: str, base: str, hosts: set[str]) -> str | None:
    """Canonical absolute URL (urlparts.resolve_url, the one URL identity) when `href`
    stays on one of `hosts`; else None."""
    absolute = resolve_url(base, href)
    if absolute is None or (urlsplit(absolute).hostname or "").lower() not in hosts:
        return None
    return absolute


def in_item_context(anchor: Any) -> bool:
    """The link is the title of a list item: the item holds a date or a thumbnail."""
    text = " ".join(anchor.text_content().split())
    has_img = anchor.find(".//img") is not None
    if len(text) < 12 and not has_img:
        return False
    node = anchor.getparent()
    for _ in range(3):
        if node is None or not isinstance(node.tag, str):
            return False
        if node.tag in ITEM_TAGS:
            item_text = node.text_content()
            if len(item_text) > 800:
                return False
            if DATE_NEAR.search(item_text) or node.find(".//time") is not None:
                return True
            if has_img or node.find(".//img") is not None:
                return len(node.findall(".//a")) <= 4
        node = node.getparent()
    return False


def classify_links(
    doc: Any,
    url: str,
    hosts: set[str],
    book: ShapeBook | None = None,
    skip: set[str] | None = None,
) -> PageLinks:
    found = PageLinks()
    seen: set[str] = set(skip or ()) | {urldefrag(url)[0]}
    for anchor in doc.iter("a"):
        absolute = same_site_url(anchor.get("href") or "", url, hosts)
        if absolute is None or absolute in seen:
            if absolute and absolute in found.articles and in_item_context(anchor):
                found.in_context.add(absolute)
            continue
        if url_shape(absolute) is None:
            continue  # a file (by extension): extraction finds attachments
        seen.add(absolute)
        context = in_item_context(anchor)
        verdict = book.is_article(absolute) if book is not None else None
        if verdict is None:
            verdict = looks_like_article_url(absolute) or context
        if verdict:
            found.articles.append(absolute)
            if context:
                found.in_context.add(absolute)
        else:
            found.others.append(absolute)
    return found
