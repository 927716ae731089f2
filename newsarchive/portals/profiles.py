"""Site profiles as data: where each article field sits, and crawl hints for the spider.

One profile per CMS generation of the haiphong.gov.vn family covers every sub-site of that
generation (they share templates); the URL shape tells the generations apart. Adding a site
of a known CMS is adding its host glob to `hosts`; a new CMS is one more `Profile(...)`.
Selectors are CSS (compiled once); every field also has a structural fallback, so a wrong
or stale selector costs provenance, not data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from newsarchive.urlparts import path_and_query, url_host  # noqa: F401 - re-exported

LOCAL_TZ = "Asia/Ho_Chi_Minh"


@dataclass(frozen=True)
class Selectors:
    """CSS selectors per article field; the first selector that matches wins."""

    title: tuple[str, ...] = ()
    """Element whose text is the headline."""
    published: tuple[str, ...] = ()
    """Element whose text holds the date line (read with `Profile.date_formats`)."""
    published_meta: tuple[str, ...] = ()
    """Elements with an ISO 8601 date in `content`/`datetime` (tried before `published`)."""
    lead: tuple[str, ...] = ()
    """The sapo / summary paragraph."""
    body: tuple[str, ...] = ()
    """Container of body paragraphs, images and captions."""
    caption: tuple[str, ...] = ()
    """Inside `body`: elements that are image captions (the block holding one is a caption)."""
    tags: tuple[str, ...] = ()
    """Tag links (their text is the tag), or a container: then its links are the tags."""
    attachments: tuple[str, ...] = ()
    """Attachment links (text = display name), or a container of them."""
    drop: tuple[str, ...] = ()
    """Inside `body`: chrome to skip (share buttons, inline ads)."""


@dataclass(frozen=True)
class Profile:
    """How to read and crawl one CMS generation. Pure data: no behaviour beyond matching."""

    name: str
    """Key used by `--profile` and stored with each extracted article."""
    description: str = ""
    family: str | None = None
    """Profiles of one family may stand in for each other when the markup says so (a legacy
    URL of one generation redirected to a page of another)."""
    hosts: tuple[str, ...] = ()
    """Glob patterns of the hosts served by this CMS, e.g. "*.haiphong.gov.vn"."""
    attachment_hosts: tuple[str, ...] = ()
    """Hosts (globs) holding the sites' files (the CDN); the crawler fetches those too."""
    article_url_patterns: tuple[str, ...] = ()
    """Regexes (re.search) over path+query of article URLs; they also pick the profile."""
    listing_url_patterns: tuple[str, ...] = ()
    """Regexes over path+query of category / listing pages (crawl frontier)."""
    next_page_xpaths: tuple[str, ...] = ()
    """XPaths returning the next listing page's href, most specific first: use the first
    that yields (rel=next, then "Trang sau"/"Sau", then "»", which may mean "last")."""
    postback_pager: str | None = None
    """Regex over a pager href capturing `target` and `argument` of an ASP.NET
    `__doPostBack(target, argument)` call, when pages are reached by POST; else None."""
    timezone: str = LOCAL_TZ
    """IANA zone of the dates printed on the pages."""
    date_formats: tuple[str, ...] = ()
    """strptime-like formats (%d %m %Y %H %M %S %p) searched in the date line, in order;
    the generic Vietnamese patterns run when none matches."""
    site_name_patterns: tuple[str, ...] = ()
    """Regexes of site names to strip from `<title>` when it stands in for the headline."""
    selectors: Selectors = field(default_factory=Selectors)

    @property
    def is_generic(self) -> bool:
        return self.selectors == Selectors()

    def matches_host(self, host: str) -> bool:
        host = host.lower()
        return any(fnmatchcase(host, pattern) for pattern in self.hosts)

    def is_article_url(self, url: str) -> bool:
        pq = path_and_query(url)
        return any(re.search(p, pq) for p in self.article_url_patterns)

    def is_listing_url(self, url: str) -> bool:
        pq = path_and_query(url)
        return any(re.search(p, pq) for p in self.listing_url_patterns)

    def is_attachment_host(self, host: str) -> bool:
        return any(fnmatchcase(host.lower(), pattern) for pattern in self.attachment_hosts)


_HAIPHONG_HOSTS = ("haiphong.gov.vn", "*.haiphong.gov.vn")
_HAIPHONG_CDN = ("cdn.haiphong.gov.vn",)
# Words first: on these portals "»" may mean the last page, not the next one.
_NEXT_BY_WORD = (
    "//a[@href][normalize-space()='Trang sau' or normalize-space()='Sau' or "
    "normalize-space()='Tiếp' or normalize-space()='Trang tiếp' or normalize-space()='Next']/@href"
)
_NEXT_BY_ARROW = "//a[@href][normalize-space()='›' or normalize-space()='»']/@href"
_NEXT_PAGE = ("//a[@rel='next']/@href", "//link[@rel='next']/@href", _NEXT_BY_WORD, _NEXT_BY_ARROW)


GENERIC = Profile(
    name="generic",
    description="No selectors: structure and text heuristics only.",
    next_page_xpaths=_NEXT_PAGE,
)

