"""Where the next listing page is, found by the pager's structure rather than its words.

A pager link is a link to the same page with one number changed or added: a query value
(`?page=N`, `?p=N`, `?start=K`, `?_cur=N`, any name) or a path piece (`/trang-N`,
`/page/N`). Among them the next page is the one numbered current+1 (numbered pagers), else
a "next" text (Vietnamese or English), else the smallest value above the current one
(offsets). rel=next wins over all; ASP.NET `__doPostBack` pagers are read the same way,
whatever the control's name and the argument's form (`Page$3`, `3`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import lxml.html

from newsarchive.extract.decode import decode_html
from newsarchive.urlparts import resolve_url

# Texts of "next page" links (case-folded, whitespace collapsed). "»" is last as often as
# next: it only counts when the structure agrees (a pager link above the current page).
NEXT_TEXTS = frozenset(
    {
        "›",
        ">",
        ">>",
        "»",
        "sau",
        "tiếp",
        "trang sau",
        "tiếp theo",
        "trang tiếp",
        "xem thêm",
        "tin cũ hơn",
        "cũ hơn",
        "next",
        "next page",
        "next »",
        "next ›",
        "older",
        "older posts",
        "trang sau »",
        "tiếp »",
        "sau »",
        "tiếp ›",
        "sau ›",
    }
)
WEAK_NEXT = frozenset({"»", ">>", "xem thêm"})  # may mean "last page" or "more in this section"
POSTBACK_RE = re.compile(r"__doPostBack\(\s*['\"]([^'\"]*)['\"]\s*,\s*['\"]([^'\"]*)['\"]\s*\)")
_RUN = re.compile(r"\d+")
_PAGER_NAME = re.compile(r"(?i)(?:page|cur|start|offset|trang|pg|^p$|paged)$")
_PATH_PIECE = re.compile(r"^[A-Za-z_-]{0,12}\d{1,6}$")
_PATH_WORD = re.compile(r"^[A-Za-z_-]{1,12}$")


@dataclass(frozen=True)
class Postback:
    """An ASP.NET pager link: POST the page's form with these as __EVENTTARGET/ARGUMENT."""

    target: str
    argument: str
    page: int | None


@dataclass(frozen=True)
class NextPage:
    url: str | None = None
    postback: Postback | None = None
    scheme: str = ""  # how it was found, e.g. "?page=N", "/trang-N", "rel=next", "postback Page$N"
    page: int | None = None  # the next page's number, when known


@dataclass(frozen=True)
class _Variant:
    template: tuple[Any, ...]  # same template = same pager
    value: int
    in_current: bool  # the current URL belongs to the same template
    current_value: int | None
    scheme: str


def _norm_text(anchor: Any) -> str:
    return " ".join(anchor.text_content().split()).casefold()


