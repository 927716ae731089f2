"""URL helpers shared by profiles, extraction, listing parsing and the CLI (a leaf module, so
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


def parse_host_map(values: tuple[str, ...] | list[str]) -> dict[str, str]:
    """`PATTERN=ADDR:PORT` strings to a dict; ValueError with a readable message if malformed."""
    mapping: dict[str, str] = {}
    for value in values:
        pattern, sep, address = value.partition("=")
        if not sep or not pattern.strip() or ":" not in address:
            raise ValueError(f"--map expects PATTERN=HOST:PORT, got {value!r}")
        mapping[pattern.strip().lower()] = address.strip()
    return mapping
