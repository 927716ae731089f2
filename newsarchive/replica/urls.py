"""URL shapes of every generation: article pages, legacy redirects, images and attachments.

File names carry an 18-digit token `yyyymmdd` + article id (7 digits) + file index + 2
check digits, so the server finds the article behind a file URL without an index of every
file in the replica (which would cost start-up time).
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote

from newsarchive.replica.model import Article, Attachment, Image
from newsarchive.replica.sites import CDN_HOST, SITES
from newsarchive.replica.textgen import slug, slug_b

TOKEN_RE = re.compile(r"(\d{8})(\d{7})(\d)(\d{2})\.(jpg|png|pdf|docx|doc|xlsx)$")
B_IMAGE_RE = re.compile(
    r"^/upload/([a-z]+)/product/\d{4}/\d{1,2}/.*-([0-9a-f]{8})([0-9a-f]{2})[0-9a-f]{22}\.jpg$"
)
A_IMAGE_RE = re.compile(r"^/PortalFolders/ImageUploads/([A-Z]+)/(\d+)/Năm \d{4}/[^/]+\.jpg$")


def _check(article_id: int, index: int) -> int:
    return int(hashlib.md5(f"{article_id}:{index}".encode()).hexdigest(), 16) % 100


def token(article: Article, index: int) -> str:
    p = article.published
    return f"{p:%Y%m%d}{article.id:07d}{index}{_check(article.id, index):02d}"


def parse_token(name: str) -> tuple[int, int] | None:
    """(article id, file index) of a file name ending in a token, or None."""
    m = TOKEN_RE.search(name)
    if m is None:
        return None
    article_id, index = int(m.group(2)), int(m.group(3))
    return (article_id, index) if int(m.group(4)) == _check(article_id, index) else None


def article_path(article: Article, generation: str) -> str:
    cat = SITES[article.site].categories[article.category]
    if generation == "C":
        return f"/{cat.slug}/{slug(article.title)}-{article.id}"
    if generation == "B":
        return f"/{cat.slug_b}/{slug_b(article.title)}-{article.id}.html"
    return f"/Portal/PrintItem.aspx?ContentID={article.id}"


def legacy_path(article: Article) -> str | None:
    if article.legacy_id is None:
        return None
    cat = SITES[article.site].categories[article.category]
    return f"/{cat.slug_b}/{slug_b(article.title)}-{article.legacy_id}.html"


def site_url(scheme: str, site: str, path: str) -> str:
    return f"{scheme}://{SITES[site].host}{path}"


def image_url(scheme: str, article: Article, index: int, image: Image, generation: str) -> str:
    """The URL as a browser resolves the page's `src` (percent-encoded)."""
    site = SITES[article.site]
    p = article.published
    if generation == "C":
        name = f"{slug(image.name)}-{token(article, index)}.{image.ext}"
        return f"{scheme}://{CDN_HOST}/gov-hpg/{site.cdn_id}/images/{p.year}/{p.month}/{name}"
    if generation == "B":
        digest = hashlib.md5(f"{article.key}:{index}".encode()).hexdigest()[:22]
        hexpart = f"{article.id:08x}{index:02x}{digest}"
        path = f"/upload/{site.key}/product/{p.year}/{p.month}/{slug(image.name)}-{hexpart}.jpg"
        return f"{scheme}://{site.host}{path}?maxwidth=1000"
    return f"{scheme}://{site.host}{quote(image_src_a(article, image))}"


def image_src_a(article: Article, image: Image) -> str:
    """Generation A `src`: raw spaces and diacritics, as the old CMS wrote them."""
    code = SITES[article.site].key.upper()
    return f"/PortalFolders/ImageUploads/{code}/{article.id}/Năm {article.published.year}/{image.name}.jpg"


def image_src(scheme: str, article: Article, index: int, image: Image, generation: str) -> str:
    if generation == "A":
        return image_src_a(article, image)
    return image_url(scheme, article, index, image, generation)


def attachment_url(
    scheme: str, article: Article, index: int, att: Attachment, generation: str
) -> str:
    site = SITES[article.site]
    p = article.published
    name = f"{slug(att.name)[:60]}{token(article, 5 + index)}.{att.ext}"
    if generation == "C":
        return f"{scheme}://{CDN_HOST}/gov-hpg/{site.cdn_id}/tintuc/{p.year}/{p.month}/{name}"
    return (
        f"{scheme}://{CDN_HOST}/gov-hpg/SiteFolders/{site.folder_code}/{site.cdn_id}"
        f"/tintuc/{p.year}/{p.month}/{name}"
    )
