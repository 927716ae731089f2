"""Markup and routing of the replica variants (see variants.py): one renderer per family.

Families, as PORTAL.md describes them (no markup copied from anywhere):
- liferay: `/web/guest/<cat>/-/asset_publisher/<inst>/content/<slug>`, `_cur=N` paging
  with "Tiếp"/"Cuối", body of `<div>` paragraphs, "Ngày đăng: dd/mm/yyyy | HH:MM",
  summary block, captions in an italic line under the image.
- webforms: `ChiTiet.aspx?ItemID=N&CatID=M`, fields in `<span id="ctl00_..._lblXxx">`, date
  `dd/mm/yyyy - HH:MM`, bold lead, text separated by `<br><br>`, images in a table with a
  caption row, `__doPostBack(control, 'N')` pager posting the form with its __VIEWSTATE.
- joomla: query-string articles `index.php?option=com_content&view=article&id=N&catid=M`,
  `&start=K` offsets, "Cập nhật lúc HH:MM, ngày dd/mm/yyyy", figcaption, RSS feed.
- wordpress: `/<yyyy>/<mm>/<slug>/`, `/page/N/` paging, JSON-LD datePublished, summary
  block, `<p><i>caption</i></p>`, robots.txt Sitemap: + sitemap index.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import unicodedata
from collections.abc import Mapping
from html import escape
from typing import Any

from newsarchive.replica import files as filemod
from newsarchive.replica.textgen import slug
from newsarchive.replica.variants import (
    CATEGORY_NAMES,
    FILE_HOST,
    HOSTS,
    OFF_SITE,
    SIBLING_HOST,
    SITES,
    VariantCorpus,
    VariantSite,
    VArticle,
    inst_id,
)

HTML = "text/html; charset=utf-8"
SECRET = b"variant-viewstate"
ROBOTS = "User-agent: *\nDisallow: /dang-nhap\n"


def esc(text: str) -> str:
    return escape(text, quote=True)


def clean(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


# -- URLs -----------------------------------------------------------------------------
def base(corpus: VariantCorpus, site: VariantSite) -> str:
    return f"{corpus.scheme}://{site.host}"


def home_path(site: VariantSite) -> str:
    return {
        "liferay": "/web/guest/trang-chu",
        "webforms": "/Default.aspx",
        "joomla": "/",
        "wordpress": "/",
    }[site.family]


def category_path(site: VariantSite, c: int, page: int = 1) -> str:
    cslug = slug(CATEGORY_NAMES[c])
    if site.family == "liferay":
        inst = inst_id(site, c)
        path = f"/web/guest/{cslug}"
        if page > 1:
            path += f"?p_p_id=101_INSTANCE_{inst}&p_p_lifecycle=0&_101_INSTANCE_{inst}_cur={page}"
        return path
    if site.family == "webforms":
        return f"/Pages/DanhMuc.aspx?CatID={c + 1}"  # later pages only by postback
    if site.family == "joomla":
        path = f"/index.php?option=com_content&view=category&id={c + 8}&Itemid={c + 101}"
        return path + (f"&start={(page - 1) * site.per_page}" if page > 1 else "")
    return f"/chuyen-muc/{cslug}/" + (f"page/{page}/" if page > 1 else "")


def article_path(site: VariantSite, a: VArticle) -> str:
    if site.family == "liferay":
        cslug = slug(CATEGORY_NAMES[a.category])
        return f"/web/guest/{cslug}/-/asset_publisher/{inst_id(site, a.category)}/content/{a.slug}"
    if site.family == "webforms":
        return f"/Pages/ChiTiet.aspx?ItemID={a.id}&CatID={a.category + 1}"
    if site.family == "joomla":
        return f"/index.php?option=com_content&view=article&id={a.id}&catid={a.category + 8}"
    return f"/{a.published:%Y}/{a.published:%m}/{a.slug}/"


def image_url(corpus: VariantCorpus, site: VariantSite, a: VArticle, i: int) -> str:
    name = a.images[i].name
    if site.family == "liferay":
        return f"{base(corpus, site)}/documents/10181/0/{name}.jpg"
    if site.family == "wordpress":
        return f"{base(corpus, site)}/wp-content/uploads/{a.published:%Y/%m}/{name}.jpg"
    return f"{corpus.scheme}://{FILE_HOST}/{site.key}/images/{a.published:%Y}/{name}.jpg"


def attachment_url(corpus: VariantCorpus, site: VariantSite, a: VArticle, i: int) -> str:
    att = a.attachments[i]
    if site.family == "wordpress":
        return f"{base(corpus, site)}/wp-content/uploads/{a.published:%Y/%m}/{att.slug}.{att.ext}"
    return f"{corpus.scheme}://{FILE_HOST}/{site.key}/van-ban/{att.slug}.{att.ext}"


# -- truth ----------------------------------------------------------------------------
def truth(corpus: VariantCorpus, site: VariantSite, a: VArticle) -> dict[str, Any]:
    return {
        "url": base(corpus, site) + article_path(site, a),
        "title": clean(a.title),
        "published": a.published.isoformat(),
        "lead": clean(a.lead),
        "body": "\n\n".join(clean(p) for p in a.paragraphs),
        "images": [
            {
                "url": image_url(corpus, site, a, i),
                "caption": clean(im.caption) if im.caption else None,
            }
            for i, im in enumerate(a.images)
        ],
        "attachments": [
            {"url": attachment_url(corpus, site, a, i), "name": clean(att.name)}
            for i, att in enumerate(a.attachments)
        ],
        "tags": [],
        "site": site.key,
        "id": a.id,
        "category": CATEGORY_NAMES[a.category],
        "family": site.family,
        "status": "active",
    }


def truth_jsonl(corpus: VariantCorpus, site_key: str | None) -> bytes:
    keys = [site_key] if site_key else list(SITES)
    lines = [
        json.dumps(truth(corpus, SITES[k], a), ensure_ascii=False)
        for k in keys
        for a in corpus.by_site[k]
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def sites_json(corpus: VariantCorpus) -> bytes:
    """What each variant is (for tests of `probe`): family, pagination, article shape."""
    return json.dumps(
        {
            k: {
                "host": s.host,
                "home": base(corpus, s) + home_path(s),
                "listing": base(corpus, s) + category_path(s, 0),
                "family": s.family,
                "pagination": s.pagination,
                "article_shape": s.article_shape,
                "pages": {
                    CATEGORY_NAMES[c]: -(-len(corpus.category_articles(k, c)) // s.per_page)
                    for c in range(len(CATEGORY_NAMES))
                },
            }
            for k, s in SITES.items()
        },
        ensure_ascii=False,
    ).encode("utf-8")


# -- shared chrome --------------------------------------------------------------------
def _menu(site: VariantSite) -> str:
    items = "".join(
        f'<li><a href="{esc(category_path(site, c))}">{esc(n)}</a></li>'
        for c, n in enumerate(CATEGORY_NAMES)
    )
    return (
        f'<ul class="menu"><li><a href="{home_path(site)}">Trang chủ</a></li>{items}'
        '<li><a href="/gioi-thieu">Giới thiệu</a></li><li><a href="/dang-nhap">Đăng nhập</a></li>'
        f'<li><a href="https://{SIBLING_HOST}/">Cổng thông tin xã bạn</a></li></ul>'
    )


def _latest(corpus: VariantCorpus, site: VariantSite) -> str:
    items = "".join(
        f'<li><a href="{esc(article_path(site, a))}">{esc(a.title)}</a> '
        f"<span>({a.published:%d/%m/%Y})</span></li>"
        for a in corpus.by_site[site.key][:5]
    )
    return f'<div class="box-latest"><h4>Tin mới nhất</h4><ul>{items}</ul></div>'


def _footer(site: VariantSite) -> str:
    return (
        f'<div class="footer"><p>{esc(site.name)}</p><p>Địa chỉ: số 1 đường Trung tâm. '
        "Điện thoại: 0225.3999.111</p><p>© 2019 - 2025 Bản quyền thuộc về UBND</p>"
        f'<p><a href="{OFF_SITE}">Báo điện tử Chính phủ</a></p></div>'
    )


def _page(site: VariantSite, title: str, main: str, corpus: VariantCorpus, head: str = "") -> bytes:
    html = (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title>{head}</head><body>"
        f'<div class="banner"><span class="site-name">{esc(site.name)}</span></div>'
        f'{_menu(site)}<div class="wrap"><div class="main">{main}</div>'
        f'<div class="side">{_latest(corpus, site)}</div></div>{_footer(site)}</body></html>'
    )
    return html.encode("utf-8")


# -- article bodies per family ------------------------------------------------------------
def _blocks(site: VariantSite, corpus: VariantCorpus, a: VArticle) -> list[str]:
    """Paragraphs and images (with captions) in page order, in the family's markup."""
    out: list[str] = []
    for n, para in enumerate(a.paragraphs):
        if site.family == "liferay":
            out.append(f'<div style="text-align: justify;">{esc(para)}</div>')
        elif site.family == "webforms":
            out.append(esc(para))
        else:
            out.append(f"<p>{esc(para)}</p>")
        for i, after in enumerate(a.image_after):
            if after != n:
                continue
            src, cap = image_url(corpus, site, a, i), a.images[i].caption
            if site.family == "liferay":
                out.append(f'<div style="text-align: center;"><img src="{esc(src)}" alt=""></div>')
                if cap:
                    out.append(f'<div style="text-align: center;"><em>{esc(cap)}</em></div>')
            elif site.family == "webforms":
                row = f'<tr><td class="caption">{esc(cap)}</td></tr>' if cap else ""
                out.append(
                    '<table align="center" class="tbl-image" cellpadding="2">'
                    f'<tr><td><img src="{esc(src)}" border="0"></td></tr>{row}</table>'
                )
            elif site.family == "joomla":
                figcap = f"<figcaption>{esc(cap)}</figcaption>" if cap else ""
                out.append(f'<figure class="image"><img src="{esc(src)}" alt="">{figcap}</figure>')
            else:
                out.append(f'<p style="text-align:center"><img src="{esc(src)}" alt=""></p>')
                if cap:
                    out.append(f'<p style="text-align:center"><i>{esc(cap)}</i></p>')
    return out


