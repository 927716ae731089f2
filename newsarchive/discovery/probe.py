"""`probe(url)`: look at a portal nobody configured and say how it would be crawled.

Fetches a few pages politely (robots.txt obeyed, a delay between requests, a small page
budget): the start page, some of its same-site links, one next page. Reports the CMS family
guess, the categories, the pagination scheme, the article URL shape, three sample articles
with each field and its provenance, and the site entry to add. No Scrapy: a plain HTTP
client, so `sites add` can call it from any command.
"""

from __future__ import annotations

import http.client
import re
import time
import urllib.robotparser
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from newsarchive.crawl.hostmap import HostMap
from newsarchive.discovery.pagetype import is_article
from newsarchive.discovery.urlshape import ShapeBook, url_shape
from newsarchive.extract import extract
from newsarchive.listing import Listing, parse_listing
from newsarchive.portals.profiles import GENERIC, Profile, profile_for_url

MAX_BYTES = 10 << 20
MAX_REDIRECTS = 5
SAMPLES = 3


class ProbeError(Exception):
    """The start URL could not be fetched or read; the message is one line."""


@dataclass
class ProbeResult:
    url: str  # the start page after redirects
    title: str
    family: str
    profile: str
    categories: list[dict[str, Any]] = field(default_factory=list)  # {url, name, pages_seen}
    pagination: str = ""  # e.g. "?page=N", "/trang-N", "postback Page$N"; "" when none seen
    pagination_example: str = ""
    article_shape: str = ""
    article_shapes: list[str] = field(default_factory=list)
    samples: list[dict[str, Any]] = field(default_factory=list)
    fetched: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def start_urls(self) -> tuple[str, ...]:
        return (self.url,)

    @property
    def site_name(self) -> str:
        host = urlsplit(self.url).hostname or "site"
        return host.split(".")[0] if host.count(".") >= 2 else host.replace(".", "-")

    def site_entry(self) -> dict[str, Any]:
        return {
            "name": self.site_name,
            "title": self.title,
            "start_urls": list(self.start_urls),
            "profile": self.profile,
        }

    def site_toml(self) -> str:
        def q(s: str) -> str:
            return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

        entry = self.site_entry()
        urls = ", ".join(q(u) for u in entry["start_urls"])
        return (
            f"[sites.{entry['name']}]\ntitle = {q(entry['title'])}\n"
            f"start_urls = [{urls}]\nprofile = {q(entry['profile'])}\n"
        )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["site_entry"] = self.site_entry()
        data["site_toml"] = self.site_toml()
        return data


class _Client:
    """GET with redirects, the host map, robots.txt and a delay between requests."""

    def __init__(self, host_map: dict[str, str] | None, delay: float, timeout: float) -> None:
        from newsarchive.settings import USER_AGENT

        self.map = HostMap.from_setting(host_map or {})
        self.delay, self.timeout, self.agent = delay, timeout, USER_AGENT
        self.robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self.count = 0
        self._last = 0.0

    def _raw(self, url: str) -> tuple[int, str, bytes, str | None]:
        wait = self._last + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        public = urlsplit(url)
        target = urlsplit(self.map.rewrite(url) or url)
        cls = (
            http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
        )
        conn = cls(target.hostname or "", target.port, timeout=self.timeout)
        path = (target.path or "/") + (f"?{target.query}" if target.query else "")
        try:
            conn.request("GET", path, headers={"Host": public.netloc, "User-Agent": self.agent})
            response = conn.getresponse()
            body = response.read(MAX_BYTES)
            self.count += 1
            return (
                response.status,
                response.getheader("Location") or "",
                body,
                response.getheader("Content-Type"),
            )
        finally:
            conn.close()
            self._last = time.monotonic()

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self.robots:
            parser: urllib.robotparser.RobotFileParser | None = urllib.robotparser.RobotFileParser()
            try:
                status, _, body, _ = self._raw(root + "/robots.txt")
                if status == 200:
                    parser.parse(body.decode("utf-8", "replace").splitlines())
                else:
                    parser = None
            except (OSError, http.client.HTTPException):
                parser = None
            self.robots[root] = parser
        parser = self.robots[root]
        return parser is None or parser.can_fetch(self.agent, url)

    def get(self, url: str) -> tuple[str, bytes]:
        for _ in range(MAX_REDIRECTS + 1):
            if not self.allowed(url):
                raise ProbeError(f"robots.txt forbids {url}")
            try:
                status, location, body, _ = self._raw(url)
            except (OSError, http.client.HTTPException) as exc:
                raise ProbeError(f"cannot fetch {url}: {exc}") from None
            if status in (301, 302, 303, 307, 308) and location:
                url = urljoin(url, location)
                continue
            if status != 200:
                raise ProbeError(f"{url} answered HTTP {status}")
            return url, body
        raise ProbeError(f"too many redirects from {url}")


def guess_family(html: bytes, listing: Listing) -> str:
    """The CMS family by what its pages carry (generator, framework fields, URL shapes)."""
    text = html[:400_000].decode("utf-8", "replace")
    links = " ".join(listing.article_urls + listing.listing_urls)
    generator = re.search(
        r'<meta[^>]+name=["\']generator["\'][^>]+content=["\']([^"\']+)', text, re.I
    )
    gen = (generator.group(1) if generator else "").lower()
    if "/-/asset_publisher/" in links or "p_p_id=" in links or "liferay" in gen:
        return "liferay"
    if "joomla" in gen or "option=com_content" in links:
        return "joomla"
    if "wordpress" in gen or "/wp-content/" in text or "/wp-json/" in text:
        return "wordpress"
    if "_layouts/" in text or "sharepoint" in gen:
        return "sharepoint"
    if "__VIEWSTATE" in text or ".aspx" in links.lower():
        return "aspnet-webforms"
    if "vnp-" in text or "/Portals/_default/" in text:
        return "vnportal"
    return "unknown"


