"""Generation C (haian): VNPT vnPortal-like markup, pages of article and listing."""

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
    link_list,
    today_line,
)
from newsarchive.replica.sites import Site


def _head(title: str, extra: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title>{extra}"
        '<link rel="stylesheet" href="/Portals/_default/skins/vnp/css/style.css"></head>\n'
    )


def _header(site: Site, menu: list[Link]) -> str:
    items = "".join(f'<li><a href="{esc(m.href)}">{esc(m.title)}</a></li>' for m in menu)
    return (
        f'<body><div class="top-bar"><span class="today">{today_line()}</span> '
        '<a href="/dang-nhap">Sign In</a></div>\n'
        f'<header class="portal-header"><a class="logo" href="/">{esc(site.name)}</a>'
        f'<nav class="main-menu"><ul><li><a href="/">Trang chủ</a></li>{items}'
        '<li><a href="/tim-kiem?q=">Tìm kiếm</a></li>'
        '<li><a href="/quan-tri/dang-nhap">Quản trị</a></li></ul></nav></header>\n'
    )


def _aside(latest: list[Link]) -> str:
    items = "".join(
        f'<li><a href="{esc(x.href)}">{esc(x.title)}</a> <span class="date">{dmy(x.date)}</span></li>'
        for x in latest
        if x.date
    )
    return f'<aside class="col-right"><div class="box-latest"><h3>Tin mới nhất</h3><ul>{items}</ul></div></aside>'


def _footer(site: Site, fault_links: bool) -> str:
    return (
        f'<footer class="portal-footer">{fault_links_html(fault_links)}'
        f"<p>{esc(site.name)}</p><p>Cơ quan chủ quản: Ủy ban nhân dân quận Hải An</p>"
        f"<p>Điện thoại: {PHONES[site.key]} - Fax: 0225.3978.100</p>"
        "<p>© 2015 - 2025 Bản quyền thuộc về UBND quận Hải An</p></footer>\n</body></html>\n"
    )


def article_page(v: ArticleView) -> str:
    a, c, site = v.article, v.content, v.site
    cat = site.categories[a.category]
    meta = f'<meta property="og:title" content="{esc(c.title)}">'
    if a.meta_published:
        meta += f'<meta property="article:published_time" content="{a.published.isoformat()}">'
    caption = '<p style="text-align:center"><span style="font-size:14px"><em>{}</em></span></p>'
    body = body_blocks(
        v, '<p style="text-align:justify">', '<p style="text-align:center">', caption
    )
    tags = " ".join(f'<a href="{esc(t.href)}">{esc(t.title)}</a>' for t in v.tag_links)
    files = "".join(
        f'<li><a href="{esc(url)}">{esc(att.name)}</a></li>'
        for url, att in zip(v.attachment_urls, c.attachments, strict=True)
    )
    return (
        _head(f"{c.title} - {site.name}", meta)
        + _header(site, v.menu)
        + '<div class="portal-body"><div class="col-main">\n'
        '<ul class="breadcrumb"><li><a href="/">Trang chủ</a></li>'
        f'<li><a href="/{cat.slug}-{cat.c_id}">{esc(cat.name)}</a></li></ul>\n'
        '<article class="vnp-news-detail">\n'
        f'<h1 class="vnp-title">{esc(c.title)}</h1>\n'
        f'<div class="vnp-meta"><span class="vnp-date">{a.published:%H:%M %d/%m/%Y}</span> '
        f'<span class="vnp-views">Lượt xem: {a.views}</span></div>\n'
        f'<div class="vnp-sapo">{esc(c.lead)}</div>\n'
        f'<div class="vnp-content">\n{body}\n</div>\n'
        f'<div class="vnp-tags"><span>Tag:</span> {tags}</div>\n'
        f'<div class="vnp-attachments"><span>File đính kèm</span><ul>{files}</ul></div>\n'
        '<div class="vnp-share"><a href="https://www.facebook.com/sharer/sharer.php" rel="nofollow">'
        'Chia sẻ</a> <a href="javascript:window.print()">In bài viết</a></div>\n</article>\n'
        f'<div class="vnp-related"><h3>Tin liên quan</h3><ul>{link_list(v.related)}</ul></div>\n'
        f"</div>{_aside(v.latest)}</div>\n" + _footer(site, v.fault_links)
    )


def listing_page(v: ListingView) -> str:
    items = "".join(
        f'<div class="vnp-item"><a href="{esc(link.href)}"><img src="{esc(img)}" alt=""></a>'
        f'<h3><a href="{esc(link.href)}">{esc(link.title)}</a></h3>'
        f'<span class="vnp-item-date">{dmy(link.date) if link.date else ""}</span>'
        f"<p>{esc(lead)}</p></div>\n"
        for link, lead, img in v.items
    )
    pager = "".join(f'<li><a href="{esc(p.href)}">{esc(p.title)}</a></li>' for p in v.pager)
    crumbs = "".join(f'<li><a href="{esc(b.href)}">{esc(b.title)}</a></li>' for b in v.breadcrumb)
    return (
        _head(f"{v.title} - {v.site.name}")
        + _header(v.site, v.menu)
        + f'<div class="portal-body"><div class="col-main"><ul class="breadcrumb">{crumbs}</ul>'
        f'<h2 class="vnp-cat-title">{esc(v.title)}</h2>\n<div class="vnp-list">\n{items}</div>'
        f'<ul class="pagination">{pager}</ul></div>{_aside(v.latest)}</div>\n'
        + _footer(v.site, v.fault_links)
    )