def _attachments(site: VariantSite, corpus: VariantCorpus, a: VArticle, label: str) -> str:
    if not a.attachments:
        return ""
    links = "".join(
        f'<li><a href="{esc(attachment_url(corpus, site, a, i))}">{esc(att.name)}</a></li>'
        for i, att in enumerate(a.attachments)
    )
    return f'<div class="files"><strong>{label}</strong><ul>{links}</ul></div>'


def article_page(corpus: VariantCorpus, site: VariantSite, a: VArticle) -> bytes:
    blocks = _blocks(site, corpus, a)
    others = [o for o in corpus.category_articles(site.key, a.category) if o is not a][:4]
    other = "".join(
        f'<li><a href="{esc(article_path(site, o))}">{esc(o.title)}</a> ({o.published:%d/%m/%Y})</li>'
        for o in others
    )
    other_html = f'<div class="other-news"><h4>Tin khác</h4><ul>{other}</ul></div>'
    p = a.published
    if site.family == "liferay":
        main = (
            '<div class="portlet-body"><div class="asset-full-content">'
            f'<h3 class="header-title"><span>{esc(a.title)}</span></h3>'
            f'<div class="asset-metadata"><span>Ngày đăng: {p:%d/%m/%Y} | {p:%H:%M}</span></div>'
            f'<div class="asset-summary">{esc(a.lead)}</div>'
            f'<div class="journal-content-article">{"".join(blocks)}</div>'
            + _attachments(site, corpus, a, "Tài liệu đính kèm:")
            + "</div></div>"
            + other_html
        )
        head = f'<meta property="og:title" content="{esc(a.title)}">'
        return _page(site, f"{a.title} - {site.name}", main, corpus, head)
    if site.family == "webforms":
        files = "".join(
            f'<a href="{esc(attachment_url(corpus, site, a, i))}">{esc(att.name)}</a><br>'
            for i, att in enumerate(a.attachments)
        )
        main = (
            _form(site, f"./ChiTiet.aspx?ItemID={a.id}&amp;CatID={a.category + 1}", a.category, 0)
            + '<table width="100%" cellpadding="0" cellspacing="0"><tr><td>'
            f'<span id="ctl00_ContentPlaceHolder1_lblTitle" class="news-title">{esc(a.title)}</span><br>'
            f'<span id="ctl00_ContentPlaceHolder1_lblDate" class="news-date">{p:%d/%m/%Y - %H:%M}</span>'
            '</td></tr><tr><td><span id="ctl00_ContentPlaceHolder1_lblContent">'
            f"<b>{esc(a.lead)}</b><br><br>"
            + "<br><br>".join(blocks)
            + "</span></td></tr>"
            + (
                f'<tr><td><span id="ctl00_ContentPlaceHolder1_lblFiles">Tệp đính kèm: {files}</span></td></tr>'
                if files
                else ""
            )
            + "</table></form>"
            + other_html
        )
        return _page(site, a.title, main, corpus)
    if site.family == "joomla":
        main = (
            '<div class="item-page"><div class="page-header">'
            f'<h2 itemprop="headline">{esc(a.title)}</h2></div>'
            f'<dl class="article-info"><dd class="published">Cập nhật lúc {p:%H:%M}, ngày {p:%d/%m/%Y}</dd></dl>'
            f'<div itemprop="articleBody"><p><em>{esc(a.lead)}</em></p>{"".join(blocks)}'
            + _attachments(site, corpus, a, "Tải về:")
            + "</div></div>"
            + other_html
        )
        return _page(site, f"{a.title}", main, corpus)
    ld = json.dumps(
        {"@context": "https://schema.org", "@type": "NewsArticle", "headline": a.title,
         "datePublished": p.isoformat()},
        ensure_ascii=False,
    )  # fmt: skip
    main = (
        f'<article class="post"><h1 class="entry-title">{esc(a.title)}</h1>'
        f'<div class="entry-meta">Ngày cập nhật: {p:%d/%m/%Y %H:%M}</div>'
        f'<div class="entry-summary">{esc(a.lead)}</div>'
        f'<div class="entry-content">{"".join(blocks)}</div>'
        + _attachments(site, corpus, a, "File đính kèm:")
        + "</article>"
        + other_html
    )
    head = f'<script type="application/ld+json">{ld}</script>'
    return _page(site, f"{a.title} – {site.name}", main, corpus, head)


