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
from scrapy.http import Request, Response, TextResponse
from twisted.python.failure import Failure

from newsarchive.crawl.archiving import ArchiveSession, utc_now
from newsarchive.crawl.listingcheck import changed_entries
from newsarchive.crawl.revisit import recheck_urls
from newsarchive.extract import extract
from newsarchive.items import (
    ArticleItem,
    FileItem,
    GoneItem,
    MovedItem,
    NotModifiedItem,
    SharedFileItem,
    UnreadableItem,
)
from newsarchive.listing import Postback, parse_listing
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
        # OffsiteMiddleware takes domains (subdomains included), not globs.
        self.allowed_domains = sorted({h.split(":")[0].removeprefix("*.") for h in self.file_hosts})
        self._stale_pages: dict[str, int] = defaultdict(int)

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
        self.incremental = index.site_last_crawl_finished(self.site_name)
        for url in self.site.start_urls:
            yield self.listing_request(url, {"home": True})
        # Known articles due under the revisit policy (newsarchive.crawl.revisit).
        for url in recheck_urls(index, self.site_name, self.crawler.settings, utc_now()):
            self.crawler.stats.inc_value("newsarchive/rechecks")
            self.crawler.stats.inc_value(f"newsarchive/site/{self.site_name}/rechecks")
            yield self.article_request(url)
        # Files of articles a killed crawl archived without their images or attachments.
        for pending in index.pending_files(self.site_name):
            yield self.file_request(
                pending["url"], pending["article_url"], pending["kind"], pending.get("name")
            )

    # -- listings ------------------------------------------------------------------------
    def parse_listing(self, response: Response) -> Iterator[Request]:
        page = response.meta.get("page", 1)
        listing = parse_listing(
            response.body,
            response.url,
            self.profile,
            allowed_hosts=self.page_hosts,
            current_page=page,
        )
        if response.meta.get("home"):
            for url in listing.listing_urls:
                yield self.listing_request(url, {"page": 1, "category": url})
        yield from self.listing_rechecks(response, listing.article_urls)
        new = 0
        for url in listing.article_urls:
            if url in self.known:
                continue
            new += 1
            self.known.add(url)
            yield self.article_request(url)
        if response.meta.get("home"):
            return
        category = response.meta.get("category", response.url)
        if new == 0:
            self._stale_pages[category] += 1
        else:
            self._stale_pages[category] = 0
        stop_after = int(self._setting("NEWSARCHIVE_STOP_AFTER_PAGES_WITHOUT_NEW", 1) or 0)
        if self.incremental and stop_after and self._stale_pages[category] >= stop_after:
            return
        if self.max_pages and page >= self.max_pages:
            return
        meta = {"kind": "listing", "page": page + 1, "category": category}
        if listing.next_url:
            yield self.listing_request(listing.next_url, meta)
        elif listing.next_postback is not None:
            request = self.postback_request(response, listing.next_postback, meta)
            if request is not None:
                yield request

    def listing_rechecks(self, response: Response, urls: list[str]) -> Iterator[Request]:
        """Known articles whose listing entry changed (newsarchive.crawl.listingcheck)."""
        if not self.incremental or not isinstance(response, TextResponse):
            return
        if not hasattr(self, "_titles"):
            self._titles = self.session.index.titles(self.site_name)
        listed = {u: self._titles[u] for u in urls if u in self._titles}
        for url in changed_entries(response.text, response.url, listed):
            self._titles.pop(url, None)  # once per run
            self.crawler.stats.inc_value("newsarchive/rechecks_listing")
            self.crawler.stats.inc_value(f"newsarchive/site/{self.site_name}/rechecks_listing")
            yield self.article_request(url)

    def postback_request(
        self, response: Response, postback: Postback, meta: dict[str, Any]
    ) -> Request | None:
        """An ASP.NET pager click: the page's form (with its __VIEWSTATE) posted back with
        __EVENTTARGET/__EVENTARGUMENT set, as the browser's __doPostBack() does."""
        forms = response.xpath("//form[.//input[@name='__VIEWSTATE']]") or response.xpath("//form")
        if not forms:
            self.logger.warning("postback pager without a form on %s", response.url)
            return None
        data = {"__EVENTTARGET": postback.target, "__EVENTARGUMENT": postback.argument}
        return form2request(forms[0], data, click=False).to_scrapy(
            callback=self.parse_listing, errback=self.on_error, meta=meta
        )

    def listing_request(self, url: str, meta: dict[str, Any]) -> Request:
        return Request(
            url,
            callback=self.parse_listing,
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

    def parse_article(self, response: Response) -> Iterator[Any]:
        requested = response.meta.get("redirect_urls", [response.url])[0]
        seen_at = response.meta.get("newsarchive_fetched_at") or utc_now().isoformat()
        if response.status == 304:
            yield NotModifiedItem(
                self.site_name,
                requested,
                seen_at,
                _header(response, "ETag"),
                _header(response, "Last-Modified"),
            )
            return
        if response.status in GONE_STATUSES:
            yield GoneItem(self.site_name, requested, seen_at, response.status)
            return
        if requested != response.url and self.session.index.article_state(requested):
            yield MovedItem(self.site_name, requested, response.url, seen_at)
        charset = None
        content_type = _header(response, "Content-Type") or ""
        if "charset=" in content_type.lower():
            charset = content_type.lower().split("charset=", 1)[1].split(";")[0].strip()
        reason = not_a_page(response.body, content_type)
        article = (
            None
            if reason
            else extract(response.body, response.url, self.profile, http_charset=charset).to_dict()
        )
        if article is not None and not (article.get("title") or article.get("body")):
            reason = "no article found: " + "; ".join(article.get("warnings", [])[:3])
        if reason or article is None:
            # Never a blank version: the current one stays, the capture is in the WARC.
            yield UnreadableItem(
                self.site_name, requested, seen_at, reason, response.meta.get("newsarchive_capture")
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
        )
        index = self.session.index
        files = [("image", i["url"], i.get("caption")) for i in article.get("images", [])]
        files += [("attachment", a["url"], a.get("name")) for a in article.get("attachments", [])]
        for kind, url, name in files:
            if index.has_file(url):
                # Archived already (shared by another article): link it, do not fetch again.
                yield SharedFileItem(self.site_name, response.url, kind, url, name)
            else:
                yield self.file_request(url, response.url, kind, name)

    # -- files ---------------------------------------------------------------------------
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
