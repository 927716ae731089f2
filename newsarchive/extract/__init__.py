"""Article extraction: `(html bytes, url, profile) -> Article`, no Scrapy engine needed.

Stages, one module each: decode (bytes -> NFC text), clean (lxml tree without scripts),
profile selectors (pipeline), structural fallbacks (layout, head, content, links), dates,
urls, text. `extract()` never raises; `Article.to_dict()` is the `newsarchive extract` JSON.
"""

from newsarchive.extract.article import Article, Attachment, Image
from newsarchive.extract.pipeline import extract

__all__ = ["Article", "Attachment", "Image", "extract"]
