"""Which hosts belong to a site: its own, and (for files) those of its registered domain."""

from __future__ import annotations

import functools

import tldextract


@functools.lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # The bundled public suffix list: never fetch it (no network, and politeness).
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def same_registered_domain(host: str) -> str:
    """`haian.haiphong.gov.vn` -> `haiphong.gov.vn` (the host itself when it has none)."""
    host = host.split(":")[0].lower()
    parts = _extractor()(host)
    return (
        parts.top_domain_under_public_suffix
        if hasattr(parts, "top_domain_under_public_suffix") and parts.top_domain_under_public_suffix
        else (parts.registered_domain or host)
    )