# -- listings -------------------------------------------------------------------------------
def _viewstate(category: int, page: int) -> str:
    payload = f"{category}:{page}".encode()
    mac = hmac.new(SECRET, payload, hashlib.sha1).hexdigest()[:16]
    return base64.b64encode(payload + b"|" + mac.encode()).decode()


def _check_viewstate(token: str, category: int) -> bool:
    try:
        payload, mac = base64.b64decode(token).rsplit(b"|", 1)
    except (ValueError, TypeError):
        return False
    good = hmac.new(SECRET, payload, hashlib.sha1).hexdigest()[:16].encode()
    return hmac.compare_digest(mac, good) and payload.split(b":")[0] == str(category).encode()


def _form(site: VariantSite, action: str, category: int, page: int) -> str:
    return (
        f'<form name="aspnetForm" method="post" action="{action}" id="aspnetForm">'
        '<input type="hidden" name="__EVENTTARGET" id="__EVENTTARGET" value="">'
        '<input type="hidden" name="__EVENTARGUMENT" id="__EVENTARGUMENT" value="">'
        f'<input type="hidden" name="__VIEWSTATE" id="__VIEWSTATE" value="{_viewstate(category, page)}">'
        '<input type="hidden" name="__VIEWSTATEGENERATOR" value="CA0B0334">'
    )