HAIPHONG_C = Profile(
    name="haiphong-c",
    description="haiphong.gov.vn family, generation C (VNPT vnPortal, mid 2023 - now).",
    family="haiphong",
    hosts=_HAIPHONG_HOSTS,
    attachment_hosts=_HAIPHONG_CDN,
    # /<cat-slug>/<title-slug>-<id>, lowercase, no extension; ids from ~640000
    article_url_patterns=(r"^/[a-z0-9-]+/[a-z0-9-]+-\d{4,}/?$",),
    listing_url_patterns=(r"^/[a-z0-9-]+-\d+/?(\?page=\d+)?$",),
    next_page_xpaths=_NEXT_PAGE,
    date_formats=("%H:%M %d/%m/%Y", "%d/%m/%Y %H:%M"),
    site_name_patterns=(r"Cổng thông tin điện tử.*$",),
    selectors=Selectors(
        title=("article h1.vnp-title", "h1.vnp-title"),
        published=(".vnp-news-detail .vnp-date", ".vnp-date"),
        published_meta=("meta[property='article:published_time']",),
        lead=(".vnp-news-detail .vnp-sapo", ".vnp-sapo"),
        body=(".vnp-news-detail .vnp-content", ".vnp-content"),
        caption=("p[style*='center'] em", "figcaption"),
        tags=(".vnp-tags",),
        attachments=(".vnp-attachments",),
        drop=(".vnp-share",),
    ),
)

HAIPHONG_B = Profile(
    name="haiphong-b",
    description="haiphong.gov.vn family, generation B (~2020 - mid 2023).",
    family="haiphong",
    hosts=_HAIPHONG_HOSTS,
    attachment_hosts=_HAIPHONG_CDN,
    # /<Category-Slug>/<Title-Slug>-<id>.html
    article_url_patterns=(r"^/[A-Za-z0-9-]+/[A-Za-z0-9-]+-\d+\.html$",),
    listing_url_patterns=(r"^/[A-Z][A-Za-z0-9-]*(/trang-\d+)?/?$",),
    next_page_xpaths=_NEXT_PAGE,
    date_formats=("Thời gian: %d/%m/%Y %H:%M", "%d/%m/%Y %H:%M"),
    selectors=Selectors(
        title=(".ContentDetail .Title", "h2.Title"),
        published=(".ContentDetail .PostDate", ".PostDate"),
        lead=(".ContentDetail .Summary", ".Summary"),
        body=(".ContentDetail .Content", "div.Content"),
        caption=("p[style*='center'] em", "figcaption"),
        tags=(".ContentDetail .Tags", ".Tags"),
        attachments=(".ContentDetail .Attachments", ".Attachments"),
    ),
)

HAIPHONG_A = Profile(
    name="haiphong-a",
    description="haiphong.gov.vn family, generation A (ASP.NET Portal, print view, 2010 - ~2020).",
    family="haiphong",
    hosts=_HAIPHONG_HOSTS,
    attachment_hosts=_HAIPHONG_CDN,
    article_url_patterns=(r"(?i)^/Portal/PrintItem\.aspx\?(.*&)?ContentID=\d+",),
    listing_url_patterns=(r"(?i)^/Portal/Default\.aspx(\?CategoryID=\d+)?$",),
    next_page_xpaths=(
        "//a[normalize-space()='>' or normalize-space()='»'][contains(@href, '__doPostBack')]/@href",
    ),
    postback_pager=r"__doPostBack\('(?P<target>[^']+)','(?P<argument>Page\$\d+)'\)",
    date_formats=("%d/%m/%Y - %H:%M", "%d/%m/%Y %H:%M"),
    site_name_patterns=(r"(?i)^.*cổng thông tin điện tử.*$",),
    selectors=Selectors(
        title=("#ctl00_lblTitle", ".PrintTitle"),
        published=("#ctl00_lblDate", ".PrintDate"),
        lead=(".PrintSummary",),
        body=(".PrintContent",),
        caption=("p[align='center'] em", "p[style*='center'] em", "figcaption"),
        tags=(".PrintTags",),
        attachments=(".PrintFiles",),
    ),
)

PROFILES: dict[str, Profile] = {p.name: p for p in (GENERIC, HAIPHONG_C, HAIPHONG_B, HAIPHONG_A)}
# When a family host's URL has no known article shape (home page, legacy redirect target
# not yet known), the current generation is the best first try.
_FAMILY_DEFAULT = {"haiphong": "haiphong-c"}


def get_profile(name: str) -> Profile:
    """Profile by name; KeyError lists the known names."""
    try:
        return PROFILES[name]
    except KeyError:
        raise KeyError(f"unknown profile {name!r}; known: {', '.join(sorted(PROFILES))}") from None


def profile_for_url(url: str) -> Profile:
    """The profile whose hosts and article URL shape match `url`; "generic" otherwise."""
    host = url_host(url)
    by_host = [p for p in PROFILES.values() if p.hosts and p.matches_host(host)]
    for profile in by_host:
        if profile.is_article_url(url):
            return profile
    for profile in by_host:
        if profile.is_listing_url(url):
            return profile
    if by_host:
        return PROFILES[_FAMILY_DEFAULT.get(by_host[0].family or "", by_host[0].name)]
    return GENERIC


def family_of(profile: Profile) -> list[Profile]:
    """Other profiles of the same family, in PROFILES order."""
    if not profile.family:
        return []
    return [p for p in PROFILES.values() if p.family == profile.family and p is not profile]
