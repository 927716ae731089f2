"""Fallbacks for the article head: title, lead and date line, found by position around the
main text block and by agreement with <title>/og:title, never by class names."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from newsarchive.extract import layout
from newsarchive.extract.dates import DateHit, find_date, has_label, parse_iso, parse_labelled
from newsarchive.extract.dom import BLOCK_TAGS, HEADINGS, link_density, tag_of
from newsarchive.extract.page import Page
from newsarchive.extract.text import element_text

MAX_DATELINE = 120
MAX_DATELINE_REST = 60  # label, weekday, author, view count beside the date
MAX_TITLE = 400
MIN_LEAD = 50  # a summary is a sentence or two, not "Hải An - Lượt xem: 112"
_TITLE_SEPS = (" - ", " | ", " – ", " — ", " :: ", " » ", ": ")
_SEP_CHARS = "-|–—:»"
# Portal names that head every page of these sites; never a headline.
GENERIC_SITE_NAMES = (
    r"(?i)^(trang|cổng) thông tin điện tử\b",
    r"(?i)\bcổng thông tin điện tử\b.*(quận|huyện|thành phố|tỉnh|xã|phường)",
    r"(?i)^ubnd\b",
)
_META_DATE_NAMES = (
    "article:published_time",
    "datepublished",
    "og:published_time",
    "pubdate",
    "publishdate",
    "publish-date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "date",
)


@dataclass
class Head:
    title: str | None = None
    title_el: etree._Element | None = None
    lead: str | None = None
    lead_el: etree._Element | None = None
    date: DateHit | None = None
    date_source: str = ""


def _fold(text: str) -> str:
    return text.casefold().strip(" .:")


def is_site_name(text: str, page: Page, patterns: Sequence[str]) -> bool:
    folded = _fold(text)
    if page.site_name and folded == _fold(page.site_name):
        return True
    return any(re.search(p, text) for p in (*patterns, *GENERIC_SITE_NAMES))


def matches_page_title(text: str, page: Page) -> bool:
    """text is the headline that <title> or og:title carries (alone or beside the site name)."""
    t = _fold(text)
    if not t:
        return False
    for whole in (page.og_title, page.doc_title):
        w = _fold(whole)
        if not w:
            continue
        if w == t:
            return True
        if w.startswith(t):
            rest = w[len(t) :].lstrip()
            if rest and rest[0] in _SEP_CHARS:
                return True
        if w.endswith(t):
            rest = w[: -len(t)].rstrip()
            if rest and rest[-1] in _SEP_CHARS:
                return True
    return False


def strip_site_name(title: str, page: Page, patterns: Sequence[str]) -> str:
    """<title> minus the site name segment(s)."""
    for sep in _TITLE_SEPS:
        if sep in title:
            parts = [p.strip() for p in title.split(sep)]
            kept = [p for p in parts if p and not is_site_name(p, page, patterns)]
            if kept and len(kept) < len(parts):
                return sep.join(kept)
    return "" if is_site_name(title, page, patterns) else title


_HEADLINE_TAGS = ("h1", "h2", "h3", "h4", "span", "font", "b", "strong", "div", "td", "p")


def _stands_alone(el: etree._Element, text: str) -> bool:
    """An inline element is a line of its own: most of its nearest block's text."""
    for anc in el.iterancestors():
        if tag_of(anc) in BLOCK_TAGS:
            return len(text) >= 0.7 * len(element_text(anc))
    return True


