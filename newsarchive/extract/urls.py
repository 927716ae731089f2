"""URL resolution for links found on a page: join as a browser does, then the project's one
canonical form (`newsarchive.urlparts.canonical_url`: w3lib's encoding, as Scrapy fetches).

Generation A pages put raw spaces and diacritics into `src` attributes; a browser
percent-encodes them as UTF-8 when it requests the image, and so does Scrapy: the archive
records that encoded URL, the one actually fetched.
"""

from __future__ import annotations

from newsarchive.urlparts import canonical_url, path_and_query, resolve_url, url_host

# The old name: every caller gets the same canonical form.
normalize_url = canonical_url

__all__ = ["canonical_url", "normalize_url", "path_and_query", "resolve_url", "url_host"]