def _variant(current: str, link: str) -> _Variant | None:
    """`link` as a page of the same listing as `current` (one number changed or added)."""
    c, v = urlsplit(current), urlsplit(link)
    if (c.hostname or "").lower() != (v.hostname or "").lower() or c.port != v.port:
        return None
    if c.path.rstrip("/") == v.path.rstrip("/"):
        qc, qv = dict(parse_qsl(c.query, True)), dict(parse_qsl(v.query, True))
        changed = [k for k in qv if qc.get(k) != qv[k]]
        numeric = [k for k in changed if qv[k].isdigit()]
        if len(numeric) > 1:  # Liferay adds p_p_lifecycle=0 beside _cur=N: the pager's name
            numeric = [k for k in numeric if _PAGER_NAME.search(k)]
        if len(numeric) != 1 or any(k in qc for k in changed if k not in numeric):
            return None
        key = numeric[0]
        if any(k not in qv for k in qc):
            return None  # the link drops a parameter of the current page: another listing
        static = tuple(sorted((k, qv[k]) for k in qv if k != key))
        current_value = int(qc[key]) if qc.get(key, "").isdigit() else None
        return _Variant(("q", key, static), int(qv[key]), key in qc, current_value, f"?{key}=N")
    if c.query != v.query:
        return None
    cs = [s for s in c.path.split("/") if s]
    vs = [s for s in v.path.split("/") if s]
    if len(cs) == len(vs):
        diff = [i for i, (a, b) in enumerate(zip(cs, vs, strict=True)) if a != b]
        if len(diff) != 1:
            return None
        i = diff[0]
        a, b = cs[i], vs[i]
        if _RUN.sub("#", a) != _RUN.sub("#", b) or len(_RUN.findall(b)) != 1:
            return None
        if not _PATH_PIECE.match(b.rpartition(".")[0] if "." in b else b):
            return None
        piece = _RUN.sub("N", b)
        prefix = "/".join(vs[:i])
        scheme = (
            f"/{vs[i - 1]}/{piece}"
            if i and _PATH_WORD.match(vs[i - 1]) and i == len(vs) - 1 and vs[i].isdigit()
            else f"/{piece}"
        )
        return _Variant(
            ("p", len(cs), i, prefix, _RUN.sub("#", b)),
            int(_RUN.findall(b)[0]),
            True,
            int(_RUN.findall(a)[0]),
            scheme,
        )
    extra = vs[len(cs) :]
    if vs[: len(cs)] != cs or not 1 <= len(extra) <= 2:
        return None
    if len(extra) == 1 and _PATH_PIECE.match(extra[0]):
        return _Variant(
            ("p", len(vs), len(cs), "/".join(cs), _RUN.sub("#", extra[0])),
            int(_RUN.findall(extra[0])[0]),
            False,
            None,
            "/" + _RUN.sub("N", extra[0]),
        )
    if len(extra) == 2 and _PATH_WORD.match(extra[0]) and extra[1].isdigit():
        return _Variant(
            ("p", len(vs), len(cs) + 1, "/".join(vs[:-1]), "#"),
            int(extra[1]),
            False,
            None,
            f"/{extra[0]}/N",
        )
    return None


def _current_marker(anchors: list[Any]) -> int | None:
    """The number the pager shows without a link (the current page), if exactly one."""
    if len(anchors) < 1:
        return None
    container = anchors[0].getparent()
    for _ in range(4):
        if container is None:
            return None
        inside = sum(1 for a in anchors if container in a.iterancestors())
        if inside >= min(len(anchors), 2) and inside == len(anchors):
            break
        container = container.getparent()
    if container is None:
        return None
    numbers = set()
    for el in container.iter():
        if not isinstance(el.tag, str) or el.tag == "a":
            continue
        if any(p.tag == "a" for p in el.iterancestors()):
            continue
        own = (el.text or "").strip()
        if own.isdigit() and len(own) < 5:
            numbers.add(int(own))
        tail = (el.tail or "").strip()
        if tail.isdigit() and len(tail) < 5:
            numbers.add(int(tail))
    own = (container.text or "").strip()
    if own.isdigit():
        numbers.add(int(own))
    return numbers.pop() if len(numbers) == 1 else None


def _postback_page(argument: str) -> int | None:
    match = re.search(r"(\d+)$", argument)
    return int(match.group(1)) if match else None


def _postback_scheme(argument: str) -> str:
    return "postback " + (_RUN.sub("N", argument) if _RUN.search(argument) else argument)


