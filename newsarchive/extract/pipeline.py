"""extract(): bytes -> Article. Stages: decode, parse, profile selectors, fallbacks, tidy."""

from __future__ import annotations

from lxml import etree

from newsarchive.extract import links
from newsarchive.extract.article import FIELDS, Article
from newsarchive.extract.clean import parse_html
from newsarchive.extract.content import BodyResult, walk_body
from newsarchive.extract.dates import DateHit, collect_warnings, find_date, parse_iso
from newsarchive.extract.decode import decode_html
from newsarchive.extract.dom import select_all, select_first, tag_of
from newsarchive.extract.head import (
    Head,
    analyse_head,
    is_dateline,
    is_site_name,
    matches_page_title,
)
from newsarchive.extract.page import Page
from newsarchive.extract.text import clean_text, element_text
from newsarchive.extract.urls import normalize_url
from newsarchive.portals.profiles import Profile, family_of, profile_for_url

NO_DATE = "no readable publication date"
MAX_HEADLINE = 250


def extract(
    html: bytes | str,
    url: str,
    profile: Profile | None = None,
    *,
    http_charset: str | None = None,
) -> Article:
    """Extract one article page. Never raises: problems come back as `warnings`.

    `profile` None picks one from the URL (host and shape); `http_charset` is the charset
    of the HTTP Content-Type header, if any (it may be wrong; see decode.py).
    """
    with collect_warnings() as date_warnings:
        try:
            article = _extract(html, url, profile, http_charset)
        except Exception as exc:  # last line of defence for the crawler: report, don't crash
            article = salvage(html, url, http_charset)
            article.warnings.append(f"extraction failed: {type(exc).__name__}: {exc}")
    article.warnings.extend(w for w in date_warnings if w not in article.warnings)
    return article


def salvage(html: bytes | str, url: str, http_charset: str | None = None) -> Article:
    """What a page whose extraction crashed still says: its title and its text paragraphs,
    so a page with content is never stored as an empty article (every field `fallback`)."""
    article = Article(url=url if isinstance(url, str) else "")
    article.provenance = dict.fromkeys(FIELDS, "missing")
    try:
        raw = html.encode("utf-8", "surrogatepass") if isinstance(html, str) else bytes(html)
        text, _ = decode_html(raw, http_charset)
        doc, _ = parse_html(text)
    except Exception as exc:
        article.warnings.append(f"salvage failed: {type(exc).__name__}: {exc}")
        return article
    if doc is None:
        return article
    for path in ("//h1", "//title"):
        found = [clean_text("".join(el.itertext())) for el in doc.xpath(path)]
        title = next((t for t in found if t), None)
        if title:
            article.title, article.provenance["title"] = title, "fallback"
            break
    paragraphs: list[str] = []
    for el in doc.xpath("//body//p | //body//li[not(descendant::p)]"):
        line = clean_text("".join(el.itertext()))
        if line and line != article.title and line not in paragraphs:
            paragraphs.append(line)
    if not paragraphs:
        body = doc.xpath("//body")
        line = clean_text(" ".join(body[0].itertext())) if body else ""
        paragraphs = [line] if line else []
    if paragraphs:
        article.paragraphs, article.provenance["body"] = paragraphs, "fallback"
    article.warnings.append("salvaged: title and text only")
    return article


def _extract(
    html: bytes | str, url: str, profile: Profile | None, http_charset: str | None
) -> Article:
    warnings: list[str] = []
    page_url = normalize_url(url) if isinstance(url, str) else None
    if page_url is None:
        warnings.append(f"not an absolute http(s) URL: {url!r}; relative links left unresolved")
        page_url = url if isinstance(url, str) else ""
    profile = profile or profile_for_url(page_url)
    if isinstance(html, str):
        html = html.encode("utf-8", "surrogatepass")
    text, decode_warnings = decode_html(bytes(html), http_charset)
    warnings += decode_warnings
    doc, parse_warnings = parse_html(text)
    warnings += parse_warnings
    article = Article(url=page_url, profile=profile.name, warnings=warnings)
    article.provenance = dict.fromkeys(FIELDS, "missing")
    if doc is None:
        return article
    page = Page(doc, page_url)
    profile = _confirm_profile(page, profile, warnings)
    article.profile = profile.name
    _Extraction(page, profile, article).run()
    return article