def confirmed_headline(page: Page, patterns: Sequence[str]) -> etree._Element | None:
    """The longest element text that <title> or og:title confirms as the headline: in a
    heading, or in a span / table cell / div of its own (WebForms, print views). Never the
    site banner, which <title> often carries beside the headline."""
    whole = f"{_fold(page.og_title)} {_fold(page.doc_title)}"
    if not whole.strip():
        return None
    best, best_len = None, 0
    for el in page.doc.iter(*_HEADLINE_TAGS):
        if el in page.chrome:
            continue
        tag = tag_of(el)
        if tag not in HEADINGS:
            # Cheap filter first: its own leading text must occur in the page title.
            own = (el.text or "").strip()
            if not own or _fold(own)[:40] not in whole:
                continue
        text = element_text(el)
        if not 3 <= len(text) <= MAX_TITLE or len(text) <= best_len:
            continue
        if tag not in HEADINGS and not _stands_alone(el, text):
            continue  # words of a sentence that happen to be the title, not a headline
        if matches_page_title(text, page) and not is_site_name(text, page, patterns):
            best, best_len = el, len(text)
    return best


def _is_caption_block(el: etree._Element) -> bool:
    """A figure's caption or the line right under an image: never the summary."""
    for anc in (el, *list(el.iterancestors())[:3]):
        if tag_of(anc) in ("figure", "figcaption"):
            return True
    prev = el.getprevious()
    return prev is not None and (tag_of(prev) == "img" or prev.find(".//img") is not None)


def analyse_head(
    page: Page,
    *,
    site_patterns: Sequence[str] = (),
    date_formats: Sequence[str] = (),
    tz_name: str = "Asia/Ho_Chi_Minh",
    known_title_el: etree._Element | None = None,
    known_lead_el: etree._Element | None = None,
) -> Head:
    head = Head()
    blocks = page.pre_blocks
    texts = [element_text(b) for b in blocks]

    def is_dateline(i: int) -> DateHit | None:
        return _dateline(texts[i], date_formats, tz_name)

    def linky(i: int) -> bool:
        return link_density(blocks[i], texts[i]) > 0.5

    # Title, first choice: a heading that <title>/og:title confirm.
    title_el = known_title_el
    if title_el is None:
        title_el = confirmed_headline(page, site_patterns)
    if title_el is None:  # second: the nearest heading above the text that is not the site
        for i in range(len(blocks) - 1, -1, -1):
            heading = tag_of(blocks[i]) in HEADINGS and texts[i] and not linky(i)
            if heading and not is_site_name(texts[i], page, site_patterns):
                title_el = blocks[i]
                break

    # Lead: the text block right above the body, if it is not the title or a date line.
    lead_el = known_lead_el
    lead_idx = len(blocks)
    if lead_el is None:
        for i in range(len(blocks) - 1, -1, -1):
            if linky(i):
                continue
            b = blocks[i]
            if (
                b is not title_el
                and not (title_el is not None and _inside(title_el, b))  # the title's own cell
                and tag_of(b) not in HEADINGS
                and not is_dateline(i)
                and not matches_page_title(texts[i], page)
                and len(texts[i]) >= MIN_LEAD
                and not _is_caption_block(b)
            ):
                lead_el, lead_idx = b, i
            break
    elif lead_el in blocks:
        lead_idx = blocks.index(lead_el)

    if title_el is None:  # third: the short block above the lead / date line
        for i in range(lead_idx - 1, -1, -1):
            if linky(i) or is_dateline(i):
                continue
            if len(texts[i]) <= MAX_TITLE and not is_site_name(texts[i], page, site_patterns):
                title_el = blocks[i]
            break
    if title_el is None and lead_el is not None and known_lead_el is None:
        title_el, lead_el = lead_el, None  # a lone block above the body is the headline

    head.title_el, head.lead_el = title_el, lead_el
    if title_el is not None:
        head.title = element_text(title_el) or None
    if head.title is None:
        for candidate in (page.og_title, page.doc_title):
            stripped = strip_site_name(candidate, page, site_patterns) if candidate else ""
            if stripped:
                head.title = stripped
                break
    if lead_el is not None:
        head.lead = element_text(lead_el) or None

    head.date, head.date_source = _find_date(
        page, blocks, texts, title_el, lead_el, is_dateline, tz_name, date_formats
    )
    return head