def find_next(
    doc: Any,
    url: str,
    *,
    current_page: int | None = None,
    allowed_hosts: tuple[str, ...] = (),
) -> NextPage:
    """The next page of the listing `doc` (an lxml document of `url`), or an empty NextPage."""
    hosts = {h.lower() for h in allowed_hosts} or {(urlsplit(url).hostname or "").lower()}
    for href in doc.xpath("//link[@rel='next']/@href | //a[@rel='next']/@href"):
        href = str(href).strip()
        match = POSTBACK_RE.search(href)
        if match:
            pb = Postback(match.group(1), match.group(2), _postback_page(match.group(2)))
            return NextPage(postback=pb, scheme="rel=next", page=pb.page)
        if href and not href.lower().startswith("javascript:"):
            return NextPage(url=resolve_url(url, href), scheme="rel=next")

    groups: dict[tuple[Any, ...], list[tuple[_Variant, str, str, Any]]] = {}
    words: list[tuple[str, str, Any]] = []
    postbacks: list[tuple[Postback, str, Any]] = []
    for anchor in doc.iter("a"):
        href = (anchor.get("href") or "").strip()
        text = _norm_text(anchor)
        match = POSTBACK_RE.search(href) or POSTBACK_RE.search(anchor.get("onclick") or "")
        if match:
            postbacks.append(
                (
                    Postback(match.group(1), match.group(2), _postback_page(match.group(2))),
                    text,
                    anchor,
                )
            )
            continue
        if not href or href.startswith("#"):
            continue
        absolute = resolve_url(url, href)  # the one URL identity (urlparts.canonical_url)
        if absolute is None or (urlsplit(absolute).hostname or "").lower() not in hosts:
            continue
        variant = _variant(url, absolute)
        if variant is not None:
            groups.setdefault(variant.template, []).append((variant, absolute, text, anchor))
        elif text in NEXT_TEXTS and text not in WEAK_NEXT and absolute != resolve_url(url, url):
            words.append((absolute, text, anchor))

    # A pager is a group with numbered or "next" links; the most numbered one wins.
    def evidence(items: list[tuple[_Variant, str, str, Any]]) -> int:
        return sum(1 for _, _, t, _ in items if t.isdigit() or t in NEXT_TEXTS)

    pagers = sorted((g for g in groups.values() if evidence(g) > 0), key=evidence, reverse=True)
    for items in pagers:
        variant0 = items[0][0]
        numbered = [(int(t), u, a) for _, u, t, a in items if t.isdigit()]
        shown = _current_marker([a for _, _, a in numbered]) if numbered else None
        cur_value = variant0.current_value if variant0.in_current else None
        current = shown
        if (
            current is None
            and cur_value is not None
            and any(n == v.value for v, _, t, _ in items if t.isdigit() for n in [int(t)])
        ):
            current = cur_value  # page numbers in the URL equal the numbers shown
        if current is None:
            current = current_page or (1 if not variant0.in_current else None)
        if current is not None:
            for n, u, _ in numbered:
                if n == current + 1:
                    return NextPage(url=u, scheme=variant0.scheme, page=n)
        floor = cur_value if cur_value is not None else None
        above = [(v.value, u, t) for v, u, t, _ in items if floor is None or v.value > floor]
        if floor is None:
            # The current page is the listing's base (page 1 / offset 0): skip links to it.
            first = {v.value for v, _, t, _ in items if t == "1"}
            above = [(val, u, t) for val, u, t in above if val not in first and t != "1"]
        for val, u, t in sorted(above):
            weak_ok = current is not None and t in WEAK_NEXT and val == current + 1
            if t in NEXT_TEXTS and (t not in WEAK_NEXT or weak_ok):
                return NextPage(
                    url=u, scheme=variant0.scheme, page=(current + 1) if current else None
                )
        if above and numbered:
            val, u, t = min(above)
            page = int(t) if t.isdigit() else None
            if current is None or page is None or page > current:
                return NextPage(url=u, scheme=variant0.scheme, page=page)
    if words:
        return NextPage(
            url=words[0][0], scheme="next-link", page=(current_page + 1) if current_page else None
        )

    if postbacks:
        numbered_pb = [(int(t), pb, a) for pb, t, a in postbacks if t.isdigit()]
        shown = _current_marker([a for _, _, a in numbered_pb]) if numbered_pb else None
        current = shown or current_page or 1
        for n, pb, _ in numbered_pb:
            if n == current + 1:
                return NextPage(postback=pb, scheme=_postback_scheme(pb.argument), page=n)
        for pb, t, _ in postbacks:
            if t in NEXT_TEXTS and t not in WEAK_NEXT:
                return NextPage(postback=pb, scheme=_postback_scheme(pb.argument), page=current + 1)
    return NextPage()


def next_page(
    html: bytes, url: str, *, current_page: int | None = None, allowed_hosts: tuple[str, ...] = ()
) -> NextPage:
    """find_next() on raw bytes."""
    doc = parse_doc(html, url)
    if doc is None:
        return NextPage()
    return find_next(doc, url, current_page=current_page, allowed_hosts=allowed_hosts)


def parse_doc(html: bytes, url: str, http_charset: str | None = None) -> Any:
    """An lxml document of page bytes decoded as the extractor decodes them; None if empty."""
    if not html or not html.strip():
        return None
    text, _ = decode_html(bytes(html), http_charset)
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)  # lxml refuses str with an encoding declaration
    try:
        return lxml.html.document_fromstring(text, base_url=url)
    except (ValueError, lxml.etree.ParserError):
        return None
