"""The extraction result and its JSON form (the `newsarchive extract` contract)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Provenance = Literal["profile", "fallback", "missing"]
FIELDS = ("title", "published", "lead", "body", "images", "captions", "attachments", "tags")


@dataclass
class Image:
    url: str
    caption: str | None = None


@dataclass
class Attachment:
    url: str
    name: str


@dataclass
class Article:
    """One extracted article. `to_dict()` is the CLI JSON; other attributes are extras."""

    url: str
    title: str | None = None
    published: str | None = None
    """ISO 8601 with offset (local time, +07:00), or None when no date could be read."""
    lead: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    provenance: dict[str, Provenance] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    profile: str = "generic"
    """Name of the profile whose selectors were used (not part of the JSON contract)."""

    @property
    def body(self) -> str:
        """Text paragraphs joined by a blank line: no captions, lead not repeated."""
        return "\n\n".join(self.paragraphs)

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "title": self.title,
            "published": self.published,
            "lead": self.lead,
            "body": self.body,
            "images": [{"url": i.url, "caption": i.caption} for i in self.images],
            "attachments": [{"url": a.url, "name": a.name} for a in self.attachments],
            "tags": list(self.tags),
            "provenance": {f: self.provenance.get(f, "missing") for f in FIELDS},
            "warnings": list(self.warnings),
        }
