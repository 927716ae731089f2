"""The corpus: every article of every site, its current state, pages and ground truth.

Metadata is built eagerly (fast); text, pages and files are produced on first use and kept
in LRU caches, so a server can start on 20,000 articles per site in seconds and still serve
cached bytes at thousands of requests per second.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from functools import lru_cache
from typing import Any
from urllib.parse import unquote, urlsplit

from newsarchive.replica import listings, render_a, render_b, render_c, urls
from newsarchive.replica.config import ReplicaConfig
from newsarchive.replica.content import (
    current_title,
    edited_content,
    generate_content,
    seed_content,
)
from newsarchive.replica.files import MIME, make_file
from newsarchive.replica.generations import ArticleState, article_state, date_shift, unit
from newsarchive.replica.metadata import build_site_articles
from newsarchive.replica.model import Article, Content
from newsarchive.replica.render_common import ArticleView, Link, ListingView
from newsarchive.replica.seed import ICT, load_seed
from newsarchive.replica.sites import BY_CDN_ID, CDN_HOST, SITES, Site, register_generated
from newsarchive.replica.textgen import slug

NAMED_SITES = ("haian", "lechan", "vinhbao")
RENDERERS = {"A": render_a, "B": render_b, "C": render_c}
EDIT_EPOCH = datetime(2025, 7, 1, 8, 0, tzinfo=ICT)  # edits happen after the last article
_WS = re.compile(r"\s+")


def clean(text: str) -> str:
    """Truth text: NFC, whitespace (including no-break spaces) collapsed."""
    return _WS.sub(" ", unicodedata.normalize("NFC", text)).strip()


@dataclass(frozen=True)
class Rendered:
    body: bytes
    etag: str
    last_modified: str  # HTTP date
    last_modified_ts: float


class _LRU(OrderedDict):
    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def put(self, key: Any, value: Any) -> Any:
        self[key] = value
        if len(self) > self.size:
            self.popitem(last=False)
        return value


class Corpus:
    def __init__(self, config: ReplicaConfig) -> None:
        self.config = config
        self.scheme = config.scheme
        self.generation = config.generation
        self.secret = hashlib.sha256(f"viewstate:{config.seed}".encode()).digest()
        seed = load_seed()
        seen = {seed.title}
        keys = [*NAMED_SITES, *register_generated(config.sites)]
        self.sites: dict[str, Site] = {key: SITES[key] for key in keys}
        self.by_site: dict[str, list[Article]] = {}
        for key in self.sites:
            self.by_site[key] = build_site_articles(
                key, config.articles, config.seed, seen, seed if key == "haian" else None
            )
        self.articles: list[Article] = [a for key in self.sites for a in self.by_site[key]]
        self.by_id = {key: {a.id: a for a in arts} for key, arts in self.by_site.items()}
        # Category lists, newest first; an article's position in its list gives "related".
        self.by_category: dict[tuple[str, int], list[Article]] = {}
        for key, arts in self.by_site.items():
            for cat in range(4):
                self.by_category[(key, cat)] = [a for a in reversed(arts) if a.category == cat]
        self._cat_pos = {id(a): i for lst in self.by_category.values() for i, a in enumerate(lst)}
        self.paths: dict[str, dict[str, Article]] = {}
        self.legacy: dict[str, dict[str, Article]] = {}
        for key, arts in self.by_site.items():
            gen = SITES[key].generation
            self.paths[key] = {urls.article_path(a, gen): a for a in arts}
            self.legacy[key] = {p: a for a in arts if (p := urls.legacy_path(a)) is not None}
        self.tags: dict[str, dict[str, list[Article]]] = {key: {} for key in self.sites}
        for key, arts in self.by_site.items():
            for a in reversed(arts):
                for tag in a.tags:
                    self.tags[key].setdefault(slug(tag), []).append(a)
        self._states: dict[int, dict[int, ArticleState]] = {}
        self._pages = _LRU(4096)
        self._lists = _LRU(2048)
        self._truth: dict[tuple[int, str | None], bytes] = {}
        self._content = lru_cache(maxsize=8192)(self._content_uncached)

    # --- state ---

    def set_generation(self, generation: int) -> None:
        if generation < 0:
            raise ValueError("generation must be >= 0")
        self.generation = generation

    def state(self, article: Article, generation: int | None = None) -> ArticleState:
        g = self.generation if generation is None else generation
        table = self._states.setdefault(g, {})
        st = table.get(id(article))
        if st is None:
            c = self.config
            st = article_state(article, g, c.seed, c.edit_rate, c.delete_rate)
            table[id(article)] = st
        return st

    def live(self, articles: list[Article]) -> list[Article]:
        return [a for a in articles if not self.state(a).deleted]

    # --- content ---

    def seed_article(self) -> Article:
        return next(a for a in self.by_site["haian"] if a.is_seed)

    def _content_uncached(self, article: Article, edits: tuple) -> Content:
        base = seed_content(load_seed()) if article.is_seed else generate_content(article)
        return edited_content(article, base, edits) if edits else base

    def content(self, article: Article, generation: int | None = None) -> Content:
        return self._content(article, self.state(article, generation).edits)

    def published_now(self, article: Article) -> datetime:
        """The publication date as the site shows it now (date edits correct it)."""
        when = article.published
        for generation, kind in self.state(article).edits:
            if kind == "date":
                when += date_shift(self.config.seed, article, generation)
        return when

    def shown(self, article: Article) -> Article:
        """The article's metadata as pages show it now (its corrected date)."""
        when = self.published_now(article)
        return article if when == article.published else replace(article, published=when)

    def title_now(self, article: Article) -> str:
        return current_title(article, self.state(article).edits)

    def url(self, article: Article) -> str:
        return urls.site_url(
            self.scheme, article.site, urls.article_path(article, article.generation)
        )

    def link(self, article: Article, prefer_legacy: bool = False) -> Link:
        path = urls.legacy_path(article) if prefer_legacy else None
        href = urls.site_url(
            self.scheme, article.site, path or urls.article_path(article, article.generation)
        )
        # Boxes of links (related, latest) keep the first date: unchanged pages stay put.
        return Link(article.title, href, article.published)

    # --- pages ---

    def menu(self, site: Site) -> list[Link]:
        if site.generation == "C":
            return [Link(c.name, f"/{c.slug}-{c.c_id}") for c in site.categories]
        if site.generation == "B":
            return [Link(c.name, f"/{c.slug_b}") for c in site.categories]
        return [Link(c.name, f"/Portal/Default.aspx?CategoryID={c.a_id}") for c in site.categories]

    def latest(self, site: Site) -> list[Link]:
        # Fixed at generation 0 (a cached widget): unchanged pages stay byte-identical.
        return [self.link(a) for a in reversed(self.by_site[site.key][-6:])]

    def related(self, article: Article) -> list[Link]:
        lst = self.by_category[(article.site, article.category)]
        pos = self._cat_pos[id(article)]
        return [self.link(a, prefer_legacy=True) for a in lst[pos + 1 : pos + 6]]

    def tag_href(self, site: Site, tag: str, generation: str) -> str:
        if generation == "A":
            return f"/Portal/Tag.aspx?k={slug(tag)}"
        return f"/tag/{slug(tag)}"

    def fault_links_on(self, article: Article | None = None) -> bool:
        if self.config.faults == "none":
            return False
        return (
            article is None or unit(self.config.seed, "faultlink", article.site, article.id) < 0.05
        )

    def article_view(self, article: Article, generation: str) -> ArticleView:
        site = SITES[article.site]
        content = self.content(article)
        return ArticleView(
            site=site,
            article=self.shown(article),
            content=content,
            generation=generation,
            image_srcs=[
                urls.image_src(self.scheme, article, i, im, generation)
                for i, im in enumerate(content.images)
            ],
            attachment_urls=[
                urls.attachment_url(self.scheme, article, i, att, generation)
                for i, att in enumerate(content.attachments)
            ],
            tag_links=[Link(t, self.tag_href(site, t, generation)) for t in article.tags],
            related=self.related(article),
            latest=self.latest(site),
            menu=self.menu(site),
            fault_links=self.fault_links_on(article),
        )

    def render_article(self, article: Article, generation: str | None = None) -> bytes:
        return self.rendered(article, generation).body

    def rendered(self, article: Article, generation: str | None = None) -> Rendered:
        gen = generation or article.generation
        st = self.state(article)
        key = (id(article), st.version, gen)
        hit = self._pages.get(key)
        if hit is not None:
            return hit
        html = RENDERERS[gen].article_page(self.article_view(article, gen))
        if article.nfd:
            html = unicodedata.normalize("NFD", html)
        body = html.encode("utf-8")
        when = article.published if st.version == 0 else EDIT_EPOCH + timedelta(days=st.last_edit)
        when_utc = when.astimezone(timezone.utc)
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        return self._pages.put(
            key, Rendered(body, etag, format_datetime(when_utc, usegmt=True), when_utc.timestamp())
        )

    def _listing_items(self, arts: list[Article], site: Site) -> list[tuple[Link, str, str]]:
        items = []
        for a in arts:
            content = self.content(a)
            img = ""
            if content.images:
                img = urls.image_src(self.scheme, a, 0, content.images[0], site.generation)
            link = Link(
                self.title_now(a), self.url(a), self.published_now(a) if a.shows_date else None
            )
            items.append((link, content.lead, img))
        return items

    def listing(self, site_key: str, category: int | None, page: int) -> bytes | None:
        """A category page (category None: the home page); None when out of range."""
        key = (site_key, category, page, self.generation)
        hit = self._lists.get(key)
        if hit is not None:
            return hit
        site = SITES[site_key]
        gen = site.generation
        if category is None:
            arts = self.live(list(reversed(self.by_site[site_key][-60:])))[:10]
            pages, pager, title, crumbs = 1, [], site.name, [Link("Trang chủ", "/")]
            cat = None
        else:
            cat = site.categories[category]
            everything = self.live(self.by_category[(site_key, category)])
            pages = listings.page_count(len(everything), gen)
            if not 1 <= page <= pages:
                return None
            arts = listings.page_slice(everything, page, gen)
            title, crumbs = (
                cat.name,
                [Link("Trang chủ", "/"), Link(cat.name, self.menu(site)[category].href)],
            )
            if gen == "C":
                pager = listings.c_pager(f"/{cat.slug}-{cat.c_id}", page, pages)
            elif gen == "B":
                pager = listings.b_pager(f"/{cat.slug_b}", page, pages)
            else:
                pager = listings.a_pager(page, pages)
        view = ListingView(
            site=site,
            title=title,
            items=self._listing_items(arts, site),
            pager=pager,
            menu=self.menu(site),
            latest=self.latest(site),
            breadcrumb=crumbs,
            fault_links=self.fault_links_on(),
        )
        if gen == "A":
            a_id = cat.a_id if cat else 0
            view.action = f"./Default.aspx?CategoryID={a_id}" if cat else "./Default.aspx"
            view.form = {
                "__EVENTTARGET": "",
                "__EVENTARGUMENT": "",
                "__VIEWSTATE": listings.issue_viewstate(self.secret, a_id, page),
                "__VIEWSTATEGENERATOR": "CA0B0334",
                "__EVENTVALIDATION": hashlib.sha1(f"{a_id}:{page}".encode()).hexdigest(),
            }
        body = RENDERERS[gen].listing_page(view).encode("utf-8")
        return self._lists.put(key, body)

    def tag_page(self, site_key: str, tag_slug: str) -> bytes | None:
        arts = self.tags[site_key].get(tag_slug)
        if not arts:
            return None
        site = SITES[site_key]
        view = ListingView(
            site=site,
            title=f"Tag: {arts[0].tags[[slug(t) for t in arts[0].tags].index(tag_slug)]}",
            items=self._listing_items(self.live(arts)[:20], site),
            pager=[],
            menu=self.menu(site),
            latest=self.latest(site),
            breadcrumb=[Link("Trang chủ", "/")],
        )
        return RENDERERS[site.generation].listing_page(view).encode("utf-8")

    # --- files ---

    def _file_entries(
        self, article: Article, generation: str
    ) -> list[tuple[str, str, str, list[str]]]:
        """(url, ext, title, lines) of every image and attachment in `generation`'s shapes."""
        content = self.content(article, 0)
        lines = [article.title, *content.paragraphs[:3]]
        out = []
        for i, im in enumerate(content.images):
            url = urls.image_url(self.scheme, article, i, im, generation)
            ext = "jpg" if generation != "C" else im.ext
            out.append((url, ext, im.alt, lines))
        for i, att in enumerate(content.attachments):
            url = urls.attachment_url(self.scheme, article, i, att, generation)
            out.append((url, att.ext, att.name, lines))
        return out

    def file_bytes(self, url: str, ext: str, title: str, lines: list[str]) -> bytes:
        return _cached_file(ext, url, title, tuple(lines))

    def find_file(self, host: str, path: str) -> tuple[bytes, str] | None:
        """(bytes, mime) of the file at decoded `path` on `host`, or None."""
        candidates: list[tuple[Article, str]] = []
        if host == CDN_HOST:
            parts = path.split("/")
            parsed = urls.parse_token(parts[-1])
            if parsed is None or len(parts) < 3 or parts[1] != "gov-hpg":
                return None
            cdn_part = parts[4] if parts[2] == "SiteFolders" and len(parts) > 4 else parts[2]
            site_key = BY_CDN_ID.get(int(cdn_part)) if cdn_part.isdigit() else None
            article = self.by_id.get(site_key, {}).get(parsed[0]) if site_key else None
            if article is None:
                return None
            gens = ["B"] if parts[2] == "SiteFolders" else ["C"]
            candidates = [(article, g) for g in gens]
        else:
            site_key = _site_of_host(host)
            if site_key is None or site_key not in self.by_id:
                return None
            if (m := urls.B_IMAGE_RE.match(path)) is not None:
                article = self.by_id[site_key].get(int(m.group(2), 16))
                gen = "B"
            elif (m := urls.A_IMAGE_RE.match(path)) is not None:
                article = self.by_id[site_key].get(int(m.group(2)))
                gen = "A"
            else:
                return None
            if article is None:
                return None
            candidates = [(article, gen)]
        for article, gen in candidates:
            for url, ext, title, lines in self._file_entries(article, gen):
                if unquote(urlsplit(url).path) == path and urlsplit(url).netloc == host:
                    return self.file_bytes(url, ext, title, lines), MIME[ext]
        return None

    # --- truth ---

    def truth(self, article: Article, generation: str | None = None) -> dict[str, Any]:
        gen = generation or article.generation
        st = self.state(article)
        content = self.content(article)
        path = urls.article_path(article, gen)
        legacy = urls.legacy_path(article)
        files = []
        for url, ext, title, lines in self._file_entries(article, gen):
            data = self.file_bytes(url, ext, title, lines)
            files.append(
                {
                    "url": url,
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                    "mime": MIME[ext],
                }
            )
        return {
            "url": urls.site_url(self.scheme, article.site, path),
            "title": clean(content.title),
            "published": self.published_now(article).isoformat() if article.shows_date else None,
            "lead": clean(content.lead),
            "body": "\n\n".join(clean(p) for p in content.paragraphs),
            "images": [
                {
                    "url": urls.image_url(self.scheme, article, i, im, gen),
                    "caption": clean(im.caption) if im.caption else None,
                }
                for i, im in enumerate(content.images)
            ],
            "attachments": [
                {
                    "url": urls.attachment_url(self.scheme, article, i, att, gen),
                    "name": clean(att.name),
                }
                for i, att in enumerate(content.attachments)
            ],
            "tags": [clean(t) for t in article.tags],
            "site": article.site,
            "id": article.id,
            "generation": gen,
            "category": SITES[article.site].categories[article.category].name,
            "aliases": [urls.site_url(self.scheme, article.site, legacy)]
            if legacy and gen == "C"
            else [],
            "status": "gone" if st.deleted else "active",
            "http_status": st.gone_status if st.deleted else 200,
            "version": st.version,
            "files": files,
        }

    def sites_toml(self) -> str:
        """A newsarchive sites file for the generated sub-sites (what a user would write)."""
        lines = ["# Generated sub-sites of the replica (newsarchive replica --sites N)."]
        for key, site in self.sites.items():
            if key in NAMED_SITES:
                continue
            lines += [
                "",
                f"[sites.{key}]",
                f'title = "{site.name}"',
                f'start_urls = ["{self.scheme}://{site.host}/"]',
                'profile = "haiphong-c"',
            ]
        return "\n".join(lines) + "\n"

    def truth_jsonl(self, site_key: str | None = None) -> bytes:
        key = (self.generation, site_key)
        if key not in self._truth:
            arts = self.by_site[site_key] if site_key else self.articles
            lines = [json.dumps(self.truth(a), ensure_ascii=False) for a in arts]
            self._truth[key] = ("\n".join(lines) + "\n").encode("utf-8")
        return self._truth[key]


@lru_cache(maxsize=4096)
def _cached_file(ext: str, url: str, title: str, lines: tuple[str, ...]) -> bytes:
    return make_file(ext, url, title, lines)


def _site_of_host(host: str) -> str | None:
    from newsarchive.replica.sites import HOSTS

    return HOSTS.get(host)


def build_corpus(config: ReplicaConfig | None = None) -> Corpus:
    return Corpus(config or ReplicaConfig())
