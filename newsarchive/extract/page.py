"""A parsed page plus the structural analysis computed on demand (only when a field
needs its fallback, so profile-driven extraction stays fast)."""

from __future__ import annotations

from functools import cached_property

from lxml import etree

from newsarchive.extract import layout
from newsarchive.extract.dom import meta_content
from newsarchive.extract.text import clean_text
from newsarchive.extract.urls import resolve_url


class Page:
    def __init__(self, doc: etree._Element, url: str) -> None:
        self.doc = doc
        self.url = url

    @cached_property
    def base_url(self) -> str:
        """<base href> when present (resolved against the page URL), else the page URL."""
        for base in self.doc.iter("base"):
            resolved = resolve_url(self.url, base.get("href"))
            if resolved:
                return resolved
        return self.url

    @cached_property
    def chrome(self) -> set:
        return layout.chrome_elements(self.doc)

    @cached_property
    def content_root(self) -> etree._Element | None:
        from newsarchive.extract.head import confirmed_headline

        return layout.find_content_root(self.doc, self.chrome, confirmed_headline(self, ()))

    @cached_property
    def body_region(self) -> tuple[etree._Element | None, set]:
        return layout.body_region(self.doc, self.content_root, self.chrome)

    @cached_property
    def pre_blocks(self) -> list[etree._Element]:
        return layout.blocks_before(self.doc, self.content_root, self.chrome)

    @cached_property
    def doc_title(self) -> str:
        el = self.doc.find(".//title")
        return clean_text(el.text_content()) if el is not None else ""

    @cached_property
    def og_title(self) -> str:
        return clean_text(meta_content(self.doc, ("og:title", "twitter:title")) or "")

    @cached_property
    def site_name(self) -> str:
        return clean_text(meta_content(self.doc, ("og:site_name", "application-name")) or "")
