"""Edits and deletions across generations, decided by a hash of (seed, article, generation).

Each generation g >= 1 draws once per live article: deleted with probability delete_rate,
else edited with probability edit_rate. Draws are independent of the rates' history, so the
state at generation G is the same however the server got there.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from newsarchive.replica.model import Article


@dataclass(frozen=True)
class ArticleState:
    version: int = 0
    edits: tuple[tuple[int, str], ...] = ()  # (generation, "title" | "body")
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
            kind = "title" if unit(seed, "kind", article.site, article.id, g) < 0.4 else "body"
            edits.append((g, kind))
    return ArticleState(len(edits), tuple(edits)) if edits else LIVE
