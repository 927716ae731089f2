"""Structural heuristics (no class names): page chrome, the main text block, the blocks
above it. Used whenever a profile selector matches nothing, and for `--profile generic`."""

from __future__ import annotations

import re
from collections import deque

from lxml import etree

from newsarchive.extract.dom import BLOCK_TAGS, link_density, link_text_len, own_text, tag_of
from newsarchive.extract.text import element_text

_CHROME_TAGS = ("nav", "aside", "menu", "dialog", "header", "footer", "button", "select", "input")
_CHROME_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "menu"}
# Headings of related / latest / popular lists: the heading and what follows it are chrome.
RELATED_RE = re.compile(
    r"^(các |những )?(tin|bài|bài viết|tin bài|tin tức)( tức)? ?(liên quan|khác|mới( nhất)?|"
    r"cùng (chuyên mục|chủ đề|loại)|đọc nhiều( nhất)?|nổi bật|xem nhiều( nhất)?|đã đưa)"
    r"|^(xem|đọc) thêm|^related( news| articles| posts)?|^(latest|most read|other) (news|articles)"
    r"|^more news",
    re.I,
)
_SHARE_RE = re.compile(
    r"^(chia sẻ|share|in bài|bản in|gửi (email|bài)|print|facebook|twitter|zalo|lên đầu trang)"
    r"\b",
    re.I,
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# Relative times that date comment entries ("2 days ago", "3 giờ trước").
_AGO = re.compile(
    r"\b\d+\s+(minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago\b"
    r"|\b\d+\s+(phút|giờ|ngày|tuần|tháng|năm)\s+trước\b",
    re.I,
)
_PARA_TAGS = ("p", "pre", "blockquote")
_TEXT_HOLDERS = ("div", "td", "section", "article", "span", "font")
_LEAF_HOLDERS = ("div", "section", "article")  # a text block without blocks: a paragraph
MIN_ROOT_SCORE = 40


def chrome_elements(doc: etree._Element) -> set[etree._Element]:
    """Every element inside page chrome: navigation, header/footer, sidebars, link lists,
    related-news blocks, share bars."""
    roots: list[etree._Element] = []
    for el in doc.iter(*_CHROME_TAGS):
        tag = tag_of(el)
        # <header>/<footer> inside an <article> or <main> belong to the article.
        if tag in ("header", "footer") and any(
            tag_of(a) in ("article", "main") for a in el.iterancestors()
        ):
            continue
        roots.append(el)
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        role = (el.get("role") or "").lower()
        if role in _CHROME_ROLES or el.get("hidden") is not None or el.get("aria-hidden") == "true":
            roots.append(el)
        elif _HIDDEN_STYLE.search(el.get("style") or ""):
            roots.append(el)  # never shown to a reader
    for el in doc.iter("ul", "ol"):
        text = element_text(el)
        if text and link_density(el, text) >= 0.6:
            roots.append(el)
    for el in doc.iter(
        "h2", "h3", "h4", "h5", "h6", "strong", "b", "span", "div", "p", "legend", "a"
    ):
        text = own_text(el) if tag_of(el) in ("div", "p") else element_text(el)
        if not text or len(text) > 50:
            continue
        related = RELATED_RE.match(text)
        # Only the label itself ("Tin liên quan:"): "Related post: <title>" is one link.
        if related and len(text) - related.end() <= 2 and len(el) <= 2:
            roots.extend(_heading_and_followers(el))
        elif _SHARE_RE.match(text):
            roots.append(el)
    chrome: set[etree._Element] = set()
    for root in roots:
        if root not in chrome:
            chrome.update(root.iter())
    return chrome


def _heading_and_followers(heading: etree._Element) -> list[etree._Element]:
    """The heading plus the siblings after it (the list it introduces). Walk up while the
    heading stands alone in a wrapper (<div><h3>Tin liên quan</h3></div><ul>...)."""
    node = heading
    for _ in range(3):
        parent = node.getparent()
        if parent is None or tag_of(parent) in ("body", "html"):
            break
        if node.getnext() is not None:
            # The heading opens its container (<div><b>Các tin khác</b><br><a>..</a> (date)
            # ...</div>): the whole container is the list, the dates between links too.
            if parent.index(node) == 0 and not (parent.text or "").strip():
                loose = len(own_text(parent))
                if loose <= 0.5 * max(1, len(element_text(parent))):
                    return [parent]  # the container alone: what follows it is not the list
            break
        node = parent
    return [node, *node.itersiblings()]


def find_content_root(
    doc: etree._Element, chrome: set, headline: etree._Element | None = None
) -> etree._Element | None:
    """The element holding most paragraph text (readability-style: each paragraph scores
    its parent in full and its grandparent by half). A paragraph is a <p>, or any block
    holding text but no other block (Liferay and WebForms bodies are <div> paragraphs);
    loose text beside blocks (text separated by <br>) scores the element holding it.

    The strongest candidates are then weighed by structure: a block of dated entries is
    reader comments; a block sharing no container with the confirmed headline but <body>
    (a cookie banner, a footer notice) is page furniture."""
    scores = content_scores(doc, chrome)
    top = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)[:30]
    if len(top) > 1:
        head_anc = set(headline.iterancestors()) if headline is not None else set()
        for el, score in top:
            factor = 1.0
            # A comment is one entry of a list of dated entries (its parent or grandparent,
            # when the headline tells which containers hold the article).
            near = [el, *list(el.iterancestors())[:3]] if head_anc else [el]
            if any(a not in head_anc and _looks_like_comments(a) for a in near):
                factor *= 0.2
            if head_anc and el is not headline:
                common = next((a for a in el.iterancestors() if a in head_anc), None)
                if common is None or tag_of(common) in ("body", "html"):
                    factor *= 0.35
            scores[el] = score * factor
    return _best_root(scores)


