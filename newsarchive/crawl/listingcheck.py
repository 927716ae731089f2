"""Re-check known articles whose listing entry changed: the headline, date or teaser a
listing shows for an article disagrees with the index (an edit the age policy would see
only later).

A listing entry is found by structure, never by a site's markup: the largest element around
the article's link that holds no link to another article (a list item, a card, a table row).
In it:
- headlines: link texts of 4 words or more (not "Xem tiếp", not an image link; a card link
  wrapping a heading and a teaser gives the heading). A listing may cut a headline short
  ("...", "…"), never lengthen it.
- the date: a `<time datetime>` or the first date in the entry's text (day-first forms,
  with or without a time, or relative: "3 giờ trước", "hôm qua"). It is compared at the
  precision the listing shows: a day against the stored day, a time to the minute (not
  against a stored midnight, which is a page that showed only the day), a relative date
  within its unit.
- the teaser: the longest other text of 8 words or more. NFC, case, whitespace and a
  trailing ellipsis do not count; a teaser that is the start of the stored lead (or body,
  or lead then body) is not a change.
Anything the entry does not show is not compared.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from newsarchive.extract.dates import find_date, get_tz, parse_iso
from newsarchive.extract.dom import BLOCK_TAGS as DOM_BLOCK_TAGS
from newsarchive.urlparts import resolve_url

MIN_WORDS = 4  # a headline
MIN_TEASER_WORDS = 8
MAX_ENTRY_CHARS = 1500  # an "entry" larger than this is a page section, not one item
ELLIPSES = ("[...]", "[…]", "(...)", "(…)", "...", "…")
# A line break ends a text run in a listing entry just as a block does.
BLOCK_TAGS = DOM_BLOCK_TAGS | {"br"}
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
REASONS = ("listing_title", "listing_date", "listing_teaser")

_UNITS = {
    "giây": 1, "phút": 60, "giờ": 3600, "tiếng": 3600, "ngày": 86400, "tuần": 7 * 86400,
    "tháng": 31 * 86400, "năm": 366 * 86400,
    "second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400,
    "month": 31 * 86400, "year": 366 * 86400,
}  # fmt: skip
_RELATIVE = re.compile(
    r"(?<!\d)(\d{1,3})\s*(giây|phút|giờ|tiếng|ngày|tuần|tháng|năm)\s+trước\b"
    r"|(?<!\d)(\d{1,3})\s*(second|minute|hour|day|week|month|year)s?\s+ago\b",
    re.I,
)
_DAY_WORDS = re.compile(r"\b(hôm nay|hôm qua|today|yesterday)\b", re.I)


@dataclass(frozen=True)
class ListedDate:
    """The times a listing's date text allows (local time), and at which precision."""

    lo: datetime
    hi: datetime  # exclusive
    precision: str  # "day" | "minute" | "relative"
    text: str  # canonical form remembered in the index; "" for a relative date

    def agrees(self, published: str | None) -> bool:
        """True when the stored publication date is what this listing shows."""
        stored = parse_iso(published)
        if stored is None:
            return True  # the index has no date: nothing to compare
        when = stored.value.astimezone(self.lo.tzinfo)
        if self.precision == "minute" and (when.hour, when.minute, when.second) == (0, 0, 0):
            return when.date() == self.lo.date()  # the page showed only the day
        if self.precision == "minute":
            when = when.replace(second=0, microsecond=0)
        return self.lo <= when < self.hi


@dataclass(frozen=True)
class Entry:
    """One listing entry of an article, as shown (headlines and teaser normalised)."""

    titles: tuple[str, ...] = ()
    date: ListedDate | None = None
    teaser: str | None = None

    def key(self) -> list[Any]:
        return [list(self.titles), self.date.text if self.date else "", self.teaser or ""]


@dataclass(frozen=True)
class Indexed:
    """What the index holds of a known article."""

    title: str | None = None
    published: str | None = None
    lead: str | None = None
    body: str | None = None


INDEXED_FIELDS = ("title", "published", "lead", "body")


def local_day(published: str | None) -> str | None:
    """The local day (`YYYY-MM-DD`) of a stored publication date."""
    hit = parse_iso(published)
    return hit.value.astimezone(get_tz()).strftime("%Y-%m-%d") if hit else None


