"""Stage 2: text -> lxml tree without scripts, styles and other non-content nodes."""

from __future__ import annotations

import re
import threading

from lxml import etree, html

# Never text for a reader; removing them up front keeps every later text read simple.
_DROP_TAGS = ("script", "style", "noscript", "template", "svg", "math", "object", "embed")


def _parser() -> html.HTMLParser:
    # huge_tree: a 10 MB text node or 2,000-deep nesting is parsed instead of cut short.
    return html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)


_LOCAL = threading.local()  # lxml parsers keep state (error log): one per thread


def _thread_parser() -> html.HTMLParser:
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = _parser()
    return parser


def parse_html(text: str, _flattened: bool = False) -> tuple[etree._Element | None, list[str]]:
    """Parse to an <html> root (None if there is nothing to parse) plus warnings."""
    warnings: list[str] = []
    # Feed UTF-8 bytes with the encoding fixed, so a stale <meta charset> cannot re-decode.
    data = text.encode("utf-8", "surrogatepass")
    if not data.strip():
        return None, ["empty document"]
    parser = _thread_parser()
    try:
        root = html.document_fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        return None, [f"unparseable HTML: {exc}"]
    for entry in parser.error_log:
        if "Excessive depth" in entry.message and not _flattened:
            # libxml2 stops at 2,048 levels whatever huge_tree says, dropping what is
            # deeper (a 10,000-deep page lost its whole article): parse again with the
            # wrapper elements that make the depth removed, their text kept.
            flat = _WRAPPERS.sub(" ", text)
            root2, warnings2 = parse_html(flat, _flattened=True)
            if root2 is not None:
                return root2, [
                    f"HTML exceeds parser limits ({entry.message.strip()}): nesting flattened,"
                    " wrapper elements removed",
                    *warnings2,
                ]
        if entry.type_name == "ERR_RESOURCE_LIMIT" or "Excessive depth" in entry.message:
            warnings.append(f"HTML exceeds parser limits, content may be cut: {entry.message}")
            break
    keep_json_ld_dates(root)
    strip_non_content(root)
    # A line break separates words as a space does: "title<br>09/10/2024" is two tokens.
    for br in root.iter("br"):
        br.tail = " " + (br.tail or "")
    return root, warnings


def _json_ld_value(data: object, key: str, depth: int = 0) -> str | None:
    if depth > 6:
        return None
    if isinstance(data, dict):
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
        children = list(data.values())
    elif isinstance(data, list):
        children = data
    else:
        return None
    for child in children:
        found = _json_ld_value(child, key, depth + 1)
        if found:
            return found
    return None


def keep_json_ld_dates(root: etree._Element) -> None:
    """JSON-LD `datePublished` lives in a <script>, which the next step removes: keep it as
    a <meta itemprop="datePublished"> so the date stage reads it with the other metas."""
    import json

    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        value = _json_ld_value(data, "datePublished")
        if value:
            head = root.find("head")
            meta = etree.SubElement(head if head is not None else root, "meta")
            meta.set("itemprop", "datePublished")
            meta.set("content", value)
            return


# Elements that only wrap others: removing them keeps every text and most structure.
_WRAPPERS = re.compile(
    r"</?(?:div|span|font|section|center|main|aside|b|i|u|em|strong)\b[^>]*>", re.I
)


def strip_non_content(root: etree._Element) -> None:
    """Remove script/style-like elements, keeping their tail text in place."""
    doomed = [el for el in root.iter(*_DROP_TAGS)]
    for el in doomed:
        parent = el.getparent()
        if parent is None:
            continue
        tail = el.tail
        if tail:
            prev = el.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + tail
            else:
                parent.text = (parent.text or "") + tail
        parent.remove(el)