def _item(site: VariantSite, a: VArticle, with_lead: bool = True) -> str:
    href, p = esc(article_path(site, a)), a.published
    lead = esc(a.lead) if with_lead else ""
    if site.family == "liferay":
        return (
            f'<div class="asset-abstract"><h3 class="asset-title"><a href="{href}">{esc(a.title)}</a></h3>'
            f'<div class="asset-metadata">{p:%d/%m/%Y}</div><div class="asset-summary">{lead}</div></div>'
        )
    if site.family == "webforms":
        return (
            f'<tr><td class="news-item"><a href="{href}" class="news-link">{esc(a.title)}</a> '
            f'<span class="date">({p:%d/%m/%Y})</span><br><span class="sum">{lead}</span></td></tr>'
        )
    if site.family == "joomla":
        return (
            f'<div class="item"><h2><a href="{href}">{esc(a.title)}</a></h2>'
            f'<span class="create">{p:%d/%m/%Y}</span><p>{lead}</p></div>'
        )
    thumb = (
        f'<a href="{href}"><img src="/wp-content/uploads/thumbs/{esc(a.images[0].name)}.jpg" alt=""></a>'
        if a.images
        else ""
    )
    return (
        f'<article class="post-item">{thumb}<h2 class="entry-title"><a href="{href}">{esc(a.title)}</a></h2>'
        f"<time>{p:%d/%m/%Y}</time><p>{lead}</p></article>"
    )


