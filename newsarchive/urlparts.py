"""URL helpers shared by profiles, extraction, listing parsing, the spider, the index and the CLI
(a leaf module, so any of them can import it without import cycles).

`canonical_url` is the project's one URL identity. Scrapy fetches `Request.url`, which it
passes through w3lib's `safe_url_string`; storing anything else for an image or an
attachment (a browser-style URL keeping `|`, `^` or `{` raw, say) means the fetched file
never matches its row. So the canonical form is a fixed point of `safe_url_string`: what we
store is byte for byte what Scrapy requests. (w3lib's `canonicalize_url` also sorts query
arguments; that is right for duplicate filtering, wrong for identity: servers may care.)
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

from w3lib.url import safe_url_string

_STRIP = "".join(map(chr, range(0x21)))  # C0 controls and space, trimmed at both ends
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SPECIAL = ("http", "https")
_HOST_OK = re.compile(r"^[a-z0-9._~-]+$")  # after IDNA: anything else is not a host name


def url_host(url: str) -> str:
    """Lower-case host of a URL, or "" when it has none or cannot be parsed."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def path_and_query(url: str) -> str:
    """Path plus "?query" of a URL: what the URL patterns are matched against."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    return parts.path + ("?" + parts.query if parts.query else "")


def parse_host_map(values: tuple[str, ...] | list[str]) -> dict[str, str]:
    """`PATTERN=ADDR:PORT` strings to a dict; ValueError with a readable message if malformed."""
    mapping: dict[str, str] = {}
    for value in values:
        pattern, sep, address = value.partition("=")
        if not sep or not pattern.strip() or ":" not in address:
            raise ValueError(f"--map expects PATTERN=HOST:PORT, got {value!r}")
        mapping[pattern.strip().lower()] = address.strip()
    return mapping


# Both are pure functions of their strings, called for every link of every page (and again by
# pagination for the same links; the menus repeat on every page): cached, listing pages parse
# ~3x faster in a crawl of many sites (cProfile of bench/bench_scale.py's crawl). Bounded, so
# a long crawl's memory does not grow.
_CACHE = 32768


def resolve_url(base: str, href: str | None) -> str | None:
    """Absolute canonical http(s) URL of `href` seen on a page at `base`; None otherwise."""
    if not isinstance(href, str) or not isinstance(base, str):
        return None if href is None else _resolve_uncached(base, href)
    return _resolve(base, href)


def _resolve_uncached(base: str, href: str) -> str | None:
    href = _TAB_NEWLINE.sub("", href.strip(_STRIP))
    if not href:
        return None
    scheme = href.split(":", 1)[0].lower() if ":" in href else ""
    if scheme and scheme.isalpha() and scheme not in _SPECIAL:
        return None  # javascript:, mailto:, data:, tel: are not fetchable resources
    href = href.replace("\\", "/")  # browsers treat '\' as '/' in http(s) URLs
    try:
        joined = urljoin(base, href) if base else href
    except ValueError:
        return None
    return canonical_url(joined)


_resolve = lru_cache(maxsize=_CACHE)(_resolve_uncached)


def canonical_url(url: str | None) -> str | None:
    """The URL as stored and as fetched: http(s) only, lower-case scheme and host, IDNA host,
    no default port, dot segments removed, no fragment (it never names another resource),
    then percent-encoded by w3lib exactly as Scrapy's Request encodes it. None when `url`
    is not an absolute http(s) URL.

    Idempotent, and `safe_url_string(canonical_url(u)) == canonical_url(u)`.
    """
    if not isinstance(url, str):
        return None
    return _canonical(url)


@lru_cache(maxsize=_CACHE)
def _canonical(url: str) -> str | None:
    url = _TAB_NEWLINE.sub("", url.strip(_STRIP))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _SPECIAL or not parts.hostname:
        return None
    host = _host(parts.hostname)
    if host is None:
        return None
    netloc = host
    if parts.username is not None or parts.password is not None:
        userinfo = parts.username or ""
        if parts.password:
            userinfo += ":" + parts.password
        netloc = f"{userinfo}@{host}"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    path = _remove_dot_segments(parts.path) or "/"
    try:
        return safe_url_string(urlunsplit((scheme, netloc, path, parts.query, "")), "utf-8")
    except (ValueError, UnicodeError):
        return None


def _host(hostname: str) -> str | None:
    host = hostname.lower().rstrip(".") if hostname != "." else ""
    if not host:
        return None
    if ":" in host:  # IPv6 literal; urlsplit removed the brackets
        return f"[{host}]"
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return host if _HOST_OK.match(host) else None


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4 (urljoin already does this for relative refs, not absolute ones)."""
    if "." not in path:
        return path
    out: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg in ("..", "%2e%2e", "%2E%2E"):
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        elif seg == ".":
            if last:
                out.append("")
        else:
            out.append(seg)
    result = "/".join(out)
    return result if result.startswith("/") else "/" + result
