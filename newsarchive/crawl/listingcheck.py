"""Re-check known articles whose listing entry changed: the title a listing shows for an
article differs from the one in the index (an edit the age policy would see only later).

Only link texts that can be a headline count (4 words or more: not "Xem tiếp", not an
image link), and a listing that cuts a long title ("...", "…") still matches its start, so
an unchanged article is not fetched again because the listing abbreviates it. Any listed
headline of the article that is not its indexed title (or the start of it) is a change.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from urllib.parse import urldefrag, urljoin

MIN_WORDS = 4
ELLIPSES = ("...", "…")


def normalize(text: str) -> str:
    text = " ".join(unicodedata.normalize("NFC", text).split()).casefold()
    for mark in ELLIPSES:
        text = text.removesuffix(mark).rstrip()
    return text


def entry_titles(body: str, base_url: str, urls: set[str]) -> dict[str, list[str]]:
    """Headline-like link texts of each of `urls` found on the page."""
    import lxml.html

    found: dict[str, list[str]] = defaultdict(list)
    if not urls or not body:
        return found
    try:
        doc = lxml.html.document_fromstring(body, base_url=base_url)
    except (ValueError, lxml.etree.ParserError):
        return found
    for anchor in doc.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href:
            continue
        absolute = urldefrag(urljoin(base_url, href))[0]
        if absolute not in urls:
            continue
        text = normalize(anchor.text_content() or anchor.get("title") or "")
        if len(text.split()) >= MIN_WORDS:
            found[absolute].append(text)
    return found


def changed_entries(body: str, base_url: str, indexed: dict[str, str | None]) -> list[str]:
    """Known article URLs (keys of `indexed`, URL -> indexed title) listed on this page with
    a headline that matches none of the indexed title's forms."""
    listed = entry_titles(body, base_url, set(indexed))
    out = []
    for url, texts in listed.items():
        title = normalize(indexed.get(url) or "")
        if not title:
            continue
        # A listing may cut a headline short, never lengthen it: a longer text is an edit.
        if any(not title.startswith(t) for t in texts):
            out.append(url)
    return out
