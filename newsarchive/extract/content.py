"""Body stage: a content container -> text paragraphs and images with their captions.

One iterative pass (lxml iterwalk, so 2,000-deep nesting cannot hit Python's recursion
limit) turns the container into a flat run of text blocks and images; a second pass gives
each image the caption line that follows it and keeps everything else as paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from newsarchive.extract.article import Image
from newsarchive.extract.dom import BLOCK_TAGS, EMPHASIS, STRONG, is_centered, tag_of
from newsarchive.extract.text import clean_text, element_text
from newsarchive.extract.urls import resolve_url

MAX_CAPTION_LEN = 300
_CAPTION_CLASS = re.compile(r"caption|chu-?thich|chuthich|img-desc|image-desc", re.I)
_LAZY_SRC = ("data-src", "data-original", "data-lazy-src", "data-srcset")
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(bold|[6-9]00)", re.I)
_ITALIC_STYLE = re.compile(r"font-style\s*:\s*italic", re.I)
MAX_IMAGE_TABLE_TEXT = 600  # a table holding an image and its caption, not a page layout


@dataclass
class _Text:
    text: str
    centered: bool
    em_ratio: float
    caption_sel: bool  # text came from an element the profile calls a caption
    caption_mark: bool  # <figcaption>, <caption>, or a caption-like class
    bold_ratio: float = 0.0
    soft: bool = False  # separated from the previous text by a single <br> only
    in_figure: bool = False  # inside <figure>/<figcaption>: a caption or credit, never body
    link_ratio: float = 0.0  # share of its characters inside links
    table: etree._Element | None = None  # the small table it sits in (image tables)


@dataclass
class _Img:
    url: str
    table: etree._Element | None = None


@dataclass
class BodyResult:
    paragraphs: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    captions_by: str = "fallback"  # "profile" when the profile's caption selector decided
    bold: list[bool] = field(default_factory=list)  # per paragraph: all bold (a sapo?)
    italic: list[bool] = field(default_factory=list)  # per paragraph: all italic


def _img_url(el, base_url: str) -> str | None:
    src = (el.get("src") or "").strip()
    if not src or src.startswith("data:"):
        for attr in _LAZY_SRC:
            candidate = (el.get(attr) or "").strip()
            if candidate:
                src = candidate.split()[0] if attr.endswith("srcset") else candidate
                break
    return resolve_url(base_url, src) if src and not src.startswith("data:") else None


class _Walker:
    """Accumulates inline text into the current block; blocks and images flush it."""

    def __init__(self, caption_nodes: set | None) -> None:
        self.items: list[_Text | _Img] = []
        self.caption_nodes = caption_nodes or set()
        self.buf: list[str] = []
        self.chars = 0
        self.em_chars = 0
        self.bold_chars = 0
        self.link_chars = 0
        self.link = 0
        self.em = 0
        self.bold = 0
        self.started = True  # False until `start_after` has ended
        self.cap_sel = 0
        self.cap_mark = 0
        self.fig = 0
        self.buf_fig = False
        self.buf_cap_sel = False
        self.buf_cap_mark = False
        self.last_br = False
        self.soft_next = False
        self.centered: list[bool] = [False]
        self.tables: list[etree._Element | None] = [None]

    def add(self, text: str | None) -> None:
        if not text:
            return
        self.buf.append(text)
        n = len(text) - text.count(" ") - text.count("\n") - text.count("\xa0") - text.count("\t")
        if n <= 0:
            return
        self.last_br = False
        self.chars += n
        if self.em:
            self.em_chars += n
        if self.bold:
            self.bold_chars += n
        if self.link:
            self.link_chars += n
        if self.cap_sel:
            self.buf_cap_sel = True
        if self.cap_mark:
            self.buf_cap_mark = True
        if self.fig:
            self.buf_fig = True

    def flush(self) -> None:
        if self.buf:
            text = clean_text("".join(self.buf))
            # &nbsp; spacer paragraphs end here, as empty strings
            if text and self.started:
                self.items.append(
                    _Text(
                        text,
                        self.centered[-1],
                        self.em_chars / self.chars if self.chars else 0.0,
                        self.buf_cap_sel,
                        self.buf_cap_mark,
                        self.bold_chars / self.chars if self.chars else 0.0,
                        soft=self.soft_next,
                        table=self.tables[-1],
                        in_figure=self.buf_fig,
                        link_ratio=self.link_chars / self.chars if self.chars else 0.0,
                    )
                )
        self.soft_next = False
        self.buf_fig = False
        self.buf = []
        self.chars = self.em_chars = self.bold_chars = self.link_chars = 0
        self.buf_cap_sel = self.buf_cap_mark = False
        self.last_br = False


def walk_body(
    root: etree._Element,
    base_url: str,
    *,
    skip: set | None = None,
    caption_nodes: set | None = None,
    start_after: etree._Element | None = None,
) -> BodyResult:
    """Paragraphs and images of `root`. `skip`: elements left out with their subtree.
    `caption_nodes`: elements a profile marks as captions; None -> caption heuristics.
    `start_after`: ignore everything up to the end of this element (the headline, when the
    text block found by the fallback also holds the article head)."""
    skip = skip or set()
    w = _Walker(caption_nodes)
    w.started = start_after is None
    walker = etree.iterwalk(root, events=("start", "end"))
    # Events nest, so a stack of frames (skipped, block, em, bold, caption-selected,
    # caption-marked) tells each "end" what its "start" did.
    frames: list[tuple[bool, bool, bool, bool, bool, bool]] = []
    for event, el in walker:
        if event == "start":
            tag = tag_of(el)
            if el is not root and (not tag or el in skip):
                walker.skip_subtree()
                frames.append((True, False, False, False, False, False))
                continue
            block = tag in BLOCK_TAGS
            style = el.get("style")
            em = tag in EMPHASIS or bool(style and _ITALIC_STYLE.search(style))
            bold = tag in STRONG or bool(style and _BOLD_STYLE.search(style))
            sel = el in w.caption_nodes
            marked = tag in ("figcaption", "caption") or bool(
                _CAPTION_CLASS.search(el.get("class") or "")
            )
            frames.append((False, block, em, bold, sel, marked))
            if tag in ("figure", "figcaption"):
                w.flush()
                w.fig += 1
            if block:
                w.flush()
                w.centered.append(w.centered[-1] or is_centered(el))
                if tag == "table":
                    w.tables.append(el if _is_image_table(el) else None)
            w.em += em
            w.bold += bold
            w.link += tag == "a"
            w.cap_sel += sel
            w.cap_mark += marked
            if tag == "br":
                if w.last_br:
                    w.soft_next = False  # <br><br> separates paragraphs in loose text
                else:
                    # One <br> ends a line: the line joins its paragraph again unless it
                    # is a field of its own (a date line, a bold title or summary).
                    had_text = bool(clean_text("".join(w.buf)))
                    w.flush()
                    w.soft_next = had_text
                    w.last_br = True
            elif tag == "img":
                w.flush()
                url = _img_url(el, base_url)
                if url and w.started:
                    w.items.append(_Img(url, w.tables[-1]))
            w.add(el.text)
        else:
            skipped, block, em, bold, sel, marked = frames.pop()
            if not skipped and tag_of(el) in ("figure", "figcaption"):
                w.flush()
                w.fig -= 1
            if not skipped:
                w.link -= tag_of(el) == "a"
                w.em -= em
                w.bold -= bold
                w.cap_sel -= sel
                w.cap_mark -= marked
                if block:
                    w.flush()
                    w.centered.pop()
                    if tag_of(el) == "table":
                        w.tables.pop()
            if el is start_after:
                w.buf = []
                w.started = True
            if el is not root:
                w.add(el.tail)
    w.flush()
    return _assemble(w.items, caption_nodes is not None)


def is_caption_like(item: _Text) -> bool:
    """Heuristic caption: marked as one, or a short centred / italic line."""
    if len(item.text) > MAX_CAPTION_LEN:
        return False
    return item.caption_mark or item.centered or item.em_ratio >= 0.8


def _is_image_table(table: etree._Element) -> bool:
    """A table holding an image and little text (its caption), not a page layout."""
    if table.find(".//img") is None or table.find(".//table") is not None:
        return False
    return len(element_text(table)) <= MAX_IMAGE_TABLE_TEXT


def _joins(prev: _Text, item: _Text) -> bool:
    """A line after a single <br> continues its paragraph when it looks the same."""
    from newsarchive.extract.head import is_dateline

    if (prev.bold_ratio >= 0.9) != (item.bold_ratio >= 0.9):
        return False
    if (prev.em_ratio >= 0.8) != (item.em_ratio >= 0.8) or prev.centered != item.centered:
        return False
    return not (is_dateline(prev.text) or is_dateline(item.text))


def _merge_lines(items: list[_Text | _Img]) -> list[_Text | _Img]:
    out: list[_Text | _Img] = []
    for item in items:
        prev = out[-1] if out else None
        if isinstance(item, _Text) and item.soft and isinstance(prev, _Text) and _joins(prev, item):
            n1, n2 = len(prev.text), len(item.text)
            total = n1 + n2
            out[-1] = _Text(
                f"{prev.text} {item.text}",
                prev.centered,
                (prev.em_ratio * n1 + item.em_ratio * n2) / total,
                prev.caption_sel or item.caption_sel,
                prev.caption_mark or item.caption_mark,
                (prev.bold_ratio * n1 + item.bold_ratio * n2) / total,
                soft=prev.soft,
                table=prev.table,
                in_figure=prev.in_figure or item.in_figure,
                link_ratio=(prev.link_ratio * n1 + item.link_ratio * n2) / total,
            )
            continue
        out.append(item)
    return out


def _assemble(items: list[_Text | _Img], by_profile: bool) -> BodyResult:
    result = BodyResult(captions_by="profile" if by_profile else "fallback")
    pending: Image | None = None
    pending_table: etree._Element | None = None
    for item in _merge_lines(items):
        if isinstance(item, _Img):
            pending = Image(item.url)
            pending_table = item.table
            result.images.append(pending)
            continue
        if pending is not None:
            if by_profile:
                caption = item.caption_sel
            else:
                # The caption row or cell of the image's own table, or a caption-like line.
                in_table = pending_table is not None and item.table is pending_table
                caption = (in_table and len(item.text) <= MAX_CAPTION_LEN) or is_caption_like(item)
            if caption and len(item.text) <= MAX_CAPTION_LEN * 2:
                pending.caption = item.text
                pending = None
                continue
        pending = None
        if not by_profile:
            if item.in_figure:
                continue  # a figure's caption or credit without its image: not body text
            if item.link_ratio >= 0.9 and len(item.text) < 120:
                continue  # a link standing alone: a teaser or "read more", not body text
        result.bold.append(item.bold_ratio >= 0.9)
        result.italic.append(item.em_ratio >= 0.9)
        result.paragraphs.append(item.text)
    return result