def _is_paragraph(el: etree._Element) -> bool:
    tag = tag_of(el)
    return tag in _PARA_TAGS or (tag in _LEAF_HOLDERS and not _has_block_child(el))


def paragraph_text_len(el: etree._Element, chrome: set) -> int:
    """Characters of readable paragraphs (not link lists) inside el."""
    total = 0
    for d in el.iter(*_PARA_TAGS, *_LEAF_HOLDERS):
        if d in chrome or not _is_paragraph(d):
            continue
        text = element_text(d)
        if len(text) >= 20 and link_text_len(d) <= 0.4 * len(text):
            total += len(text)
    return total


def body_region(
    doc: etree._Element, root: etree._Element | None, chrome: set
) -> tuple[etree._Element | None, set]:
    """The text block widened to its parent when the article continues in sibling blocks
    (a body split into several sections, as readability merges siblings): (region,
    siblings left out). Wrappers holding nothing else are climbed first."""
    if root is None:
        return None, set()
    best = paragraph_text_len(root, chrome)
    region = root
    for _ in range(4):
        parent = region.getparent()
        if parent is None or tag_of(parent) in ("body", "html") or parent in chrome:
            break
        kept, left = [], set()
        for child in parent:
            if child is region or not isinstance(child.tag, str):
                continue
            n = paragraph_text_len(child, chrome)
            text = element_text(child)
            # A continuation of the article: mostly paragraphs, few links, no dated entries.
            if _is_paragraph(child) and n >= 80 and link_density(child, text) < 0.25:
                kept.append(child)  # a paragraph of its own beside the block (readability)
            elif (
                n >= max(80, 0.2 * best)
                and n >= 0.6 * len(text)
                and link_density(child, text) < 0.2
                and not _looks_like_comments(child)
            ):
                kept.append(child)
            else:
                left.add(child)
        if not kept:
            if any(element_text(c) for c in left):
                break
            region = parent  # a wrapper holding nothing else: look one level up
            continue
        return parent, left  # one level of siblings
    return region, set()


def _looks_like_comments(el: etree._Element) -> bool:
    """Reader comments (or any list of posts): several dated entries, not an article."""
    from newsarchive.extract.dates import find_date

    dated = 0
    for leaf in el.iter(*BLOCK_TAGS):
        if _has_block_child(leaf):
            continue
        text = element_text(leaf)
        if text and len(text) <= 80 and (find_date(text) is not None or _AGO.search(text)):
            dated += 1
            if dated >= 2:
                return True
    return False


def content_scores(doc: etree._Element, chrome: set) -> dict:
    scores: dict[etree._Element, float] = {}
    for el in doc.iter(*_PARA_TAGS, *_TEXT_HOLDERS):
        if el in chrome:
            continue
        para = _is_paragraph(el)
        if para:
            text = element_text(el)
            target = el.getparent()
        else:
            text = own_text(el)
            target = el
        if len(text) < 20 or target is None:
            continue
        # A holder's own text excludes its children, links included: only paragraphs need this.
        if para and link_text_len(el) > 0.4 * len(text):
            continue
        score = float(len(text))
        if not para:
            # Loose text (no <p>) is scored on its holder, whose block children share it.
            scores[target] = scores.get(target, 0.0) + score
            continue
        scores[target] = scores.get(target, 0.0) + score
        grand = target.getparent()
        if grand is not None and grand not in chrome:
            scores[grand] = scores.get(grand, 0.0) + score / 2
    return scores


def _best_root(scores: dict) -> etree._Element | None:
    if not scores:
        return None
    root, best = max(scores.items(), key=lambda kv: kv[1])
    while tag_of(root) in ("span", "font", "a", "strong", "b", "em", "i"):
        parent = root.getparent()
        if parent is None:
            break
        root = parent
    return root if best >= MIN_ROOT_SCORE else None


def _has_block_child(el: etree._Element) -> bool:
    return any(tag_of(d) in BLOCK_TAGS for d in el.iterdescendants())


def blocks_before(
    doc: etree._Element, stop: etree._Element | None, chrome: set, limit: int = 12
) -> list[etree._Element]:
    """The last `limit` leaf blocks with text that come before `stop` in document order,
    outside chrome (leaf block: a block element holding no other block element)."""
    body = doc.find("body")
    start = body if body is not None else doc
    out: deque[etree._Element] = deque(maxlen=limit)
    stack: list[list] = []  # [element, has_block_child]
    walker = etree.iterwalk(start, events=("start", "end"))
    for event, el in walker:
        if event == "start":
            if el is stop:
                break
            if el in chrome:
                walker.skip_subtree()
                continue
            if tag_of(el) in BLOCK_TAGS:
                if stack:
                    stack[-1][1] = True
                stack.append([el, False])
        elif stack and stack[-1][0] is el:
            _, has_block = stack.pop()
            if not has_block and element_text(el):
                out.append(el)
    return list(out)


def _is_leaf_block(el: etree._Element) -> bool:
    return tag_of(el) in BLOCK_TAGS and not any(
        tag_of(d) in BLOCK_TAGS for d in el.iterdescendants()
    )


def neighbour_blocks(
    el: etree._Element, chrome: set, *, after: bool, limit: int = 3
) -> list[etree._Element]:
    """Up to `limit` leaf blocks with text just after (or before) `el`, nearest first."""
    axis = "following::*" if after else "preceding::*"
    candidates = el.xpath(axis)
    if not after:
        candidates.reverse()
    out: list[etree._Element] = []
    for cand in candidates:
        if cand in chrome or not _is_leaf_block(cand) or not element_text(cand):
            continue
        out.append(cand)
        if len(out) >= limit:
            break
    return out
