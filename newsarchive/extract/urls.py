"""URL resolution as a browser does it (WHATWG URL standard, the parts pages here need).

Generation A pages put raw spaces and diacritics into `src` attributes; a browser
percent-encodes them as UTF-8 when it requests the image, and the archive must record the
URL the browser would fetch, so we follow the standard's percent-encode sets rather than
urllib's RFC 3986 defaults (which would also encode `|`, `^`, ...).
"""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from newsarchive.urlparts import path_and_query, url_host  # noqa: F401 - re-exported

_STRIP = "".join(map(chr, range(0x21)))  # C0 controls and space, trimmed at both ends
_TAB_NEWLINE = re.compile(r"[\t\n\r]")
# Printable ASCII the standard leaves alone in each component ('%' kept: already encoded).
_SAFE_PATH = "!$%&'()*+,/:;=@[]^|"
_SAFE_QUERY = "!$%&()*+,/:;=?@[\\]^`{|}~"
_SAFE_FRAGMENT = "!#$%&'()*+,/:;=?@[\\]^{|}~"
_DEFAULT_PORTS = {"http": 80, "https": 443}
_SPECIAL = ("http", "https")


def resolve_url(base: str, href: str | None) -> str | None:
    """Absolute, normalised http(s) URL of `href` seen on a page at `base`; None otherwise."""
    if href is None:
        return None
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
    return normalize_url(joined)


def normalize_url(url: str) -> str | None:
    """Percent-encode, lower-case scheme and host, IDNA host, drop default port.

    Idempotent: normalize_url(normalize_url(u)) == normalize_url(u).
    """
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
        userinfo = quote(parts.username or "", safe="!$%&'()*+,;=")
        if parts.password:
            userinfo += ":" + quote(parts.password, safe="!$%&'()*+,;=")
        netloc = f"{userinfo}@{host}"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    path = _remove_dot_segments(quote(parts.path, safe=_SAFE_PATH)) or "/"
    query = quote(parts.query, safe=_SAFE_QUERY)
    fragment = quote(parts.fragment, safe=_SAFE_FRAGMENT)
    # urlunsplit drops an empty '?' or '#'; browsers keep them, but they never matter here.
    return urlunsplit((scheme, netloc, path, query, fragment))


def _host(hostname: str) -> str | None:
    host = hostname.lower().rstrip(".") if hostname != "." else ""
    if not host:
        return None
    if ":" in host:  # IPv6 literal; urlsplit removed the brackets
        return f"[{host}]"
    if host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 5.2.4 (urljoin already does this for relative refs, not absolute ones)."""
    if "." not in path:
        return path
    out: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if seg == "..":
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
