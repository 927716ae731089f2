"""What `newsarchive sites add URL` writes: fetch the URL once and guess the site entry.

A stand-in for the probe (`newsarchive probe`): the profile is picked by the existing URL
rules (profile_for_url), refined by which profile's article URL shape the page's links
follow. Replace `guess_site` by the probe and nothing else changes.
"""

from __future__ import annotations

import http.client
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from newsarchive.portals.profiles import PROFILES, profile_for_url
from newsarchive.urlparts import url_host

MAX_BYTES = 10 << 20
MAX_REDIRECTS = 5


class ProbeError(Exception):
    """The URL could not be fetched or read; the message is one line."""


@dataclass(frozen=True)
class SiteGuess:
    url: str  # where the request ended (after redirects)
    title: str
    profile: str
    start_urls: tuple[str, ...]


def _fetch(url: str, host_map: dict[str, str] | None, timeout: float) -> tuple[str, bytes]:
    from newsarchive.crawl.hostmap import HostMap

    mapping = HostMap.from_setting(host_map or {})
    for _ in range(MAX_REDIRECTS + 1):
        public = urlsplit(url)
        target = urlsplit(mapping.rewrite(url) or url)
        cls = (
            http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
        )
        conn = cls(target.hostname or "", target.port, timeout=timeout)
        path = (target.path or "/") + (f"?{target.query}" if target.query else "")
        try:
            conn.request("GET", path, headers={"Host": public.netloc, "User-Agent": _agent()})
            response = conn.getresponse()
            body = response.read(MAX_BYTES)
        except (OSError, http.client.HTTPException) as exc:
            raise ProbeError(f"cannot fetch {url}: {exc}") from None
        finally:
            conn.close()
        if response.status in (301, 302, 303, 307, 308) and response.getheader("Location"):
            url = urljoin(url, response.getheader("Location") or "")
            continue
        if response.status != 200:
            raise ProbeError(f"{url} answered HTTP {response.status}")
        return url, body
    raise ProbeError(f"{url}: more than {MAX_REDIRECTS} redirects")


def _agent() -> str:
    from newsarchive import settings

    return settings.USER_AGENT


def _links(body: bytes, base: str) -> tuple[str, list[str]]:
    import lxml.html

    try:
        tree = lxml.html.document_fromstring(body)
    except (ValueError, lxml.etree.ParserError) as exc:
        raise ProbeError(f"{base} is not an HTML page: {exc}") from None
    title = " ".join("".join(tree.xpath("//title//text()")).split())
    links = [urljoin(base, href.strip()) for href in tree.xpath("//a/@href")]
    return unicodedata.normalize("NFC", title), links


def guess_profile(url: str, links: list[str]) -> str:
    """The profile of the site's host whose article URL shape most of the links follow."""
    host = url_host(url)
    candidates = [p for p in PROFILES.values() if p.hosts and p.matches_host(host)]
    votes = Counter(
        p.name
        for link in links
        if url_host(link) == host
        for p in candidates
        if p.is_article_url(link)
    )
    if votes:
        return votes.most_common(1)[0][0]
    return profile_for_url(url).name


def guess_site(
    url: str, *, host_map: dict[str, str] | None = None, timeout: float = 30
) -> SiteGuess:
    final, body = _fetch(url, host_map, timeout)
    title, links = _links(body, final)
    return SiteGuess(
        url=final,
        title=title or (urlsplit(final).hostname or final),
        profile=guess_profile(final, links),
        start_urls=(final,),
    )


def name_from_url(url: str) -> str:
    """A site name from the host's first label: haian.haiphong.gov.vn -> haian."""
    label = (urlsplit(url).hostname or "").split(".")[0]
    if label == "www":
        label = (urlsplit(url).hostname or "").split(".")[1]
    return re.sub(r"[^a-z0-9_-]", "-", label.lower()).strip("-")[:64] or "site"
