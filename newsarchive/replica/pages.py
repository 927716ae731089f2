"""Request routing of the replica: (host, path, query, form) -> a Reply, no HTTP mechanics.

The server applies faults and conditional requests around what this returns, so each
route here is only about which bytes a portal would answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape

from newsarchive.replica import listings
from newsarchive.replica.corpus import Corpus, Rendered
from newsarchive.replica.model import Article
from newsarchive.replica.sites import CDN_HOST, HOSTS, SITES

HTML = "text/html; charset=utf-8"
ROBOTS = b"User-agent: *\nDisallow: /quan-tri/\nDisallow: /tim-kiem\nCrawl-delay: 1\n"
_C_CATEGORY = re.compile(r"^/([a-z0-9-]+)-(\d+)$")
_B_PAGE = re.compile(r"^/([A-Za-z0-9-]+)/trang-(\d+)$")


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = HTML
    headers: dict[str, str] = field(default_factory=dict)
    rendered: Rendered | None = None  # article pages: carries ETag / Last-Modified
    special: str | None = None  # "loop" | "big" | "bomb": the server streams these itself


def _page(title: str, text: str, status: int = 200) -> Reply:
    body = (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"</head><body><h1>{escape(title)}</h1><p>{escape(text)}</p></body></html>\n"
    )
    return Reply(status, body.encode("utf-8"))


def not_found() -> Reply:
    return _page("Không tìm thấy trang", "Trang bạn yêu cầu không tồn tại hoặc đã bị xóa.", 404)


def index_page(corpus: Corpus) -> Reply:
    items = "".join(
        f'<li><a href="{corpus.scheme}://{s.host}/">{escape(s.name)}</a> ({s.key}, generation {s.generation})</li>'
        for s in corpus.sites.values()
    )
    body = (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>newsarchive replica</title>'
        f"</head><body><h1>newsarchive replica</h1><ul>{items}</ul>"
        '<p><a href="/__truth__">/__truth__</a> <a href="/__faults__">/__faults__</a></p></body></html>\n'
    )
    return Reply(200, body.encode("utf-8"))


def _int(value: str | None) -> int | None:
    if value is None or not value.isdigit() or len(value) > 9:
        return None
    return int(value)


def article_reply(corpus: Corpus, article: Article) -> Reply:
    state = corpus.state(article)
    if state.deleted:
        if state.gone_status == 410:
            return _page("Bài viết đã bị gỡ bỏ", "Nội dung này không còn tồn tại.", 410)
        return not_found()
    rendered = corpus.rendered(article)
    return Reply(200, rendered.body, rendered=rendered)


def resolve(
    corpus: Corpus,
    host: str,
    path: str,
    query: Mapping[str, str],
    method: str,
    form: Mapping[str, str],
) -> Reply:
    if path == "/robots.txt" and (host in HOSTS or host == CDN_HOST):
        return Reply(200, ROBOTS, "text/plain; charset=utf-8")
    if host == CDN_HOST:
        found = corpus.find_file(host, path)
        return Reply(200, found[0], found[1]) if found else not_found()
    site_key = HOSTS.get(host)
    if site_key is None or site_key not in corpus.sites:
        return index_page(corpus)
    site = SITES[site_key]

    if path == "/__loop__/a" or path == "/__loop__/b":
        return Reply(
            302,
            headers={"Location": "/__loop__/b" if path.endswith("a") else "/__loop__/a"},
            special="loop",
        )
    if path in ("/tai-lieu/bao-cao-tong-hop-lon", "/tai-lieu/du-lieu-nen"):
        return Reply(200, special="big" if path.endswith("lon") else "bomb")
    if path in ("/dang-nhap", "/quan-tri/dang-nhap"):
        return _page("Đăng nhập", "Tên đăng nhập / Mật khẩu")
    if path == "/tim-kiem":
        return _page("Tìm kiếm", f"Kết quả tìm kiếm cho: {query.get('q', '')}")
    if path.startswith(("/upload/", "/PortalFolders/")):
        found = corpus.find_file(host, path)
        return Reply(200, found[0], found[1]) if found else not_found()

    gen = site.generation
    if gen == "A":
        return _resolve_a(corpus, site_key, path, query, method, form)
    if path == "/":
        return Reply(200, corpus.listing(site_key, None, 1) or b"")
    if path.startswith("/tag/"):
        body = corpus.tag_page(site_key, path[5:])
        return Reply(200, body) if body else not_found()
    article = corpus.paths[site_key].get(path)
    if article is not None:
        return article_reply(corpus, article)
    legacy = corpus.legacy[site_key].get(path)
    if legacy is not None:
        return Reply(301, b"", headers={"Location": corpus.url(legacy)})
    if gen == "C":
        m = _C_CATEGORY.match(path)
        if m:
            for cat in site.categories:
                if cat.slug == m.group(1) and cat.c_id == int(m.group(2)):
                    page = _int(query.get("page", "1"))
                    body = corpus.listing(site_key, cat.index, page) if page else None
                    return Reply(200, body) if body else not_found()
    else:
        m = _B_PAGE.match(path)
        cat_slug, page = (m.group(1), _int(m.group(2))) if m else (path[1:], 1)
        for cat in site.categories:
            if cat.slug_b == cat_slug and page:
                body = corpus.listing(site_key, cat.index, page)
                return Reply(200, body) if body else not_found()
    return not_found()


def _resolve_a(
    corpus: Corpus,
    site_key: str,
    path: str,
    query: Mapping[str, str],
    method: str,
    form: Mapping[str, str],
) -> Reply:
    site = SITES[site_key]
    if path == "/":
        return Reply(302, headers={"Location": "/Portal/Default.aspx"})
    if path == "/Portal/PrintItem.aspx":
        content_id = _int(query.get("ContentID"))
        article = corpus.by_id[site_key].get(content_id) if content_id else None
        return article_reply(corpus, article) if article else not_found()
    if path == "/Portal/Tag.aspx":
        body = corpus.tag_page(site_key, query.get("k", ""))
        return Reply(200, body) if body else not_found()
    if path != "/Portal/Default.aspx":
        return not_found()
    cat_id = _int(query.get("CategoryID"))
    if cat_id is None:
        return Reply(200, corpus.listing(site_key, None, 1) or b"")
    cat = next((c for c in site.categories if c.a_id == cat_id), None)
    if cat is None:
        return not_found()
    page = 1
    if method == "POST":
        if not listings.check_viewstate(corpus.secret, cat.a_id, form.get("__VIEWSTATE", "")):
            return _page(
                "Server Error in '/' Application.", "Validation of viewstate MAC failed.", 500
            )
        if form.get("__EVENTTARGET") == listings.A_PAGER_TARGET:
            page = listings.parse_page_argument(form.get("__EVENTARGUMENT", "")) or 1
    body = corpus.listing(site_key, cat.index, page)
    return Reply(200, body) if body else not_found()
