"""Article URL shapes: a URL reduced to its structure, learned from pages that extract as
articles and used to classify further links.

A shape keeps what stays the same between a site's articles (segment count, literal
segments such as `Portal`, `asset_publisher`, `Detail.aspx`, query keys) and abstracts what
varies (slugs, ids, category names): `/tin-tuc/le-hoi-651234` -> `/{seg}/{slug}-{id}`,
`/Portal/Detail.aspx?ItemID=42` -> `/Portal/Detail.aspx?ItemID={id}`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

# Page-number and offset parameters never identify an article.
PAGER_KEYS = re.compile(r"(?i)^(?:.*_)?(?:page|p|trang|pageindex|pagenum|start|offset|cur|pg)$")
# Query parameters whose numeric value names one item (ItemID=, ContentID=, newsid=, id=).
ID_KEY = re.compile(r"(?i)(?:^|[_-])?(?:item|content|news|article|post|tin|bai|doc)?_?id$")
FILE_EXTENSIONS = frozenset(
    [
        "pdf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "odt",
        "ods",
        "zip",
        "rar",
        "7z",
        "jpg",
        "jpeg",
        "png",
        "gif",
        "bmp",
        "webp",
        "svg",
        "mp3",
        "mp4",
        "avi",
        "wmv",
        "flv",
        "txt",
        "rtf",
        "csv",
        "xml",
        "css",
        "js",
        "ico",
        "woff",
        "woff2",
        "ttf",
    ]
)
PAGE_EXTENSIONS = frozenset({"html", "htm", "aspx", "asp", "php", "jsp", "shtml", "do", "cfm"})
_SLUG_ID = re.compile(r"^.*[A-Za-z].*[-_](\d{2,})$")
_DIGITS = re.compile(r"^\d+$")


def _segment(seg: str) -> tuple[str, bool]:
    """(token, carries an id) of one path segment."""
    stem, dot, ext = seg.rpartition(".")
    if dot and ext.lower() in PAGE_EXTENSIONS and stem:
        token, has_id = _segment(stem)
        if token in ("{seg}", "{word}") and not has_id:
            return seg, False  # Default.aspx, PrintItem.aspx: a literal page of the CMS
        return f"{token}.{ext.lower()}", has_id
    if _DIGITS.match(seg):
        return "{id}", True
    if _SLUG_ID.match(seg):
        return "{slug}-{id}", True
    if seg == "-" or "_" in seg or (seg[:1].isupper() and "-" not in seg and seg.isalpha()):
        return seg, False  # Liferay's "-" and "asset_publisher", "Portal": CMS literals
    return "{seg}", False


@dataclass(frozen=True)
class Shape:
    """The structure of one URL; equal shapes mean "the same kind of page"."""

    path: tuple[str, ...]
    query: tuple[str, ...]
    has_id: bool

    def __str__(self) -> str:
        text = "/" + "/".join(self.path)
        return text + ("?" + "&".join(self.query) if self.query else "")


def url_shape(url: str) -> Shape | None:
    """The shape of an http(s) URL; None for files (by extension) and non-web URLs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    segments = [s for s in parts.path.split("/") if s]
    if (
        segments
        and segments[-1].rpartition(".")[2].lower() in FILE_EXTENSIONS
        and "." in segments[-1]
    ):
        return None
    tokens: list[str] = []
    has_id = False
    for seg in segments:
        token, seg_id = _segment(seg)
        tokens.append(token)
        has_id = has_id or seg_id
    query: list[str] = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if PAGER_KEYS.match(key):
            query.append(f"{key}={{n}}")
        elif value.isdigit() and ID_KEY.search(key):
            query.append(f"{key}={{id}}")
            has_id = True
        elif value.isdigit():
            query.append(f"{key}={{n}}")
        else:
            query.append(key)
    # Liferay's asset publisher: /-/asset_publisher/<instance>/content/<slug> names one item.
    if "asset_publisher" in tokens:
        i = tokens.index("asset_publisher")
        if i + 3 < len(segments) + 1 and len(segments) > i + 2 and segments[i + 2] == "content":
            tokens[i + 2] = "content"
            tokens[i + 3 :] = ["{slug}"] * (len(tokens) - i - 3)
            has_id = True
    return Shape(tuple(tokens), tuple(sorted(query)), has_id)


def looks_like_article_url(url: str) -> bool:
    """Prior without learning: the URL names one item (slug+id, .html id, query id, Liferay
    content). Categories may have ids too: learning and link context settle those."""
    shape = url_shape(url)
    return bool(shape and shape.has_id and not any("{n}" in q for q in shape.query))


@dataclass
class ShapeBook:
    """What one site's crawl learned: shapes of pages that extracted as articles, and shapes
    of pages that turned out to be listings."""

    articles: Counter[Shape] = field(default_factory=Counter)
    listings: Counter[Shape] = field(default_factory=Counter)

    def learn_article(self, url: str) -> None:
        shape = url_shape(url)
        if shape is not None:
            self.articles[shape] += 1

    def learn_listing(self, url: str) -> None:
        shape = url_shape(url)
        if shape is not None:
            self.listings[shape] += 1

    def is_article(self, url: str) -> bool | None:
        """True/False once the shape was seen as article/listing more often; None: unknown."""
        shape = url_shape(url)
        if shape is None:
            return False
        a, b = self.articles.get(shape, 0), self.listings.get(shape, 0)
        if a == b:
            return None
        return a > b

    @property
    def article_shapes(self) -> list[str]:
        return [str(s) for s, _ in self.articles.most_common()]
