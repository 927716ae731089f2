"""What the spiders hand to the pipeline. Plain dataclasses: they never carry a Response."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class CaptureRef:
    """Where the fetch behind an item sits: its index row and its WARC record."""

    capture_id: int | None
    record_id: str | None
    warc_file: str | None
    warc_offset: int | None
    warc_length: int | None


@dataclass
class ArticleItem:
    site: str
    url: str  # as requested
    final_url: str  # after redirects
    fetched_at: str  # ISO 8601 UTC
    article: dict[str, Any]  # `newsarchive extract` JSON
    capture: CaptureRef | None = None
    etag: str | None = None
    last_modified: str | None = None
    redirect_urls: list[str] = field(default_factory=list)
    recheck: str | None = None  # why a known article was fetched again (crawl.recheckstats)


@dataclass
class NotModifiedItem:
    """A conditional GET answered 304: the archived copy is still current."""

    site: str
    url: str
    checked_at: str
    etag: str | None = None
    last_modified: str | None = None
    recheck: str | None = None


@dataclass
class GoneItem:
    site: str
    url: str
    seen_at: str
    http_status: int
    recheck: str | None = None


@dataclass
class UnreadableItem:
    """A fetch of an article URL that yielded no article (empty or non-HTML body, nothing
    extractable): the archived version stays current; the capture stays in the WARC."""

    site: str
    url: str
    seen_at: str
    reason: str
    capture: CaptureRef | None = None
    recheck: str | None = None


@dataclass
class MovedItem:
    site: str
    url: str
    new_url: str
    seen_at: str
    recheck: str | None = None


@dataclass
class FileItem:
    site: str
    article_url: str
    kind: str  # "image" | "attachment"
    url: str
    name: str | None
    mime_type: str | None
    size: int
    sha256: str
    capture: CaptureRef | None = None


@dataclass
class SharedFileItem:
    """A file this article links that is already in the archive for another article."""

    site: str
    article_url: str
    kind: str
    url: str
    name: str | None


@dataclass
class ListingItem:
    """What one listing page showed: each article's position and entry (see
    crawl.listingcheck); `forget`: articles gone from this listing's walked window."""

    site: str
    category: str
    page: int
    seen_at: str
    entries: list[dict[str, Any]] = field(default_factory=list)
    forget: list[str] = field(default_factory=list)
