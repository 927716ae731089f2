"""Accuracy of extracted dicts against ground truth (the replica's `/__truth__` records).

Exact match for title, published, lead, images, attachments and tags; paragraph-level F1
for the body (paragraphs compared as whole strings, multiset intersection) and F1 over
(image URL, caption) pairs for captions. Used by the tests and by bench/bench_extract.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

EXACT_FIELDS = ("title", "published", "lead", "images", "attachments", "tags")


def paragraphs(body: str | None) -> list[str]:
    return [p.strip() for p in (body or "").split("\n\n") if p.strip()]


def f1(predicted: Iterable[Any], expected: Iterable[Any]) -> tuple[int, int, int]:
    """(true positives, predicted count, expected count) over multisets."""
    p, e = Counter(predicted), Counter(expected)
    return sum((p & e).values()), sum(p.values()), sum(e.values())


def _captions(images: Any) -> list[tuple[str, str]]:
    out = []
    for im in images or []:
        if isinstance(im, Mapping) and im.get("caption"):
            out.append((str(im.get("url")), str(im["caption"])))
    return out


def _norm_list(items: Any) -> list:
    return [dict(i) if isinstance(i, Mapping) else i for i in (items or [])]


@dataclass
class Score:
    """Accumulates per-page comparisons; `summary()` gives the rates."""

    pages: int = 0
    correct: Counter = field(default_factory=Counter)
    body: list[int] = field(default_factory=lambda: [0, 0, 0])
    captions: list[int] = field(default_factory=lambda: [0, 0, 0])
    failures: dict[str, list[str]] = field(default_factory=dict)

    def add(self, got: Mapping[str, Any], truth: Mapping[str, Any], key: str = "") -> None:
        self.pages += 1
        for name in EXACT_FIELDS:
            g, t = got.get(name), truth.get(name)
            if name in ("images", "attachments"):
                g, t = _norm_list(g), _norm_list(t)
            if name == "tags":
                g, t = list(g or []), list(t or [])
            if name == "lead":
                g, t = g or None, t or None
            if g == t:
                self.correct[name] += 1
            else:
                self.failures.setdefault(name, []).append(key or str(truth.get("url")))
        for acc, pred, exp in (
            (self.body, paragraphs(got.get("body")), paragraphs(truth.get("body"))),
            (self.captions, _captions(got.get("images")), _captions(truth.get("images"))),
        ):
            tp, np_, ne = f1(pred, exp)
            acc[0] += tp
            acc[1] += np_
            acc[2] += ne

    @staticmethod
    def _f1(acc: list[int]) -> float:
        tp, np_, ne = acc
        if np_ == 0 and ne == 0:
            return 1.0
        precision = tp / np_ if np_ else 0.0
        recall = tp / ne if ne else 0.0
        return 2 * precision * recall / (precision + recall) if precision + recall else 0.0

    def summary(self) -> dict[str, float]:
        n = max(self.pages, 1)
        out = {name: self.correct[name] / n for name in EXACT_FIELDS}
        out["body_f1"] = self._f1(self.body)
        out["captions_f1"] = self._f1(self.captions)
        return out