def _page_title(html: bytes) -> str:
    match = re.search(rb"<title[^>]*>(.*?)</title>", html, re.I | re.S)
    if not match:
        return ""
    import html as htmlmod

    return " ".join(htmlmod.unescape(match.group(1).decode("utf-8", "replace")).split())


def probe(
    url: str,
    *,
    host_map: dict[str, str] | None = None,
    delay: float = 1.0,
    timeout: float = 30.0,
    max_fetches: int = 16,
    profile: Profile | None = None,
) -> ProbeResult:
    """Probe a portal from `url` (home or listing page). Raises ProbeError (one line)."""
    client = _Client(host_map, delay, timeout)
    final, html = client.get(url)
    hosts = (urlsplit(final).hostname or "",)
    profile = profile or profile_for_url(final)
    use = profile if not profile.is_generic else GENERIC
    start = parse_listing(html, final, GENERIC, allowed_hosts=hosts, current_page=1)
    result = ProbeResult(
        url=final, title=_page_title(html), family=guess_family(html, start), profile=use.name
    )
    book = ShapeBook()
    listings: list[tuple[str, Listing]] = [(final, start)]
    samples: list[dict[str, Any]] = []
    budget = max_fetches - client.count

    def fetch(target: str) -> tuple[str, bytes] | None:
        nonlocal budget
        if budget <= 0:
            return None
        budget -= 1
        try:
            return client.get(target)
        except ProbeError as exc:
            result.notes.append(str(exc))
            return None

    # Article candidates in dated/illustrated list items first (samples), then the rest.
    candidates = [u for u in start.article_urls if u in start.in_context]
    candidates += [u for u in start.article_urls if u not in start.in_context]
    others = list(start.listing_urls)
    tried: set[str] = {final}

    def visit(target: str) -> None:
        got = fetch(target)
        if got is None:
            return
        page_url, body = got
        article = extract(body, page_url, use).to_dict()
        if is_article(article, body, page_url):
            book.learn_article(target)
            if len(samples) < SAMPLES:
                samples.append(article)
            return
        book.learn_listing(target)
        listing = parse_listing(
            body, page_url, GENERIC, allowed_hosts=hosts, current_page=1, book=book
        )
        if len(listing.article_urls) >= 2 or listing.next_url or listing.next_postback:
            listings.append((page_url, listing))
            result.categories.append({"url": page_url, "name": _page_title(body)})

    # Alternate: one article candidate, one other link, until 3 samples and 3 categories.
    def next_from(pool: list[str], skip_articles: bool) -> str | None:
        while pool:
            target = pool.pop(0)
            if target in tried or url_shape(target) is None:
                continue
            if skip_articles and book.is_article(target) is True:
                continue
            return target
        return None

    while budget > 0:
        progressed = False
        if len(samples) < SAMPLES:
            if not candidates:
                for _, listing in listings:
                    candidates += [u for u in listing.article_urls if u not in tried]
            target = next_from(candidates, False)
            if target is not None:
                tried.add(target)
                visit(target)
                progressed = True
        if len(result.categories) < 3:
            # Categories may carry ids too (`DanhMuc.aspx?CatID=1`): once articles are
            # known, candidates of another shape are category candidates.
            target = next_from(others, True)
            if target is None and len(samples) >= SAMPLES:
                target = next_from(candidates, True)
            if target is not None:
                tried.add(target)
                visit(target)
                progressed = True
        if not progressed:
            break

    # Pagination: the first listing with a next page, confirmed by fetching it when it is a URL.
    for page_url, listing in listings:
        if listing.next_url or listing.next_postback:
            result.pagination = listing.scheme
            result.pagination_example = listing.next_url or (
                f"POST {page_url} __EVENTTARGET={listing.next_postback.target} "
                f"__EVENTARGUMENT={listing.next_postback.argument}"
            )
            break
    # Article URL shape: the confirmed shapes, counted over the article links of listings.
    confirmed = {s for s, n in book.articles.items() if n}
    counts: Counter[str] = Counter()
    for _, listing in listings:
        for link in listing.article_urls:
            shape = url_shape(link)
            if shape is not None and any(_same_family(shape, c) for c in confirmed):
                counts[str(shape)] += 1 + (link in listing.in_context)
    result.article_shapes = [s for s, _ in counts.most_common()] or book.article_shapes
    result.article_shape = result.article_shapes[0] if result.article_shapes else ""
    result.samples = samples
    result.fetched = client.count
    if not samples:
        result.notes.append("no page read as an article within the fetch budget")
    return result


def _same_family(a: Any, b: Any) -> bool:
    """Shapes of one kind of page: same literal segments and query keys, slugs may differ."""
    if len(a.path) != len(b.path) or a.query != b.query:
        return False
    for x, y in zip(a.path, b.path, strict=True):
        if x != y and not (
            {x, y} <= {"{seg}", "{slug}-{id}", "{id}"}
            or x.split(".")[-1] == y.split(".")[-1]
            and "{" in x
            and "{" in y
        ):
            return False
    return True