def _confirm_profile(page: Page, profile: Profile, warnings: list[str]) -> Profile:
    """A family profile whose selectors find neither title nor body may be the wrong
    generation (a legacy URL redirected to a newer page): try its siblings."""
    sel = profile.selectors
    if not profile.family or select_first(page.doc, sel.title) is not None:
        return profile
    if select_first(page.doc, sel.body) is not None:
        return profile
    for other in family_of(profile):
        o = other.selectors
        if (
            select_first(page.doc, o.title) is not None
            and select_first(page.doc, o.body) is not None
        ):
            warnings.append(f"markup is {other.name}, not {profile.name}: using {other.name}")
            return other
    return profile


class _Extraction:
    """Fills one Article: each field from the profile first, then from the fallback."""

    def __init__(self, page: Page, profile: Profile, article: Article) -> None:
        self.page = page
        self.profile = profile
        self.article = article
        self.sel = profile.selectors
        self._head: Head | None = None
        self.title_el: etree._Element | None = None
        self.lead_el: etree._Element | None = None
        self.date_el: etree._Element | None = None

    def head(self) -> Head:
        if self._head is None:
            self._head = analyse_head(
                self.page,
                site_patterns=self.profile.site_name_patterns,
                date_formats=self.profile.date_formats,
                tz_name=self.profile.timezone,
                known_title_el=self.title_el,
                known_lead_el=self.lead_el,
            )
        return self._head

    def run(self) -> None:
        a = self.article
        prov = a.provenance
        doc = self.page.doc

        # Title
        self.title_el = select_first(doc, self.sel.title)
        title = element_text(self.title_el) if self.title_el is not None else ""
        if title:
            a.title, prov["title"] = title, "profile"
        else:
            self.title_el = None
            head = self.head()
            if head.title:
                a.title, prov["title"] = head.title, "fallback"
                self.title_el = head.title_el
            else:
                a.warnings.append("no title found")

        # Lead
        self.lead_el = select_first(doc, self.sel.lead)
        lead = element_text(self.lead_el) if self.lead_el is not None else ""
        if lead:
            a.lead, prov["lead"] = lead, "profile"
        else:
            self.lead_el = None
            if self.sel.lead or self.profile.is_generic:
                head = self.head()
                if head.lead:
                    a.lead, prov["lead"] = head.lead, "fallback"
                    self.lead_el = head.lead_el

        # Published
        hit = self._profile_date()
        if hit:
            prov["published"] = "profile"
        else:
            head = self.head()
            if head.date:
                hit = head.date
                prov["published"] = "fallback"
            else:
                a.warnings.append(NO_DATE)
        a.published = hit.iso() if hit else None

        # Body, images, captions
        body = self._body()
        if body is not None:
            paragraphs = body.paragraphs
            if a.lead and paragraphs and _same_text(paragraphs[0], a.lead):
                paragraphs = paragraphs[1:]  # the lead repeated as the first paragraph
            a.paragraphs = paragraphs
            a.images = body.images
            if not paragraphs:
                a.warnings.append("body has no text")
        else:
            a.warnings.append("no body found")

        self._tags()
        self._attachments()

    # -- fields ------------------------------------------------------------------------

    def _profile_date(self) -> DateHit | None:
        tz = self.profile.timezone
        for el in select_all(self.page.doc, self.sel.published_meta):
            hit = parse_iso(el.get("content") or el.get("datetime") or el.text, tz)
            if hit and hit.has_time:
                return hit
        self.date_el = select_first(self.page.doc, self.sel.published)
        if self.date_el is not None:
            line = element_text(self.date_el)
            hit = find_date(line, self.profile.date_formats, tz)
            if hit:
                return hit
            self.article.warnings.append(f"unreadable date line: {line[:80]!r}")
        return None

    def _body(self) -> BodyResult | None:
        prov = self.article.provenance
        root = select_first(self.page.doc, self.sel.body)
        if root is not None:
            skip = set(select_all(root, self.sel.drop)) if self.sel.drop else set()
            captions = set(select_all(root, self.sel.caption)) if self.sel.caption else set()
            result = walk_body(root, self.page.base_url, skip=skip, caption_nodes=captions or None)
            prov["body"] = prov["images"] = "profile"
        else:
            root, left_out = self.page.body_region
            if root is None:
                return None
            skip = set(self.page.chrome) | left_out
            skip.update(
                el
                for el in (self.title_el, self.lead_el, self.date_el, self.head().title_el)
                if el is not None
            )
            for label in (links.TAG_LABEL, links.ATTACHMENT_LABEL):
                container = links.find_label_container(root, label, self.page.chrome)
                if container is not None:
                    skip.add(container)
            head_el = self.title_el if self.title_el is not None else self.head().title_el
            start_after = head_el if head_el is not None and _inside(head_el, root) else None
            if start_after is not None:
                # A headline inside a left-out sibling: the body starts after that sibling.
                for anc in (start_after, *start_after.iterancestors()):
                    if anc is root:
                        break
                    if anc in left_out:
                        start_after = anc
                        break
            result = walk_body(root, self.page.base_url, skip=skip, start_after=start_after)
            if start_after is not None and not matches_page_title(element_text(head_el), self.page):
                # An unconfirmed "headline" with most of the text above it is a subheading.
                whole = walk_body(root, self.page.base_url, skip=skip)
                if _chars(result) < 0.6 * _chars(whole):
                    result = whole
            prov["body"] = prov["images"] = "fallback"
            self._tidy_fallback_body(result)
        prov["captions"] = result.captions_by if result.images else prov["images"]
        return result

    def _tidy_fallback_body(self, result: BodyResult) -> None:
        """A text block found by structure may start with the article head as lines of its
        own (WebForms span fields, a print view): a headline, the date line, a bold or
        italic summary. Take what is still missing from there and drop the rest."""
        a = self.article
        paras, bold, italic = result.paragraphs, result.bold, result.italic
        fmts, tz = self.profile.date_formats, self.profile.timezone

        def pop() -> None:
            paras.pop(0)
            bold.pop(0)
            italic.pop(0)

        for _ in range(6):  # the head is a few lines at most
            if not paras:
                break
            first = paras[0]
            if first == a.title or is_site_name(first, self.page, self.profile.site_name_patterns):
                pop()
            elif is_dateline(first, fmts):
                if a.published is None:
                    hit = find_date(first, fmts, tz)
                    if hit:
                        a.published, a.provenance["published"] = hit.iso(), "fallback"
                        a.warnings[:] = [w for w in a.warnings if w != NO_DATE]
                pop()
            elif a.title is None and bold[0] and len(first) <= MAX_HEADLINE and len(paras) > 1:
                a.title, a.provenance["title"] = first, "fallback"
                a.warnings[:] = [w for w in a.warnings if w != "no title found"]
                pop()
            else:
                break
        if a.lead is None and paras and (bold[0] or italic[0]) and len(paras[0]) >= 40:
            a.lead = paras[0]
            pop()
            a.provenance["lead"] = "fallback"

    def _tags(self) -> None:
        a, prov = self.article, self.article.provenance
        found = select_all(self.page.doc, self.sel.tags)
        if found:
            tags: list[str] = []
            for el in found:
                if tag_of(el) == "a":
                    text = element_text(el)
                    if text:
                        tags.append(text)
                else:
                    tags.extend(links.link_texts(el))
            a.tags, prov["tags"] = tags, "profile"
            return
        container = links.find_label_container(self.page.doc, links.TAG_LABEL, self.page.chrome)
        if container is not None:
            a.tags, prov["tags"] = links.link_texts(container), "fallback"

    def _attachments(self) -> None:
        a, prov = self.article, self.article.provenance
        base = self.page.base_url
        found = select_all(self.page.doc, self.sel.attachments)
        if found:
            out = []
            seen: set[str] = set()
            for el in found:
                for att in links.attachments_in(el, base):
                    if att.url not in seen:
                        seen.add(att.url)
                        out.append(att)
            a.attachments, prov["attachments"] = out, "profile"
            return
        chrome = self.page.chrome
        container = links.find_label_container(self.page.doc, links.ATTACHMENT_LABEL, chrome)
        if container is not None:
            a.attachments = links.attachments_in(container, base)
            prov["attachments"] = "fallback"
            return
        docs = links.attachments_in(self.page.doc, base, chrome, documents_only=True)
        if docs:
            a.attachments, prov["attachments"] = docs, "fallback"


def _chars(result: BodyResult) -> int:
    return sum(len(p) for p in result.paragraphs)


def _inside(el: etree._Element, ancestor: etree._Element) -> bool:
    return any(x is ancestor for x in el.iterancestors())


def _same_text(a: str, b: str) -> bool:
    return clean_text(a).casefold() == clean_text(b).casefold()