def _dateline(text: str, date_formats: Sequence[str], tz_name: str) -> DateHit | None:
    """A short line that is mostly a date (a lead opening "Sáng ngày 12/5/2019, ..." is not)."""
    if len(text) > MAX_DATELINE:
        return None
    hit = find_date(text, date_formats, tz_name)
    if hit is None or len(text) - (hit.end - hit.start) > MAX_DATELINE_REST:
        return None
    return hit


def is_dateline(
    text: str, date_formats: Sequence[str] = (), tz_name: str = "Asia/Ho_Chi_Minh"
) -> bool:
    return _dateline(text, date_formats, tz_name) is not None


def _near(el: etree._Element, title_el: etree._Element, levels: int = 3) -> bool:
    """el lies within `levels` ancestors of the title (same article head)."""
    node = title_el
    for _ in range(levels):
        node = node.getparent()
        if node is None or tag_of(node) in ("body", "html"):
            return False
        if _inside(el, node):
            return True
    return False


def _inside(el: etree._Element, ancestor: etree._Element) -> bool:
    return any(a is ancestor for a in el.iterancestors())


def meta_date(page: Page, tz_name: str) -> DateHit | None:
    from newsarchive.extract.dom import meta_content

    value = meta_content(page.doc, _META_DATE_NAMES)
    hit = parse_iso(value, tz_name)
    if hit is None:
        for t in page.doc.iter("time"):
            if t in page.chrome:
                continue
            hit = parse_iso(t.get("datetime"), tz_name)
            if hit:
                break
    return hit


def _find_date(page, blocks, texts, title_el, lead_el, is_dateline, tz_name, date_formats):
    """Date near the title (the line just below, then just above), else the article meta,
    else a date line between the title and the body. Never from chrome or the footer."""
    meta = meta_date(page, tz_name)
    if meta and meta.has_time:
        return meta, "meta"
    ti = next((i for i, b in enumerate(blocks) if b is title_el), None)
    candidates: list[int] = []
    if ti is None and title_el is not None:
        # The headline sits inside the text block (HTML5 <article>): look around it there.
        after = layout.neighbour_blocks(title_el, page.chrome, after=True)
        before = layout.neighbour_blocks(title_el, page.chrome, after=False, limit=1)
        near = [b for b in (after[:1] + before + after[1:]) if b is not lead_el]
        near_texts = [element_text(b) for b in near]
        # A headline in a span with the date in the next span (WebForms: lblTitle<br>lblDate).
        siblings = [s for s in title_el.itersiblings() if tag_of(s) != "br"][:1]
        siblings += [s for s in title_el.itersiblings(preceding=True) if tag_of(s) != "br"][:1]
        near_texts = [element_text(s) for s in siblings if s is not lead_el] + near_texts
        for text in near_texts:
            hit = _dateline(text, date_formats, tz_name)
            if hit:
                return hit, "near-title"
        if meta:
            return meta, "meta"
        return None, ""
    if ti is not None:
        # Only lines in the headline's own container: a top bar with today's date is above
        # the title too, but shares no close ancestor with it.
        candidates = [
            i for i in (ti + 1, ti - 1) if 0 <= i < len(blocks) and _near(blocks[i], title_el)
        ]
        candidates += list(range(ti + 2, len(blocks)))
    elif title_el is None:
        candidates = list(range(len(blocks) - 1, max(-1, len(blocks) - 5), -1))
    visible = [i for i in candidates if blocks[i] is not lead_el]
    for i in visible[:2]:
        hit = is_dateline(i)
        if hit:
            return hit, "near-title"
    if meta:
        return meta, "meta"
    for i in visible[2:]:
        hit = is_dateline(i)
        if hit:
            return hit, "head"
    for i in visible:
        if len(texts[i]) <= MAX_DATELINE and has_label(texts[i]):
            hit = parse_labelled(texts[i], tz_name)
            if hit:
                return hit, "labelled"
    return None, ""