def _pager(site: VariantSite, c: int, page: int, pages: int) -> str:
    if pages <= 1:
        return ""
    if site.family == "liferay":
        parts = []
        if page > 1:
            parts += [("Đầu", 1), ("Trước", page - 1)]
        if page < pages:
            parts += [("Tiếp", page + 1), ("Cuối", pages)]
        links = "".join(
            f'<li><a href="{esc(category_path(site, c, n))}">{t}</a></li>' for t, n in parts
        )
        return (
            f'<div class="taglib-page-iterator"><div class="search-results">Trang {page} / {pages}'
            f'</div><ul class="pager lfr-pagination-buttons">{links}</ul></div>'
        )
    if site.family == "webforms":
        cells = []
        for n in range(1, pages + 1):
            if n == page:
                cells.append(f'<span class="current">{n}</span>')
            else:
                cells.append(
                    "<a href=\"javascript:__doPostBack('ctl00$ContentPlaceHolder1$ucPager',"
                    f"'{n}')\">{n}</a>"
                )
        return f'<div class="pager">Trang: {" ".join(cells)}</div>'
    cells = []
    for n in range(1, pages + 1):
        if n == page:
            cells.append(f'<span class="current">{n}</span>')
        else:
            cells.append(f'<a href="{esc(category_path(site, c, n))}">{n}</a>')
    if page < pages:
        word = "Tiếp" if site.family == "joomla" else "Trang sau »"
        cells.append(f'<a class="next" href="{esc(category_path(site, c, page + 1))}">{word}</a>')
    return f'<div class="pagination">{" ".join(cells)}</div>'


