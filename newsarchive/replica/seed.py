"""The seed article: the visible text of one real Hải An article, parsed into parts.

The text file is page text, not markup. "Sign In", "Tag:" and "File đính kèm" are page
chrome; a line of a no-break space is a spacer paragraph; a short line standing alone
without final punctuation is an image caption (the image itself left no text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from importlib import resources

SEED_FILE = "seed_haian.txt"
ICT = timezone(timedelta(hours=7))
_DATE_LINE = re.compile(r"^(\d{2}):(\d{2}) (\d{2})/(\d{2})/(\d{4})$")
_CHROME = {"Sign In", "Tag:", "File đính kèm"}


@dataclass(frozen=True)
class SeedArticle:
    title: str
    published: datetime
    lead: str
    # Layout in page order: ("p", text) | ("spacer", "") | ("img", caption)
    blocks: tuple[tuple[str, str], ...]

    @property
    def paragraphs(self) -> list[str]:
        return [text for kind, text in self.blocks if kind == "p"]

    @property
    def captions(self) -> list[str]:
        return [text for kind, text in self.blocks if kind == "img"]


def _is_caption(line: str) -> bool:
    return len(line) < 250 and not line.rstrip().endswith((".", "…", ":", ";"))


def parse_seed(text: str) -> SeedArticle:
    lines = [line.rstrip("\n") for line in text.splitlines()]
    content = [line for line in lines if line.strip() not in _CHROME]
    # A line holding only a no-break space is a spacer; a truly empty line separates lines.
    items = [line for line in content if line != ""]
    title = items[0].strip()
    match = _DATE_LINE.match(items[1].strip())
    if match is None:
        raise ValueError(f"seed: no date line after the title: {items[1]!r}")
    hh, mm, dd, mo, yyyy = (int(g) for g in match.groups())
    published = datetime(yyyy, mo, dd, hh, mm, tzinfo=ICT)
    lead = items[2].strip()
    blocks: list[tuple[str, str]] = []
    for line in items[3:]:
        stripped = line.strip()
        if not stripped:  # "\xa0 " strips to nothing
            blocks.append(("spacer", ""))
        elif _is_caption(stripped):
            blocks.append(("img", stripped))
        else:
            blocks.append(("p", stripped))
    return SeedArticle(title=title, published=published, lead=lead, blocks=tuple(blocks))


@lru_cache(maxsize=1)
def load_seed() -> SeedArticle:
    text = (
        resources.files("newsarchive.replica")
        .joinpath("data")
        .joinpath(SEED_FILE)
        .read_text("utf-8")
    )
    return parse_seed(text)
