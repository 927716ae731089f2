"""Vietnamese text from `vocab` by sentence templates: titles, leads, paragraphs, captions.

Every function takes the caller's `random.Random`, so an article's text depends only on the
seed it was derived from (determinism is the whole point of a replica).
"""

from __future__ import annotations

import random
import re
import unicodedata

from newsarchive.replica import vocab


class Context:
    """Fills the {placeholders} of the vocabulary for one article of one site."""

    def __init__(self, rng: random.Random, site: str, year: int) -> None:
        self.rng = rng
        self.site = site
        self.year = year

    def person(self) -> str:
        r = self.rng
        return f"{r.choice(vocab.PEOPLE_SURNAMES)} {r.choice(vocab.PEOPLE_MIDDLE)} {r.choice(vocab.PEOPLE_GIVEN)}"

    def fill(self, template: str) -> str:
        r = self.rng
        district = vocab.DISTRICT[self.site]
        place = r.choice(vocab.PLACES[self.site])
        values = {
            "district": district,
            "district_party": "Quận ủy" if district.startswith("quận") else "Huyện ủy",
            "place": place,
            "place_short": place.split(" ", 1)[1],
            "topic": r.choice(vocab.TOPICS),
            "year": str(self.year),
            "y": str(self.year),
            "n": str(r.randint(2, 30)),
            "d": str(r.randint(1, 28)),
            "m": str(r.randint(1, 12)),
            "pct": f"{r.randint(60, 100)}",
            "num": f"{r.randint(12, 4800):,}".replace(",", "."),
            "small": str(r.randint(3, 95)),
            "money": f"{r.randint(1, 950)},{r.randint(1, 9)}",
        }
        if "{org}" in template:
            values["org"] = self.fill(r.choice(vocab.ORGS))
        if "{person}" in template:
            values["person"] = self.person()
        if "{role}" in template:
            values["role"] = self.fill(r.choice(vocab.ROLES))
        return template.format(**values)


def capitalize_first(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def title(ctx: Context) -> str:
    r = ctx.rng
    if r.random() < 0.3:
        tail = ctx.fill(r.choice(vocab.EVENT_TAILS))
        return f"{r.choice(vocab.EVENTS)} {tail}"
    org = ctx.fill(r.choice(vocab.ORGS))
    action = r.choice(vocab.ACTIONS)
    topic = r.choice(vocab.TOPICS)
    suffix = r.choice(("", f" năm {ctx.year}", f" tại {r.choice(vocab.PLACES[ctx.site])}", ""))
    return capitalize_first(f"{org} {action} {topic}{suffix}")


def sentence(ctx: Context, opener: bool = False) -> str:
    r = ctx.rng
    clause = ctx.fill(r.choice(vocab.CLAUSES))
    if opener:
        return f"{ctx.fill(r.choice(vocab.TIME_OPENERS))}, {clause}."
    if r.random() < 0.3:
        return f"Theo {ctx.fill('{org}')}, {clause}."
    return capitalize_first(clause) + "."


def lead(ctx: Context) -> str:
    return " ".join([sentence(ctx, opener=True), sentence(ctx)])


def paragraph(ctx: Context, closing: bool = False) -> str:
    r = ctx.rng
    parts = [sentence(ctx) for _ in range(r.randint(2, 5))]
    if closing:
        parts.append(ctx.fill(r.choice(vocab.CLOSERS)))
    return " ".join(parts)


def caption(ctx: Context) -> str:
    return capitalize_first(ctx.fill(ctx.rng.choice(vocab.CAPTIONS)))


def attachment_name(ctx: Context) -> str:
    return capitalize_first(ctx.fill(ctx.rng.choice(vocab.ATTACHMENT_NAMES)))


_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")


def ascii_fold(text: str) -> str:
    """Drop diacritics; `đ` has no decomposition, so it is mapped by hand."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slug(text: str) -> str:
    """Generation C slug: lowercase ASCII words joined by hyphens."""
    return _NON_ALNUM.sub("-", ascii_fold(text)).strip("-").lower()


def slug_b(text: str) -> str:
    """Generation B slug: ASCII words keeping their case (`Tin-tuc-Su-kien`)."""
    return _NON_ALNUM.sub("-", ascii_fold(text)).strip("-")
