"""Generation A (vinhbao): the ASP.NET "Portal", print view articles and postback listings."""

from __future__ import annotations

from newsarchive.replica.model import Article
from newsarchive.replica.render_common import (
    PHONES,
    ArticleView,
    ListingView,
    body_blocks,
    esc,
    fault_links_html,
    weekday,
)


def date_line(a: Article) -> str | None:
    p = a.published
    if not a.shows_date:
        return None
    if a.date_form == "ngay":
        return f"Ngày {p:%d/%m/%Y}"
    if a.date_form == "thang":
        return f"{p.day} tháng {p.month} năm {p.year}"
    if a.date_form == "capnhat":
        return f"Cập nhật: {p:%d/%m/%Y %H:%M}"
    return f"{weekday(p.date())}, {p:%d/%m/%Y - %H:%M}"


def _head(title: str) -> str:
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><meta http-equiv="Content-Type" '
        f'content="text/html; charset=utf-8" /><title>{esc(title)}</title></head>\n'
    )


def article_page(v: ArticleView) -> str:
    a, c, site = v.article, v.content, v.site
    body = body_blocks(v, "<p>", '<p align="center">', '<p align="center"><em>{}</em></p>')
    line = date_line(a)
    date_row = (
        f'<tr><td><span id="ctl00_lblDate" class="PrintDate">{esc(line)}</span></td></tr>\n'
        if line
        else ""
    )
    tags = ", ".join(f'<a href="{esc(t.href)}">{esc(t.title)}</a>' for t in v.tag_links)
    files = " ".join(
        f'<a href="{esc(url)}">{esc(att.name)}</a>'
        for url, att in zip(v.attachment_urls, c.attachments, strict=True)
    )
    return (
        _head(site.name)
        + '<body onload="window.print()"><table width="100%" cellpadding="0" cellspacing="0">\n'
        f'<tr><td class="PrintHeader">{esc(site.district_upper)} - CỔNG THÔNG TIN ĐIỆN TỬ</td></tr>\n'
        f'<tr><td><span id="ctl00_lblTitle" class="PrintTitle">{esc(c.title)}</span></td></tr>\n'
        + date_row
        + f'<tr><td class="PrintSummary"><b>{esc(c.lead)}</b></td></tr>\n'
        f'<tr><td class="PrintContent">\n{body}\n</td></tr>\n'
        f'<tr><td class="PrintTags">Tag: {tags}</td></tr>\n'
        f'<tr><td class="PrintFiles">File đính kèm: {files}</td></tr>\n'
        f'<tr><td class="PrintFooter">{fault_links_html(v.fault_links)}© Copyright 2010 '
        f"{esc(site.name)}. Điện thoại: {PHONES[site.key]}</td></tr></table>\n</body></html>\n"
    )


def listing_page(v: ListingView) -> str:
    menu = "".join(f'<td><a href="{esc(m.href)}">{esc(m.title)}</a></td>' for m in v.menu)
    rows = "".join(
        f'<tr><td><a href="{esc(link.href)}">{esc(link.title)}</a></td></tr>\n'
        for link, _lead, _img in v.items
    )
    pager = " ".join(
        f"<a href=\"javascript:__doPostBack('ctl00$MainContent$pager','{esc(p.href)}')\">"
        f"{esc(p.title)}</a>"
        for p in v.pager
    )
    hidden = "".join(
        f'<input type="hidden" name="{k}" id="{k}" value="{esc(val)}" />\n'
        for k, val in v.form.items()
    )
    action = v.action or "./Default.aspx"
    return (
        _head(v.site.name)
        + f'<body><form name="aspnetForm" method="post" action="{esc(action)}" id="aspnetForm">\n'
        f"{hidden}"
        '<script type="text/javascript">function __doPostBack(eventTarget, eventArgument) {'
        " var f = document.forms['aspnetForm']; f.__EVENTTARGET.value = eventTarget;"
        " f.__EVENTARGUMENT.value = eventArgument; f.submit(); }</script>\n"
        f'<table class="Banner"><tr><td>{esc(v.site.district_upper)} - CỔNG THÔNG TIN ĐIỆN TỬ</td></tr></table>\n'
        f'<table class="Menu"><tr><td><a href="/Portal/Default.aspx">Trang chủ</a></td>{menu}'
        '<td><a href="/tim-kiem?q=">Tìm kiếm</a></td><td><a href="/quan-tri/dang-nhap">Quản trị</a></td></tr></table>\n'
        f'<h2 class="CategoryTitle">{esc(v.title)}</h2>\n'
        f'<table class="NewsList">\n{rows}</table>\n<div class="Pager">{pager}</div>\n'
        f'<div class="Footer">{fault_links_html(v.fault_links)}© Copyright 2010 {esc(v.site.name)}. '
        f"Điện thoại: {PHONES[v.site.key]}</div>\n</form></body></html>\n"
    )
