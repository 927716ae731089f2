"""Tags and attachments: links under a "Tag:" / "File đính kèm" label, or document links."""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote, urlsplit

from lxml import etree

from newsarchive.extract.article import Attachment
from newsarchive.extract.dom import link_text_len, tag_of
from newsarchive.extract.text import clean_text, element_text
from newsarchive.extract.urls import resolve_url

# A label is the whole text, or the text up to a colon ("Từ khóa của năm" is not one).
TAG_LABEL = re.compile(r"^(tags?|từ khóa|từ khoá|keywords?)\s*(:|$)", re.I)
ATTACHMENT_LABEL = re.compile(
    r"^((file|tài liệu|tệp|tập tin|văn bản)( tin)? đính kèm|tải về|download|attachments?)"
    r"\s*(:|$)",
    re.I,
)
DOC_EXTENSIONS = frozenset(
    [
        "pdf",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "odt",
        "ods",
        "odp",
        "rtf",
        "zip",
        "rar",
        "7z",
        "txt",
        "csv",
    ]
)


def find_label_container(
    doc: etree._Element, label: re.Pattern, chrome: set
) -> etree._Element | None:
    """The element holding the links that follow a label like "Tag:"; the label element
    itself when it has no links (an empty "Tag:" line still says "no tags")."""
    for el in doc.iter():
        if not isinstance(el.tag, str) or el in chrome:
            continue
        text = clean_text((el.text or "")[:80])
        if not text or not label.match(text):
            continue
        if tag_of(el) in ("script", "style", "title", "option"):
            continue
        node = el
        label_len = len(text)
        for _ in range(4):
            if node.find(".//a") is not None:
                return node
            parent = node.getparent()
            if parent is None or tag_of(parent) in ("body", "html"):
                break
            loose = len(element_text(parent)) - link_text_len(parent)
            if loose > label_len + 20:  # the parent holds more than label + links: stop
                break
            node = parent
        return el
    return None


def link_texts(container: etree._Element, chrome: set | None = None) -> list[str]:
    out = []
    for a in container.iter("a"):
        if chrome and a in chrome:
            continue
        text = element_text(a)
        if text and not TAG_LABEL.match(text):
            out.append(text)
    return out


def attachments_in(
    container: etree._Element,
    base_url: str,
    chrome: set | None = None,
    documents_only: bool = False,
) -> list[Attachment]:
    out: list[Attachment] = []
    seen: set[str] = set()
    for a in container.iter("a"):
        if chrome and a in chrome:
            continue
        url = resolve_url(base_url, a.get("href"))
        if not url or url in seen:
            continue
        if documents_only and not is_document_url(url):
            continue
        seen.add(url)
        name = element_text(a) or clean_text(a.get("title")) or file_name(url)
        out.append(Attachment(url, name))
    return out


_DOC_NAME = re.compile(r"\.([A-Za-z0-9]{2,4})(?=$|[/&;#])")


def is_document_url(url: str) -> bool:
    """A document extension on any path segment (Liferay: `/documents/1/2/a.pdf/<uuid>`)
    or in a query value (`DownloadFile.aspx?file=/Uploads/a.pdf`)."""
    parts = urlsplit(url)
    names = [unquote(seg) for seg in parts.path.split("/") if seg]
    names += [unquote(v) for v in re.split(r"[&=]", parts.query) if v]
    for name in names:
        for m in _DOC_NAME.finditer(name):
            if m.group(1).lower() in DOC_EXTENSIONS:
                return True
    return False


def file_name(url: str) -> str:
    return unquote(posixpath.basename(urlsplit(url).path)) or url