def listing_page(corpus: VariantCorpus, site: VariantSite, c: int, page: int) -> bytes | None:
    arts = corpus.category_articles(site.key, c)
    pages = max(1, -(-len(arts) // site.per_page))
    if not 1 <= page <= pages:
        return None
    items = "".join(_item(site, a) for a in arts[(page - 1) * site.per_page : page * site.per_page])
    name = CATEGORY_NAMES[c]
    if site.family == "webforms":
        action = f"./DanhMuc.aspx?CatID={c + 1}"
        main = (
            _form(site, action, c, page)
            + f'<h2 class="cat-title">{esc(name)}</h2><table class="news-list">{items}</table>'
            + _pager(site, c, page, pages)
            + "</form>"
        )
    else:
        main = f'<h2 class="cat-title">{esc(name)}</h2><div class="list">{items}</div>' + _pager(
            site, c, page, pages
        )
    head = ""
    if site.feed:
        head = '<link rel="alternate" type="application/rss+xml" title="RSS" href="/index.php?format=feed&amp;type=rss">'
    return _page(site, f"{name} - {site.name}", main, corpus, head)


def home_page(corpus: VariantCorpus, site: VariantSite) -> bytes:
    blocks = []
    for c, name in enumerate(CATEGORY_NAMES):
        arts = corpus.category_articles(site.key, c)[:3]
        items = "".join(
            f'<li><a href="{esc(article_path(site, a))}">{esc(a.title)}</a> '
            f'<span class="date">{a.published:%d/%m/%Y}</span></li>'
            for a in arts
        )
        blocks.append(
            f'<div class="home-block"><h3><a href="{esc(category_path(site, c))}">{esc(name)}</a></h3>'
            f'<ul>{items}</ul><a class="more" href="{esc(category_path(site, c))}">Xem tất cả</a></div>'
        )
    head = ""
    if site.feed:
        head = '<link rel="alternate" type="application/rss+xml" title="RSS" href="/index.php?format=feed&amp;type=rss">'
    return _page(site, site.name, "".join(blocks), corpus, head)


def _rss(corpus: VariantCorpus, site: VariantSite) -> bytes:
    items = "".join(
        f"<item><title>{esc(a.title)}</title><link>{esc(base(corpus, site) + article_path(site, a))}</link>"
        f"<pubDate>{a.published:%a, %d %b %Y %H:%M:%S +0700}</pubDate></item>"
        for a in corpus.by_site[site.key][:5]
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{esc(site.name)}</title><link>{base(corpus, site)}/</link>{items}</channel></rss>"
    ).encode()


def _sitemap(corpus: VariantCorpus, site: VariantSite, index: bool) -> bytes:
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    if index:
        body = f"<sitemapindex {ns}><sitemap><loc>{base(corpus, site)}/wp-sitemap-posts-post-1.xml</loc></sitemap></sitemapindex>"
    else:
        urls = "".join(
            f"<url><loc>{esc(base(corpus, site) + article_path(site, a))}</loc></url>"
            for a in corpus.by_site[site.key][:5]
        )
        body = f"<urlset {ns}>{urls}</urlset>"
    return ('<?xml version="1.0" encoding="UTF-8"?>' + body).encode("utf-8")


# -- routing ----------------------------------------------------------------------------------
Reply = tuple[int, bytes, dict[str, str]]


def _html(body: bytes | None) -> Reply:
    if body is None:
        return _not_found()
    return 200, body, {"Content-Type": HTML}


def _not_found() -> Reply:
    body = b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>404</title></head><body><h1>Kh\xc3\xb4ng t\xc3\xacm th\xe1\xba\xa5y trang</h1></body></html>'
    return 404, body, {"Content-Type": HTML}


def _file(corpus: VariantCorpus, url: str) -> Reply:
    for site_key, arts in corpus.by_site.items():
        site = SITES[site_key]
        for a in arts:
            for i in range(len(a.images)):
                if image_url(corpus, site, a, i).split("://", 1)[1] == url:
                    return (
                        200,
                        filemod.make_file("jpg", url, a.title),
                        {"Content-Type": "image/jpeg"},
                    )
            for i, att in enumerate(a.attachments):
                if attachment_url(corpus, site, a, i).split("://", 1)[1] == url:
                    body = filemod.make_file(att.ext, url, att.name, [a.lead])
                    return 200, body, {"Content-Type": filemod.MIME[att.ext]}
    return _not_found()


def resolve(
    corpus: VariantCorpus,
    host: str,
    path: str,
    query_string: str,
    query: Mapping[str, str],
    method: str,
    form: Mapping[str, str],
) -> Reply:
    target = path + (f"?{query_string}" if query_string else "")
    if host == FILE_HOST:
        return _file(corpus, host + target)
    site_key = HOSTS.get(host)
    if site_key is None:
        return _not_found()
    site = SITES[site_key]
    if path == "/robots.txt":
        robots = ROBOTS + (
            f"Sitemap: {base(corpus, site)}/wp-sitemap.xml\n" if site.sitemap else ""
        )
        return 200, robots.encode(), {"Content-Type": "text/plain; charset=utf-8"}
    if site.sitemap and path in ("/wp-sitemap.xml", "/wp-sitemap-posts-post-1.xml"):
        body = _sitemap(corpus, site, index=path == "/wp-sitemap.xml")
        return 200, body, {"Content-Type": "application/xml"}
    if site.feed and path == "/index.php" and query.get("format") == "feed":
        return 200, _rss(corpus, site), {"Content-Type": "application/rss+xml; charset=utf-8"}
    if path.startswith(("/documents/", "/wp-content/")):
        return _file(corpus, host + target)
    if path in ("/cong-thong-tin", "/cong-thong-tin/vao"):
        # A splash page (seen on many portals): nothing but a way on, two clicks from home.
        onward = "/cong-thong-tin/vao" if path == "/cong-thong-tin" else home_path(site)
        body = (
            '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
            f"<title>{esc(site.name)}</title></head><body><h1>{esc(site.name)}</h1>"
            f'<p><a href="{onward}">Vào trang</a></p></body></html>'
        )
        return _html(body.encode("utf-8"))
    if path in ("/gioi-thieu", "/dang-nhap"):
        title = "Giới thiệu" if path == "/gioi-thieu" else "Đăng nhập"
        return _html(_page(site, title, f"<h2>{title}</h2><p>{esc(site.name)}</p>", corpus))
    if target == home_path(site):
        return _html(home_page(corpus, site))
    if path == "/" and home_path(site) != "/":
        return 302, b"", {"Location": home_path(site)}
    for a in corpus.by_site[site_key]:
        if article_path(site, a) == target:
            return _html(article_page(corpus, site, a))
    for c in range(len(CATEGORY_NAMES)):
        if site.family == "webforms":
            if target != category_path(site, c):
                continue
            page = 1
            if method == "POST":
                if not _check_viewstate(form.get("__VIEWSTATE", ""), c):
                    return 500, b"Validation of viewstate MAC failed.", {"Content-Type": HTML}
                if form.get("__EVENTTARGET") == "ctl00$ContentPlaceHolder1$ucPager":
                    arg = form.get("__EVENTARGUMENT", "")
                    page = int(arg) if arg.isdigit() else 1
            return _html(listing_page(corpus, site, c, page))
        for page in range(1, 200):
            if category_path(site, c, page) == target:
                return _html(listing_page(corpus, site, c, page))
            if page * site.per_page >= len(corpus.category_articles(site_key, c)) + site.per_page:
                break
    return _not_found()


def page_bytes(corpus: VariantCorpus, url: str) -> bytes:
    """For tests: the body a GET of `url` answers."""
    scheme, rest = url.split("://", 1)
    host, _, target = rest.partition("/")
    path, _, qs = ("/" + target).partition("?")
    from urllib.parse import parse_qsl

    return resolve(corpus, host, path, qs, dict(parse_qsl(qs)), "GET", {})[1]
