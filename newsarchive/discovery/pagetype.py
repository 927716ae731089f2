"""Article or listing? Decided from what the page extracts to, not from its URL.

A listing's "body" (what the generic extractor finds as the main text) is made of the titles
of the items it links to, and their dates; an article's body is text that links nowhere.
"""

from __future__ import annotations

import re
from typing import Any

from newsarchive.discovery.links import in_item_context
from newsarchive.discovery.pagination import parse_doc

MIN_BODY_CHARS = 120
MAX_LINKED_SHARE = 0.3
OWN_TEXT_RATIO = 0.5  # an article's own text outweighs half its lists of other articles
_DATE_ONLY = re.compile(r"^[\W\d]*$")
_WORD = re.compile(r"\w+")
HEADLINE_WORDS = 7  # category names are shorter ("Tin tức - Sự kiện", "Văn hóa - Thể thao")


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def link_texts(doc: Any) -> set[str]:
    texts = set()
    for anchor in doc.iter("a"):
        text = _key(anchor.text_content())
        if len(text) >= 12:
            texts.add(text)
    return texts


def item_title_chars(doc: Any) -> int:
    """Characters of link texts that are titles of dated or illustrated list items."""
    return sum(len(" ".join(a.text_content().split())) for a in doc.iter("a") if in_item_context(a))


def _signature(el: Any) -> tuple[str, str]:
    return (str(el.tag), " ".join(sorted((el.get("class") or "").split())))


def _titled_item(el: Any) -> bool:
    """An element led by a link title: a link of 12+ characters that starts its text or
    makes 15%+ of it."""
    whole = " ".join(el.text_content().split())
    for a in el.iter("a"):
        text = " ".join(a.text_content().split())
        if len(text) >= 12 and (whole.startswith(text) or len(text) / len(whole) >= 0.15):
            return True
    return False


def in_repeated_item(doc: Any, text: str) -> bool:
    """The element holding `text` is (inside) one of several alike siblings that each link
    somewhere: an item of a list of articles, not an article's own body."""
    probe = "".join(text.split()).casefold()[:40]
    if not probe:
        return False
    holder = None
    for el in doc.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body"):
            continue
        if probe in "".join(el.text_content().split()).casefold():
            holder = el  # document order: the last hit is the deepest holder
    node = holder
    for _ in range(4):
        if node is None:
            return False
        parent = node.getparent()
        if parent is None:
            return False
        alike = [
            sib
            for sib in parent
            if isinstance(sib.tag, str)
            and _signature(sib) == _signature(node)
            and _titled_item(sib)
        ]
        if len(alike) >= 2 and node in alike:
            return True
        node = parent
    return False


def is_article(article: dict[str, Any], html: bytes, url: str) -> bool:
    """True when the extracted page reads as one article: a title, and more text of its own
    that links nowhere than the titles of the list items it links to."""
    title = (article.get("title") or "").strip()
    body = article.get("body") or ""
    if not title or len(body) < MIN_BODY_CHARS:
        return False
    doc = parse_doc(html, url)
    if doc is None:
        return False
    texts = link_texts(doc)
    paragraphs = [_key(p) for p in body.split("\n\n") if p.strip()]
    if not paragraphs:
        return False
    linked = [p for p in paragraphs if p in texts or _DATE_ONLY.match(p)]
    if len(linked) / len(paragraphs) >= MAX_LINKED_SHARE:
        return False
    own = sum(len(p) for p in paragraphs) - sum(len(p) for p in linked)
    if in_repeated_item(doc, paragraphs[0]):
        return False
    if own >= OWN_TEXT_RATIO * item_title_chars(doc):
        return True
    # A short article beside long lists of others: a headline (not a category name) and text.
    return len(_WORD.findall(title)) >= HEADLINE_WORDS and own >= MIN_BODY_CHARS