def normalize(text: str) -> str:
    text = " ".join(unicodedata.normalize("NFC", text).split()).casefold()
    stripped = True
    while stripped:
        stripped = False
        for mark in ELLIPSES:
            if text.endswith(mark):
                text, stripped = text[: -len(mark)].rstrip(), True
    return text


def _compact(text: str | None) -> str:
    return "".join(normalize(text or "").split())


def parse_listed_date(text: str, now: datetime) -> ListedDate | None:
    """The first date in `text`: absolute (day-first, ISO) or relative to `now`."""
    tz = get_tz()
    hit = find_date(text)
    if hit is not None:
        day = hit.value.replace(hour=0, minute=0, second=0, microsecond=0)
        if hit.has_time:
            lo = hit.value.replace(second=0, microsecond=0)
            return ListedDate(
                lo, lo + timedelta(minutes=1), "minute", lo.strftime("%Y-%m-%dT%H:%M")
            )
        return ListedDate(day, day + timedelta(days=1), "day", day.strftime("%Y-%m-%d"))
    local_now = now.astimezone(tz)
    match = _RELATIVE.search(text)
    if match:
        n = int(match.group(1) or match.group(3))
        unit = _UNITS[(match.group(2) or match.group(4)).lower()]
        # "3 giờ trước" is 3 to 4 hours ago, as the portal rounds; one unit of slack each
        # side for clocks and rounding.
        lo = local_now - timedelta(seconds=(n + 2) * unit)
        hi = local_now - timedelta(seconds=max(n - 1, 0) * unit)
        return ListedDate(lo, hi + timedelta(seconds=1), "relative", "")
    match = _DAY_WORDS.search(text)
    if match:
        back = 1 if match.group(1).lower() in ("hôm qua", "yesterday") else 0
        day = (local_now - timedelta(days=back)).replace(hour=0, minute=0, second=0, microsecond=0)
        return ListedDate(
            day - timedelta(hours=1), day + timedelta(days=1, hours=1), "relative", ""
        )
    return None


def listed_entries(
    body: str,
    base_url: str,
    urls: Iterable[str],
    page_articles: Iterable[str] = (),
    now: datetime | None = None,
    *,
    doc: Any = None,
) -> dict[str, list[Entry]]:
    """The listing entries of each of `urls` on the page. `page_articles`: every article
    link of the page (an entry holds no link to another one). `doc`: the page already
    parsed (newsarchive.listing.Listing.doc), instead of parsing `body` again."""
    import lxml.html

    wanted = set(urls)
    found: dict[str, list[Entry]] = defaultdict(list)
    if not wanted or (doc is None and not body):
        return found
    if doc is None:
        try:
            doc = lxml.html.document_fromstring(body, base_url=base_url)
        except (ValueError, lxml.etree.ParserError):
            return found
    articles = wanted | set(page_articles)
    target: dict[Any, str] = {}  # anchor -> the article URL it links
    for anchor in doc.iter("a"):
        url = resolve_url(base_url, anchor.get("href"))
        if url in articles:
            target[anchor] = url
    now = now or datetime.now(timezone.utc)
    done: set[Any] = set()
    for anchor, url in target.items():
        if url not in wanted or anchor in done:
            continue
        item = _entry_element(anchor, url, target)
        anchors = [a for a in item.iter("a") if target.get(a) == url]
        done.update(anchors)
        found[url].append(_read_entry(item, anchors, now))
    return found


def _entry_element(anchor: Any, url: str, target: dict[Any, str]) -> Any:
    """The largest ancestor of `anchor` that links no other article and is item-sized."""
    best = anchor
    node = anchor.getparent()
    while node is not None and isinstance(node.tag, str) and node.tag not in ("body", "html"):
        if any(target.get(a, url) != url for a in node.iter("a")):
            break
        if len(node.text_content()) > MAX_ENTRY_CHARS:
            break
        best, node = node, node.getparent()
    return best


def _headline_parts(anchor: Any) -> list[Any]:
    """What of a link is its headline: the link, or the heading of a card link."""
    if any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS for c in anchor.iter()):
        heads = [e for e in anchor.iter() if isinstance(e.tag, str) and e.tag in HEADINGS]
        return heads or [anchor]
    return [anchor]


