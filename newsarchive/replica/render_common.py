"""Pieces shared by the three generations' templates: escaping, dates, body blocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape

from newsarchive.replica import vocab
from newsarchive.replica.model import Article, Content
from newsarchive.replica.sites import Site

# The "today" of the top bars is fixed so that pages are byte-identical from run to run.
TODAY = date(2025, 6, 30)
FAULT_LINKS = (
    ("/__loop__/a", "Văn bản chỉ đạo (liên kết cũ)"),
    ("/tai-lieu/bao-cao-tong-hop-lon", "Báo cáo tổng hợp (bản đầy đủ)"),
    ("/tai-lieu/du-lieu-nen", "Dữ liệu thống kê (nén)"),
)
PHONES = {"haian": "0225.3978.123", "lechan": "0225.3857.456", "vinhbao": "0225.3885.789"}


def esc(text: str) -> str:
    return escape(text, quote=True)


def weekday(d: date) -> str:
    return vocab.WEEKDAYS[d.weekday()]


def today_line() -> str:
    return f"{weekday(TODAY)}, {TODAY:%d/%m/%Y}"


def dmy(dt: datetime) -> str:
    return f"{dt:%d/%m/%Y}"


@dataclass(frozen=True)
class Link:
    title: str
    href: str
    date: datetime | None = None


@dataclass
class ArticleView:
    """Everything a template needs to draw one article page, with URLs already built."""

    site: Site
    article: Article
    content: Content
    generation: str
    image_srcs: list[str]
    attachment_urls: list[str]
    tag_links: list[Link]
    related: list[Link]
    latest: list[Link]
    menu: list[Link]
    fault_links: bool = False
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class ListingView:
    site: Site
    title: str
    items: list[tuple[Link, str, str]]  # (link, lead, image src)
    pager: list[Link]  # generation A: href holds the postback argument
    menu: list[Link]
    latest: list[Link]
    breadcrumb: list[Link]
    fault_links: bool = False
    form: dict[str, str] = field(default_factory=dict)  # generation A hidden fields
    action: str = ""  # generation A form action


def paragraph_inner(text: str, strong: bool) -> str:
    """Body text, the first sentence in <strong> on some paragraphs (same visible text)."""
    if strong:
        head, sep, tail = text.partition(". ")
        if sep:
            return f"<strong>{esc(head)}.</strong> {esc(tail)}"
    return esc(text)


def body_blocks(view: ArticleView, p_open: str, img_p: str, caption_tpl: str) -> str:
    """Paragraphs, spacers, images and captions of the article, in page order."""
    out: list[str] = []
    c = view.content
    if c.lead_repeated:
        out.append(f"{p_open}{esc(c.lead)}</p>")
    for n, (kind, value) in enumerate(c.blocks):
        if kind == "p":
            strong = (view.article.id + n) % 7 == 0
            out.append(f"{p_open}{paragraph_inner(str(value), strong)}</p>")
        elif kind == "spacer":
            out.append("<p>&nbsp;</p>")
        else:
            idx = int(str(value))
            image = c.images[idx]
            out.append(f'{img_p}<img src="{esc(view.image_srcs[idx])}" alt="{esc(image.alt)}"></p>')
            if image.caption:
                out.append(caption_tpl.format(esc(image.caption)))
    return "\n".join(out)


def link_list(links: list[Link], date_fmt: str = " <span>({})</span>") -> str:
    return "".join(
        f'<li><a href="{esc(link.href)}">{esc(link.title)}</a>'
        + (date_fmt.format(dmy(link.date)) if link.date else "")
        + "</li>"
        for link in links
    )


def fault_links_html(enabled: bool) -> str:
    if not enabled:
        return ""
    items = "".join(f'<li><a href="{href}">{esc(text)}</a></li>' for href, text in FAULT_LINKS)
    return f'<ul class="tai-lieu-khac">{items}</ul>'
