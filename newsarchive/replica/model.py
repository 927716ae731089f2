"""Data classes of the replica corpus: article metadata (eager) and content (lazy)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Image:
    ext: str  # jpg | png
    caption: str | None
    alt: str
    name: str  # base of the file name; each generation shapes its URL around it


@dataclass(frozen=True)
class Attachment:
    ext: str  # pdf | doc | docx | xlsx
    name: str  # display name (link text)


@dataclass(frozen=True)
class Content:
    title: str
    lead: str
    # Page order: ("p", text) | ("spacer", "") | ("img", index into images)
    blocks: tuple[tuple[str, object], ...]
    images: tuple[Image, ...]
    attachments: tuple[Attachment, ...]
    lead_repeated: bool  # the lead is rendered again as the first body paragraph

    @property
    def paragraphs(self) -> list[str]:
        return [str(v) for k, v in self.blocks if k == "p"]


@dataclass(eq=False)
class Article:
    """Metadata known at start-up; text and files are generated on demand from `key`."""

    site: str
    seq: int  # position in the site's list, oldest first
    id: int
    generation: str  # markup generation of the site: A | B | C
    category: int
    published: datetime  # also the sort key when the page shows no date
    shows_date: bool  # False: generation A article without a date line (truth: null)
    date_form: str  # generation A date line form
    title: str  # title at version 0 (unique across the replica)
    tags: tuple[str, ...]
    nfd: bool
    lead_repeated: bool
    meta_published: bool
    views: int
    legacy_id: int | None = None  # generation C article with an old B URL
    is_seed: bool = False
    key: str = field(default="")
