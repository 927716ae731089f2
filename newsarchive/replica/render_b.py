"""Generation B (lechan): the 2020-2023 CMS, `ContentDetail` markup."""

from __future__ import annotations

from newsarchive.replica.render_common import (
    PHONES,
    ArticleView,
    Link,
    ListingView,
    body_blocks,
    dmy,
    esc,
    fault_links_html,
    today_line,
)
from newsarchive.replica.sites import Site


def _top(title: str, site: Site, menu: list[Link]) -> str:
    items = "".join(f'<a href="{esc(m.href)}">{esc(m.title)}</a> | ' for m in menu)
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head>'
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />'
        f"<title>{esc(title)}</title></head>\n<body>"
        f'<div id="header"><h1 class="logo">{esc(site.name)}</h1>'
        f'<span class="date">{today_line()}</span></div>'
        f'<div class="menu"><a href="/">Trang chủ</a> | {items}'
        '<a href="/tim-kiem?q=">Tìm kiếm</a> | <a href="/quan-tri/dang-nhap">Đăng nhập</a></div>\n'
    )


def _right(latest: list[Link]) -> str:
    items = "".join(
        f'<li><a href="{esc(x.href)}">{esc(x.title)}</a> ({dmy(x.date)})</li>'
        for x in latest
        if x.date
    )
    return f'<div class="RightCol"><div class="BoxTitle">Tin mới nhất</div><ul>{items}</ul></div>\n'


def _footer(site: Site, fault_links: bool) -> str:
    return (
        f'<div id="footer">{fault_links_html(fault_links)}{esc(site.name)}<br />'
        f"Điện thoại: {PHONES[site.key]} - Email: ubnd@haiphong.gov.vn<br />"
        "Bản quyền © 2020 - 2023 UBND quận Lê Chân</div>\n</body></html>\n"
    )


def article_page(v: ArticleView) -> str:
    a, c, site = v.article, v.content, v.site
    caption = '<p style="text-align:center"><span style="font-size:14px"><em>{}</em></span></p>'
    body = body_blocks(
        v, '<p style="text-align:justify">', '<p style="text-align:center">', caption
    )
    tags = ", ".join(f'<a href="{esc(t.href)}">{esc(t.title)}</a>' for t in v.tag_links)
    files = "".join(
        f'<a href="{esc(url)}">{esc(att.name)}</a><br />'
        for url, att in zip(v.attachment_urls, c.attachments, strict=True)
    )
    others = "".join(
        f'<li><a href="{esc(x.href)}">{esc(x.title)}</a> ({dmy(x.date)})</li>'
        for x in v.related
        if x.date
    )
    return (
        _top(c.title, site, v.menu) + '<div class="ContentDetail">\n'
        f'<div class="PostDate">Thời gian: {a.published:%d/%m/%Y %H:%M}</div>\n'
        f'<h2 class="Title">{esc(c.title)}</h2>\n'
        f'<div class="Summary">{esc(c.lead)}</div>\n'
        f'<div class="Content">\n{body}\n</div>\n'
        f'<div class="Tags">Tag: {tags}</div>\n'
        f'<div class="Attachments"><b>Tài liệu đính kèm:</b> {files}</div>\n</div>\n'
        f'<div class="OtherNews"><h3>Các tin khác</h3><ul>{others}</ul></div>\n'
        + _right(v.latest)
        + _footer(site, v.fault_links)
    )


def listing_page(v: ListingView) -> str:
    items = "".join(
        f'<div class="NewsItem"><a class="NewsTitle" href="{esc(link.href)}">{esc(link.title)}</a>'
        f" <span>({dmy(link.date) if link.date else ''})</span></div>\n"
        for link, _lead, _img in v.items
    )
    pager = " ".join(f'<a href="{esc(p.href)}">{esc(p.title)}</a>' for p in v.pager)
    return (
        _top(v.title, v.site, v.menu)
        + f'<div class="CatTitle">{esc(v.title)}</div>\n<div class="ListNews">\n{items}</div>'
        f'<div class="paging">{pager}</div>\n' + _right(v.latest) + _footer(v.site, v.fault_links)
    )
