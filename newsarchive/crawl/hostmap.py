"""Send requests for some hosts to another address, keeping the public URL everywhere else.

The spiders crawl `https://haian.haiphong.gov.vn/...`; with
`NEWSARCHIVE_HOST_MAP = {"*.haiphong.gov.vn": "127.0.0.1:8765"}` the bytes come from the
local replica instead. Mapping happens below every downloader middleware, so WARC records,
redirects, the index and the dupe filter all see the public URL.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


@dataclass(frozen=True)
class HostMap:
    """Ordered (host glob, "address:port") pairs; the first matching glob wins."""

    rules: tuple[tuple[str, str], ...]

    @classmethod
    def from_setting(cls, value: Any) -> HostMap:
        if not value:
            return cls(())
        if isinstance(value, str):
            # "pattern=addr:port,pattern2=addr:port", the form `-s` on the command line gives
            pairs = [item.split("=", 1) for item in value.split(",") if item.strip()]
            return cls(tuple((k.strip().lower(), v.strip()) for k, v in pairs))
        return cls(tuple((str(k).lower(), str(v)) for k, v in dict(value).items()))

    def target(self, host: str) -> str | None:
        host = host.lower()
        for pattern, address in self.rules:
            if fnmatch.fnmatchcase(host, pattern) or (
                pattern.startswith("*.") and host == pattern[2:]
            ):
                return address
        return None

    def rewrite(self, url: str) -> str | None:
        """The URL to fetch instead of `url`, or None when its host is not mapped."""
        parts = urlsplit(url)
        address = self.target(parts.hostname or "")
        if address is None:
            return None
        # The replica speaks plain HTTP on loopback, whatever the public scheme.
        return urlunsplit(("http", address, parts.path, parts.query, ""))


class HostMapDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP/1.1 handler, with NEWSARCHIVE_HOST_MAP applied per request."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        self._host_map = HostMap.from_setting(crawler.settings.get("NEWSARCHIVE_HOST_MAP"))

    async def download_request(self, request: Request) -> Response:
        mapped_url = self._host_map.rewrite(request.url)
        if mapped_url is None:
            return await super().download_request(request)
        public = urlsplit(request.url)
        headers = request.headers.copy()
        headers[b"Host"] = public.netloc.encode("idna") if public.netloc else b""
        mapped = request.replace(url=mapped_url, headers=headers)
        response = await super().download_request(mapped)
        # Not response.replace(): it reads every attribute, and a TextResponse's encoding
        # is then worked out at once (charset detection over each undeclared body, files
        # too). Left undecided, as the handler made it, it is found only if asked for.
        same = {
            name: getattr(response, name)
            for name in response.attributes
            if name not in ("url", "request", "encoding")
        }
        return type(response)(url=request.url, request=request, **same)
