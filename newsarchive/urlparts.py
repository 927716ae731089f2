"""Two URL helpers shared by profiles, extraction and listing parsing (a leaf module, so
any of them can import it without import cycles)."""

from __future__ import annotations

from urllib.parse import urlsplit


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
