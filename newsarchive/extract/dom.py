"""Small lxml helpers shared by the stages: element kinds, CSS selection, style reading."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from lxml import etree

from newsarchive.extract.text import clean_text, element_text

BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "td",
        "th",
        "tr",
        "tbody",
        "thead",
        "tfoot",
        "table",
        "li",
        "ul",
        "ol",
        "dl",
        "dd",
        "dt",
        "blockquote",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "aside",
        "nav",
        "figure",
        "figcaption",
        "pre",
        "address",
        "center",
        "form",
        "fieldset",
        "hr",
        "caption",
        "details",
        "summary",
    ]
)
HEADINGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
EMPHASIS = frozenset(["em", "i"])
STRONG = frozenset(["b", "strong"])
_CENTER_STYLE = re.compile(r"text-align\s*:\s*center", re.I)


@lru_cache(maxsize=512)
def compile_css(selector: str):
    """Compiled CSS selector (cached: profiles reuse a handful), or None if invalid."""
    from lxml.cssselect import CSSSelector

    try:
        return CSSSelector(selector)
    except Exception:  # cssselect raises its own error types for bad syntax
        return None


def select_all(root: etree._Element, selectors: Sequence[str]) -> list[etree._Element]:
    """Matches of the first selector that matches anything."""
    for selector in selectors:
        compiled = compile_css(selector)
        if compiled is None:
            continue
        found = compiled(root)
        if found:
            return found
    return []


def select_first(root: etree._Element, selectors: Sequence[str]) -> etree._Element | None:
    found = select_all(root, selectors)
    return found[0] if found else None


def tag_of(el) -> str:
    """Lower-case tag name; "" for comments, PIs and entities."""
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


def is_centered(el) -> bool:
    """Centred by markup: style text-align:center, align="center" or <center>."""
    if tag_of(el) == "center":
        return True
    if (el.get("align") or "").lower() == "center":
        return True
    style = el.get("style")
    return bool(style and _CENTER_STYLE.search(style))


def link_text_len(el) -> int:
    return sum(len(element_text(a)) for a in el.iter("a"))


def link_density(el, text: str | None = None) -> float:
    text = element_text(el) if text is None else text
    if not text:
        return 0.0
    return min(1.0, link_text_len(el) / len(text))


def own_text(el) -> str:
    """Text directly inside el (its .text and its children's tails), collapsed."""
    parts = [el.text or ""]
    parts.extend(child.tail or "" for child in el)
    return clean_text("".join(parts))


def meta_content(doc, names: Iterable[str]) -> str | None:
    """content= of the first <meta> whose property/name/itemprop is one of names."""
    wanted = {n.lower() for n in names}
    head = doc.find("head")
    for meta in (head if head is not None else doc).iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key in wanted:
            value = meta.get("content")
            if value and value.strip():
                return value.strip()
    return None
