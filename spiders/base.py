"""The one spider flow every site shares: listings -> articles -> images and attachments.

Sites are data (a sites file); the spider loader binds one subclass to each. Parsing lives
in pure functions (newsarchive.listing, newsarchive.extract); this class only routes
requests and decides what to fetch again.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import scrapy
from form2request import form2request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure
from w3lib.encoding import http_content_type_encoding

from newsarchive.crawl.archiving import ArchiveSession, utc_now
from newsarchive.crawl.listingcheck import (
    INDEXED_FIELDS,
    Indexed,
    change_reason,
    listed_entries,
    local_day,
    signature,
)
from newsarchive.crawl.listingwindow import vanished
from newsarchive.crawl.recheckstats import count_sent
from newsarchive.crawl.revisit import recheck_urls
from newsarchive.discovery import feeds
from newsarchive.discovery.pagetype import is_article
from newsarchive.discovery.scope import same_registered_domain
from newsarchive.discovery.urlshape import ShapeBook
from newsarchive.extract import extract
from newsarchive.items import (
    ArticleItem,
    FileItem,
    GoneItem,
    ListingItem,
    MovedItem,
    NotModifiedItem,
    SharedFileItem,
    UnreadableItem,
)
from newsarchive.listing import Listing, Postback, parse_listing
from newsarchive.portals.profiles import Profile, get_profile
from newsarchive.portals.sites import Site, get_site
from newsarchive.urlparts import canonical_url

ARTICLE_PRIORITY = 20  # finish articles before walking further listings: bounded memory
FILE_PRIORITY = 30
GONE_STATUSES = (404, 410)


_PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/xml", "text/xml")


def not_a_page(body: bytes, content_type: str) -> str | None:
    """Why a 200 answer to an article URL cannot hold an article, or None if it may."""
    if not body.strip():
        return "empty body"
    mime = content_type.split(";")[0].strip().lower()
    if mime and mime not in _PAGE_TYPES:
        return f"not an HTML page ({mime})"
    if b"<" not in body[:4096]:
        return "not an HTML page (no markup)"
    return None


def _header(response: Response, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None


def _http_charset(response: Response) -> str | None:
    """The charset the Content-Type header names (quoted or not), for the page decoder."""
    return http_content_type_encoding(_header(response, "Content-Type") or "")


class PortalSpider(scrapy.Spider):
    """Base spider. The spider loader makes one subclass per configured site (setting
    `site_config`, see newsarchive.crawl.spiderloader); ad hoc crawls pass `url` and `profile`."""

    site_name: str = ""
    site_config: Site | None = None
    custom_settings: dict[str, Any] = {}

    def __init__(self, *args: Any, url: str | None = None, profile: str | None = None, **kw: Any):
        super().__init__(*args, **kw)
        if url:
            host = urlsplit(url).hostname or "adhoc"
            self.site = Site(
                name=self.site_name or host,
                title=host,
                profile=profile or "generic",
                start_urls=(url,),
            )
        else:
            self.site = self.site_config or get_site(self.site_name or self.name)
            if profile:
                self.site = replace(self.site, profile=profile)
        self.site_name = self.site.name
        self.profile: Profile = get_profile(self.site.resolved_profile())
        self.page_hosts = tuple(self.site.own_hosts)
        file_hosts = self.site.file_hosts or getattr(self.profile, "attachment_hosts", ())
        self.file_hosts = self.page_hosts + tuple(file_hosts)
        # No article URL patterns: discover categories, pages and article shapes by structure.
        self.discover = not getattr(self.profile, "article_url_patterns", ())
        if self.discover:
            # Files may live on a sibling host of the same registered domain (cdn.<site>).
            self.file_hosts += tuple(
                sorted({"*." + same_registered_domain(h) for h in self.page_hosts})
            )
        # OffsiteMiddleware takes domains (subdomains included), not globs.
        self.allowed_domains = sorted({h.split(":")[0].removeprefix("*.") for h in self.file_hosts})
        self._stale_pages: dict[str, int] = defaultdict(int)
        self.book = ShapeBook()
        self._category_seen: dict[str, set[str]] = defaultdict(set)
        self._articles_found = 0
        self._bfs_started = False
        self._had_known = False
        self._sitemap_tried = False
        self._links_of: dict[str, list[str]] = {}  # same-site links of each non-article page
        self._fetched: set[str] = set()
        self._bfs_left = 0
        self._bfs_seen: set[str] = set()
        self._rechecked: set[str] = set()  # known articles re-checked this run (once each)
        self._fields: dict[str, dict] | None = None  # known articles, as listings show them
        self._listed_before: dict[str, dict[str, dict]] | None = None
        self._walks: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
        self._windows_done: set[str] = set()

    # -- settings, read once the crawler is bound --------------------------------------
    @property
    def session(self) -> ArchiveSession:
        session = self.crawler.get_extension(ArchiveSession)
        assert session is not None and session.index is not None
        return session

    def _setting(self, name: str, default: Any = None) -> Any:
        return self.crawler.settings.get(name, default)

    @property
    def max_pages(self) -> int:
        return int(self._setting("NEWSARCHIVE_MAX_PAGES", 0) or 0)

    @property
    def page_maxsize(self) -> int:
        return int(self._setting("NEWSARCHIVE_PAGE_MAXSIZE", 10 << 20))

    @property
    def since(self) -> date | None:
        value = self._setting("NEWSARCHIVE_SINCE")
        return date.fromisoformat(str(value)[:10]) if value else None

    # -- start ---------------------------------------------------------------------------
    async def start(self) -> AsyncIterator[Request]:
        index = self.session.index
        self.known = index.known_urls(self.site_name)
        self._had_known = bool(self.known)  # a site with articles never needs the BFS walk
        self.incremental = index.site_last_crawl_finished(self.site_name)
        for url in self.site.start_urls:
            if self.discover:
                yield self.page_request(
                    url, {"start": True, "category": url, "page": 1, "kind": "listing"}
                )
            else:
                yield self.listing_request(url, {"home": True, "category": url})
        # Known articles due under the revisit policy (newsarchive.crawl.revisit).
        for url in recheck_urls(index, self.site_name, self.crawler.settings, utc_now()):
            request = self.recheck_request(url, "age")
            if request is not None:
                yield request
        # Files of articles a killed crawl archived without their images or attachments.
        for pending in index.pending_files(self.site_name):
            yield self.file_request(
                pending["url"], pending["article_url"], pending["kind"], pending.get("name")
            )

    # -- listings ------------------------------------------------------------------------
    def parse_listing(self, response: Response) -> Iterator[Any]:
        page = response.meta.get("page", 1)
        listing = parse_listing(
            response.body,
            response.url,
            self.profile,
            allowed_hosts=self.page_hosts,
            current_page=page,
            http_charset=_http_charset(response),
        )
        if response.meta.get("home"):
            for url in listing.listing_urls:
                yield self.listing_request(url, {"page": 1, "category": url})
        yield from self.listing_rechecks(response, listing)
        new = 0
        for url in listing.article_urls:
            if url in self.known:
                continue
            new += 1
            self.known.add(url)
            yield self.article_request(url)
        # A start URL that is itself a listing is paginated like any category.
        yield from self.follow_pages(response, listing, new)

    def follow_pages(self, response: Response, listing: Listing, new: int) -> Iterator[Any]:
        """The next page of this listing, unless the page repeats or holds nothing new.
        Where the walk ends, pages 1..k were all fetched: its window is complete."""
        page = response.meta.get("page", 1)
        category = response.meta.get("category", response.url)
        seen = self._category_seen[category]
        fresh = [u for u in listing.article_urls if u not in seen]
        seen.update(listing.article_urls)
        if not fresh and (page > 1 or not listing.article_urls):
            # A page that repeats the ones before, or an empty one.
            yield from self.vanished_rechecks(category)
            return
        if new == 0:
            self._stale_pages[category] += 1
        else:
            self._stale_pages[category] = 0
        stop_after = int(self._setting("NEWSARCHIVE_STOP_AFTER_PAGES_WITHOUT_NEW", 1) or 0)
        if (self.incremental and stop_after and self._stale_pages[category] >= stop_after) or (
            self.max_pages and page >= self.max_pages
        ):
            yield from self.vanished_rechecks(category)
            return
        meta = {"kind": "listing", "page": page + 1, "category": category}
        if self.discover:
            meta["discovered_listing"] = True
        callback = self.parse_page if self.discover else self.parse_listing
        if listing.next_url:
            yield self.listing_request(listing.next_url, meta, callback=callback)
        elif listing.next_postback is not None:
            request = self.postback_request(response, listing.next_postback, meta, callback)
            if request is not None:
                yield request
        else:
            yield from self.vanished_rechecks(category)  # the listing's last page

    def _known_fields(self) -> dict[str, dict]:
        if self._fields is None:
            self._fields = self.session.index.recheck_fields(self.site_name)
        return self._fields

    def _memory(self) -> dict[str, dict[str, dict]]:
        """category -> url -> where the article was last listed there (listing_entries)."""
        if self._listed_before is None:
            self._listed_before = defaultdict(dict)
            for (url, category), row in self.session.index.listing_memory(self.site_name).items():
                self._listed_before[category][url] = row
        return self._listed_before

    def listing_rechecks(self, response: Response, listing: Listing) -> Iterator[Any]:
        """Remember where each article is listed and what its entry shows (a ListingItem);
        re-check the known ones whose entry disagrees with the index
        (newsarchive.crawl.listingcheck), unless they were checked since the listing first
        showed that entry (a cached sidebar, a listing that shows another date)."""
        urls = listing.article_urls
        if not isinstance(response, TextResponse) or not urls:
            return
        category = response.meta.get("category", response.url)
        page = int(response.meta.get("page", 1) or 1)
        fields, before = self._known_fields(), self._memory().get(category, {})
        now = utc_now()
        listed = listed_entries("", response.url, urls, now=now, doc=listing.doc)
        walk = self._walks[category]
        rows = []
        for position, url in enumerate(urls):
            entries = listed.get(url, [])
            shown = next((e.date.text for e in entries if e.date and e.date.text), None)
            sig = signature(entries) if entries else None
            rows.append({"url": url, "position": position, "listed_date": shown, "signature": sig})
            known = fields.get(url)
            walk.append((url, shown[:10] if shown else local_day(known and known["published"])))
            if known is None or not entries or not self.incremental:
                continue
            reason = change_reason(entries, Indexed(**{k: known[k] for k in INDEXED_FIELDS}))
            last = before.get(url)
            if reason is None or (
                last is not None
                and last["signature"] == sig
                and (known["last_checked"] or "") >= (last["signature_since"] or "~")
            ):
                continue
            request = self.recheck_request(url, reason)
            if request is not None:
                yield request
        yield ListingItem(self.site_name, category, page, now.isoformat(), rows)

    def vanished_rechecks(self, category: str) -> Iterator[Any]:
        """Known articles missing from this listing's completely walked window
        (newsarchive.crawl.listingwindow): re-checked now, and forgotten by the listing."""
        if category in self._windows_done:
            return
        self._windows_done.add(category)
        if not self.incremental:
            return  # after a failed run the walk is a repair, not a nightly comparison
        fields = self._known_fields()
        remembered = {
            url: (row["listed_date"] or "")[:10] or local_day(fields[url]["published"])
            for url, row in self._memory().get(category, {}).items()
            if url in fields
        }
        gone = vanished(self._walks.get(category, []), remembered)
        for url in gone:
            request = self.recheck_request(url, "vanished")
            if request is not None:
                yield request
        if gone:
            yield ListingItem(self.site_name, category, 0, utc_now().isoformat(), forget=gone)

    def recheck_request(self, url: str, reason: str) -> Request | None:
        """A conditional GET of a known article, once per run, counted by its reason."""
        if url in self._rechecked:
            return None
        self._rechecked.add(url)
        count_sent(self.crawler.stats.inc_value, self.site_name, reason)
        request = self.article_request(url)
        request.meta["recheck"] = reason
        return request

    # -- discovery (no article URL patterns) ---------------------------------------------
    def page_request(self, url: str, meta: dict[str, Any]) -> Request:
        """A page of unknown kind: parse_page reads it and decides article or listing."""
        request = self.article_request(url)
        request.meta.update(meta)
        errback = self.on_error if meta.get("start") else self.on_discovered_error
        return request.replace(
            callback=self.parse_page, errback=errback, dont_filter=bool(meta.get("start"))
        )

    def on_discovered_error(self, failure: Failure) -> None:
        """A discovered link robots.txt forbids was never ours to fetch: not a lost request."""
        if failure.check(IgnoreRequest):
            self.crawler.stats.inc_value("newsarchive/discovered_ignored")
            return
        self.on_error(failure)

    def parse_page(self, response: Response) -> Iterator[Any]:
        meta = response.meta
        requested = meta.get("redirect_urls", [response.url])[0]
        self._fetched.add(requested)
        if response.status != 200 and not self.session.index.article_state(requested):
            return  # a discovered link that leads nowhere was never an article
        if response.status != 200 or (
            not meta.get("start")
            and not meta.get("discovered_listing")
            and self.session.index.article_state(response.url)
        ):
            yield from self.parse_article(response)  # 304/404/410 and known articles
            return
        article = None
        if not meta.get("start") and not meta.get("discovered_listing"):
            article = self._extract(response)
            if is_article(article, response.body, response.url):
                self.book.learn_article(meta.get("redirect_urls", [response.url])[0])
                self._articles_found += 1
                yield from self.parse_article(response, article)
                return
        listing = parse_listing(
            response.body,
            response.url,
            self.profile,
            allowed_hosts=self.page_hosts,
            current_page=meta.get("page", 1),
            book=self.book,
            http_charset=_http_charset(response),
        )
        if not meta.get("start") and not meta.get("discovered_listing"):
            self.book.learn_listing(response.url)
        self._links_of[response.url] = listing.listing_urls + listing.article_urls
        if meta.get("bfs"):
            yield from self._bfs_walk(listing.listing_urls + listing.article_urls)
        if meta.get("start"):
            # Its same-site links that are not articles may be categories (menus, "Xem tất cả").
            for url in listing.listing_urls[: self.max_categories]:
                yield self.page_request(url, {"category": url, "page": 1})
            for url in feeds.feed_links(response.body, response.url, self.page_hosts):
                yield self.feed_request(url)
            # Sitemaps only once the start page answered: a dead site costs one request.
            yield from self.way_in_requests(response.url)
        yield from self.listing_rechecks(response, listing)
        new = 0
        for url in listing.article_urls:
            if url in self.known:
                continue
            new += 1
            self.known.add(url)
            yield self.page_request(url, {})
        if meta.get("start") or meta.get("discovered_listing") or listing.article_urls:
            yield from self.follow_pages(response, listing, new)

    @property
    def max_categories(self) -> int:
        return int(self._setting("NEWSARCHIVE_MAX_CATEGORIES", 100) or 100)

    def way_in_requests(self, url: str) -> Iterator[Request]:
        """robots.txt Sitemap: lines and /sitemap.xml, when the site has them."""
        base = feeds.site_root(url)
        for path, callback, kind in (("/robots.txt", self.parse_robots, "robots"),):
            yield Request(
                base + path,
                callback=callback,
                errback=self.on_quiet_error,
                meta={"kind": kind, "handle_httpstatus_list": [403, 404, 410]},
            )

    def feed_request(self, url: str) -> Request:
        return Request(
            url,
            callback=self.parse_sitemap,
            errback=self.on_quiet_error,
            meta={"kind": "other", "handle_httpstatus_list": [403, 404, 410]},
        )

    def parse_robots(self, response: Response) -> Iterator[Request]:
        if response.status != 200:
            return
        for url in feeds.sitemaps_from_robots(response.body, response.url, self.page_hosts):
            yield self.feed_request(url)

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        """A sitemap, a sitemap index, or an RSS/Atom feed: their pages are candidates."""
        if response.status != 200:
            return
        found = feeds.parse_feed(response.body, response.url, self.page_hosts)
        for url in found.sitemaps:
            yield self.feed_request(url)
        for url in found.pages:
            if url in self.known:
                continue
            self.known.add(url)
            yield self.page_request(url, {})

    def on_quiet_error(self, failure: Failure) -> None:
        """Optional ways in (sitemaps, feeds) that fail cost nothing."""
        self.logger.debug("optional fetch failed: %s", failure.getErrorMessage())

    def _bfs_walk(self, urls: list[str]) -> Iterator[Request]:
        """Breadth-first over the links already seen (no refetch), fetching only pages never
        fetched, at most NEWSARCHIVE_BFS_PAGES of them."""
        queue = list(urls)
        while queue and self._bfs_left > 0:
            url = queue.pop(0)
            if url in self._bfs_seen:
                continue
            self._bfs_seen.add(url)
            if url in self._links_of:
                queue.extend(self._links_of[url])
                continue
            if url in self._fetched:
                continue  # an article, or a page that failed: a leaf
            self._bfs_left -= 1
            yield self.page_request(url, {"bfs": True}).replace(dont_filter=True)

    def spider_idle(self) -> None:
        """Nothing found articles: a bounded same-host breadth-first walk, once."""
        if not self.discover or self._articles_found or self._bfs_started or self._had_known:
            return
        if not any(u in self._links_of for u in self.site.start_urls) and not self._links_of:
            return  # the start page never answered: nothing to walk from
        from scrapy.exceptions import DontCloseSpider

        if not self._sitemap_tried:
            # Nothing found through the listings: try /sitemap.xml before walking the site.
            self._sitemap_tried = True
            for url in self.site.start_urls:
                request = self.feed_request(feeds.site_root(url) + "/sitemap.xml")
                self.crawler.engine.crawl(request)
            raise DontCloseSpider
        self._bfs_started = True
        self._bfs_left = int(self._setting("NEWSARCHIVE_BFS_PAGES", 200) or 0)
        if self._bfs_left <= 0:
            return
        requests = list(self._bfs_walk(list(self.site.start_urls)))
        for request in requests:
            self.crawler.engine.crawl(request)
        if not requests:
            return
        raise DontCloseSpider

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> PortalSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        from scrapy import signals

        crawler.signals.connect(spider.spider_idle, signal=signals.spider_idle)
        return spider

    def postback_request(
        self,
        response: Response,
        postback: Postback,
        meta: dict[str, Any],
        callback: Any = None,
    ) -> Request | None:
        """An ASP.NET pager click: the page's form (with its __VIEWSTATE) posted back with
        __EVENTTARGET/__EVENTARGUMENT set, as the browser's __doPostBack() does."""
        forms = response.xpath("//form[.//input[@name='__VIEWSTATE']]") or response.xpath("//form")
        if not forms:
            self.logger.warning("postback pager without a form on %s", response.url)
            return None
        data = {"__EVENTTARGET": postback.target, "__EVENTARGUMENT": postback.argument}
        return form2request(forms[0], data, click=False).to_scrapy(
            callback=callback or self.parse_listing, errback=self.on_error, meta=meta
        )

    def listing_request(self, url: str, meta: dict[str, Any], callback: Any = None) -> Request:
        return Request(
            url,
            callback=callback or self.parse_listing,
            errback=self.on_error,
            meta={"kind": "listing", "download_maxsize": self.page_maxsize, **meta},
            dont_filter=bool(meta.get("home")),
        )

    # -- articles ------------------------------------------------------------------------
    def article_request(self, url: str) -> Request:
        headers: dict[str, str] = {}
        state = self.session.index.article_state(url)
        if state and state.get("status") == "active":
            if state.get("etag"):
                headers["If-None-Match"] = state["etag"]
            if state.get("last_modified"):
                headers["If-Modified-Since"] = state["last_modified"]
        return Request(
            url,
            headers=headers,
            callback=self.parse_article,
            errback=self.on_error,
            priority=ARTICLE_PRIORITY,
            meta={
                "kind": "page",
                "handle_httpstatus_list": [304, *GONE_STATUSES],
                "download_maxsize": self.page_maxsize,
            },
        )

    def _extract(self, response: Response) -> dict[str, Any]:
        charset = _http_charset(response)
        return extract(response.body, response.url, self.profile, http_charset=charset).to_dict()

    def parse_article(
        self, response: Response, article: dict[str, Any] | None = None
    ) -> Iterator[Any]:
        requested = response.meta.get("redirect_urls", [response.url])[0]
        seen_at = response.meta.get("newsarchive_fetched_at") or utc_now().isoformat()
        recheck = response.meta.get("recheck")
        if response.status == 304:
            yield NotModifiedItem(
                self.site_name,
                requested,
                seen_at,
                _header(response, "ETag"),
                _header(response, "Last-Modified"),
                recheck=recheck,
            )
            return
        if response.status in GONE_STATUSES:
            yield GoneItem(self.site_name, requested, seen_at, response.status, recheck=recheck)
            return
        if requested != response.url and self.session.index.article_state(requested):
            yield MovedItem(self.site_name, requested, response.url, seen_at, recheck=recheck)
        content_type = _header(response, "Content-Type") or ""
        reason = not_a_page(response.body, content_type)
        if article is None and not reason:
            article = self._extract(response)
        if article is not None and not (article.get("title") or article.get("body")):
            reason = "no article found: " + "; ".join(article.get("warnings", [])[:3])
        if reason or article is None:
            # Never a blank version: the current one stays, the capture is in the WARC.
            yield UnreadableItem(
                self.site_name,
                requested,
                seen_at,
                reason,
                response.meta.get("newsarchive_capture"),
                recheck=recheck,
            )
            return
        since = self.since
        if since and article.get("published") and article["published"][:10] < since.isoformat():
            self.crawler.stats.inc_value("newsarchive/articles_before_since")
            return
        yield ArticleItem(
            site=self.site_name,
            url=response.url,
            final_url=response.url,
            fetched_at=seen_at,
            article=article,
            capture=response.meta.get("newsarchive_capture"),
            etag=_header(response, "ETag"),
            last_modified=_header(response, "Last-Modified"),
            redirect_urls=list(response.meta.get("redirect_urls", [])),
            recheck=recheck,
        )
        index = self.session.index
        files = [("image", i["url"], i.get("caption")) for i in article.get("images", [])]
        files += [("attachment", a["url"], a.get("name")) for a in article.get("attachments", [])]
        for kind, url, name in files:
            if self.discover and not self._file_allowed(url):
                self.crawler.stats.inc_value("newsarchive/files_off_site")
                continue
            if index.has_file(url):
                # Archived already (shared by another article): link it, do not fetch again.
                yield SharedFileItem(self.site_name, response.url, kind, url, name)
            else:
                yield self.file_request(url, response.url, kind, name)

    # -- files ---------------------------------------------------------------------------
    def _file_allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        host, netloc = (parts.hostname or "").lower(), parts.netloc.lower()
        for entry in self.file_hosts:
            entry = entry.lower().removeprefix("*.")
            bare = entry.split(":")[0]
            if netloc == entry or host == entry or host.endswith("." + bare):
                return True
        return False

    def file_request(self, url: str, article_url: str, kind: str, name: str | None) -> Request:
        # The one URL identity: the row's URL, the request's URL and the FileItem's agree.
        url = canonical_url(url) or url
        return Request(
            url,
            callback=self.parse_file,
            errback=self.on_error,
            priority=FILE_PRIORITY,
            meta={"kind": kind, "article_url": article_url, "file_name": name},
        )

    def parse_file(self, response: Response) -> Iterator[FileItem]:
        meta = response.meta
        content_type = (_header(response, "Content-Type") or "").split(";")[0].strip() or None
        mime = content_type or mimetypes.guess_type(urlsplit(response.url).path)[0]
        yield FileItem(
            site=self.site_name,
            article_url=meta["article_url"],
            kind=meta["kind"],
            url=meta.get("redirect_urls", [response.url])[0],
            name=meta.get("file_name"),
            mime_type=mime,
            size=len(response.body),
            sha256=hashlib.sha256(response.body).hexdigest(),
            capture=meta.get("newsarchive_capture"),
        )

    # -- failures ------------------------------------------------------------------------
    def on_error(self, failure: Failure) -> None:
        self.crawler.stats.inc_value("newsarchive/errors")
        request = getattr(failure, "request", None)
        self.logger.warning(
            "failed: %s (%s)", getattr(request, "url", "?"), failure.getErrorMessage()
        )