def _read_entry(item: Any, anchors: list[Any], now: datetime) -> Entry:
    skip: list[Any] = []
    titles: list[str] = []
    for anchor in anchors:
        for part in _headline_parts(anchor):
            skip.append(part)
            text = normalize(part.text_content() or anchor.get("title") or "")
            if len(text.split()) >= MIN_WORDS and text not in titles:
                titles.append(text)
    segments = _segments(item, set(skip))
    # The entry's date: a <time>, a short text (its own span or cell), or the start of a
    # longer one ("09/03/2024 - Sáng nay..."); a date inside a teaser is the teaser's.
    date = _time_element(item, now)
    for text in segments if date is None else ():
        if len(text.split()) < MIN_TEASER_WORDS:
            date = parse_listed_date(text, now)
            if date is not None:
                break
    teasers = []
    for text in segments:
        lead_end = _leading_date_end(text)
        if lead_end:
            if date is None:
                date = parse_listed_date(text[:lead_end], now)
            text = text[lead_end:]
        text = _trim(text)
        if len(text.split()) >= MIN_TEASER_WORDS and normalize(text) not in titles:
            teasers.append(text)
    teaser = max(teasers, key=len) if teasers else None
    return Entry(tuple(titles), date, normalize(teaser) if teaser else None)


def _trim(text: str) -> str:
    """Without the separators around it and a trailing ellipsis."""
    while True:
        before = text
        text = text.strip(" \t()[]|-–—:·,")
        for mark in ELLIPSES:
            text = text.removesuffix(mark)
        if text == before:
            return text


def _leading_date_end(text: str) -> int:
    """Where a date that opens `text` ends (0: it opens with none)."""
    head = text.lstrip(" \t([|-–—")
    offset = len(text) - len(head)
    hit = find_date(head[:40])
    if hit is not None and hit.start == 0:
        return offset + hit.end
    match = _RELATIVE.match(head) or _DAY_WORDS.match(head)
    return offset + match.end() if match else 0


def _time_element(item: Any, now: datetime) -> ListedDate | None:
    for el in item.iter("time"):
        value = (el.get("datetime") or "").strip()
        hit = parse_iso(value) if value else None
        if hit is not None:
            return parse_listed_date(
                hit.value.strftime("%d/%m/%Y %H:%M" if hit.has_time else "%d/%m/%Y"), now
            )
    return None


def _segments(item: Any, skip: set[Any]) -> list[str]:
    """The entry's texts outside its headlines, split at block boundaries and <br>."""
    out: list[list[str]] = [[]]

    def cut() -> None:
        if out[-1]:
            out.append([])

    def walk(el: Any) -> None:
        if not isinstance(el.tag, str) or el.tag in ("script", "style"):
            return
        if el in skip:
            cut()
            return
        block = el.tag in BLOCK_TAGS
        if block:
            cut()
        if el.text:
            out[-1].append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                out[-1].append(child.tail)
        if block:
            cut()

    walk(item)
    return [" ".join("".join(s).split()) for s in out if "".join(s).strip()]


def change_reason(entries: list[Entry], known: Indexed) -> str | None:
    """Why these listing entries disagree with the indexed article, or None."""
    title = normalize(known.title or "")
    if title and any(not title.startswith(t) for e in entries for t in e.titles):
        return "listing_title"
    if any(e.date is not None and not e.date.agrees(known.published) for e in entries):
        return "listing_date"
    forms = [
        _compact(known.lead),
        _compact(known.body),
        _compact(known.lead) + _compact(known.body),
    ]
    if any(forms):
        for e in entries:
            teaser = _compact(e.teaser)
            if teaser and not any(f and f.startswith(teaser) for f in forms):
                return "listing_teaser"
    return None


def signature(entries: list[Entry]) -> str:
    """What the listing showed of an article, as a short key the index remembers."""
    data = json.dumps(sorted(e.key() for e in entries), ensure_ascii=False)
    return hashlib.sha1(data.encode("utf-8")).hexdigest()[:16]


def changed_entries(
    body: str, base_url: str, indexed: dict[str, Indexed | str | None]
) -> list[str]:
    """Known article URLs (keys of `indexed`) listed on this page with an entry that
    disagrees with the index (a plain string is an indexed title)."""
    known = {u: v if isinstance(v, Indexed) else Indexed(title=v) for u, v in indexed.items()}
    listed = listed_entries(body, base_url, set(known))
    return [u for u, entries in listed.items() if change_reason(entries, known[u])]
