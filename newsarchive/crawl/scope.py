"""Off-site filtering by host AND port, for every request (start pages and redirects too).

Scrapy's OffsiteMiddleware matches host names only (allowed_domains cannot carry a port) and
lets `dont_filter` requests through, so a start page redirecting to another host, or a
redirect to the same IP on another port, was fetched. This subclass keeps Scrapy's
mechanism (its `should_follow` hook, request_scheduled check, stats and log lines) and
changes the policy: a request is on site when its scheme is http(s) and its (host, port)
is one of the spider's page or file hosts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Scope:
    """(host pattern, ports) pairs; a pattern is a host or a glob ("*.cdn.example.vn"
    covers cdn.example.vn and its subdomains)."""

    entries: tuple[tuple[str, frozenset[int]], ...]

    def allows(self, host: str, port: int) -> bool:
        host = host.lower()
        for pattern, ports in self.entries:
            if port not in ports:
                continue
            if host == pattern or fnmatchcase(host, pattern):
                return True
            if pattern.startswith("*.") and host == pattern[2:]:
                return True
        return False


def scope_of(hosts: Iterable[str], start_urls: Iterable[str] = ()) -> Scope:
    """Where a site may be fetched from.

    A host given with a port ("127.0.0.1:8080") allows that port only; a bare host allows
    the ports its start URLs use plus the standard ones (80 and 443: portals redirect
    between http and https).
    """
    start_ports: dict[str, set[int]] = {}
    for url in start_urls:
        parts = urlsplit(url)
        if parts.hostname:
            port = parts.port or DEFAULT_PORTS.get(parts.scheme, 80)
            start_ports.setdefault(parts.hostname.lower(), set()).add(port)
    entries: list[tuple[str, frozenset[int]]] = []
    for entry in hosts:
        host, sep, port = entry.lower().rpartition(":")
        if sep and port.isdigit():
            entries.append((host, frozenset({int(port)})))
            continue
        host = entry.lower()
        ports = start_ports.get(host, set()) | set(DEFAULT_PORTS.values())
        entries.append((host, frozenset(ports)))
    return Scope(tuple(entries))


class SiteScopeMiddleware(OffsiteMiddleware):
    """Replaces Scrapy's OffsiteMiddleware (same priority) in DOWNLOADER_MIDDLEWARES."""

    def _scope(self, spider: Spider) -> Scope | None:
        hosts = getattr(spider, "file_hosts", None)
        if not hosts:
            return None
        site = getattr(spider, "site", None)
        key = (tuple(hosts), tuple(getattr(site, "start_urls", ()) or ()))
        if getattr(self, "_scope_key", None) != key:
            self._scope_key = key
            self._scope_pairs = scope_of(*key)
        return self._scope_pairs

    def should_follow(self, request: Request, spider: Spider) -> bool:
        scope = self._scope(spider)
        if scope is None:  # a spider without site hosts: Scrapy's own policy
            return super().should_follow(request, spider)
        parts = urlparse_cached(request)
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
            return False
        try:
            port = parts.port or DEFAULT_PORTS[parts.scheme]
        except ValueError:  # a port out of range
            return False
        return scope.allows(parts.hostname, port)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        # dont_filter means "do not dedupe" to the scheduler; it must not open the site's
        # scope (a start request or a redirect of one keeps the flag). allow_offsite is
        # the explicit opt-out, as in Scrapy.
        if request.dont_filter and not request.meta.get("allow_offsite"):
            assert self.crawler.spider
            if not self.should_follow(request, self.crawler.spider):
                self.stats.inc_value("offsite/filtered")
                host = urlparse_cached(request).netloc
                raise IgnoreRequest(f"Filtered offsite request to {host!r}")
            return
        super().process_request(request)
