"""Edits and deletions across generations, decided by a hash of (seed, article, generation).

Each generation g >= 1 draws once per live article: deleted with probability delete_rate,
else edited with probability edit_rate. Draws are independent of the rates' history, so the
state at generation G is the same however the server got there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from newsarchive.replica.model import Article


@dataclass(frozen=True)
class ArticleState:
    version: int = 0
    edits: tuple[tuple[int, str], ...] = ()  # (generation, "title" | "lead" | "date" | "body")
    deleted_at: int | None = None
    gone_status: int = 404  # 404 or 410 once deleted

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def last_edit(self) -> int:
        return self.edits[-1][0] if self.edits else 0


LIVE = ArticleState()


def unit(*parts: object) -> float:
    """A uniform number in [0, 1) from a hash of `parts` (stable across runs and machines)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


# What an edit changes, by share: the headline, the lead (the listings' teaser), the date
# (a corrected publication date or time), or a paragraph of the body (no listing shows it).
EDIT_KINDS = (("title", 0.4), ("lead", 0.15), ("date", 0.1), ("body", 0.35))


def edit_kind(u: float) -> str:
    for kind, share in EDIT_KINDS:
        if u < share:
            return kind
        u -= share
    return "body"


def date_shift(seed: int, article: Article, generation: int) -> timedelta:
    """A date correction: half move the day back 1-3 days, half the time back 1-5 hours
    (which a listing showing only the day may not show)."""
    u = unit(seed, "dateshift", article.site, article.id, generation)
    if u < 0.5:
        return -timedelta(days=1 + int(u * 6))
    return -timedelta(hours=1 + int((u - 0.5) * 10))


def article_state(
    article: Article, generation: int, seed: int, edit_rate: float, delete_rate: float
) -> ArticleState:
    if generation <= 0 or article.is_seed:  # the seed article stays put: tests rely on it
        return LIVE
    edits: list[tuple[int, str]] = []
    for g in range(1, generation + 1):
        u = unit(seed, "gen", article.site, article.id, g)
        if u < delete_rate:
            status = 410 if unit(seed, "gone", article.site, article.id) < 0.5 else 404
            return ArticleState(len(edits), tuple(edits), g, status)
        if u < delete_rate + edit_rate:
            edits.append((g, edit_kind(unit(seed, "kind", article.site, article.id, g))))
    return ArticleState(len(edits), tuple(edits)) if edits else LIVE
